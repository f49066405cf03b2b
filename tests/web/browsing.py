"""What the web tests share: where the system's browser is and how it is launched, the staff
accounts' password, where screenshots go."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("OGI_CHROMIUM", "/usr/bin/chromium"))
#: The machine's network is closed: nothing the browser would fetch on its own.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "网页测试密码-2026"
#: Accounts of the operator's file: name -> agency.
ACCOUNTS = {
    "王五": "municipal-office",
    "赵六": "supervision-bureau",
    "钱七": "natural-resources-bureau",
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".screenshots"
