"""A person's own account security: change the password, turn the second factor on or off, and get
new recovery codes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from services.portal import accounts, second_factor
from services.portal.accounts import AccountError
from services.portal.first_account import forget_kept_password
from services.portal.views import sessions
from services.portal.views.auth import checked_code, wall_clock
from services.portal.views.common import HOME, page, person, portal

security = Blueprint("security", __name__, url_prefix="/bao-mat")


class ChangePasswordForm(FlaskForm):
    """The current password, then the new one twice."""

    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Hãy nhập mật khẩu hiện tại.")])
    password = PasswordField("Mật khẩu mới", validators=[DataRequired("Hãy nhập mật khẩu."), Length(max=200)])
    confirmation = PasswordField("Nhập lại mật khẩu mới", validators=[DataRequired("Hãy nhập lại mật khẩu.")])


class ConfirmIdentityForm(FlaskForm):
    """The password and a current code (or a recovery code), given again before a factor changes."""

    password = PasswordField("Mật khẩu", validators=[DataRequired("Hãy nhập mật khẩu."), Length(max=200)])
    code = StringField(
        "Mã xác thực hoặc mã dự phòng", validators=[DataRequired("Hãy nhập mã."), Length(max=20)]
    )


NOT_CONFIRMED = "Để thay đổi xác thực hai bước, đồng chí cần nhập lại mật khẩu và mã xác thực hiện tại."


@security.route("/")
@login_required
def overview() -> Any:
    """The person's account: password, second factor, recovery codes left."""
    return _overview(200)


def _overview(status: int, error: str | None = None) -> Any:
    with portal().reader.connect() as conn:
        left = second_factor.remaining_recovery_codes(conn, person().account_id)
    return page(
        "security.html",
        status,
        account=person(),
        recovery_left=left,
        confirmed=sessions.recently_confirmed(),
        form=ConfirmIdentityForm(),
        error=error,
    )


@security.route("/xac-nhan", methods=["POST"])
@login_required
def confirm_identity() -> Any:
    """Take the password and a current code again; for a few minutes the factor may then change."""
    form, service, who = ConfirmIdentityForm(), portal(), person()
    if not form.validate_on_submit() or not who.has_second_factor:
        return _overview(400, NOT_CONFIRMED)
    now = wall_clock()
    with service.engine.begin() as conn:
        right = accounts.password_matches(conn, who.account_id, form.password.data)
        opened = checked_code(conn, who.account_id, form.code.data, now, password_right=right)
    if not opened:
        return _overview(401, "Mật khẩu hoặc mã xác thực không đúng; hãy thử lại sau ít phút.")
    sessions.confirm_identity()
    flash("Đã xác nhận. Trong 5 phút, đồng chí có thể tạo mã dự phòng mới, thay hoặc tắt xác thực.", "notice")
    return redirect(url_for("security.overview"))


@security.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change the password; every other session of the account ends, this one begins anew."""
    form, service = ChangePasswordForm(), portal()
    forced = person().must_change_password
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return page("change_password.html", status, form=form, forced=forced)
    try:
        with service.engine.begin() as conn:
            fresh = accounts.change_password(
                conn, person(), form.current.data, form.password.data, form.confirmation.data, service.clock()
            )
    except AccountError as refused:
        return page("change_password.html", 422, form=form, forced=forced, error=refused.message)
    forget_kept_password(service, fresh.email)
    sessions.begin(fresh)
    flash("Đã đổi mật khẩu. Các phiên đăng nhập khác của tài khoản đã kết thúc.", "notice")
    return redirect(url_for(HOME[fresh.role]))


@security.route("/ma-du-phong", methods=["POST"])
@login_required
def recovery_codes() -> Any:
    """Replace the recovery codes with new ones, shown once."""
    if not person().has_second_factor:
        return redirect(url_for("security.overview"))
    if not sessions.recently_confirmed():
        return _overview(403, NOT_CONFIRMED)
    service = portal()
    with service.engine.begin() as conn:
        codes = second_factor.new_recovery_codes(conn, person().account_id)
        accounts.journal_entry(
            conn, person().account_id, "recovery_codes_new", person().subject, service.clock()
        )
    return page("recovery_codes.html", codes=codes)


@security.route("/tat-xac-thuc", methods=["POST"])
@login_required
def turn_off() -> Any:
    """Turn the second factor off (not for the Academy's accounts, which must keep it)."""
    if person().second_factor_required:
        flash("Tài khoản của Học viện bắt buộc dùng xác thực hai bước.", "error")
        return redirect(url_for("security.overview"))
    if not sessions.recently_confirmed():
        return _overview(403, NOT_CONFIRMED)
    service = portal()
    with service.engine.begin() as conn:
        second_factor.turn_off(conn, person().account_id)
        accounts.journal_entry(
            conn, person().account_id, "second_factor_off", person().subject, service.clock()
        )
    flash("Đã tắt xác thực hai bước.", "notice")
    return redirect(url_for("security.overview"))
