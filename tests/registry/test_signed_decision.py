"""The issued decision as a PDF signed in PAdES: it validates against the authority's certificate, a
changed byte breaks it, and it is the same file at every download, whatever changes afterwards."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from services.registry.app import awards, schools
from services.registry.config import RegistrySettings
from services.registry.signing import PaperSigner, demo_authority
from tests.registry.test_decision_lifecycle import (
    ACADEMY,
    PARTICULARS,
    active_awarded,
    draft,
    flags,
)
from tests.registry.test_decision_lifecycle import uow as uow

FONTS = RegistrySettings.__dataclass_fields__["font_dir"].default


@pytest.fixture
def signer(tmp_path: Path) -> PaperSigner:
    return PaperSigner(demo_authority(tmp_path / "signing"), FONTS)


def validity(content: bytes, trust_root: Path) -> tuple[bool, bool]:
    """Return (intact, trusted) of the first signature, validated by pyHanko with the CA as trust root.

    The validator runs its own event loop: it is called on a thread of its own, so a caller inside one
    (a browser journey) can use it too.
    """

    def validate() -> tuple[bool, bool]:
        context = ValidationContext(trust_roots=[load_cert_from_pemder(str(trust_root))])
        signature = PdfFileReader(io.BytesIO(content)).embedded_signatures[0]
        status = validate_pdf_signature(signature, context)
        return status.intact and status.valid, status.trusted

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(validate).result(timeout=60)


def test_the_issued_decision_is_signed_validates_and_a_changed_byte_breaks_it(uow, signer) -> None:  # type: ignore[no-untyped-def]
    draft(uow, "qd_main", flags(6, 2), **PARTICULARS)
    issued = awards.issue_draft(uow, 2023, "qd_main", ACADEMY, signer)
    signed = next(e for e in uow.recorded if e.type == "DecisionPaperSigned")
    content = awards.signed_paper(uow, 2023, issued["decision_id"])  # type: ignore[arg-type]
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == signed.data["pdf_sha256"]
    assert validity(content, signer.files.chain[0]) == (True, True)
    changed = bytearray(content)
    changed[len(content) // 3] ^= 1
    assert validity(bytes(changed), signer.files.chain[0])[0] is False  # one byte: the signature breaks
    renamed, name = active_awarded(uow, issued)
    schools.update_school(uow, renamed, {"name": f"{name} (tên mới)"}, None, ACADEMY)
    assert awards.signed_paper(uow, 2023, issued["decision_id"]) == content  # type: ignore[arg-type]


def test_a_corrected_decision_is_signed_again_and_the_first_paper_stays_in_its_event(uow, signer) -> None:  # type: ignore[no-untyped-def]
    draft(uow, "qd_main", flags(6, 2), **PARTICULARS)
    issued = awards.issue_draft(uow, 2023, "qd_main", ACADEMY, signer)
    first = awards.signed_paper(uow, 2023, issued["decision_id"])  # type: ignore[arg-type]
    awards.correct_decision(
        uow, 2023, issued["decision_id"], {"number": "16-QĐ/HVCTQG"}, "Gõ nhầm", ACADEMY, signer
    )
    again = awards.signed_paper(uow, 2023, issued["decision_id"])  # type: ignore[arg-type]
    papers = [e.data["pdf_sha256"] for e in uow.recorded if e.type == "DecisionPaperSigned"]
    assert again != first and papers == [hashlib.sha256(first).hexdigest(), hashlib.sha256(again).hexdigest()]
    assert validity(again, signer.files.chain[0]) == (True, True)


def test_two_processes_making_the_demonstration_authority_together_end_with_one_that_matches(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    make = "import sys; from pathlib import Path; from services.registry.signing import demo_authority; "
    make += "demo_authority(Path(sys.argv[1]))"
    makers = [subprocess.Popen([sys.executable, "-c", make, str(tmp_path / "signing")]) for _ in range(2)]
    assert [m.wait(timeout=60) for m in makers] == [0, 0]
    files = demo_authority(tmp_path / "signing")
    key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
    certificate = x509.load_pem_x509_certificate(files.certificate.read_bytes())
    assert key.public_key().public_numbers() == certificate.public_key().public_numbers()  # type: ignore[union-attr]
    assert [p.name for p in tmp_path.iterdir()] == ["signing"]  # the loser's directory is gone
