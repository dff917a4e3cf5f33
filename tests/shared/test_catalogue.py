"""Publishing validates strictly; consuming upcasts older versions and reads tolerantly."""

from __future__ import annotations

import pytest

from shared.catalogue import InvalidEventData, UnknownEventType
from tests.factories import catalogue_for


def test_publishing_refuses_unknown_fields() -> None:
    pinged = catalogue_for("t")["Pinged"]
    with pytest.raises(InvalidEventData) as caught:
        pinged.validate({"number": 1, "extra": True})
    assert "extra" in caught.value.messages


def test_publishing_refuses_a_missing_or_mistyped_field() -> None:
    pinged = catalogue_for("t")["Pinged"]
    with pytest.raises(InvalidEventData):
        pinged.validate({"note": "no number"})
    with pytest.raises(InvalidEventData):
        pinged.validate({"number": "many"})


def test_consuming_upcasts_version_one_to_the_current_shape() -> None:
    pinged = catalogue_for("t")["Pinged"]
    assert pinged.read(1, {"n": 5, "note": "old"}) == {"number": 5, "note": "old"}


def test_consuming_keeps_fields_added_by_a_newer_publisher() -> None:
    pinged = catalogue_for("t")["Pinged"]
    assert pinged.read(2, {"number": 5, "added_later": "x"})["added_later"] == "x"


def test_a_version_newer_than_declared_is_refused() -> None:
    with pytest.raises(InvalidEventData, match="newer"):
        catalogue_for("t")["Pinged"].read(3, {"number": 1})


def test_an_undeclared_type_is_unknown() -> None:
    with pytest.raises(UnknownEventType):
        catalogue_for("t")["Nope"]


def test_a_type_cannot_be_declared_twice() -> None:
    catalogue = catalogue_for("t")
    with pytest.raises(ValueError, match="twice"):
        catalogue.declare(catalogue["Pinged"])
