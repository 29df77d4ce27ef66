"""Puts PyThemis (PyPI `pythemis`, ctypes over the native Themis core) behind the sealcheck
IUT protocol (docs/PROTOCOL.md, version 1).

    .venv/bin/python adapter.py --prefix DIR

DIR is the installation prefix of the Themis core (DIR/lib/libthemis.so.0); tools/native-themis.sh
builds one. One JSON request per line on stdin, one response per line on stdout, in order.
Only the library call is wrapped: a ThemisError becomes an error reply; a bug in the adapter is
not caught, so the process exits with a traceback on stderr and the harness records a crash.

Ops (PyThemis's public API):
  themis.key.check  -> the SMessage constructor (PyThemis has no key-check call of its own;
                       the constructor is where it validates keys, see README.md)
  themis.sign       -> pythemis.smessage.ssign
  themis.verify     -> pythemis.smessage.sverify
  themis.encrypt    -> SMessage(private, peer_public).wrap
  themis.decrypt    -> SMessage(private, peer_public).unwrap
"""

import argparse
import ctypes
import importlib.metadata
import json
import os
import sys

OPS = ["themis.key.check", "themis.sign", "themis.verify", "themis.encrypt", "themis.decrypt"]
HERE = os.path.dirname(os.path.abspath(__file__))

# The protocol owns the real stdout; anything else goes to stderr.
PROTO_OUT = sys.stdout
sys.stdout = sys.stderr


def log(msg):
    print("pythemis-adapter: " + msg, file=sys.stderr, flush=True)


def load_core(prefix):
    """Loads libsoter and libthemis from the prefix by path, before PyThemis looks for them,
    so that its own search (`libthemis.so.0` by soname) finds the already-loaded copy."""
    lib = os.path.join(prefix, "lib")
    for name in ("libsoter.so.0", "libthemis.so.0"):
        ctypes.CDLL(os.path.join(lib, name), mode=ctypes.RTLD_GLOBAL)


def loaded_paths(fragment):
    with open("/proc/self/maps") as f:
        return sorted({line.split()[-1] for line in f if fragment in line and "/" in line})


def pc_version(prefix):
    try:
        with open(os.path.join(prefix, "lib", "pkgconfig", "libthemis.pc")) as f:
            for line in f:
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


parser = argparse.ArgumentParser()
parser.add_argument("--prefix", required=True, help="Themis core installation prefix")
parser.add_argument("--errors", default=os.path.join(HERE, "errors.json"))
opts = parser.parse_args()
prefix = os.path.abspath(opts.prefix)
load_core(prefix)

from pythemis import skeygen, smessage  # noqa: E402  (after the core is loaded)
from pythemis.exception import ThemisError  # noqa: E402

themis_libs = loaded_paths("libthemis.so")
if not themis_libs or not all(p.startswith(prefix + "/") for p in themis_libs):
    raise SystemExit(f"pythemis-adapter: PyThemis loaded {themis_libs}, not the core in {prefix}")

rand = ctypes.CDLL(os.path.join(HERE, ".venv", "libsealcheck_rand.so"))
rand.sealcheck_rand_begin.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_size_t), ctypes.c_size_t]
rand.sealcheck_rand_end.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
rand.sealcheck_openssl_version.restype = ctypes.c_char_p

with open(opts.errors) as f:
    ERROR_TABLE = json.load(f)["errors"]

HELLO = {
    "protocol": 1,
    "name": "PyThemis",
    "version": importlib.metadata.version("pythemis"),
    "core": pc_version(prefix),
    "backend": rand.sealcheck_openssl_version().decode(),
    "ops": OPS,
}

# A valid EC pair from the core itself: the other slot when a key is checked through the
# SMessage constructor.
_pair = skeygen.GenerateKeyPair(skeygen.KEY_PAIR_TYPE.EC)
REF_PRIVATE = _pair.export_private_key()
REF_PUBLIC = _pair.export_public_key()


class AdapterError(Exception):
    """A request the adapter itself cannot carry out (bad arguments, injection mismatch)."""


def hex_arg(args, field):
    value = args.get(field)
    if not isinstance(value, str):
        raise AdapterError(f"adapter: argument {field!r} missing or not a string")
    try:
        return bytes.fromhex(value)
    except ValueError as e:
        raise AdapterError(f"adapter: argument {field!r} is not valid hex: {e}")


