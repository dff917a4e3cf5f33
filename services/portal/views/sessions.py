"""Sessions: begun after every factor, ended at sign-out, idle too long, too old, or by the server.

The session cookie names the account and its session generation; raising the generation (sign-out,
a new password, a changed role, a disabled account) ends every session of the account at once. Each
session also carries when it began and when it was last used, and ends past the idle timeout or the
absolute lifetime. A person half-way through signing in (password given, second factor not yet) or
made to change a password reaches only the pages that finish that.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from services.portal.accounts import Account
from services.portal.views.common import Person, person, portal

PENDING = "pending_account"
"""The account whose password was right, waiting for its second factor (id and generation)."""
OPEN_ENDPOINTS = {"static", "auth.login", "auth.logout", "auth.forgot", "auth.reset", "auth.invitation"}
HALF_WAY = {"auth.second_factor", "auth.enrol"}


def begin(account: Account) -> None:
    """Sign a person in, with a fresh session: no state of an earlier one is carried over."""
    session.clear()
    login_user(Person(account))
    session["began"] = session["seen"] = int(time.time())


def hold_for_second_factor(account: Account) -> None:
    """Remember that a password was right, until the second factor is given."""
    session.clear()
    session[PENDING] = [account.account_id, account.generation, int(time.time())]


def pending_account_id() -> int | None:
    """Return the account waiting for its second factor (for five minutes at most), if any."""
    held = session.get(PENDING)
    if not isinstance(held, list) or len(held) != 3 or int(time.time()) - int(held[2]) > 300:
        return None
    return int(held[0])


def pending_generation() -> int:
    """Return the session generation the waiting account had when its password was given."""
    return int(session[PENDING][1])


CONFIRMED = "identity_confirmed"
CONFIRMATION_LASTS = 300
"""For how many seconds the password and a current code, given again, open the second-factor changes."""


def confirm_identity() -> None:
    """Remember that the person gave their password and a current code again, just now."""
    session[CONFIRMED] = int(time.time())


def recently_confirmed() -> bool:
    """Say whether the person confirmed their identity in the last few minutes (a live session is not)."""
    return int(time.time()) - int(session.get(CONFIRMED, 0)) <= CONFIRMATION_LASTS


def end() -> None:
    """End this session in the browser (the server-side end is the account's generation)."""
    logout_user()
    session.clear()


def register_session_rules(app: Flask) -> None:
    """Check every request against the session's age and idleness and the account's duties."""

    @app.before_request
    def _check() -> Any:
        if not current_user.is_authenticated:
            return None
        config = portal().config
        now = int(time.time())
        began, seen = int(session.get("began", 0)), int(session.get("seen", 0))
        if now - began > config.session_max_hours * 3600 or now - seen > config.session_idle_minutes * 60:
            end()
            flash("Phiên làm việc đã hết hạn. Hãy đăng nhập lại.", "notice")
            return redirect(url_for("auth.login"))
        if now - seen >= 30:  # write the cookie again at most every half minute
            session["seen"] = now
        endpoint = request.endpoint or ""
        if person().must_change_password and endpoint not in OPEN_ENDPOINTS | {"security.change_password"}:
            return redirect(url_for("security.change_password"))
        if (
            person().second_factor_required
            and not person().has_second_factor
            and endpoint not in OPEN_ENDPOINTS | HALF_WAY | {"security.change_password"}
        ):
            return redirect(url_for("auth.enrol"))
        return None
