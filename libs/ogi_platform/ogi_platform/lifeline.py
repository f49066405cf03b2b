"""Children of a supervisor (`ogi up`) that never outlive it, whatever kills it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(sig: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to send ``sig`` to the child when the thread that started it
    ends (a SIGKILL of the supervisor included); None where the system has no such request.

    libc is looked up before the fork: the child only calls the function found.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request was made
            os.kill(os.getpid(), sig)

    return preexec


@dataclass(frozen=True)
class Lifeline:
    """How a supervisor starts a child: in a session of its own (a Ctrl-C in the terminal reaches
    the supervisor alone, which stops its children in order), sent ``sig`` when the supervisor
    dies, and holding ``fds`` (the supervisor's data-folder lock) until it ends, so that no new
    supervisor starts on the folder while a child of the old one still runs.

    Start children from the supervisor's main thread: Linux signals them when the starting
    thread ends, not the process.
    """

    fds: tuple[int, ...] = ()
    sig: int = signal.SIGTERM

    def popen_options(self) -> dict[str, Any]:
        return {
            "start_new_session": True,
            "pass_fds": self.fds,
            "preexec_fn": die_with_parent(self.sig),
        }
