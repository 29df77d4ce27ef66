//! Run reports: one record per vector, and the summary, in JSON (machine-readable,
//! docs/REPORTS.md), JUnit XML (CI systems), Markdown (people) and the terminal.

mod junit;
mod markdown;
mod merge;
mod observe;

pub use junit::to_junit;
pub use markdown::to_markdown;
pub use merge::merge;
pub use observe::observations;

use crate::engine::{FamilySlice, IncidentResult, Outcome, PartitionRecord, Run, VectorResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The report's format version.
pub const REPORT_VERSION: u32 = 1;

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`REPORT_VERSION`].
    pub report_version: u32,
    /// The sealcheck version that ran it.
    pub sealcheck: String,
    /// `reference (in process)` or the target command.
    pub target: String,
    /// The implementation's name and version from the handshake.
    pub implementation: String,
    /// The handshake itself: name, version and ops, each as the implementation gave it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hello: Option<HelloRecord>,
    /// The day of the run (UTC, `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub date: String,
    /// Whether stage mismatches counted as failures.
    pub strict: bool,
    /// Outcome label → count.
    pub outcomes: BTreeMap<String, usize>,
    /// Status → count.
    pub statuses: BTreeMap<String, usize>,
    /// True when nothing failed the run: no vector, and no incident that no rerun
    /// reproduced (unless its class is listed in the expectations file).
    pub conforming: bool,
    /// `conforming`, `partial` (nothing failed, but some vectors were not checked: the
    /// target skipped them) or `not-conforming`; see [`Report::verdict_line`].
    #[serde(default)]
    pub verdict: String,
    /// How often the target process was restarted.
    pub restarts: usize,
    /// The last words of the target's stderr.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stderr_tail: String,
    /// Every selected vector, in corpus order.
    pub results: Vec<VectorResult>,
    /// Every crash, timeout, protocol violation and exit of the target, reproduced or not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentResult>,
    /// Of one shard of a partitioned run: which, and what `sealcheck merge` needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<PartitionRecord>,
    /// Of one shard: what its blocks of each family's cases showed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub family_slices: Vec<FamilySlice>,
}

/// The handshake as a report records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloRecord {
    /// Implementation name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The ops it listed.
    pub ops: Vec<String>,
}

impl Report {
    /// Builds the summary counts from the results.
    pub fn new(
        target: String,
        implementation: String,
        strict: bool,
        results: Vec<VectorResult>,
    ) -> Self {
        let mut outcomes = BTreeMap::new();
        let mut statuses = BTreeMap::new();
        for r in &results {
            *outcomes.entry(r.outcome.clone()).or_default() += 1;
            let s = serde_json::to_value(r.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            *statuses.entry(s).or_default() += 1;
        }
        let conforming = !results.iter().any(|r| r.status.fails_run());
        let mut report = Report {
            report_version: REPORT_VERSION,
            sealcheck: env!("CARGO_PKG_VERSION").into(),
            target,
            implementation,
            hello: None,
            date: String::new(),
            strict,
            outcomes,
            statuses,
            conforming,
            verdict: String::new(),
            restarts: 0,
            stderr_tail: String::new(),
            results,
            incidents: Vec::new(),
            partition: None,
            family_slices: Vec::new(),
        };
        report.verdict = report.verdict_label().into();
        report
    }

    /// Adds the run's incidents; one that fails the run makes the report non-conforming.
    pub fn with_incidents(mut self, incidents: Vec<IncidentResult>) -> Self {
        self.incidents = incidents;
        self.conforming = !self.results.iter().any(|r| r.status.fails_run())
            && !self.incidents.iter().any(|i| i.fails_run());
        self.verdict = self.verdict_label().into();
        self
    }

    /// How many results were checked (not skipped).
    pub fn checked(&self) -> usize {
        self.results.iter().filter(|r| r.checked()).count()
    }

    /// Whether nothing failed, but not everything was checked.
    pub fn partial(&self) -> bool {
        self.conforming && self.checked() < self.results.len()
    }

    fn verdict_label(&self) -> &'static str {
        match (self.conforming, self.partial()) {
            (false, _) => "not-conforming",
            (true, true) => "partial",
            (true, false) => "conforming",
        }
    }

    /// The verdict for people: `conforming`, `PARTIAL: 47 of 1423 checked`, or
    /// `NOT conforming`. A run that checked little must never read as conforming.
    pub fn verdict_line(&self) -> String {
        if !self.conforming {
            "NOT conforming".into()
        } else if self.partial() {
            format!(
                "PARTIAL: {} of {} checked",
                self.checked(),
                self.results.len()
            )
        } else {
            "conforming".into()
        }
    }

