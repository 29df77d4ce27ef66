//! Embeds the vector corpus into the binary, so `sealcheck run` and `sealcheck lint` need no
//! files beside it: the vector files (vectors/**/*.json), and apart from them the evidence
//! lint checks provenance against: observation files (vectors/observations/), upstream data
//! (vectors/upstream/) and the reference's policy (vectors/policy.json). The schemas are
//! embedded by `corpus::schema` itself.

use std::fs;
use std::path::{Path, PathBuf};

/// Folders of vectors/ that hold no vector files.
const NOT_VECTORS: &[&str] = &["schema", "upstream", "observations"];

fn collect(dir: &Path, skip: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| skip.iter().any(|s| n == *s))
            {
                continue;
            }
            collect(&path, skip, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn table(name: &str, doc: &str, root: &Path, mut files: Vec<PathBuf>) -> String {
    files.sort();
    let mut code = format!("/// {doc}: (path relative to the repo, contents).\npub static {name}: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(root)
            .expect("under the root")
            .to_string_lossy()
            .replace('\\', "/");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    code.push_str("];\n");
    code
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let vectors = root.join("vectors");
    println!("cargo:rerun-if-changed=vectors");
    let mut files = Vec::new();
    collect(&vectors, NOT_VECTORS, &mut files);
    let policy = vectors.join("policy.json");
    files.retain(|f| *f != policy);
    let mut observations = Vec::new();
    collect(&vectors.join("observations"), &[], &mut observations);
    let mut upstream = Vec::new();
    collect(&vectors.join("upstream"), &[], &mut upstream);
    let policy: Vec<PathBuf> = [policy].into_iter().filter(|p| p.exists()).collect();
    let code = [
        table("FILES", "Every embedded vector file", &root, files),
        table(
            "OBSERVATIONS",
            "Every observation file of a real implementation",
            &root,
            observations,
        ),
        table("UPSTREAM", "The upstream data, as copied", &root, upstream),
        table("POLICY", "The reference's policy rules", &root, policy),
    ]
    .concat();
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this")).join("corpus.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
