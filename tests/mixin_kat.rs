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
    // Except on a spelling of the session id that only Go's parser reads, and on points that
    // only Go's edwards25519 converts (acceptable, and the reference refuses them:
    // encrypt_probes_match_bot_api_go_client, lenient_conversions_are_refused_by_the_reference).
    let (verdicts, _) = verdicts();
    let mut reference = Reference::default();
    let mut compared = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let acceptable = name
            .strip_prefix("encrypt/probe/")
            .is_some_and(|p| verdicts["encrypt"][p]["verdict"] == "acceptable")
            || name
                .strip_prefix("convert_public_key/")
                .is_some_and(|p| verdicts["convert_public_key"][p]["verdict"] == "acceptable");
        if name.starts_with("decrypt/malformed/") || acceptable {
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

/// The verdicts the corpus gives the malformed bodies (tests/data/mixin-kat-verdicts.json) and
/// the stage of each rule they cite (vectors/policy.json).
fn verdicts() -> (Value, Value) {
    let verdicts: Value =
        serde_json::from_str(include_str!("data/mixin-kat-verdicts.json")).unwrap();
    let policy: Value = serde_json::from_str(include_str!("../vectors/policy.json")).unwrap();
    (verdicts, policy["rules"].clone())
}

fn decrypted(reply: &Value) -> Option<&str> {
    reply["ok"]["plaintext"].as_str().filter(|p| !p.is_empty())
}

#[test]
fn malformed_bodies_agree_with_their_verdicts_and_with_what_go_replied() {
    let (verdicts, rules) = verdicts();
    let mut reference = Reference::default();
    let mut seen = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let Some(short) = name.strip_prefix("decrypt/malformed/") else {
            continue;
        };
        let v = &verdicts["cases"][short];
        let verdict = v["verdict"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no verdict"));
        let rule = &rules[v["rule"].as_str().unwrap()];
        let stage: Stage = serde_json::from_value(rule["stages"][0].clone()).unwrap();
        // The reference is the strict side of everything: it rejects each at its rule's stage.
        match reference.answer("mixin.decrypt", &case["args"]) {
            Reply::Error { stage: got, .. } => assert_eq!(got, Some(stage), "{name}"),
            other => panic!("{name}: the reference accepted a malformed body: {other:?}"),
        }
        let (go, fox) = (&case["replies"][GO], &case["replies"][FOX]);
        match verdict {
            // Invalid: neither library decrypted it to a plaintext, and one of them said so
            // with an error (bot-api-go-client's empty plaintext is its failure signal).
            "invalid" => {
                assert!(
                    decrypted(go).is_none() && decrypted(fox).is_none(),
                    "{name}: {go} {fox}"
                );
                assert!(
                    go.get("error").is_some() || fox.get("error").is_some(),
                    "{name}"
                );
            }
            // Acceptable: the leniency is real. Either a Go library was seen decrypting it, or
            // the verdict rests on documented upstream behaviour (the session id spellings,
            // which the apps match and Go does not).
            "acceptable" => assert!(
                decrypted(go).is_some() || decrypted(fox).is_some() || v["upstream"].is_array(),
                "{name}: acceptable, but no Go library decrypted it and no behaviour is cited"
            ),
            other => panic!("{name}: verdict {other}"),
        }
        if decrypted(go).is_none() && go.get("ok").is_some() {
            // bot-api-go-client's empty plaintext: the flag that names it is added by
            // tools/curate.py from this very reply.
            assert_eq!(go["ok"]["plaintext"], "", "{name}");
        }
        seen += 1;
    }
    let listed = verdicts["cases"].as_object().unwrap().len();
    assert_eq!(
        seen, listed,
        "every malformed body has a verdict, and every verdict a body"
    );
}

#[test]
fn encrypt_probes_match_bot_api_go_client() {
    // bot-api-go-client refuses wrong-length and low-order recipient keys and accepts
    // upper-case session ids; fox-one pads short keys, which we do not copy. A spelling of the
    // id that only Go's parser reads is acceptable, and the reference refuses it.
    let (verdicts, _) = verdicts();
    let mut reference = Reference::default();
    let mut acceptable = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let Some(short) = name.strip_prefix("encrypt/probe/") else {
            continue;
        };
        let go = &case["replies"][GO];
        let ours = reference.answer("mixin.encrypt", &case["args"]);
        if verdicts["encrypt"][short]["verdict"] == "acceptable" {
            assert!(
                go.get("ok").is_some(),
                "{name}: Go's leniency is what makes it acceptable"
            );
            assert!(matches!(ours, Reply::Error { .. }), "{name}: {ours:?}");
            acceptable += 1;
            continue;
        }
        match (go.get("ok"), &ours) {
            (Some(ok), _) => assert_eq!(ours, Reply::Ok(ok.clone()), "{name}"),
            (None, Reply::Error { .. }) => {}
            (None, _) => panic!("{name}: Go refused, the reference answered {ours:?}"),
        }
    }
    assert_eq!(acceptable, verdicts["encrypt"].as_object().unwrap().len());
}

#[test]
fn lenient_conversions_are_refused_by_the_reference() {
    // Go converts these points (its replies are recorded); the reference refuses each at key,
    // as libsodium does, and the corpus marks them acceptable.
    let (verdicts, _) = verdicts();
    let listed = verdicts["convert_public_key"].as_object().unwrap();
    let mut reference = Reference::default();
    let mut seen = 0;
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let Some(short) = name.strip_prefix("convert_public_key/") else {
            continue;
        };
        let Some(v) = listed.get(short) else {
            continue;
        };
        assert_eq!(v["verdict"], "acceptable", "{name}");
        assert!(
            case["replies"][GO].get("ok").is_some(),
            "{name}: Go converts it"
        );
        assert!(
            case["replies"][FOX].get("ok").is_some(),
            "{name}: fox-one converts it"
        );
        let ours = reference.answer("mixin.convert_public_key", &case["args"]);
        assert!(
            matches!(
                &ours,
                Reply::Error {
                    stage: Some(Stage::Key),
                    ..
                }
            ),
            "{name}: {ours:?}"
        );
        seen += 1;
    }
    assert_eq!(seen, listed.len());
}
