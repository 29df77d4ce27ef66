"""sealcheck-independent: a strict implementation of all ten ops, written from the format
documents rather than from sealcheck's code, behind the IUT protocol (docs/PROTOCOL.md, v1).

One JSON request per line on stdin, one reply per line on stdout, in order (which is
pipelining-safe: the harness matches replies by id). A rejection of the input becomes an
error reply with its canonical stage; a malformed request an error with no stage; anything
else is a bug here and is left to crash the process, so the harness reports it as such.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cryptography  # noqa: E402

import mixin_message  # noqa: E402
import themis_message  # noqa: E402
from wire import BadArgs, Rejected  # noqa: E402

NAME = "sealcheck-independent"
VERSION = "0.1.0"
PROTOCOL = 1
OPS = {**mixin_message.OPS, **themis_message.OPS}


def reply_for(request):
    rid = request.get("id")
    op = request.get("op")
    args = request.get("args")
    if not isinstance(args, dict):
        args = {}
    if op == "hello":
        if args.get("protocol") != PROTOCOL:
            return {"id": rid, "error": {"message": f"protocol {args.get('protocol')!r} is not {PROTOCOL}"}}
        return {
            "id": rid,
            "ok": {
                "protocol": PROTOCOL,
                "name": NAME,
                "version": f"{VERSION} (cryptography {cryptography.__version__})",
                "ops": sorted(OPS),
            },
        }
    handler = OPS.get(op)
    if handler is None:
        return {"id": rid, "unsupported": f"no op {op!r}"}
    try:
        return {"id": rid, "ok": handler(args)}
    except Rejected as e:
        return {"id": rid, "error": {"message": e.message, "code": type(e).__name__, "stage": e.stage}}
    except BadArgs as e:
        return {"id": rid, "error": {"message": str(e), "code": "BadArgs"}}


def main():
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        line = stdin.readline()
        if not line:
            return
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as e:
            print(f"{NAME}: request is not JSON: {e}", file=sys.stderr, flush=True)
            continue
        if not isinstance(request, dict) or not isinstance(request.get("id"), int):
            print(f"{NAME}: request without an integer id", file=sys.stderr, flush=True)
            continue
        stdout.write(json.dumps(reply_for(request), separators=(",", ":")).encode() + b"\n")
        stdout.flush()


if __name__ == "__main__":
    main()
