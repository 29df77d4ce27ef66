//! The reference's side of `sealcheck lint`: the corpus's rules (`corpus::lint`) ask whether
//! the reference agrees with each vector and family, and this answers by running it.

use super::{judge, Outcome};
use crate::corpus::{self, generate::family, Oracle, Vector, VectorFile, Verdict};
use crate::iut::Reference;
use crate::protocol::{Reply, OPS};

/// The reference, answering lint's questions.
struct ReferenceOracle {
    reference: Reference,
}

impl Oracle for ReferenceOracle {
    fn knows_op(&self, op: &str) -> bool {
        OPS.contains(&op)
    }

    fn family_digest(&mut self, op: &str, seed: u64, count: u64) -> Result<String, String> {
        family::reference_digest(op, seed, count)
    }

    fn reference_fails(&mut self, op: &str, v: &Vector) -> Option<String> {
        // The reference must be strict: acceptable vectors are ones it rejects.
        let reply = self.reference.answer(op, &v.args);
        let outcome = match (v.expected.result, &reply) {
            (Verdict::Acceptable, Reply::Ok(_)) => {
                Outcome::Fail("the reference accepts an acceptable vector".into())
            }
            (Verdict::Acceptable, _) => Outcome::Pass,
            _ => judge(op, v, &Ok(reply)),
        };
        (outcome != Outcome::Pass).then(|| outcome.to_string())
    }
}

/// Every problem `sealcheck lint` finds in `files`: the corpus's rules, with the reference
/// run against every vector and family.
pub fn lint_files(files: &[(String, VectorFile)]) -> Vec<String> {
    corpus::lint(
        files,
        &mut ReferenceOracle {
            reference: Reference::default(),
        },
    )
}
