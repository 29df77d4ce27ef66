//! `sealcheck generate`: rewrite the generated vector files, or write vectors for an op.

use super::fail;
use crate::corpus::generate::{self, UserCases};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Options of `sealcheck generate`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  sealcheck generate --op mixin.checksum --count 20 --seed 7 --out my.json
                                          20 random valid vectors of one op, in a file of yours
  sealcheck generate --op mixin.checksum --inputs args.json --out my.json
                                          vectors for your own inputs: args.json is an array of
                                          args objects, e.g. [{\"session_ids\": [\"b\", \"a\"]}]
  sealcheck run --vectors my.json --target \"...\"      then run them
  sealcheck generate                      (in a checkout) rewrite vectors/ from the recorded seeds
  sealcheck generate --check              (in a checkout) exit 1 if any generated file would change

Without --op, generate works on the repository's own vectors/ and refuses to run anywhere
else (the directory must hold the Cargo.toml of the sealcheck package and vectors/schema/).

Exit codes: 0 written (or nothing would change), 1 --check found a change, 2 usage errors.")]
pub struct GenerateArgs {
    /// The repository root that holds vectors/ (the form without --op only).
    #[arg(long, default_value = ".", conflicts_with = "op")]
    pub root: PathBuf,
    /// Write nothing; exit 1 if any generated file would change.
    #[arg(long, conflicts_with = "op")]
    pub check: bool,
    /// Only the generated files whose path contains this, e.g. key.check-extra.
    #[arg(long, conflicts_with = "op")]
    pub only: Option<String>,
    /// Generate vectors for this op instead, into the file --out names.
    #[arg(long, requires = "out", value_parser = clap::builder::PossibleValuesParser::new(crate::engine::OPS))]
    pub op: Option<String>,
    /// How many random cases of `--op`.
    #[arg(long, conflicts_with = "inputs", requires = "op", value_name = "N")]
    pub count: Option<usize>,
    /// A JSON array of args objects for `--op` (your own keys, session ids, messages).
    #[arg(long, requires = "op", value_name = "FILE")]
    pub inputs: Option<PathBuf>,
    /// Seed of the random inputs or injected randomness.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Where to write the vector file for `--op`.
    #[arg(long, requires = "op", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `sealcheck generate`.
pub fn generate(args: &GenerateArgs) -> ExitCode {
    if let (Some(op), Some(out)) = (&args.op, &args.out) {
        let cases = match (args.count, &args.inputs) {
            (Some(0), None) => return fail("generate", "--count must be at least 1"),
            (Some(n), None) => UserCases::Random(n),
            (None, Some(path)) => UserCases::Inputs(path),
            _ => return fail("generate", "--op needs --count N or --inputs FILE"),
        };
        return match generate::write_user_file(op, cases, args.seed, out) {
            Ok(n) => {
                let s = if n == 1 { "" } else { "s" };
                outln!("wrote {n} vector{s} to {}", out.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail("generate", e),
        };
    }
    if let Err(e) = is_checkout(&args.root) {
        return fail("generate", e);
    }
    match generate::generate_all(&args.root, args.check, args.only.as_deref()) {
        Ok(changed) if args.check && !changed.is_empty() => {
            for p in &changed {
                outln!("would change: {}", p.display());
            }
            ExitCode::from(1)
        }
        Ok(changed) => {
            for p in &changed {
                outln!("wrote {}", p.display());
            }
            outln!(
                "{} generated files, {} {}",
                generate::files().len(),
                changed.len(),
                if args.check {
                    "would change"
                } else {
                    "changed"
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail("generate", e),
    }
}

/// Whether `root` is a checkout of this repository: the form without `--op` rewrites
/// `vectors/` in place, which must not happen in whatever directory a user stands in.
fn is_checkout(root: &Path) -> Result<(), String> {
    let named = std::fs::read_to_string(root.join("Cargo.toml")).is_ok_and(|t| {
        t.lines()
            .any(|l| l.replace(' ', "") == "name=\"sealcheck\"")
    });
    let schema = root.join("vectors/schema/vectors.schema.json").is_file();
    if named && schema {
        return Ok(());
    }
    let missing = match (named, schema) {
        (false, false) => "no Cargo.toml of the sealcheck package and no vectors/schema/",
        (false, true) => "no Cargo.toml of the sealcheck package",
        _ => "no vectors/schema/vectors.schema.json",
    };
    let shown = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    Err(format!(
        "{} is not a checkout of the sealcheck repository ({missing}).\n\
         Without --op, generate rewrites the corpus's generated files under vectors/ in place, \
         so it runs only at the repository's root (or with --root DIR).\n\
         For vectors of your own: sealcheck generate --op OP --count N --out FILE",
        shown.display()
    ))
}
