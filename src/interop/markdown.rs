//! The Markdown matrix: a summary per op pair, a table per test, and every cell that is not
//! clean with its example, each behind an anchor that bug reports can link to.

use super::matrix::{Case, CaseResult, Cell, Said, Verdict};
use super::InteropReport;
use std::fmt::Write;

/// The anchor of a cell: `cell-` and its key with every character outside `[a-z0-9-]`
/// turned into `-`.
pub fn cell_anchor(key: &str) -> String {
    let mut out = String::from("cell-");
    for c in key.chars() {
        out.push(match c {
            'a'..='z' | '0'..='9' | '-' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        });
    }
    out
}

/// A cell at a glance: `✓ 12`, `✗ 3/12`, `∅ 4/12`, `—`.
pub fn cell_text(verdict: Verdict, bad: usize, total: usize) -> String {
    match verdict {
        Verdict::Ok => format!("✓ {total}"),
        Verdict::Fail => format!("✗ {bad}/{total}"),
        Verdict::NotProduced => format!("∅ {bad}/{total}"),
        Verdict::NotSupported => "—".into(),
    }
}

fn bad_cases(cell: &Cell) -> usize {
    cell.cases
        .iter()
        .filter(|c| !c.result.is_right() && c.result != CaseResult::NotSupported)
        .count()
}

/// Markdown cannot hold a `|` or a newline inside a table cell.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn said_text(s: &Said) -> String {
    let mut out = s.kind.clone();
    if let Some(st) = s.stage {
        let _ = write!(out, ", stage `{}`", st.as_str());
    }
    if let Some(c) = &s.code {
        let _ = write!(out, ", code `{}`", md_cell(c));
    }
    if !s.message.is_empty() {
        let _ = write!(out, ": {}", md_cell(&first_line(&s.message, 300)));
    }
    if let Some(o) = &s.output {
        let _ = write!(
            out,
            " (gave {} bytes: `{}`{})",
            s.output_len.unwrap_or(o.len() / 2),
            &o[..o.len().min(64)],
            if o.len() > 64 { "…" } else { "" }
        );
    }
    out
}

fn first_line(s: &str, max: usize) -> String {
    let one = s.replace(['\n', '\r'], " ");
    let mut out: String = one.chars().take(max).collect();
    if out.len() < one.len() {
        out.push('…');
    }
    out
}

