//! `sealcheck lint`'s rules for vector files: what makes a file consistent, and (through
//! `evidence`) whether every provenance claim holds against what it names.

use super::evidence::{self, EvidenceReport, EvidenceSet};
use super::{Vector, VectorFile, Verdict};
use std::collections::HashSet;

/// What lint asks of the harness: the rules in this file are about the data, and whether the
/// reference agrees with it is the engine's to say (`engine::lint_files` supplies it).
pub trait Oracle {
    /// Whether the protocol defines `op`.
    fn knows_op(&self, op: &str) -> bool;
    /// The reference's digest of an accumulated family.
    fn family_digest(
        &mut self,
        op: &str,
        subset: super::Subset,
        seed: u64,
        count: u64,
    ) -> Result<String, String>;
    /// How the reference fails `vector` of `op`, if it does (the reference must pass every
    /// vector, and reject every acceptable one: it is the strict side of each leniency).
    fn reference_fails(&mut self, op: &str, vector: &Vector) -> Option<String>;
}

/// Checks that a set of files is consistent: ids unique, flags defined, valid vectors carry an
/// output or a checker, invalid ones a stage, every provenance claim holds against
/// `evidence`, and the reference (through `oracle`) agrees with every vector. The report's
/// problems include the evidence's; its counts say what backs each verdict. `whole`: the
/// files are the whole corpus.
pub fn lint(
    files: &[(String, VectorFile)],
    evidence: &EvidenceSet,
    oracle: &mut dyn Oracle,
    whole: bool,
) -> EvidenceReport {
    let mut report = evidence::check(files, evidence, whole);
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for (path, file) in files {
        if !oracle.knows_op(&file.op) {
            problems.push(format!("{path}: unknown op {}", file.op));
        }
        if !file.op.starts_with(&format!("{}.", file.format)) {
            problems.push(format!(
                "{path}: op {} is not of format {}",
                file.op, file.format
            ));
        }
        let used: HashSet<&String> = file.tests.iter().flat_map(|t| &t.flags).collect();
        for flag in file.notes.keys() {
            if !used.contains(flag) {
                problems.push(format!("{path}: note {flag} is used by no vector"));
            }
        }
        for a in &file.accumulated {
            if !ids.insert(a.id.clone()) {
                problems.push(format!("{path}: duplicate id {}", a.id));
            }
            match oracle.family_digest(&file.op, a.cases, a.seed, a.count) {
                Ok(d) if d == a.digest => {}
                Ok(d) => problems.push(format!(
                    "{path}: {}: the reference's digest is {d}, the file says {}",
                    a.id, a.digest
                )),
                Err(e) => problems.push(format!("{path}: {}: {e}", a.id)),
            }
        }
        for v in &file.tests {
            if !ids.insert(v.id.clone()) {
                problems.push(format!("{path}: duplicate id {}", v.id));
            }
            if !v.id.starts_with(&format!("{}/", file.op)) {
                problems.push(format!(
                    "{path}: id {} does not start with {}/",
                    v.id, file.op
                ));
            }
            for flag in &v.flags {
                if !file.notes.contains_key(flag) {
                    problems.push(format!("{path}: {} uses undefined flag {flag}", v.id));
                }
            }
            if v.expected.provenance.is_empty() {
                problems.push(format!("{path}: {} has no provenance", v.id));
            }
            match v.expected.result {
                Verdict::Valid if v.expected.ok.is_none() && v.expected.check.is_none() => problems
                    .push(format!(
                        "{path}: valid vector {} has neither ok nor check",
                        v.id
                    )),
                Verdict::Invalid if v.expected.stage.is_none() => {
                    problems.push(format!("{path}: invalid vector {} names no stage", v.id))
                }
                Verdict::Acceptable if v.flags.is_empty() => problems.push(format!(
                    "{path}: acceptable vector {} has no flag saying who does what",
                    v.id
                )),
                _ => {}
            }
            if let Some(outcome) = oracle.reference_fails(&file.op, v) {
                problems.push(format!("{path}: {}: reference: {outcome}", v.id));
            }
        }
    }
    problems.append(&mut report.problems);
    report.problems = problems;
    report
}
