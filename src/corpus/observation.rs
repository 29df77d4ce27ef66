//! Observation files (vectors/observations/, docs/VECTORS.md): what one real implementation,
//! at one version, did with every vector and family of the corpus. They are made from a JSON
//! report (`sealcheck observe`), never by hand, and are the evidence that provenance claims
//! of kind `observed` cite: a verdict says what correct code does, an observation what a real
//! implementation was seen to do.

use super::{Vector, VectorFile};
use crate::wire::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The format version of observation files.
pub const OBSERVATIONS_VERSION: u32 = 1;

/// One implementation's observation file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observations {
    /// Always [`OBSERVATIONS_VERSION`].
    pub observations_version: u32,
    /// `name version`, as claims of kind `observed` cite it.
    pub implementation: String,
    /// The name from the handshake: what flag notes name when they say who does what.
    pub name: String,
    /// The version from the handshake.
    pub version: String,
    /// The command that ran it (an adapter in adapters/).
    pub adapter: String,
    /// The sealcheck version of the run.
    pub sealcheck: String,
    /// [`corpus_digest`] of the corpus the run used.
    pub corpus: String,
    /// The day of the run, UTC.
    pub date: String,
    /// The ops the implementation listed; vectors of other ops have no record.
    pub ops: Vec<String>,
    /// Per vector id, what it did.
    pub records: BTreeMap<String, Record>,
    /// Per accumulated family id, what it produced.
    #[serde(default)]
    pub families: BTreeMap<String, FamilyObserved>,
}

/// What an implementation did with one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Seen {
    /// It answered `ok`.
    Accepted,
    /// It answered `error`.
    Rejected,
    /// It answered `unsupported`.
    Unsupported,
    /// It exited or died.
    Crashed,
    /// No reply in time.
    Timeout,
    /// A reply that broke the protocol.
    ProtocolError,
}

/// Whether an accepted vector's output was the expected one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Output {
    /// Exactly the vector's output; for a randomised output, one the reference's check held
    /// for.
    Expected,
    /// Any other output (or, for a vector with no expected output, the output it gave).
    Other,
}

/// One vector's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// [`args_digest`] of the args that were sent: a record whose vector's args changed since
    /// is stale.
    pub args: String,
    /// What it did.
    pub result: Seen,
    /// For `accepted`: whether the output was the expected one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Output>,
    /// For output `other`: SHA-256 of the `ok` payload's JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// For output `other`, when short: the `ok` payload's JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
    /// For `rejected`: the canonical stage the implementation named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// For `rejected`: its own error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Its message: the error, the reason for `unsupported`, or what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// What an implementation produced for one accumulated family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FamilySeen {
    /// Its digest is the recorded one.
    Reproduced,
    /// It answered every case and its digest differs.
    Different,
    /// It left some cases unsupported; every other case agrees with the reference.
    Partial,
    /// It left every case unsupported.
    Unsupported,
    /// It died during the family.
    Crashed,
    /// A case had no reply in time.
    Timeout,
    /// A reply broke the protocol.
    ProtocolError,
}

/// One family's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyObserved {
    /// The family's seed and count when it ran: a record whose family changed is stale.
    pub seed: u64,
    /// Cases.
    pub count: u64,
    /// What happened.
    pub result: FamilySeen,
    /// The implementation's digest, when it answered every case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// What went wrong, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Observations {
    /// Parses an observation file; the error names the path.
    pub fn parse(path: &str, text: &str) -> Result<Self, String> {
        let o: Observations = serde_json::from_str(text)
            .map_err(|e| format!("{path}: not an observation file: {e}"))?;
        if o.observations_version != OBSERVATIONS_VERSION {
            return Err(format!(
                "{path}: observations_version {} (this sealcheck reads {OBSERVATIONS_VERSION})",
                o.observations_version
            ));
        }
        Ok(o)
    }

    /// The file's text: pretty JSON, keys sorted, trailing newline.
    pub fn to_text(&self) -> Result<String, String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        Ok(text)
    }

    /// Whether a flag note's `implementations` key names this implementation: the key
    /// contains its name as a whole word (`bot-api-go-client`, `PyThemis 0.15.0 and GoThemis`).
    pub fn is_named_by(&self, key: &str) -> bool {
        names(key, &self.name)
    }
}

