//! Embeds the vector corpus (vectors/**/*.json, schema excluded) into the binary, so
//! `sealcheck run` needs no files beside it.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "schema" || n == "upstream")
            {
                continue;
            }
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let vectors = root.join("vectors");
    println!("cargo:rerun-if-changed=vectors");
    let mut files = Vec::new();
    collect(&vectors, &mut files);
    files.sort();
    let mut code = String::from("/// Every embedded vector file: (path relative to the repo, contents).\npub static FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this")).join("corpus.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
