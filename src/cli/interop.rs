//! `sealcheck interop`: the producer × consumer matrix over the reference and any targets.

use super::fail;
use crate::interop::{
    self, InteropExpectations, InteropReport, KeyType, Progress, Target, DEFAULT_SEED,
};
use crate::iut::subprocess::{Options, Subprocess};
use crate::iut::Reference;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Options of `sealcheck interop`.
#[derive(Debug, Clone, clap::Args)]
pub struct InteropArgs {
    /// An implementation to add as producer and consumer: `NAME=CMD`, CMD split into words
    /// like a shell would (repeatable). The reference is always the first, in process.
    #[arg(long = "target", value_name = "NAME=CMD")]
    pub targets: Vec<String>,
    /// Seed of the inputs (keys, recipients, plaintexts).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Times each producer makes each input (their randomness differs each time).
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Leave out the RSA inputs (RSA key generation takes seconds).
    #[arg(long)]
    pub no_rsa: bool,
    /// Seconds allowed for each reply of a target.
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Requests kept in flight to a target.
    #[arg(long, default_value_t = 64)]
    pub window: usize,
    /// Write the JSON report here (docs/REPORTS.md, "Interop report").
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the Markdown matrix here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Known failing cells with reasons; exit 1 on a failing cell not listed or a listed cell
    /// that changed.
    #[arg(long, value_name = "FILE")]
    pub expectations: Option<PathBuf>,
    /// Rewrite the expectations file from this run, keeping the reasons of unchanged cells.
    #[arg(long, requires = "expectations")]
    pub update_expectations: bool,
}

struct Lines;

impl Progress for Lines {
    fn phase(&mut self, what: &str, requests: usize) {
        eprintln!("interop: {what} ({requests} requests)");
    }
}

/// `sealcheck interop`.
pub fn interop(args: &InteropArgs) -> ExitCode {
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return fail("interop", "--timeout must be a positive number of seconds");
    }
    let options = Options {
        timeout: Duration::from_secs_f64(args.timeout),
        window: args.window.max(1),
        ..Options::default()
    };
    let mut targets = vec![Target {
        name: "reference".into(),
        target: "reference (in process)".into(),
        imp: Box::new(Reference::default()),
    }];
    for t in &args.targets {
        let Some((name, cmd)) = t
            .split_once('=')
            .filter(|(n, c)| !n.is_empty() && !c.is_empty())
        else {
            return fail("interop", format!("--target {t:?}: expected NAME=CMD"));
        };
        if targets.iter().any(|x| x.name == name) {
            return fail("interop", format!("--target {name}: the name is taken"));
        }
        match Subprocess::spawn_with(cmd, options.clone()) {
            Ok(s) => targets.push(Target {
                name: name.into(),
                target: cmd.into(),
                imp: Box::new(s),
            }),
            Err(e) => return fail("interop", format!("{name}: {e}")),
        }
    }
    let key_types: Vec<KeyType> = KeyType::ALL
        .into_iter()
        .filter(|k| !(args.no_rsa && matches!(k, KeyType::Rsa(_))))
        .collect();
    let set = match interop::build(args.seed, &key_types) {
        Ok(s) => s,
        Err(e) => return fail("interop", e),
    };
    let report = match interop::run(&set, &mut targets, args.repeat, &mut Lines) {
        Ok(r) => r,
        Err(e) => return fail("interop", e),
    };
    drop(targets);
    print_summary(&report);
    if let Err(e) = write(&report, args) {
        return fail("interop", e);
    }
    let Some(path) = &args.expectations else {
        return ExitCode::SUCCESS;
    };
    let known = match InteropExpectations::load(path, args.update_expectations) {
        Ok(k) => k,
        Err(e) => return fail("interop", e),
    };
    if args.update_expectations {
        let updated = known.updated(&report);
        if let Err(e) = updated.save(path) {
            return fail("interop", e);
        }
        outln!(
            "wrote {} known failing cells to {}",
            updated.cells.len(),
            path.display()
        );
        return ExitCode::SUCCESS;
    }
    let check = known.check(&report);
    for k in &check.new {
        outln!("NEW failing cell      {k}");
    }
    for k in &check.changed {
        outln!("CHANGED listed cell   {k}");
    }
    outln!(
        "{} failing cells as listed in {}, {} new, {} changed, {} listed but not run",
        check.expected.len(),
        path.display(),
        check.new.len(),
        check.changed.len(),
        check.not_run.len()
    );
    if check.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_summary(report: &InteropReport) {
    let mut ops: Vec<&str> = Vec::new();
    for t in &report.tests {
        if !ops.contains(&t.produce.as_str()) {
            ops.push(&t.produce);
        }
    }
    let width = report
        .implementations
        .iter()
        .enumerate()
        .map(|(i, p)| format!("[{}] {}", i + 1, p.name).chars().count() + 1)
        .max()
        .unwrap_or(8);
    for op in ops {
        outln!("\n{op}: producer (row) × consumer (column)");
        out!("{:width$}", "");
        for (i, _) in report.implementations.iter().enumerate() {
            out!(" {:>9}", format!("[{}]", i + 1));
        }
        outln!();
        let rows = report.summary(op);
        for (i, p) in report.implementations.iter().enumerate() {
            out!("{:width$}", format!("[{}] {}", i + 1, p.name));
            for c in &report.implementations {
                let text = rows
                    .iter()
                    .find(|(rp, rc, ..)| *rp == p.name && *rc == c.name)
                    .map(|(_, _, v, bad, total)| interop::cell_text(*v, *bad, *total))
                    .unwrap_or_default();
                out!(" {text:>9}");
            }
            outln!();
        }
    }
    let failing = report
        .cells
        .iter()
        .filter(|c| c.verdict.is_failure())
        .count();
    outln!("\n{} cells, {failing} not clean", report.cells.len());
}

fn write(report: &InteropReport, args: &InteropArgs) -> Result<(), String> {
    let put = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    if let Some(p) = &args.json {
        put(p, report.to_json()?)?;
    }
    if let Some(p) = &args.markdown {
        put(p, interop::to_markdown(report))?;
    }
    Ok(())
}
