"""Puts the PyPI package `mixinsdk` behind the sealcheck IUT protocol
(docs/PROTOCOL.md, version 1).

One JSON request per line on stdin, one JSON response per line on stdout,
answered in order. Only the library call itself is wrapped: an exception
raised by mixinsdk becomes an error reply (that is what a caller of the
library sees); a failure of the adapter is not caught, so the process exits
non-zero with the traceback on stderr.

Ops offered are those that mixinsdk really implements:
  mixin.encrypt  -> mixinsdk.clients._message.encrypt_message_data
  mixin.decrypt  -> mixinsdk.clients._message.decrypt_message_data
The release has no session-checksum function and no public ed25519->X25519
conversion of its own, so mixin.checksum and mixin.convert_* are not offered.
"""

import base64
import importlib.metadata
import json
import os
import sys

import nacl.bindings

from mixinsdk.clients import _message
from mixinsdk.types.user import UserSession

PACKAGE = "mixinsdk"
OPS = ["mixin.encrypt", "mixin.decrypt"]

# The protocol owns the real stdout; anything the library prints goes to stderr.
PROTO_OUT = sys.stdout
sys.stdout = sys.stderr


class Unsupported(Exception):
    pass


class BadArgs(Exception):
    pass


def log(msg):
    print("python-mixinsdk: " + msg, file=sys.stderr, flush=True)


def hex_arg(args, field):
    value = args.get(field)
    if not isinstance(value, str):
        raise BadArgs(f"{field} missing or not a string")
    try:
        return bytes.fromhex(value)
    except ValueError as e:
        raise BadArgs(f"{field} is not valid hex: {e}")


def str_arg(args, field):
    value = args.get(field)
    if not isinstance(value, str):
        raise BadArgs(f"{field} missing or not a string")
    return value


def library_private_key(args):
    """The protocol gives a 32-byte ed25519 seed. mixinsdk holds the key as
    the urlsafe-base64-decoded keystore `private_key` (config.py), i.e. the
    64-byte libsodium secret key seed || public, and passes those bytes to
    libsodium's crypto_sign_ed25519_sk_to_curve25519. Build that form."""
    seed = hex_arg(args, "private_key")
    if len(seed) != 32:
        raise Unsupported(
            f"private_key is {len(seed)} bytes; mixinsdk takes the 64-byte "
            "ed25519 secret key, which the adapter can only build from a 32-byte seed"
        )
    _pk, sk = nacl.bindings.crypto_sign_seed_keypair(seed)
    return sk


def b64std(data):
    return base64.b64encode(data).decode("ascii")


class ScriptedUrandom:
    """Stands in for os.urandom: yields the injected stream, then the real
    source (and says so on stderr)."""

    def __init__(self, stream, real):
        self.stream = stream
        self.pos = 0
        self.overdraw = 0
        self.calls = []
        self.real = real

    def __call__(self, n):
        n = int(n)
        self.calls.append(n)
        out = self.stream[self.pos : self.pos + n]
        self.pos += len(out)
        if len(out) < n:
            extra = self.real(n - len(out))
            self.overdraw += len(extra)
            out += extra
        return out


def call_with_injected_random(stream, fn):
    real = os.urandom
    scripted = ScriptedUrandom(stream, real)
    # mixinsdk.clients._message does `import os` and calls os.urandom(n).
    os.urandom = scripted
    try:
        return fn()
    finally:
        os.urandom = real
        if scripted.overdraw:
            log(
                f"library drew {scripted.pos + scripted.overdraw} random bytes in calls {scripted.calls}; "
                f"{len(stream)} were injected, the extra {scripted.overdraw} came from the real source"
            )
        elif scripted.pos < len(stream):
            log(
                f"library drew only {scripted.pos} of the {len(stream)} injected random bytes "
                f"(os.urandom calls: {scripted.calls})"
            )


def exception_code(e):
    t = type(e)
    if t.__module__ == "builtins":
        return t.__name__
    return f"{t.__module__}.{t.__qualname__}"


def frames(e):
    """(module file, function name) of each frame of the exception, outermost first."""
    out = []
    tb = e.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        out.append((code.co_filename, code.co_name))
        tb = tb.tb_next
    return out


