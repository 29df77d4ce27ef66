"""Themis key containers, signed and encrypted Secure Messages, the Secure Cell seal.

Written from docs/themis-secure-message.md and /work/shared/specs/themis-secure-message.md
(sections 1-7), RFC 8017 (RSA-OAEP, RSASSA-PSS), SEC 1 (points) and X.690 (DER). Decisions
where those leave a choice are listed in README.md, "Decisions".
"""

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wire import BadArgs, Reader, Rejected, hex_arg

# --- CRC-32C (Castagnoli, reflected 0x82F63B78), spec section 1.2 ---


def _crc_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


# --- curves (SEC 2 / FIPS 186-4 domain parameters) ---


class Curve:
    def __init__(self, name, digit, ec_curve, field_len, p, n, max_sig):
        self.name = name
        self.digit = digit
        self.ec_curve = ec_curve
        self.field_len = field_len
        self.p = p
        self.n = n
        # EVP_PKEY_size of the curve's key: the largest DER signature (spec section 3.3).
        self.max_sig = max_sig


CURVES = {
    c.digit: c
    for c in (
        Curve(
            "P-256", b"2", ec.SECP256R1(), 32,
            2**256 - 2**224 + 2**192 + 2**96 - 1,
            0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
            72,
        ),
        Curve(
            "P-384", b"3", ec.SECP384R1(), 48,
            2**384 - 2**128 - 2**96 + 2**32 - 1,
            0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
            104,
        ),
        Curve(
            "P-521", b"5", ec.SECP521R1(), 66,
            2**521 - 1,
            0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
            141,
        ),
    )
}
# RSA tag digit -> modulus length in bytes (the digit counts kilobits).
RSA_SIZES = {b"1": 128, b"2": 256, b"4": 512, b"8": 1024}
RSA_EXPONENTS = (3, 65537)

# --- message constants (spec section 2) ---

EC_SIGNED = 0x26042620
RSA_SIGNED = 0x26042610
EC_ENCRYPTED = 0x26042720
RSA_ENCRYPTED = 0x26042710
SIGNED_FAMILY = {EC_SIGNED: "ec", RSA_SIGNED: "rsa"}
ENCRYPTED_FAMILY = {EC_ENCRYPTED: "ec", RSA_ENCRYPTED: "rsa"}

CELL_ALG = 0x40010100  # AES, GCM, 256-bit key, Soter KDF
CELL_IV_LEN = 12
CELL_TAG_LEN = 16
CELL_TOKEN_HEADER = 16
KDF_LABEL = b"Themis secure cell message key"
RSA_SECRET_LEN = 70
OAEP_HASH_LEN = 20


class Key:
    def __init__(self, kind, obj, curve=None, modulus_len=None):
        self.kind = kind
        self.family = kind.split("_")[0]
        self.private = kind.endswith("_private")
        self.obj = obj
        self.curve = curve
        self.modulus_len = modulus_len

    @property
    def max_sig(self):
        return self.curve.max_sig if self.family == "ec" else self.modulus_len


def _int(b):
    return int.from_bytes(b, "big")


def _ec_private(payload, curve, what):
    f = curve.field_len
    if len(payload) == f + 1:
        if payload[0] != 0:
            raise Rejected("key", f"{what}: the {f + 1}-byte scalar field does not start with 00")
    elif len(payload) != f:
        raise Rejected("key", f"{what}: an {curve.name} private key holds {f} or {f + 1} bytes, not {len(payload)}")
    d = _int(payload)
    if not 1 <= d < curve.n:
        raise Rejected("key", f"{what}: the scalar is not in [1, n)")
    return Key("ec_private", ec.derive_private_key(d, curve.ec_curve), curve=curve)


def _ec_public(payload, curve, what):
    f = curve.field_len
    prefix = payload[:1]
    if prefix in (b"\x02", b"\x03") and len(payload) == 1 + f:
        coords = [_int(payload[1:])]
    elif prefix == b"\x04" and len(payload) == 1 + 2 * f:
        coords = [_int(payload[1 : 1 + f]), _int(payload[1 + f :])]
    else:
        raise Rejected("key", f"{what}: not a compressed or uncompressed {curve.name} point encoding")
    if any(c >= curve.p for c in coords):
        raise Rejected("key", f"{what}: a coordinate is not below the field prime")
    try:
        obj = ec.EllipticCurvePublicKey.from_encoded_point(curve.ec_curve, payload)
    except ValueError:
        raise Rejected("key", f"{what}: the point is not on {curve.name}") from None
    return Key("ec_public", obj, curve=curve)


