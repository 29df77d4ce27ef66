//! `sealcheck run`: the options, the progress bar, the terminal summary and the report files.

use super::fail;
use crate::engine::{self, Config, Progress, Selection, Status};
use crate::iut::subprocess::Options;
use crate::report::{self, Report};
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
    /// Write the observation file of this run here: what the target did with each vector
    /// (docs/VECTORS.md; the same as `sealcheck observe` on the JSON report).
    #[arg(long, value_name = "FILE")]
    pub observe: Option<PathBuf>,
    /// Seconds allowed for each reply of a target.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// Requests kept in flight to a target.
    #[arg(long, default_value_t = 64)]
    pub window: usize,
    /// The longest stdout line accepted from a target, in MiB; a longer one is a protocol
    /// error (docs/PROTOCOL.md).
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub max_line: usize,
    /// Processes of the target (threads of the reference) to spread the work over; the
    /// outcomes do not depend on it. Default: one per available core.
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,
    /// Run one shard of the selection, for CI matrices: `K/N` or `count:K/N` deals vectors and
    /// blocks of family cases round-robin, `hash:K/N` by a hash of their ids; combine the
    /// shards' --json reports with `sealcheck merge`.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<engine::Partition>,
    /// Print every vector's outcome, not just the failures.
    #[arg(long, short)]
    pub verbose: bool,
}

impl RunArgs {
    /// The engine's configuration; the error is an option out of range.
    pub fn config(&self) -> Result<Config, String> {
        if !(self.timeout > 0.0 && self.timeout.is_finite()) {
            return Err("--timeout must be a positive number of seconds".into());
        }
        let max_line = match self.max_line.checked_mul(1 << 20) {
            Some(n) if n > 0 => n,
            _ => return Err("--max-line must be a positive number of MiB".into()),
        };
        Ok(Config {
            target: self.target.clone(),
            files: self.files.clone(),
            selection: Selection {
                filters: self.filters.clone(),
                excludes: self.excludes.clone(),
                format: self.format.clone(),
                ops: self.ops.clone(),
            },
            strict: self.strict,
            expectations: self.expectations.clone(),
            expectations_may_be_missing: self.update_expectations,
            options: Options {
                timeout: Duration::from_secs_f64(self.timeout),
                window: self.window,
                max_line,
            },
            jobs: self.jobs,
            partition: self.partition,
        })
    }
}

/// `sealcheck run`.
pub fn run(args: &RunArgs) -> ExitCode {
    let run = match args.config().and_then(|c| engine::run(&c, &mut Bar(None))) {
        Ok(r) => r,
        Err(e) => return fail("run", e),
    };
    let report = Report::from_run(&run);
    print_terminal(&report, args.verbose);
    if let Err(e) = write_reports(&report, args) {
        return fail("run", e);
    }
    if args.update_expectations {
        if let Some(path) = &args.expectations {
            let updated = run.updated_expectations();
            if let Err(e) = updated.save(path) {
                return fail("run", e);
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

/// The progress bar, on stderr when it is a terminal.
struct Bar(Option<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start(&mut self, total: usize) {
        self.0 = progress_bar(total);
    }

    fn advance(&mut self, done: usize) {
        if let Some(b) = &self.0 {
            b.set_position(done as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
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
    print_incidents(report, verbose);
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
    let unreproduced = report.failing_incidents().count();
    if unreproduced > 0 {
        println!(
            "{unreproduced} incidents that no rerun reproduced: a crash or violation that goes away on a rerun is still a defect"
        );
    }
    println!(
        "{}",
        if report.conforming {
            "conforming"
        } else {
            "NOT conforming"
        }
    );
}

/// Incidents that fail the run, and the known ones; with `verbose`, the pinned ones too.
fn print_incidents(report: &Report, verbose: bool) {
    use crate::engine::IncidentStatus;
    for i in &report.incidents {
        let mark = match i.status {
            IncidentStatus::Failure => "INCIDENT",
            IncidentStatus::Known => "known incident",
            IncidentStatus::Pinned if verbose => "incident",
            IncidentStatus::Pinned => continue,
        };
        let inc = &i.incident;
        let flight = match inc.in_flight.as_slice() {
            [] => String::new(),
            [one] => format!("; in flight: {}", one.name),
            [first, rest @ ..] => format!("; in flight: {} and {} more", first.name, rest.len()),
        };
        let fate = match i.status {
            IncidentStatus::Pinned => format!("; pinned to {}", inc.reproduced_by.join(", ")),
            IncidentStatus::Known => format!(
                "; listed: {}",
                i.known_incident.as_deref().unwrap_or_default()
            ),
            IncidentStatus::Failure if inc.in_flight.is_empty() => String::new(),
            IncidentStatus::Failure => "; no rerun reproduced it".into(),
        };
        println!("{mark:<24} {}  {}{flight}{fate}", i.class, inc.what);
    }
}

fn write_reports(report: &Report, args: &RunArgs) -> Result<(), String> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    if let Some(p) = &args.json {
        write(p, report.to_json()?)?;
    }
    if let Some(p) = &args.junit {
        write(p, report::to_junit(report))?;
    }
    if let Some(p) = &args.markdown {
        write(p, report::to_markdown(report))?;
    }
    if let Some(p) = &args.observe {
        super::observe::write_observations(report, &args.files, p)?;
    }
    Ok(())
}
