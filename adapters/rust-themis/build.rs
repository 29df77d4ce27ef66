//! Compiles the shared injected-randomness shim (adapters/themis-rand) against the OpenSSL
//! the core uses, and records the core's version for `hello`.
//!
//! The core comes from pkg-config (`libthemis`, the same lookup libthemis-sys makes). Its
//! OpenSSL: `SEALCHECK_OPENSSL_DIR` (include/ and lib/ of a static OpenSSL, as for the core
//! 0.12 row) or else the system's libcrypto from pkg-config.

use std::env;
use std::path::PathBuf;

fn main() {
    let shim = PathBuf::from("../themis-rand/sealcheck_rand.c");
    println!("cargo:rerun-if-changed={}", shim.display());
    println!("cargo:rerun-if-changed=../themis-rand/sealcheck_rand.h");
    println!("cargo:rerun-if-env-changed=SEALCHECK_OPENSSL_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    let mut build = cc::Build::new();
    build.file(&shim).warnings(true);
    match env::var_os("SEALCHECK_OPENSSL_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            build.include(dir.join("include"));
            // libsoter.a needs the same static libcrypto; libthemis-sys links it through the
            // core's pkg-config files, so only the search path is added here.
            println!(
                "cargo:rustc-link-search=native={}",
                dir.join("lib").display()
            );
        }
        None => {
            let crypto = pkg_config::Config::new()
                .probe("libcrypto")
                .expect("libcrypto (libssl-dev) not found by pkg-config");
            for path in crypto.include_paths {
                build.include(path);
            }
        }
    }
    build.compile("sealcheck_rand");

    let core = pkg_config::Config::new()
        .cargo_metadata(false)
        .probe("libthemis");
    // A shared core outside the system paths: find it at run time without LD_LIBRARY_PATH
    // (DT_RPATH, which also covers libthemis's own libsoter).
    if let Ok(lib) = &core {
        for dir in &lib.link_paths {
            if dir.join("libthemis.so").exists() && env::var_os("SEALCHECK_OPENSSL_DIR").is_none() {
                println!(
                    "cargo:rustc-link-arg=-Wl,--disable-new-dtags,-rpath,{}",
                    dir.display()
                );
            }
        }
    }
    let core = core.map(|l| l.version).unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=SEALCHECK_THEMIS_CORE={core}");
}
