//! `sealcheck export`: write the embedded corpus as a versioned release, or rewrite the
//! committed manifest of its verdicts.

use super::fail;
use crate::corpus::{self, export, release};
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `sealcheck export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The directory to write the release into (created; must be empty).
    #[arg(
        long,
        required_unless_present = "manifest",
        conflicts_with = "manifest"
    )]
    pub out: Option<PathBuf>,
    /// Replace an earlier export in `--out` (a directory holding a SHA256SUMS).
    #[arg(long)]
    pub force: bool,
    /// Instead, rewrite ROOT/vectors/verdicts.tsv for the current corpus and version; refused
    /// when the changes need a bigger bump than vectors/VERSION makes.
    #[arg(long)]
    pub manifest: bool,
    /// The repository root that holds vectors/ (with `--manifest`).
    #[arg(long, default_value = ".", requires = "manifest")]
    pub root: PathBuf,
}

/// `sealcheck export`.
pub fn export(args: &ExportArgs) -> ExitCode {
    if args.manifest {
        let files = match corpus::load_embedded() {
            Ok(f) => f,
            Err(e) => return fail("export", e),
        };
        return match release::next_manifest(&files) {
            Ok(m) => {
                let path = args.root.join("vectors/verdicts.tsv");
                match std::fs::write(&path, m.to_text()) {
                    Ok(()) => {
                        outln!(
                            "wrote {} ({} ids, corpus {})",
                            path.display(),
                            m.entries.len(),
                            m.version
                        );
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail("export", format!("{}: {e}", path.display())),
                }
            }
            Err(e) => {
                eprintln!("sealcheck export: {e}");
                ExitCode::from(1)
            }
        };
    }
    let Some(out) = &args.out else {
        return fail("export", "--out DIR or --manifest");
    };
    match export::export(out, args.force) {
        Ok(x) => {
            outln!(
                "corpus {}: {} vectors, {} files and SHA256SUMS in {}",
                x.version,
                x.vectors,
                x.files.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail("export", e),
    }
}
