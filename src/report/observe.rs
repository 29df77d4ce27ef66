//! A JSON report turned into an observation file (`sealcheck observe`, `run --observe`): the
//! replies it records, keyed by vector id, with the digest of the args each one answered.

use super::Report;
use crate::corpus::observation::{
    args_digest, corpus_digest, FamilyObserved, FamilySeen, Observations, Output, Record, Seen,
    OBSERVATIONS_VERSION,
};
use crate::corpus::VectorFile;
use crate::engine::{ReplyKind, ReplyRecord};
use std::collections::{BTreeMap, HashMap};

/// The observation file of `report`, whose vectors are those of `files` (the corpus it ran).
/// The error says why the report cannot be one: no handshake (the reference in process), no
/// replies (written by an older sealcheck), or a vector the corpus does not have.
pub fn observations(
    report: &Report,
    files: &[(String, VectorFile)],
) -> Result<Observations, String> {
    let hello = report.hello.as_ref().ok_or(
        "the report has no handshake: observations are of implementations run with --target",
    )?;
    let vectors: HashMap<&str, &serde_json::Value> = files
        .iter()
        .flat_map(|(_, f)| f.tests.iter().map(|v| (v.id.as_str(), &v.args)))
        .collect();
    let families: HashMap<&str, (u64, u64)> = files
        .iter()
        .flat_map(|(_, f)| {
            f.accumulated
                .iter()
                .map(|a| (a.id.as_str(), (a.seed, a.count)))
        })
        .collect();
    let mut records = BTreeMap::new();
    let mut family_records = BTreeMap::new();
    for r in &report.results {
        if let Some(&(seed, count)) = families.get(r.id.as_str()) {
            if let Some(f) = family_record(r, seed, count) {
                family_records.insert(r.id.clone(), f);
            }
            continue;
        }
        let Some(reply) = &r.reply else {
            continue; // the op was not sent
        };
        let args = vectors.get(r.id.as_str()).ok_or_else(|| {
            format!(
                "{} is not in the corpus: the report comes from another corpus",
                r.id
            )
        })?;
        records.insert(r.id.clone(), record(reply, &r.outcome, args_digest(args)));
    }
    if records.is_empty() && family_records.is_empty() {
        return Err(
            "the report records no replies: it was written by an older sealcheck, or nothing was sent"
                .into(),
        );
    }
    let mut listed = hello.ops.clone();
    listed.sort();
    listed.dedup();
    Ok(Observations {
        observations_version: OBSERVATIONS_VERSION,
        implementation: report.implementation.clone(),
        name: hello.name.clone(),
        version: hello.version.clone(),
        adapter: report.target.clone(),
        sealcheck: report.sealcheck.clone(),
        corpus: corpus_digest(files),
        date: if report.date.is_empty() {
            super::today()
        } else {
            report.date.clone()
        },
        ops: listed,
        records,
        families: family_records,
    })
}

fn record(reply: &ReplyRecord, outcome: &str, args: String) -> Record {
    let empty = Record {
        args,
        result: Seen::Accepted,
        output: None,
        sha256: None,
        short: None,
        stage: None,
        code: None,
        message: reply.message.clone(),
    };
    match reply.kind {
        ReplyKind::Ok if reply.output_matches == Some(true) => Record {
            output: Some(Output::Expected),
            message: None,
            ..empty
        },
        ReplyKind::Ok => Record {
            output: Some(Output::Other),
            sha256: reply.output_sha256.clone(),
            short: reply.output.clone(),
            message: None,
            ..empty
        },
        ReplyKind::Error => Record {
            result: Seen::Rejected,
            stage: reply.stage,
            code: reply.code.clone(),
            ..empty
        },
        ReplyKind::Unsupported => Record {
            result: Seen::Unsupported,
            ..empty
        },
        ReplyKind::NoReply => Record {
            result: match outcome {
                "timeout" => Seen::Timeout,
                "protocol-error" => Seen::ProtocolError,
                _ => Seen::Crashed,
            },
            ..empty
        },
    }
}

