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


# The stage at which the reference's policy rejects each malformation in the Go known-answer
# file; both Go libraries accept the ones under "stricter" (see docs/mixin-encrypted-message.md).
MIXIN_MALFORMED = {
    "wrong-session-id": "session_not_found",
    "session-id-upper-case": "session_not_found",
    "session-id-no-hyphens": "session_not_found",
    "session-count-0": "session_not_found",
    "wrong-recipient-key": "key_unwrap",
    "flipped-wrapped-key-bit": "key_unwrap",
    "flipped-sender-key-bit": "key_unwrap",
    "flipped-tag-bit": "authentication",
    "flipped-ciphertext-bit": "authentication",
    "flipped-nonce-bit": "authentication",
    "flipped-cbc-iv-bit": "authentication",
    "trailing-byte": "authentication",
    "truncated-1-byte": "authentication",
    "sender-key-all-zero-low-order": "key",
    "empty-body": "length",
    "1-session-truncated-to-110": "length",
    "1-session-truncated-to-111": "length",
    "1-session-truncated-to-126": "length",
}

GO_NOTES = {
    "GoKnownAnswer": {
        "bug_type": "KnownAnswer",
        "description": "Produced by running bot-api-go-client and fox-one/mixin-sdk-go with injected randomness (adapters/go-mixin/make-kat.py); both gave these exact bytes.",
    },
    "EmptyPlaintextOnFailure": {
        "bug_type": "FailureSignalling",
        "description": "bot-api-go-client's DecryptMessageData reports this failure as an empty plaintext with no error, indistinguishable from a genuine empty message.",
        "implementations": {
            "bot-api-go-client": "returns \"\" and nil",
            "fox-one/mixin-sdk-go": "returns an error",
        },
    },
}


def mixin_go():
    kat = load("tests/data/mixin-kat.json")
    impls = kat["provenance"]["implementations"]
    names = ", ".join(f"{k} {v}" for k, v in impls.items())
    prov = [{"kind": "implementation", "source": names}, {"kind": "reference", "source": "sealcheck reference"}]
    by_op = {}
    for case in kat["cases"]:
        op = case["op"]
        name = case["name"]
        replies = list(case["replies"].values())
        same_ok = all(r == replies[0] for r in replies) and "ok" in replies[0]
        short = name.split("/", 1)[1]
        if name.startswith("decrypt/malformed/"):
            key = name.rsplit("/", 1)[1]
            if key not in MIXIN_MALFORMED:
                continue
            flags = ["GoKnownAnswer"]
            if case["replies"].get("bot-api-go-client") == {"ok": {"plaintext": ""}}:
                flags.append("EmptyPlaintextOnFailure")
            stage = MIXIN_MALFORMED[key]
            test = {
                "id": f"{op}/{stage}/go-{key}",
                "comment": f"Malformed body from the Go known-answer set ({key}).",
                "flags": flags,
                "args": case["args"],
                "expected": {"result": "invalid", "stage": stage, "provenance": [{"kind": "implementation", "source": f"body built by adapters/go-mixin/make-kat.py on {names}"}]},
            }
        elif same_ok and not name.startswith("encrypt/probe/recipient-key-3"):
            test = {
                "id": f"{op}/go-kat/{short.replace('/', '-')}",
                "comment": f"Known answer from both Go libraries ({short}).",
                "flags": ["GoKnownAnswer"],
                "args": case["args"],
                "expected": {"result": "valid", "ok": replies[0]["ok"], "provenance": prov},
            }
        else:
            continue
        by_op.setdefault(op, []).append(test)
    for op, tests in sorted(by_op.items()):
        used = {f for t in tests for f in t["flags"]}
        notes = {k: v for k, v in GO_NOTES.items() if k in used}
        write(
            f"vectors/curated/mixin/{op.split('.', 1)[1]}-go.json",
            vfile("mixin", op, f"Known answers of bot-api-go-client and fox-one/mixin-sdk-go ({names}).", notes, tests),
        )


THEMIS_STATUS_STAGE = {
    # The stage the reference's policy gives each upstream negative record.
    "core_c_overlong_ecdsa_minus3": "length",
    "react_native_verify_wrong_key": "signature",
}

KIND_NAMES = {1: "rsa_private", 2: "rsa_public", 3: "ec_private", 4: "ec_public"}