    /// What the run covered, for the summary line: `1413 vectors + 10 accumulated families
    /// of 10000 cases`, families named apart since each stands for thousands of cases.
    pub fn coverage(&self) -> String {
        let families: Vec<u64> = self
            .results
            .iter()
            .filter(|r| r.expected == "accumulated")
            .map(|r| r.cases.unwrap_or(0))
            .collect();
        let vectors = self.results.len() - families.len();
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("{n} {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut text = plural(vectors, "vector", "vectors");
        if let Some(first) = families.first() {
            let fams = plural(families.len(), "accumulated family", "accumulated families");
            let total: u64 = families.iter().sum();
            let cases = if families.iter().all(|c| c == first) {
                format!(
                    "{first} cases{}",
                    if families.len() > 1 { " each" } else { "" }
                )
            } else {
                format!("{total} cases in all")
            };
            text.push_str(&format!(" + {fams} of {cases}"));
        }
        text
    }

    /// The incidents that fail the run.
    pub fn failing_incidents(&self) -> impl Iterator<Item = &IncidentResult> {
        self.incidents.iter().filter(|i| i.fails_run())
    }

    /// The report of a run.
    pub fn from_run(run: &Run) -> Self {
        let mut report = Report::new(
            run.target.clone(),
            run.implementation.clone(),
            run.strict,
            run.results.clone(),
        )
        .with_incidents(run.incidents.clone());
        report.restarts = run.restarts;
        report.stderr_tail = run.stderr_tail.clone();
        report.hello = run.hello.as_ref().map(|h| HelloRecord {
            name: h.name.clone(),
            version: h.version.clone(),
            ops: h.ops.clone(),
        });
        report.date = today();
        report.partition = run.partition.clone();
        report.family_slices = run.family_slices.clone();
        report
    }

    /// Reads a JSON report written by `sealcheck run --json`.
    pub fn load(path: &Path) -> Result<Report, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a sealcheck JSON report: {e}", path.display()))
    }

    /// The JSON text of the report (docs/REPORTS.md), pretty-printed with a trailing newline.
    pub fn to_json(&self) -> Result<String, String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        Ok(text)
    }

    /// Per-op counts of each outcome label, for the summary tables.
    pub fn by_op(&self) -> BTreeMap<&str, BTreeMap<&str, usize>> {
        let mut table: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
        for r in &self.results {
            *table
                .entry(&r.op)
                .or_default()
                .entry(&r.outcome)
                .or_default() += 1;
        }
        table
    }

    /// The summary table for the terminal: one row per op, one column per outcome seen.
    pub fn summary_table(&self) -> String {
        let labels: Vec<&str> = Outcome::LABELS
            .into_iter()
            .filter(|l| self.outcomes.contains_key(*l))
            .collect();
        let table = self.by_op();
        let width = table.keys().map(|k| k.len()).max().unwrap_or(2).max(5);
        let mut out = format!("{:<width$}", "op");
        for l in &labels {
            out.push_str(&format!("  {l:>w$}", w = l.len().max(5)));
        }
        out.push('\n');
        for (op, counts) in &table {
            out.push_str(&format!("{op:<width$}"));
            for l in &labels {
                out.push_str(&format!(
                    "  {:>w$}",
                    counts.get(l).copied().unwrap_or(0),
                    w = l.len().max(5)
                ));
            }
            out.push('\n');
        }
        out.push_str(&format!("{:<width$}", "total"));
        for l in &labels {
            out.push_str(&format!(
                "  {:>w$}",
                self.outcomes.get(*l).copied().unwrap_or(0),
                w = l.len().max(5)
            ));
        }
        out.push('\n');
        out
    }
}

/// Today's date, UTC, as `YYYY-MM-DD` (days since the epoch to the proleptic Gregorian
/// calendar, after Howard Hinnant's `civil_from_days`).
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_date(i64::try_from(secs / 86_400).unwrap_or(0))
}

fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// What changed between two runs, for `sealcheck diff`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Diff {
    /// (id, old outcome, new outcome) for vectors present in both runs whose outcome changed.
    pub changed: Vec<(String, String, String)>,
    /// Ids whose status went from not failing the run to failing it.
    pub regressions: Vec<String>,
    /// Ids only in the new run.
    pub added: Vec<String>,
    /// Ids only in the old run.
    pub removed: Vec<String>,
    /// Lost coverage: ids checked in the old run (anything but skipped) that the new run
    /// skipped or does not have. A target that stops listing an op must not look unchanged.
    pub lost: Vec<String>,
    /// Incident classes that fail the new run and did not fail the old one, with what
    /// happened (the first of each class).
    pub new_incidents: Vec<(String, String)>,
    /// Incident classes that failed the old run and do not fail the new one.
    pub gone_incidents: Vec<String>,
}

impl Diff {
    /// Whether anything got worse: a vector, lost coverage, or a new failing incident.
    pub fn regressed(&self) -> bool {
        !self.regressions.is_empty() || !self.lost.is_empty() || !self.new_incidents.is_empty()
    }
}

