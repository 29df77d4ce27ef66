"""Mixin encrypted-message bodies, key conversions and the conversation checksum.

Written from docs/mixin-encrypted-message.md and /work/shared/specs/mixin-encrypted-message.md
(wire format, section 1), RFC 7748 (X25519, the Edwards/Montgomery map), RFC 8032 section
5.1.3 (decoding an Ed25519 point) and RFC 4122 section 3 (the UUID string). Decisions where
those leave a choice are listed in README.md, "Decisions".
"""

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wire import BadArgs, Reader, Rejected, hex_arg, list_arg, str_arg

VERSION = 1
HEADER_LEN = 1 + 2 + 32
BLOCK_LEN = 16 + 16 + 32
NONCE_LEN = 12
TAG_LEN = 16
MAX_SESSIONS = 0xFFFF
# The wrapped key is the 16-byte message key followed by one whole block of PKCS#7 padding.
KEY_PADDING = b"\x10" * 16

# --- Curve25519 / edwards25519 arithmetic on Python integers (RFC 7748, RFC 8032) ---

P = 2**255 - 19
D = (-121665 * pow(121666, -1, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
L = 2**252 + 27742317777372353535851937790883648493
IDENTITY = (0, 1, 1, 0)


def _add(p1, p2):
    """Extended-coordinate addition (RFC 8032 section 5.1.4); complete on edwards25519."""
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * D * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(k, point):
    out = IDENTITY
    while k:
        if k & 1:
            out = _add(out, point)
        point = _add(point, point)
        k >>= 1
    return out


def _is_identity(point):
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def decode_edwards_point(data):
    """RFC 8032 section 5.1.3, strictly: y must be below p, x must exist, and the
    sign bit may not be set for x = 0. Returns (x, y) or raises Rejected('key')."""
    n = int.from_bytes(data, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    if y >= P:
        raise Rejected("key", "ed25519 public key: y is not below p (non-canonical encoding)")
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    vx2 = v * x * x % P
    if vx2 == u:
        pass
    elif vx2 == (-u) % P:
        x = x * SQRT_M1 % P
    else:
        raise Rejected("key", "ed25519 public key: not a point on the curve")
    if x == 0 and sign == 1:
        raise Rejected("key", "ed25519 public key: x = 0 with the sign bit set (non-canonical)")
    if x & 1 != sign:
        x = P - x
    return x, y


def ed25519_to_x25519_public(public_key):
    """u = (1 + y) / (1 - y) (RFC 7748 section 4.1), after the checks libsodium's
    crypto_sign_ed25519_pk_to_curve25519 makes: no small-order point, and the point
    in the prime-order subgroup; plus RFC 8032's canonical decoding."""
    if len(public_key) != 32:
        raise Rejected("key", f"ed25519 public key is {len(public_key)} bytes, not 32")
    x, y = decode_edwards_point(public_key)
    point = (x, y, 1, x * y % P)
    if _is_identity(_mul(8, point)):
        raise Rejected("key", "ed25519 public key is a point of small order")
    if not _is_identity(_mul(L, point)):
        raise Rejected("key", "ed25519 public key is not in the prime-order subgroup")
    # y = 1 is the identity, refused above, so 1 - y is invertible.
    u = (1 + y) * pow((1 - y) % P, -1, P) % P
    return u.to_bytes(32, "little")


def ed25519_seed_to_x25519_private(seed):
    """SHA-512 of the seed, first 32 bytes, clamped (the spec's section 1, 'private-key
    conversion'; RFC 7748 section 5's decodeScalar25519 clamping, stored clamped)."""
    if len(seed) != 32:
        raise Rejected("key", f"ed25519 seed is {len(seed)} bytes, not 32")
    d = bytearray(hashlib.sha512(seed).digest()[:32])
    d[0] &= 248
    d[31] &= 127
    d[31] |= 64
    return bytes(d)


def ed25519_public_from_seed(seed):
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    return key.public_key().public_bytes_raw()


def x25519_shared(private, public, whose):
    """Raw X25519 (RFC 7748 section 5); an all-zero result (a low-order peer) is refused."""
    if len(public) != 32:
        raise Rejected("key", f"{whose} X25519 key is {len(public)} bytes, not 32")
    try:
        return x25519.X25519PrivateKey.from_private_bytes(private).exchange(
            x25519.X25519PublicKey.from_public_bytes(public)
        )
    except ValueError:
        raise Rejected("key", f"{whose} X25519 key gives an all-zero shared secret (low order)") from None


# --- UUIDs (RFC 4122 section 3) ---

HEX = frozenset("0123456789abcdefABCDEF")
HYPHENS = (8, 13, 18, 23)


def parse_uuid(text):
    """The 16 bytes of an RFC 4122 string (8-4-4-4-12 hex digits, hyphenated), hex
    digits case-insensitive as section 3 says for input. Anything else is None."""
    if not isinstance(text, str) or len(text) != 36:
        return None
    for i, ch in enumerate(text):
        if i in HYPHENS:
            if ch != "-":
                return None
        elif ch not in HEX:
            return None
    return bytes.fromhex(text.replace("-", ""))


# --- ops ---


def op_convert_public_key(args):
    public_key = hex_arg(args, "public_key")
    return {"public_key": ed25519_to_x25519_public(public_key).hex()}


def op_convert_private_key(args):
    seed = hex_arg(args, "private_key")
    return {"private_key": ed25519_seed_to_x25519_private(seed).hex()}


def op_checksum(args):
    ids = list_arg(args, "session_ids")
    for i in ids:
        if not isinstance(i, str):
            raise BadArgs("session_ids holds a value that is not a string")
    if not ids:
        # bot-api-go-client, fox-one, Android, iOS and desktop give "" here (spec section 4).
        return {"checksum": ""}
    # Ids verbatim, sorted by code point (the same as UTF-8 byte order), concatenated.
    joined = "".join(sorted(ids)).encode("utf-8")
    return {"checksum": hashlib.md5(joined).hexdigest()}


def _random_values(args, n):
    rnd = args.get("random")
    if rnd is None:
        # Drawn in the order every SDK draws them: message key, nonce, one IV per session.
        return os.urandom(16), os.urandom(NONCE_LEN), [os.urandom(16) for _ in range(n)]
    if not isinstance(rnd, dict):
        raise BadArgs("random is not an object")
    message_key = hex_arg(rnd, "message_key")
    nonce = hex_arg(rnd, "nonce")
    ivs_raw = list_arg(rnd, "ivs")
    if len(message_key) != 16:
        raise BadArgs(f"random.message_key is {len(message_key)} bytes, not 16")
    if len(nonce) != NONCE_LEN:
        raise BadArgs(f"random.nonce is {len(nonce)} bytes, not 12")
    if len(ivs_raw) != n:
        raise BadArgs(f"random.ivs has {len(ivs_raw)} entries for {n} sessions")
    ivs = []
    for i, iv_hex in enumerate(ivs_raw):
        iv = hex_arg({"iv": iv_hex}, "iv")
        if len(iv) != 16:
            raise BadArgs(f"random.ivs[{i}] is {len(iv)} bytes, not 16")
        ivs.append(iv)
    return message_key, nonce, ivs


def op_encrypt(args):
    seed = hex_arg(args, "private_key")
    sessions = list_arg(args, "sessions")
    plaintext = hex_arg(args, "plaintext")
    x_private = ed25519_seed_to_x25519_private(seed)
    parsed = []
    for i, s in enumerate(sessions):
        if not isinstance(s, dict):
            raise BadArgs(f"sessions[{i}] is not an object")
        sid_text = str_arg(s, "session_id")
        sid = parse_uuid(sid_text)
        if sid is None:
            # No canonical stage describes a recipient id that is not a UUID.
            raise BadArgs(f"sessions[{i}].session_id {sid_text!r} is not an RFC 4122 UUID string")
        public = hex_arg(s, "public_key")
        parsed.append((sid, public))
    if len(parsed) > MAX_SESSIONS:
        raise Rejected("session_count", f"{len(parsed)} sessions do not fit the u16 session count")
    # Every key is checked before any randomness is used.
    secrets = [x25519_shared(x_private, public, f"session {i}") for i, (_, public) in enumerate(parsed)]
    message_key, nonce, ivs = _random_values(args, len(parsed))
    sender = ed25519_to_x25519_public(ed25519_public_from_seed(seed))
    out = bytearray([VERSION])
    out += len(parsed).to_bytes(2, "little")
    out += sender
    for (sid, _), secret, iv in zip(parsed, secrets, ivs):
        enc = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
        wrapped = enc.update(message_key + KEY_PADDING) + enc.finalize()
        out += sid + iv + wrapped
    out += nonce
    out += AESGCM(message_key).encrypt(nonce, plaintext, None)
    return {"body": bytes(out).hex()}


def parse_body(body):
    """Front to back: version, count, sender key, the count's blocks, nonce, tag.
    Running out inside the blocks blames the count; elsewhere, the length."""
    r = Reader(body, "body")
    version = r.take(1, "the version byte")[0]
    if version != VERSION:
        raise Rejected("version", f"unknown version {version}")
    count = r.u16le("the session count")
    sender = r.take(32, "the sender key")
    blocks_raw = r.take(BLOCK_LEN * count, f"{count} session blocks", stage="session_count")
    blocks = [blocks_raw[i : i + BLOCK_LEN] for i in range(0, len(blocks_raw), BLOCK_LEN)]
    nonce = r.take(NONCE_LEN, "the nonce")
    if r.remaining() < TAG_LEN:
        raise Rejected("length", f"body ends before the 16-byte GCM tag: {r.remaining()} bytes after the nonce")
    sealed = r.rest()
    return sender, blocks, nonce, sealed


def op_decrypt(args):
    seed = hex_arg(args, "private_key")
    session_text = str_arg(args, "session_id")
    body = hex_arg(args, "body")
    x_private = ed25519_seed_to_x25519_private(seed)
    sender, blocks, nonce, sealed = parse_body(body)
    sid = parse_uuid(session_text)
    if sid is None:
        raise Rejected("session_not_found", f"session id {session_text!r} is not an RFC 4122 UUID string")
    block = next((b for b in blocks if b[:16] == sid), None)
    if block is None:
        raise Rejected("session_not_found", f"no block for session {session_text}")
    iv, wrapped = block[16:32], block[32:64]
    secret = x25519_shared(x_private, sender, "sender")
    dec = Cipher(algorithms.AES(secret), modes.CBC(iv)).decryptor()
    unwrapped = dec.update(wrapped) + dec.finalize()
    if unwrapped[16:] != KEY_PADDING:
        raise Rejected("key_unwrap", "the unwrapped message key does not end in sixteen 0x10 bytes")
    try:
        plaintext = AESGCM(unwrapped[:16]).decrypt(nonce, sealed, None)
    except InvalidTag:
        raise Rejected("authentication", "the AES-GCM tag does not verify") from None
    return {"plaintext": plaintext.hex()}


OPS = {
    "mixin.encrypt": op_encrypt,
    "mixin.decrypt": op_decrypt,
    "mixin.checksum": op_checksum,
    "mixin.convert_public_key": op_convert_public_key,
    "mixin.convert_private_key": op_convert_private_key,
}
