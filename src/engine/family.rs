//! Running an accumulated family (`corpus::generate::family`) against an implementation: all
//! its cases are sent, and their digest decides. On a mismatch the reference answers the
//! same cases and the first that differs is named.

use super::observe::FamilyRecord;
use super::Outcome;
use crate::corpus::generate::family::{canonical, cases, digest};
use crate::iut::{Implementation, Reference};
use crate::protocol::{Failure, Reply};
use serde_json::Value;

/// Cases sent per batch.
const CHUNK: usize = 512;

/// Runs one accumulated vector against `imp`: one outcome for the whole family.
pub fn run_family(
    imp: &mut dyn Implementation,
    op: &str,
    seed: u64,
    count: u64,
    want: &str,
) -> Outcome {
    run_family_recorded(imp, op, seed, count, want).0
}

/// [`run_family`], with what the implementation produced: its digest, when it answered
/// every case, and whether that is the recorded one.
pub fn run_family_recorded(
    imp: &mut dyn Implementation,
    op: &str,
    seed: u64,
    count: u64,
    want: &str,
) -> (Outcome, FamilyRecord) {
    let mut record = FamilyRecord {
        digest: None,
        matches: false,
        cases: count,
        answered: 0,
        unsupported: 0,
    };
    let cases = match cases(op, seed, count) {
        Ok(c) => c,
        Err(e) => {
            let outcome = Outcome::Fail(format!("cannot regenerate the cases: {e}"));
            return (outcome, record);
        }
    };
    let outcome = judge_family(imp, op, seed, count, want, &cases, &mut record);
    (outcome, record)
}

fn judge_family(
    imp: &mut dyn Implementation,
    op: &str,
    seed: u64,
    count: u64,
    want: &str,
    cases: &[Value],
    record: &mut FamilyRecord,
) -> Outcome {
    // In chunks, so an implementation that crashes is not restarted thousands of times: the
    // first case without a reply decides the outcome.
    let mut results = Vec::with_capacity(cases.len());
    for chunk in cases.chunks(CHUNK) {
        let requests: Vec<(&str, &Value)> = chunk.iter().map(|a| (op, a)).collect();
        let replies = imp.call_many(&requests, &mut |_| {});
        let failed = replies.iter().any(|r| r.is_err());
        results.extend(replies);
        if failed {
            break;
        }
    }
    let mut replies = Vec::with_capacity(results.len());
    let mut unsupported = 0usize;
    let mut first_unsupported = String::new();
    record.answered = results.iter().filter(|r| r.is_ok()).count() as u64;
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok(Reply::Unsupported(why)) => {
                if unsupported == 0 {
                    first_unsupported = format!("case {i}: {why}");
                }
                unsupported += 1;
                replies.push(Reply::Unsupported(why));
            }
            Ok(reply) => replies.push(reply),
            Err(Failure::Crashed(m)) => {
                return Outcome::NoReply(Failure::Crashed(format!("case {i}: {m}")))
            }
            Err(other) => return Outcome::NoReply(other),
        }
    }
    record.unsupported = unsupported as u64;
    if unsupported == replies.len() {
        return Outcome::Skipped(format!("every case is unsupported ({first_unsupported})"));
    }
    if unsupported == 0 {
        let got = digest(op, cases, &replies);
        record.matches = got == want;
        record.digest = Some(got);
        if record.matches {
            return Outcome::Pass;
        }
    }
    // Compare case by case with the reference (whose digest `sealcheck lint` checks), leaving
    // out the cases the implementation does not support.
    let mut reference = Reference::default();
    for (i, (args, got)) in cases.iter().zip(&replies).enumerate() {
        if matches!(got, Reply::Unsupported(_)) {
            continue;
        }
        let expected = reference.answer(op, args);
        let (e, g) = (canonical(op, args, &expected), canonical(op, args, got));
        if e != g {
            let short = |s: String| s.chars().take(160).collect::<String>();
            return Outcome::Fail(format!(
                "case {i} of {count} (seed {seed}): expected {}, got {}; args {}",
                short(e),
                short(g),
                short(args.to_string())
            ));
        }
    }
    if unsupported > 0 {
        // Every supported case agrees; say what was left out.
        return Outcome::Acceptable(format!(
            "{} of {count} cases agree; {unsupported} unsupported ({first_unsupported})",
            replies.len() - unsupported
        ));
    }
    Outcome::Fail("the digest differs from the recorded one, although every case agrees with this reference: the corpus is stale".into())
}

#[cfg(test)]
mod tests {
    use crate::corpus::generate::family::{canonical, is_leniency};
    use crate::corpus::{load_embedded, Verdict};
    use crate::iut::Reference;
    use crate::protocol::Reply;
    use crate::wire::Stage;
    use serde_json::json;