/// The whole Markdown report.
pub fn to_markdown(report: &InteropReport) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Interoperability matrix\n");
    let _ = writeln!(
        md,
        "`sealcheck interop` (sealcheck {}, seed {}, each input produced {} time{}): every \
         producer (row) makes messages with its own randomness from the same inputs, every \
         consumer (column) opens them. A cell counts the cases of one test: one produced \
         message opened once per recipient. `✓ n`: all n cases right; `✗ k/n`: k cases \
         rejected, opened wrong or crashed the consumer; `∅ k/n`: the producer made nothing \
         for k cases; `—`: one side lacks the op. Refusals the format defines (Themis's empty \
         message) count as right.\n",
        report.sealcheck,
        report.seed,
        report.repeat,
        if report.repeat == 1 { "" } else { "s" }
    );
    let _ = writeln!(md, "| name | implementation | target | restarts |");
    let _ = writeln!(md, "|---|---|---|---:|");
    for p in &report.implementations {
        let _ = writeln!(
            md,
            "| {} | {} | `{}` | {} |",
            md_cell(&p.name),
            md_cell(&p.implementation),
            md_cell(&p.target),
            p.restarts
        );
    }
    let header = |md: &mut String, columns: &[&str]| {
        let _ = write!(md, "\n| producer ↓ consumer → |");
        for n in columns {
            let _ = write!(md, " {} |", md_cell(n));
        }
        let _ = write!(md, "\n|---|");
        for _ in columns {
            let _ = write!(md, "---|");
        }
        md.push('\n');
    };
    let sides = |produce: &str, consume: &str| {
        let (rows, columns) = report.sides(produce, consume);
        let names = |x: Vec<&super::Participant>| -> Vec<String> {
            x.into_iter().map(|p| p.name.clone()).collect()
        };
        (names(rows), names(columns))
    };
    let left_out = |md: &mut String, produce: &str, consume: &str| {
        let out = report.left_out(produce, consume);
        if !out.is_empty() {
            let _ = writeln!(
                md,
                "Not in this table (they list neither op): {}.\n",
                md_cell(&out.join(", "))
            );
        }
    };

    let _ = writeln!(md, "\n## Summary\n");
    let mut ops: Vec<(&str, &str)> = Vec::new();
    for t in &report.tests {
        if !ops.contains(&(t.produce.as_str(), t.consume.as_str())) {
            ops.push((&t.produce, &t.consume));
        }
    }
    for (produce, consume) in &ops {
        let _ = writeln!(md, "### {produce} → {consume}");
        let (producers, consumers) = sides(produce, consume);
        let columns: Vec<&str> = consumers.iter().map(String::as_str).collect();
        header(&mut md, &columns);
        let rows = report.summary(produce);
        for p in &producers {
            let _ = write!(md, "| **{}** |", md_cell(p));
            for c in &consumers {
                let text = rows
                    .iter()
                    .find(|(rp, rc, ..)| rp == p && rc == c)
                    .map(|(_, _, v, bad, total)| cell_text(*v, *bad, *total))
                    .unwrap_or_default();
                let _ = write!(md, " {text} |");
            }
            md.push('\n');
        }
        md.push('\n');
        left_out(&mut md, produce, consume);
    }

    let _ = writeln!(md, "## Tests\n");
    for t in &report.tests {
        let _ = writeln!(md, "### {}\n", t.id);
        let _ = writeln!(md, "{}.", t.title);
        if !t.note.is_empty() {
            let _ = writeln!(md, "Note: {}.", t.note);
        }
        let inputs: Vec<String> = report
            .inputs
            .iter()
            .filter(|i| i.test == t.id)
            .map(|i| format!("`{}`", i.id.rsplit('/').next().unwrap_or(&i.id)))
            .collect();
        let _ = writeln!(md, "Inputs: {}.", inputs.join(", "));
        let (producers, consumers) = sides(&t.produce, &t.consume);
        let columns: Vec<&str> = consumers.iter().map(String::as_str).collect();
        header(&mut md, &columns);
        for p in &producers {
            let _ = write!(md, "| **{}** |", md_cell(p));
            for c in &consumers {
                let text = match report.cell(&t.id, p, c) {
                    Some(cell) => {
                        let text = cell_text(cell.verdict, bad_cases(cell), cell.cases.len());
                        if cell.verdict.is_failure() {
                            format!("[{text}](#{})", cell_anchor(&cell.key()))
                        } else {
                            text
                        }
                    }
                    None => String::new(),
                };
                let _ = write!(md, " {text} |");
            }
            md.push('\n');
        }
        md.push('\n');
    }

    let failing: Vec<&Cell> = report
        .cells
        .iter()
        .filter(|c| c.verdict.is_failure())
        .collect();
    let _ = writeln!(md, "## Cells that are not clean ({})\n", failing.len());
    if failing.is_empty() {
        let _ = writeln!(md, "None: every message opened everywhere it could.");
    }
    for cell in failing {
        write_cell(&mut md, report, cell);
    }
    md
}

fn write_cell(md: &mut String, report: &InteropReport, cell: &Cell) {
    let _ = writeln!(md, "<a id=\"{}\"></a>", cell_anchor(&cell.key()));
    let _ = writeln!(
        md,
        "#### {}: {} → {}\n",
        cell.test,
        md_cell(&cell.producer),
        md_cell(&cell.consumer)
    );
    let counts: Vec<String> = cell
        .counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    let _ = writeln!(
        md,
        "{}: {}{}.\n",
        cell.verdict.label(),
        counts.join(", "),
        match cell.suspect {
            Some(s) => format!(
                "; points at the {}",
                serde_json::to_value(s)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            ),
            None => String::new(),
        }
    );
    let mut seen: Vec<(CaseResult, Option<crate::wire::Stage>)> = Vec::new();
    for case in cell
        .cases
        .iter()
        .filter(|c| !c.result.is_right() && c.result != CaseResult::NotSupported)
    {
        let key = (case.result, case.said.as_ref().and_then(|s| s.stage));
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        write_example(md, report, cell, case);
    }
    md.push('\n');
}

