//! Running an accumulated family (`corpus::generate::family`) against an implementation: all
//! its cases are sent, and their digest decides. On a mismatch the reference answers the
//! same cases and the first that differs is named.
//!
//! The cases go in blocks of [`BLOCK`], which is also the unit that `--jobs` spreads over
//! processes and `--partition` over shards. A digest is over every case in order, so blocks
//! answered apart are gathered and hashed in order; a shard, which never sees the other
//! shards' cases, checks each of its cases against the reference instead, and `merge`
//! combines the shards' [`FamilySlice`]s into the verdict an unsharded run gives.

use super::observe::FamilyRecord;
use super::Outcome;
use crate::corpus::generate::family::{
    canonical, cases, check_subset, keep, too_few, MAX_DRAWS_PER_CASE,
};
use crate::corpus::generate::{accumulated_args, Gen};
use crate::corpus::Subset;
use crate::iut::{Implementation, Reference};
use crate::protocol::{Failure, Reply};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Cases sent per block.
pub const BLOCK: usize = 512;

/// One case's reply, reduced to what a family's verdict needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CaseOut {
    /// A reply: its canonical form, and the reason when it is `unsupported`.
    Answer {
        canonical: String,
        unsupported: Option<String>,
    },
    /// No reply.
    NoReply(Failure),
}

/// How many blocks a family of `count` cases has.
pub fn blocks(count: u64) -> usize {
    usize::try_from(count).unwrap_or(usize::MAX).div_ceil(BLOCK)
}

/// Sends one block of cases (the first being case `first`) and reduces the replies.
pub(crate) fn answer_block(
    imp: &mut dyn Implementation,
    op: &str,
    family: &str,
    cases: &[Value],
    first: usize,
) -> Vec<CaseOut> {
    let requests: Vec<(&str, &Value)> = cases.iter().map(|a| (op, a)).collect();
    let names = |i: usize| format!("{family} case {}", first + i);
    let replies = imp.call_named_until_failure(&requests, &names, &mut |_| {});
    cases
        .iter()
        .zip(replies)
        .map(|(args, r)| match r {
            Ok(reply) => CaseOut::Answer {
                canonical: canonical(op, args, &reply),
                unsupported: match reply {
                    Reply::Unsupported(why) => Some(why),
                    _ => None,
                },
            },
            Err(f) => CaseOut::NoReply(f),
        })
        .collect()
}

/// Runs one accumulated vector against `imp`: one outcome for the whole family.
pub fn run_family(
    imp: &mut dyn Implementation,
    op: &str,
    subset: Subset,
    seed: u64,
    count: u64,
    want: &str,
) -> Outcome {
    run_family_recorded(imp, op, subset, seed, count, want).0
}

/// [`run_family`], with what the implementation produced: its digest, when it answered
/// every case, and whether that is the recorded one.
pub fn run_family_recorded(
    imp: &mut dyn Implementation,
    op: &str,
    subset: Subset,
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
    let cases = match cases(op, subset, seed, count) {
        Ok(c) => c,
        Err(e) => {
            let outcome = Outcome::Fail(format!("cannot regenerate the cases: {e}"));
            return (outcome, record);
        }
    };
    let family = format!("{op} family");
    // Block by block, so an implementation that crashes is not restarted thousands of
    // times: the first case without a reply decides the outcome.
    let mut outs = Vec::with_capacity(cases.len());
    for (b, chunk) in cases.chunks(BLOCK).enumerate() {
        let block = answer_block(imp, op, &family, chunk, b * BLOCK);
        let failed = block.iter().any(|c| matches!(c, CaseOut::NoReply(_)));
        outs.extend(block);
        if failed {
            break;
        }
    }
    record_of(&outs, want, &mut record);
    (judge_family(op, seed, count, want, &cases, outs), record)
}

