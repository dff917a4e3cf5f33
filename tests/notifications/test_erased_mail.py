"""An erased person's mail leaves the local store once the erasure is committed, and only then."""

from __future__ import annotations

import mailbox
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.notifications.app.mailer import message_id
from services.notifications.projections.notices import NoticesProjection
from services.notifications.tables import metadata, notices
from shared.bus import Record
from shared.consumer import Consumed
from shared.db import transaction
from shared.envelope import Envelope

NOW = datetime(2023, 3, 6, 1, 0, tzinfo=UTC)
SEALED = "pii:v1:subj-1:opaque"


def mail(box: mailbox.Maildir, notice_key: str) -> None:
    message = EmailMessage()
    message["Message-ID"], message["To"], message["Subject"] = (
        message_id(notice_key),
        "x@y.invalid",
        "Biên nhận",
    )
    box.add(message)


def erasure() -> Consumed:
    event = Envelope(
        type="PersonalDataErased",
        source="submissions",
        stream_id="erasure-subj-1",
        data={"subject_id": "subj-1"},
    )
    return Consumed(Record("t", 0, 0, None, [], None, 0), event, {"subject_id": "subj-1"})


def test_the_mail_of_an_erased_person_is_removed_after_the_commit_and_not_for_a_rollback(
    tmp_path: Path,
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'notifications.sqlite'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        for key, recipient in (("receipt:1|mail:subj-1", SEALED), ("receipt:2|mail:other", "b@y.invalid")):
            conn.execute(
                notices.insert().values(
                    notice_key=key,
                    kind="receipt",
                    recipient=recipient,
                    inbox="",
                    subject="s",
                    body="b",
                    created_at=NOW,
                    email_status="sent",
                    attempts=1,
                    next_attempt_at=NOW,
                )
            )
    store = tmp_path / "mail"
    box = mailbox.Maildir(store, create=True)
    mail(box, "receipt:1|mail:subj-1")
    mail(box, "receipt:2|mail:other")
    projection = NoticesProjection("vu@hcma.vn", lambda: NOW, str(store))

    with pytest.raises(RuntimeError), transaction(engine) as conn:
        projection.apply(conn, erasure())
        raise RuntimeError("the transaction fails")
    assert len(box) == 2, "an erasure that did not commit removes nothing"

    with transaction(engine) as conn:
        projection.apply(conn, erasure())
        assert len(box) == 2, "nothing is removed inside the transaction"
    assert [m["Message-ID"] for m in box] == [message_id("receipt:2|mail:other")]
