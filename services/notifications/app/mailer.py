"""E-mail of pending notices over SMTP, retried with backoff when the server is down; nothing is lost.

A notice is marked sent after the server accepted it; a crash in between can send it again, so each
message carries a stable Message-ID (from its key) that mail systems use to drop the repeat.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa

from services.notifications.tables import notices
from shared.backoff import exponential

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
# Folding a long Vietnamese subject into several encoded words loses the spaces between them (CPython's
# folder); with lines up to SMTP's limit of 998 the subject is encoded without folding and reads back intact.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


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
    ):
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
        sent = 0
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                for notice in due:
                    try:
                        smtp.send_message(self._message(notice))
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

    def _message(self, notice: sa.RowMapping) -> EmailMessage:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = self.sender
        message["To"] = notice["recipient"]
        message["Subject"] = notice["subject"]
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = f"<{hashlib.sha256(notice['notice_key'].encode()).hexdigest()[:32]}@thidua>"
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
