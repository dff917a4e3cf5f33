"""The Academy's digital signature on an issued decision: PAdES, with its key and certificate from files.

Production names the key, the certificate and the chain of the Academy's signing certificate
(``REGISTRY_SIGNING_KEY_FILE``, ``_CERT_FILE``, ``_CHAIN_FILE``, PEM). Without them the registry makes
once, under its data directory, a local demonstration authority and a signing certificate issued by it
(``signing/``, readable by its owner only): ``make run`` signs with it, and a validator trusts it only
when told to take ``signing/ca.pem`` as a trust root.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

ACADEMY = "Học viện Chính trị quốc gia Hồ Chí Minh"
FIELD = "ChuKySoHocVien"


@dataclass(frozen=True)
class SigningFiles:
    """Where the signing key, its certificate and the certificates of its issuers are (PEM)."""

    key: Path
    certificate: Path
    chain: tuple[Path, ...] = ()


def demo_authority(directory: Path) -> SigningFiles:
    """Return a local demonstration authority's signing files under a directory, made on first use.

    They are made in a directory of their own and moved into place at once, so two processes making
    them together end with one authority whose key matches its certificate.
    """
    files = SigningFiles(directory / "key.pem", directory / "cert.pem", (directory / "ca.pem",))
    if directory.exists():
        return files
    directory.parent.mkdir(parents=True, exist_ok=True)
    making = Path(tempfile.mkdtemp(prefix=".signing-", dir=directory.parent))
    _make_authority(SigningFiles(making / "key.pem", making / "cert.pem", (making / "ca.pem",)))
    try:
        making.rename(directory)
    except OSError:  # another process put its own in place first: use that one
        shutil.rmtree(making, ignore_errors=True)
    return files


def _make_authority(files: SigningFiles) -> None:
    """Write a new authority's certificate and a signing key with a certificate it issued."""
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("CA minh họa (không dùng thật)")
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, now, authority=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signer = _certificate(_name("Giám đốc Học viện (minh họa)"), ca_name, key.public_key(), ca_key, now)
    pem = serialization.Encoding.PEM
    _write(files.chain[0], ca.public_bytes(pem))
    _write(files.certificate, signer.public_bytes(pem))
    private = serialization.PrivateFormat.PKCS8
    _write(files.key, key.private_bytes(pem, private, serialization.NoEncryption()))


def sign(pdf: bytes, files: SigningFiles, reason: str, location: str = "Hà Nội") -> bytes:
    """Return the PDF signed in PAdES (B-B) with the key and certificate of the files."""
    signer = signers.SimpleSigner.load(
        str(files.key), str(files.certificate), ca_chain_files=tuple(str(p) for p in files.chain)
    )
    if signer is None:
        raise ValueError("the signing key or certificate could not be read")
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, reason=reason, location=location
    )
    output = io.BytesIO()
    signers.PdfSigner(meta, signer=signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), output=output)
    return output.getvalue()


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ACADEMY),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: rsa.RSAPublicKey,
    issuer_key: rsa.RSAPrivateKey,
    now: datetime,
    authority: bool = False,
) -> x509.Certificate:
    usage = {"key_cert_sign": authority, "crl_sign": authority}
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(
            x509.BasicConstraints(ca=authority, path_length=0 if authority else None), critical=True
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not authority,
                content_commitment=not authority,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
                **usage,
            ),
            critical=True,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def _write(path: Path, content: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(content)


@dataclass(frozen=True)
class PaperSigner:
    """Renders an issued decision as PDF and signs it (None when the fonts are not installed)."""

    files: SigningFiles
    font_dir: Path

    def __call__(self, decision: Mapping[str, Any]) -> bytes | None:
        """Return the decision's signed PDF, or None when it cannot be set in its fonts here."""
        from services.registry import paper_pdf

        if not paper_pdf.fonts_at(self.font_dir):
            return None
        reason = f"Ban hành Quyết định khen thưởng số {decision['number']}"
        return sign(paper_pdf.decision_pdf(decision, {}, {}), self.files, reason)

    def signed_by(self) -> str:
        """Return the common name of the signing certificate."""
        certificate = x509.load_pem_x509_certificate(self.files.certificate.read_bytes())
        names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""
