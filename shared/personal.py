"""Personal data that can be forgotten: each person's fields sealed with a key of their own.

A field declared personal (``PersonalString``, ``PersonalEmail``: ``x-personal`` in the published
schemas) is encrypted before its event is stored, with AES-GCM under the data key of its *subject*:
the person the record is about, known by a random subject id, never by the e-mail. The stored form of
the value is a token, ``pii:v1:<subject id>:<nonce and ciphertext>``; that is what the event store, the
topics, the audit trail, the dead letters and every copy hold. Data keys live in the owning service's
key table, wrapped by the master key (``THIDUA_PERSONAL_KEY``), so a copy of the database alone reveals
nothing and rotating the master key rewraps the keys without touching an event.

Erasing a subject destroys its key: every token of that subject, wherever it was copied, reads from then
on as ``[đã xóa]``. The ciphertext is what was stored and hashed, so the audit chain still verifies and a
rebuild gives the erased form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.catalogue import InvalidEventData
from shared.db import JSONType, UTCDateTime

PREFIX = "pii:v1:"
ERASED = "[đã xóa]"
"""What an erased field reads as, on every page, export and paper."""
TOKEN = re.compile(r"pii:v1:(subj_[0-9a-f]{32}):([A-Za-z0-9_-]{38,})")
TOKEN_PATTERN = "^" + TOKEN.pattern + "$"
"""A sealed value, as the published schemas describe it."""
MARK = "x-personal"
SUBJECT = "subject"
"""The mark of the field that says who the record is about (an officer's e-mail, a signatory's name)."""


def is_sealed(value: object) -> bool:
    """Return whether a value is a sealed token."""
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None


def subject_of(value: str) -> str | None:
    """Return the subject id of a sealed token (None when the value is not one)."""
    match = TOKEN.fullmatch(value)
    return match.group(1) if match else None


class PersonalString(ma.fields.String):
    """A personal text: checked as declared when clear; its sealed token or the erased mark passes."""

    def __init__(self, *, subject: bool = False, **kwargs: Any):
        metadata = {**kwargs.pop("metadata", {}), MARK: SUBJECT if subject else True}
        super().__init__(metadata=metadata, **kwargs)

    def _validate(self, value: Any) -> None:
        if is_sealed(value) or value == ERASED:
            return
        super()._validate(value)


class PersonalEmail(PersonalString, ma.fields.Email):
    """A personal e-mail address: checked as one when clear."""


def personal_fields(schema: ma.Schema) -> tuple[str | None, tuple[str, ...]]:
    """Return a record schema's subject field and its personal fields (data keys)."""
    marked = [(f.data_key or n, f.metadata[MARK]) for n, f in schema.fields.items() if f.metadata.get(MARK)]
    subject = next((name for name, mark in marked if mark == SUBJECT), None)
    if marked and subject is None:
        raise TypeError(f"{type(schema).__name__} has personal fields but no subject field")
    return subject, tuple(name for name, _ in marked)


@dataclass(frozen=True)
class Plan:
    """Where a schema's personal records are: its own fields, and its nested records by key."""

    kind: str
    subject: str | None
    fields: tuple[str, ...]
    nested: tuple[tuple[str, bool, Plan], ...]
    """(key, many, plan) of each nested record that holds personal data."""


@cache
def plan_of(schema_class: type[ma.Schema]) -> Plan | None:
    """Return where a schema holds personal data, or None when it holds none (the common case)."""
    schema = schema_class()
    subject, own = personal_fields(schema)
    nested = []
    for name, field in schema.fields.items():
        inner = field.inner if isinstance(field, ma.fields.List) else field
        if isinstance(inner, ma.fields.Nested) and isinstance(inner.nested, type):
            child = plan_of(inner.nested)
            if child is not None:
                many = isinstance(field, ma.fields.List) or bool(inner.many)
                nested.append((field.data_key or name, many, child))
    if not own and not nested:
        return None
    return Plan(schema_class.__name__, subject, own, tuple(nested))


