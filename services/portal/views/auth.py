"""Sign-in (password, then the second factor), sign-out, one-time links that set a password
(invitations and resets), and enrolment of the second factor."""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from services.portal import accounts, mail, second_factor, throttle
from services.portal.accounts import INVITATION, RESET, Account, AccountError
from services.portal.first_account import forget_kept_password
from services.portal.service import Portal
from services.portal.throttle import ThrottlePolicy
from services.portal.views import sessions
from services.portal.views.common import HOME, page, person, portal

auth = Blueprint("auth", __name__)
log = logging.getLogger(__name__)
RESET_THROTTLE = ThrottlePolicy(free=5, first=timedelta(minutes=1), longest=timedelta(hours=1))
"""Reset requests from one address: six served, then a growing wait (each account: one link in 2 minutes)."""
ACCOUNT_CODE_THROTTLE = ThrottlePolicy(free=10, first=timedelta(seconds=30), longest=timedelta(hours=1))
"""Guesses of one account's codes from every address together: 10 free, then a growing wait."""
CODE_REFUSED = "Mã xác thực không đúng, đã được dùng, hoặc đã nhập sai nhiều lần; hãy thử lại sau ít phút."


class SignInForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        "Địa chỉ thư điện tử",
        validators=[DataRequired("Hãy nhập địa chỉ thư điện tử."), Length(max=320)],
    )
    password = PasswordField("Mật khẩu", validators=[DataRequired("Hãy nhập mật khẩu."), Length(max=200)])


class EmailForm(FlaskForm):
    """The e-mail a reset link goes to."""

    email = EmailField(
        "Địa chỉ thư điện tử",
        validators=[DataRequired("Hãy nhập địa chỉ thư điện tử."), Length(max=320)],
    )


class PasswordForm(FlaskForm):
    """A new password, twice."""

    password = PasswordField("Mật khẩu mới", validators=[DataRequired("Hãy nhập mật khẩu."), Length(max=200)])
    confirmation = PasswordField("Nhập lại mật khẩu", validators=[DataRequired("Hãy nhập lại mật khẩu.")])


class CodeForm(FlaskForm):
    """A six-digit code of the authenticator app, or a recovery code."""

    code = StringField("Mã xác thực", validators=[DataRequired("Hãy nhập mã xác thực."), Length(max=20)])


def wall_clock() -> datetime:
    """Return the real time: sessions, throttling and codes follow it, not a demonstration's clock."""
    return datetime.now(UTC)


def client_address() -> str:
    """Return the address a request came from (the gateway passes it on)."""
    return request.remote_addr or "?"


@auth.route("/")
def home() -> Any:
    """Send the person to the home page of their role (or to sign in)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME[person().role]))


@auth.route("/dang-nhap", methods=["GET", "POST"])
def login() -> Any:
    """Show the sign-in form, or check the password (throttled by e-mail and address)."""
    form = SignInForm()
    if not form.validate_on_submit():
        return page("login.html", 400 if request.method == "POST" else 200, form=form)
    service = portal()
    try:
        account = accounts.sign_in(
            service.engine,
            form.email.data,
            form.password.data,
            client_address(),
            wall_clock(),
            service.config.throttle,
        )
    except AccountError as refused:
        return page("login.html", 401, form=form, error=refused.message)
    if account.has_second_factor:
        sessions.hold_for_second_factor(account)
        return redirect(url_for("auth.second_factor"))
    if account.second_factor_required:
        sessions.hold_for_second_factor(account)
        return redirect(url_for("auth.enrol"))
    sessions.begin(account)
    return redirect(url_for(HOME[account.role]))


@auth.route("/dang-nhap/xac-thuc", methods=["GET", "POST"], endpoint="second_factor")
def code() -> Any:
    """Ask for the authenticator's code (or a recovery code) after a right password."""
    account = _waiting_account()
    if account is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return page("second_factor.html", 400 if request.method == "POST" else 200, form=form)
    service, now = portal(), wall_clock()
    with service.engine.begin() as conn:
        opened = checked_code(conn, account.account_id, form.code.data, now)
    if not opened:
        return page("second_factor.html", 401, form=form, error=CODE_REFUSED)
    sessions.begin(account)
    return redirect(url_for(HOME[account.role]))


