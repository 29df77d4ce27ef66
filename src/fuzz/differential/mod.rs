//! The differential fuzzer behind `sealcheck fuzz`: mutate corpus vectors, compare the
//! reference with an implementation under test, shrink the disagreements and write them as
//! vectors.

mod arg_edit;
mod compare;
mod findings;

pub use compare::{compare, Comparison, Kind};

use arg_edit::{change_kind, random_edit};
use compare::deterministic;
use findings::{reply_summary, signature, write_findings, Finding};

use crate::corpus;
use crate::iut::subprocess::Subprocess;
use crate::iut::{Implementation, Reference};
use crate::mutate::{ArgEdit, Edit, Expr, Op};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What `sealcheck fuzz` does.
#[derive(Debug, Clone)]
pub struct Config {
    /// The command that starts the implementation under test (docs/PROTOCOL.md).
    pub target: String,
    /// Seed of the mutations; the same seed gives the same mutants.
    pub seed: u64,
    /// How many mutants to try.
    pub iterations: usize,
    /// Where to write the shrunk disagreements as a vector file (one op per file: with
    /// several ops, `NAME.json` becomes `NAME-<op>.json`).
    pub out: Option<PathBuf>,
    /// Vector files to mutate instead of the embedded corpus.
    pub files: Vec<PathBuf>,
}

/// A mutant: a corpus vector's args with changes applied in order.
#[derive(Debug, Clone)]
pub(super) struct Mutant {
    pub(super) base: usize,
    pub(super) edits: Vec<ArgEdit>,
}

pub(super) struct Base {
    pub(super) op: String,
    pub(super) id: String,
    pub(super) args: Value,
}

impl Mutant {
    pub(super) fn args(&self, bases: &[Base]) -> Value {
        let base = &bases[self.base];
        let mut args = base.args.clone();
        for e in &self.edits {
            e.apply(&base.op, &mut args);
        }
        args
    }

    pub(super) fn describe(&self, bases: &[Base]) -> String {
        let base = &bases[self.base];
        let mut args = base.args.clone();
        let mut parts = Vec::new();
        for e in &self.edits {
            parts.push(e.describe(&base.op, &args));
            e.apply(&base.op, &mut args);
        }
        parts.join("; ")
    }
}

/// How many requests go to the IUT in one pipelined batch.
const BATCH: usize = 200;

/// How many disagreements of one signature are shrunk and written.
const KEEP_PER_SIGNATURE: usize = 2;

