"""Webhook URLs: which carry credentials, and how they are shown."""

from __future__ import annotations

import pytest

from shared.urls import credential_in, redacted, scrubbed


@pytest.mark.parametrize(
    ("url", "carries"),
    [
        ("https://hook.hoabinh.gov.vn/thidua", False),
        ("https://hook.hoabinh.gov.vn/thidua?lang=vi", False),
        ("https://admin:pw@hook.hoabinh.gov.vn/thidua", True),
        ("https://hook.hoabinh.gov.vn/thidua?api_key=1", True),
        ("https://hook.hoabinh.gov.vn/thidua?Token=1", True),
        ("https://hook.hoabinh.gov.vn/thidua?sig=1", True),
    ],
)
def test_a_url_with_user_info_or_a_credential_like_parameter_is_caught(url: str, carries: bool) -> None:
    assert (credential_in(url) is not None) is carries


def test_a_url_is_shown_without_user_info_or_query_values() -> None:
    assert redacted("https://u:p@hook.vn:8443/a/b?x=1&y=2#f") == "https://hook.vn:8443/a/b?x=***&y=***"


def test_an_error_message_loses_the_query_values_of_the_url() -> None:
    url = "http://127.0.0.1:1/hook?tinh=bi-mat"
    error = (
        "ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=1): "
        "Max retries exceeded with url: /hook?tinh=bi-mat"
    )
    assert "bi-mat" not in scrubbed(error, url)
    assert scrubbed(error, url).endswith("/hook?tinh=***")
