"""The AsyncAPI 3 contract is generated from the catalogues, served, and committed under docs/ up to date."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from services import asyncapi as contract
from services.notifications.bootstrap import bootstrap, migrate
from services.notifications.wsgi import create_app
from tests.factories import notifications_settings


def test_every_published_and_inbound_event_is_in_the_document() -> None:
    document = contract.build()
    assert document["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in document["channels"].values()}
    topics = {
        "thidua.registry.events",
        "thidua.submissions.events",
        "thidua.scoring.events",
        "thidua.integration.inbound.{code}",
    }
    provinces = "thidua.integration.outbound.{code}"  # read by the provinces: no consumer of ours, no DLQ
    assert addresses == topics | {f"{t}.dlq" for t in topics} | {provinces}, "each topic and its dead letters"
    assert sorted(document["channels"]["provinces"]["messages"]) == [
        "AwardDecisionCorrected",
        "AwardGranted",
        "AwardRevoked",
    ]
    dead_letter = document["components"]["messages"]["DeadLetter"]
    assert {"dlq_error", "dlq_topic", "dlq_partition", "dlq_offset"} <= set(
        dead_letter["headers"]["required"]
    )
    messages = document["components"]["messages"]
    for name in (
        "SchoolsMerged",
        "PlanSubmitted",
        "DeadlineMissed",
        "ScoresComputed",
        "AchievementReportConfirmed",
    ):
        payload = messages[name]["payload"]["$ref"].rsplit("/", 1)[1]
        assert document["components"]["schemas"][payload]["type"] == "object"
    assert "thidua_signature" in document["channels"]["integration"]["description"]
    required = document["components"]["schemas"]["DeadlineMissedV1"]["required"]
    assert {"year", "deadline_code", "filer_id", "due"} <= set(required)


def test_the_committed_contract_is_current(tmp_path: Path) -> None:
    contract.write(tmp_path, tmp_path / "served.json")
    docs = Path(contract.DOCS)
    assert json.loads((docs / "asyncapi.json").read_text()) == json.loads(
        (tmp_path / "asyncapi.json").read_text()
    ), "docs/asyncapi.json is stale: run python -m services.asyncapi"
    assert contract.SERVED.read_text() == (tmp_path / "served.json").read_text(), (
        "the copy notifications serves is stale: run python -m services.asyncapi"
    )
    committed = sorted(p.name for p in (docs / "schemas").iterdir())
    assert committed == sorted(p.name for p in (tmp_path / "schemas").iterdir())
    schema = json.loads((docs / "schemas" / "ScoreSheetSubmittedV1.json").read_text())
    assert schema["$defs"]["ScoreSheetPayload"]["properties"]["scores"]["items"]["$ref"] == "#/$defs/Score"


def test_the_contract_is_served(tmp_path: Path) -> None:
    settings = notifications_settings(tmp_path)
    migrate(settings)
    service = bootstrap(settings)
    served = create_app(service).test_client().get("/asyncapi.json")
    assert served.status_code == 200
    assert served.get_json()["info"]["title"] == "Thi đua event contract"
    service.close()


def test_the_published_schemas_are_json_schema_2020_12_with_null_as_a_type() -> None:
    for path in (Path(contract.DOCS) / "schemas").glob("*.json"):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        assert "nullable" not in path.read_text(), f"{path.name}: OpenAPI's nullable means nothing in 2020-12"
    school = json.loads((Path(contract.DOCS) / "schemas" / "SchoolRegisteredV1.json").read_text())
    registered = {
        "school_id": "sch_hoabinh",
        "code": "HOABINH",
        "name": "Trường Chính trị tỉnh Hòa Bình",
        "kind": "provincial",
        "province": "Hòa Bình",
        "valid_from": "2021-01-01",
        "email": None,
        "phone": None,
    }
    assert Draft202012Validator(school).is_valid(registered), "a school without e-mail or phone is valid"
    assert not Draft202012Validator(school).is_valid({**registered, "code": "   "})


def test_what_a_province_sends_is_valid_against_the_inbound_message_it_is_published_with() -> None:
    from shared.envelope import Envelope
    from shared.signing import SIGNATURE_HEADER, signature

    document = json.loads((Path(contract.DOCS) / "asyncapi.json").read_text())
    [reference] = document["channels"]["integration"]["messages"].values()
    message = document["components"]["messages"][reference["$ref"].rsplit("/", 1)[1]]
    payload = json.loads(
        (Path(contract.DOCS) / "schemas" / "InboundAchievementReportConfirmedV1.json").read_text()
    )
    data = {
        "year": 2023,
        "school_id": "sch_hoabinh",
        "copy": 1,
        "confirmed_by": "HOABINH",
        "confirmed_on": "2023-11-25",
        "signatory": "Phó Bí thư Thường trực Tỉnh ủy",  # in clear, as the README tells provinces
    }
    envelope = Envelope("AchievementReportConfirmed", "integration/HOABINH", "confirmation-sch_hoabinh", data)
    _key, headers, value = envelope.to_record()
    signed = [
        *headers,
        (SIGNATURE_HEADER, signature(b"k", envelope.id, envelope.type, envelope.source, value).encode()),
    ]
    assert list(Draft202012Validator(payload).iter_errors(json.loads(value))) == []
    as_read = {name: raw.decode() for name, raw in signed}
    assert list(Draft202012Validator(message["headers"]).iter_errors(as_read)) == []
    unsigned = {name: raw.decode() for name, raw in headers}
    assert not Draft202012Validator(message["headers"]).is_valid(unsigned), "the signature is required"
    assert "deletes the inbound record" in document["channels"]["integration"]["description"]