/// The fuzz loop: says what it does and finds through `out`, line by line, and returns the
/// number of disagreements; the error is a setup problem.
pub fn run(args: &Config, out: &mut dyn FnMut(&str)) -> Result<usize, String> {
    let files = if args.files.is_empty() {
        corpus::load_embedded()?
    } else {
        corpus::load_paths(&args.files)?
    };
    let mut iut = Subprocess::spawn(&args.target)?;
    let hello = iut.hello()?;
    let bases: Vec<Base> = files
        .iter()
        .flat_map(|(_, f)| f.tests.iter().map(move |v| (f.op.clone(), v)))
        .filter(|(op, v)| hello.ops.contains(op) && deterministic(op, &v.args))
        .map(|(op, v)| Base {
            op,
            id: v.id.clone(),
            args: v.args.clone(),
        })
        .collect();
    // Mutate only vectors on which the two already agree: a corpus vector the IUT fails is a
    // known failure (`sealcheck run` reports it), and every mutant of it would repeat it.
    let base_args: Vec<(&str, &Value)> = bases.iter().map(|b| (b.op.as_str(), &b.args)).collect();
    let base_replies = iut.call_many(&base_args, &mut |_| {});
    let mut reference = Reference::with_rng(ChaCha8Rng::seed_from_u64(args.seed));
    let before = bases.len();
    let bases: Vec<Base> = bases
        .into_iter()
        .zip(base_replies)
        .filter(|(b, got)| {
            matches!(
                compare(&reference.answer(&b.op, &b.args), got),
                Comparison::Agree | Comparison::StageMismatch
            )
        })
        .map(|(b, _)| b)
        .collect();
    out(&format!(
        "{} of {before} corpus vectors already disagree or are unsupported; mutating the other {}",
        before - bases.len(),
        bases.len()
    ));
    if bases.is_empty() {
        return Err(format!(
            "{} {} implements none of the corpus's deterministic ops",
            hello.name, hello.version
        ));
    }
    out(&format!(
        "fuzzing {} {} from {} corpus vectors, seed {}, {} iterations",
        hello.name,
        hello.version,
        bases.len(),
        args.seed,
        args.iterations
    ));
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut by_signature: BTreeMap<String, usize> = BTreeMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut done = 0usize;
    while done < args.iterations {
        let n = BATCH.min(args.iterations - done);
        let mutants: Vec<Mutant> = (0..n)
            .map(|_| {
                let base = (rng.next_u32() as usize) % bases.len();
                let mut m = Mutant {
                    base,
                    edits: Vec::new(),
                };
                let k = 1 + (rng.next_u32() % 3) as usize;
                for _ in 0..k {
                    let current = m.args(&bases);
                    if let Some(e) = random_edit(&mut rng, &current) {
                        m.edits.push(e);
                    }
                }
                m
            })
            .collect();
        let all_args: Vec<Value> = mutants.iter().map(|m| m.args(&bases)).collect();
        let requests: Vec<(&str, &Value)> = mutants
            .iter()
            .zip(&all_args)
            .map(|(m, a)| (bases[m.base].op.as_str(), a))
            .collect();
        let replies = iut.call_many(&requests, &mut |_| {});
        for ((m, a), got) in mutants.iter().zip(&all_args).zip(replies) {
            let op = bases[m.base].op.as_str();
            let want = reference.answer(op, a);
            match compare(&want, &got) {
                Comparison::Agree => *counts.entry("agree").or_default() += 1,
                Comparison::Unsupported => *counts.entry("unsupported").or_default() += 1,
                Comparison::StageMismatch => *counts.entry("stage-mismatch").or_default() += 1,
                Comparison::Disagree(kind) => {
                    *by_kind.entry(kind).or_default() += 1;
                    let sig = signature(op, kind, &want, &got, m);
                    let seen = by_signature.entry(sig).or_default();
                    *seen += 1;
                    if *seen <= KEEP_PER_SIGNATURE {
                        let f = shrink(&mut iut, &mut reference, &bases, m.clone(), kind);
                        findings.push(f);
                    }
                }
            }
        }
        done += n;
    }
    let total: usize = by_kind.values().sum();
    out(&format!("{done} iterations: {total} disagreements"));
    for (label, n) in &counts {
        out(&format!("  {label:<18} {n}"));
    }
    for (kind, n) in &by_kind {
        out(&format!("  {:<18} {n}", kind.label()));
    }
    out(&format!("{} distinct signatures:", by_signature.len()));
    for (sig, n) in &by_signature {
        out(&format!("  {n:>6}  {sig}"));
    }
    for f in &findings {
        out(&format!(
            "finding {} {}: {}\n    reference: {}\n    {}: {}",
            f.op,
            f.kind.label(),
            f.mutant.describe(&bases),
            reply_summary(&Ok(f.reference.clone())),
            hello.name,
            reply_summary(&f.iut)
        ));
    }
    if let Some(path) = &args.out {
        let written = write_findings(path, &findings, &bases, &hello, args.seed)?;
        for p in written {
            out(&format!("wrote {}", p.display()));
        }
    }
    Ok(total)
}

/// Undoes edits one at a time while the same kind of disagreement persists.
fn shrink(
    iut: &mut dyn Implementation,
    reference: &mut Reference,
    bases: &[Base],
    mut m: Mutant,
    kind: Kind,
) -> Finding {
    let op = bases[m.base].op.clone();
    let mut budget = 24usize;
    let mut changed = true;
    while changed && budget > 0 {
        changed = false;
        for i in (0..m.edits.len()).rev() {
            if m.edits.len() == 1 || budget == 0 {
                break;
            }
            let mut candidate = m.clone();
            candidate.edits.remove(i);
            budget -= 1;
            let a = candidate.args(bases);
            let want = reference.answer(&op, &a);
            let got = iut.call(&op, &a);
            if compare(&want, &got) == Comparison::Disagree(kind) {
                m = candidate;
                changed = true;
            }
        }
    }
    // Smaller insertions where the disagreement survives.
    for i in 0..m.edits.len() {
        while budget > 0 {
            let ArgEdit {
                edit: Edit::At(place, Op::Insert(Expr::Bytes(bytes))),
                pointer,
            } = &m.edits[i]
            else {
                break;
            };
            if bytes.len() <= 1 {
                break;
            }
            let mut candidate = m.clone();
            candidate.edits[i] = ArgEdit {
                pointer: pointer.clone(),
                edit: Edit::At(
                    place.clone(),
                    Op::Insert(Expr::Bytes(bytes[..bytes.len() / 2].to_vec())),
                ),
            };
            budget -= 1;
            let a = candidate.args(bases);
            let want = reference.answer(&op, &a);
            let got = iut.call(&op, &a);
            if compare(&want, &got) == Comparison::Disagree(kind) {
                m = candidate;
            } else {
                break;
            }
        }
    }
    let args = m.args(bases);
    let reference_reply = reference.answer(&op, &args);
    let iut_reply = iut.call(&op, &args);
    Finding {
        op,
        kind,
        mutant: m,
        args,
        reference: reference_reply,
        iut: iut_reply,
    }
}
