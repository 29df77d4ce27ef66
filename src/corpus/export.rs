//! `sealcheck export`: the embedded corpus as a self-contained release directory that a user
//! without Rust can pin and check: the vector files (each stamped with `corpus_version`), the
//! schema, the changelog, the manifest, a README, and `SHA256SUMS` over all of them.

use super::release::{corpus_version, next_manifest, CHANGELOG};
use super::{embedded, load_embedded, SCHEMA};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The corpus version stamped into every file.
    pub version: String,
    /// Paths relative to the output directory, sorted; `SHA256SUMS` covers all of them.
    pub files: Vec<String>,
    /// Vectors in the vector files.
    pub vectors: usize,
}

const README: &str = "sealcheck corpus {VERSION}\n\
\n\
Test vectors for Themis Secure Message and Mixin encrypted messages, exported by\n\
`sealcheck export`. Every vector file validates against schema/vectors.schema.json\n\
(JSON Schema draft 2020-12) and carries \"corpus_version\": \"{VERSION}\".\n\
\n\
  mixin/, themis/, curated/   vector files, one per format and op (docs/VECTORS.md)\n\
  schema/                     the JSON Schema of a vector file\n\
  VERSION                     the corpus version (semver)\n\
  CHANGELOG.md                what changed in each version\n\
  verdicts.tsv                every id's verdict, stage or output digest, and args digest\n\
  SHA256SUMS                  checksums of every other file: sha256sum -c SHA256SUMS\n\
\n\
Versions: an id never changes meaning; a new version with vectors added is a minor\n\
release; a changed verdict, stage, expected output or args, or a removed vector, is a major\n\
release; edits of comments, flags, notes and provenance are patch releases. Pin a major\n\
version to keep the meaning of the ids you depend on.\n";

/// Inserts `"corpus_version": VERSION` as the first member of a JSON object's text, keeping
/// every other byte, and checks the result is the same object plus that member.
pub fn stamp(text: &str, version: &str) -> Result<String, String> {
    let original: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Some(object) = original.as_object() else {
        return Err("not a JSON object".into());
    };
    if object.contains_key("corpus_version") {
        return Err("already has a corpus_version".into());
    }
    let open = text
        .find('{')
        .ok_or_else(|| "no opening brace".to_string())?;
    let (head, tail) = text.split_at(open + 1);
    // Keep the file's indentation: copy the whitespace before its first member.
    let indent: String = tail.chars().take_while(|c| c.is_whitespace()).collect();
    let member = format!("{}", serde_json::json!(version));
    let stamped = if object.is_empty() {
        format!("{head}\"corpus_version\": {member}{tail}")
    } else if indent.is_empty() {
        format!("{head}\"corpus_version\": {member}, {tail}")
    } else {
        format!("{head}{indent}\"corpus_version\": {member},{tail}")
    };
    let mut back: serde_json::Value =
        serde_json::from_str(&stamped).map_err(|e| format!("stamping broke the JSON: {e}"))?;
    let removed = back
        .as_object_mut()
        .and_then(|o| o.remove("corpus_version"));
    if removed.as_ref().and_then(|v| v.as_str()) != Some(version) || back != original {
        return Err("stamping changed the file".into());
    }
    Ok(stamped)
}

/// Whether `dir` holds anything.
fn non_empty(dir: &Path) -> Result<bool, String> {
    match fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("{}: {e}", dir.display())),
    }
}

/// Writes the release into `out`. A non-empty `out` is refused unless `force` is set and it
/// holds an earlier export (a `SHA256SUMS`), whose contents are then replaced.
pub fn export(out: &Path, force: bool) -> Result<Exported, String> {
    if non_empty(out)? {
        if !force {
            return Err(format!(
                "{} is not empty (--force replaces an earlier export)",
                out.display()
            ));
        }
        if !out.join("SHA256SUMS").is_file() {
            return Err(format!(
                "{} is not empty and holds no SHA256SUMS: not an earlier export, so not replaced",
                out.display()
            ));
        }
        for entry in fs::read_dir(out).map_err(|e| format!("{}: {e}", out.display()))? {
            let path = entry.map_err(|e| format!("{}: {e}", out.display()))?.path();
            let gone = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            gone.map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let files = load_embedded()?;
    let manifest = next_manifest(&files)?;
    let version = corpus_version().to_string();

    let mut written: Vec<(String, String)> = Vec::new();
    for (path, text) in embedded() {
        let rel = path.strip_prefix("vectors/").unwrap_or(path);
        let stamped = stamp(text, &version).map_err(|e| format!("{path}: {e}"))?;
        written.push((rel.to_string(), stamped));
    }
    written.push(("schema/vectors.schema.json".into(), SCHEMA.to_string()));
    written.push(("VERSION".into(), format!("{version}\n")));
    written.push(("CHANGELOG.md".into(), CHANGELOG.to_string()));
    written.push(("verdicts.tsv".into(), manifest.to_text()));
    written.push(("README.txt".into(), README.replace("{VERSION}", &version)));
    written.sort();

    let mut sums = String::new();
    for (rel, text) in &written {
        let path: PathBuf = out.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        sums.push_str(&format!(
            "{}  {rel}\n",
            hex::encode(Sha256::digest(text.as_bytes()))
        ));
    }
    let path = out.join("SHA256SUMS");
    fs::write(&path, sums).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Exported {
        version,
        files: written.into_iter().map(|(rel, _)| rel).collect(),
        vectors: files.iter().map(|(_, f)| f.tests.len()).sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamping_adds_one_member_and_keeps_the_rest() {
        let text = "{\n  \"a\": 1,\n  \"b\": [2]\n}\n";
        let s = stamp(text, "1.2.3").unwrap();
        assert_eq!(
            s,
            "{\n  \"corpus_version\": \"1.2.3\",\n  \"a\": 1,\n  \"b\": [2]\n}\n"
        );
        assert_eq!(
            stamp("{\"a\":1}", "1.0.0").unwrap(),
            "{\"corpus_version\": \"1.0.0\", \"a\":1}"
        );
        assert_eq!(
            stamp("{}", "1.0.0").unwrap(),
            "{\"corpus_version\": \"1.0.0\"}"
        );
        assert!(stamp("[1]", "1.0.0").is_err());
        assert!(stamp("{\"corpus_version\": \"0.9.0\"}", "1.0.0").is_err());
    }

    #[test]
    fn every_embedded_file_stamps() {
        for (path, text) in embedded() {
            let s = stamp(text, "1.0.0").unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(s.len() > text.len(), "{path}");
        }
    }
}
