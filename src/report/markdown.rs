//! The Markdown report, for people and for committed reports.

use super::Report;
use std::fmt::Write;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report: summary, per-op table, failures, then known failures.
pub fn to_markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# sealcheck report: {}\n",
        cell(&report.implementation)
    );
    let _ = writeln!(out, "- target: `{}`", report.target);
    let _ = writeln!(
        out,
        "- sealcheck {}, {} vectors{}",
        report.sealcheck,
        report.results.len(),
        if report.strict { ", strict" } else { "" }
    );
    let _ = writeln!(
        out,
        "- verdict: **{}**",
        if report.conforming {
            "conforming"
        } else {
            "not conforming"
        }
    );
    if report.restarts > 0 {
        let _ = writeln!(out, "- the target was restarted {} times", report.restarts);
    }
    out.push_str("\n## Outcomes by op\n\n```\n");
    out.push_str(&report.summary_table());
    out.push_str("```\n");
    let failing: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.status.fails_run())
        .collect();
    if !failing.is_empty() {
        out.push_str("\n## Failures\n\n| vector | outcome | detail |\n|---|---|---|\n");
        for r in failing {
            let _ = writeln!(out, "| `{}` | {} | {} |", r.id, r.outcome, cell(&r.detail));
        }
    }
    let known: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.known_failure.is_some() && !r.status.fails_run())
        .collect();
    if !known.is_empty() {
        out.push_str("\n## Known failures (expectations file)\n\n| vector | outcome | reason |\n|---|---|---|\n");
        for r in known {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                r.id,
                r.outcome,
                cell(r.known_failure.as_deref().unwrap_or_default())
            );
        }
    }
    let other: Vec<_> = report
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome.as_str(),
                "acceptable" | "stage-mismatch" | "skipped"
            ) && !r.status.fails_run()
        })
        .collect();
    if !other.is_empty() {
        out.push_str("\n## Acceptable, stage mismatches and skipped\n\n| vector | outcome | detail |\n|---|---|---|\n");
        for r in other {
            let _ = writeln!(out, "| `{}` | {} | {} |", r.id, r.outcome, cell(&r.detail));
        }
    }
    if !report.incidents.is_empty() {
        out.push_str("\n## Incidents\n\nEvery crash, timeout, protocol violation and exit of the target. One that no rerun reproduced fails the run unless its class is listed in the expectations file.\n\n| class | status | what | in flight | reproduced by |\n|---|---|---|---|---|\n");
        for i in &report.incidents {
            let inc = &i.incident;
            let flight = match inc.in_flight.as_slice() {
                [] => String::new(),
                [one] => format!("`{}`", one.name),
                [first, rest @ ..] => format!("`{}` and {} more", first.name, rest.len()),
            };
            let status = match (&i.known_incident, i.fails_run()) {
                (_, true) => "**not reproduced**".to_owned(),
                (Some(reason), _) => format!("known: {reason}"),
                (None, _) => "pinned".to_owned(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                i.class,
                cell(&status),
                cell(&inc.what),
                cell(&flight),
                cell(&inc.reproduced_by.join(", "))
            );
        }
    }
    if !report.stderr_tail.is_empty() {
        let _ = writeln!(
            out,
            "\n## Last stderr of the target\n\n```\n{}\n```",
            report.stderr_tail
        );
    }
    out
}
