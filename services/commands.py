"""The commands every service answers the same way, for ``python -m services`` and the ``thidua`` CLI.

Each builds the service from the environment through its own config.py and bootstrap.py, runs, and
releases it; nothing here knows one service from another beyond its name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from services.portal import bootstrap as portal_bootstrap
from services.portal import config as portal_config
from services.portal.first_account import ensure_first_account
from shared import recovery
from shared.consumer import Policy, Progress
from shared.service import ServiceContext, from_environment

SERVICES = ("registry", "submissions", "scoring", "notifications")
STATEFUL = ("registry", "submissions")
"""The services that decide from state tables kept from their own events."""


def _module(service: str, part: str) -> ModuleType:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{service}.{part}")


def build(service: str) -> ServiceContext:
    """Return a service built from the environment (settings, logs, database, bus)."""
    return from_environment(_module(service, "config").load_settings, _module(service, "bootstrap").bootstrap)


def migrate(service: str) -> None:
    """Bring a service's database to the newest schema."""
    _module(service, "bootstrap").migrate(_module(service, "config").load_settings())


def with_service(service: str, action: Callable[[Any], Any]) -> Any:
    """Build a service, run an action on it, release it, and return what the action returned."""
    built = build(service)
    try:
        return action(built)
    finally:
        built.close()


def rebuild_state(service: str) -> int:
    """Rebuild a service's state tables from its own events table; return how many events were applied."""
    if service not in STATEFUL:
        raise ValueError(f"{service} keeps no state tables; one of {', '.join(STATEFUL)}")
    return int(with_service(service, lambda built: built.rebuild_state()))


def rotate_personal_keys() -> int:
    """Rewrap every personal data key under the current master key (the previous one still configured)."""

    def rotate(service: Any) -> int:
        with service.transaction() as conn:
            return int(service.keyring.rotate(conn))

    return int(with_service("submissions", rotate))


def apply_retention() -> int:
    """Erase, once, everyone the campaigns' retention rule no longer keeps; return how many."""
    from services.submissions.app.personal import apply_retention as erase_past_retention

    return int(with_service("submissions", erase_past_retention))


def service_of(group: str) -> str:
    """Return the service whose consumer a group is (groups are named after their service)."""
    found = next((s for s in SERVICES if group == s or group.startswith(f"{s}-")), None)
    if found is None:
        raise ValueError(f"no consumer group {group!r}: groups start with one of {', '.join(SERVICES)}")
    return found


def rebuild_read_model(group: str, progress: Progress | None = None) -> None:
    """Rebuild one read model, named by its consumer group: scoring beside the live one, the others in place.

    The consumers are the service's own (its ``bootstrap.consumers()``); a policy, whose effects are
    events of its service, is never rebuilt.
    """
    service = service_of(group)
    bootstrap = _module(service, "bootstrap")

    def replay(built: Any) -> None:
        runners = {runner.projection.name: runner for runner in bootstrap.consumers(built).values()}
        try:
            runner = runners.get(group)
            if runner is None:
                raise ValueError(f"{service} has no consumer {group!r}; its consumers: {', '.join(runners)}")
            if isinstance(runner.projection, Policy):
                raise ValueError(
                    f"{group} is a policy: what it did are {service}'s own events, never rebuilt"
                )
            if group == "scoring":
                _module(service, "app.rebuilds").rebuild_beside(built, progress=progress)  # then one swap
            else:
                runner.rebuild(progress=progress)
        finally:
            for each in runners.values():
                each.close()

    with_service(service, replay)


PUBLISHING = ("registry", "submissions", "scoring")
"""The services that publish a topic of their own, from which their database can be recovered."""


def recover(service: str, reconcile: bool = False, progress: Progress | None = None) -> list[str]:
    """Recover a service's database from its own topic, then bring each of its consumers in step.

    The events and state come back from the topic (shared.recovery). A service that knows better brings
    its consumers in step itself (scoring: ``bootstrap.recover_consumers``). Otherwise a read model is
    rebuilt from its topics. A policy keeps its answers, which are events now back in the store: each event
    they caused marks its cause as answered, and the policy reads its topics again from the start,
    answering only what it never did.
    """
    if service not in PUBLISHING:
        raise ValueError(f"{service} publishes no topic to recover from; one of {', '.join(PUBLISHING)}")
    bootstrap = _module(service, "bootstrap")
    contracts = _module(service, "contracts")

    def run(built: Any) -> list[str]:
        lines = recovery.recover(built, contracts.TOPIC, reconcile).lines()
        if keys := getattr(bootstrap, "restore_keys", None):
            lines += keys(built)
        if own := getattr(bootstrap, "recover_consumers", None):
            return [*lines, *own(built)]
        runners = bootstrap.consumers(built)
        try:
            for runner in runners.values():
                name = runner.projection.name
                if isinstance(runner.projection, Policy):
                    marked = recovery.mark_answered(built, runner.tracking, name)
                    runner.resume_from_start(progress=progress)
                    lines.append(f"{name}: {marked} answers kept, then read again from the start")
                else:
                    runner.rebuild(progress=progress)
                    lines.append(f"{name}: rebuilt from its topics")
        finally:
            for runner in runners.values():
                runner.close()
        return lines

    return list(with_service(service, run))


def seed() -> str:
    """Bring the registry's schema up to date, load its seed data (idempotent), say what was created."""
    from services.registry.seed.command import seed as load_seed

    migrate("registry")
    return str(with_service("registry", load_seed))


def migrate_portal() -> None:
    """Bring the portal's accounts database to the newest schema."""
    portal_bootstrap.migrate(portal_config.load_settings())


def first_portal_account() -> str:
    """Migrate the portal, make its first Academy account if there is none, and say how to sign in."""
    migrate_portal()
    portal = portal_bootstrap.bootstrap(portal_config.load_settings())
    try:
        return ensure_first_account(portal)
    finally:
        portal.close()