def checked_code(
    conn: sa.Connection, account_id: int, code: str, now: datetime, password_right: bool = True
) -> bool:
    """Verify a second-factor code (or a recovery code), throttled so a password holder cannot lock out.

    Failures count per (account, address) like passwords, and also for the account as a whole: that
    ceiling holds back only addresses that have failed themselves, so the owner's right code from an
    address without failures is always taken, whatever guesses came from elsewhere. Where a password is
    asked again with the code, a wrong one counts as a failed try like a wrong code.
    """
    service = portal()
    subject = f"second-factor:{account_id}"
    here = throttle.throttle_key(subject, client_address())
    anywhere = throttle.throttle_key(subject, "*")  # guesses from many addresses add up too
    waiting = throttle.blocked(conn, here, now) or (
        throttle.has_failures(conn, here) and throttle.blocked(conn, anywhere, now)
    )
    if not waiting and password_right and second_factor.verify(conn, account_id, code, service.secrets, now):
        throttle.record_success(conn, here)
        return True
    throttle.record_failure(conn, here, now, service.config.throttle)
    throttle.record_failure(conn, anywhere, now, ACCOUNT_CODE_THROTTLE)
    log.warning("second factor refused", extra={"account_id": account_id, "throttled": waiting})
    return False


@auth.route("/dang-nhap/dang-ky-xac-thuc", methods=["GET", "POST"])
def enrol() -> Any:
    """Turn on the second factor: scan the QR code, confirm with a code, keep the recovery codes."""
    signed_in = current_user.is_authenticated
    account = person() if signed_in else _waiting_account()
    if account is None:
        return redirect(url_for("auth.login"))
    if not signed_in and account.has_second_factor:
        # half-way through signing in, a second factor is given, never replaced: only a signed-in
        # person (both factors) may enrol a new one
        return redirect(url_for("auth.second_factor"))
    if signed_in and account.has_second_factor and not sessions.recently_confirmed():
        # a live session alone never replaces a factor: the password and a current code first
        return redirect(url_for("security.overview"))
    service, form, now = portal(), CodeForm(), wall_clock()
    with service.engine.begin() as conn:
        secret = second_factor.pending_secret(conn, account.account_id, service.secrets)
        if secret is None or (request.method == "GET" and request.args.get("moi")):  # reloading keeps it
            secret = second_factor.start_enrolment(conn, account.account_id, service.secrets)
    shown = {"form": form, "secret": secret, "qr": second_factor.qr_code(secret, account.email)}
    if not form.validate_on_submit():
        return page("enrol.html", 400 if request.method == "POST" else 200, **shown)
    key = throttle.throttle_key(f"second-factor:{account.account_id}", client_address())
    with service.engine.begin() as conn:
        codes = None
        if not throttle.blocked(conn, key, now):
            codes = second_factor.confirm_enrolment(
                conn, account.account_id, form.code.data, service.secrets, now
            )
        if codes is None:
            throttle.record_failure(conn, key, now, service.config.throttle)
        else:
            accounts.journal_entry(conn, account.account_id, "second_factor_on", account.subject, now)
    if codes is None:
        return page("enrol.html", 422, error=CODE_REFUSED, **shown)
    with service.reader.connect() as conn:
        fresh = accounts.account_by_id(conn, account.account_id)
    if fresh is not None:
        sessions.begin(fresh)
    return page("recovery_codes.html", codes=codes)


@auth.route("/dang-xuat", methods=["POST"])
def logout() -> Any:
    """Sign out: every session of the account ends, here and in any other browser."""
    if current_user.is_authenticated:
        who = person()
        with portal().engine.begin() as conn:
            accounts.end_sessions(conn, who.account_id, "signed_out", who.subject, portal().clock())
    sessions.end()
    return redirect(url_for("auth.login"))


