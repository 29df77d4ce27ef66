//! `sealcheck site`: the static conformance site.

use super::fail;
use crate::site::{self, SiteData};
use std::path::Path;
use std::process::ExitCode;

/// `sealcheck site --out DIR [--root DIR]`.
pub fn site(out: &Path, root: &Path) -> ExitCode {
    let data = match SiteData::load(root) {
        Ok(d) => d,
        Err(e) => return fail("site", e),
    };
    match site::build(&data, out) {
        Ok(b) => {
            outln!(
                "wrote {} pages ({:.1} MiB) to {}; open {}",
                b.pages,
                b.bytes as f64 / (1024.0 * 1024.0),
                out.display(),
                out.join("index.html").display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail("site", e),
    }
}
