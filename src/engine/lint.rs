//! The reference's side of `sealcheck lint`: the corpus's rules (`corpus::lint`) ask whether
//! the reference agrees with each vector and family, and this answers by running it.

use super::{judge, Outcome};
use crate::corpus::evidence::{EvidenceReport, EvidenceSet};
use crate::corpus::{self, generate::family, Oracle, Vector, VectorFile, Verdict};
use crate::iut::Reference;
use crate::protocol::{Reply, OPS};
use std::path::PathBuf;

/// The reference, answering lint's questions.
struct ReferenceOracle {
    reference: Reference,
}

impl Oracle for ReferenceOracle {
    fn knows_op(&self, op: &str) -> bool {
        OPS.contains(&op)
    }

    fn family_digest(
        &mut self,
        op: &str,
        subset: crate::corpus::Subset,
        seed: u64,
        count: u64,
    ) -> Result<String, String> {
        family::reference_digest(op, subset, seed, count)
    }

    fn reference_fails(&mut self, op: &str, v: &Vector) -> Option<String> {
        // The reference must be strict: acceptable vectors are ones it rejects.
        let reply = self.reference.answer(op, &v.args);
        let outcome = match (v.expected.result, &reply) {
            (Verdict::Acceptable, Reply::Ok(_)) => {
                Outcome::Fail("the reference accepts an acceptable vector".into())
            }
            (Verdict::Acceptable, _) => Outcome::Pass,
            // A stage set's first stage is the reference's own.
            (
                Verdict::Invalid,
                Reply::Error {
                    stage: Some(got), ..
                },
            ) if Some(*got) != v.expected.stage => {
                return Some(format!(
                    "the reference rejects at {got}, but the vector's stage (the first of its set) is {}",
                    v.expected.stage.map(|s| s.to_string()).unwrap_or_default()
                ));
            }
            _ => judge(op, v, &Ok(reply)),
        };
        (outcome != Outcome::Pass).then(|| outcome.to_string())
    }
}

/// Every problem `sealcheck lint` finds in `files`: the corpus's rules and the evidence
/// behind each verdict (the embedded observations, upstream data and policy), with the
/// reference run against every vector and family.
pub fn lint_files(files: &[(String, VectorFile)]) -> Vec<String> {
    lint_with_evidence(files, true).problems
}

/// [`lint_files`], with the counts of what backs each verdict; `whole` says whether `files` is
/// the whole corpus (else observations of vectors outside it are not stale).
pub fn lint_with_evidence(files: &[(String, VectorFile)], whole: bool) -> EvidenceReport {
    let (evidence, mut problems) = EvidenceSet::parse(&corpus::embedded_evidence());
    let mut report = corpus::lint(
        files,
        &evidence,
        &mut ReferenceOracle {
            reference: Reference::default(),
        },
        whole,
    );
    problems.append(&mut report.problems);
    report.problems = problems;
    report
}

/// What `sealcheck lint` found in a set of files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lint {
    /// How many files parsed.
    pub files: usize,
    /// How many vectors they hold.
    pub vectors: usize,
    /// Every problem, schema violations first for each file, one sentence each.
    pub problems: Vec<String>,
    /// What backs each verdict: (verdict, backing) → vectors.
    pub counts: std::collections::BTreeMap<(String, corpus::evidence::Backing), usize>,
    /// Families reproduced by a real implementation, and all families.
    pub families: (usize, usize),
}

/// Lints vector files from disk, or the embedded corpus when `paths` is empty: the schema,
/// the corpus's rules and the reference. The error is a file that cannot be read.
pub fn lint_paths(paths: &[PathBuf]) -> Result<Lint, String> {
    let texts: Vec<(String, String)> = if paths.is_empty() {
        corpus::embedded()
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    } else {
        paths
            .iter()
            .map(|p| {
                std::fs::read_to_string(p)
                    .map(|t| (p.display().to_string(), t))
                    .map_err(|e| format!("{}: {e}", p.display()))
            })
            .collect::<Result<_, _>>()?
    };
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for (path, text) in &texts {
        let errors = corpus::schema_errors(text);
        problems.extend(
            errors
                .iter()
                .take(20)
                .map(|e| format!("{path}: schema: {e}")),
        );
        match corpus::parse(path, text) {
            Ok(f) => files.push((path.clone(), f)),
            Err(e) => problems.push(e),
        }
    }
    let mut report = lint_with_evidence(&files, paths.is_empty());
    problems.append(&mut report.problems);
    if paths.is_empty() {
        // The whole corpus: its version, changelog and manifest must agree with it.
        problems.extend(corpus::release::release_problems(&files));
    }
    Ok(Lint {
        files: files.len(),
        vectors: files.iter().map(|(_, f)| f.tests.len()).sum(),
        problems,
        counts: report.counts,
        families: report.families,
    })
}