/// What a family's replies produced: how many were answered and unsupported (up to the
/// first without a reply), and the digest when every case was answered and supported.
pub(crate) fn record_of(outs: &[CaseOut], want: &str, record: &mut FamilyRecord) {
    let answered: Vec<&CaseOut> = outs
        .iter()
        .take_while(|c| matches!(c, CaseOut::Answer { .. }))
        .collect();
    record.answered = answered.len() as u64;
    record.unsupported = answered
        .iter()
        .filter(|c| {
            matches!(
                c,
                CaseOut::Answer {
                    unsupported: Some(_),
                    ..
                }
            )
        })
        .count() as u64;
    if record.answered == record.cases && record.unsupported == 0 {
        let mut h = Sha256::new();
        for out in &answered {
            if let CaseOut::Answer { canonical, .. } = out {
                h.update(canonical.as_bytes());
                h.update(b"\n");
            }
        }
        let got = hex::encode(h.finalize());
        record.matches = got == want;
        record.digest = Some(got);
    }
}

/// The verdict on a family from its cases' replies in order (up to the first block with a
/// case that got no reply).
pub(crate) fn judge_family(
    op: &str,
    seed: u64,
    count: u64,
    want: &str,
    cases: &[Value],
    outs: Vec<CaseOut>,
) -> Outcome {
    let mut unsupported = 0usize;
    let mut first_unsupported = String::new();
    for (i, out) in outs.iter().enumerate() {
        match out {
            CaseOut::NoReply(f) => return no_reply(i, f.clone()),
            CaseOut::Answer {
                unsupported: Some(why),
                ..
            } => {
                if unsupported == 0 {
                    first_unsupported = format!("case {i}: {why}");
                }
                unsupported += 1;
            }
            CaseOut::Answer { .. } => {}
        }
    }
    if unsupported == outs.len() {
        return Outcome::Skipped(format!("every case is unsupported ({first_unsupported})"));
    }
    if unsupported == 0 {
        let mut h = Sha256::new();
        for out in &outs {
            if let CaseOut::Answer { canonical, .. } = out {
                h.update(canonical.as_bytes());
                h.update(b"\n");
            }
        }
        if hex::encode(h.finalize()) == want {
            return Outcome::Pass;
        }
    }
    // Compare case by case with the reference (whose digest `sealcheck lint` checks), leaving
    // out the cases the implementation does not support.
    let mut reference = Reference::default();
    for (i, (args, out)) in cases.iter().zip(&outs).enumerate() {
        if let CaseOut::Answer {
            canonical: got,
            unsupported: None,
        } = out
        {
            if let Some(detail) = disagreement(&mut reference, op, seed, count, i, args, got) {
                return Outcome::Fail(detail);
            }
        }
    }
    if unsupported > 0 {
        // Every supported case agrees; say what was left out.
        return Outcome::Acceptable(format!(
            "{} of {count} cases agree; {unsupported} unsupported ({first_unsupported})",
            outs.len() - unsupported
        ));
    }
    Outcome::Fail("the digest differs from the recorded one, although every case agrees with this reference: the corpus is stale".into())
}

fn no_reply(i: usize, f: Failure) -> Outcome {
    match f {
        Failure::Crashed(m) => Outcome::NoReply(Failure::Crashed(format!("case {i}: {m}"))),
        other => Outcome::NoReply(other),
    }
}

/// What is wrong with case `i` when its canonical reply is not the reference's.
fn disagreement(
    reference: &mut Reference,
    op: &str,
    seed: u64,
    count: u64,
    i: usize,
    args: &Value,
    got: &str,
) -> Option<String> {
    let expected = canonical(op, args, &reference.answer(op, args));
    (expected != got).then(|| {
        let short = |s: &str| s.chars().take(160).collect::<String>();
        format!(
            "case {i} of {count} (seed {seed}): expected {}, got {}; args {}",
            short(&expected),
            short(got),
            short(&args.to_string())
        )
    })
}

/// A case without a reply, as a shard reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum NoReplyAt {
    /// The process crashed.
    Crashed {
        /// Case index.
        case: u64,
        /// What happened.
        detail: String,
    },
    /// No reply in time.
    Timeout {
        /// Case index.
        case: u64,
        /// The timeout.
        ms: u64,
    },
    /// A protocol violation.
    ProtocolError {
        /// Case index.
        case: u64,
        /// What happened.
        detail: String,
    },
}

impl NoReplyAt {
    fn case(&self) -> u64 {
        match self {
            NoReplyAt::Crashed { case, .. }
            | NoReplyAt::Timeout { case, .. }
            | NoReplyAt::ProtocolError { case, .. } => *case,
        }
    }

