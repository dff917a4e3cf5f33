"""Which notices an event causes: each a key (a notice is written at most once by it), a kind, its
recipients, and the template with the values it is rendered from. The projection gathers the names and
recipients a decision needs from its read model, and writes what these functions return."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.forms import form_title
from services.vocabulary import AWARD_NAMES
from shared.time import day_text, local_text

ACADEMY_INBOX = "academy"


@dataclass(frozen=True)
class Recipients:
    """Where a notice goes: an in-app inbox and e-mail addresses, and how the notice greets them."""

    inbox: str
    emails: tuple[str, ...]
    name: str


ACADEMY = Recipients(ACADEMY_INBOX, (), "Vụ Các trường chính trị")
"""The Academy as a notice names it; its mailbox is configuration, added when the notice is written."""


@dataclass(frozen=True)
class Notice:
    """A notice an event causes: its unique key, kind, recipients, and what it is rendered from."""

    key: str
    kind: str
    to: Recipients
    template: str
    values: Mapping[str, Any]


def receipt(event_id: str, data: Mapping[str, Any], to: Recipients) -> Notice:
    """The receipt of a filing or an amendment, to its filer."""
    filed_at = data.get("filed_at")
    values = {
        "recipient_name": to.name,
        "form": form_title(data["form"]),
        "year": data["year"],
        "filer_name": to.name,
        "filed_at": local_text(datetime.fromisoformat(filed_at)) if filed_at else "",
        "on_time": data.get("on_time"),
        "due": day_text(data.get("due")),
        "submission_id": data["submission_id"],
    }
    return Notice(f"receipt:{event_id}", "receipt", to, "receipt", values)


def reviewed(event_id: str, returned: bool, data: Mapping[str, Any], to: Recipients, reviewer: str) -> Notice:
    """A filing accepted, or returned with its reason, to its filer, naming who reviewed it."""
    kind = "returned" if returned else "accepted"
    values = {
        "recipient_name": to.name,
        "reviewer_name": reviewer,
        "form": form_title(data["form"]),
        "year": data["year"],
        "filer_name": to.name,
        "submission_id": data["submission_id"],
        "reason": data.get("reason", ""),
    }
    return Notice(f"{kind}:{event_id}", kind, to, kind, values)


def extended(event_id: str, data: Mapping[str, Any], to: Recipients, deadline_title: str) -> Notice:
    """A deadline extended for one filer alone, to that filer, with its new day and the reason."""
    values = {
        "recipient_name": to.name,
        "deadline_title": deadline_title,
        "previous_due": day_text(data["previous_due"]),
        "due": day_text(data["due"]),
        "filer_name": to.name,
        "year": data["year"],
        "reason": data["reason"],
    }
    return Notice(f"extended:{event_id}", "extended", to, "extended", values)


def overdue(data: Mapping[str, Any], to: Recipients, deadline_title: str | None) -> Notice:
    """A deadline missed, to the filer who missed it: once a deadline and filer."""
    values = {
        "recipient_name": to.name,
        "deadline_title": deadline_title or data["deadline_code"],
        "due": day_text(data["due"]),
        "filer_name": to.name,
        "year": data["year"],
        "consequence": data.get("consequence", "deduction"),
    }
    key = f"overdue:{data['year']}:{data['deadline_code']}:{data['filer_id']}"
    return Notice(key, "overdue", to, "overdue", values)


def ineligible(data: Mapping[str, Any], school_name: str, school: Recipients) -> list[Notice]:
    """A school declared not eligible, to the school and to the Academy."""
    key = f"ineligible:{data['year']}:{data['school_id']}"
    return [
        Notice(
            key,
            "ineligible",
            to,
            "ineligible",
            {
                "recipient_name": to.name,
                "school_name": school_name,
                "year": data["year"],
                "reason": data["reason"],
            },
        )
        for to in (school, ACADEMY)
    ]


def results(
    data: Mapping[str, Any], table: Sequence[Mapping[str, Any]], cluster: Recipients, cluster_name: str
) -> list[Notice]:
    """A cluster's scores and ranking, named by the cluster, to its head and to the Academy: once a revision
    (the projection mails only a revision whose table differs from the last one mailed)."""
    key = f"results:{data['year']}:{data['cluster_id']}:{data['revision']}"
    values = {
        "year": data["year"],
        "revision": data["revision"],
        "table": table,
        "cluster_name": cluster_name,
    }
    return [
        Notice(key, "results", to, "results", {"recipient_name": to.name, **values})
        for to in (cluster, ACADEMY)
    ]


def results_digest(table: Sequence[Mapping[str, Any]]) -> str:
    """Return a digest of what a results mail says: each school's rank, final score and eligibility."""
    said = [(r["school_id"], r.get("rank"), r.get("final"), r.get("eligible")) for r in table]
    return hashlib.sha256(json.dumps(said, sort_keys=True).encode()).hexdigest()


