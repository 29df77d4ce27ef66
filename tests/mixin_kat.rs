//! The Mixin reference against bodies, checksums and conversions produced by the real
//! bot-api-go-client and fox-one/mixin-sdk-go (tests/data/mixin-kat.json, written by
//! adapters/go-mixin/make-kat.py). Byte exactness is the point: where both libraries answer
//! `ok` alike on well-formed input, the reference must give the very same answer.

use sealcheck::iut::Reference;
use sealcheck::protocol::Reply;
use sealcheck::wire::Stage;
use serde_json::Value;

const GO: &str = "bot-api-go-client";
const FOX: &str = "fox-one/mixin-sdk-go";

fn cases() -> Vec<Value> {
    let kat: Value = serde_json::from_str(include_str!("data/mixin-kat.json")).unwrap();
    kat["cases"].as_array().unwrap().clone()
}

#[test]
fn reference_agrees_byte_for_byte_where_the_libraries_agree() {
    let mut reference = Reference::default();
    let mut compared = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        if name.starts_with("decrypt/malformed/") {
            continue;
        }
        let (go, fox) = (&case["replies"][GO], &case["replies"][FOX]);
        if go != fox || go.get("ok").is_none() {
            continue;
        }
        let ours = reference.answer(case["op"].as_str().unwrap(), &case["args"]);
        assert_eq!(ours, Reply::Ok(go["ok"].clone()), "{name}");
        compared += 1;
    }
    // Encrypts with injected randomness (0 to 5 sessions), decrypts, checksums, conversions.
    assert!(compared >= 130, "only {compared} cases compared");
}

#[test]
fn reference_is_stricter_than_go_on_every_malformed_body() {
    // The stage each malformation must be rejected at, from the reference's decoder policy:
    // versions other than 1 and non-standard CBC padding are refused although both Go
    // libraries accept them; bot-api-go-client answers "" for all the others.
    let stages = [
        ("wrong-session-id", Stage::SessionNotFound),
        ("session-id-upper-case", Stage::SessionNotFound),
        ("session-id-no-hyphens", Stage::SessionNotFound),
        ("session-count-0", Stage::SessionNotFound),
        ("wrong-recipient-key", Stage::KeyUnwrap),
        ("flipped-wrapped-key-bit", Stage::KeyUnwrap),
        ("flipped-sender-key-bit", Stage::KeyUnwrap),
        ("flipped-tag-bit", Stage::Authentication),
        ("flipped-ciphertext-bit", Stage::Authentication),
        ("flipped-nonce-bit", Stage::Authentication),
        ("flipped-cbc-iv-bit", Stage::Authentication),
        ("trailing-byte", Stage::Authentication),
        ("truncated-1-byte", Stage::Authentication),
        ("version-0", Stage::Version),
        ("version-2", Stage::Version),
        ("version-255", Stage::Version),
        ("sender-key-all-zero-low-order", Stage::Key),
        ("empty-body", Stage::Length),
        ("1-session-truncated-to-110", Stage::Length),
        ("1-session-truncated-to-111", Stage::Length),
        ("1-session-truncated-to-126", Stage::Length),
        ("cbc-padding-zeros", Stage::KeyUnwrap),
        ("cbc-padding-0x11", Stage::KeyUnwrap),
        ("cbc-padding-0x01", Stage::KeyUnwrap),
    ];
    let mut reference = Reference::default();
    let mut seen = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let Some(short) = name.strip_prefix("decrypt/malformed/") else {
            continue;
        };
        let reply = reference.answer("mixin.decrypt", &case["args"]);
        let Reply::Error { stage, .. } = reply else {
            panic!("{name}: the reference accepted a malformed body: {reply:?}");
        };
        if let Some((_, want)) = stages.iter().find(|(n, _)| *n == short) {
            assert_eq!(stage, Some(*want), "{name}");
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        stages.len(),
        "every named malformation is in the data"
    );
}

#[test]
fn encrypt_probes_match_bot_api_go_client() {
    // bot-api-go-client refuses wrong-length and low-order recipient keys and accepts
    // upper-case or hyphen-less session ids; fox-one pads short keys, which we do not copy.
    let mut reference = Reference::default();
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        if !name.starts_with("encrypt/probe/") {
            continue;
        }
        let go = &case["replies"][GO];
        let ours = reference.answer("mixin.encrypt", &case["args"]);
        match (go.get("ok"), &ours) {
            (Some(ok), _) => assert_eq!(ours, Reply::Ok(ok.clone()), "{name}"),
            (None, Reply::Error { .. }) => {}
            (None, _) => panic!("{name}: Go refused, the reference answered {ours:?}"),
        }
    }
}