def themis_upstream():
    up = load("vectors/upstream/themis-upstream-vectors.json")
    checks = load("vectors/upstream/themis-upstream-check-results.json")
    repo = "cossacklabs/themis@" + up["upstream_commit"][:12]
    peer = {v["id"]: v for v in checks["vectors"]}
    verify, decrypt = [], []
    for v in up["vectors"]:
        observed = peer[v["id"]]
        prov = [
            {"kind": "upstream", "source": f"{repo}:{v['source']} ({v['function']})"},
            {"kind": "implementation", "source": f"wasm-themis 0.15.0 returned {observed['status']}"},
        ]
        also = v.get("also_in")
        if isinstance(also, list):
            prov += [{"kind": "upstream", "source": f"{repo}:{p}"} for p in also]
        if v["expect"] == "THEMIS_SUCCESS":
            expected = {"result": "valid", "ok": {"message": v["plaintext"]}, "provenance": prov}
            group = "upstream"
        else:
            stage = THEMIS_STATUS_STAGE[v["id"]]
            expected = {"result": "invalid", "stage": stage, "provenance": prov}
            group = stage
        comment = v.get("note") or f"{v['kind']} message from {v['source']}"
        if v["kind"] == "EC_SIGNED":
            verify.append({
                "id": f"themis.verify/{group}/{v['id']}",
                "comment": comment,
                "flags": ["Upstream"],
                "args": {"public_key": v["public_key"], "signed": v["message"]},
                "expected": expected,
            })
        else:
            decrypt.append({
                "id": f"themis.decrypt/{group}/{v['id']}",
                "comment": comment,
                "flags": ["Upstream"],
                "args": {"private_key": v["private_key"], "peer_public_key": v["public_key"], "encrypted": v["message"]},
                "expected": expected,
            })
    write("vectors/curated/themis/verify-upstream.json", vfile("themis", "themis.verify", f"Hardcoded signed messages from the Themis test suites ({repo}).", UPSTREAM_NOTE, verify))
    write("vectors/curated/themis/decrypt-upstream.json", vfile("themis", "themis.decrypt", f"Hardcoded encrypted messages from the Themis test suites and examples ({repo}).", UPSTREAM_NOTE, decrypt))

    kinds = {k["id"]: k for k in checks["key_fixtures"]}
    seen = set()
    keys = []
    for k in up["key_fixtures"]:
        if not k.get("key") or k["key"] in seen:
            continue  # the react-native fixture that is not even base64; duplicates of other files
        seen.add(k["key"])
        kind = KIND_NAMES[kinds[k["id"]]["kind"]]
        keys.append({
            "id": f"themis.key.check/upstream/{k['id']}",
            "comment": f"Key fixture {k['name']} from {k['source']}.",
            "flags": ["Upstream"],
            "args": {"key": k["key"]},
            "expected": {"result": "valid", "ok": {"kind": kind}, "provenance": [
                {"kind": "upstream", "source": f"{repo}:{k['source']}"},
                {"kind": "implementation", "source": "wasm-themis 0.15.0 accepted it as " + kind},
            ]},
        })
    write("vectors/curated/themis/key.check-upstream.json", vfile("themis", "themis.key.check", f"Key fixtures from the Themis test suites and examples ({repo}); 28 distinct keys.", UPSTREAM_NOTE, keys))


WASM_NOTE = {
    "WasmThemisKnownAnswer": {
        "bug_type": "KnownAnswer",
        "description": "Produced by wasm-themis 0.15.0 (the Themis C core with BoringSSL, compiled to WebAssembly) through adapters/wasm-themis/make-kat.js, and checked again by it before being written.",
    }
}


def themis_wasm():
    kat = load("tests/data/themis-kat.json")
    impl = kat["provenance"]["implementation"]
    by_op = {}
    for c in kat["cases"]:
        op = c["op"]
        if op == "themis.key.check":
            ok = {"kind": c["expected_kind"]}
        else:
            ok = {"message": c["expected_message"]}
        by_op.setdefault(op, []).append({
            "id": f"{op}/wasm-themis/{c['name']}",
            "comment": c["how"],
            "flags": ["WasmThemisKnownAnswer"],
            "args": c["args"],
            "expected": {"result": "valid", "ok": ok, "provenance": [{"kind": "implementation", "source": impl}]},
        })
    for op, tests in sorted(by_op.items()):
        write(f"vectors/curated/themis/{op.split('.', 1)[1]}-wasm-themis.json", vfile("themis", op, f"Messages and keys made by {impl}.", WASM_NOTE, tests))


if __name__ == "__main__":
    mixin_upstream()
    mixin_go()
    themis_upstream()
    themis_wasm()
