//! `sealcheck observe`: a JSON report of a real implementation turned into its observation
//! file (vectors/observations/, docs/VECTORS.md).

use super::fail;
use crate::engine;
use crate::report::{self, Report};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes the observation file of `report` (run over `vectors`, or the embedded corpus).
pub fn write_observations(
    report: &Report,
    vectors: &[PathBuf],
    out: &Path,
) -> Result<usize, String> {
    let files = engine::load(vectors)?;
    let obs = report::observations(report, &files)?;
    std::fs::write(out, obs.to_text()?).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(obs.records.len() + obs.families.len())
}

/// `sealcheck observe REPORT --out FILE`.
pub fn observe(report: &Path, vectors: &[PathBuf], out: &Path) -> ExitCode {
    let written = Report::load(report).and_then(|r| write_observations(&r, vectors, out));
    match written {
        Ok(n) => {
            outln!("wrote {n} observations to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail("observe", e),
    }
}
