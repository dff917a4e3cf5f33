"""The submissions background process: relay, registry view, inbound confirmations, deadline watcher."""

from __future__ import annotations

from services.submissions.app.keys import export_keys
from services.submissions.app.watcher import run_watcher
from services.submissions.bootstrap import bootstrap, consumers
from services.submissions.config import load_settings
from services.submissions.contracts import TOPIC
from services.submissions.policies.inbound import forget_recorded
from services.submissions.service import Submissions
from shared.process import Loop, serve
from shared.service import from_environment


def loops(service: Submissions) -> dict[str, Loop]:
    """Return the worker's loops by name: the relay and the watcher under leases, the consumers in groups."""
    keys, interval = service.config.integration_keys, service.config.watch_interval
    return {
        "relay": service.relay_loop(TOPIC),
        **consumers(service),
        "deadline-watcher": service.singleton("deadline-watcher", lambda stop: run_watcher(service, stop)),
        "personal-keys-export": service.singleton(
            "personal-keys-export", lambda stop: export_keys(service, stop)
        ),
        **(
            {
                "inbound-mailbox": service.singleton(
                    "inbound-mailbox", lambda stop: forget_recorded(service, keys, stop, interval)
                )
            }
            if keys
            else {}
        ),
    }


def main() -> None:
    """Run the worker until SIGTERM or SIGINT."""
    serve("submissions-worker", from_environment(load_settings, bootstrap), loops)