Record = dict[str, Any]


def transform(plan: Plan, data: Mapping[str, Any], change: Callable[[Plan, Record], Record]) -> Record:
    """Return the data with every personal record passed through ``change`` (innermost first)."""
    out = dict(data)
    for key, many, child in plan.nested:
        value = out.get(key)
        if many and isinstance(value, list):
            out[key] = [transform(child, v, change) if isinstance(v, Mapping) else v for v in value]
        elif isinstance(value, Mapping):
            out[key] = transform(child, value, change)
    return change(plan, out) if plan.fields else out


def tokens_in(value: Any) -> Iterable[str]:
    """Yield every sealed token anywhere in a JSON value."""
    if isinstance(value, str):
        if value.startswith(PREFIX) and is_sealed(value):
            yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from tokens_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from tokens_in(item)


def replaced(value: Any, clear: Mapping[str, str]) -> Any:
    """Return a JSON value with each token replaced by its clear text (or the erased mark)."""
    if isinstance(value, str):
        return clear.get(value, value)
    if isinstance(value, Mapping):
        return {k: replaced(v, clear) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [replaced(v, clear) for v in value]
    return value


def normalised(value: str) -> str:
    """Return the form a subject's identifying value is compared in (NFC, trimmed, case-folded)."""
    return unicodedata.normalize("NFC", value).strip().casefold()


def personal_key_table(metadata: sa.MetaData) -> sa.Table:
    """Declare the key table of a service that owns personal data: one row per subject."""
    return sa.Table(
        "personal_keys",
        metadata,
        sa.Column("subject_id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("lookup", sa.String(64), unique=True),  # keyed hash of who it is; emptied on erasure
        sa.Column("wrapped_key", sa.LargeBinary),
        sa.Column("wrapped_by", sa.String(16)),
        sa.Column("profile", sa.Text),  # the latest personal fields, sealed under the subject's own key
        sa.Column("context", JSONType, nullable=False),  # the identifying field, where seen: nothing personal
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("erased_at", UTCDateTime),
        sa.Column("erasure_reason", sa.Text),
    )


class MasterKeys:
    """The master key that wraps data keys, and the earlier ones still accepted while rotating."""

    def __init__(self, materials: Sequence[str]):
        if not materials or not materials[0]:
            raise ValueError("a master key is needed to keep personal data")
        self._keys = {_key_id(m): _derive(m, b"thidua personal data keys") for m in materials if m}
        self._backup_keys = {_key_id(m): _derive(m, b"thidua personal key backup") for m in materials if m}
        self.current = _key_id(materials[0])
        self.lookup_key = _derive(materials[0], b"thidua personal lookup")

    def wrap(self, subject_id: str, data_key: bytes) -> bytes:
        """Return a data key sealed under the current master key."""
        nonce = os.urandom(12)
        return nonce + AESGCM(self._keys[self.current]).encrypt(nonce, data_key, subject_id.encode())

    def backup_key(self, key_id: str) -> bytes:
        """Return the key an export of the key table is sealed with (KeyError: that master key is gone)."""
        return self._backup_keys[key_id]

    def unwrap(self, subject_id: str, wrapped: bytes, wrapped_by: str) -> bytes:
        """Return a data key from its wrapped form; KeyError when its master key is not configured."""
        key = self._keys[wrapped_by]
        return AESGCM(key).decrypt(wrapped[:12], wrapped[12:], subject_id.encode())

    def lookup(self, kind: str, value: str) -> str:
        """Return the keyed hash a subject is found again by."""
        message = f"{kind}\x00{normalised(value)}".encode()
        return hmac.new(self.lookup_key, message, hashlib.sha256).hexdigest()


def _derive(material: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material.encode())


def _key_id(material: str) -> str:
    return hashlib.sha256(_derive(material, b"thidua personal key id")).hexdigest()[:16]


def seal(data_key: bytes, subject_id: str, clear: str) -> str:
    """Return the token of one clear value under its subject's key."""
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(data_key).encrypt(nonce, clear.encode(), subject_id.encode())
    return f"{PREFIX}{subject_id}:{base64.urlsafe_b64encode(sealed).rstrip(b'=').decode()}"


def _open(data_key: bytes, token: str) -> str:
    match = TOKEN.fullmatch(token)
    assert match is not None
    subject_id, body = match.groups()
    sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return AESGCM(data_key).decrypt(sealed[:12], sealed[12:], subject_id.encode()).decode()


class KeyRing:
    """The data keys of one service's subjects: made on first sight, used to seal and open, destroyed."""

    def __init__(self, table: sa.Table, master: MasterKeys):
        self.table = table
        self.master = master

    def seal_event(
        self, conn: sa.Connection, plan: Plan, data: Mapping[str, Any], now: datetime
    ) -> dict[str, Any]:
        """Return event data with each personal record's fields sealed under its subject's key.

        Raises InvalidEventData when a clear value already looks sealed (a token handed in from outside).
        """
        context = {k: data[k] for k in ("year", "school_id") if isinstance(data.get(k), int | str)}

        def seal_record(record_plan: Plan, record: Record) -> Record:
            values = {f: record[f] for f in record_plan.fields if isinstance(record.get(f), str)}
            refused = [f for f, v in values.items() if is_sealed(v) or v == ERASED]
            if refused:
                raise InvalidEventData(record_plan.kind, {f: ["must be the clear value"] for f in refused})
            identity = values.get(record_plan.subject or "")
            if not identity:
                return record
            where = {**context, **{k: record[k] for k in ("school_id",) if isinstance(record.get(k), str)}}
            subject_id, key = self._subject(conn, record_plan, identity, values, where, now)
            return {**record, **{f: seal(key, subject_id, v) for f, v in values.items()}}

        return transform(plan, data, seal_record)

    def _subject(
        self,
        conn: sa.Connection,
        plan: Plan,
        identity: str,
        values: Mapping[str, str],
        where: Mapping[str, Any],
        now: datetime,
    ) -> tuple[str, bytes]:
        """Return the subject of an identifying value and its data key, making both on first sight."""
        kind = plan.kind
        lookup = self.master.lookup(kind, identity)
        row = conn.execute(self.table.select().where(self.table.c.lookup == lookup)).mappings().first()
        if row is None:
            subject_id, key = f"subj_{uuid.uuid4().hex}", AESGCM.generate_key(bit_length=256)
            contexts: list[dict[str, Any]] = [dict(where)]
            conn.execute(
                self.table.insert().values(
                    subject_id=subject_id,
                    kind=kind,
                    lookup=lookup,
                    wrapped_key=self.master.wrap(subject_id, key),
                    wrapped_by=self.master.current,
                    profile=seal(key, subject_id, json.dumps(dict(values), ensure_ascii=False)),
                    context={"identity": plan.subject, "seen": contexts},
                    created_at=now,
                )
            )
            return subject_id, key
        subject_id = row["subject_id"]
        key = self.master.unwrap(subject_id, row["wrapped_key"], row["wrapped_by"])
        seen = list(row["context"].get("seen", []))
        if dict(where) not in seen:
            seen.append(dict(where))
        conn.execute(
            self.table.update()
            .where(self.table.c.subject_id == subject_id)
            .values(
                profile=seal(key, subject_id, json.dumps(dict(values), ensure_ascii=False)),
                context={"identity": plan.subject, "seen": seen},
            )
        )
        return subject_id, key

    def keys(self, conn: sa.Connection, subject_ids: Iterable[str]) -> dict[str, bytes]:
        """Return the data keys of those subjects that still have one (erased subjects are absent)."""
        wanted = set(subject_ids)
        if not wanted:
            return {}
        rows = conn.execute(
            sa.select(self.table.c.subject_id, self.table.c.wrapped_key, self.table.c.wrapped_by).where(
                self.table.c.subject_id.in_(wanted) & self.table.c.wrapped_key.is_not(None)
            )
        )
        return {s: self.master.unwrap(s, wrapped, by) for s, wrapped, by in rows}

    def open_tokens(self, conn: sa.Connection, tokens: Iterable[str]) -> dict[str, str]:
        """Return the clear text of each token; an erased subject's tokens read as ``[đã xóa]``."""
        wanted = set(tokens)
        keys = self.keys(conn, {subject_of(t) or "" for t in wanted})
        clear = {}
        for token in wanted:
            key = keys.get(subject_of(token) or "")
            try:
                clear[token] = ERASED if key is None else _open(key, token)
            except InvalidTag:
                clear[token] = ERASED
        return clear

    def opened(self, conn: sa.Connection, value: Any) -> Any:
        """Return a JSON value (a filing, a list of them) with every token opened."""
        tokens = set(tokens_in(value))
        return replaced(value, self.open_tokens(conn, tokens)) if tokens else value

    def profile(self, conn: sa.Connection, subject_id: str) -> dict[str, Any] | None:
        """Return one subject as the Academy sees it: kind, fields (erased ones marked), where, when."""
        row = (
            conn.execute(self.table.select().where(self.table.c.subject_id == subject_id)).mappings().first()
        )
        return None if row is None else self._shown(row)

    def subjects(self, conn: sa.Connection, find: str = "") -> list[dict[str, Any]]:
        """Return every subject (newest first), those matching ``find`` in a clear field when given."""
        rows = conn.execute(self.table.select().order_by(self.table.c.created_at.desc())).mappings().all()
        shown = [self._shown(row) for row in rows]
        needle = normalised(find)
        if not needle:
            return shown
        return [s for s in shown if any(needle in normalised(str(v)) for v in s["fields"].values())]

    def _shown(self, row: sa.RowMapping) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if row["wrapped_key"] is not None and row["profile"]:
            key = self.master.unwrap(row["subject_id"], row["wrapped_key"], row["wrapped_by"])
            fields = json.loads(_open(key, row["profile"]))
        return {
            "subject_id": row["subject_id"],
            "kind": row["kind"],
            "fields": fields,
            "seen": row["context"].get("seen", []),
            "created_at": row["created_at"],
            "erased_at": row["erased_at"],
            "erasure_reason": row["erasure_reason"],
        }

    def erase(self, conn: sa.Connection, subject_id: str, reason: str, now: datetime) -> bool:
        """Destroy a subject's key, lookup and profile; return False when it was erased already."""
        result = conn.execute(
            self.table.update()
            .where((self.table.c.subject_id == subject_id) & self.table.c.erased_at.is_(None))
            .values(
                wrapped_key=None,
                wrapped_by=None,
                lookup=None,
                profile=None,
                erased_at=now,
                erasure_reason=reason,
            )
        )
        return result.rowcount == 1

    def rotate(self, conn: sa.Connection) -> int:
        """Rewrap every live key (and its lookup) under the current master key; return how many changed."""
        rows = conn.execute(
            self.table.select().where(
                self.table.c.wrapped_key.is_not(None) & (self.table.c.wrapped_by != self.master.current)
            )
        ).mappings()
        changed = 0
        for row in rows.all():
            subject_id = row["subject_id"]
            key = self.master.unwrap(subject_id, row["wrapped_key"], row["wrapped_by"])
            values = json.loads(_open(key, row["profile"])) if row["profile"] else {}
            identity = values.get(row["context"].get("identity") or "")
            lookup = self.master.lookup(row["kind"], identity) if identity else row["lookup"]
            conn.execute(
                self.table.update()
                .where(self.table.c.subject_id == subject_id)
                .values(
                    wrapped_key=self.master.wrap(subject_id, key),
                    wrapped_by=self.master.current,
                    lookup=lookup,
                )
            )
            changed += 1
        return changed