def _rsa_n_e(n_bytes, e_bytes, what):
    n, e = _int(n_bytes), _int(e_bytes)
    if e not in RSA_EXPONENTS:
        raise Rejected("key", f"{what}: RSA exponent {e} is neither 3 nor 65537")
    if n_bytes[0] == 0:
        raise Rejected("key", f"{what}: the modulus does not fill its {len(n_bytes)}-byte field")
    if n % 2 == 0:
        raise Rejected("key", f"{what}: the modulus is even")
    return n, e


def _rsa_public(payload, k, what):
    if len(payload) != k + 4:
        raise Rejected("key", f"{what}: an RSA public key of {k} bytes holds {k + 4} bytes, not {len(payload)}")
    n, e = _rsa_n_e(payload[:k], payload[k:], what)
    return Key("rsa_public", rsa.RSAPublicNumbers(e, n).public_key(), modulus_len=k)


def _rsa_private(payload, k, what):
    h = k // 2
    if len(payload) != k + 5 * h + k + 4:
        raise Rejected("key", f"{what}: an RSA private key of {k} bytes holds {k + 5 * h + k + 4} bytes, not {len(payload)}")
    r = Reader(payload, what)
    d = _int(r.take(k, "d", "key"))
    p, q, dp, dq, qp = (_int(r.take(h, name, "key")) for name in ("p", "q", "dp", "dq", "qp"))
    n_bytes = r.take(k, "n", "key")
    n, e = _rsa_n_e(n_bytes, r.take(4, "e", "key"), what)
    if p < 3 or q < 3 or p * q != n:
        raise Rejected("key", f"{what}: n is not p * q")
    if (d * e) % (p - 1) != 1 or (d * e) % (q - 1) != 1:
        raise Rejected("key", f"{what}: d is not the inverse of e")
    if dp != d % (p - 1) or dq != d % (q - 1) or qp != pow(q, -1, p):
        raise Rejected("key", f"{what}: the CRT values do not follow from p, q and d")
    try:
        obj = rsa.RSAPrivateNumbers(p, q, d, dp, dq, qp, rsa.RSAPublicNumbers(e, n)).private_key()
    except ValueError as err:
        raise Rejected("key", f"{what}: not a usable RSA key ({err})") from None
    return Key("rsa_private", obj, modulus_len=k)


def parse_key(data, what):
    """A Soter container (spec section 1): header, size, CRC, tag, payload length, then
    the numbers themselves. Every failure is stage `key`."""
    if len(data) < 12:
        raise Rejected("key", f"{what}: {len(data)} bytes, shorter than the 12-byte container header")
    tag, size, stored_crc = data[:4], _int(data[4:8]), int.from_bytes(data[8:12], "little")
    if size != len(data):
        raise Rejected("key", f"{what}: container size field says {size}, the key is {len(data)} bytes")
    if crc32c(data[:8] + b"\x00\x00\x00\x00" + data[12:]) != stored_crc:
        raise Rejected("key", f"{what}: CRC-32C mismatch")
    payload = data[12:]
    family, digit = tag[:3], tag[3:]
    if family in (b"REC", b"UEC") and digit in CURVES:
        curve = CURVES[digit]
        return (_ec_private if family == b"REC" else _ec_public)(payload, curve, what)
    if family in (b"RRA", b"URA") and digit in RSA_SIZES:
        k = RSA_SIZES[digit]
        return (_rsa_private if family == b"RRA" else _rsa_public)(payload, k, what)
    raise Rejected("key", f"{what}: unknown container tag {tag!r}")


def _key_arg(args, field):
    return parse_key(hex_arg(args, field), field)


# --- DER ECDSA signatures (X.690, strict) ---


