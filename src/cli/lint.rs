//! `sealcheck lint`: every problem on its own line, then the count.

use super::fail;
use crate::engine;
use std::path::PathBuf;
use std::process::ExitCode;

/// `sealcheck lint`.
pub fn lint(paths: &[PathBuf]) -> ExitCode {
    let lint = match engine::lint_paths(paths) {
        Ok(l) => l,
        Err(e) => return fail("lint", e),
    };
    for p in &lint.problems {
        outln!("{p}");
    }
    outln!(
        "{} files, {} vectors, {} problems",
        lint.files,
        lint.vectors,
        lint.problems.len()
    );
    if lint.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