/// Whether `text` contains `name` as a whole word: not inside a longer name (letters, digits,
/// `-`, `_` and `/` continue a name, so `themis` is not in `wasm-themis`).
pub fn names(text: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "-_/".contains(c));
    text.match_indices(name).any(|(at, _)| {
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(at + name.len()..).and_then(|s| s.chars().next());
        !word(before) && !word(after)
    })
}

fn short_sha256(text: &str) -> String {
    let mut h = hex::encode(Sha256::digest(text.as_bytes()));
    h.truncate(16);
    h
}

/// The first 64 bits (hex) of SHA-256 over the args' JSON text: what a record remembers of
/// the input it saw.
pub fn args_digest(args: &Value) -> String {
    short_sha256(&args.to_string())
}

/// The first 64 bits (hex) of SHA-256 over every vector's id and args and every family's id,
/// seed and count, in id order: which inputs a run saw, whatever their verdicts and
/// provenance say.
pub fn corpus_digest(files: &[(String, VectorFile)]) -> String {
    let mut lines: Vec<String> = Vec::new();
    for (_, f) in files {
        lines.extend(f.tests.iter().map(|v| format!("{} {}", v.id, v.args)));
        lines.extend(
            f.accumulated
                .iter()
                .map(|a| format!("{} {} {}", a.id, a.seed, a.count)),
        );
    }
    lines.sort();
    short_sha256(&lines.join("\n"))
}

/// Every observation file, by implementation (`name version`).
#[derive(Debug, Clone, Default)]
pub struct ObservationSet {
    /// Path and contents of each file.
    pub files: Vec<(String, Observations)>,
}

impl ObservationSet {
    /// Parses files given as (path, text); the errors name the paths.
    pub fn parse(texts: &[(String, String)]) -> (Self, Vec<String>) {
        let mut set = ObservationSet::default();
        let mut problems = Vec::new();
        for (path, text) in texts {
            match Observations::parse(path, text) {
                Ok(o) => set.files.push((path.clone(), o)),
                Err(e) => problems.push(e),
            }
        }
        (set, problems)
    }

    /// The observation of `implementation` (`name version`).
    pub fn get(&self, implementation: &str) -> Option<&Observations> {
        self.files
            .iter()
            .map(|(_, o)| o)
            .find(|o| o.implementation == implementation)
    }

    /// Every implementation's record of `vector`, where its args are the ones observed.
    pub fn records_of<'a>(
        &'a self,
        vector: &'a Vector,
    ) -> impl Iterator<Item = (&'a Observations, &'a Record)> + 'a {
        let digest = args_digest(&vector.args);
        self.files.iter().filter_map(move |(_, o)| {
            o.records
                .get(&vector.id)
                .filter(|r| r.args == digest)
                .map(|r| (o, r))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_whole_words() {
        assert!(names("bot-api-go-client", "bot-api-go-client"));
        assert!(names("PyThemis 0.15.0 and GoThemis", "GoThemis"));
        assert!(names("the themis crate on core 0.12", "themis crate"));
        assert!(!names("wasm-themis", "themis"));
        assert!(!names("PyThemis", "Themis"));
        assert!(!names("anything", ""));
    }

    #[test]
    fn digests_depend_on_the_inputs_only() {
        let a = serde_json::json!({"b": "01", "a": "02"});
        assert_eq!(args_digest(&a).len(), 16);
        assert_ne!(
            args_digest(&a),
            args_digest(&serde_json::json!({"a": "03"}))
        );
    }
}