def _der_length(r):
    first = r.take(1, "a DER length", "signature")[0]
    if first < 0x80:
        return first
    count = first & 0x7F
    if count == 0 or count > 2:
        raise Rejected("signature", "signature: unsupported DER length form")
    raw = r.take(count, "a DER length", "signature")
    value = _int(raw)
    if raw[0] == 0 or value < 0x80:
        raise Rejected("signature", "signature: DER length not in its shortest form")
    return value


def _der_integer(r):
    if r.take(1, "an INTEGER tag", "signature") != b"\x02":
        raise Rejected("signature", "signature: expected a DER INTEGER")
    body = r.take(_der_length(r), "an INTEGER", "signature")
    if not body:
        raise Rejected("signature", "signature: empty DER INTEGER")
    if body[0] & 0x80:
        raise Rejected("signature", "signature: negative DER INTEGER")
    if len(body) > 1 and body[0] == 0 and not body[1] & 0x80:
        raise Rejected("signature", "signature: DER INTEGER not minimal")
    return _int(body)


def parse_der_signature(sig, curve):
    r = Reader(sig, "signature")
    if r.take(1, "the SEQUENCE tag", "signature") != b"\x30":
        raise Rejected("signature", "signature is not a DER SEQUENCE")
    if _der_length(r) != r.remaining():
        raise Rejected("signature", "signature: the DER SEQUENCE does not fill signature_length exactly")
    rr, ss = _der_integer(r), _der_integer(r)
    if r.remaining():
        raise Rejected("signature", "signature: bytes after the two INTEGERs")
    if not (1 <= rr < curve.n and 1 <= ss < curve.n):
        raise Rejected("signature", "signature: r or s out of range")
    return rr, ss


# --- signed messages (spec section 3) ---


def op_sign(args):
    key = _key_arg(args, "private_key")
    if not key.private:
        raise Rejected("key_kind", f"sign needs a private key, got {key.kind}")
    message = hex_arg(args, "message")
    if not message:
        raise Rejected("empty", "refusing to sign an empty message")
    if key.family == "ec":
        sig = key.obj.sign(message, ec.ECDSA(hashes.SHA256()))
        mtype = EC_SIGNED
    else:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
        sig = key.obj.sign(message, pss, hashes.SHA256())
        mtype = RSA_SIGNED
    out = mtype.to_bytes(4, "little") + len(message).to_bytes(4, "little") + len(sig).to_bytes(4, "little")
    return {"signed": (out + message + sig).hex()}