    fn new(case: usize, f: &Failure) -> Self {
        let case = case as u64;
        match f {
            Failure::Crashed(detail) => NoReplyAt::Crashed {
                case,
                detail: detail.clone(),
            },
            Failure::Timeout(t) => NoReplyAt::Timeout {
                case,
                ms: u64::try_from(t.as_millis()).unwrap_or(u64::MAX),
            },
            Failure::ProtocolError(detail) => NoReplyAt::ProtocolError {
                case,
                detail: detail.clone(),
            },
        }
    }

    fn failure(&self) -> Failure {
        match self {
            NoReplyAt::Crashed { detail, .. } => Failure::Crashed(detail.clone()),
            NoReplyAt::Timeout { ms, .. } => Failure::Timeout(Duration::from_millis(*ms)),
            NoReplyAt::ProtocolError { detail, .. } => Failure::ProtocolError(detail.clone()),
        }
    }
}

/// What one shard found in its blocks of a family: enough for `merge` to reach the verdict
/// of an unsharded run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilySlice {
    /// The family's id.
    pub id: String,
    /// Its op.
    pub op: String,
    /// Its seed.
    pub seed: u64,
    /// Its number of cases.
    pub count: u64,
    /// The blocks of [`BLOCK`] cases this shard was given.
    pub blocks: Vec<usize>,
    /// Why the family was not run at all (the op is not listed), if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Why its cases could not be made, if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The first of its cases without a reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_no_reply: Option<NoReplyAt>,
    /// How many of its cases were answered `unsupported`.
    #[serde(default)]
    pub unsupported: u64,
    /// The first of them: case index and reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_unsupported: Option<(u64, String)>,
    /// The first case whose canonical reply is not the reference's: index and detail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_disagreement: Option<(u64, String)>,
}

impl FamilySlice {
    /// An empty slice of a family: nothing found yet.
    pub fn new(id: &str, op: &str, seed: u64, count: u64, blocks: Vec<usize>) -> Self {
        FamilySlice {
            id: id.into(),
            op: op.into(),
            seed,
            count,
            blocks,
            skipped: None,
            error: None,
            first_no_reply: None,
            unsupported: 0,
            first_unsupported: None,
            first_disagreement: None,
        }
    }

    /// Adds block `block`'s outs (its first case being `block * BLOCK`), checking each
    /// answered case against the reference.
    pub(crate) fn add_block(&mut self, block: usize, cases: &[Value], outs: &[CaseOut]) {
        let mut reference = Reference::default();
        let first = block * BLOCK;
        for (k, (args, out)) in cases.iter().zip(outs).enumerate() {
            let i = first + k;
            match out {
                CaseOut::NoReply(f) => {
                    if self
                        .first_no_reply
                        .as_ref()
                        .is_none_or(|n| n.case() > i as u64)
                    {
                        self.first_no_reply = Some(NoReplyAt::new(i, f));
                    }
                    // Like an unsharded run, nothing after the first case without a reply
                    // counts.
                    return;
                }
                CaseOut::Answer {
                    unsupported: Some(why),
                    ..
                } => {
                    self.unsupported += 1;
                    if self
                        .first_unsupported
                        .as_ref()
                        .is_none_or(|(c, _)| *c > i as u64)
                    {
                        self.first_unsupported = Some((i as u64, why.clone()));
                    }
                }
                CaseOut::Answer {
                    canonical,
                    unsupported: None,
                } => {
                    let later = self
                        .first_disagreement
                        .as_ref()
                        .is_none_or(|(c, _)| *c > i as u64);
                    if later {
                        if let Some(d) = disagreement(
                            &mut reference,
                            &self.op,
                            self.seed,
                            self.count,
                            i,
                            args,
                            canonical,
                        ) {
                            self.first_disagreement = Some((i as u64, d));
                        }
                    }
                }
            }
        }
    }
}

impl FamilySlice {
    /// Takes in what another part of the same shard found (a block answered by another job).
    pub(crate) fn absorb(&mut self, other: FamilySlice) {
        fn earlier<T>(a: &mut Option<T>, b: Option<T>, key: impl Fn(&T) -> u64) {
            if let Some(b) = b {
                if a.as_ref().is_none_or(|a| key(a) > key(&b)) {
                    *a = Some(b);
                }
            }
        }
        earlier(
            &mut self.first_no_reply,
            other.first_no_reply,
            NoReplyAt::case,
        );
        earlier(
            &mut self.first_unsupported,
            other.first_unsupported,
            |(c, _)| *c,
        );
        earlier(
            &mut self.first_disagreement,
            other.first_disagreement,
            |(c, _)| *c,
        );
        self.unsupported += other.unsupported;
        self.error = self.error.take().or(other.error);
        self.skipped = self.skipped.take().or(other.skipped);
    }
}

