//! `sealcheck mutants`: the zoo's table on stdout, exit 1 if a counted mutant survives.

use super::fail;
use std::path::PathBuf;
use std::process::ExitCode;

/// `sealcheck mutants`; with `protocol`, each mutant runs as `sealcheck serve --mutant NAME`.
pub fn mutants(protocol: bool, names: &[String], files: &[PathBuf]) -> ExitCode {
    let exe = std::env::current_exe().map(|p| p.display().to_string());
    let exe = match (protocol, exe) {
        (false, _) => None,
        (true, Ok(e)) => Some(e),
        (true, Err(e)) => return fail("mutants", e),
    };
    match crate::mutants::zoo(exe.as_deref(), names, files, &mut |line| outln!("{line}")) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => fail("mutants", e),
    }
}
