//! Expectations files: the known failures of one implementation, each with a reason.
//!
//! A listed failure does not fail the run; a listed vector that now behaves differently
//! (passes, or fails another way) does, so the file always tells the truth.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The file: which implementation it is about, and its known failures by vector id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// The implementation and version the file was written for.
    #[serde(default)]
    pub implementation: String,
    /// Free text for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// Why entries came or went when the corpus changed (a verdict corrected, a vector
    /// added), one sentence each, oldest first; kept when the file is rewritten.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// Known failures, keyed by vector id.
    #[serde(default)]
    pub failures: BTreeMap<String, KnownFailure>,
}

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownFailure {
    /// The outcome label it has (`fail`, `crashed`, `stage-mismatch`, ...).
    pub outcome: String,
    /// Why: the implementation's bug or policy, in a sentence.
    pub reason: String,
}

impl Expectations {
    /// Reads a file; a missing file is an empty set when `allow_missing` (for updating).
    pub fn load(path: &Path, allow_missing: bool) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if allow_missing && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self::default())
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Writes the file, pretty-printed with a trailing newline, keys sorted.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }
}
