import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.signing.ed25519 import Ed25519Signer
from core.domain.keys import LeaseClaims, LicenseClaims

LEASE = LeaseClaims(lid="lic_1", product="acmesoft-pro", tier="desktop", machine="ab" * 32,
                    iat=1767225600, exp=1767830400, test=False)


def decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_a_lease_is_lease1_signed_over_its_prefix_kid_and_payload_text():
    private = Ed25519PrivateKey.generate()
    signer = Ed25519Signer(private)
    signed = signer.sign_lease(LEASE)
    prefix, kid, payload, sig = signed.key.split(".")
    assert (prefix, kid, signed.kid) == ("LEASE1", signer.signing_kid, signer.signing_kid)
    assert json.loads(decode(payload)) == {"v": 1, "lid": "lic_1", "product": "acmesoft-pro", "tier": "desktop",
                                           "machine": "ab" * 32, "iat": 1767225600, "exp": 1767830400, "test": False}
    private.public_key().verify(decode(sig), f"LEASE1.{kid}.{payload}".encode("ascii"))  # raises if not
    assert "=" not in signed.key


def test_a_lease_and_a_key_with_the_same_claims_never_share_a_signature():
    signer = Ed25519Signer(Ed25519PrivateKey.generate())
    key = signer.sign(LicenseClaims(lid="lic_1", product="acmesoft-pro", tier="desktop", seats=1, name="A",
                                    iat=1767225600, exp=None, test=False)).key
    lease = signer.sign_lease(LEASE).key
    assert key.startswith("LIC1.") and lease.startswith("LEASE1.")
    assert key.split(".")[3] != lease.split(".")[3]
