"""Secrets given as files (NAME_FILE), as Docker's and Kubernetes' secrets are mounted."""

from pathlib import Path

import pytest

from shared.settings import ConfigError, common_settings, environment

KEY = "k" * 40


def test_a_database_url_and_the_token_key_are_read_from_their_files(tmp_path: Path) -> None:
    (tmp_path / "url").write_text("postgresql+psycopg://registry:pw@db/registry\n")
    (tmp_path / "key").write_text(KEY + "\n")
    files = {"REGISTRY_DATABASE_URL_FILE": tmp_path / "url", "THIDUA_JWT_SECRET_FILE": tmp_path / "key"}
    settings = common_settings("registry", {name: str(path) for name, path in files.items()})
    assert settings.database_url == "postgresql+psycopg://registry:pw@db/registry"
    assert settings.jwt_secret == KEY


def test_a_secret_set_directly_wins_over_its_file(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("from-the-file")
    env = environment({"PORTAL_SECRET": "direct", "PORTAL_SECRET_FILE": str(tmp_path / "key")})
    assert env["PORTAL_SECRET"] == "direct"


def test_an_unreadable_secret_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="THIDUA_DATA_KEY_FILE cannot be read"):
        environment({"THIDUA_DATA_KEY_FILE": str(tmp_path / "missing")})


def test_a_file_setting_that_is_no_secret_stays_a_path(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----")
    env = environment({"THIDUA_KAFKA_CA_FILE": str(tmp_path / "ca.pem")})
    assert "THIDUA_KAFKA_CA" not in env
    assert env["THIDUA_KAFKA_CA_FILE"] == str(tmp_path / "ca.pem")
