//! The interoperability matrix (`sealcheck interop`): every implementation produces messages
//! with its own randomness from one fixed, seeded set of inputs, every implementation opens
//! every message, and each producer × consumer cell says what happened, with an example.
//!
//! Modelled on the OpenPGP interoperability test suite: the matrix is the unit people link
//! to, one table per test, one anchor per cell. docs/REPORTS.md has the JSON shape.

mod expectations;
pub mod inputs;
mod markdown;
pub mod matrix;
mod run;

pub use expectations::{Check, InteropExpectations, KnownCell};
pub use inputs::{build, Expect, Input, InputSet, KeyType, Opening, Test, DEFAULT_SEED};
pub use markdown::{cell_anchor, cell_text, to_markdown};
pub use matrix::{
    Case, CaseResult, Cell, Participant, Produced, Production, Said, Suspect, Verdict,
    INTEROP_VERSION,
};
pub use run::{run, Progress, Quiet, Target};

use serde::{Deserialize, Serialize};
use std::path::Path;

/// A whole interop run (docs/REPORTS.md, "Interop report").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteropReport {
    /// [`INTEROP_VERSION`].
    pub interop_version: u32,
    /// The sealcheck version that ran it.
    pub sealcheck: String,
    /// The seed of the inputs.
    pub seed: u64,
    /// Productions of each input per producer.
    pub repeat: usize,
    /// Every implementation, the reference first.
    pub implementations: Vec<Participant>,
    /// Tests in matrix order.
    pub tests: Vec<Test>,
    /// Every input, with its args and openings.
    pub inputs: Vec<Input>,
    /// What every producer made of every input.
    pub productions: Vec<Production>,
    /// Every cell, test × producer × consumer.
    pub cells: Vec<Cell>,
}

impl InteropReport {
    /// Reads a report written by `sealcheck interop --json`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let report: InteropReport = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an interop report: {e}", path.display()))?;
        if report.interop_version != INTEROP_VERSION {
            return Err(format!(
                "{}: interop_version {} (this sealcheck reads {INTEROP_VERSION})",
                path.display(),
                report.interop_version
            ));
        }
        Ok(report)
    }

    /// The JSON text, pretty-printed with a trailing newline.
    pub fn to_json(&self) -> Result<String, String> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        Ok(text)
    }

    /// The cell of a test, producer and consumer.
    pub fn cell(&self, test: &str, producer: &str, consumer: &str) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.test == test && c.producer == producer && c.consumer == consumer)
    }

    /// The production a case opened.
    pub fn production(&self, producer: &str, case: &Case) -> Option<&Production> {
        self.productions
            .iter()
            .find(|p| p.producer == producer && p.input == case.input && p.repeat == case.repeat)
    }

    /// An input by id.
    pub fn input(&self, id: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.id == id)
    }

    /// The rows and columns of an op pair's tables: the producers that list `produce` and the
    /// consumers that list `consume`, so a Themis table does not carry a row per Mixin library.
    /// The report itself keeps every cell, `not-supported` ones too.
    pub fn sides(&self, produce: &str, consume: &str) -> (Vec<&Participant>, Vec<&Participant>) {
        let with = |op: &str| {
            self.implementations
                .iter()
                .filter(|p| p.ops.iter().any(|o| o == op))
                .collect::<Vec<_>>()
        };
        (with(produce), with(consume))
    }

    /// The names of the implementations that list neither op: left out of its tables.
    pub fn left_out(&self, produce: &str, consume: &str) -> Vec<&str> {
        self.implementations
            .iter()
            .filter(|p| !p.ops.iter().any(|o| o == produce || o == consume))
            .map(|p| p.name.as_str())
            .collect()
    }

    /// The cells of one op pair summed over its tests, producer × consumer, with the worst
    /// verdict: the summary table.
    pub fn summary(&self, produce: &str) -> Vec<(String, String, Verdict, usize, usize)> {
        let tests: Vec<&str> = self
            .tests
            .iter()
            .filter(|t| t.produce == produce)
            .map(|t| t.id.as_str())
            .collect();
        let mut out = Vec::new();
        for p in &self.implementations {
            for c in &self.implementations {
                let cells: Vec<&Cell> = self
                    .cells
                    .iter()
                    .filter(|x| {
                        x.producer == p.name
                            && x.consumer == c.name
                            && tests.contains(&x.test.as_str())
                    })
                    .collect();
                let verdict = cells
                    .iter()
                    .map(|x| x.verdict)
                    .max_by_key(|v| severity(*v))
                    .unwrap_or(Verdict::NotSupported);
                let total: usize = cells.iter().map(|x| x.cases.len()).sum();
                let bad: usize = cells
                    .iter()
                    .flat_map(|x| &x.cases)
                    .filter(|k| !k.result.is_right() && k.result != CaseResult::NotSupported)
                    .count();
                out.push((p.name.clone(), c.name.clone(), verdict, bad, total));
            }
        }
        out
    }
}

/// How bad a verdict is, for summing cells: a failure outweighs everything.
pub fn severity(v: Verdict) -> u8 {
    match v {
        Verdict::Ok => 0,
        Verdict::NotSupported => 1,
        Verdict::NotProduced => 2,
        Verdict::Fail => 3,
    }
}
