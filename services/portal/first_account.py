"""The first Academy account, so someone can sign in and create the others.

On the embedded default (SQLite) it gets a generated password, kept in ``<data dir>/portal-admin.txt``
(mode 0600) so ``make run`` can print it, which must be changed at the first sign-in (the Academy's
second factor is enrolled then too); on any other database it gets a one-time invitation
link instead, printed once, and no password is ever written down.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from services.portal import accounts
from services.portal.service import Portal
from services.portal.tables import accounts as accounts_table
from shared.auth import ACADEMY_ADMIN
from shared.files import write_private

EMAIL = "vu.cactruongchinhtri@hcma.vn"
NAME = "Vụ Các trường chính trị"


def ensure_first_account(portal: Portal) -> str:
    """Create the first Academy account when there is none, and return how to sign in with it."""
    embedded = portal.settings.database_url.startswith("sqlite")
    kept = portal.config.data_dir / "portal-admin.txt"
    with portal.engine.begin() as conn:
        has_admin = conn.execute(
            sa.select(accounts_table.c.account_id, accounts_table.c.must_change_password)
            .where(accounts_table.c.role == ACADEMY_ADMIN)
            .limit(1)
        ).first()
        if has_admin:
            if embedded and kept.exists() and has_admin.must_change_password:
                return _credentials(kept.read_text(encoding="utf-8").strip(), portal)
            kept.unlink(missing_ok=True)  # changed at the first sign-in: the generated one is worthless
            return "portal: an Academy account exists; sign in with it (or ask its holder for an invitation)"
        account = accounts.create_account(conn, EMAIL, NAME, ACADEMY_ADMIN, None, "setup", portal.clock())
        if not embedded:
            token = accounts.invite(conn, account.account_id, timedelta(hours=72), "setup", portal.clock())
            link = f"{portal.config.public_url}/loi-moi/{token}"
            return f"portal: Academy account {EMAIL} created; set its password (once, 72 h): {link}"
        password = secrets.token_urlsafe(12)
        conn.execute(
            accounts_table.update()
            .where(accounts_table.c.account_id == account.account_id)
            .values(password_hash=accounts.HASHER.hash(password), must_change_password=True)
        )
    write_private(kept, password + "\n")
    return _credentials(password, portal)


def _credentials(password: str, portal: Portal) -> str:
    return (
        f"portal: {portal.config.public_url}  Academy account: {EMAIL}  password: {password}"
        "  (embedded default only; to be changed at the first sign-in, with a second factor enrolled)"
    )


def forget_kept_password(portal: Portal, email: str) -> None:
    """Delete the kept first password once the first account has set its own (it opens nothing now)."""
    if email == EMAIL:
        (portal.config.data_dir / "portal-admin.txt").unlink(missing_ok=True)
