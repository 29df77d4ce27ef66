//! Running selected vectors against an implementation: exactly one judged result per
//! vector, with the expectations file applied.

use super::observe::{self, FamilyRecord, ReplyRecord};
use super::{judge, run_family_recorded, Expectations, Outcome};
use crate::corpus::{Accumulated, Vector};
use crate::iut::{Implementation, Incident};
use crate::protocol::Failure;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How a vector's outcome counts, after the expectations file is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Conforming (pass, acceptable, skipped, or a stage mismatch outside strict mode).
    Ok,
    /// A conformance failure.
    Failure,
    /// A failure listed in the expectations file, with the same outcome.
    ExpectedFailure,
    /// Listed in the expectations file, but the outcome changed: the file is out of date.
    Unexpected,
}

impl Status {
    /// Whether this status fails the run.
    pub fn fails_run(self) -> bool {
        matches!(self, Status::Failure | Status::Unexpected)
    }
}

/// One vector's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorResult {
    /// Vector id.
    pub id: String,
    /// Its op.
    pub op: String,
    /// The vector's verdict class: valid, invalid or acceptable.
    pub expected: String,
    /// Outcome label: pass, fail, stage-mismatch, acceptable, skipped, crashed, timeout,
    /// protocol-error.
    pub outcome: String,
    /// What happened, in words (empty for a plain pass).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// How it counts.
    pub status: Status,
    /// The expectations file's reason, when the vector is listed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_failure: Option<String>,
    /// What the implementation replied (absent when the op was not sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<ReplyRecord>,
    /// For an accumulated family: the digest the implementation produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<FamilyRecord>,
    /// The vector's args, long values cut ([`super::shorten`]), so that a failure can be read
    /// without the corpus at hand; of a family, its seed and count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<serde_json::Value>,
    /// The vector's comment: what it checks.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// Of an accumulated family: how many cases it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cases: Option<u64>,
}

impl VectorResult {
    /// With the vector's args (shortened) and comment.
    pub fn describing(mut self, v: &Vector) -> Self {
        self.args = Some(super::shorten(&v.args));
        self.comment = v.comment.clone();
        self
    }

    /// With the family's seed, count and comment.
    pub fn describing_family(mut self, a: &Accumulated) -> Self {
        self.args = Some(serde_json::json!({"seed": a.seed, "count": a.count}));
        self.comment = a.comment.clone();
        self.cases = Some(a.count);
        self
    }

    /// Whether the vector was checked: anything but skipped.
    pub fn checked(&self) -> bool {
        self.outcome != "skipped"
    }
}

/// Runs the selected vectors against `imp` and judges each; one result per vector.
pub fn execute(
    imp: &mut dyn Implementation,
    selected: &[(&str, &Vector)],
    strict: bool,
    expectations: &Expectations,
    progress: &mut dyn FnMut(usize),
) -> Result<Vec<VectorResult>, String> {
    let hello = imp.hello()?;
    let supported: HashSet<&str> = hello.ops.iter().map(String::as_str).collect();
    let to_send: Vec<(&str, &serde_json::Value)> = selected
        .iter()
        .filter(|(op, _)| supported.contains(op))
        .map(|(op, v)| (*op, &v.args))
        .collect();
    let mut replies = imp.call_many(&to_send, progress).into_iter();
    let mut results = Vec::with_capacity(selected.len());
    for (op, v) in selected {
        let (outcome, reply) = if supported.contains(op) {
            let reply = replies.next().unwrap_or_else(|| {
                Err(Failure::ProtocolError(
                    "the implementation returned too few results".into(),
                ))
            });
            let outcome = judge(op, v, &reply);
            let record = observe::record_reply(v, &reply, &outcome);
            (outcome, Some(record))
        } else {
            let why = format!("{} does not list op {op}", hello.name);
            (Outcome::Skipped(why), None)
        };
        let mut result = result_of(
            &v.id,
            op,
            &format!("{:?}", v.expected.result).to_lowercase(),
            outcome,
            strict,
            expectations,
        )
        .describing(v);
        result.reply = reply;
        results.push(result);
    }
    Ok(results)
}

/// Runs accumulated vectors: one result each.
pub fn execute_accumulated(
    imp: &mut dyn Implementation,
    selected: &[(&str, &Accumulated)],
    strict: bool,
    expectations: &Expectations,
) -> Result<Vec<VectorResult>, String> {
    let hello = imp.hello()?;
    let mut results = Vec::new();
    for (op, a) in selected {
        let (outcome, family) = if hello.ops.iter().any(|o| o == op) {
            let (outcome, record) =
                run_family_recorded(imp, op, a.cases, a.seed, a.count, &a.digest);
            (outcome, Some(record))
        } else {
            let why = format!("{} does not list op {op}", hello.name);
            (Outcome::Skipped(why), None)
        };
        let mut result =
            result_of(&a.id, op, "accumulated", outcome, strict, expectations).describing_family(a);
        result.family = family;
        results.push(result);
    }
    Ok(results)
}

/// An incident of the run, with how it counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentResult {
    /// What happened.
    #[serde(flatten)]
    pub incident: Incident,
    /// `kind/op`, the key an expectations file lists.
    pub class: String,
    /// How it counts.
    pub status: IncidentStatus,
    /// The expectations file's reason, when its class is listed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_incident: Option<String>,
}

/// How an incident counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentStatus {
    /// Reproduced by a lone rerun: the request it is pinned to has the outcome.
    Pinned,
    /// Not reproduced, and its class is not listed: it fails the run.
    Failure,
    /// Not reproduced; its class is listed in the expectations file.
    Known,
}

impl IncidentResult {
    /// Judges an incident against the expectations.
    pub fn new(incident: Incident, expectations: &Expectations) -> Self {
        let class = incident.class();
        let known = expectations.incident(&class).map(|(_, k)| k.reason.clone());
        let status = match (incident.reproduced(), &known) {
            (true, _) => IncidentStatus::Pinned,
            (false, None) => IncidentStatus::Failure,
            (false, Some(_)) => IncidentStatus::Known,
        };
        IncidentResult {
            incident,
            class,
            status,
            known_incident: known,
        }
    }

    /// Whether it fails the run.
    pub fn fails_run(&self) -> bool {
        self.status == IncidentStatus::Failure
    }
}

/// A vector's (or family's) result from its outcome, with the expectations applied.
pub fn result_of(
    id: &str,
    op: &str,
    expected: &str,
    outcome: Outcome,
    strict: bool,
    expectations: &Expectations,
) -> VectorResult {
    let failing = outcome.is_failure(strict);
    let label = outcome.label();
    let known = expectations.failures.get(id);
    let status = match (failing, known) {
        (false, None) => Status::Ok,
        (true, None) => Status::Failure,
        (true, Some(k)) if k.outcome == label => Status::ExpectedFailure,
        (_, Some(_)) => Status::Unexpected,
    };
    let mut detail = match &outcome {
        Outcome::Pass => String::new(),
        other => other.to_string(),
    };
    if status == Status::Unexpected {
        let listed = known.map(|k| k.outcome.as_str()).unwrap_or_default();
        detail = format!(
            "listed as {listed} in the expectations file, but now: {}",
            if detail.is_empty() {
                label.to_owned()
            } else {
                detail
            }
        );
    }
    VectorResult {
        id: id.to_owned(),
        op: op.to_owned(),
        expected: expected.to_owned(),
        outcome: label.into(),
        detail,
        status,
        known_failure: known.map(|k| k.reason.clone()),
        args: None,
        comment: String::new(),
        cases: None,
        reply: None,
        family: None,
    }
}
