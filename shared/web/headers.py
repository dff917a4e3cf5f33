"""Response headers every app sends: no sniffing, no caching of what a signed-in caller reads, and for
pages a content policy that runs only the app's own script and style and forbids framing."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def register_security_headers(app: Flask) -> None:
    """Add the suite's headers to every answer (HSTS when ``PUBLIC_HTTPS`` is set or the request is TLS)."""

    @app.after_request
    def _secure(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        # A page's URL may hold a one-time token (an invitation): no Referer carries it anywhere.
        headers["Referrer-Policy"] = "no-referrer"
        if response.mimetype == "text/html":
            headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            headers["X-Frame-Options"] = "DENY"
        if _authenticated():
            headers["Cache-Control"] = "no-store"
        if app.config.get("PUBLIC_HTTPS") or request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response


def _authenticated() -> bool:
    """Say whether the request may carry a credential (a bearer token, or a session or token cookie);
    the app's own static files are the same for everyone and stay cacheable."""
    return request.endpoint != "static" and ("Authorization" in request.headers or bool(request.cookies))
