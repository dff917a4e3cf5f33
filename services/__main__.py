"""The deploy entry point: ``python -m services SERVICE ROLE`` with ROLE one of migrate, api, worker.

``migrate`` brings the service database to the newest schema (run it once before the others start);
``api`` execs gunicorn with deploy/gunicorn.conf.py; ``worker`` runs the service's relay or consumers;
``seed`` loads the service's seed data (registry: the 2023 year and the 2025 mergers), idempotently.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

SERVICES = ("registry", "submissions", "scoring", "notifications")
ROLES = ("migrate", "api", "worker", "seed")
GUNICORN_CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"


def main(argv: list[str]) -> int:
    """Run one role of one service."""
    if len(argv) != 2 or argv[0] not in SERVICES or argv[1] not in ROLES:
        print(f"usage: python -m services {{{'|'.join(SERVICES)}}} {{{'|'.join(ROLES)}}}", file=sys.stderr)
        return 2
    service, role = argv
    if role == "migrate":
        config = importlib.import_module(f"services.{service}.config")
        importlib.import_module(f"services.{service}.bootstrap").migrate(config.load_settings())
    if role == "api":
        app = f"services.{service}.wsgi:create_app()"
        os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), app])
    if role == "seed":
        importlib.import_module(f"services.{service}.worker").seed()
    if role == "worker":
        importlib.import_module(f"services.{service}.worker").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
