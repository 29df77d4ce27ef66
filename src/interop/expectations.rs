//! Known failing cells, each with a reason: what CI holds a new interop run against.
//!
//! Like the corpus's expectations files: a listed cell with the listed verdict does not fail
//! the check; a new failing cell does, and so does a listed cell that changed (the file is
//! stale). Cells of implementations that are not in the run are not judged.

use super::matrix::{Cell, Verdict};
use super::InteropReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InteropExpectations {
    /// Free text for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// Known failing cells by key (`test/producer/consumer`).
    pub cells: BTreeMap<String, KnownCell>,
}

/// One known failing cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownCell {
    /// The verdict it has: `fail` or `not-produced`.
    pub verdict: Verdict,
    /// Whose fault, by the format spec, in a sentence.
    pub reason: String,
}

/// The outcome of holding a run against the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Check {
    /// Listed and as listed.
    pub expected: Vec<String>,
    /// Failing and not listed.
    pub new: Vec<String>,
    /// Listed, run, and now with another verdict: `key: listed → now`.
    pub changed: Vec<String>,
    /// Listed, but a side of the cell was not in the run.
    pub not_run: Vec<String>,
}

impl Check {
    /// Whether the run matches the file.
    pub fn passed(&self) -> bool {
        self.new.is_empty() && self.changed.is_empty()
    }
}

impl InteropExpectations {
    /// Reads a file; missing is empty when `allow_missing` (for updating).
    pub fn load(path: &Path, allow_missing: bool) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if allow_missing && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self::default())
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Writes the file, pretty-printed, keys sorted.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Holds a run against the file.
    pub fn check(&self, report: &InteropReport) -> Check {
        let mut out = Check::default();
        let run: BTreeMap<String, &Cell> = report.cells.iter().map(|c| (c.key(), c)).collect();
        for cell in &report.cells {
            let key = cell.key();
            match self.cells.get(&key) {
                Some(k) if k.verdict == cell.verdict => out.expected.push(key),
                Some(k) => out.changed.push(format!(
                    "{key}: {} → {}",
                    k.verdict.label(),
                    cell.verdict.label()
                )),
                None if cell.verdict.is_failure() => out.new.push(key),
                None => {}
            }
        }
        for key in self.cells.keys() {
            if !run.contains_key(key) {
                out.not_run.push(key.clone());
            }
        }
        out
    }

    /// The file this run would need: its failing cells, keeping the reasons of cells whose
    /// verdict did not change, and the listed cells the run did not reach.
    pub fn updated(&self, report: &InteropReport) -> InteropExpectations {
        let mut cells = BTreeMap::new();
        let mut run = std::collections::BTreeSet::new();
        for cell in &report.cells {
            let key = cell.key();
            run.insert(key.clone());
            if !cell.verdict.is_failure() {
                continue;
            }
            let reason = match self.cells.get(&key) {
                Some(k) if k.verdict == cell.verdict => k.reason.clone(),
                _ => "TODO: whose fault, from the format spec".into(),
            };
            cells.insert(
                key,
                KnownCell {
                    verdict: cell.verdict,
                    reason,
                },
            );
        }
        for (key, k) in &self.cells {
            if !run.contains(key) {
                cells.insert(key.clone(), k.clone());
            }
        }
        InteropExpectations {
            comment: self.comment.clone(),
            cells,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::inputs::Test;
    use crate::interop::matrix::{cell, Case, CaseResult};

    fn report(cells: Vec<Cell>) -> InteropReport {
        InteropReport {
            interop_version: 1,
            sealcheck: "0".into(),
            seed: 1,
            repeat: 1,
            implementations: Vec::new(),
            tests: Vec::new(),
            inputs: Vec::new(),
            productions: Vec::new(),
            cells,
        }
    }

    fn c(producer: &str, consumer: &str, result: CaseResult) -> Cell {
        let t = Test {
            id: "t".into(),
            title: String::new(),
            produce: "themis.sign".into(),
            consume: "themis.verify".into(),
            note: String::new(),
        };
        let case = Case {
            input: "t/short".into(),
            repeat: 0,
            opening: "verify".into(),
            result,
            said: None,
            suspect: None,
        };
        cell(&t, producer, consumer, vec![case])
    }

    fn known(verdict: Verdict) -> KnownCell {
        KnownCell {
            verdict,
            reason: "why".into(),
        }
    }

    #[test]
    fn new_changed_expected_and_not_run() {
        let run = report(vec![
            c("a", "b", CaseResult::Rejected),
            c("a", "c", CaseResult::Opened),
            c("b", "a", CaseResult::Crashed),
            c("c", "a", CaseResult::NotProduced),
        ]);
        let mut e = InteropExpectations::default();
        e.cells.insert("t/a/b".into(), known(Verdict::Fail));
        e.cells.insert("t/a/c".into(), known(Verdict::Fail));
        e.cells.insert("t/x/y".into(), known(Verdict::Fail));
        let check = e.check(&run);
        assert_eq!(check.expected, vec!["t/a/b"]);
        assert_eq!(check.changed, vec!["t/a/c: fail → ok"]);
        assert_eq!(check.new, vec!["t/b/a", "t/c/a"]);
        assert_eq!(check.not_run, vec!["t/x/y"]);
        assert!(!check.passed());
        let updated = e.updated(&run);
        assert_eq!(
            updated.cells.keys().collect::<Vec<_>>(),
            vec!["t/a/b", "t/b/a", "t/c/a", "t/x/y"]
        );
        assert_eq!(updated.cells["t/a/b"].reason, "why");
        assert!(updated.cells["t/b/a"].reason.starts_with("TODO"));
        assert!(updated.check(&run).passed());
    }
}
