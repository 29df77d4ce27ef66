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