def op_verify(args):
    key = _key_arg(args, "public_key")
    if key.private:
        raise Rejected("key_kind", f"verify needs a public key, got {key.kind}")
    signed = hex_arg(args, "signed")
    if not signed:
        raise Rejected("empty", "empty signed message")
    r = Reader(signed, "signed message")
    mtype = r.u32le("the message type")
    if mtype not in SIGNED_FAMILY:
        raise Rejected("header", f"message type {mtype:#010x} is not a signed message type")
    if SIGNED_FAMILY[mtype] != key.family:
        raise Rejected("key_kind", f"a {SIGNED_FAMILY[mtype].upper()} signed message and an {key.family.upper()} key")
    m = r.u32le("message_length")
    s = r.u32le("signature_length")
    if r.remaining() < m + s:
        raise Rejected("length", f"message_length {m} + signature_length {s} exceed the {r.remaining()} bytes after the header")
    message = r.take(m, "the message")
    sig = r.take(s, "the signature")
    # Legacy wrappers sent the whole 12 + m + max_sig buffer Themis asked for; nothing longer.
    if s + r.remaining() > key.max_sig:
        raise Rejected("length", f"signature and trailing bytes ({s} + {r.remaining()}) exceed the key's largest signature, {key.max_sig}")
    if m == 0:
        raise Rejected("empty", "signed message with an empty plaintext")
    if key.family == "ec":
        rr, ss = parse_der_signature(sig, key.curve)
        try:
            key.obj.verify(encode_dss_signature(rr, ss), message, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Rejected("signature", "ECDSA signature does not verify") from None
    else:
        if len(sig) != key.modulus_len:
            raise Rejected("signature", f"RSA signature is {len(sig)} bytes, the modulus {key.modulus_len}")
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
        try:
            key.obj.verify(sig, message, pss, hashes.SHA256())
        except InvalidSignature:
            raise Rejected("signature", "RSA-PSS signature does not verify") from None
    return {"message": message.hex()}


# --- Secure Cell seal (spec section 4.2-4.3) and RSA-OAEP (section 5, RFC 8017 7.1) ---


def cell_key(master, n):
    info = b"\x00\x00\x00\x01" + KDF_LABEL + b"\x00" + n.to_bytes(4, "little")
    return hmac.new(master, info, hashlib.sha256).digest()[:32]


def seal_cell(master, iv, message):
    sealed = AESGCM(cell_key(master, len(message))).encrypt(iv, message, None)
    ct, tag = sealed[:-CELL_TAG_LEN], sealed[-CELL_TAG_LEN:]
    header = b"".join(v.to_bytes(4, "little") for v in (CELL_ALG, CELL_IV_LEN, CELL_TAG_LEN, len(message)))
    return header + iv + tag + ct


def parse_cell(cell):
    """Algorithm word first (nothing else can be read without it), then the layout its
    declared lengths imply, then whether those lengths are the supported ones."""
    r = Reader(cell, "Secure Cell")
    alg = r.u32le("the cell algorithm id")
    iv_len = r.u32le("the cell iv_length")
    tag_len = r.u32le("the cell auth_tag_length")
    n = r.u32le("the cell message_length")
    if alg != CELL_ALG:
        raise Rejected("algorithm", f"Secure Cell algorithm {alg:#010x} is not AES-256-GCM with the Soter KDF")
    if r.remaining() != iv_len + tag_len + n:
        raise Rejected(
            "length",
            f"cell declares iv {iv_len} + tag {tag_len} + message {n} bytes, {r.remaining()} follow its header",
        )
    if iv_len != CELL_IV_LEN or tag_len != CELL_TAG_LEN:
        raise Rejected("algorithm", f"AES-256-GCM cell with iv_length {iv_len} and auth_tag_length {tag_len}, not 12 and 16")
    if n == 0:
        raise Rejected("empty", "Secure Cell with an empty message")
    iv = r.take(iv_len, "the IV")
    tag = r.take(tag_len, "the tag")
    return iv, tag, r.rest()


def open_cell(master, iv, tag, ct):
    try:
        return AESGCM(cell_key(master, len(ct))).decrypt(iv, ct + tag, None)
    except InvalidTag:
        raise Rejected("authentication", "Secure Cell tag does not verify") from None


def _mgf1_sha1(seed, length):
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def oaep_sha1_encrypt(public, message, seed):
    """EME-OAEP with SHA-1, MGF1-SHA-1 and an empty label, then the raw RSA operation;
    done by hand so an injected seed gives exact bytes."""
    k = public.modulus_len
    numbers = public.obj.public_numbers()
    ps = b"\x00" * (k - len(message) - 2 * OAEP_HASH_LEN - 2)
    db = hashlib.sha1(b"").digest() + ps + b"\x01" + message
    masked_db = bytes(a ^ b for a, b in zip(db, _mgf1_sha1(seed, k - OAEP_HASH_LEN - 1)))
    masked_seed = bytes(a ^ b for a, b in zip(seed, _mgf1_sha1(masked_db, OAEP_HASH_LEN)))
    em = b"\x00" + masked_seed + masked_db
    return pow(_int(em), numbers.e, numbers.n).to_bytes(k, "big")


class Draws:
    """Randomness in the order the Themis core draws it (the corrected PROTOCOL.md):
    EC: the IV; RSA: the secret, the OAEP seed, then the IV. Injected values are
    served in that order and each must be the size of its draw."""

    def __init__(self, rnd, family):
        if rnd is None:
            self.queue = None
            return
        if not isinstance(rnd, dict):
            raise BadArgs("random is not an object")
        names = ["iv"] if family == "ec" else ["secret", "oaep_seed", "iv"]
        self.queue = [(name, hex_arg(rnd, name)) for name in names]

    def draw(self, size, what):
        if self.queue is None:
            return os.urandom(size)
        name, value = self.queue.pop(0)
        if len(value) != size:
            raise BadArgs(f"random.{name} is {len(value)} bytes; the draw for {what} takes {size}")
        return value


def _key_pair(args):
    private = _key_arg(args, "private_key")
    peer = _key_arg(args, "peer_public_key")
    if not private.private:
        raise Rejected("key_kind", f"private_key is {private.kind}")
    if peer.private:
        raise Rejected("key_kind", f"peer_public_key is {peer.kind}")
    if private.family != peer.family:
        raise Rejected("key_kind", f"an {private.family.upper()} private key with an {peer.family.upper()} public key")
    if private.family == "ec" and private.curve is not peer.curve:
        raise Rejected("key_kind", f"keys on different curves: {private.curve.name} and {peer.curve.name}")
    return private, peer


def op_encrypt(args):
    private, peer = _key_pair(args)
    message = hex_arg(args, "message")
    if not message:
        raise Rejected("empty", "refusing to encrypt an empty message")
    draws = Draws(args.get("random"), private.family)
    if private.family == "ec":
        shared = private.obj.exchange(ec.ECDH(), peer.obj)
        cell = seal_cell(shared, draws.draw(CELL_IV_LEN, "the IV"), message)
        out = EC_ENCRYPTED.to_bytes(4, "little") + (8 + len(cell)).to_bytes(4, "little") + cell
    else:
        # RSA messages are anonymous: the sender's key is checked above and not used.
        secret = draws.draw(RSA_SECRET_LEN, "the secret")
        wrapped = oaep_sha1_encrypt(peer, secret, draws.draw(OAEP_HASH_LEN, "the OAEP seed"))
        cell = seal_cell(secret, draws.draw(CELL_IV_LEN, "the IV"), message)
        k = peer.modulus_len
        out = (
            RSA_ENCRYPTED.to_bytes(4, "little")
            + (12 + k + len(cell)).to_bytes(4, "little")
            + k.to_bytes(4, "little")
            + wrapped
            + cell
        )
    return {"encrypted": out.hex()}


def op_decrypt(args):
    private, peer = _key_pair(args)
    data = hex_arg(args, "encrypted")
    if not data:
        raise Rejected("empty", "empty encrypted message")
    r = Reader(data, "encrypted message")
    mtype = r.u32le("the message type")
    if mtype not in ENCRYPTED_FAMILY:
        raise Rejected("header", f"message type {mtype:#010x} is not an encrypted message type")
    if ENCRYPTED_FAMILY[mtype] != private.family:
        raise Rejected("key_kind", f"an {ENCRYPTED_FAMILY[mtype].upper()} encrypted message and {private.family.upper()} keys")
    total = r.u32le("the total length")
    if total != len(data):
        raise Rejected("length", f"total length field says {total}, the message is {len(data)} bytes")
    if private.family == "ec":
        iv, tag, ct = parse_cell(r.rest())
        return {"message": open_cell(private.obj.exchange(ec.ECDH(), peer.obj), iv, tag, ct).hex()}
    k = private.modulus_len
    ekl = r.u32le("encrypted_key_length")
    if ekl != k:
        raise Rejected("length", f"encrypted_key_length {ekl} is not the recipient's modulus length {k}")
    wrapped = r.take(ekl, "the wrapped secret")
    iv, tag, ct = parse_cell(r.rest())
    try:
        secret = private.obj.decrypt(
            wrapped, padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
        )
    except ValueError:
        raise Rejected("authentication", "RSA-OAEP does not decrypt under the recipient's key") from None
    if len(secret) != RSA_SECRET_LEN:
        raise Rejected("authentication", f"RSA-OAEP gave a {len(secret)}-byte secret, not {RSA_SECRET_LEN}")
    return {"message": open_cell(secret, iv, tag, ct).hex()}


def op_key_check(args):
    return {"kind": _key_arg(args, "key").kind}


OPS = {
    "themis.key.check": op_key_check,
    "themis.sign": op_sign,
    "themis.verify": op_verify,
    "themis.encrypt": op_encrypt,
    "themis.decrypt": op_decrypt,
}
