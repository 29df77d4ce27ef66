#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the vector files (vectors/**/*.json).

Standard library only. Run from anywhere: python3 fuzz/seed_corpus.py [--out DIR]
(default fuzz/corpus; .clusterfuzzlite/build.sh writes into $WORK and zips the result).
The corpus is gitignored; committed regression inputs live in fuzz/regressions/<target>/.
"""
import hashlib
import json
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
OPS = ["mixin.encrypt", "mixin.decrypt", "mixin.checksum", "mixin.convert_public_key",
       "mixin.convert_private_key", "themis.key.check", "themis.sign", "themis.verify",
       "themis.encrypt", "themis.decrypt"]
KEY_FIELDS = {"key", "private_key", "public_key", "peer_public_key"}


def unhex(s):
    try:
        return bytes.fromhex(s)
    except (ValueError, TypeError):
        return None


def walk(v, fmt, out):
    """Collects (target, bytes) from every hex string under a known field name."""
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, str):
                b = unhex(x)
                if b is None:
                    continue
                if k == "body":
                    out.append(("mixin_body", b))
                elif k in ("signed", "encrypted"):
                    out.append(("themis_message", b))
                    if k == "encrypted" and len(b) > 8:
                        out.append(("themis_cell", b[8:]))
                elif k in KEY_FIELDS and fmt == "themis":
                    out.append(("themis_key", b))
            else:
                walk(x, fmt, out)
    elif isinstance(v, list):
        for x in v:
            walk(x, fmt, out)


def write(target, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def main():
    global CORPUS
    if len(sys.argv) == 3 and sys.argv[1] == "--out":
        CORPUS = pathlib.Path(sys.argv[2])
    elif len(sys.argv) != 1:
        sys.exit("usage: seed_corpus.py [--out DIR]")
    counts = {}
    files = sorted((ROOT / "vectors").rglob("*.json"))
    for path in files:
        text = path.read_text()
        write("vector_file", text.encode())
        doc = json.loads(text)
        fmt = doc.get("format", "themis" if "themis" in path.name else "mixin")
        found = []
        walk(doc, fmt, found)
        for target, data in found:
            write(target, data)
            counts[target] = counts.get(target, 0) + 1
        op = doc.get("op")
        for i, t in enumerate(doc.get("tests", [])):
            if op in OPS and isinstance(t, dict) and "args" in t:
                # protocol_request: op index, then a byte = 0 mod 4 selects raw JSON args.
                args = json.dumps(t["args"]).encode()
                write("protocol_request", bytes([OPS.index(op), 0]) + args)
                exp = t.get("expected", {})
                if exp.get("ok") is not None:
                    line = {"id": i, "ok": exp["ok"]}
                else:
                    line = {"id": i, "error": {"message": t.get("comment", "x"),
                                               "stage": exp.get("stage")}}
                write("iut_reply", json.dumps(line).encode())
    write("iut_reply", b'{"id": 0, "ok": {"protocol": 1, "name": "x", "version": "1", "ops": []}}')
    write("iut_reply", b'{"id": 3, "unsupported": "no"}')
    # Structure-aware targets read parameters and edits from bytes: seed with a few random ones.
    rng = random.Random(1)
    for target in ("mixin_decrypt", "themis_verify", "themis_decrypt"):
        for _ in range(16):
            write(target, bytes(rng.randrange(256) for _ in range(rng.randrange(40, 160))))
    for target in sorted(set(counts) | {"vector_file", "protocol_request", "iut_reply"}):
        n = len(list((CORPUS / target).iterdir()))
        print(f"{target}: {n} files")


if __name__ == "__main__":
    main()
