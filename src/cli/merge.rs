//! `sealcheck merge`: shard reports of one partitioned run combined into one report.

use super::fail;
use crate::report::{self, Report};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `sealcheck merge`; exit 0 when the merged run conforms, 1 when not, 2 when the reports
/// cannot be merged.
pub fn merge(
    inputs: &[PathBuf],
    json: Option<&Path>,
    junit: Option<&Path>,
    markdown: Option<&Path>,
) -> ExitCode {
    let shards: Result<Vec<Report>, String> = inputs.iter().map(|p| Report::load(p)).collect();
    let merged = match shards.and_then(|s| report::merge(&s)) {
        Ok(m) => m,
        Err(e) => return fail("merge", e),
    };
    let write = |path: Option<&Path>, text: Result<String, String>| -> Result<(), String> {
        match path {
            Some(p) => std::fs::write(p, text?).map_err(|e| format!("{}: {e}", p.display())),
            None => Ok(()),
        }
    };
    let written = write(json, merged.to_json())
        .and_then(|_| write(junit, Ok(report::to_junit(&merged))))
        .and_then(|_| write(markdown, Ok(report::to_markdown(&merged))));
    if let Err(e) = written {
        return fail("merge", e);
    }
    print!("{}", merged.summary_table());
    let failing = merged
        .results
        .iter()
        .filter(|r| r.status.fails_run())
        .count();
    println!(
        "{}: {} shards, {} vectors, {failing} failing, {} incidents that no rerun reproduced",
        merged.implementation,
        inputs.len(),
        merged.results.len(),
        merged.failing_incidents().count()
    );
    println!(
        "{}",
        if merged.conforming {
            "conforming"
        } else {
            "NOT conforming"
        }
    );
    if merged.conforming {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
