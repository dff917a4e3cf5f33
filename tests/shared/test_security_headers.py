"""Headers on every answer: pages forbid framing and inline script, JSON is never sniffed, what a
signed-in caller reads is never cached, and HSTS is sent when the portal is served over https."""

from __future__ import annotations

from pathlib import Path

from services.portal.bootstrap import bootstrap, migrate
from services.portal.wsgi import create_app
from shared.auth import mint_token
from shared.web import make_app
from tests.factories import TEST_SECRET
from tests.portal.conftest import portal_settings


def portal_client(tmp_path: Path, **env: str):  # type: ignore[no-untyped-def]
    settings = portal_settings(tmp_path, **env)
    migrate(settings)
    return create_app(bootstrap(settings)).test_client()


def test_portal_pages_carry_the_content_policy_and_forbid_framing(tmp_path: Path) -> None:
    answer = portal_client(tmp_path).get("/dang-nhap")
    policy = answer.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert (answer.headers["X-Frame-Options"], answer.headers["X-Content-Type-Options"]) == (
        "DENY",
        "nosniff",
    )
    assert "Strict-Transport-Security" not in answer.headers  # plain http on the embedded default


def test_hsts_is_sent_when_the_public_url_is_https(tmp_path: Path) -> None:
    answer = portal_client(tmp_path, PORTAL_PUBLIC_URL="https://thidua.hcma.vn").get("/dang-nhap")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_portals_script_and_style_are_its_own_files(tmp_path: Path) -> None:
    client = portal_client(tmp_path)
    page = client.get("/dang-nhap").text
    assert "<script>" not in page and "<style>" not in page and " style=" not in page
    assert client.get("/static/portal.js").status_code == 200
    assert client.get("/static/portal.css").status_code == 200


def test_json_answers_are_not_sniffed_and_authenticated_ones_not_cached() -> None:
    app, _api = make_app(__name__, "t", TEST_SECRET, {})
    client = app.test_client()
    anonymous = client.get("/healthz")
    assert anonymous.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    token = mint_token(TEST_SECRET, "an", "academy_admin")
    signed = client.get("/healthz", headers={"Authorization": f"Bearer {token}"})
    assert signed.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" not in signed.headers  # a policy for pages, not for JSON
