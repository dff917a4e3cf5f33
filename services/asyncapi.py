"""The event contract for external systems: an AsyncAPI 3 document generated from the event catalogues.

Every topic, every event with its JSON Schema, the CloudEvents headers, and the inbound integration
topic with how a provincial system signs its events. ``python -m services.asyncapi``
writes docs/asyncapi.json and docs/schemas/, and the copy notifications serves (SERVED, inside its
package, so no service imports another's code to answer it); a test keeps the committed files current.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.registry.contracts import CATALOGUE as REGISTRY
from services.registry.contracts import CATALOGUE as REGISTRY_EVENTS
from services.registry.feeds import FOR_PROVINCES
from services.scoring.contracts import CATALOGUE as SCORING
from services.submissions.contracts import CATALOGUE as SUBMISSIONS
from services.submissions.contracts import INBOUND_EVENTS
from services.vocabulary import INTEGRATION_TOPIC, OUTBOUND_PREFIX
from shared.catalogue import Catalogue, EventType
from shared.deadletter import DLQ_SUFFIX
from shared.personal import MARK, TOKEN_PATTERN
from shared.signing import SIGNATURE_HEADER

DOCS = Path(__file__).resolve().parents[1] / "docs"
SERVED = Path(__file__).resolve().parent / "notifications" / "api" / "asyncapi.json"
"""The copy of the document notifications serves at /asyncapi.json."""
PUBLISHED = {"registry": REGISTRY, "submissions": SUBMISSIONS, "scoring": SCORING}
CE_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "Unique event id (UUID); consumers drop repeats by it."},
        "ce_source": {
            "type": "string",
            "description": "The publishing service, or integration/<CODE> inbound.",
        },
        "ce_type": {"type": "string", "description": "The event name, e.g. PlanSubmitted."},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_schemaversion": {
            "type": "string",
            "description": "Version of the data schema; older ones are upcast.",
        },
        "ce_streamversion": {"type": "string", "description": "Position of the event in its stream."},
        "ce_correlationid": {"type": "string"},
        "ce_causationid": {"type": "string"},
        "ce_actor": {"type": "string", "description": "role:subject of who caused it."},
        "content-type": {"type": "string", "const": "application/json"},
    },
}
DLQ_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["dlq_error", "dlq_consumer", "dlq_topic", "dlq_partition", "dlq_offset"],
    "properties": {
        "dlq_error": {"type": "string", "description": "Why the consumer could not apply the record."},
        "dlq_consumer": {"type": "string", "description": "The consumer group that gave up on it."},
        "dlq_topic": {"type": "string", "description": "Where the record was read."},
        "dlq_partition": {"type": "string"},
        "dlq_offset": {"type": "string"},
        "dlq_trimmed": {
            "type": "string",
            "description": "Present when the record was too large to copy: the value is cut and the "
            "original stays at dlq_topic, dlq_partition, dlq_offset.",
        },
        "thidua_redriven": {"type": "string", "description": "On a re-driven record: where it came from."},
    },
}
SIGNING = (
    "Each provincial or ministry system writes its own topic, thidua.integration.inbound.<CODE> (on a "
    "secured broker only its principal integration-<CODE> may). "
    f"Its events must come from source integration/<CODE> and carry a {SIGNATURE_HEADER} header: the hex "
    "HMAC-SHA256, with the key the Academy issued to that code, over the UTF-8 bytes of ce_id, ce_type, "
    "ce_source and the record value joined by newlines (shared/signing.py). Unsigned or forged events are "
    "moved to the topic's .dlq and change nothing, as are confirmations of a school the system does not "
    "answer for. The signatory is sent in clear; submissions records each confirmation as its own event "
    "with the signatory sealed, then deletes the inbound record."
)


SIGNATURE_DESCRIPTION = (
    "Hex HMAC-SHA256 with the key the Academy issued to the sending system, over ce_id, ce_type, "
    "ce_source and the record value joined by newlines (UTF-8)."
)

PROVINCIAL = (
    "Each provincial or ministry system reads its own topic, thidua.integration.outbound.<CODE> (on a "
    "secured broker only its principal integration-<CODE> may, in its group integration-<CODE>): the "
    "registry's events about that system's schools, copied from thidua.registry.events exactly once, "
    "the record unchanged (the same ce_id). Read with isolation.level=read_committed."
)
PERSONAL = (
    "Personal data, sealed: AES-GCM under the data key of the person it is about (the subject id in the "
    "token), which submissions keeps wrapped and destroys to erase them. x-clear gives the rules of the "
    "clear value; 'subject' marks the field that says who the record is about. Services read the clear "
    "value through submissions' POST /personal/open; once erased it reads '[đã xóa]'."
)
PROVINCIAL_EVENTS = Catalogue(*(e for e in REGISTRY_EVENTS if e.name.encode() in FOR_PROVINCES))


def _schema_name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__


def build() -> dict[str, Any]:
    """Return the AsyncAPI 3.0 document of every topic and event."""
    spec = APISpec("thidua", "1", "3.0.3", plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)])
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # apispec warns when one nested schema is reused
        for service, catalogue in PUBLISHED.items():
            topic = catalogue.topics()[0]
            _channel(spec, channels, messages, service, topic, catalogue, f"Events published by {service}.")
            operations[f"consume_{service}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{service}"},
                "summary": f"Consume {topic} (key: stream id; CloudEvents binary mode).",
            }
        inbound = INTEGRATION_TOPIC + ".{code}"
        _channel(spec, channels, messages, "integration", inbound, INBOUND_EVENTS, SIGNING, "Inbound")
        operations["send_integration"] = {
            "action": "send",
            "channel": {"$ref": "#/channels/integration"},
            "summary": "Provincial committee and ministry systems send signed Form 09 confirmations.",
        }
        outbound = OUTBOUND_PREFIX + "{code}"
        _channel(spec, channels, messages, "provinces", outbound, PROVINCIAL_EVENTS, PROVINCIAL)
        operations["consume_provinces"] = {
            "action": "receive",
            "channel": {"$ref": "#/channels/provinces"},
            "summary": "A provincial committee or ministry system reads what concerns its own schools.",
        }
        schemas = json_schema(spec.to_dict()["components"]["schemas"])
    messages["DeadLetter"] = _dead_letter()
    for name in [*PUBLISHED, "integration"]:
        topic = channels[name]["address"] + DLQ_SUFFIX
        channels[f"{name}-dlq"] = {
            "address": topic,
            "description": f"Records of {channels[name]['address']} that a consumer could not apply.",
            "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": "0.5.0"}},
            **_parameters(topic),
        }
        operations[f"inspect_{name}_dead_letters"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{name}-dlq"},
            "summary": "Operators list, re-drive or discard dead letters (thidua dlq ...).",
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Thi đua event contract",
            "version": "1.0.0",
            "description": (
                "Events of the emulation movement of Vietnam's political schools. "
                "Records are CloudEvents 1.0 in Kafka binary content mode: the key is the stream id, "
                "attributes are ce_ headers, the value is the JSON data described here. "
                "Consumers should read tolerantly and drop repeats by ce_id."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {"host": "localhost:9092", "protocol": "kafka", "description": "Apache Kafka 4"}
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _channel(
    spec: APISpec,
    channels: dict[str, Any],
    messages: dict[str, Any],
    name: str,
    topic: str,
    catalogue: Catalogue,
    description: str,
    prefix: str = "",
) -> None:
    """Declare a channel and its messages (``prefix``: names of its own, where a name is used elsewhere)."""
    refs = {}
    for event in catalogue:
        schema_name = f"{prefix}{event.name}V{event.version}"
        if schema_name not in spec.components.schemas:
            spec.components.schema(schema_name, schema=event.schema)
        message_name = f"{prefix}{event.name}"
        messages[message_name] = _message(event, schema_name, signed=bool(prefix))
        refs[message_name] = {"$ref": f"#/components/messages/{message_name}"}
    channels[name] = {
        "address": topic,
        "description": description,
        "messages": refs,
        "bindings": {"kafka": {"topic": topic, "bindingVersion": "0.5.0"}},
        **_parameters(topic),
    }


def _parameters(address: str) -> dict[str, Any]:
    """Declare the {code} in a per-system topic's address."""
    if "{code}" not in address:
        return {}
    return {"parameters": {"code": {"description": "The province's or ministry's code, e.g. HOABINH."}}}


