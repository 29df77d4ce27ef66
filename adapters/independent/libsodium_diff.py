"""Differential check behind FINDINGS.md section 1: answers every request with the independent
implementation and, for mixin.convert_public_key, compares each answer with libsodium's
crypto_sign_ed25519_pk_to_curve25519 (through PyNaCl, the binding PyPI mixinsdk uses).
Disagreements and the final count go to stderr, and to the file $LIBSODIUM_DIFF_LOG if set
(the harness keeps only a crashed target's stderr).

    .venv/bin/pip install PyNaCl==1.6.2
    sealcheck run --op mixin.convert_public_key \
        --target ".venv/bin/python adapters/independent/libsodium_diff.py"
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import nacl.bindings  # noqa: E402

import adapter  # noqa: E402


def libsodium(public_key):
    if len(public_key) != 32:
        return None
    try:
        return nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(public_key).hex()
    except Exception:  # PyNaCl raises its RuntimeError subclass on libsodium's -1
        return None


def report(text):
    print(text, file=sys.stderr, flush=True)
    path = os.environ.get("LIBSODIUM_DIFF_LOG")
    if path:
        with open(path, "a") as f:
            f.write(text + "\n")


def main():
    compared = agreed = 0
    for line in sys.stdin.buffer:
        request = json.loads(line)
        reply = adapter.reply_for(request)
        if request.get("op") == "mixin.convert_public_key":
            compared += 1
            public_key = bytes.fromhex(request["args"]["public_key"])
            ours = reply.get("ok", {}).get("public_key")
            theirs = libsodium(public_key)
            if ours == theirs:
                agreed += 1
            else:
                report(f"differ: {public_key.hex()} independent={ours} libsodium={theirs}")
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    report(f"libsodium_diff: {agreed} of {compared} convert_public_key requests agree")


if __name__ == "__main__":
    main()
