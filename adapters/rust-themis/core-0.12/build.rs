//! Builds OpenSSL 1.1.1 (openssl-src) and then the Themis core 0.12 (libthemis-src) against
//! it, all inside OUT_DIR, and hands both install prefixes to main.rs.

use std::env;
use std::fs;
use std::path::Path;

fn main() {
    let openssl = openssl_src::Build::new().build();
    // Themis's Makefile reads these from the environment (its ENGINE_* variables).
    env::set_var("ENGINE", "openssl");
    env::set_var("ENGINE_INCLUDE_PATH", openssl.include_dir());
    env::set_var("ENGINE_LIB_PATH", openssl.lib_dir());
    // Only the static archives are installed below, so the shared objects need not link.
    let themis = libthemis_src::Build::new().build();
    let prefix = themis.prefix();

    // libthemis-src ships no VERSION file and no .git, so its pkg-config files carry an empty
    // version; and libsoter's static dependencies must name this OpenSSL.
    let pc = prefix.join("lib/pkgconfig");
    let crypto = format!("-L{} -lcrypto -ldl -pthread", openssl.lib_dir().display());
    for name in ["libthemis.pc", "libsoter.pc"] {
        let path = pc.join(name);
        let text = fs::read_to_string(&path).expect("pkg-config file");
        let fixed: Vec<String> = text
            .lines()
            .map(|l| {
                if l.starts_with("Version:") {
                    "Version: 0.12.0".to_owned()
                } else if l.starts_with("Libs.private:") {
                    format!("Libs.private: {crypto}")
                } else {
                    l.to_owned()
                }
            })
            .collect();
        fs::write(&path, fixed.join("\n") + "\n").expect("write pkg-config file");
    }
    println!("cargo:rustc-env=CORE012_PREFIX={}", prefix.display());
    println!(
        "cargo:rustc-env=CORE012_OPENSSL={}",
        openssl
            .lib_dir()
            .parent()
            .unwrap_or(Path::new("/"))
            .display()
    );
}