@auth.route("/quen-mat-khau", methods=["GET", "POST"])
def forgot() -> Any:
    """Send a password-reset link; the answer is the same whether or not the address has an account."""
    form = EmailForm()
    if not form.validate_on_submit():
        return page("forgot.html", 400 if request.method == "POST" else 200, form=form)
    service, now = portal(), wall_clock()
    settings = service.config
    here = throttle.throttle_key("password-reset", client_address())
    with service.engine.begin() as conn:  # the same work for every address: one request counted
        waiting = throttle.blocked(conn, here, now)
        throttle.record_failure(conn, here, now, RESET_THROTTLE)
    if not waiting:  # whether the address has an account is looked up apart from the answer
        link_base = f"{settings.public_url}{url_for('auth.reset', token='')}"
        apart(_reset, service, form.email.data, link_base)
    text = (
        "Nếu địa chỉ này có tài khoản, thư hướng dẫn đặt lại mật khẩu đã được gửi tới đó. "
        f"Liên kết trong thư dùng một lần và hết hạn sau {settings.reset_minutes} phút."
    )
    return page("message.html", title="Đã nhận đề nghị", text=text, signin=True)


@auth.route("/dat-lai-mat-khau/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    """Let a person set a new password through the one-time link of a reset e-mail."""
    return _set_password_through_link(token, RESET)


@auth.route("/loi-moi/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Any:
    """Let an invited person set their password through the one-time link of their e-mail."""
    return _set_password_through_link(token, INVITATION)


def _set_password_through_link(token: str, purpose: str) -> Any:
    """Show or handle the form of a one-time link; every session of the account ends with it."""
    service = portal()
    form = PasswordForm()
    try:
        with service.reader.connect() as conn:
            account = accounts.invitation_account(conn, token, service.clock(), purpose)
    except AccountError as refused:
        return page("message.html", 410, title="Liên kết không dùng được", text=refused.message)
    if not form.validate_on_submit():
        return page("invitation.html", 400 if request.method == "POST" else 200, form=form, account=account)
    try:
        with service.engine.begin() as conn:
            accounts.accept_invitation(
                conn, token, form.password.data, form.confirmation.data, service.clock(), purpose
            )
            # the link proved the address is theirs: this browser's failed tries are forgiven
            throttle.record_success(conn, throttle.throttle_key(account.email, client_address()))
    except AccountError as refused:
        return page("invitation.html", 422, form=form, account=account, error=refused.message)
    forget_kept_password(service, account.email)
    sessions.end()
    return page(
        "message.html", title="Đã đặt mật khẩu", text="Mật khẩu đã được đặt. Hãy đăng nhập.", signin=True
    )


def _waiting_account() -> Account | None:
    """Return the account whose password was right and whose second factor is awaited, if still valid."""
    account_id = sessions.pending_account_id()
    if account_id is None:
        return None
    with portal().reader.connect() as conn:
        account = accounts.account_by_id(conn, account_id)
    if account is None or account.generation != sessions.pending_generation():
        return None
    return account


def apart(work: Callable[..., None], *args: Any) -> None:
    """Run work beside the request, in a thread of its own (a test runs it in place)."""
    threading.Thread(target=work, args=args, daemon=True).start()


def _reset(service: Portal, email: str, link_base: str) -> None:
    """Make and mail a reset link if the address has an active account (one every 2 minutes at most).

    Run apart from the request, so the answer's timing tells nothing of whether the account exists.
    """
    settings = service.config
    try:
        with service.engine.begin() as conn:
            made = accounts.reset_link(
                conn, email, timedelta(minutes=settings.reset_minutes), service.clock(), timedelta(minutes=2)
            )
    except Exception:
        log.exception("password reset link not made")
        return
    if made is None:
        return
    account, token = made
    try:
        mail.send(settings, mail.reset_message(settings, account, link_base + token))
    except (OSError, smtplib.SMTPException):
        log.warning("password reset e-mail not sent", extra={"account_id": account.account_id})
