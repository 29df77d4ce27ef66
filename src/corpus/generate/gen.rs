//! The generator's toolbox: a seeded source of inputs with the reference at hand, and the
//! constructors of valid, invalid and acceptable vectors that ask the reference for every
//! expectation.

use crate::corpus::{Check, Expected, Note, Provenance, Vector, Verdict};
use crate::iut::Reference;
use crate::protocol::Reply;
use crate::wire::Stage;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde_json::Value;
use std::collections::BTreeMap;

/// Bumped whenever a builder's output changes on purpose; recorded in every generated file.
pub const GENERATOR_VERSION: &str = "1";

/// What a builder returns: one file's description, flag notes and tests.
pub struct Generated {
    /// What the file covers.
    pub description: String,
    /// Every flag its tests use.
    pub notes: BTreeMap<String, Note>,
    /// The tests, in a stable order.
    pub tests: Vec<Vector>,
}

/// One generated file.
pub struct FileSpec {
    /// Path relative to the repository root, e.g. `vectors/mixin/decrypt.json`.
    pub path: String,
    /// The op every test calls.
    pub op: String,
    /// The seed used when the file does not exist yet.
    pub default_seed: u64,
    /// The catalogue that builds it (`src/corpus/catalogue/<name>.jsonl`); empty for a twins
    /// file.
    pub catalogue: &'static str,
    /// For a twins file: the catalogues whose randomised valid vectors it opens.
    pub twins_of: &'static [&'static str],
}

/// A seeded source of inputs, with the reference at hand for expected outputs.
pub struct Gen {
    rng: ChaCha20Rng,
    reference: Reference,
    /// The seed this generator was started from.
    pub seed: u64,
}

impl Gen {
    /// A generator for `seed`; the reference's own randomness (signatures) is seeded too.
    pub fn new(seed: u64) -> Self {
        Gen {
            rng: ChaCha20Rng::seed_from_u64(seed),
            reference: Reference::with_rng(ChaCha20Rng::seed_from_u64(seed ^ 0x5ea1_c4ec)),
            seed,
        }
    }

    /// The underlying stream, for APIs that take an rng (key generation).
    pub fn rng(&mut self) -> &mut ChaCha20Rng {
        &mut self.rng
    }

    /// `n` pseudo-random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut b = vec![0u8; n];
        self.rng.fill_bytes(&mut b);
        b
    }

    /// A pseudo-random array.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut b = [0u8; N];
        self.rng.fill_bytes(&mut b);
        b
    }

    /// A pseudo-random number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.rng.next_u64() % n
        }
    }

    /// A random version-4 UUID, lowercase and hyphenated.
    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.array())
            .into_uuid()
            .to_string()
    }

    /// Asks the reference.
    pub fn answer(&mut self, op: &str, args: &Value) -> Reply {
        self.reference.answer(op, args)
    }

    /// Asks the reference and requires success: the `ok` payload.
    pub fn ok(&mut self, op: &str, args: &Value) -> Result<Value, String> {
        match self.answer(op, args) {
            Reply::Ok(v) => Ok(v),
            other => Err(format!(
                "{op} with {args}: the reference answered {other:?}"
            )),
        }
    }

    /// Asks the reference and requires a rejection: its stage.
    pub fn rejected(&mut self, op: &str, args: &Value) -> Result<Stage, String> {
        match self.answer(op, args) {
            Reply::Error { stage: Some(s), .. } => Ok(s),
            other => Err(format!(
                "{op}: the reference did not reject {args}: {other:?}"
            )),
        }
    }

    pub(crate) fn provenance(&self) -> Vec<Provenance> {
        vec![Provenance {
            kind: "reference".into(),
            source: format!(
                "sealcheck generate (generator {GENERATOR_VERSION}, seed {})",
                self.seed
            ),
        }]
    }

    /// A valid vector whose exact output the reference computes.
    pub fn valid(
        &mut self,
        op: &str,
        id: String,
        comment: impl Into<String>,
        flags: &[&str],
        args: Value,
    ) -> Result<Vector, String> {
        let ok = self.ok(op, &args)?;
        Ok(self.vector(
            id,
            comment,
            flags,
            args,
            Verdict::Valid,
            Some(ok),
            None,
            None,
        ))
    }

    /// A valid vector with a randomised output, checked by opening or verifying it.
    pub fn valid_checked(
        &mut self,
        op: &str,
        id: String,
        comment: impl Into<String>,
        flags: &[&str],
        args: Value,
        check: Check,
    ) -> Result<Vector, String> {
        // The reference must produce an output that passes its own check.
        let ok = self.ok(op, &args)?;
        if let Err(why) = check.holds(op, &args, &ok) {
            return Err(format!("{id}: the reference fails its own check: {why}"));
        }
        Ok(self.vector(
            id,
            comment,
            flags,
            args,
            Verdict::Valid,
            None,
            None,
            Some(check),
        ))
    }

    /// Checks that the reference rejects `args` at exactly `stage`, the policy's stage: a
    /// vector whose stated stage the reference does not give is a generator bug.
    fn require_rejection(
        &mut self,
        op: &str,
        id: &str,
        args: &Value,
        stage: Stage,
    ) -> Result<(), String> {
        let got = self.rejected(op, args)?;
        if got == stage {
            Ok(())
        } else {
            Err(format!(
                "{id}: the reference rejects at {got}, the vector says {stage}"
            ))
        }
    }

    /// An invalid vector; `stage` is what the policy says, and the reference must agree.
    pub fn invalid(
        &mut self,
        op: &str,
        id: String,
        comment: impl Into<String>,
        flags: &[&str],
        args: Value,
        stage: Stage,
    ) -> Result<Vector, String> {
        self.require_rejection(op, &id, &args, stage)?;
        Ok(self.vector(
            id,
            comment,
            flags,
            args,
            Verdict::Invalid,
            None,
            Some(stage),
            None,
        ))
    }

    /// An acceptable vector: a leniency of some real implementation that the reference, being
    /// strict, rejects (at `stage`, recorded for strict runs of strict implementations).
    pub fn acceptable(
        &mut self,
        op: &str,
        id: String,
        comment: impl Into<String>,
        flags: &[&str],
        args: Value,
        stage: Stage,
    ) -> Result<Vector, String> {
        if flags.is_empty() {
            return Err(format!(
                "{id}: an acceptable vector needs a flag saying who does what"
            ));
        }
        self.require_rejection(op, &id, &args, stage)?;
        Ok(self.vector(
            id,
            comment,
            flags,
            args,
            Verdict::Acceptable,
            None,
            Some(stage),
            None,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn vector(
        &self,
        id: String,
        comment: impl Into<String>,
        flags: &[&str],
        args: Value,
        result: Verdict,
        ok: Option<Value>,
        stage: Option<Stage>,
        check: Option<Check>,
    ) -> Vector {
        Vector {
            id,
            comment: comment.into(),
            flags: flags.iter().map(|f| f.to_string()).collect(),
            args,
            expected: Expected {
                result,
                ok,
                stage,
                stages: Vec::new(),
                check,
                provenance: self.provenance(),
                unconfirmed: None,
            },
        }
    }
}
