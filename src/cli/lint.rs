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
    print_counts(&lint);
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

/// What backs each verdict: upstream data, real implementations, or the reference alone.
fn print_counts(lint: &engine::Lint) {
    use crate::engine::Backing;
    let backings = [Backing::Upstream, Backing::Observed, Backing::ReferenceOnly];
    outln!(
        "{:<11} {:>8} {:>21} {:>15}",
        "verdict",
        "upstream",
        "real implementations",
        "reference only"
    );
    for verdict in ["valid", "invalid", "acceptable"] {
        let n = |b: Backing| {
            lint.counts
                .get(&(verdict.to_owned(), b))
                .copied()
                .unwrap_or(0)
        };
        outln!(
            "{verdict:<11} {:>8} {:>21} {:>15}",
            n(backings[0]),
            n(backings[1]),
            n(backings[2])
        );
    }
    outln!(
        "families: {} of {} reproduced by a real implementation",
        lint.families.0,
        lint.families.1
    );
}