def _dead_letter() -> dict[str, Any]:
    """Return the message of every DLQ: the original record, with headers saying why it failed."""
    return {
        "name": "DeadLetter",
        "title": "Dead letter",
        "summary": "A record a consumer could not apply: its original key, headers and value, plus why.",
        "headers": {**DLQ_HEADERS, "properties": {**CE_HEADERS["properties"], **DLQ_HEADERS["properties"]}},
        "payload": {"description": "The original record's value, as it was (cut when dlq_trimmed is set)."},
    }


def json_schema(node: Any) -> Any:
    """Turn OpenAPI 3.0 schemas into JSON Schema 2020-12: ``nullable`` becomes a union with null, and a
    personal field is described as what travels: its sealed token (the clear value's rules kept aside)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if MARK in node:
        clear = {key: value for key, value in node.items() if key != MARK}
        return {
            "type": "string",
            "pattern": TOKEN_PATTERN,
            MARK: node[MARK],
            "x-clear": clear,
            "description": PERSONAL,
        }
    converted = {key: json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is not True:
        return converted
    if isinstance(converted.get("type"), str):
        converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
        return converted
    return {"anyOf": [converted, {"type": "null"}]}


def _message(event: EventType, schema_name: str, signed: bool = False) -> dict[str, Any]:
    """Return an event's message; an inbound one lists and requires its signature header."""
    headers = CE_HEADERS
    if signed:
        signature = {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": SIGNATURE_DESCRIPTION}
        headers = {
            **CE_HEADERS,
            "required": [*CE_HEADERS["required"], SIGNATURE_HEADER],
            "properties": {**CE_HEADERS["properties"], SIGNATURE_HEADER: signature},
        }
    return {
        "name": event.name,
        "title": event.name,
        "summary": event.description,
        "headers": headers,
        "payload": {"$ref": f"#/components/schemas/{schema_name}"},
        "bindings": {
            "kafka": {"key": {"type": "string", "description": "The stream id."}, "bindingVersion": "0.5.0"}
        },
        "x-schema-version": event.version,
    }


def write(docs: Path = DOCS, served: Path = SERVED) -> None:
    """Write docs/asyncapi.json, the copy notifications serves, and one JSON Schema file per public event."""
    document = build()
    (docs / "schemas").mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    (docs / "asyncapi.json").write_text(text)
    served.write_text(text)
    schemas = document["components"]["schemas"]
    for message in document["components"]["messages"].values():
        if "$ref" not in message["payload"]:
            continue  # a dead letter carries any value
        name = message["payload"]["$ref"].rsplit("/", 1)[1]
        standalone = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": name,
            **schemas[name],
            "$defs": {d: schemas[d] for d in sorted(_referenced(schemas, name))},
        }
        text = json.dumps(standalone, ensure_ascii=False, indent=2).replace(
            "#/components/schemas/", "#/$defs/"
        )
        (docs / "schemas" / f"{name}.json").write_text(text + "\n")


def _referenced(schemas: dict[str, Any], name: str) -> set[str]:
    """Return the names of every schema a schema refers to, directly or not."""
    found: set[str] = set()
    pending = [schemas[name]]
    while pending:
        text = json.dumps(pending.pop())
        for ref in text.split('"#/components/schemas/')[1:]:
            target = ref.split('"', 1)[0]
            if target not in found:
                found.add(target)
                pending.append(schemas[target])
    return found


if __name__ == "__main__":
    write(
        Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS, Path(sys.argv[2]) if len(sys.argv) > 2 else SERVED
    )
