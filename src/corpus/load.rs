//! The corpus on hand: the files embedded at build time, and vector files read from disk.

use super::{VectorFile, SCHEMA_VERSION};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/corpus.rs"));
}

/// The embedded corpus: (path, contents) of every vector file under vectors/.
pub fn embedded() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

/// The embedded evidence: observation files, upstream data and the policy file, as (path,
/// contents).
pub fn embedded_evidence() -> Evidence {
    Evidence {
        observations: embedded::OBSERVATIONS,
        upstream: embedded::UPSTREAM,
        policy: embedded::POLICY,
    }
}

/// The files that provenance claims are checked against.
#[derive(Debug, Clone, Copy)]
pub struct Evidence {
    /// vectors/observations/*.json.
    pub observations: &'static [(&'static str, &'static str)],
    /// vectors/upstream/*.json.
    pub upstream: &'static [(&'static str, &'static str)],
    /// vectors/policy.json (empty when there is none).
    pub policy: &'static [(&'static str, &'static str)],
}

/// Parses a vector file; the error names the path.
pub fn parse(path: &str, text: &str) -> Result<VectorFile, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{path}: not a vector file: {e}"))?;
    // An exported file (`sealcheck export`) says which corpus release it belongs to; that is
    // for the user who pinned it, and says nothing about the vectors themselves.
    if let Some(object) = value.as_object_mut() {
        object.remove("corpus_version");
    }
    let file: VectorFile = serde_json::from_value(value).map_err(|e| {
        // A file of the wrong shape gets a sentence about its shape rather than serde's
        // view of its first element.
        let shape = match text.trim_start().chars().next() {
            Some('{') | None => None,
            Some('[') => Some("an array"),
            Some('"') => Some("a string"),
            Some(_) => Some("not an object"),
        };
        match shape {
            Some(shape) => format!(
                "{path}: not a vector file: the top level is {shape}, but a vector file is one \
                 JSON object with schema_version, format, op, description and tests \
                 (docs/VECTORS.md; `sealcheck generate --op OP --inputs ARGS.json --out FILE` \
                 makes one from an array of args objects)"
            ),
            None => format!("{path}: not a vector file: {e}"),
        }
    })?;
    if file.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "{path}: schema_version {} (this sealcheck reads {SCHEMA_VERSION})",
            file.schema_version
        ));
    }
    Ok(file)
}

/// Loads the embedded corpus.
pub fn load_embedded() -> Result<Vec<(String, VectorFile)>, String> {
    embedded()
        .iter()
        .map(|(path, text)| parse(path, text).map(|f| (path.to_string(), f)))
        .collect()
}

/// Loads vector files from disk.
pub fn load_paths(paths: &[std::path::PathBuf]) -> Result<Vec<(String, VectorFile)>, String> {
    paths
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| format!("{name}: {e}"))?;
            parse(&name, &text).map(|f| (name, f))
        })
        .collect()
}

/// The args of the embedded vector `id`, for tests that probe a corpus case.
#[cfg(test)]
pub(crate) fn embedded_args(id: &str) -> serde_json::Value {
    load_embedded()
        .unwrap()
        .into_iter()
        .flat_map(|(_, f)| f.tests)
        .find(|v| v.id == id)
        .map(|v| v.args)
        .unwrap_or_else(|| panic!("no vector {id}"))
}
