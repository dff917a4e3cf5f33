"""Checks of a filing's content against the year's data: templates, members, and the school's kind."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.forms import DOSSIER_FORM, INSPECTION_FORM, OFFICERS_FORM, Form
from services.sources import cited
from shared.errors import RuleBroken


def check_form_for_kind(spec: Form, school_kind: str) -> None:
    """Refuse a score sheet of the other kind of school (5.1 provincial, 5.2 ministry)."""
    if spec.school_kind is not None and spec.school_kind != school_kind:
        raise RuleBroken(
            f"form {spec.code} is for {spec.school_kind} schools; this school is {school_kind}",
            {"form": spec.code, "school_kind": school_kind},
            "wrong_form_for_school_kind",
        )


def template_for(campaign: Mapping[str, Any], school_kind: str) -> Mapping[str, Any]:
    """Return the year's score-sheet template for a kind of school."""
    for sheet in campaign["score_sheets"]:
        if sheet["school_kind"] == school_kind:
            return dict(sheet)
    raise RuleBroken(
        f"the campaign has no score sheet for {school_kind} schools",
        cited(campaign, "score_sheets"),
        "no_template",
    )


def check_scores(
    template: Mapping[str, Any],
    scores: Sequence[Mapping[str, Any]],
    bonus: bool = False,
    rule: Mapping[str, Any] | None = None,
) -> None:
    """Refuse an unknown criterion, a repeated one, or points above the criterion's maximum; ``rule``
    (the score sheets' rule and source) goes with each refusal."""
    grounds = dict(rule or {})
    if bonus:
        maxima = {item["code"]: item["max_points"] for item in template.get("bonus", [])}
    else:
        maxima = {item["code"]: item["max_points"] for group in template["groups"] for item in group["items"]}
    seen: set[str] = set()
    for score in scores:
        criterion = score["criterion"]
        if criterion not in maxima:
            raise RuleBroken(
                f"unknown criterion {criterion}", {"criterion": criterion, **grounds}, "unknown_criterion"
            )
        if criterion in seen:
            raise RuleBroken(
                f"criterion {criterion} is scored twice",
                {"criterion": criterion, **grounds},
                "criterion_twice",
            )
        seen.add(criterion)
        if score["points"] > maxima[criterion]:
            raise RuleBroken(
                f"{score['points']:g} points exceed the maximum {maxima[criterion]:g} of {criterion}",
                {
                    "criterion": criterion,
                    "points": score["points"],
                    "max_points": maxima[criterion],
                    **grounds,
                },
                "score_above_maximum",
            )


def check_members(school_ids: Iterable[str], members: Sequence[str], what: str) -> None:
    """Refuse schools that are not members of the cluster that year."""
    outsiders = sorted({s for s in school_ids if s not in members})
    if outsiders:
        raise RuleBroken(
            f"{what} must be members of the cluster that year", {"school_ids": outsiders}, "not_a_member"
        )


def schools_named(form: str, payload: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Return the school ids a payload names, grouped with what names them, for the membership check."""
    if form == OFFICERS_FORM:
        return [("the officers' schools", [o["school_id"] for o in payload["officers"]])]
    if form == INSPECTION_FORM:
        return [
            (
                "inspected and inspecting schools",
                [payload["inspected_school_id"], *payload["inspecting_school_ids"]],
            )
        ]
    if form == DOSSIER_FORM:
        nominated = [payload["nomination"]["head_school_id"], *payload["nomination"]["deputy_school_ids"]]
        voted = [b["school_id"] for b in payload["ballots"]] + [
            p["school_id"] for p in payload["proposals_08"]
        ]
        return [("nominated and proposed schools", nominated + voted)]
    return []
