//! The vector file format of docs/VECTORS.md, as types.

use crate::wire::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The schema version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// One file: every vector of one format and op, with the notes that define its flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `mixin` or `themis`.
    pub format: String,
    /// The PROTOCOL.md op every test in the file calls.
    pub op: String,
    /// What the file covers and where its data came from.
    pub description: String,
    /// Set on generated files: how to make them again byte for byte.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<Generator>,
    /// Every flag used in the file, defined.
    #[serde(default)]
    pub notes: BTreeMap<String, Note>,
    /// The tests.
    pub tests: Vec<Vector>,
    /// Families of deterministic pseudo-random cases, each checked by one digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accumulated: Vec<Accumulated>,
}

/// An accumulated vector (C2SP CCTV style): `count` cases regenerated from `seed`, whose
/// canonical replies hash to `digest` (see `corpus::generate::family`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accumulated {
    /// Stable id, `<op>/accumulated/<name>`.
    pub id: String,
    /// What the family covers.
    pub comment: String,
    /// Seed of the case generator.
    pub seed: u64,
    /// How many cases.
    pub count: u64,
    /// SHA-256 (hex) of the canonical replies, one per line.
    pub digest: String,
    /// Where the digest comes from.
    pub provenance: Vec<Provenance>,
}

/// How a generated file was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// sealcheck version that wrote it.
    pub version: String,
    /// The seed of its pseudo-random inputs.
    pub seed: u64,
}

/// The meaning of a flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// `Upstream`, `EdgeCase`, `Leniency`, `Malformed`, ...
    pub bug_type: String,
    /// What the flag means, in a sentence or two.
    pub description: String,
    /// Real implementations and what they do with such input.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub implementations: BTreeMap<String, String>,
    /// Sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

/// One test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// Stable, never renumbered: `<op>/<stage or group>/<name>`.
    pub id: String,
    /// What it checks and why.
    pub comment: String,
    /// Flags defined in the file's notes.
    #[serde(default)]
    pub flags: Vec<String>,
    /// PROTOCOL.md args for the op, sent unchanged.
    pub args: Value,
    /// What a correct implementation does.
    pub expected: Expected,
}

/// valid, invalid or acceptable, with the exact output or the stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    /// The verdict class.
    pub result: Verdict,
    /// The exact `ok` payload of a valid vector (absent where the output is randomised).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok: Option<Value>,
    /// The canonical stage of an invalid vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// How to check a valid output that is randomised (no `ok`): who can open or verify it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Check>,
    /// Where the expectation comes from, and who confirmed it.
    pub provenance: Vec<Provenance>,
}

/// How the harness checks a randomised output with the reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// A Mixin body: every listed recipient decrypts it to the args' plaintext, and its
    /// layout (version, count, sender key, session order, length) is what the args imply.
    MixinDecrypt {
        /// One entry per session of the args, in order.
        recipients: Vec<MixinRecipient>,
    },
    /// A Themis signed message: it verifies with this key to the args' message.
    ThemisVerify {
        /// The signer's public key container, hex.
        public_key: String,
    },
    /// A Themis encrypted message: it decrypts with these keys to the args' message.
    ThemisDecrypt {
        /// The recipient's private key container, hex.
        private_key: String,
        /// The sender's public key container, hex.
        peer_public_key: String,
    },
}

/// A recipient who can open a Mixin body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixinRecipient {
    /// ed25519 seed, hex.
    pub private_key: String,
    /// The session id as the args give it.
    pub session_id: String,
}

/// Verdict classes, as in Wycheproof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every correct implementation accepts with exactly this output.
    Valid,
    /// Every correct implementation rejects.
    Invalid,
    /// A known leniency: either answer is conforming; flags say who does what.
    Acceptable,
}

/// One source of an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// `reference` (computed by sealcheck), `upstream` (copied from an upstream test file), or
    /// `implementation` (produced or confirmed by a named real implementation).
    pub kind: String,
    /// Upstream `repo@commit:path`, or `name version` of the implementation.
    pub source: String,
}