/// The verdict on a family from the slices of every shard (or of one, for a shard's own
/// report). It is the unsharded verdict: the first case without a reply, else all
/// unsupported, else the first case that differs from the reference, else a pass (acceptable
/// when some cases were unsupported). The unsharded run's digest check is what `sealcheck
/// lint` makes of the reference's answers, so the two agree.
pub fn judge_slices(slices: &[&FamilySlice]) -> Outcome {
    let Some(first) = slices.first() else {
        return Outcome::Fail("no shard ran this family".into());
    };
    if let Some(e) = slices.iter().find_map(|s| s.error.clone()) {
        return Outcome::Fail(format!("cannot regenerate the cases: {e}"));
    }
    if let Some(why) = slices.iter().find_map(|s| s.skipped.clone()) {
        return Outcome::Skipped(why);
    }
    if let Some(n) = slices
        .iter()
        .filter_map(|s| s.first_no_reply.as_ref())
        .min_by_key(|n| n.case())
    {
        return no_reply(n.case() as usize, n.failure());
    }
    let cases: u64 = slices
        .iter()
        .flat_map(|s| &s.blocks)
        .map(|b| {
            let start = (*b * BLOCK) as u64;
            first.count.saturating_sub(start).min(BLOCK as u64)
        })
        .sum();
    let unsupported: u64 = slices.iter().map(|s| s.unsupported).sum();
    let first_unsupported = slices
        .iter()
        .filter_map(|s| s.first_unsupported.as_ref())
        .min_by_key(|(c, _)| *c)
        .map(|(c, why)| format!("case {c}: {why}"))
        .unwrap_or_default();
    if unsupported == cases {
        return Outcome::Skipped(format!("every case is unsupported ({first_unsupported})"));
    }
    if let Some((_, d)) = slices
        .iter()
        .filter_map(|s| s.first_disagreement.as_ref())
        .min_by_key(|(c, _)| *c)
    {
        return Outcome::Fail(d.clone());
    }
    if unsupported > 0 {
        return Outcome::Acceptable(format!(
            "{} of {} cases agree; {unsupported} unsupported ({first_unsupported})",
            cases - unsupported,
            first.count
        ));
    }
    Outcome::Pass
}

