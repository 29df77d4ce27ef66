//! `sealcheck fuzz`: the differential fuzzer's options and its report on stdout.

use super::fail;
use crate::fuzz::{self, Config};
use std::path::PathBuf;
use std::process::ExitCode;

/// `sealcheck fuzz`: mutate corpus vectors and compare the reference with an IUT.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  sealcheck fuzz --target \"python3 my_adapter.py\" --iterations 2000 --seed 3
  sealcheck fuzz --target \"...\" --out found.json       the disagreements, as vectors
  sealcheck run --target \"...\" --vectors found.json    run them again later

Exit codes: 0 no disagreement, 1 disagreements (each printed), 2 setup errors.")]
pub struct FuzzArgs {
    /// The command that starts the implementation under test (docs/PROTOCOL.md).
    #[arg(long)]
    pub target: String,
    /// Seed of the mutations; the same seed gives the same mutants.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many mutants to try.
    #[arg(long, default_value_t = 1000)]
    pub iterations: usize,
    /// Write the shrunk disagreements here as a vector file (one op per file: with several
    /// ops, `NAME.json` becomes `NAME-<op>.json`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Vector files to mutate instead of the embedded corpus (repeatable).
    #[arg(long = "vectors", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `sealcheck fuzz`; exit 0 without disagreements, 1 with some, 2 on setup errors.
pub fn fuzz(args: &FuzzArgs) -> ExitCode {
    let config = Config {
        target: args.target.clone(),
        seed: args.seed,
        iterations: args.iterations,
        out: args.out.clone(),
        files: args.files.clone(),
    };
    match fuzz::run(&config, &mut |line| outln!("{line}")) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => fail("fuzz", e),
    }
}
