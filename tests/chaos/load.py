"""A bounded write load through two replicas of the registry and submissions APIs, every answer kept."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.submissions.conftest import plan, scores


@dataclass
class Answers:
    """What the APIs answered: accepted writes per stream, server errors, connection failures."""

    accepted: Counter[str] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    connection_failures: int = 0
    unavailable: int = 0
    """Answered 503 (a database or the bus out for a while): refused, nothing recorded, to be retried."""
    writes: int = 0


class Load:
    """Registers schools and files and amends score sheets, spreading requests over the API replicas."""

    def __init__(self, registry: list[str], submissions: list[str], headers: dict[str, str], pause: float):
        self.registry = registry
        self.submissions = submissions
        self.headers = headers
        self.pause = pause
        self.answers = Answers()
        self.done = threading.Event()
        self._turn = 0

    def run(self, schools: list[str], new_schools: int, amendment_rounds: int) -> None:
        """File Form 01 and Form 5.1 for each school, register new ones between, then amend the sheets."""
        try:
            sheets: list[str] = []
            for n, school in enumerate(schools):
                self._write("POST", self.submissions, "/filings", filing(school, "01", plan()), "submission")
                sheet = self._write(
                    "POST", self.submissions, "/filings", filing(school, "5.1", scores()), "submission"
                )
                if sheet:
                    sheets.append(sheet)
                if n < new_schools:
                    self._write("POST", self.registry, "/schools", new_school(n), "school")
            for round_ in range(amendment_rounds):
                for n, sheet in enumerate(sheets):
                    body = {"payload": scores(**{"CHU_DONG.1": 3 + (n + round_) % 5})}
                    self._write("PUT", self.submissions, f"/filings/{sheet}", body, "submission", sheet)
        finally:
            self.done.set()

    def _write(
        self, method: str, bases: list[str], path: str, body: dict[str, Any], kind: str, subject: str = ""
    ) -> str | None:
        """Send one write to the next replica; record the answer; return the new subject's id if accepted."""
        self._turn += 1
        self.answers.writes += 1
        base = bases[self._turn % len(bases)]
        try:
            response = requests.request(method, base + path, json=body, headers=self.headers, timeout=20)
        except requests.RequestException:
            self.answers.connection_failures += 1  # the replica was dead: the outcome is unknown
            self.done.wait(self.pause)
            return None
        self.done.wait(self.pause)
        if response.status_code == 503 and response.headers.get("Retry-After"):
            self.answers.unavailable += 1
            return None
        if response.status_code >= 500:
            self.answers.server_errors.append(
                f"{method} {path}: {response.status_code} {response.text[:200]}"
            )
            return None
        if response.status_code >= 300:
            self.answers.refused.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            return None
        subject = subject or response.json()[f"{kind}_id"]
        stream = f"{kind}-{subject}"
        self.answers.accepted[stream] += 1
        return subject


def filing(school: str, form: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Return the body of a filing by the Academy on behalf of a school."""
    return {"year": 2023, "form": form, "school_id": school, "payload": payload}


def new_school(n: int) -> dict[str, Any]:
    """Return the body of a school registration."""
    return {
        "code": f"CHAOS{n:03d}",
        "name": f"Trường Chính trị thử nghiệm số {n}",
        "kind": "provincial",
        "province": f"Tỉnh thử nghiệm {n}",
        "valid_from": "2023-01-01",
    }
