"""No input yields a 500: numbers beyond 64 bits, JSON nested too deep, blank names, bodies too large."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.registry.conftest import auth, make_school

HUGE = "9" * 30


def assert_error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == code


def schools(client: FlaskClient) -> list[dict]:  # type: ignore[type-arg]
    return client.get("/schools", headers=auth()).get_json()  # type: ignore[no-any-return]


def test_an_integer_beyond_64_bits_in_a_path_is_not_found(client: FlaskClient) -> None:
    assert_error(client.get(f"/campaigns/{HUGE}", headers=auth()), 404, "not_found")


def test_an_integer_beyond_64_bits_in_a_query_is_refused(client: FlaskClient) -> None:
    response = client.get("/schools", query_string={"page": HUGE}, headers=auth())
    assert response.status_code in (400, 422), response.get_data(as_text=True)


def test_json_nested_a_thousand_deep_is_refused_and_changes_nothing(client: FlaskClient) -> None:
    body = '{"code": "HB", "name": ' + "[" * 1000 + "]" * 1000 + "}"
    response = client.post("/schools", data=body, content_type="application/json", headers=auth())
    assert_error(response, 400, "nested_too_deeply")
    assert schools(client) == []


def test_a_blank_school_code_or_name_is_a_validation_error(client: FlaskClient) -> None:
    for blank in ({"code": "   "}, {"name": " \t "}):
        response = client.post("/schools", json=make_school(**blank), headers=auth())
        assert_error(response, 422, "validation_failed")
    assert schools(client) == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: FlaskClient) -> None:
    body = make_school(name="x" * (2 * 1024 * 1024))
    assert_error(client.post("/schools", json=body, headers=auth()), 413, "request_entity_too_large")
    assert schools(client) == []


def test_a_name_with_a_control_character_is_refused_by_the_api_with_the_field_named(
    client: FlaskClient,
) -> None:
    response = client.post("/schools", json=make_school(name="Trường\x07"), headers=auth())
    assert_error(response, 422, "validation_failed")
    assert "name" in response.get_json()["error"]["details"]["json"]
    assert schools(client) == []
