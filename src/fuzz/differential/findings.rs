//! Disagreements in words and as a vector file: one vector per shrunk finding, its
//! expectation from the reference.

use super::{change_kind, Base, Kind, Mutant};
use crate::corpus::{self, Expected, Note, Provenance, Vector, VectorFile, Verdict};
use crate::protocol::{Failure, Reply};
use crate::wire::Stage;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One disagreement, shrunk.
pub(super) struct Finding {
    pub(super) op: String,
    pub(super) kind: Kind,
    pub(super) mutant: Mutant,
    pub(super) args: Value,
    pub(super) reference: Reply,
    pub(super) iut: Result<Reply, Failure>,
}

pub(super) fn reply_summary(r: &Result<Reply, Failure>) -> String {
    match r {
        Ok(Reply::Ok(v)) => format!("accepted, answering {}", short_json(v)),
        Ok(Reply::Error { message, stage, .. }) => format!(
            "rejected{}: {}",
            stage.map(|s| format!(" at {s}")).unwrap_or_default(),
            message.chars().take(160).collect::<String>()
        ),
        Ok(Reply::Unsupported(why)) => format!("unsupported: {why}"),
        Err(f) => {
            // A crash carries the stderr tail: keep the line that says what happened.
            let text = f.to_string();
            let first = text.lines().next().unwrap_or("").to_string();
            match text
                .lines()
                .find(|l| l.starts_with("panic:") || l.contains("Error"))
            {
                Some(l) if l != first => format!("{first} ... {}", l.trim()),
                _ => first,
            }
        }
    }
}

fn short_json(v: &Value) -> String {
    let t = v.to_string();
    if t.len() > 120 {
        format!(
            "{}...",
            &t[..t.char_indices().nth(117).map_or(t.len(), |(i, _)| i)]
        )
    } else {
        t
    }
}

pub(super) fn signature(
    op: &str,
    kind: Kind,
    r: &Reply,
    iut: &Result<Reply, Failure>,
    m: &Mutant,
) -> String {
    let stage = |r: &Reply| match r {
        Reply::Ok(_) => "ok".to_string(),
        Reply::Error { stage, code, .. } => stage
            .map(|s| s.as_str().to_string())
            .or_else(|| code.clone())
            .unwrap_or_else(|| "error".into()),
        Reply::Unsupported(_) => "unsupported".into(),
    };
    let iut_stage = match iut {
        Ok(r) => stage(r),
        Err(f) => f.to_string().split(':').next().unwrap_or("").to_string(),
    };
    let last = m.edits.last().map(|e| {
        let kind = change_kind(e);
        let ptr: String = e
            .pointer
            .split('/')
            .filter(|p| p.parse::<usize>().is_err())
            .collect::<Vec<_>>()
            .join("/");
        format!("{ptr}:{kind}")
    });
    format!(
        "{op} {} ref={} iut={iut_stage} {}",
        kind.label(),
        stage(r),
        last.unwrap_or_default()
    )
}

pub(super) fn write_findings(
    out: &std::path::Path,
    findings: &[Finding],
    bases: &[Base],
    hello: &crate::protocol::Hello,
    seed: u64,
) -> Result<Vec<PathBuf>, String> {
    let mut ops: Vec<&str> = findings.iter().map(|f| f.op.as_str()).collect();
    ops.sort_unstable();
    ops.dedup();
    let mut written = Vec::new();
    let iut_name = format!("{} {}", hello.name, hello.version);
    // Ids are unique across the corpus: name them after the output file.
    let tag = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "findings".into());
    for op in &ops {
        let path = if ops.len() == 1 {
            out.to_path_buf()
        } else {
            let stem = out
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "findings".into());
            out.with_file_name(format!("{stem}-{op}.json"))
        };
        let mut tests = Vec::new();
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        let mut seen_args = Vec::new();
        for (n, f) in findings.iter().filter(|f| f.op == *op).enumerate() {
            // Shrinking can bring two mutants to the same args: keep one.
            if seen_args.contains(&&f.args) {
                continue;
            }
            seen_args.push(&f.args);
            *kinds.entry(f.kind.label()).or_default() += 1;
            let (result, ok, stage, group) = match &f.reference {
                Reply::Ok(v) => (Verdict::Valid, Some(v.clone()), None, "valid".to_string()),
                Reply::Error { stage, .. } => (
                    Verdict::Invalid,
                    None,
                    *stage,
                    stage.map_or_else(|| "bad_args".to_string(), |s: Stage| s.to_string()),
                ),
                Reply::Unsupported(_) => continue,
            };
            let base = &bases[f.mutant.base];
            tests.push(Vector {
                id: format!("{op}/{group}/fuzz-{tag}-s{seed}-{n}"),
                comment: format!(
                    "Mutant of {}: {}. The reference {}; {iut_name} {} ({}).",
                    base.id,
                    f.mutant.describe(bases),
                    match &f.reference {
                        Reply::Ok(_) => "accepts".to_string(),
                        r => format!("rejects ({})", reply_summary(&Ok(r.clone()))),
                    },
                    reply_summary(&f.iut),
                    f.kind.label()
                ),
                flags: vec!["FuzzFound".into()],
                args: f.args.clone(),
                expected: Expected {
                    result,
                    ok,
                    stage,
                    stages: Vec::new(),
                    unconfirmed: None,
                    check: None,
                    provenance: vec![Provenance {
                        kind: "reference".into(),
                        source: format!("sealcheck fuzz seed {seed}"),
                    }],
                },
            });
        }
        let summary = kinds
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut implementations = BTreeMap::new();
        implementations.insert(
            iut_name.clone(),
            format!("disagrees with the reference: {summary}"),
        );
        let mut notes = BTreeMap::new();
        notes.insert(
            "FuzzFound".to_string(),
            Note {
                bug_type: "FuzzFound".into(),
                description: "Found by differential fuzzing (sealcheck fuzz): the reference and a \
                              real implementation disagree on this mutant of a corpus vector; \
                              shrunk, expectation from the reference."
                    .into(),
                implementations,
                references: Vec::new(),
                defect: None,
            },
        );
        let file = VectorFile {
            schema_version: corpus::SCHEMA_VERSION,
            format: op.split('.').next().unwrap_or("").to_string(),
            op: op.to_string(),
            description: format!(
                "Disagreements between the reference and {iut_name} found by `sealcheck fuzz \
                 --seed {seed}`, shrunk."
            ),
            generator: None,
            notes,
            tests,
            accumulated: Vec::new(),
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
