//! Copies the core 0.12 and its OpenSSL 1.1.1, built by build.rs from registry crates alone,
//! into a prefix: DEST/{include,lib} (static libsoter, libthemis and pkg-config files) and
//! DEST/openssl/{include,lib} (static libcrypto).
//!
//!     cargo run --release -- DEST

use std::fs;
use std::path::Path;
use std::process::ExitCode;

fn copy_dir(from: &Path, to: &Path, keep: &dyn Fn(&Path) -> bool) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target, keep)?;
        } else if keep(&path) {
            fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let Some(dest) = std::env::args().nth(1) else {
        eprintln!("usage: sealcheck-themis-core-012 DEST");
        return ExitCode::from(2);
    };
    let dest = Path::new(&dest);
    let themis = Path::new(env!("CORE012_PREFIX"));
    let openssl = Path::new(env!("CORE012_OPENSSL"));
    // Static archives only: whatever links against the prefix gets this OpenSSL, not the
    // system's libcrypto.
    let not_shared = |p: &Path| !p.to_string_lossy().contains(".so");
    let copied = copy_dir(&themis.join("include"), &dest.join("include"), &|_| true)
        .and_then(|_| copy_dir(&themis.join("lib"), &dest.join("lib"), &not_shared))
        .and_then(|_| {
            copy_dir(
                &openssl.join("include"),
                &dest.join("openssl/include"),
                &|_| true,
            )
        })
        .and_then(|_| copy_dir(&openssl.join("lib"), &dest.join("openssl/lib"), &not_shared));
    if let Err(e) = copied {
        eprintln!("sealcheck-themis-core-012: {e}");
        return ExitCode::FAILURE;
    }
    // The pkg-config files name OUT_DIR paths; point them at DEST.
    for name in ["libthemis.pc", "libsoter.pc"] {
        let path = dest.join("lib/pkgconfig").join(name);
        let text = fs::read_to_string(&path).unwrap_or_default();
        let text = text
            .replace(&themis.display().to_string(), &dest.display().to_string())
            .replace(
                &openssl.join("lib").display().to_string(),
                &dest.join("openssl/lib").display().to_string(),
            );
        if let Err(e) = fs::write(&path, text) {
            eprintln!("sealcheck-themis-core-012: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("{}", dest.display());
    ExitCode::SUCCESS
}
