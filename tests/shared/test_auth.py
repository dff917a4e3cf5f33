"""Bearer tokens: roles, tenants, and 401/403 in the one error shape."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from shared.auth import ACADEMY_ADMIN, OPERATOR, decode_token, mint_token, require
from shared.auth.cli import main as token_cli
from shared.web import ApiError, make_app
from tests.factories import TEST_SECRET


@pytest.fixture
def app() -> Flask:
    app, _api = make_app("t", "test", TEST_SECRET, {})

    @app.post("/admin-only")
    @require(ACADEMY_ADMIN)
    def admin_only() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/anyone")
    @require()
    def anyone() -> dict[str, str]:
        return {"ok": "yes"}

    return app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_round_trips_to_its_principal() -> None:
    principal = decode_token(TEST_SECRET, mint_token(TEST_SECRET, "bob", "school_officer", "sch_1"))
    assert (principal.subject, principal.role, principal.tenant) == ("bob", "school_officer", "sch_1")
    assert principal.actor == "school_officer:bob"


@pytest.mark.parametrize(
    ("role", "tenant"), [("cluster_head", None), ("academy_admin", "sch_1"), ("president", None)]
)
def test_a_role_without_its_tenant_or_an_unknown_role_cannot_be_minted(role: str, tenant: str | None) -> None:
    with pytest.raises(ValueError, match="role"):
        mint_token(TEST_SECRET, "x", role, tenant)


def test_a_token_signed_with_another_key_or_expired_is_rejected() -> None:
    with pytest.raises(ApiError) as caught:
        decode_token(TEST_SECRET, mint_token("another-key-" + "y" * 32, "x", OPERATOR))
    assert caught.value.status == 401
    with pytest.raises(ApiError, match="expired"):
        decode_token(TEST_SECRET, mint_token(TEST_SECRET, "x", OPERATOR, ttl=timedelta(seconds=-1)))


def test_missing_and_invalid_tokens_are_401_and_a_wrong_role_is_403(app: Flask) -> None:
    client = app.test_client()
    missing = client.post("/admin-only")
    assert missing.status_code == 401
    assert missing.get_json()["error"]["code"] == "missing_token"
    assert client.post("/admin-only", headers=bearer("garbage")).status_code == 401
    forbidden = client.post("/admin-only", headers=bearer(mint_token(TEST_SECRET, "o", OPERATOR)))
    assert forbidden.status_code == 403
    assert forbidden.get_json()["error"]["code"] == "forbidden"
    assert (
        client.post("/admin-only", headers=bearer(mint_token(TEST_SECRET, "a", ACADEMY_ADMIN))).status_code
        == 200
    )
    assert client.get("/anyone", headers=bearer(mint_token(TEST_SECRET, "o", OPERATOR))).status_code == 200


def test_the_cli_mints_a_token_the_services_accept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THIDUA_JWT_SECRET", TEST_SECRET)
    result = CliRunner().invoke(
        token_cli, ["--role", "cluster_head", "--tenant", "cl_north", "--subject", "hoa"]
    )
    assert result.exit_code == 0, result.output
    assert decode_token(TEST_SECRET, result.output.strip()).tenant == "cl_north"


def test_the_cli_refuses_without_a_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("THIDUA_JWT_SECRET", raising=False)
    monkeypatch.setenv("THIDUA_DATA_DIR", str(tmp_path))  # no jwt-secret file there either
    result = CliRunner().invoke(token_cli, ["--role", "operator"])
    assert result.exit_code != 0
    assert "THIDUA_JWT_SECRET" in result.output


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "school_officer", "tenant": ["sch_1", "sch_2"]},  # a list of tenants
        {"role": "school_officer", "tenant": {"id": "sch_1"}},
        {"role": ["academy_admin"]},
        {"role": "operator", "exp": "9999999999"},  # a NumericDate written as a string
        {"role": "operator", "exp": True},
    ],
)
def test_a_token_with_claims_of_the_wrong_type_is_401(claims: dict[str, object]) -> None:
    import time

    import jwt

    from shared.auth import ALGORITHM, ISSUER

    payload = {"sub": "x", "iss": ISSUER, "exp": int(time.time()) + 600, **claims}
    token = jwt.encode(payload, TEST_SECRET, algorithm=ALGORITHM)
    with pytest.raises(ApiError) as caught:
        decode_token(TEST_SECRET, token)
    assert caught.value.status == 401
