"""Sign-in, sign-out and the one-time invitation link that sets a password."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from services.portal import accounts
from services.portal.accounts import AccountError
from services.portal.views.common import HOME, Person, page, person, portal

auth = Blueprint("auth", __name__)


class SignInForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(
        "Địa chỉ thư điện tử",
        validators=[DataRequired("Hãy nhập địa chỉ thư điện tử."), Length(max=320)],
    )
    password = PasswordField("Mật khẩu", validators=[DataRequired("Hãy nhập mật khẩu."), Length(max=200)])


class PasswordForm(FlaskForm):
    """A new password, twice."""

    password = PasswordField("Mật khẩu mới", validators=[DataRequired("Hãy nhập mật khẩu."), Length(max=200)])
    confirmation = PasswordField("Nhập lại mật khẩu", validators=[DataRequired("Hãy nhập lại mật khẩu.")])


@auth.route("/")
def home() -> Any:
    """Send the person to the home page of their role (or to sign in)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME[person().role]))


@auth.route("/dang-nhap", methods=["GET", "POST"])
def login() -> Any:
    """Show the sign-in form, or sign in (failures count towards a lock-out)."""
    form = SignInForm()
    if not form.validate_on_submit():
        return page("login.html", 400 if request.method == "POST" else 200, form=form)
    service = portal()
    config = service.config
    try:
        account = accounts.sign_in(
            service.engine,
            form.email.data,
            form.password.data,
            service.clock(),
            config.lockout_after,
            timedelta(minutes=config.lockout_minutes),
        )
    except AccountError as refused:
        return page("login.html", 401, form=form, error=refused.message)
    login_user(Person(account))
    return redirect(url_for(HOME[account.role]))


@auth.route("/dang-xuat", methods=["POST"])
def logout() -> Any:
    """Sign out (a POST with the CSRF token, so no other site can sign a person out)."""
    logout_user()
    return redirect(url_for("auth.login"))


@auth.route("/loi-moi/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Any:
    """Let an invited person set their password through the one-time link of their e-mail."""
    service = portal()
    form = PasswordForm()
    try:
        with service.reader.connect() as conn:
            account = accounts.invitation_account(conn, token, service.clock())
    except AccountError as refused:
        return page("message.html", 410, title="Liên kết không dùng được", text=refused.message)
    if not form.validate_on_submit():
        return page("invitation.html", 400 if request.method == "POST" else 200, form=form, account=account)
    try:
        with service.engine.begin() as conn:
            accounts.accept_invitation(
                conn, token, form.password.data, form.confirmation.data, service.clock()
            )
    except AccountError as refused:
        return page("invitation.html", 422, form=form, account=account, error=refused.message)
    logout_user()
    return page(
        "message.html", title="Đã đặt mật khẩu", text="Mật khẩu đã được đặt. Hãy đăng nhập.", signin=True
    )