fn write_example(md: &mut String, report: &InteropReport, cell: &Cell, case: &Case) {
    let _ = writeln!(
        md,
        "- `{}` ({}{}): **{}**",
        case.input,
        case.opening,
        if report.repeat > 1 {
            format!(", production {}", case.repeat + 1)
        } else {
            String::new()
        },
        case.result.label()
    );
    if let Some(p) = report.production(&cell.producer, case) {
        let _ = writeln!(
            md,
            "  - producer said: {}{}",
            said_text(&p.said),
            match &p.output {
                Some(o) => format!(" — {} bytes, `{}…`", o.len() / 2, &o[..o.len().min(48)]),
                None => String::new(),
            }
        );
    }
    if let Some(s) = &case.said {
        let _ = writeln!(md, "  - consumer said: {}", said_text(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_keep_only_safe_characters() {
        assert_eq!(
            cell_anchor("themis.sign/rsa-2048/Py Themis/go|x"),
            "cell-themis-sign-rsa-2048-py-themis-go-x"
        );
    }

    #[test]
    fn cell_texts() {
        assert_eq!(cell_text(Verdict::Ok, 0, 12), "✓ 12");
        assert_eq!(cell_text(Verdict::Fail, 3, 12), "✗ 3/12");
        assert_eq!(cell_text(Verdict::NotProduced, 4, 12), "∅ 4/12");
        assert_eq!(cell_text(Verdict::NotSupported, 0, 0), "—");
    }

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b c");
        let s = Said {
            kind: "error".into(),
            message: "x|y\nz".into(),
            ..Said::default()
        };
        assert_eq!(said_text(&s), "error: x\\|y z");
    }

    /// A Mixin library gets no row or column in the Themis tables, and the page says so.
    #[test]
    fn tables_hold_only_implementations_that_list_the_ops() {
        use crate::iut::Reference;
        use rand_chacha::ChaCha20Rng;
        use rand_core::SeedableRng;
        let set = super::super::build(5, &[super::super::KeyType::P256]).unwrap();
        let target = |name: &str, seed| super::super::Target {
            name: name.into(),
            target: "in process".into(),
            imp: Box::new(Reference::with_rng(ChaCha20Rng::seed_from_u64(seed))),
        };
        let mut targets = vec![target("reference", 1), target("mixin-only", 2)];
        let mut report =
            super::super::run(&set, &mut targets, 1, &mut super::super::Quiet).unwrap();
        report.implementations[1]
            .ops
            .retain(|o| o.starts_with("mixin."));
        let (rows, columns) = report.sides("themis.sign", "themis.verify");
        assert_eq!(rows.len(), 1);
        assert_eq!(columns[0].name, "reference");
        assert_eq!(
            report.left_out("themis.sign", "themis.verify"),
            ["mixin-only"]
        );
        assert_eq!(report.sides("mixin.encrypt", "mixin.decrypt").0.len(), 2);
        assert!(report.left_out("mixin.encrypt", "mixin.decrypt").is_empty());

        let md = to_markdown(&report);
        let section = |title: &str| {
            let start = md.find(title).unwrap();
            let rest = &md[start + title.len()..];
            rest[..rest.find("\n### ").unwrap_or(rest.len())].to_owned()
        };
        let themis = section("### themis.sign → themis.verify");
        assert!(
            themis.contains("| producer ↓ consumer → | reference |\n"),
            "{themis}"
        );
        assert!(!themis.contains("| **mixin-only** |"), "{themis}");
        assert!(themis.contains("Not in this table (they list neither op): mixin-only."));
        let mixin = section("### mixin.encrypt → mixin.decrypt");
        assert!(mixin.contains("| producer ↓ consumer → | reference | mixin-only |\n"));
        assert!(mixin.contains("| **mixin-only** |"));
        assert!(!mixin.contains("Not in this table"));
    }
}
