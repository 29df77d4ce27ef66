//! `sealcheck generate`: rewrite the generated vector files, or write vectors for an op.

use super::fail;
use crate::corpus::generate::{self, UserCases};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `sealcheck generate`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenerateArgs {
    /// The repository root that holds vectors/.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Write nothing; exit 1 if any generated file would change.
    #[arg(long, conflicts_with = "op")]
    pub check: bool,
    /// Only the generated files whose path contains this, e.g. key.check-extra.
    #[arg(long, conflicts_with = "op")]
    pub only: Option<String>,
    /// Generate vectors for this op instead, e.g. mixin.decrypt.
    #[arg(long, requires = "out")]
    pub op: Option<String>,
    /// How many random cases of `--op`.
    #[arg(long, conflicts_with = "inputs")]
    pub count: Option<usize>,
    /// A JSON array of args objects for `--op` (your own keys, session ids, messages).
    #[arg(long)]
    pub inputs: Option<PathBuf>,
    /// Seed of the random inputs or injected randomness.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the vector file for `--op`.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `sealcheck generate`.
pub fn generate(args: &GenerateArgs) -> ExitCode {
    if let (Some(op), Some(out)) = (&args.op, &args.out) {
        let cases = match (args.count, &args.inputs) {
            (Some(n), None) => UserCases::Random(n),
            (None, Some(path)) => UserCases::Inputs(path),
            _ => return fail("generate", "--op needs --count N or --inputs FILE"),
        };
        return match generate::write_user_file(op, cases, args.seed, out) {
            Ok(n) => {
                println!("wrote {n} vectors to {}", out.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail("generate", e),
        };
    }
    match generate::generate_all(&args.root, args.check, args.only.as_deref()) {
        Ok(changed) if args.check && !changed.is_empty() => {
            for p in &changed {
                println!("would change: {}", p.display());
            }
            ExitCode::from(1)
        }
        Ok(changed) => {
            for p in &changed {
                println!("wrote {}", p.display());
            }
            println!(
                "{} generated files, {} changed",
                generate::files().len(),
                changed.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail("generate", e),
    }
}