/// Compares two reports vector by vector.
pub fn diff(old: &Report, new: &Report) -> Diff {
    let old_by_id: BTreeMap<&str, &VectorResult> =
        old.results.iter().map(|r| (r.id.as_str(), r)).collect();
    let new_by_id: BTreeMap<&str, &VectorResult> =
        new.results.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut d = Diff::default();
    for (id, n) in &new_by_id {
        match old_by_id.get(id) {
            None => {
                d.added.push(id.to_string());
                if n.status.fails_run() {
                    d.regressions.push(id.to_string());
                }
            }
            Some(o) => {
                if o.outcome != n.outcome {
                    d.changed
                        .push((id.to_string(), o.outcome.clone(), n.outcome.clone()));
                }
                if n.status.fails_run() && !o.status.fails_run() {
                    d.regressions.push(id.to_string());
                }
            }
        }
    }
    d.removed = old_by_id
        .keys()
        .filter(|id| !new_by_id.contains_key(*id))
        .map(|s| s.to_string())
        .collect();
    d.lost = old
        .results
        .iter()
        .filter(|o| o.checked())
        .filter(|o| new_by_id.get(o.id.as_str()).is_none_or(|n| !n.checked()))
        .map(|o| o.id.clone())
        .collect();
    let classes = |r: &Report| -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        for i in r.failing_incidents() {
            m.entry(i.class.clone())
                .or_insert_with(|| i.incident.what.clone());
        }
        m
    };
    let (was, now) = (classes(old), classes(new));
    d.new_incidents = now
        .iter()
        .filter(|(c, _)| !was.contains_key(*c))
        .map(|(c, w)| (c.clone(), w.clone()))
        .collect();
    d.gone_incidents = was
        .keys()
        .filter(|c| !now.contains_key(*c))
        .cloned()
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Status;

    fn r(id: &str, outcome: &str, status: Status) -> VectorResult {
        VectorResult {
            id: id.into(),
            op: "mixin.decrypt".into(),
            expected: "valid".into(),
            outcome: outcome.into(),
            detail: String::new(),
            status,
            known_failure: None,
            args: None,
            comment: String::new(),
            cases: None,
            reply: None,
            family: None,
        }
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(19_782), "2024-02-29");
        assert_eq!(civil_date(20_089), "2025-01-01");
        assert!(today().starts_with("20"));
    }

    #[test]
    fn summary_counts_and_conformance() {
        let rep = Report::new(
            "t".into(),
            "i".into(),
            false,
            vec![
                r("a", "pass", Status::Ok),
                r("b", "fail", Status::ExpectedFailure),
            ],
        );
        assert!(rep.conforming);
        assert_eq!(rep.outcomes["fail"], 1);
        assert_eq!(rep.statuses["expected-failure"], 1);
        let table = rep.summary_table();
        assert!(table.contains("mixin.decrypt"));
        assert!(table.lines().last().unwrap().starts_with("total"));
        let bad = Report::new(
            "t".into(),
            "i".into(),
            false,
            vec![r("a", "crashed", Status::Failure)],
        );
        assert!(!bad.conforming);
    }

    #[test]
    fn diff_finds_regressions_only_where_status_worsens() {
        let old = Report::new(
            "t".into(),
            "i".into(),
            false,
            vec![
                r("a", "pass", Status::Ok),
                r("b", "fail", Status::Failure),
                r("c", "pass", Status::Ok),
            ],
        );
        let new = Report::new(
            "t".into(),
            "i".into(),
            false,
            vec![
                r("a", "crashed", Status::Failure),
                r("b", "timeout", Status::Failure),
                r("d", "pass", Status::Ok),
            ],
        );
        let d = diff(&old, &new);
        assert_eq!(d.regressions, ["a"]);
        assert_eq!(d.changed.len(), 2);
        assert_eq!(d.added, ["d"]);
        assert_eq!(d.removed, ["c"]);
        // c was checked and is gone: lost coverage.
        assert_eq!(d.lost, ["c"]);
        assert!(d.regressed());
    }

    #[test]
    fn diff_counts_checked_to_skipped_as_lost_coverage() {
        let run = |a: &str, b: &str| {
            Report::new(
                "t".into(),
                "i".into(),
                false,
                vec![r("a", a, Status::Ok), r("b", b, Status::Ok)],
            )
        };
        let d = diff(&run("pass", "fail"), &run("skipped", "skipped"));
        assert_eq!(d.lost, ["a", "b"]);
        assert!(d.regressions.is_empty() && d.regressed());
        let d = diff(&run("skipped", "pass"), &run("pass", "pass"));
        assert!(d.lost.is_empty() && !d.regressed());
        assert!(run("pass", "skipped").partial() && !run("pass", "pass").partial());
        assert_eq!(
            run("pass", "skipped").verdict_line(),
            "PARTIAL: 1 of 2 checked"
        );
    }
}
