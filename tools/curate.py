#!/usr/bin/env python3
"""Builds the hand-curated vector files in vectors/curated/ from data that did not come from
sealcheck's reference:

- the upstream projects' own test vectors (vectors/upstream/), cited by record id;
- the known answers produced by running real implementations (tests/data/mixin-kat.json,
  tests/data/themis-kat.json; tests/data/themis-upstream-wasm-results.json for the key kinds);
- the verdicts the corpus gives malformed inputs, which are the reference's policy, not
  anything an implementation said (tests/data/*-verdicts.json, citing vectors/policy.json);
- the observation files of real implementations (vectors/observations/): every implementation
  observed agreeing with a vector's verdict is listed in its provenance as `observed`.

Run it after adding upstream or known-answer data, and after regenerating observations
(tools/adapters.sh reports does both); `sealcheck generate` never touches these files.
Python 3 standard library only.
"""
import base64
import glob
import hashlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(rel):
    with open(os.path.join(ROOT, rel)) as f:
        return json.load(f)


def b64(s):
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4))


def args_digest(args):
    """What an observation record remembers of its args (corpus::observation::args_digest):
    the first 64 bits of SHA-256 over the args' compact JSON with sorted keys."""
    text = json.dumps(args, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


OBSERVATIONS = [load(os.path.relpath(p, ROOT)) for p in sorted(glob.glob(os.path.join(ROOT, "vectors/observations/*.json")))]


def confirms(verdict, record):
    """Whether an observation record agrees with a verdict, as lint counts it."""
    if verdict == "valid":
        return record["result"] == "accepted" and record.get("output") == "expected"
    if verdict == "invalid":
        return record["result"] == "rejected"
    return record["result"] == "accepted"


def observed(test):
    """The `observed` claims of a vector: every real implementation whose record of these
    args agrees with the verdict."""
    digest = args_digest(test["args"])
    verdict = test["expected"]["result"]
    claims = []
    for o in OBSERVATIONS:
        r = o["records"].get(test["id"])
        if r and r["args"] == digest and confirms(verdict, r):
            claims.append({"kind": "observed", "implementation": o["implementation"]})
    return sorted(claims, key=lambda c: c["implementation"])


def finish(test, provenance):
    """Sets a vector's provenance: the given claims, then the observed ones; when nothing
    else stands behind it, the reference, which lint checks reproduces it."""
    test["expected"]["provenance"] = provenance + observed(test)
    if not test["expected"]["provenance"]:
        test["expected"]["provenance"] = [{"kind": "reference", "source": "the reference reproduces it (sealcheck lint)"}]
    return test


def write(rel, doc):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {rel}: {len(doc['tests'])} vectors")


def vfile(fmt, op, description, notes, tests):
    used = {f for t in tests for f in t["flags"]}
    return {
        "schema_version": 1,
        "format": fmt,
        "op": op,
        "description": description,
        "number_of_tests": len(tests),
        "notes": {k: v for k, v in sorted(notes.items()) if k in used},
        "tests": tests,
    }


UPSTREAM_NOTE = {
    "Upstream": {
        "bug_type": "Upstream",
        "description": "Copied from an upstream project's own test file (the upstream provenance names the record in vectors/upstream/); a valid vector's output is what the upstream test asserts.",
    }
}


def mixin_upstream():
    data = load("vectors/upstream/mixin-upstream-vectors.json")
    by_id = {v["id"]: v for v in data["vectors"]}
    flutter = by_id["flutter-encryptedDecryptTest"]
    test = {
        "id": "mixin.decrypt/upstream/flutter-encryptedDecryptTest",
        "comment": "One-session body made by the Dart client; must decrypt to \"LA\".",
        "flags": ["Upstream"],
        "args": {
            "private_key": b64(flutter["recipient_ed25519_seed_b64"]).hex(),
            "session_id": flutter["recipient_session_id"],
            "body": flutter["ciphertext_hex"],
        },
        "expected": {"result": "valid", "ok": {"plaintext": b"LA".hex()}},
    }
    write(
        "vectors/curated/mixin/decrypt-upstream.json",
        vfile("mixin", "mixin.decrypt", "A real body from the Mixin desktop client's test suite.", UPSTREAM_NOTE,
              [finish(test, [{"kind": "upstream", "ref": flutter["id"]}])]),
    )
    conv = by_id["ed25519-to-curve25519-conversion"]
    cref = [{"kind": "upstream", "ref": conv["id"]}]
    priv = {
        "id": "mixin.convert_private_key/upstream/dart-android-conversion",
        "comment": "Clamped first half of SHA-512(seed).",
        "flags": ["Upstream"],
        "args": {"private_key": conv["ed25519_seed_hex"]},
        "expected": {"result": "valid", "ok": {"private_key": conv["expected_curve25519_private_hex"]}},
    }
    write(
        "vectors/curated/mixin/convert_private_key-upstream.json",
        vfile("mixin", "mixin.convert_private_key", "The ed25519 -> curve25519 private-key vector of the Dart SDK and Android app.", UPSTREAM_NOTE, [finish(priv, list(cref))]),
    )
    pub = {
        "id": "mixin.convert_public_key/upstream/dart-android-conversion",
        "comment": "Montgomery u = (1 + y) / (1 - y) of the ed25519 public key.",
        "flags": ["Upstream"],
        "args": {"public_key": conv["ed25519_public_hex"]},
        "expected": {"result": "valid", "ok": {"public_key": conv["expected_curve25519_public_hex"]}},
    }
    write(
        "vectors/curated/mixin/convert_public_key-upstream.json",
        vfile("mixin", "mixin.convert_public_key", "The ed25519 -> curve25519 public-key vector of the Dart SDK and Android app.", UPSTREAM_NOTE, [finish(pub, list(cref))]),
    )


def stage_of(rules, case):
    """The expected stage(s) of a policy case: an invalid vector carries its rule's whole
    stage set (every stage a careful decoder may name, the reference's first); an acceptable
    one the reference's stage."""
    stages = rules[case["rule"]]["stages"]
    if case["verdict"] == "invalid" and len(stages) > 1:
        return {"stages": stages}
    return {"stage": stages[0]}


def policy_claims(case):
    claims = [{"kind": "reference-policy", "rule": case["rule"]}]
    claims += [{"kind": "upstream", "ref": r} for r in case.get("upstream", [])]
    return claims


def mixin_go():
    kat = load("tests/data/mixin-kat.json")
    verdicts = load("tests/data/mixin-kat-verdicts.json")
    rules = load("vectors/policy.json")["rules"]
    impls = kat["provenance"]["implementations"]
    names = ", ".join(f"{k} {v}" for k, v in impls.items())
    by_op = {}
    for case in kat["cases"]:
        op = case["op"]
        name = case["name"]
        replies = list(case["replies"].values())
        same_ok = all(r == replies[0] for r in replies) and "ok" in replies[0]
        short = name.split("/", 1)[1]
        if name.startswith("decrypt/malformed/"):
            key = name.rsplit("/", 1)[1]
            v = verdicts["cases"][key]
            stage = rules[v["rule"]]["stages"][0]
            flags = ["GoKnownAnswer"] + v.get("flags", [])
            if case["replies"].get("bot-api-go-client") == {"ok": {"plaintext": ""}}:
                flags.append("EmptyPlaintextOnFailure")
            test = {
                "id": f"{op}/{stage}/go-{key}",
                "comment": f"Malformed body from the Go known-answer set ({key}). {rules[v['rule']]['rule']}",
                "flags": flags,
                "args": case["args"],
                "expected": {"result": v["verdict"], **stage_of(rules, v)},
            }
            test = finish(test, policy_claims(v))
        elif name.startswith("encrypt/probe/") and short.split("/", 1)[1] in verdicts["encrypt"]:
            v = verdicts["encrypt"][short.split("/", 1)[1]]
            test = {
                "id": f"{op}/go-kat/{short.replace('/', '-')}",
                "comment": f"Encrypt probe of the Go known-answer set ({short}); both Go libraries answer a body. {rules[v['rule']]['rule']}",
                "flags": ["GoKnownAnswer"] + v["flags"],
                "args": case["args"],
                "expected": {"result": v["verdict"]},
            }
            test = finish(test, policy_claims(v))
        elif name.startswith("convert_public_key/") and short in verdicts["convert_public_key"]:
            v = verdicts["convert_public_key"][short]
            test = {
                "id": f"{op}/go-kat/{short.replace('/', '-')}",
                "comment": f"Known answer from both Go libraries ({short}), which convert the point; {rules[v['rule']]['rule']}",
                "flags": ["GoKnownAnswer"] + v["flags"],
                "args": case["args"],
                "expected": {"result": v["verdict"], **stage_of(rules, v)},
            }
            test = finish(test, policy_claims(v))
        elif same_ok and not name.startswith("encrypt/probe/recipient-key-3"):
            test = {
                "id": f"{op}/go-kat/{short.replace('/', '-')}",
                "comment": f"Known answer from both Go libraries ({short}).",
                "flags": ["GoKnownAnswer"],
                "args": case["args"],
                "expected": {"result": "valid", "ok": replies[0]["ok"]},
            }
            test = finish(test, [])
        else:
            continue
        by_op.setdefault(op, []).append(test)
    for op, tests in sorted(by_op.items()):
        write(
            f"vectors/curated/mixin/{op.split('.', 1)[1]}-go.json",
            vfile("mixin", op, f"Known answers of bot-api-go-client and fox-one/mixin-sdk-go ({names}), and the reference's verdicts on edits of them.", verdicts["notes"], tests),
        )


KIND_NAMES = {1: "rsa_private", 2: "rsa_public", 3: "ec_private", 4: "ec_public"}


def themis_upstream():
    up = load("vectors/upstream/themis-upstream-vectors.json")
    wasm = load("tests/data/themis-upstream-wasm-results.json")
    verdicts = load("tests/data/themis-upstream-verdicts.json")["cases"]
    rules = load("vectors/policy.json")["rules"]
    repo = "cossacklabs/themis@" + up["upstream_commit"][:12]
    verify, decrypt = [], []
    for v in up["vectors"]:
        claims = [{"kind": "upstream", "ref": v["id"]}]
        if v["expect"] == "THEMIS_SUCCESS":
            expected = {"result": "valid", "ok": {"message": v["plaintext"]}}
            group = "upstream"
        else:
            verdict = verdicts[v["id"]]
            stage = rules[verdict["rule"]]["stages"][0]
            expected = {"result": verdict["verdict"], **stage_of(rules, verdict)}
            claims.append({"kind": "reference-policy", "rule": verdict["rule"]})
            group = stage
        comment = v.get("note") or f"{v['kind']} message from {v['source']}"
        if v["kind"] == "EC_SIGNED":
            test = {
                "id": f"themis.verify/{group}/{v['id']}",
                "comment": comment,
                "flags": ["Upstream"],
                "args": {"public_key": v["public_key"], "signed": v["message"]},
                "expected": expected,
            }
            verify.append(finish(test, claims))
        else:
            test = {
                "id": f"themis.decrypt/{group}/{v['id']}",
                "comment": comment,
                "flags": ["Upstream"],
                "args": {"private_key": v["private_key"], "peer_public_key": v["public_key"], "encrypted": v["message"]},
                "expected": expected,
            }
            decrypt.append(finish(test, claims))
    write("vectors/curated/themis/verify-upstream.json", vfile("themis", "themis.verify", f"Hardcoded signed messages from the Themis test suites ({repo}).", UPSTREAM_NOTE, verify))
    write("vectors/curated/themis/decrypt-upstream.json", vfile("themis", "themis.decrypt", f"Hardcoded encrypted messages from the Themis test suites and examples ({repo}).", UPSTREAM_NOTE, decrypt))

    # The kind of each key is what wasm-themis reported when the data was collected; the
    # observation files record what every Themis row says now.
    kinds = {k["id"]: k for k in wasm["key_fixtures"]}
    seen = set()
    keys = []
    for k in up["key_fixtures"]:
        if not k.get("key") or k["key"] in seen:
            continue  # the react-native fixture that is not even base64; duplicates of other files
        seen.add(k["key"])
        kind = KIND_NAMES[kinds[k["id"]]["kind"]]
        test = {
            "id": f"themis.key.check/upstream/{k['id']}",
            "comment": f"Key fixture {k['name']} from {k['source']}.",
            "flags": ["Upstream"],
            "args": {"key": k["key"]},
            "expected": {"result": "valid", "ok": {"kind": kind}},
        }
        keys.append(finish(test, [{"kind": "upstream", "ref": k["id"]}]))
    write("vectors/curated/themis/key.check-upstream.json", vfile("themis", "themis.key.check", f"Key fixtures from the Themis test suites and examples ({repo}); 28 distinct keys.", UPSTREAM_NOTE, keys))


WASM_NOTE = {
    "WasmThemisKnownAnswer": {
        "bug_type": "KnownAnswer",
        "description": "Produced by wasm-themis 0.15.0 (the Themis C core with BoringSSL, compiled to WebAssembly) through adapters/wasm-themis/make-kat.js and checked again by it before being written (tests/data/themis-kat.json).",
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
        test = {
            "id": f"{op}/wasm-themis/{c['name']}",
            "comment": c["how"],
            "flags": ["WasmThemisKnownAnswer"],
            "args": c["args"],
            "expected": {"result": "valid", "ok": ok},
        }
        by_op.setdefault(op, []).append(finish(test, []))
    for op, tests in sorted(by_op.items()):
        write(f"vectors/curated/themis/{op.split('.', 1)[1]}-wasm-themis.json", vfile("themis", op, f"Messages and keys made by {impl}.", WASM_NOTE, tests))


if __name__ == "__main__":
    mixin_upstream()
    mixin_go()
    themis_upstream()
    themis_wasm()
