"""The deploy entry point: ``python -m services SERVICE ROLE``.

``migrate`` brings the service database to the newest schema (run it once before the others start);
``api`` execs gunicorn with services/gunicorn_conf.py; ``worker`` runs the service's table of loops;
``seed`` loads the registry's seed data (the 2023 year and the 2025 mergers), idempotently;
``rebuild-state`` rebuilds the state tables of the registry or submissions from their own events.

``python -m services portal {migrate|api|first-account}`` runs the portal (no worker: it keeps accounts and
calls the services' APIs); ``first-account`` makes the first Academy account and says how to sign in.
``python -m services console api`` runs the operators' console (no database: it calls the APIs and reads
the bus as the operator).
"""

from __future__ import annotations

import importlib
import os
import sys

from services import commands
from shared.files import keep_private
from shared.settings import ConfigError

ROLES = ("migrate", "api", "worker", "seed", "rebuild-state")
PORTAL = "portal"
PORTAL_ROLES = ("migrate", "api", "first-account")
CONSOLE = "console"
GUNICORN_CONFIG = "python:services.gunicorn_conf"
HELP = f"""Thi đua: pick a service and its role (the image's command, or python -m services):
  python -m services {{{"|".join(commands.SERVICES)}}} {{{"|".join(ROLES)}}}
  python -m services portal {{{"|".join(PORTAL_ROLES)}}}
  python -m services console api
migrate first, then api (gunicorn on GUNICORN_BIND) and worker; seed is the registry's seed data.
docker-compose.yml runs every one of them; README "Running with Docker Compose" says how."""


def main(argv: list[str]) -> int:
    """Run one role of one service (every file it creates readable by its owner only)."""
    keep_private()
    if not argv:
        print(HELP)
        return 0
    if argv[:1] == [PORTAL]:
        return portal(argv[1:])
    if argv[:1] == [CONSOLE]:
        return console(argv[1:])
    if len(argv) != 2 or argv[0] not in commands.SERVICES or argv[1] not in ROLES:
        services, roles = "|".join(commands.SERVICES), "|".join(ROLES)
        print(f"usage: python -m services {{{services}}} {{{roles}}}", file=sys.stderr)
        return 2
    service, role = argv
    if role == "seed" and service != "registry":
        print("only the registry has seed data: python -m services registry seed", file=sys.stderr)
        return 2
    if role == "rebuild-state" and service not in commands.STATEFUL:
        print(f"{service} keeps no state tables; one of {', '.join(commands.STATEFUL)}", file=sys.stderr)
        return 2
    if role == "migrate":
        commands.migrate(service)
    if role == "api":
        app = f"services.{service}.wsgi:create_app()"
        os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG, app])
    if role == "seed":
        print(f"seed: created {commands.seed()}")
    if role == "rebuild-state":
        print(f"{service}: state rebuilt from {commands.rebuild_state(service)} events")
    if role == "worker":
        importlib.import_module(f"services.{service}.worker").main()
    return 0


def console(argv: list[str]) -> int:
    """Run the operators' console (its one role: the web front)."""
    if argv != ["api"]:
        print("usage: python -m services console api", file=sys.stderr)
        return 2
    app = "services.console.wsgi:create_app()"
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG, app])
    return 0


def portal(argv: list[str]) -> int:
    """Run one role of the portal."""
    if len(argv) != 1 or argv[0] not in PORTAL_ROLES:
        print(f"usage: python -m services portal {{{'|'.join(PORTAL_ROLES)}}}", file=sys.stderr)
        return 2
    if argv[0] == "migrate":
        commands.migrate_portal()
    if argv[0] == "first-account":
        print(commands.first_portal_account())
    if argv[0] == "api":
        app = "services.portal.wsgi:create_app()"
        os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG, app])
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ConfigError as exc:
        print(f"configuration: {exc}", file=sys.stderr)
        sys.exit(2)
