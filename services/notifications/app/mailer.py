"""E-mail of pending notices over SMTP, retried with backoff when the server is down; nothing is lost.

A notice is marked sent after the server accepted it; a crash in between can send it again, so each
message carries a stable Message-ID (from its key) that mail systems use to drop the repeat.

An officer's address is kept sealed (shared.personal) and opened through submissions' key API just
before sending; the address of a person whose data was erased is gone, and their mail is not sent.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa

from services.notifications.tables import notices
from shared.backoff import exponential
from shared.personal import ERASED, is_sealed
from shared.web.gateway import SuiteError

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
# Folding a long Vietnamese subject into several encoded words loses the spaces between them (CPython's
# folder); with lines up to SMTP's limit of 998 the subject is encoded without folding and reads back intact.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
Opener = Callable[[Sequence[str]], Mapping[str, str]]
"""Returns sealed values in clear (the owner's key API); raises when it cannot be reached."""


def message_id(notice_key: str) -> str:
    """Return the stable Message-ID of a notice's e-mail."""
    return f"<{hashlib.sha256(notice_key.encode()).hexdigest()[:32]}@thidua>"


class Mailer:
    """Sends pending e-mail notices through one SMTP server."""

    def __init__(
        self,
        engine: sa.Engine,
        clock: Callable[[], datetime],
        host: str,
        port: int,
        sender: str,
        timeout: float = 10.0,
        opener: Opener | None = None,
    ):
        self.opener = opener
        self.engine = engine
        self.clock = clock
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout = timeout

    def send_due(self, limit: int = 200) -> int:
        """Send the due e-mails; return how many the server accepted."""
        now = self.clock()
        with self.engine.connect() as conn:
            due = (
                conn.execute(
                    notices.select()
                    .where((notices.c.email_status == "pending") & (notices.c.next_attempt_at <= now))
                    .order_by(notices.c.id)
                    .limit(limit)
                )
                .mappings()
                .all()
            )
        if not due:
            return 0
        addresses = self._addresses(due)
        unopened = [n for n in due if n["id"] not in addresses]
        if unopened:
            self._failed(unopened, "the key service did not answer: the address stays sealed")
        erased = [n for n in due if addresses.get(n["id"]) == ERASED]
        if erased:
            self._erased(erased)
        due = [n for n in due if addresses.get(n["id"]) not in (None, ERASED)]
        sent = 0
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                for notice in due:
                    try:
                        smtp.send_message(self._message(notice, addresses[notice["id"]]))
                    except smtplib.SMTPRecipientsRefused as exc:
                        self._failed([notice], f"refused: {exc}")
                        continue
                    self._sent(notice["id"])
                    sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            self._failed([n for n in due if not self._is_sent(n["id"])], f"{type(exc).__name__}: {exc}")
        return sent

    def run(self, stop: threading.Event, interval: float) -> None:
        """Send until stopped."""
        while not stop.is_set():
            try:
                self.send_due()
            except sa.exc.OperationalError:
                log.warning("mailer: database unavailable", exc_info=True)
            stop.wait(interval)

    def _addresses(self, due: Sequence[sa.RowMapping]) -> dict[int, str]:
        """Return each notice's address: as kept, or opened (absent when the key service is away)."""
        sealed = sorted({n["recipient"] for n in due if is_sealed(n["recipient"])})
        opened: Mapping[str, str] = {}
        if sealed and self.opener is not None:
            try:
                opened = self.opener(sealed)
            except SuiteError as exc:  # the key service is away or refused: the mail waits
                log.warning("mailer: sealed addresses not opened (%s %s)", exc.status, exc.code)
        addresses = {}
        for notice in due:
            recipient = notice["recipient"]
            address = opened.get(recipient) if is_sealed(recipient) else recipient
            if address is not None:
                addresses[notice["id"]] = address
        return addresses

    def _erased(self, notices_: Sequence[sa.RowMapping]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                notices.update()
                .where(notices.c.id.in_([n["id"] for n in notices_]))
                .values(email_status="erased", last_error="the recipient's data was erased")
            )

    def _message(self, notice: sa.RowMapping, address: str) -> EmailMessage:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = self.sender
        message["To"] = address
        message["Subject"] = notice["subject"]
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = message_id(notice["notice_key"])
        message.set_content(notice["body"], charset="utf-8")
        return message

    def _sent(self, notice_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                notices.update()
                .where(notices.c.id == notice_id)
                .values(email_status="sent", attempts=notices.c.attempts + 1, last_error=None)
            )

    def _is_sent(self, notice_id: int) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(sa.select(notices.c.email_status).where(notices.c.id == notice_id)).scalar()
                == "sent"
            )

    def _failed(self, failed: list[sa.RowMapping], error: str) -> None:
        now = self.clock()
        with self.engine.begin() as conn:
            for notice in failed:
                attempts = notice["attempts"] + 1
                wait = timedelta(seconds=exponential(attempts, 5.0, MAX_BACKOFF.total_seconds()))
                conn.execute(
                    notices.update()
                    .where(notices.c.id == notice["id"])
                    .values(attempts=attempts, last_error=error[:2000], next_attempt_at=now + wait)
                )
        log.warning("mailer: %d e-mails not sent (%s); retrying later", len(failed), error)
