//! `sealcheck bench`: the figures as a Markdown table.

use super::fail;
use std::process::ExitCode;
use std::time::Duration;

/// `sealcheck bench`: `seconds` per measurement, `requests` cheap requests per round, whole
/// runs at one job and at `jobs` (0: every core), best of `rounds`.
pub fn bench(seconds: f64, requests: usize, jobs: usize, rounds: usize) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(p) => p.display().to_string(),
        Err(e) => return fail("bench", e),
    };
    match crate::bench::run(
        &exe,
        Duration::from_secs_f64(seconds.max(0.0)),
        requests.max(10),
    ) {
        Ok(figures) => print!("{}", crate::bench::table(&figures)),
        Err(e) => return fail("bench", e),
    }
    let jobs = crate::engine::jobs_for(jobs);
    match crate::bench::whole_runs(&exe, jobs, rounds) {
        Ok(runs) => {
            println!();
            print!("{}", crate::bench::whole_table(&runs));
            ExitCode::SUCCESS
        }
        Err(e) => fail("bench", e),
    }
}