def kind_from_tag(key, private):
    family = {b"REC": "ec", b"UEC": "ec", b"RRA": "rsa", b"URA": "rsa"}.get(key[:3])
    if family is None:
        raise AdapterError(f"adapter: the library accepted a key with tag {key[:4]!r}")
    return f"{family}_{'private' if private else 'public'}"


def key_check(args):
    key = hex_arg(args, "key")
    try:
        smessage.SMessage(key, REF_PUBLIC)
        return {"kind": kind_from_tag(key, True)}
    except ThemisError:
        pass
    smessage.SMessage(REF_PRIVATE, key)
    return {"kind": kind_from_tag(key, False)}


def sign(args):
    return {"signed": smessage.ssign(hex_arg(args, "private_key"), hex_arg(args, "message")).hex()}


def verify(args):
    return {"message": smessage.sverify(hex_arg(args, "public_key"), hex_arg(args, "signed")).hex()}


def draws(random):
    """The injected values in the order the core draws them (docs/PROTOCOL.md): EC only the
    IV; RSA the secret, then the OAEP seed (inside OpenSSL's OAEP padding), then the IV."""
    if not isinstance(random, dict):
        raise AdapterError("adapter: random is not an object")
    order = ["secret", "oaep_seed", "iv"] if "secret" in random or "oaep_seed" in random else ["iv"]
    if set(random) != set(order):
        raise AdapterError(f"adapter: random has fields {sorted(random)}, expected {sorted(order)}")
    return [hex_arg(random, name) for name in order]


def encrypt(args):
    sm = smessage.SMessage(hex_arg(args, "private_key"), hex_arg(args, "peer_public_key"))
    message = hex_arg(args, "message")
    random = args.get("random")
    if random is None:
        return {"encrypted": sm.wrap(message).hex()}
    values = draws(random)
    sizes = (ctypes.c_size_t * len(values))(*[len(v) for v in values])
    if rand.sealcheck_rand_begin(b"".join(values), sizes, len(values)) != 0:
        raise AdapterError("adapter: cannot install the injected-randomness method")
    why = ctypes.create_string_buffer(256)
    try:
        out = sm.wrap(message)
    except ThemisError:
        # -2: the method refused a draw out of order, so the failure is the adapter's.
        if rand.sealcheck_rand_end(why, len(why)) == -2:
            raise AdapterError(f"adapter: injected randomness: {why.value.decode()}")
        raise
    if rand.sealcheck_rand_end(why, len(why)) != 0:
        raise AdapterError(f"adapter: injected randomness: {why.value.decode()}")
    return {"encrypted": out.hex()}


def decrypt(args):
    sm = smessage.SMessage(hex_arg(args, "private_key"), hex_arg(args, "peer_public_key"))
    return {"message": sm.unwrap(hex_arg(args, "encrypted")).hex()}


HANDLERS = {
    "themis.key.check": key_check,
    "themis.sign": sign,
    "themis.verify": verify,
    "themis.encrypt": encrypt,
    "themis.decrypt": decrypt,
}


def stage_of(op, message, code):
    """The canonical stage from errors.json; None where the table says the text is ambiguous."""
    for entry in ERROR_TABLE:
        if entry["op"] not in ("*", op) or entry["message"] != message:
            continue
        if "code" in entry and entry["code"] != code:
            continue
        return entry.get("stage")
    log(f"unmapped error for {op}: {message!r} (code {code}); add it to errors.json")
    return None


def handle(req):
    rid = req.get("id")
    op = req.get("op")
    if op == "hello":
        return {"id": rid, "ok": HELLO}
    handler = HANDLERS.get(op)
    if handler is None:
        return {"id": rid, "unsupported": f"op {op!r} is not implemented"}
    args = req.get("args") or {}
    try:
        return {"id": rid, "ok": handler(args)}
    except ThemisError as e:
        code = str(int(e.error_code))
        error = {"message": e.message, "code": code}
        stage = stage_of("themis.key.check" if op == "themis.key.check" else op, e.message, code)
        if stage:
            error["stage"] = stage
        return {"id": rid, "error": error}
    except AdapterError as e:
        log(str(e))
        return {"id": rid, "error": {"message": str(e), "code": "adapter"}}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except json.JSONDecodeError as e:
            log(f"ignoring a line that is not JSON: {e}")
            continue
        PROTO_OUT.write(json.dumps(handle(req)) + "\n")
        PROTO_OUT.flush()


if __name__ == "__main__":
    main()
