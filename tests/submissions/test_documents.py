"""Documents: content-addressed storage, type read from the bytes, size limit, references checked."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

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


def docx_with(members: dict[str, bytes | int]) -> bytes:
    """Return a DOCX-typed archive; an int member is that many zero bytes, streamed in."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in members.items():
            if isinstance(content, int):
                with archive.open(name, "w", force_zip64=True) as stream:
                    for _ in range(content // (1 << 20)):
                        stream.write(bytes(1 << 20))
            else:
                archive.writestr(name, content)
    return buffer.getvalue()


def with_production_upload_limit(world: World) -> World:
    """Give the service the production upload limit (20 MB), so only the archive rules refuse."""
    limit = 20 * 1024 * 1024
    world.service.config = dataclasses.replace(world.service.config, max_upload_bytes=limit)
    world.client.application.config["MAX_CONTENT_LENGTH"] = limit + 64 * 1024
    return world


def stored_files(world: World) -> list[Path]:
    return [p for p in Path(world.service.documents_dir).rglob("*") if p.is_file()]


def test_a_docx_holding_a_gibibyte_member_is_refused_and_not_stored(world: World) -> None:
    bomb = docx_with({"word/media/bom.bin": 1 << 30})
    assert len(bomb) < 1_100_000  # about 1 MB on the wire
    response = upload(with_production_upload_limit(world), bomb, "bao-cao.docx")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "archive_too_large"
    assert stored_files(world) == []


def test_an_archive_that_expands_too_many_times_its_size_is_refused(world: World) -> None:
    response = upload(world, docx_with({"word/media/nen.bin": 8 << 20}), "bao-cao.docx")  # about 1000:1
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "archive_too_large"
    assert stored_files(world) == []


def test_an_archive_with_too_many_members_is_refused(world: World) -> None:
    many = docx_with({f"word/m{i}.xml": b"<x/>" for i in range(2100)})
    response = upload(with_production_upload_limit(world), many, "bao-cao.docx")
    assert response.status_code == 413
    assert response.get_json()["error"]["details"]["members"] == 2102


def test_an_ordinary_docx_is_stored(world: World) -> None:
    response = upload(world, docx_with({"word/styles.xml": b"<w:styles/>" * 50}), "bao-cao.docx")
    assert response.status_code == 201 and response.get_json()["media_type"].endswith("document")


def test_a_file_that_only_starts_like_a_pdf_is_refused(world: World) -> None:
    response = upload(world, b"%PDF-1.4\n<script>alert(1)</script>" + bytes(5000), "bao-cao.pdf")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "corrupt_document"
    assert stored_files(world) == []


def test_a_macro_enabled_workbook_is_refused_whatever_its_name(world: World) -> None:
    macro = docx_with({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(100)})
    response = upload(world, macro, "bang-diem.xlsx")
    assert response.status_code == 415 and response.get_json()["error"]["code"] == "macro_enabled"
    assert stored_files(world) == []