/// The family's cases, exactly as `corpus::generate::family::cases` makes them, with the
/// leniency check (the costly part for some ops: it runs the reference) on `threads`
/// threads. Candidates come from the seeded stream in order whatever the checks say, so
/// checking a batch of them at once and keeping the first that pass changes nothing.
pub(crate) fn family_cases(
    op: &str,
    subset: Subset,
    seed: u64,
    count: u64,
    threads: usize,
) -> Result<Vec<Value>, String> {
    if threads <= 1 {
        return cases(op, subset, seed, count);
    }
    check_subset(op, subset)?;
    let want = usize::try_from(count).map_err(|_| format!("{count} cases is too many"))?;
    let limit = count
        .saturating_mul(MAX_DRAWS_PER_CASE)
        .saturating_add(1000);
    let mut g = Gen::new(seed);
    let mut out = Vec::with_capacity(want.min(1 << 20));
    let mut drawn: u64 = 0;
    while out.len() < want {
        let need = want - out.len();
        let batch = (0..need + need / 8 + 1)
            .map(|_| accumulated_args(&mut g, op))
            .collect::<Result<Vec<Value>, String>>()?;
        let per = batch.len().div_ceil(threads);
        let kept: Vec<Option<Value>> = std::thread::scope(|scope| {
            let parts: Vec<_> = batch
                .chunks(per)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|a| keep(op, subset, a.clone()))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        if kept.len() != batch.len() {
            return Err("a leniency check panicked".into());
        }
        // Candidates count in stream order, as `cases` counts them.
        for k in kept {
            if out.len() == want {
                break;
            }
            drawn += 1;
            if drawn > limit {
                return Err(too_few(op, subset, out.len(), drawn));
            }
            out.extend(k);
        }
    }
    Ok(out)
}

/// The digest the reference's own answers give, for tests.
#[cfg(test)]
fn reference_digest_of(op: &str, cases: &[Value]) -> String {
    use crate::corpus::generate::family::digest;
    let mut r = Reference::default();
    let replies: Vec<Reply> = cases.iter().map(|a| r.answer(op, a)).collect();
    digest(op, cases, &replies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::generate::family::is_leniency;
    use crate::iut::Implementation;
    use crate::protocol::Hello;
    use crate::wire::Stage;

    /// The reference, except that it answers case `bad` wrongly and `unsupported` for every
    /// case whose checksum input is empty.
    struct Twisted {
        calls: usize,
        bad: usize,
    }

    impl Implementation for Twisted {
        fn hello(&mut self) -> Result<Hello, String> {
            Reference::default().hello()
        }
        fn call(&mut self, op: &str, args: &Value) -> Result<Reply, Failure> {
            let n = self.calls;
            self.calls += 1;
            if args["session_ids"].as_array().is_some_and(|a| a.is_empty()) {
                return Ok(Reply::Unsupported("empty".into()));
            }
            if n == self.bad {
                return Ok(Reply::Ok(serde_json::json!({"checksum": "nope"})));
            }
            Ok(Reference::default().answer(op, args))
        }
    }

    #[test]
    fn slices_reach_the_unsharded_verdict() {
        let (op, seed, count) = ("mixin.checksum", 11, 1500);
        let cases = family_cases(op, Subset::All, seed, count, 1).unwrap();
        let want = reference_digest_of(op, &cases);
        let answerable = |from: usize| {
            (from..cases.len())
                .find(|&i| {
                    cases[i]["session_ids"]
                        .as_array()
                        .is_some_and(|a| !a.is_empty())
                })
                .unwrap()
        };
        for bad in [usize::MAX, answerable(3), answerable(700), answerable(1400)] {
            let whole = run_family(
                &mut Twisted { calls: 0, bad },
                op,
                Subset::All,
                seed,
                count,
                &want,
            );
            // Two shards, blocks dealt alternately, each checking against the reference.
            let mut shards = [
                FamilySlice::new("f", op, seed, count, vec![]),
                FamilySlice::new("f", op, seed, count, vec![]),
            ];
            let mut imp = Twisted { calls: 0, bad };
            for (b, chunk) in cases.chunks(BLOCK).enumerate() {
                let outs = answer_block(&mut imp, op, "f", chunk, b * BLOCK);
                let s = &mut shards[b % 2];
                s.blocks.push(b);
                s.add_block(b, chunk, &outs);
            }
            let merged = judge_slices(&[&shards[0], &shards[1]]);
            assert_eq!(merged, whole, "bad case {bad}");
            let label = if bad == usize::MAX {
                "acceptable"
            } else {
                "fail"
            };
            assert_eq!(whole.label(), label, "{whole}");
        }
    }

    #[test]
    fn cases_made_on_threads_are_the_generators_cases() {
        // The ops whose leniency check rejects some candidates, and one where it never does.
        for op in [
            "mixin.decrypt",
            "themis.key.check",
            "themis.verify",
            "mixin.checksum",
        ] {
            let one = cases(op, Subset::All, 5, 300).unwrap();
            assert_eq!(
                family_cases(op, Subset::All, 5, 300, 3).unwrap(),
                one,
                "{op}"
            );
        }
        let all = cases("themis.key.check", Subset::All, 8, 2000).unwrap();
        let lenient = (0..2200)
            .scan(Gen::new(8), |g, _| {
                accumulated_args(g, "themis.key.check").ok()
            })
            .filter(|a| is_leniency("themis.key.check", a))
            .count();
        assert!(lenient > 0, "the check must have something to leave out");
        assert_eq!(
            family_cases("themis.key.check", Subset::All, 8, 2000, 2).unwrap(),
            all
        );
    }

    #[test]
    fn split_families_keep_only_their_class_on_any_number_of_threads() {
        let stage_of = |op: &str, a: &Value| match Reference::default().answer(op, a) {
            Reply::Error { stage, .. } => stage,
            _ => None,
        };
        let classes = [
            ("mixin.decrypt", Subset::LayoutOverflow),
            ("mixin.decrypt", Subset::LayoutFits),
            ("themis.encrypt", Subset::KeyDefects),
            ("themis.encrypt", Subset::WellKeyed),
        ];
        for (op, subset) in classes {
            let one = cases(op, subset, 9, 120).unwrap();
            assert_eq!(one.len(), 120);
            assert_eq!(
                family_cases(op, subset, 9, 120, 3).unwrap(),
                one,
                "{subset:?}"
            );
            for a in &one {
                let stage = stage_of(op, a);
                let ok = match subset {
                    // The count's blocks, or the nonce after them, past the end.
                    Subset::LayoutOverflow => {
                        matches!(stage, Some(Stage::SessionCount | Stage::Length))
                    }
                    Subset::LayoutFits => stage != Some(Stage::SessionCount),
                    Subset::KeyDefects => {
                        a.get("random").is_none()
                            && matches!(stage, Some(Stage::Key | Stage::KeyKind))
                    }
                    _ => {
                        a.get("random").is_some()
                            && !matches!(stage, Some(Stage::Key | Stage::KeyKind))
                    }
                };
                assert!(ok, "{subset:?}: {a} ({stage:?})");
            }
        }
        // Both halves are drawn from the one stream: well-keyed cases still hold rejections
        // (an empty message), and the fitting counts still hold truncations.
        let rejected = |op: &str, subset| {
            cases(op, subset, 9, 300)
                .unwrap()
                .iter()
                .filter(|a| stage_of(op, a).is_some())
                .count()
        };
        assert!(rejected("themis.encrypt", Subset::WellKeyed) > 10);
        assert!(rejected("mixin.decrypt", Subset::LayoutFits) > 30);
        // A subset is its op's only, and one that keeps nothing is refused, not searched for ever.
        let err = cases("themis.sign", Subset::KeyDefects, 1, 5).unwrap_err();
        assert!(err.contains("themis.encrypt"), "{err}");
        assert!(family_cases("mixin.checksum", Subset::LayoutFits, 1, 5, 2).is_err());
    }

    #[test]
    fn blocks_cover_the_cases() {
        assert_eq!(blocks(0), 0);
        assert_eq!(blocks(512), 1);
        assert_eq!(blocks(513), 2);
        assert_eq!(blocks(10_000), 20);
    }
}

#[cfg(test)]
mod leniency_tests {
    use crate::corpus::generate::family::{canonical, cases, is_leniency, unaskable};
    use crate::corpus::generate::{accumulated_args, Gen};
    use crate::corpus::{embedded_args as vector_args, load_embedded, Subset, Verdict};
    use crate::iut::Reference;
    use crate::protocol::Reply;
    use crate::wire::Stage;
    use serde_json::json;
    use serde_json::Value;

    /// The flags of the leniencies a family leaves out (docs/VECTORS.md, "Accumulated
    /// families"): a lenient implementation accepts such a case, so no digest could hold for
    /// it and for the strict reference at once.
    const FAMILY_LENIENCIES: [&str; 10] = [
        "LastMatchWins",
        "RsaAnonymous",
        "HybridPoint",
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
    fn families_leave_out_seeds_of_another_length_and_keep_the_rest() {
        for op in ["mixin.convert_private_key", "mixin.encrypt"] {
            let drawn: Vec<Value> = (0..3000)
                .scan(Gen::new(3), |g, _| accumulated_args(g, op).ok())
                .collect();
            let short = drawn.iter().filter(|a| unaskable(op, a)).count();
            assert!(short > 0, "{op}: the draw must hold seeds to leave out");
            let kept = cases(op, Subset::All, 3, 2000).unwrap();
            assert!(
                kept.iter()
                    .all(|a| a["private_key"].as_str().unwrap().len() == 64),
                "{op}"
            );
            assert!(kept.iter().any(|a| !is_leniency(op, a)), "{op}");
        }
        // Other ops keep a private key of any length (themis.sign's is a container).
        assert!(!unaskable(
            "themis.sign",
            &json!({"private_key": "00", "message": "00"})
        ));
        assert!(!unaskable(
            "mixin.decrypt",
            &json!({"private_key": "00", "body": "00"})
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
