//! The vector file format of docs/VECTORS.md, as types.

use crate::wire::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The schema version this crate reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// One file: every vector of one format and op, with the notes that define its flags.
///
/// In the file, `number_of_tests` (after `generator`) says how many tests it holds, as
/// Wycheproof's `numberOfTests` does; it is written from `tests` and checked when read.
#[derive(Debug, Clone, PartialEq)]
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
    pub generator: Option<Generator>,
    /// Every flag used in the file, defined.
    pub notes: BTreeMap<String, Note>,
    /// The tests.
    pub tests: Vec<Vector>,
    /// Families of deterministic pseudo-random cases, each checked by one digest.
    pub accumulated: Vec<Accumulated>,
}

/// The file form of [`VectorFile`], written.
#[derive(Serialize)]
struct VectorFileOut<'a> {
    schema_version: u32,
    format: &'a str,
    op: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    generator: &'a Option<Generator>,
    number_of_tests: usize,
    notes: &'a BTreeMap<String, Note>,
    tests: &'a [Vector],
    #[serde(skip_serializing_if = "<[Accumulated]>::is_empty")]
    accumulated: &'a [Accumulated],
}

/// The file form of [`VectorFile`], read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFileIn {
    schema_version: u32,
    format: String,
    op: String,
    description: String,
    #[serde(default)]
    generator: Option<Generator>,
    #[serde(default)]
    number_of_tests: Option<usize>,
    #[serde(default)]
    notes: BTreeMap<String, Note>,
    tests: Vec<Vector>,
    #[serde(default)]
    accumulated: Vec<Accumulated>,
}

impl Serialize for VectorFile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        VectorFileOut {
            schema_version: self.schema_version,
            format: &self.format,
            op: &self.op,
            description: &self.description,
            generator: &self.generator,
            number_of_tests: self.tests.len(),
            notes: &self.notes,
            tests: &self.tests,
            accumulated: &self.accumulated,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for VectorFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let f = VectorFileIn::deserialize(d)?;
        if let Some(n) = f.number_of_tests.filter(|n| *n != f.tests.len()) {
            return Err(D::Error::custom(format!(
                "number_of_tests says {n}, the file holds {} tests",
                f.tests.len()
            )));
        }
        Ok(VectorFile {
            schema_version: f.schema_version,
            format: f.format,
            op: f.op,
            description: f.description,
            generator: f.generator,
            notes: f.notes,
            tests: f.tests,
            accumulated: f.accumulated,
        })
    }
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
    /// Which of the op's cases the family keeps; all of them when absent.
    #[serde(default, skip_serializing_if = "Subset::is_all")]
    pub cases: Subset,
    /// Seed of the case generator.
    pub seed: u64,
    /// How many cases.
    pub count: u64,
    /// SHA-256 (hex) of the canonical replies, one per line.
    pub digest: String,
    /// Where the digest comes from.
    pub provenance: Vec<Provenance>,
}

/// Which of an op's pseudo-random cases a family keeps. An op whose cases split into classes
/// that different real implementations can answer gets one family per class, so that each
/// family has an implementation that can reproduce it (docs/VECTORS.md, "Accumulated
/// families").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Subset {
    /// Every case (but documented leniencies and cases no implementation can be asked).
    #[default]
    All,
    /// `mixin.decrypt`: bodies that hold the blocks their session count lays out, and the
    /// nonce after them.
    LayoutFits,
    /// `mixin.decrypt`: bodies whose session count lays out more blocks, or a nonce further,
    /// than they hold. The Go decoders slice past the end and panic (`CountPanics`).
    LayoutOverflow,
    /// `themis.encrypt`: both keys well-formed and fitting, randomness injected, so every
    /// output is exact.
    WellKeyed,
    /// `themis.encrypt`: a defective or ill-fitting key, which every correct implementation
    /// refuses; no `random`, so implementations that cannot take injected randomness can run
    /// them.
    KeyDefects,
}

impl Subset {
    /// Whether this is [`Subset::All`] (the field is then left out of the JSON).
    pub fn is_all(&self) -> bool {
        *self == Subset::All
    }