def decrypt_stage(e):
    """Canonical stage, only where the library's error says it unambiguously."""
    text = str(e)
    stack = frames(e)
    innermost = stack[-1][1] if stack else ""
    if isinstance(e, ValueError) and innermost == "decrypt_message_data":
        if text == "Invalid message data":  # total < 111
            return "length"
        if text == "Invalid key":  # no block carries the session id
            return "session_not_found"
    if isinstance(e, ValueError) and text == "bytes is not a 16-char string":
        # uuid.UUID(bytes=...) on a block cut off by the end of the body:
        # the session count claims more blocks than the body holds.
        return "session_count"
    if isinstance(e, ValueError) and text.startswith("initialization_vector must be between"):
        # GCM nonce sliced past the end: the count puts the nonce beyond the body.
        return "session_count"
    if any(fn == "crypto_scalarmult" and "nacl" in path for path, fn in stack):
        # pynacl's crypto_scalarmult raises when libsodium returns -1, which it
        # does only for an all-zero shared secret (low-order sender key).
        return "key"
    return None


def library_error(e, stage=None):
    err = {"message": f"{type(e).__name__}: {e}", "code": exception_code(e)}
    if stage:
        err["stage"] = stage
    return {"error": err}


def op_hello(args):
    if args.get("protocol") != 1:
        log(f"hello asks for protocol {args.get('protocol')!r}; speaking 1")
    return {
        "ok": {
            "protocol": 1,
            "name": "PyPI mixinsdk",
            "version": importlib.metadata.version(PACKAGE),
            "ops": OPS,
        }
    }


def op_encrypt(args):
    private = library_private_key(args)
    plaintext = hex_arg(args, "plaintext")
    sessions_arg = args.get("sessions")
    if not isinstance(sessions_arg, list):
        raise BadArgs("sessions missing or not a list")
    sessions = []
    for i, s in enumerate(sessions_arg):
        if not isinstance(s, dict):
            raise BadArgs(f"sessions[{i}] is not an object")
        sid = str_arg(s, "session_id")
        pub = hex_arg(s, "public_key")
        # The package's own session type (note its spelling `publick_key`);
        # the key as standard base64, which encrypt_message_data b64decodes.
        sessions.append(UserSession(user_id=None, session_id=sid, publick_key=b64std(pub)))
    stream = None
    rnd = args.get("random")
    if rnd is not None:
        if not isinstance(rnd, dict) or not isinstance(rnd.get("ivs"), list):
            raise BadArgs("random must be an object with message_key, nonce, ivs")
        stream = hex_arg(rnd, "message_key") + hex_arg(rnd, "nonce")
        for i, iv in enumerate(rnd["ivs"]):
            if not isinstance(iv, str):
                raise BadArgs(f"random.ivs[{i}] is not a string")
            try:
                stream += bytes.fromhex(iv)
            except ValueError as e:
                raise BadArgs(f"random.ivs[{i}] is not valid hex: {e}")

    def call():
        return _message.encrypt_message_data(b64std(plaintext), sessions, private)

    try:
        out = call() if stream is None else call_with_injected_random(stream, call)
    except Exception as e:
        return library_error(e)
    # encrypt_message_data ends with `return base64.b64encode(result)` (bytes).
    return {"ok": {"body": base64.b64decode(out).hex()}}


def op_decrypt(args):
    private = library_private_key(args)
    session_id = str_arg(args, "session_id")
    body = hex_arg(args, "body")
    try:
        plaintext = _message.decrypt_message_data(b64std(body), session_id, private)
    except Exception as e:
        return library_error(e, decrypt_stage(e))
    # The release returns str (plain_text.decode()); report its UTF-8 bytes.
    return {"ok": {"plaintext": plaintext.encode("utf-8").hex()}}


HANDLERS = {
    "hello": op_hello,
    "mixin.encrypt": op_encrypt,
    "mixin.decrypt": op_decrypt,
}


def handle(line):
    try:
        req = json.loads(line)
    except json.JSONDecodeError as e:
        log(f"bad request line: {e}")
        return {"id": None, "error": {"message": f"adapter: bad request: {e}"}}
    if not isinstance(req, dict):
        return {"id": None, "error": {"message": "adapter: bad request: not an object"}}
    rid = req.get("id")
    op = req.get("op")
    args = req.get("args")
    if args is None:
        args = {}
    handler = HANDLERS.get(op)
    if handler is None:
        return {"id": rid, "unsupported": f"op {op!r} is not implemented by PyPI mixinsdk / this adapter"}
    if not isinstance(args, dict):
        return {"id": rid, "error": {"message": "adapter: args is not an object"}}
    try:
        resp = handler(args)
    except Unsupported as e:
        return {"id": rid, "unsupported": str(e)}
    except BadArgs as e:
        return {"id": rid, "error": {"message": f"adapter: {e}"}}
    return {"id": rid, **resp}


def main():
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8").strip()
        if not line:
            continue
        PROTO_OUT.write(json.dumps(handle(line), separators=(",", ":")) + "\n")
        PROTO_OUT.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
