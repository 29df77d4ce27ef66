//! The same Implementation spoken over docs/PROTOCOL.md on stdin/stdout (sealcheck's own
//! `serve` loop), for running it as a child process: a crash of the core (a segfault) then
//! costs one vector, which the harness records and restarts after, instead of the whole run.
//!
//!     sealcheck run --target "adapters/rust-themis/target/release/serve"

use sealcheck_rust_themis::RustThemis;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut imp = match RustThemis::new() {
        Ok(i) => i,
        Err(e) => {
            eprintln!("serve: {e}");
            return ExitCode::from(2);
        }
    };
    match sealcheck_rust_themis::seam::serve(
        &mut imp,
        std::io::stdin(),
        std::io::stdout(),
        std::io::stderr(),
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve: {e}");
            ExitCode::FAILURE
        }
    }
}
