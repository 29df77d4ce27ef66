//! The crate's errors mapped to canonical stages by a table (errors.json), BoGo ErrorMap style:
//! the step of the crate's API that refused and the `themis::ErrorKind` it gave.

use crate::seam::Stage;
use serde::Deserialize;

/// The call of the crate's API that refused an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `PrivateKey::try_from_slice` (validation and kind of the private key).
    PrivateKey,
    /// `PublicKey::try_from_slice`.
    PublicKey,
    /// `KeyPair::try_join`: the two keys' families.
    KeyPair,
    /// key.check: neither `PrivateKey` nor `PublicKey::try_from_slice` took the key.
    KeyCheck,
    /// The Secure Message operation itself.
    Call,
}

impl Step {
    /// The name errors.json uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::PrivateKey => "private_key",
            Step::PublicKey => "public_key",
            Step::KeyPair => "key_pair",
            Step::KeyCheck => "key_check",
            Step::Call => "call",
        }
    }
}

#[derive(Deserialize)]
struct Entry {
    op: String,
    step: String,
    kind: Option<String>,
    stage: Option<String>,
}

#[derive(Deserialize)]
struct File {
    errors: Vec<Entry>,
}

/// The table, first matching entry wins.
pub struct ErrorTable {
    entries: Vec<Entry>,
}

impl ErrorTable {
    /// The table compiled into the crate from errors.json.
    pub fn embedded() -> Result<Self, String> {
        let file: File = serde_json::from_str(include_str!("../errors.json"))
            .map_err(|e| format!("errors.json: {e}"))?;
        for e in &file.errors {
            if let Some(s) = &e.stage {
                Stage::from_name(s).ok_or_else(|| format!("errors.json: unknown stage {s:?}"))?;
            }
        }
        Ok(ErrorTable {
            entries: file.errors,
        })
    }

    /// The stage for a refusal, or None where the table says the error is ambiguous (or does
    /// not list it).
    pub fn stage(&self, op: &str, step: Step, kind: &str) -> Option<Stage> {
        self.entries
            .iter()
            .find(|e| {
                (e.op == "*" || e.op == op)
                    && e.step == step.as_str()
                    && e.kind.as_deref().is_none_or(|k| k == kind)
            })
            .and_then(|e| e.stage.as_deref())
            .and_then(Stage::from_name)
    }
}
