"""Where each rule of a year's campaign comes from, so that whatever applies a rule can name it.

A campaign's ``sources`` maps a rule's place in the campaign's content (``deadlines.PLAN``,
``award_rules.national_quotas``, ``targets``) to the document and article it comes from, and the day
from which it applies when a change of law dates it. A refusal carries ``rule`` and ``source``; the portal
says them in Vietnamese ("Căn cứ: …").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RULE_GROUPS = ("deductions", "award_rules", "review", "retention")
"""Parts of a campaign whose every key is a rule of its own (``deductions.late_per_filing``)."""
WHOLE_RULES = ("targets", "score_sheets")
"""Parts of a campaign that are one rule each."""


def rule_keys(campaign: Mapping[str, Any]) -> list[str]:
    """Return the place of every rule in a campaign's content: each deadline, each rule of a group."""
    keys = [f"deadlines.{d['code']}" for d in campaign.get("deadlines", [])]
    for group in RULE_GROUPS:
        keys += [f"{group}.{name}" for name in sorted(campaign.get(group) or {})]
    return keys + [part for part in WHOLE_RULES if part in campaign]


def source_of(campaign: Mapping[str, Any], rule: str) -> dict[str, Any] | None:
    """Return the source of a rule, or None when the campaign does not say where it comes from."""
    found = (campaign.get("sources") or {}).get(rule)
    return dict(found) if found else None


def cited(campaign: Mapping[str, Any], rule: str) -> dict[str, Any]:
    """Return what a refusal says of the rule it applies: its name, and its source if the campaign has it."""
    source = source_of(campaign, rule)
    return {"rule": rule, **({"source": source} if source else {})}