    /// The op the subset is defined for; `None` for [`Subset::All`].
    pub fn op(self) -> Option<&'static str> {
        match self {
            Subset::All => None,
            Subset::LayoutFits | Subset::LayoutOverflow => Some("mixin.decrypt"),
            Subset::WellKeyed | Subset::KeyDefects => Some("themis.encrypt"),
        }
    }
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
    /// For a flag that names implementations accepting invalid input: why accepting is a
    /// defect, in a sentence (the finding it is in reports/README.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defect: Option<String>,
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

/// valid, invalid or acceptable, with the exact output or the stage(s).
///
/// In the file a defect caught at one stage says `"stage": "length"`; one that careful decoders
/// may catch at several lists them all, the reference's first: `"stages": ["length",
/// "session_count"]` (docs/VECTORS.md, "Stage sets").
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    /// The verdict class.
    pub result: Verdict,
    /// The exact `ok` payload of a valid vector (absent where the output is randomised).
    pub ok: Option<Value>,
    /// The canonical stage of an invalid vector: the one the reference names.
    pub stage: Option<Stage>,
    /// Every stage a careful decoder may name, the reference's (`stage`) first; empty when
    /// `stage` is the only one.
    pub stages: Vec<Stage>,
    /// How to check a valid output that is randomised (no `ok`): who can open or verify it.
    pub check: Option<Check>,
    /// Where the expectation comes from, and who confirmed it.
    pub provenance: Vec<Provenance>,
    /// Why no real implementation can confirm this vector, when none can.
    pub unconfirmed: Option<String>,
}

impl Expected {
    /// Every stage at which a rejection conforms: `stages`, or just `stage`.
    pub fn stage_set(&self) -> Vec<Stage> {
        if self.stages.is_empty() {
            self.stage.into_iter().collect()
        } else {
            self.stages.clone()
        }
    }
}

/// The file form of [`Expected`].
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedRepr {
    result: Verdict,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ok: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stage: Option<Stage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    stages: Vec<Stage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    check: Option<Check>,
    provenance: Vec<Provenance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unconfirmed: Option<String>,
}

