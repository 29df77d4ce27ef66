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
    /// Known incidents that no rerun reproduces, keyed by class: `kind/op`, or `kind/*` for
    /// any op (docs/REPORTS.md).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub incidents: BTreeMap<String, KnownIncident>,
}

/// One known class of incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownIncident {
    /// Why it happens and why it is tolerated, in a sentence.
    pub reason: String,
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
    /// The listed class that covers an incident of class `kind/op`, and its entry.
    pub fn incident(&self, class: &str) -> Option<(&str, &KnownIncident)> {
        let kind = class.split_once('/').map_or(class, |(k, _)| k);
        let any = format!("{kind}/*");
        self.incidents
            .get_key_value(class)
            .or_else(|| self.incidents.get_key_value(any.as_str()))
            .map(|(k, v)| (k.as_str(), v))
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_classes_match_exactly_or_by_kind() {
        let e: Expectations = serde_json::from_str(
            r#"{"implementation": "x", "incidents": {
                "signal/mixin.decrypt": {"reason": "a"},
                "timeout/*": {"reason": "b"}}}"#,
        )
        .unwrap();
        assert_eq!(e.incident("signal/mixin.decrypt").unwrap().1.reason, "a");
        assert!(e.incident("signal/mixin.encrypt").is_none());
        assert_eq!(e.incident("timeout/themis.sign").unwrap().0, "timeout/*");
        assert!(e.incident("exit/hello").is_none());
        // Unknown fields stay errors, so a typo is not a silent no-op.
        assert!(serde_json::from_str::<Expectations>(
            r#"{"incidents": {"exit/*": {"reason": "r", "outcome": "x"}}}"#
        )
        .is_err());
    }
}
