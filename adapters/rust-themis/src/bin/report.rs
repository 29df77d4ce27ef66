//! Writes this crate's conformance report (the corpus in process), like `sealcheck run
//! --json FILE --markdown FILE --expectations FILE` does for a child process.
//!
//!     cargo run --release --bin report -- [--json FILE] [--markdown FILE] [--update]
//!
//! --update rewrites the expectations file from this run, keeping existing reasons.

use sealcheck_rust_themis::seam::{to_markdown, Expectations};
use sealcheck_rust_themis::{expectations_path, run_corpus};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut json = None;
    let mut markdown = None;
    let mut update = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = args.next(),
            "--markdown" => markdown = args.next(),
            "--update" => update = true,
            other => {
                eprintln!("report: unknown argument {other:?}");
                return ExitCode::from(2);
            }
        }
    }
    let path = expectations_path();
    let expectations = match Expectations::load(&path, update) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
    };
    let report = match run_corpus(&expectations) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
    };
    let write = |p: &str, text: String| std::fs::write(p, text).map_err(|e| format!("{p}: {e}"));
    let written = json
        .as_deref()
        .map(|p| {
            let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
            text.push('\n');
            write(p, text)
        })
        .transpose()
        .and_then(|_| markdown.as_deref().map(|p| write(p, to_markdown(&report))).transpose());
    if let Err(e) = written {
        eprintln!("report: {e}");
        return ExitCode::from(2);
    }
    println!("\n{}", report.summary_table());
    let failing = report.results.iter().filter(|r| r.status.fails_run()).count();
    println!("{}: {} vectors, {failing} failing", report.implementation, report.results.len());
    if update {
        let updated = sealcheck::run::updated_expectations(&expectations, &report);
        if let Err(e) = updated.save(&path) {
            eprintln!("report: {e}");
            return ExitCode::from(2);
        }
        println!("wrote {} known failures to {}", updated.failures.len(), path.display());
        return ExitCode::SUCCESS;
    }
    if report.conforming {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
