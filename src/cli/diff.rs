//! `sealcheck diff`: two JSON reports compared, regressions first in the exit code.

use super::fail;
use crate::report::{self, Report};
use std::path::Path;
use std::process::ExitCode;

/// `sealcheck diff`; exit 1 when a vector regressed or a new class of incident fails the run.
pub fn diff(old: &Path, new: &Path) -> ExitCode {
    let (old, new) = match (Report::load(old), Report::load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return fail("diff", e),
    };
    let d = report::diff(&old, &new);
    for (id, was, now) in &d.changed {
        let mark = if d.regressions.contains(id) {
            "REGRESSION"
        } else {
            "changed"
        };
        println!("{mark:<11} {id}: {was} -> {now}");
    }
    for id in &d.added {
        println!("added       {id}");
    }
    for id in &d.removed {
        println!("removed     {id}");
    }
    for (class, what) in &d.new_incidents {
        println!("REGRESSION  incident {class}: {what}");
    }
    for class in &d.gone_incidents {
        println!("gone        incident {class}");
    }
    println!(
        "{} changed, {} added, {} removed, {} regressions, {} new incident classes",
        d.changed.len(),
        d.added.len(),
        d.removed.len(),
        d.regressions.len(),
        d.new_incidents.len()
    );
    if !d.regressed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
