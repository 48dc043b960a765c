"""The signing certificate chain and private key.

Production names them in settings (``C2PA_SIGNING_CERT_PEM`` / ``C2PA_SIGNING_KEY_PEM``,
each a PEM value or a path to one). Without them, and only when
``C2PA_DEVELOPMENT_SIGNER`` is on (the default with ``DEBUG``), a development CA and a
signer issued by it are made once under ``C2PA_DEVELOPMENT_DIR`` (the data directory,
never in git) and shared by every process of this machine. Settings refuse to start
without either, so production never signs with a development key by accident.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_FILE = "c2pa-development-signer.pem"
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----\r?\n?", re.S)


@dataclass(frozen=True)
class SigningKeys:
    chain_pem: bytes  # the signer's certificate first, then the CAs that issued it
    key_pem: bytes
    trust_anchor_pem: bytes  # the root of the chain: what "issued by us" means when reading
    development: bool


def _pem(value: str, name: str) -> bytes:
    """A setting holding either the PEM text itself or the path of a PEM file."""
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n").encode()
    try:
        return Path(value).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a PEM value or a readable file: {exc.strerror}."
        ) from None


def _blocks(pem: bytes, kind: bytes) -> list[bytes]:
    return [match.group(0) for match in _PEM_BLOCK.finditer(pem) if kind in match.group(1)]


def _keys_from(chain_pem: bytes, key_pem: bytes, *, development: bool) -> SigningKeys:
    certificates = _blocks(chain_pem, b"CERTIFICATE")
    if not certificates:
        raise ImproperlyConfigured("C2PA_SIGNING_CERT_PEM holds no certificate.")
    return SigningKeys(
        chain_pem=b"".join(certificates),
        key_pem=key_pem,
        trust_anchor_pem=certificates[-1],
        development=development,
    )


@functools.cache
def signing_keys() -> SigningKeys:
    """The keys this process signs with (read once)."""
    if settings.C2PA_SIGNING_CERT_PEM and settings.C2PA_SIGNING_KEY_PEM:
        return _keys_from(
            _pem(settings.C2PA_SIGNING_CERT_PEM, "C2PA_SIGNING_CERT_PEM"),
            _pem(settings.C2PA_SIGNING_KEY_PEM, "C2PA_SIGNING_KEY_PEM"),
            development=False,
        )
    if not settings.C2PA_DEVELOPMENT_SIGNER:
        raise ImproperlyConfigured("No C2PA signing key: set C2PA_SIGNING_CERT_PEM and C2PA_SIGNING_KEY_PEM.")
    return development_keys(Path(settings.C2PA_DEVELOPMENT_DIR))


def development_keys(directory: Path) -> SigningKeys:
    """The machine's development signer, made on first use.

    Everything lives in one file written under a temporary name and then hard-linked
    into place: ``os.link`` fails if the name exists, so when two processes start at
    once exactly one CA wins and both sign with it.
    """
    path = directory / DEVELOPMENT_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".c2pa-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_new_development_signer())
            os.chmod(temporary, 0o600)
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    bundle = path.read_bytes()
    certificates = b"".join(_blocks(bundle, b"CERTIFICATE"))
    return _keys_from(certificates, _blocks(bundle, b"PRIVATE KEY")[0], development=True)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ModelSnapper development"),
        ]
    )


def _usage(*, signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signing,
        crl_sign=not signing,
        encipher_only=False,
        decipher_only=False,
    )


def _new_development_signer() -> bytes:
    """A P-256 CA and a leaf it issued (the profile C2PA validators accept): leaf, CA, key."""
    now = datetime.datetime.now(datetime.UTC)
    lifetime = datetime.timedelta(days=3650)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("ModelSnapper development CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + lifetime)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(signing=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("ModelSnapper development signer"))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + lifetime)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(signing=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return (
        leaf.public_bytes(serialization.Encoding.PEM)
        + ca.public_bytes(serialization.Encoding.PEM)
        + leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def preflight_problem() -> str | None:
    """For ``manage.py preflight``: can this process sign? A bad path or key fails here, not at a job."""
    if not settings.C2PA_ENABLED:
        return None
    import c2pa

    try:
        keys = signing_keys()
        signer = c2pa.Signer.from_info(
            c2pa.C2paSignerInfo(alg=b"es256", sign_cert=keys.chain_pem, private_key=keys.key_pem, ta_url=None)
        )
        signer.close()
    except ImproperlyConfigured as exc:
        return str(exc)
    except Exception as exc:  # the native library says what it refused
        return f"The C2PA signing certificate or key cannot sign ({type(exc).__name__}: {exc})."[:400]
    return None