def awards(
    data: Mapping[str, Any],
    school_names: Mapping[str, str],
    schools: Mapping[str, Recipients],
    clusters: Mapping[str, Recipients],
) -> list[Notice]:
    """An award decision: each proposed school its verdict, each cluster head the verdicts of its cluster."""
    year, signed_on = data["year"], day_text(data["signed_on"])
    verdicts = [
        {
            **v,
            "school_name": school_names[v["school_id"]],
            "award_name": AWARD_NAMES.get(v["award"], v["award"]),
        }
        for v in data["verdicts"]
    ]
    common = {"year": year, "number": data["number"], "signed_on": signed_on}
    caused = []
    for v in verdicts:
        to = schools[v["school_id"]]
        key = f"award:{year}:{v['school_id']}:{v['award']}"
        caused.append(Notice(key, "award", to, "award", {"recipient_name": to.name, **common, **v}))
    supplementary = data.get("kind") == "supplementary"
    for cluster_id in sorted({v["cluster_id"] for v in verdicts}):
        to = clusters[cluster_id]
        mine = [v for v in verdicts if v["cluster_id"] == cluster_id]
        values = {"recipient_name": to.name, **common, "verdicts": mine, "supplementary": supplementary}
        key = f"awards:{year}:{cluster_id}" + (f":{data['decision_id']}" if supplementary else "")
        caused.append(Notice(key, "awards", to, "cluster_awards", values))
    return caused


def revoked(
    data: Mapping[str, Any], school_name: str, school: Recipients, cluster: Recipients
) -> list[Notice]:
    """A revoked award: the school and its cluster head are told why and on what legal ground."""
    values = {
        "year": data["year"],
        "school_name": school_name,
        "award_name": AWARD_NAMES.get(data["award"], data["award"]),
        "reason": data["reason"],
        "legal_basis": data["legal_basis"],
    }
    key = f"revoked:{data['year']}:{data['school_id']}:{data['award']}"
    return [
        Notice(key, "revoked", school, "revoked", {"recipient_name": school.name, **values}),
        Notice(f"{key}:cluster", "revoked", cluster, "revoked", {"recipient_name": cluster.name, **values}),
    ]


PARTICULARS = {
    "number": "số",
    "signed_on": "ngày ký",
    "signer_name": "người ký",
    "signer_title": "chức vụ người ký",
}


def corrected(
    data: Mapping[str, Any], schools: Mapping[str, Recipients], clusters: Mapping[str, Recipients]
) -> list[Notice]:
    """A corrected decision: the schools it ruled on and their cluster heads learn what changed, and why."""
    changes = [
        {
            "name": PARTICULARS.get(k, k),
            "before": day_text(data["before"].get(k)) if k == "signed_on" else data["before"].get(k, ""),
            "after": day_text(v) if k == "signed_on" else v,
        }
        for k, v in data["after"].items()
    ]
    values = {"year": data["year"], "number": data["before"].get("number") or data["after"].get("number", "")}
    values |= {"changes": changes, "reason": data["reason"]}
    key = f"corrected:{data['decision_id']}:{data.get('paper_sha256', '')[:16]}"
    to = [
        *[(f"{key}:{s}", r) for s, r in sorted(schools.items())],
        *[(f"{key}:{c}", r) for c, r in sorted(clusters.items())],
    ]
    return [Notice(k, "corrected", r, "corrected", {"recipient_name": r.name, **values}) for k, r in to]
