//! `sealcheck serve` (the reference, or a mutant, behind the protocol on stdin/stdout) and
//! the hidden `sealcheck echo`.

use super::fail;
use crate::iut::{self, Implementation, Reference};
use std::io;
use std::process::ExitCode;

/// `sealcheck serve`.
pub fn serve_reference() -> ExitCode {
    serve(&mut Reference::default())
}

/// `sealcheck serve --mutant NAME`.
#[cfg(feature = "mutants")]
pub fn serve_mutant(name: &str) -> ExitCode {
    match crate::mutants::build(name) {
        Some(mut m) => serve(m.as_mut()),
        None => fail("serve", format!("no mutant {name:?}")),
    }
}

fn serve(imp: &mut dyn Implementation) -> ExitCode {
    match iut::serve(imp, io::stdin().lock(), io::stdout().lock(), io::stderr()) {
        Ok(()) => ExitCode::SUCCESS,
        // The harness stopped reading: nobody is left to answer.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail("serve", e),
    }
}

/// `sealcheck echo`.
pub fn echo() -> ExitCode {
    match crate::bench::echo(io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail("echo", e),
    }
}
