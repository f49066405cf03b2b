"""`ogi-web` (`python -m ogi_web.main`): the web front end, configured from the environment
(ogi_web.config). `ogi up` starts it as one more child; compose and Kubernetes as a container."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from ogi_errors import DomainError
from ogi_web.config import Settings
from ogi_web.server import serve


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("OGI_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    try:
        settings = Settings.from_env()
    except DomainError as error:
        print(f"ogi-web: {error}", file=sys.stderr)
        return 2
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
