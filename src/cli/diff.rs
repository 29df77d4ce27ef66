//! `sealcheck diff`: two JSON reports compared, regressions first in the exit code.

use super::fail;
use crate::report::{self, Report};
use std::path::Path;
use std::process::ExitCode;

/// `sealcheck diff`; exit 1 when a vector regressed, coverage was lost (a checked vector is
/// skipped or gone) or a new class of incident fails the run.
pub fn diff(old: &Path, new: &Path) -> ExitCode {
    let (old, new) = match (Report::load(old), Report::load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return fail("diff", e),
    };
    let d = report::diff(&old, &new);
    for (id, was, now) in &d.changed {
        if d.lost.contains(id) {
            continue; // said below, as lost coverage
        }
        let mark = if d.regressions.contains(id) {
            "REGRESSION"
        } else {
            "changed"
        };
        outln!("{mark:<11} {id}: {was} -> {now}");
    }
    for id in &d.added {
        outln!("added       {id}");
    }
    for id in &d.removed {
        outln!("removed     {id}");
    }
    for id in &d.lost {
        let now = if d.removed.contains(id) {
            "gone from the new report"
        } else {
            "skipped now"
        };
        outln!("LOST        {id}: checked before, {now}");
    }
    for (class, what) in &d.new_incidents {
        outln!("REGRESSION  incident {class}: {what}");
    }
    for class in &d.gone_incidents {
        outln!("gone        incident {class}");
    }
    outln!(
        "{} changed, {} added, {} removed, {} regressions, {} lost coverage, {} new incident classes",
        d.changed.len(),
        d.added.len(),
        d.removed.len(),
        d.regressions.len(),
        d.lost.len(),
        d.new_incidents.len()
    );
    if !d.regressed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