fn family_record(r: &crate::engine::VectorResult, seed: u64, count: u64) -> Option<FamilyObserved> {
    let digest = r.family.as_ref().and_then(|f| f.digest.clone());
    let result = match r.outcome.as_str() {
        "skipped" if r.family.is_none() => return None, // the op was not listed
        "skipped" => FamilySeen::Unsupported,
        "pass" => FamilySeen::Reproduced,
        "acceptable" => FamilySeen::Partial,
        "crashed" => FamilySeen::Crashed,
        "timeout" => FamilySeen::Timeout,
        "protocol-error" => FamilySeen::ProtocolError,
        _ => FamilySeen::Different,
    };
    let message = (result != FamilySeen::Reproduced && !r.detail.is_empty())
        .then(|| crate::engine::cut(&r.detail));
    Some(FamilyObserved {
        seed,
        count,
        result,
        digest,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{FamilyRecord, Status, VectorResult};
    use crate::report::HelloRecord;

    fn corpus() -> Vec<(String, VectorFile)> {
        let text = r#"{"schema_version":1,"format":"mixin","op":"mixin.checksum","description":"d",
            "tests":[
              {"id":"mixin.checksum/a/ok","comment":"c","args":{"session_ids":[]},"expected":{"result":"valid","ok":{"checksum":""},"provenance":[{"kind":"reference","source":"s"}]}},
              {"id":"mixin.checksum/a/bad","comment":"c","args":{"session_ids":["x"]},"expected":{"result":"valid","ok":{"checksum":"1"},"provenance":[{"kind":"reference","source":"s"}]}},
              {"id":"mixin.checksum/a/err","comment":"c","args":{"session_ids":["y"]},"expected":{"result":"valid","ok":{"checksum":"2"},"provenance":[{"kind":"reference","source":"s"}]}}],
            "accumulated":[{"id":"mixin.checksum/accumulated/3","comment":"c","seed":7,"count":3,"digest":"00","provenance":[{"kind":"reference","source":"s"}]}]}"#;
        vec![(
            "f.json".into(),
            crate::corpus::parse("f.json", text).unwrap(),
        )]
    }

    fn result(id: &str, outcome: &str, reply: Option<ReplyRecord>) -> VectorResult {
        VectorResult {
            id: id.into(),
            op: "mixin.checksum".into(),
            expected: "valid".into(),
            outcome: outcome.into(),
            detail: String::new(),
            status: Status::Ok,
            known_failure: None,
            reply,
            family: None,
            args: None,
            comment: String::new(),
            cases: None,
        }
    }

    fn reply(kind: ReplyKind) -> ReplyRecord {
        ReplyRecord {
            kind,
            stage: None,
            code: None,
            message: None,
            output_matches: None,
            output_sha256: None,
            output: None,
        }
    }

    #[test]
    fn a_report_becomes_records_keyed_by_id() {
        let mut family = result("mixin.checksum/accumulated/3", "pass", None);
        family.family = Some(FamilyRecord {
            digest: Some("ab".repeat(32)),
            matches: true,
            cases: 3,
            answered: 3,
            unsupported: 0,
        });
        let mut report = Report::new(
            "cmd".into(),
            "impl 1.0".into(),
            false,
            vec![
                result(
                    "mixin.checksum/a/ok",
                    "pass",
                    Some(ReplyRecord {
                        output_matches: Some(true),
                        ..reply(ReplyKind::Ok)
                    }),
                ),
                result(
                    "mixin.checksum/a/bad",
                    "fail",
                    Some(ReplyRecord {
                        output_matches: Some(false),
                        output_sha256: Some("cd".repeat(32)),
                        output: Some("{}".into()),
                        ..reply(ReplyKind::Ok)
                    }),
                ),
                result(
                    "mixin.checksum/a/err",
                    "crashed",
                    Some(ReplyRecord {
                        message: Some("crashed: signal 11".into()),
                        ..reply(ReplyKind::NoReply)
                    }),
                ),
                family,
            ],
        );
        assert!(observations(&report, &corpus()).is_err(), "no handshake");
        report.hello = Some(HelloRecord {
            name: "impl".into(),
            version: "1.0".into(),
            ops: vec!["mixin.checksum".into()],
        });
        let o = observations(&report, &corpus()).unwrap();
        assert_eq!(o.implementation, "impl 1.0");
        assert_eq!(o.name, "impl");
        let ok = &o.records["mixin.checksum/a/ok"];
        assert_eq!(
            (ok.result, ok.output),
            (Seen::Accepted, Some(Output::Expected))
        );
        assert_eq!(
            ok.args,
            args_digest(&serde_json::json!({"session_ids": []}))
        );
        let bad = &o.records["mixin.checksum/a/bad"];
        assert_eq!(bad.output, Some(Output::Other));
        assert_eq!(bad.short.as_deref(), Some("{}"));
        assert_eq!(o.records["mixin.checksum/a/err"].result, Seen::Crashed);
        let f = &o.families["mixin.checksum/accumulated/3"];
        assert_eq!((f.seed, f.count, f.result), (7, 3, FamilySeen::Reproduced));
        let text = o.to_text().unwrap();
        assert!(crate::corpus::observation_schema_errors(&text).is_empty());
        // A report from another corpus is refused.
        report.results.push(result(
            "mixin.checksum/a/gone",
            "pass",
            Some(reply(ReplyKind::Ok)),
        ));
        assert!(observations(&report, &corpus()).is_err());
    }
}
