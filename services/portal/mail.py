"""The portal's e-mails, in Vietnamese: the invitation and the password reset, each a one-time link."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from services.portal.accounts import PORTAL_ROLES, Account
from services.portal.config import PortalSettings


def invitation_message(settings: PortalSettings, account: Account, link: str, what: str) -> EmailMessage:
    """Return the invitation e-mail for an account (the link is its only copy of the token)."""
    return _message(
        settings,
        account,
        "Mời sử dụng Cổng thông tin thi đua các trường chính trị",
        f"Kính gửi {account.full_name},\n\n"
        f"Học viện Chính trị quốc gia Hồ Chí Minh mời đồng chí sử dụng Cổng thông tin thi đua với vai trò "
        f"{PORTAL_ROLES[account.role].lower()}{f' ({what})' if what else ''}.\n\n"
        f"Để đặt mật khẩu, hãy mở liên kết sau (dùng một lần, hết hạn sau {settings.invitation_hours} giờ):\n"
        f"{link}\n\n"
        "Nếu đồng chí không chờ thư này, xin bỏ qua.\n\n"
        "Vụ Các trường chính trị\n",
    )


def reset_message(settings: PortalSettings, account: Account, link: str) -> EmailMessage:
    """Return the password-reset e-mail for an account (the link is its only copy of the token)."""
    return _message(
        settings,
        account,
        "Đặt lại mật khẩu Cổng thông tin thi đua các trường chính trị",
        f"Kính gửi {account.full_name},\n\n"
        "Cổng thông tin thi đua vừa nhận đề nghị đặt lại mật khẩu cho tài khoản của đồng chí.\n\n"
        "Để đặt mật khẩu mới, hãy mở liên kết sau "
        f"(dùng một lần, hết hạn sau {settings.reset_minutes} phút):\n"
        f"{link}\n\n"
        "Nếu đồng chí không đề nghị, xin bỏ qua thư này; mật khẩu hiện tại vẫn dùng được.\n\n"
        "Vụ Các trường chính trị\n",
    )


def _message(settings: PortalSettings, account: Account, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = account.email
    message["Subject"] = subject
    message.set_content(body)
    return message


def send(settings: PortalSettings, message: EmailMessage) -> None:
    """Send a message through the configured SMTP server (raises OSError or SMTPException)."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)
