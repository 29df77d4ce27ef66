#!/usr/bin/env python3
"""Builds the hand-curated vector files in vectors/curated/ from data that did not come from
sealcheck: the upstream projects' own test vectors (vectors/upstream/) and the known-answer
files produced by running real implementations (tests/data/*-kat.json).

Run it after adding upstream or known-answer data; `sealcheck generate` never touches these
files. Python 3 standard library only.
"""
import base64
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return json.load(f)


def b64(s):
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4))


def write(rel, doc):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {rel}: {len(doc['tests'])} vectors")


def vfile(fmt, op, description, notes, tests):
    return {
        "schema_version": 1,
        "format": fmt,
        "op": op,
        "description": description,
        "notes": notes,
        "tests": tests,
    }


UPSTREAM_NOTE = {
    "Upstream": {
        "bug_type": "Upstream",
        "description": "Copied from an upstream project's own test file; the expectation is the upstream test's assertion.",
    }
}


def mixin_upstream():
    data = load("vectors/upstream/mixin-upstream-vectors.json")
    by_id = {v["id"]: v for v in data["vectors"]}
    flutter = by_id["flutter-encryptedDecryptTest"]
    src = flutter["source"]
    prov = [
        {"kind": "upstream", "source": f"{src['repo']}@{src['commit'][:12]}:{src['path']} ({src['test']})"},
        {"kind": "implementation", "source": "bot-api-go-client, fox-one/mixin-sdk-go, PyPI mixinsdk 0.2.1 (decrypted to \"LA\" when the data was collected)"},
    ]
    write(
        "vectors/curated/mixin/decrypt-upstream.json",
        vfile(
            "mixin",
            "mixin.decrypt",
            "A real body from the Mixin desktop client's test suite.",
            UPSTREAM_NOTE,
            [
                {
                    "id": "mixin.decrypt/upstream/flutter-encryptedDecryptTest",
                    "comment": "One-session body made by the Dart client; must decrypt to \"LA\".",
                    "flags": ["Upstream"],
                    "args": {
                        "private_key": b64(flutter["recipient_ed25519_seed_b64"]).hex(),
                        "session_id": flutter["recipient_session_id"],
                        "body": flutter["ciphertext_hex"],
                    },
                    "expected": {"result": "valid", "ok": {"plaintext": b"LA".hex()}, "provenance": prov},
                }
            ],
        ),
    )
    conv = by_id["ed25519-to-curve25519-conversion"]
    cprov = [
        {"kind": "upstream", "source": f"{s['repo']}@{s['commit'][:12]}:{s['path']} ({s['test']})"}
        for s in conv["source"]
    ] + [{"kind": "implementation", "source": "bot-api-go-client PrivateKeyToCurve25519/PublicKeyToCurve25519, libsodium (matched when the data was collected)"}]
    write(
        "vectors/curated/mixin/convert_private_key-upstream.json",
        vfile(
            "mixin",
            "mixin.convert_private_key",
            "The ed25519 -> curve25519 private-key vector of the Dart SDK and Android app.",
            UPSTREAM_NOTE,
            [
                {
                    "id": "mixin.convert_private_key/upstream/dart-android-conversion",
                    "comment": "Clamped first half of SHA-512(seed).",
                    "flags": ["Upstream"],
                    "args": {"private_key": conv["ed25519_seed_hex"]},
                    "expected": {"result": "valid", "ok": {"private_key": conv["expected_curve25519_private_hex"]}, "provenance": cprov},
                }
            ],
        ),
    )
    write(
        "vectors/curated/mixin/convert_public_key-upstream.json",
        vfile(
            "mixin",
            "mixin.convert_public_key",
            "The ed25519 -> curve25519 public-key vector of the Dart SDK and Android app.",
            UPSTREAM_NOTE,
            [
                {
                    "id": "mixin.convert_public_key/upstream/dart-android-conversion",
                    "comment": "Montgomery u = (1 + y) / (1 - y) of the ed25519 public key.",
                    "flags": ["Upstream"],
                    "args": {"public_key": conv["ed25519_public_hex"]},
                    "expected": {"result": "valid", "ok": {"public_key": conv["expected_curve25519_public_hex"]}, "provenance": cprov},
                }
            ],
        ),
    )


if __name__ == "__main__":
    mixin_upstream()
