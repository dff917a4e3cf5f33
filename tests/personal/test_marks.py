"""Every field that looks like a person's name, e-mail or phone is marked personal in the published schemas,
or is listed here with the reason it is not a person's."""

from __future__ import annotations

import json
import re
from typing import Any

from services.asyncapi import DOCS, build
from shared.personal import MARK, TOKEN_PATTERN

PERSON_LIKE = re.compile(
    r"(^|_)(name|names|email|e_mail|mail|phone|telephone|signatory|signer|person|officer)s?($|_)"
)
NOT_A_PERSON = {
    ("AwardsDecidedV1", "signer_name"): "the Director who signs a public decision, kept by law with it",
    ("AwardsDecidedV1", "signer_title"): "the signer's office, not a person",
    ("AwardDecisionDraftSavedV1", "signer_name"): "the Director who will sign the public decision",
    ("AwardDecisionDraftSavedV1", "signer_title"): "the signer's office, not a person",
    ("CorrectedParticularsV1", "signer_name"): "the Director who signs a public decision, as corrected",
    ("CorrectedParticularsV1", "signer_title"): "the signer's office, not a person",
    ("AwardGrantedV1", "school_name"): "a school's name the day it was awarded",
    ("AwardVerdictV1", "school_name"): "a school's name the day of the decision",
    ("AwardVerdictV1", "cluster_name"): "a cluster's name",
    ("BandV1", "name"): "a rating band's name",
    ("ClusterFormedV1", "name"): "a cluster's name",
    ("ContentAreaV1", "name"): "a content area of the campaign",
    ("CriteriaGroupV1", "name"): "a group of criteria",
    ("DocumentRef", "name"): "an attachment's file name",
    ("InboundAchievementReportConfirmedV1", "signatory"): (
        "a person, sent in clear by the province on its own inbound mailbox, which keeps nothing it has "
        "delivered: submissions records it sealed in its own event and deletes the inbound record"
    ),
    ("OfficersPayload", "officers"): "the list; each officer's own fields are marked",
    ("SchoolRegisteredV1", "email"): "a school's institutional mailbox",
    ("SchoolRegisteredV1", "name"): "a school's name",
    ("SchoolRegisteredV1", "phone"): "a school's switchboard",
    ("SchoolUpdatedV1", "email"): "a school's institutional mailbox",
    ("SchoolUpdatedV1", "name"): "a school's name",
    ("SchoolUpdatedV1", "phone"): "a school's switchboard",
    ("ScoreItemV1", "name"): "a score sheet's item",
}


def unmarked(schema: Any, owner: str, found: set[tuple[str, str]]) -> None:
    """Collect (schema, field) of every person-like property without the personal mark."""
    if isinstance(schema, list):
        for item in schema:
            unmarked(item, owner, found)
        return
    if not isinstance(schema, dict):
        return
    for name, prop in (schema.get("properties") or {}).items():
        if PERSON_LIKE.search(name) and not (isinstance(prop, dict) and MARK in prop):
            found.add((owner, name))
    for key, value in schema.items():
        if key == "$defs" and isinstance(value, dict):
            for defined, body in value.items():
                unmarked(body, defined, found)
        elif key != "properties":
            unmarked(value, owner, found)
        else:
            for prop in value.values():
                unmarked(prop, owner, found)


def published_schemas() -> dict[str, Any]:
    return {path.stem: json.loads(path.read_text()) for path in sorted((DOCS / "schemas").glob("*.json"))}


def test_every_field_named_like_a_persons_data_is_marked_or_explained() -> None:
    found: set[tuple[str, str]] = set()
    for name, schema in published_schemas().items():
        unmarked(schema, name, found)
    assert found - set(NOT_A_PERSON) == set(), "mark these personal (shared.personal) or explain them"
    assert set(NOT_A_PERSON) - found == set(), "these are marked now, or gone: drop them from the list"


def test_the_checker_finds_an_unmarked_person() -> None:
    schema = {"properties": {"officer_phone": {"type": "string"}, "email": {"type": "string", MARK: True}}}
    found: set[tuple[str, str]] = set()
    unmarked(schema, "Probe", found)
    assert found == {("Probe", "officer_phone")}


def test_a_personal_field_is_published_as_its_sealed_token_with_its_clear_rules_aside() -> None:
    officer = published_schemas()["OfficersListedV1"]["$defs"]["Officer"]["properties"]
    assert officer["email"][MARK] == "subject"
    assert {officer[f][MARK] for f in ("name", "position", "phone")} == {True}
    assert officer["email"]["pattern"] == TOKEN_PATTERN
    assert officer["email"]["x-clear"]["format"] == "email"
    assert officer["school_id"].get(MARK) is None
    document = build()
    signatory = document["components"]["schemas"]["AchievementReportConfirmedV1"]["properties"]["signatory"]
    assert signatory[MARK] == "subject"
