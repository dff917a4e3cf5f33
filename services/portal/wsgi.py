"""The portal WSGI app for gunicorn: ``gunicorn 'services.portal.wsgi:create_app()'``."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from services.portal.bootstrap import bootstrap
from services.portal.config import load_settings
from services.portal.service import Portal
from services.portal.views.academy import academy
from services.portal.views.auth import auth
from services.portal.views.awards import awards
from services.portal.views.cluster import cluster
from services.portal.views.common import bare_page, login_manager, page, register_template_helpers, say
from services.portal.views.documents import documents
from services.portal.views.guide import guide
from services.portal.views.outcomes import outcomes
from services.portal.views.personal import personal
from services.portal.views.province import province
from services.portal.views.school import school
from services.portal.views.security import security
from services.portal.views.sessions import register_session_rules
from services.portal.views.year import new_year
from shared.service import from_environment
from shared.web import make_app
from shared.web.errors import RETRY_AFTER_SECONDS, outage
from shared.web.gateway import Gateway, SuiteError

log = logging.getLogger(__name__)
UPLOAD_LIMIT = 21 * 1024 * 1024
TITLES = {400: "Yêu cầu không hợp lệ", 403: "Không có quyền", 404: "Không tìm thấy trang", 413: "Tệp quá lớn"}
TEXTS = {
    400: "Yêu cầu gửi lên không hợp lệ.",
    403: "Tài khoản của đồng chí không được xem trang này.",
    404: "Không có trang này. Hãy quay lại trang chủ.",
    405: "Trang này không nhận yêu cầu kiểu này.",
    413: "Tệp tải lên lớn hơn 20 MB.",
}


def create_app(service: Portal | None = None) -> Flask:
    """Build the portal app from the environment, or around a given service (tests)."""
    portal = service or from_environment(load_settings, bootstrap)
    config = portal.config
    app, _api = make_app(
        __name__,
        "Thi đua portal",
        portal.settings.jwt_secret,
        {"database": portal.database_ready},
        {
            "SECRET_KEY": config.session_secret,
            "MAX_CONTENT_LENGTH": UPLOAD_LIMIT,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": config.public_url.startswith("https://"),
            "PUBLIC_HTTPS": config.public_url.startswith("https://"),
            "PERMANENT_SESSION_LIFETIME": timedelta(hours=config.session_max_hours),
            "WTF_CSRF_TIME_LIMIT": config.session_max_hours * 3600,
            "OPENAPI_URL_PREFIX": None,  # the portal is pages for people: it publishes no API document
        },
    )
    app.extensions["portal"] = portal
    app.extensions["portal_gateway"] = Gateway(
        {
            "registry": config.registry_url,
            "submissions": config.submissions_url,
            "scoring": config.scoring_url,
            "notifications": config.notifications_url,
        },
        portal.settings.jwt_secret,
    )
    if config.proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxies, x_proto=config.proxies)  # type: ignore[method-assign]
    CSRFProtect(app)
    login_manager.init_app(app)
    for blueprint in (
        auth,
        security,
        school,
        cluster,
        academy,
        new_year,
        awards,
        province,
        documents,
        personal,
        outcomes,
        guide,
    ):
        app.register_blueprint(blueprint)
    register_session_rules(app)
    register_template_helpers(app)
    _register_pages_for_errors(app)

    return app


def _register_pages_for_errors(app: Flask) -> None:
    """Answer errors with a Vietnamese page, never a trace (the services' JSON is for programs)."""

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> Any:
        text = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang và thử lại."
        return _message(400, "Biểu mẫu hết hạn", text)

    @app.errorhandler(SuiteError)
    def _suite(error: SuiteError) -> Any:
        status = error.status if error.status in (400, 403, 404, 409, 422) else 503
        return _message(status, "Không thực hiện được", say(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if down := outage(error):
            log.warning("%s unavailable: answered 503", down, extra={"error": type(error).__name__})
            return _unavailable()
        log.exception("unhandled error")
        return _message(
            500, "Lỗi hệ thống", "Đã có lỗi ngoài dự kiến; yêu cầu chưa được thực hiện. Hãy thử lại sau."
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Any:
        status = error.code or 500
        return _message(status, TITLES.get(status, "Lỗi"), TEXTS.get(status, "Đã có lỗi."))


def _message(status: int, title: str, text: str) -> Any:
    """Answer with a message page; if even finding who is signed in fails on an outage, say that (503)."""
    try:
        body, status = page("message.html", status, title=title, text=text)
    except Exception as error:
        if not outage(error):
            raise
        return _unavailable()
    return body, status, ({"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {})


def _unavailable() -> Any:
    """Answer 503 with Retry-After and a page that needs no database."""
    text = "Hệ thống tạm thời không trả lời; yêu cầu chưa được thực hiện. Hãy thử lại sau ít phút."
    body, status = bare_page("message.html", 503, title="Tạm thời gián đoạn", text=text)
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
