//! `sealcheck run` and `sealcheck lint`: the corpus against an implementation, vector by
//! vector, with exactly one outcome each.

use crate::iut::{Failure, Implementation, Reply};
use crate::ops::Reference;
use crate::vectors::{self, Vector, VectorFile, Verdict};
use crate::Stage;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `sealcheck run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// A command that starts an implementation speaking docs/PROTOCOL.md; default: the
    /// embedded reference, in process.
    #[arg(long)]
    pub target: Option<String>,
    /// Vector files to run instead of the embedded corpus.
    #[arg(long = "vectors")]
    pub files: Vec<PathBuf>,
    /// Run only vectors whose id contains this text (repeatable).
    #[arg(long = "filter")]
    pub filters: Vec<String>,
    /// Treat a rejection at another stage as a failure.
    #[arg(long)]
    pub strict: bool,
    /// Print every vector's outcome, not just the failures.
    #[arg(long, short)]
    pub verbose: bool,
}

/// What happened to one vector.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The implementation did what the vector requires.
    Pass,
    /// Wrong output, an invalid input accepted, or a valid one rejected.
    Fail(String),
    /// Rejected, but at another stage than the vector names.
    StageMismatch {
        /// The vector's stage.
        expected: Stage,
        /// The implementation's.
        got: Stage,
    },
    /// An `acceptable` vector; what the implementation did.
    Acceptable(String),
    /// Not run: the implementation does not support it.
    Skipped(String),
    /// The implementation gave no reply: crash, timeout or protocol violation.
    NoReply(Failure),
}

impl Outcome {
    /// Short name for tables and reports.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::StageMismatch { .. } => "stage-mismatch",
            Outcome::Acceptable(_) => "acceptable",
            Outcome::Skipped(_) => "skipped",
            Outcome::NoReply(Failure::Crashed(_)) => "crashed",
            Outcome::NoReply(Failure::Timeout(_)) => "timeout",
            Outcome::NoReply(Failure::ProtocolError(_)) => "protocol-error",
        }
    }

    /// Whether this outcome makes a run non-conforming.
    pub fn is_failure(&self, strict: bool) -> bool {
        match self {
            Outcome::Fail(_) | Outcome::NoReply(_) => true,
            Outcome::StageMismatch { .. } => strict,
            _ => false,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Pass => f.write_str("pass"),
            Outcome::Fail(why) => write!(f, "fail: {why}"),
            Outcome::StageMismatch { expected, got } => {
                write!(f, "stage mismatch: expected {expected}, rejected at {got}")
            }
            Outcome::Acceptable(what) => write!(f, "acceptable: {what}"),
            Outcome::Skipped(why) => write!(f, "skipped: {why}"),
            Outcome::NoReply(failure) => write!(f, "{failure}"),
        }
    }
}

/// Judges one reply against its vector.
pub fn judge(op: &str, vector: &Vector, reply: &Reply) -> Outcome {
    let expected = &vector.expected;
    match (expected.result, reply) {
        (_, Reply::Unsupported(why)) => Outcome::Skipped(why.clone()),
        (Verdict::Valid, Reply::Ok(got)) => match &expected.ok {
            Some(want) if want == got => Outcome::Pass,
            Some(want) => Outcome::Fail(format!("wrong output: expected {want}, got {got}")),
            None => Outcome::Fail(format!(
                "{op}: a valid vector without an exact output needs a checker this version lacks"
            )),
        },
        (Verdict::Valid, Reply::Error { message, .. }) => {
            Outcome::Fail(format!("valid input rejected: {message}"))
        }
        (Verdict::Invalid, Reply::Ok(got)) => {
            Outcome::Fail(format!("invalid input accepted, answering {got}"))
        }
        (Verdict::Invalid, Reply::Error { stage, .. }) => match (expected.stage, stage) {
            (Some(want), Some(got)) if want != *got => Outcome::StageMismatch {
                expected: want,
                got: *got,
            },
            _ => Outcome::Pass,
        },
        (Verdict::Acceptable, Reply::Ok(_)) => Outcome::Acceptable("accepted".into()),
        (Verdict::Acceptable, Reply::Error { message, .. }) => {
            Outcome::Acceptable(format!("rejected: {message}"))
        }
    }
}

/// One vector's result.
#[derive(Debug, Clone)]
pub struct Record {
    /// Vector id.
    pub id: String,
    /// Its outcome.
    pub outcome: Outcome,
}

/// Runs every selected vector against `imp`; one record per vector, none dropped.
pub fn run_files(
    imp: &mut dyn Implementation,
    files: &[(String, VectorFile)],
    filters: &[String],
) -> Result<Vec<Record>, String> {
    let hello = imp.hello()?;
    let supported: HashSet<&str> = hello.ops.iter().map(String::as_str).collect();
    let mut records = Vec::new();
    for (_, file) in files {
        for v in &file.tests {
            if !filters.is_empty() && !filters.iter().any(|f| v.id.contains(f.as_str())) {
                continue;
            }
            let outcome = if supported.contains(file.op.as_str()) {
                match imp.call(&file.op, &v.args) {
                    Ok(reply) => judge(&file.op, v, &reply),
                    Err(failure) => Outcome::NoReply(failure),
                }
            } else {
                Outcome::Skipped(format!("{} does not list op {}", hello.name, file.op))
            };
            records.push(Record {
                id: v.id.clone(),
                outcome,
            });
        }
    }
    Ok(records)
}

fn load(files: &[PathBuf]) -> Result<Vec<(String, VectorFile)>, String> {
    if files.is_empty() {
        vectors::load_embedded()
    } else {
        vectors::load_paths(files)
    }
}

/// `sealcheck run`.
pub fn main(args: &RunArgs) -> ExitCode {
    let files = match load(&args.files) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sealcheck run: {e}");
            return ExitCode::from(2);
        }
    };
    let mut imp: Box<dyn Implementation> = match &args.target {
        None => Box::new(Reference::default()),
        Some(cmd) => match crate::iut::subprocess::Subprocess::spawn(cmd) {
            Ok(p) => Box::new(p),
            Err(e) => {
                eprintln!("sealcheck run: cannot start {cmd:?}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let records = match run_files(imp.as_mut(), &files, &args.filters) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sealcheck run: {e}");
            return ExitCode::from(2);
        }
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = 0;
    for r in &records {
        *counts.entry(r.outcome.label()).or_default() += 1;
        let failed = r.outcome.is_failure(args.strict);
        failures += usize::from(failed);
        if failed || args.verbose {
            println!("{:<16} {}  {}", r.outcome.label(), r.id, r.outcome);
        }
    }
    let summary: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
    println!(
        "{} vectors in {} files: {}",
        records.len(),
        files.len(),
        summary.join(", ")
    );
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Checks that a set of files is consistent: ids unique, flags defined, valid vectors carry an
/// output or a checker, invalid ones a stage, and the reference agrees with every vector.
pub fn lint_files(files: &[(String, VectorFile)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    let mut reference = Reference::default();
    for (path, file) in files {
        if !crate::ops::OPS.contains(&file.op.as_str()) {
            problems.push(format!("{path}: unknown op {}", file.op));
        }
        if !file.op.starts_with(&format!("{}.", file.format)) {
            problems.push(format!(
                "{path}: op {} is not of format {}",
                file.op, file.format
            ));
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
                Verdict::Invalid if v.expected.stage.is_none() => {
                    problems.push(format!("{path}: invalid vector {} names no stage", v.id))
                }
                Verdict::Acceptable if v.flags.is_empty() => problems.push(format!(
                    "{path}: acceptable vector {} has no flag saying who does what",
                    v.id
                )),
                _ => {}
            }
            // The reference must be strict: acceptable vectors are ones it rejects.
            let reply = reference.answer(&file.op, &v.args);
            let outcome = match (v.expected.result, &reply) {
                (Verdict::Acceptable, Reply::Ok(_)) => {
                    Outcome::Fail("the reference accepts an acceptable vector".into())
                }
                (Verdict::Acceptable, _) => Outcome::Pass,
                _ => judge(&file.op, v, &reply),
            };
            if outcome != Outcome::Pass {
                problems.push(format!("{path}: {}: reference: {outcome}", v.id));
            }
        }
    }
    problems
}

/// `sealcheck lint`.
pub fn lint(paths: &[PathBuf]) -> ExitCode {
    let files = match load(paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sealcheck lint: {e}");
            return ExitCode::from(2);
        }
    };
    let problems = lint_files(&files);
    for p in &problems {
        println!("{p}");
    }
    let n: usize = files.iter().map(|(_, f)| f.tests.len()).sum();
    println!(
        "{} files, {n} vectors, {} problems",
        files.len(),
        problems.len()
    );
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
