//! `sealcheck bench`: the figures as a Markdown table.

use super::fail;
use std::process::ExitCode;
use std::time::Duration;

/// `sealcheck bench`: `seconds` per measurement, `requests` cheap requests per round.
pub fn bench(seconds: f64, requests: usize) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(p) => p.display().to_string(),
        Err(e) => return fail("bench", e),
    };
    match crate::bench::run(
        &exe,
        Duration::from_secs_f64(seconds.max(0.0)),
        requests.max(10),
    ) {
        Ok(figures) => {
            out!("{}", crate::bench::table(&figures));
            ExitCode::SUCCESS
        }
        Err(e) => fail("bench", e),
    }
}
