"""Documents: content-addressed storage, type read from the bytes, size limit, references checked."""

from __future__ import annotations

import io

from tests.submissions.conftest import HOA_BINH, World, auth, file, officer, pdf_bytes, plan, xlsx_bytes


def upload(world: World, content: bytes, name: str = "bao-cao.pdf"):  # type: ignore[no-untyped-def]
    return world.client.post(
        "/documents",
        data={"file": (io.BytesIO(content), name)},
        headers=officer(HOA_BINH),
        content_type="multipart/form-data",
    )


def test_the_same_bytes_are_stored_once_under_their_hash(world: World) -> None:
    first = upload(world, pdf_bytes())
    assert first.status_code == 201
    assert first.get_json()["media_type"] == "application/pdf"
    assert upload(world, pdf_bytes(), "another-name.pdf").get_json()["sha256"] == first.get_json()["sha256"]
    download = world.client.get(f"/documents/{first.get_json()['sha256']}", headers=auth("operator"))
    assert download.data == pdf_bytes()
    assert (
        upload(world, xlsx_bytes(), "bang-diem.xlsx").get_json()["media_type"].endswith("spreadsheetml.sheet")
    )


def test_the_type_comes_from_the_bytes_not_the_name(world: World) -> None:
    response = upload(world, b"just some text pretending", "fake.pdf")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_file_type"


def test_a_file_above_the_limit_is_413(world: World) -> None:
    response = upload(world, pdf_bytes("x" * 300_000))
    assert response.status_code == 413
    assert "error" in response.get_json()


def test_a_filing_carries_document_hashes_and_an_unknown_hash_is_422(world: World) -> None:
    digest = upload(world, pdf_bytes()).get_json()["sha256"]
    filed = file(world, "01", plan(), officer(HOA_BINH), school_id=HOA_BINH, documents=[digest])
    assert filed.get_json()["documents"][0]["sha256"] == digest
    unknown = file(
        world,
        "04",
        {"summary": "x", "figures": {}},
        officer(HOA_BINH),
        school_id=HOA_BINH,
        documents=["0" * 64],
    )
    assert unknown.status_code == 422
    missing = world.client.put(
        f"/filings/{filed.get_json()['submission_id']}",
        json={"payload": plan(), "documents": ["f" * 64]},
        headers=officer(HOA_BINH),
    )
    assert missing.get_json()["error"]["code"] == "unknown_document"
