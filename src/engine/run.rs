//! A whole run, as `sealcheck run` does it: load the corpus and the expectations, select,
//! start the implementation, run every vector and family. Plain data in, results out: the
//! command line, printing and exit codes are the cli's.

use super::{execute, execute_accumulated, select, select_accumulated, Expectations};
use super::{KnownFailure, Selection, Status, VectorResult};
use crate::corpus::{self, VectorFile};
use crate::iut::subprocess::{Options, Subprocess};
use crate::iut::{Implementation, Reference};
use crate::protocol::Hello;
use std::path::PathBuf;

/// What to run, against what.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// A command that starts an implementation speaking docs/PROTOCOL.md; `None` runs the
    /// reference in process.
    pub target: Option<String>,
    /// Vector files to run instead of the embedded corpus.
    pub files: Vec<PathBuf>,
    /// Which vectors.
    pub selection: Selection,
    /// Whether a rejection at another stage than the vector's fails it.
    pub strict: bool,
    /// The implementation's known failures.
    pub expectations: Option<PathBuf>,
    /// Whether a missing expectations file counts as empty (when it is about to be written).
    pub expectations_may_be_missing: bool,
    /// Timeout and window for a target process.
    pub options: Options,
}

/// Told how a run advances, for a progress display.
pub trait Progress {
    /// `total` vectors are about to be sent.
    fn start(&mut self, total: usize);
    /// `done` of them have their result.
    fn advance(&mut self, done: usize);
    /// Every vector has its result (the families follow, in a few big batches).
    fn finish(&mut self);
}

/// No progress display.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: usize) {}
    fn advance(&mut self, _: usize) {}
    fn finish(&mut self) {}
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Run {
    /// `reference (in process)` or the target command.
    pub target: String,
    /// The implementation's name and version from the handshake.
    pub implementation: String,
    /// Its handshake (none when the reference ran in process without one).
    pub hello: Option<Hello>,
    /// Whether stage mismatches counted as failures.
    pub strict: bool,
    /// One result per selected vector, then one per selected family, in corpus order.
    pub results: Vec<VectorResult>,
    /// How often the target process was restarted.
    pub restarts: usize,
    /// The last words of the target's stderr.
    pub stderr_tail: String,
    /// The expectations the results were judged with.
    pub expectations: Expectations,
}

/// The vector files of a run: the embedded corpus, or `files` when any are given.
pub fn load(files: &[PathBuf]) -> Result<Vec<(String, VectorFile)>, String> {
    if files.is_empty() {
        corpus::load_embedded()
    } else {
        corpus::load_paths(files)
    }
}

/// Runs `config`; the error is a setup problem (no file, no target, nothing selected).
pub fn run(config: &Config, progress: &mut dyn Progress) -> Result<Run, String> {
    let files = load(&config.files)?;
    let expectations = match &config.expectations {
        Some(p) => Expectations::load(p, config.expectations_may_be_missing)?,
        None => Expectations::default(),
    };
    let selected = select(&files, &config.selection);
    let accumulated = select_accumulated(&files, &config.selection);
    if selected.is_empty() && accumulated.is_empty() {
        return Err("no vector matches the selection".into());
    }
    let (mut imp, target): (Box<dyn Implementation>, String) = match &config.target {
        None => (
            Box::new(Reference::default()),
            "reference (in process)".into(),
        ),
        Some(cmd) => {
            let options = Options {
                window: config.options.window.max(1),
                ..config.options.clone()
            };
            match Subprocess::spawn_with(cmd, options) {
                Ok(p) => (Box::new(p), cmd.clone()),
                Err(e) => return Err(format!("cannot start {cmd:?}: {e}")),
            }
        }
    };
    progress.start(selected.len());
    let results = execute(
        imp.as_mut(),
        &selected,
        config.strict,
        &expectations,
        &mut |n| progress.advance(n),
    );
    progress.finish();
    let mut results = results?;
    results.extend(execute_accumulated(
        imp.as_mut(),
        &accumulated,
        config.strict,
        &expectations,
    )?);
    let hello = imp.hello().ok();
    let implementation = hello
        .as_ref()
        .map(|h| format!("{} {}", h.name, h.version))
        .unwrap_or_default();
    let (restarts, stderr_tail) = imp
        .as_any_subprocess()
        .map(|p| (p.restarts, p.last_stderr.clone()))
        .unwrap_or_default();
    Ok(Run {
        target,
        implementation,
        hello,
        strict: config.strict,
        results,
        restarts,
        stderr_tail,
        expectations,
    })
}

impl Run {
    /// The expectations this run implies: every current failure, keeping the old reason where
    /// the vector was already listed with the same outcome.
    pub fn updated_expectations(&self) -> Expectations {
        let old = &self.expectations;
        let mut new = Expectations {
            implementation: self.implementation.clone(),
            comment: old.comment.clone(),
            changes: old.changes.clone(),
            failures: Default::default(),
        };
        for r in &self.results {
            let failing = matches!(r.status, Status::Failure | Status::ExpectedFailure)
                || (r.status == Status::Unexpected
                    && r.outcome != "pass"
                    && r.outcome != "acceptable"
                    && r.outcome != "skipped"
                    && (r.outcome != "stage-mismatch" || self.strict));
            if failing {
                let reason = old
                    .failures
                    .get(&r.id)
                    .filter(|k| k.outcome == r.outcome)
                    .map(|k| k.reason.clone())
                    .unwrap_or_else(|| r.detail.clone());
                new.failures.insert(
                    r.id.clone(),
                    KnownFailure {
                        outcome: r.outcome.clone(),
                        reason,
                    },
                );
            }
        }
        new
    }
}