    /// The flags of the leniencies a family leaves out (docs/VECTORS.md, "Accumulated
    /// families"): a lenient implementation accepts such a case, so no digest could hold for
    /// it and for the strict reference at once.
    const FAMILY_LENIENCIES: [&str; 7] = [
        "VersionUnchecked",
        "PaddingUnchecked",
        "KeyCheckDeferred",
        "RsaCrtUnchecked",
        "RsaExponent",
        "SignedTypeLowByte",
        "TrailingBytesAfterSignature",
    ];

    #[test]
    fn is_leniency_covers_every_acceptable_vector_of_a_family_leniency_and_no_valid_one() {
        let mut covered = 0;
        for (path, f) in load_embedded().unwrap() {
            for v in &f.tests {
                let lenient = is_leniency(&f.op, &v.args);
                let flagged = v
                    .flags
                    .iter()
                    .any(|x| FAMILY_LENIENCIES.contains(&x.as_str()));
                if v.expected.result == Verdict::Acceptable && flagged {
                    assert!(
                        lenient,
                        "{path}: {} is a family leniency the families keep",
                        v.id
                    );
                    covered += 1;
                }
                if v.expected.result == Verdict::Valid {
                    assert!(
                        !lenient,
                        "{path}: {} is valid, but a family would drop it",
                        v.id
                    );
                }
            }
        }
        assert!(covered > 100, "only {covered} acceptable vectors checked");
    }

    fn vector_args(id: &str) -> serde_json::Value {
        load_embedded()
            .unwrap()
            .into_iter()
            .flat_map(|(_, f)| f.tests)
            .find(|v| v.id == id)
            .map(|v| v.args)
            .unwrap_or_else(|| panic!("no vector {id}"))
    }

    #[test]
    fn is_leniency_tells_a_version_edit_from_a_tag_edit() {
        // The Mixin desktop client's own body (upstream data).
        let args = vector_args("mixin.decrypt/upstream/flutter-encryptedDecryptTest");
        let body = args["body"].as_str().unwrap().to_owned();
        let with = |body: String| {
            let mut a = args.clone();
            a["body"] = body.into();
            is_leniency("mixin.decrypt", &a)
        };
        assert!(!with(body.clone()), "the body itself decrypts");
        assert!(
            with(format!("02{}", &body[2..])),
            "version 2: VersionUnchecked"
        );
        assert!(
            with(format!("00{}", &body[2..])),
            "version 0: VersionUnchecked"
        );
        let flipped = format!(
            "{}{}",
            &body[..body.len() - 1],
            if body.ends_with('0') { '1' } else { '0' }
        );
        assert!(!with(flipped), "an edited tag fails everywhere");
        assert!(!with(String::new()), "an empty body fails everywhere");
        // No leniency a family leaves out exists for these ops.
        assert!(!is_leniency(
            "mixin.checksum",
            &json!({"session_ids": ["A"]})
        ));
        assert!(!is_leniency(
            "themis.sign",
            &json!({"private_key": "00", "message": "00"})
        ));
    }

    #[test]
    fn canonical_forms_keep_outputs_and_only_the_fact_of_a_rejection() {
        let args = json!({"session_ids": []});
        let ok = Reply::Ok(json!({"checksum": ""}));
        assert_eq!(
            canonical("mixin.checksum", &args, &ok),
            r#"ok:{"checksum":""}"#
        );
        let at = |stage| Reply::error("no", Some("E"), stage);
        assert_eq!(
            canonical("mixin.checksum", &args, &at(Some(Stage::Key))),
            "rejected"
        );
        assert_eq!(
            canonical("mixin.checksum", &args, &at(Some(Stage::Length))),
            canonical("mixin.checksum", &args, &at(None)),
            "stages are not part of the digest"
        );
        assert_eq!(
            canonical("mixin.checksum", &args, &Reply::Unsupported("x".into())),
            "unsupported"
        );
    }

    #[test]
    fn a_signature_counts_by_whether_the_reference_verifies_it() {
        let files = load_embedded().unwrap();
        let sign = files
            .iter()
            .flat_map(|(_, f)| &f.tests)
            .find(|v| v.id.starts_with("themis.sign/") && v.expected.result == Verdict::Valid)
            .expect("a valid sign vector");
        let mut reference = Reference::default();
        let signed = reference.answer("themis.sign", &sign.args);
        assert_eq!(canonical("themis.sign", &sign.args, &signed), "signed:true");
        // The same signature, judged against another message.
        let mut other = sign.args.clone();
        other["message"] = "00ff".into();
        assert_eq!(canonical("themis.sign", &other, &signed), "signed:false");
        let garbage = Reply::Ok(json!({"signed": "00"}));
        assert_eq!(
            canonical("themis.sign", &sign.args, &garbage),
            "signed:false"
        );
        let rejected = Reply::error("no", None, None);
        assert_eq!(canonical("themis.sign", &sign.args, &rejected), "rejected");
    }
}
