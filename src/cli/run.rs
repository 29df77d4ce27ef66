//! `sealcheck run`: the options, the progress bar, the terminal summary and the report files.

use super::fail;
use crate::engine::{self, Config, Progress, Selection, Status};
use crate::iut::subprocess::Options;
use crate::report::{self, Report};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Options of `sealcheck run`.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(after_help = "\
Examples:
  sealcheck run                                   the reference, in process, on the whole corpus
  sealcheck run --target \"python3 my_adapter.py\"  your implementation over docs/PROTOCOL.md
  sealcheck run --target \"...\" --op mixin.checksum --op mixin.decrypt
  sealcheck run --target \"...\" --filter 'mixin.decrypt/session_count/*' -v
  sealcheck run --target \"...\" --require-all      fail unless every selected vector is checked
  sealcheck run --target \"...\" --expectations known.json --update-expectations
  sealcheck run --target \"...\" --json run.json --junit run.xml --markdown run.md
  sealcheck show ID                               what a failing vector checks, its args dissected

The last line is the verdict: conforming; PARTIAL: N of M checked (the target skipped the rest:
ops it does not list, or answers `unsupported`); or NOT conforming.

Exit codes: 0 conforming or PARTIAL, 1 conformance failures (or PARTIAL with --require-all),
2 usage or setup errors (bad options, unreadable files, a target that cannot start or whose
hello lacks name, version or ops).")]
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
    /// Only this format.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(engine::FORMATS))]
    pub format: Option<String>,
    /// Only this op (repeatable).
    #[arg(long = "op", value_name = "OP", value_parser = clap::builder::PossibleValuesParser::new(engine::OPS))]
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
    /// Fail the run (exit 1) unless every selected vector was checked: a target that skips
    /// ops (not listed in its hello, or answered `unsupported`) is PARTIAL, not conforming.
    #[arg(long)]
    pub require_all: bool,
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
        if self.window == 0 {
            return Err(
                "--window must be at least 1: the requests kept in flight to a target \
                        (1 sends one request at a time and waits for its reply)"
                    .into(),
            );
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
    // Every mistake that needs no run is found before it: a long run must not end in
    // "cannot write the report".
    let config = match args
        .config()
        .and_then(|c| check_report_paths(args).map(|()| c))
    {
        Ok(c) => c,
        Err(e) => return fail("run", e),
    };
    let run = match engine::run(&config, &mut progress_display()) {
        Ok(r) => r,
        Err(e) => return fail("run", e),
    };
    let report = Report::from_run(&run);
    print_terminal(&report, args);
    if let Err(e) = write_reports(&report, args) {
        return fail("run", e);
    }
    if args.update_expectations {
        if let Some(path) = &args.expectations {
            let updated = run.updated_expectations();
            if let Err(e) = updated.save(path) {
                return fail("run", e);
            }
            outln!(
                "wrote {} known failures to {}",
                updated.failures.len(),
                path.display()
            );
            return ExitCode::SUCCESS;
        }
    }
    if report.conforming && !(args.require_all && report.partial()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Whether every report path can be written, found by opening it for appending (which
/// changes nothing) and removing it again if it did not exist.
fn check_report_paths(args: &RunArgs) -> Result<(), String> {
    let paths = [&args.json, &args.junit, &args.markdown];
    for path in paths.into_iter().flatten() {
        let existed = path.exists();
        if path.is_dir() {
            return Err(format!(
                "{}: is a directory; a report needs a file name",
                path.display()
            ));
        }
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map_err(|e| format!("{}: cannot write the report there: {e}", path.display()))?;
        if !existed {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// How far a run is, on stderr: a bar on a terminal, otherwise a plain line at the start, now
/// and then, when the vectors are done and for each family (docs/REPORTS.md).
fn progress_display() -> Display {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {msg}") {
            bar.set_style(style);
        }
        bar
    });
    Display {
        bar,
        vectors: (0, 0),
        families: (0, 0),
        cases: (0, 0),
        last_line: Instant::now(),
    }
}

struct Display {
    bar: Option<indicatif::ProgressBar>,
    /// (done, total) of the vectors, of the families, and of the families' cases.
    vectors: (usize, usize),
    families: (usize, usize),
    cases: (u64, u64),
    last_line: Instant,
}

/// A plain progress line at most this often, off a terminal.
const LINE_EVERY: Duration = Duration::from_secs(5);

impl Display {
    fn show(&mut self) {
        let (vd, vt) = self.vectors;
        let (fd, ft) = self.families;
        let (cd, ct) = self.cases;
        let Some(bar) = &self.bar else { return };
        if vd < vt || ct == 0 {
            bar.set_length(vt as u64);
            bar.set_position(vd as u64);
            bar.set_message(format!("{vd}/{vt} vectors"));
        } else {
            bar.set_length(ct);
            bar.set_position(cd);
            bar.set_message(format!(
                "{cd}/{ct} cases of accumulated families ({fd} of {ft} done)"
            ));
        }
    }

    fn line(&mut self, text: String) {
        if self.bar.is_none() {
            eprintln!("sealcheck run: {text}");
            self.last_line = Instant::now();
        }
    }
}

impl Progress for Display {
    fn start(&mut self, total: usize) {
        self.vectors = (0, total);
    }

    fn start_families(&mut self, families: usize, cases: u64) {
        self.families = (0, families);
        self.cases = (0, cases);
        let fams = match families {
            0 => String::new(),
            1 => format!(" and 1 accumulated family of {cases} cases"),
            n => format!(" and {n} accumulated families of {cases} cases in all"),
        };
        let text = match self.vectors.1 {
            0 => fams.trim_start_matches(" and ").to_owned(),
            1 => format!("1 vector{fams}"),
            n => format!("{n} vectors{fams}"),
        };
        self.line(format!("running {text}"));
        self.show();
    }

    fn advance(&mut self, done: usize) {
        self.vectors.0 = done;
        self.show();
        if done == self.vectors.1 {
            self.line(format!("vectors done: {done} of {done}"));
        } else if self.last_line.elapsed() >= LINE_EVERY {
            self.line(format!("{done} of {} vectors", self.vectors.1));
        }
    }

    fn advance_cases(&mut self, cases: u64) {
        self.cases.0 += cases;
        self.show();
        if self.last_line.elapsed() >= LINE_EVERY {
            let (cd, ct) = self.cases;
            self.line(format!("{cd} of {ct} cases of accumulated families"));
        }
    }

    fn family_done(&mut self, id: &str, label: &str) {
        self.families.0 += 1;
        self.show();
        let (fd, ft) = self.families;
        self.line(format!("family {fd} of {ft} done: {id}: {label}"));
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

fn print_terminal(report: &Report, args: &RunArgs) {
    let verbose = args.verbose;
    let mut printed = false;
    for r in &report.results {
        let shown = verbose || r.status.fails_run();
        if shown {
            printed = true;
            let status = match r.status {
                Status::Ok => r.outcome.clone(),
                Status::Failure => format!("FAIL {}", r.outcome),
                Status::ExpectedFailure => format!("known {}", r.outcome),
                Status::Unexpected => format!("UNEXPECTED {}", r.outcome),
            };
            outln!("{status:<24} {}  {}", r.id, r.detail);
            if r.status.fails_run() {
                // What the vector checks and with what, so a failure can be read on its
                // own; `sealcheck show` has the rest.
                if !r.comment.is_empty() {
                    outln!("{:<24}   checks: {}", "", r.comment);
                }
                if let Some(a) = &r.args {
                    outln!("{:<24}   args:   {a}", "");
                }
            }
        }
    }
    printed |= print_incidents(report, verbose);
    if printed {
        outln!();
    }
    outln!("{}", report.summary_table());
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
    let skipped = report.results.len() - report.checked();
    outln!(
        "{}: {}, {failing} failing{}{}{}",
        report.implementation,
        report.coverage(),
        if known > 0 {
            format!(", {known} known failures")
        } else {
            String::new()
        },
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        if report.restarts > 0 {
            format!(", {} restarts", report.restarts)
        } else {
            String::new()
        },
    );
    if failing > 0 {
        outln!("(sealcheck show ID: what a vector checks, its args dissected)");
    }
    let unreproduced = report.failing_incidents().count();
    if unreproduced > 0 {
        outln!(
            "{unreproduced} incidents that no rerun reproduced: a crash or violation that goes away on a rerun is still a defect"
        );
    }
    if let Some(path) = args
        .expectations
        .as_ref()
        .filter(|_| !args.update_expectations)
    {
        let stale = report
            .results
            .iter()
            .filter(|r| r.status == Status::Unexpected)
            .count();
        let passing = report
            .results
            .iter()
            .filter(|r| {
                r.status == Status::Unexpected && (r.outcome == "pass" || r.outcome == "acceptable")
            })
            .count();
        if stale > 0 {
            let what = match (passing, stale - passing) {
                (1, 0) => "1 listed failure now passes".to_owned(),
                (p, 0) => format!("{p} listed failures now pass"),
                (0, o) => format!("{o} listed failures now fail another way"),
                (p, o) => format!("{p} listed failures now pass and {o} fail another way"),
            };
            outln!(
                "{what}: {} is out of date; the same run with --update-expectations rewrites it \
                 (keeping the reasons of the failures that remain)",
                path.display()
            );
        }
    }
    if args.require_all && report.partial() {
        outln!("--require-all: every selected vector must be checked");
    }
    outln!("{}", report.verdict_line());
}

/// Incidents that fail the run, and the known ones; with `verbose`, the pinned ones too.
/// Whether it printed anything.
fn print_incidents(report: &Report, verbose: bool) -> bool {
    use crate::engine::IncidentStatus;
    let mut printed = false;
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
        outln!("{mark:<24} {}  {}{flight}{fate}", i.class, inc.what);
        printed = true;
    }
    printed
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