impl Serialize for Expected {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let set = self.stages.len() > 1;
        ExpectedRepr {
            result: self.result,
            ok: self.ok.clone(),
            stage: if set { None } else { self.stage },
            stages: if set { self.stages.clone() } else { Vec::new() },
            check: self.check.clone(),
            provenance: self.provenance.clone(),
            unconfirmed: self.unconfirmed.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Expected {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let r = ExpectedRepr::deserialize(d)?;
        let stage = match (r.stage, r.stages.as_slice()) {
            (Some(_), [_, ..]) => return Err(D::Error::custom("give stage or stages, not both")),
            (None, [_]) => return Err(D::Error::custom("a single stage is given as stage")),
            (None, [first, ..]) => Some(*first),
            (stage, []) => stage,
        };
        Ok(Expected {
            result: r.result,
            ok: r.ok,
            stage,
            stages: r.stages,
            check: r.check,
            provenance: r.provenance,
            unconfirmed: r.unconfirmed,
        })
    }
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

/// One source of an expectation, or one piece of evidence behind it: a claim that `lint`
/// checks against what it names (docs/VECTORS.md, "Provenance").
///
/// In the file each kind names its referent under its own key:
/// `{"kind": "reference", "source": "sealcheck generate (generator 1, seed 12)"}`,
/// `{"kind": "observed", "implementation": "bot-api-go-client v3.23.0"}` (an observation file
/// in vectors/observations/), `{"kind": "upstream", "ref": "flutter-encryptedDecryptTest"}` (a
/// record id in vectors/upstream/), `{"kind": "reference-policy", "rule": "<rule id>"}` (a rule
/// of vectors/policy.json).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// `reference`, `observed`, `upstream` or `reference-policy` ([`Claim`]).
    pub kind: String,
    /// What the claim names: the reference run, the implementation (`name version`), the
    /// upstream record id, or the policy rule id.
    pub source: String,
}

/// A provenance entry by kind, with what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim<'a> {
    /// Computed by sealcheck's reference.
    Reference(&'a str),
    /// What the named real implementation was observed doing agrees with the verdict.
    Observed(&'a str),
    /// An upstream record (vectors/upstream/) holds these bytes and this expectation.
    Upstream(&'a str),
    /// A rule of the reference's own policy (vectors/policy.json) decides it.
    ReferencePolicy(&'a str),
    /// A kind this sealcheck does not know.
    Unknown(&'a str),
}

impl Provenance {
    /// The JSON key that carries each kind's referent.
    const KEYS: [(&'static str, &'static str); 4] = [
        ("reference", "source"),
        ("observed", "implementation"),
        ("upstream", "ref"),
        ("reference-policy", "rule"),
    ];

    /// A claim that `implementation` was observed agreeing with the verdict.
    pub fn observed(implementation: &str) -> Self {
        Provenance {
            kind: "observed".into(),
            source: implementation.into(),
        }
    }

    /// A claim citing an upstream record.
    pub fn upstream(record: &str) -> Self {
        Provenance {
            kind: "upstream".into(),
            source: record.into(),
        }
    }

    /// A claim citing a rule of the reference's policy.
    pub fn policy(rule: &str) -> Self {
        Provenance {
            kind: "reference-policy".into(),
            source: rule.into(),
        }
    }

    /// The claim, by kind.
    pub fn claim(&self) -> Claim<'_> {
        let s = self.source.as_str();
        match self.kind.as_str() {
            "reference" => Claim::Reference(s),
            "observed" => Claim::Observed(s),
            "upstream" => Claim::Upstream(s),
            "reference-policy" => Claim::ReferencePolicy(s),
            other => Claim::Unknown(other),
        }
    }

    fn key(kind: &str) -> Option<&'static str> {
        Self::KEYS.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v)
    }
}

impl Serialize for Provenance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let key = Self::key(&self.kind).unwrap_or("source");
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("kind", &self.kind)?;
        map.serialize_entry(key, &self.source)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Provenance {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let map = BTreeMap::<String, String>::deserialize(d)?;
        let kind = map
            .get("kind")
            .ok_or_else(|| D::Error::missing_field("kind"))?
            .clone();
        let key = Self::key(&kind).ok_or_else(|| {
            D::Error::custom(format!(
                "unknown provenance kind {kind:?} (reference, observed, upstream, reference-policy)"
            ))
        })?;
        if let Some(extra) = map.keys().find(|k| *k != "kind" && *k != key) {
            return Err(D::Error::custom(format!(
                "provenance of kind {kind} names its referent under {key:?}, not {extra:?}"
            )));
        }
        let source = map
            .get(key)
            .ok_or_else(|| D::Error::custom(format!("provenance of kind {kind} needs {key:?}")))?
            .clone();
        Ok(Provenance { kind, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_names_its_referent_under_its_own_key() {
        for (json, claim) in [
            (
                r#"{"kind":"reference","source":"gen"}"#,
                Claim::Reference("gen"),
            ),
            (
                r#"{"kind":"observed","implementation":"x 1"}"#,
                Claim::Observed("x 1"),
            ),
            (r#"{"kind":"upstream","ref":"r"}"#, Claim::Upstream("r")),
            (
                r#"{"kind":"reference-policy","rule":"p"}"#,
                Claim::ReferencePolicy("p"),
            ),
        ] {
            let p: Provenance = serde_json::from_str(json).unwrap();
            assert_eq!(p.claim(), claim);
            assert_eq!(serde_json::to_string(&p).unwrap(), json);
        }
        for bad in [
            r#"{"kind":"implementation","source":"x"}"#,
            r#"{"kind":"observed","source":"x"}"#,
            r#"{"kind":"upstream","ref":"r","source":"s"}"#,
            r#"{"source":"s"}"#,
        ] {
            assert!(serde_json::from_str::<Provenance>(bad).is_err(), "{bad}");
        }
    }
}
