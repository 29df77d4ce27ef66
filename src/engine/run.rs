//! `sealcheck run` and `sealcheck lint`: the corpus against an implementation, vector by
//! vector, with exactly one outcome each.

use crate::corpus::{self, Accumulated, Vector, VectorFile};
use crate::engine::{judge, Outcome};
use crate::engine::{Expectations, KnownFailure};
use crate::iut::subprocess::{Options, Subprocess};
use crate::iut::Implementation;
use crate::iut::Reference;
use crate::report::{Report, Status, VectorResult};
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Options of `sealcheck run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// A command that starts an implementation speaking docs/PROTOCOL.md, split into words
    /// like a shell would (no pipes or variables); default: the reference, in process.
    #[arg(long)]
    pub target: Option<String>,
    /// Vector files to run instead of the embedded corpus (repeatable).
    #[arg(long = "vectors", value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Only vectors whose id matches: a substring, or a pattern with `*` wildcards matched
    /// against the whole id (repeatable; any may match).
    #[arg(long = "filter", value_name = "PATTERN")]
    pub filters: Vec<String>,
    /// Leave out vectors whose id matches (same pattern rules as --filter; repeatable).
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub excludes: Vec<String>,
    /// Only this format: mixin or themis.
    #[arg(long)]
    pub format: Option<String>,
    /// Only this op, e.g. mixin.decrypt (repeatable).
    #[arg(long = "op")]
    pub ops: Vec<String>,
    /// Treat a rejection at another stage than the vector's as a failure.
    #[arg(long)]
    pub strict: bool,
    /// Known failures of this implementation (JSON); listed failures do not fail the run.
    #[arg(long, value_name = "FILE")]
    pub expectations: Option<PathBuf>,
    /// Rewrite the expectations file from this run's failures, keeping existing reasons.
    #[arg(long, requires = "expectations")]
    pub update_expectations: bool,
    /// Write the JSON report here (format: docs/REPORTS.md).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a Markdown report here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Seconds allowed for each reply of a target.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Requests kept in flight to a target.
    #[arg(long, default_value_t = 64)]
    pub window: usize,
    /// Print every vector's outcome, not just the failures.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Whether `id` is selected by `pattern`: `*` matches any run of characters across the
/// whole id; a pattern without `*` matches as a substring.
pub fn matches(pattern: &str, id: &str) -> bool {
    if !pattern.contains('*') {
        return id.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts
        .split_first()
        .map(|(f, r)| (*f, r))
        .unwrap_or(("", &[]));
    let Some(mut remaining) = id.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(i) => remaining = remaining.get(i + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    remaining.ends_with(last)
}

fn selected_id(args: &RunArgs, id: &str) -> bool {
    (args.filters.is_empty() || args.filters.iter().any(|p| matches(p, id)))
        && !args.excludes.iter().any(|p| matches(p, id))
}

/// The vectors a run selects, in corpus order.
pub fn select<'a>(files: &'a [(String, VectorFile)], args: &RunArgs) -> Vec<(&'a str, &'a Vector)> {
    files
        .iter()
        .filter(|(_, f)| args.format.as_ref().is_none_or(|fmt| &f.format == fmt))
        .filter(|(_, f)| args.ops.is_empty() || args.ops.contains(&f.op))
        .flat_map(|(_, f)| f.tests.iter().map(move |v| (f.op.as_str(), v)))
        .filter(|(_, v)| selected_id(args, &v.id))
        .collect()
}

/// The accumulated vectors a run selects, with their ops.
pub fn select_accumulated<'a>(
    files: &'a [(String, VectorFile)],
    args: &RunArgs,
) -> Vec<(&'a str, &'a Accumulated)> {
    files
        .iter()
        .filter(|(_, f)| args.format.as_ref().is_none_or(|fmt| &f.format == fmt))
        .filter(|(_, f)| args.ops.is_empty() || args.ops.contains(&f.op))
        .flat_map(|(_, f)| f.accumulated.iter().map(move |a| (f.op.as_str(), a)))
        .filter(|(_, a)| selected_id(args, &a.id))
        .collect()
}

/// Runs accumulated vectors: one result each.
pub fn execute_accumulated(
    imp: &mut dyn Implementation,
    selected: &[(&str, &Accumulated)],
    strict: bool,
    expectations: &Expectations,
) -> Result<Vec<VectorResult>, String> {
    let hello = imp.hello()?;
    let mut results = Vec::new();
    for (op, a) in selected {
        let outcome = if hello.ops.iter().any(|o| o == op) {
            crate::engine::run_family(imp, op, a.seed, a.count, &a.digest)
        } else {
            Outcome::Skipped(format!("{} does not list op {op}", hello.name))
        };
        results.push(result_of(
            &a.id,
            op,
            "accumulated",
            outcome,
            strict,
            expectations,
        ));
    }
    Ok(results)
}

fn result_of(
    id: &str,
    op: &str,
    expected: &str,
    outcome: Outcome,
    strict: bool,
    expectations: &Expectations,
) -> VectorResult {
    let failing = outcome.is_failure(strict);
    let label = outcome.label();
    let known = expectations.failures.get(id);
    let status = match (failing, known) {
        (false, None) => Status::Ok,
        (true, None) => Status::Failure,
        (true, Some(k)) if k.outcome == label => Status::ExpectedFailure,
        (_, Some(_)) => Status::Unexpected,
    };
    let mut detail = match &outcome {
        Outcome::Pass => String::new(),
        other => other.to_string(),
    };
    if status == Status::Unexpected {
        let listed = known.map(|k| k.outcome.as_str()).unwrap_or_default();
        detail = format!(
            "listed as {listed} in the expectations file, but now: {}",
            if detail.is_empty() {
                label.to_owned()
            } else {
                detail
            }
        );
    }
    VectorResult {
        id: id.to_owned(),
        op: op.to_owned(),
        expected: expected.to_owned(),
        outcome: label.into(),
        detail,
        status,
        known_failure: known.map(|k| k.reason.clone()),
    }
}

/// Runs the selected vectors against `imp` and judges each; one result per vector.
pub fn execute(
    imp: &mut dyn Implementation,
    selected: &[(&str, &Vector)],
    strict: bool,
    expectations: &Expectations,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<VectorResult>, String> {
    let hello = imp.hello()?;
    let supported: HashSet<&str> = hello.ops.iter().map(String::as_str).collect();
    let to_send: Vec<(&str, &serde_json::Value)> = selected
        .iter()
        .filter(|(op, _)| supported.contains(op))
        .map(|(op, v)| (*op, &v.args))
        .collect();
    let mut replies = imp.call_many(&to_send, progress).into_iter();
    let mut results = Vec::with_capacity(selected.len());
    for (op, v) in selected {
        let outcome = if supported.contains(op) {
            match replies.next() {
                Some(reply) => judge(op, v, &reply),
                None => Outcome::NoReply(crate::protocol::Failure::ProtocolError(
                    "the implementation returned too few results".into(),
                )),
            }
        } else {
            Outcome::Skipped(format!("{} does not list op {op}", hello.name))
        };
        results.push(result_of(
            &v.id,
            op,
            &format!("{:?}", v.expected.result).to_lowercase(),
            outcome,
            strict,
            expectations,
        ));
    }
    Ok(results)
}

fn load(files: &[PathBuf]) -> Result<Vec<(String, VectorFile)>, String> {
    if files.is_empty() {
        corpus::load_embedded()
    } else {
        corpus::load_paths(files)
    }
}

fn usage_error(what: &str) -> ExitCode {
    eprintln!("sealcheck run: {what}");
    ExitCode::from(2)
}

/// `sealcheck run`.
pub fn main(args: &RunArgs) -> ExitCode {
    let files = match load(&args.files) {
        Ok(f) => f,
        Err(e) => return usage_error(&e),
    };
    let expectations = match &args.expectations {
        Some(p) => match Expectations::load(p, args.update_expectations) {
            Ok(e) => e,
            Err(e) => return usage_error(&e),
        },
        None => Expectations::default(),
    };
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return usage_error("--timeout must be a positive number of seconds");
    }
    let selected = select(&files, args);
    let accumulated = select_accumulated(&files, args);
    if selected.is_empty() && accumulated.is_empty() {
        return usage_error("no vector matches the selection");
    }
    let (mut imp, target): (Box<dyn Implementation>, String) = match &args.target {
        None => (
            Box::new(Reference::default()),
            "reference (in process)".into(),
        ),
        Some(cmd) => {
            let options = Options {
                timeout: Duration::from_secs_f64(args.timeout),
                window: args.window.max(1),
            };
            match Subprocess::spawn_with(cmd, options) {
                Ok(p) => (Box::new(p), cmd.clone()),
                Err(e) => return usage_error(&format!("cannot start {cmd:?}: {e}")),
            }
        }
    };
    let bar = progress_bar(selected.len());
    let results = execute(
        imp.as_mut(),
        &selected,
        args.strict,
        &expectations,
        &mut |n| {
            if let Some(b) = &bar {
                b.set_position(n as u64);
            }
        },
    );
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let results = results.and_then(|mut r| {
        r.extend(execute_accumulated(
            imp.as_mut(),
            &accumulated,
            args.strict,
            &expectations,
        )?);
        Ok(r)
    });
    let results = match results {
        Ok(r) => r,
        Err(e) => return usage_error(&e),
    };
    let implementation = imp
        .hello()
        .map(|h| format!("{} {}", h.name, h.version))
        .unwrap_or_default();
    let mut report = Report::new(target, implementation, args.strict, results);
    if let Some(p) = imp.as_any_subprocess() {
        report.restarts = p.restarts;
        report.stderr_tail = p.last_stderr.clone();
    }
    drop(imp);
    print_terminal(&report, args.verbose);
    if let Err(e) = write_reports(&report, args) {
        return usage_error(&e);
    }
    if args.update_expectations {
        if let Some(path) = &args.expectations {
            let updated = updated_expectations(&expectations, &report);
            if let Err(e) = updated.save(path) {
                return usage_error(&e);
            }
            println!(
                "wrote {} known failures to {}",
                updated.failures.len(),
                path.display()
            );
            return ExitCode::SUCCESS;
        }
    }
    if report.conforming {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn progress_bar(len: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} vectors {per_sec} {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn print_terminal(report: &Report, verbose: bool) {
    for r in &report.results {
        let shown = verbose || r.status.fails_run();
        if shown {
            let status = match r.status {
                Status::Ok => r.outcome.clone(),
                Status::Failure => format!("FAIL {}", r.outcome),
                Status::ExpectedFailure => format!("known {}", r.outcome),
                Status::Unexpected => format!("UNEXPECTED {}", r.outcome),
            };
            println!("{status:<24} {}  {}", r.id, r.detail);
        }
    }
    println!("\n{}", report.summary_table());
    let known = report
        .statuses
        .get("expected-failure")
        .copied()
        .unwrap_or(0);
    let failing = report
        .results
        .iter()
        .filter(|r| r.status.fails_run())
        .count();
    println!(
        "{}: {} vectors, {failing} failing{}{}",
        report.implementation,
        report.results.len(),
        if known > 0 {
            format!(", {known} known failures")
        } else {
            String::new()
        },
        if report.restarts > 0 {
            format!(", {} restarts", report.restarts)
        } else {
            String::new()
        },
    );
    println!(
        "{}",
        if report.conforming {
            "conforming"
        } else {
            "NOT conforming"
        }
    );
}

fn write_reports(report: &Report, args: &RunArgs) -> Result<(), String> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    if let Some(p) = &args.json {
        let mut text = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
        text.push('\n');
        write(p, text)?;
    }
    if let Some(p) = &args.junit {
        write(p, crate::report::to_junit(report))?;
    }
    if let Some(p) = &args.markdown {
        write(p, crate::report::to_markdown(report))?;
    }
    Ok(())
}

/// The expectations this run implies: every current failure, keeping the old reason where
/// the vector was already listed.
pub fn updated_expectations(old: &Expectations, report: &Report) -> Expectations {
    let mut new = Expectations {
        implementation: report.implementation.clone(),
        comment: old.comment.clone(),
        failures: Default::default(),
    };
    for r in &report.results {
        let failing = matches!(r.status, Status::Failure | Status::ExpectedFailure)
            || (r.status == Status::Unexpected
                && r.outcome != "pass"
                && r.outcome != "acceptable"
                && r.outcome != "skipped"
                && (r.outcome != "stage-mismatch" || report.strict));
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

/// `sealcheck lint`.
pub fn lint(paths: &[PathBuf]) -> ExitCode {
    let texts: Vec<(String, String)> = if paths.is_empty() {
        corpus::embedded()
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    } else {
        let mut texts = Vec::new();
        for p in paths {
            match std::fs::read_to_string(p) {
                Ok(t) => texts.push((p.display().to_string(), t)),
                Err(e) => {
                    eprintln!("sealcheck lint: {}: {e}", p.display());
                    return ExitCode::from(2);
                }
            }
        }
        texts
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
    problems.extend(crate::engine::lint_files(&files));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("decrypt", "mixin.decrypt/x"));
        assert!(matches(
            "mixin.*/upstream/*",
            "mixin.decrypt/upstream/flutter"
        ));
        assert!(!matches(
            "mixin.*/upstream",
            "mixin.decrypt/upstream/flutter"
        ));
        assert!(matches("*flutter*", "mixin.decrypt/upstream/flutter-x"));
        assert!(matches("*", "anything"));
        assert!(!matches("themis.*", "mixin.decrypt/a"));
        assert!(matches("a*b*c", "a-b-b-c"));
        assert!(!matches("a*b*c", "a-c"));
    }
}
