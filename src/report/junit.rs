//! JUnit XML, one testsuite per op and one testcase per vector.

use super::Report;
use crate::engine::{Status, VectorResult};
use std::collections::BTreeMap;
use std::fmt::Write;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 cannot carry most control characters, even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Renders the report as JUnit XML; expected failures count as passes with a note.
pub fn to_junit(report: &Report) -> String {
    let mut suites: BTreeMap<&str, Vec<&VectorResult>> = BTreeMap::new();
    for r in &report.results {
        suites.entry(&r.op).or_default().push(r);
    }
    let failures = report
        .results
        .iter()
        .filter(|r| r.status.fails_run())
        .count()
        + report.failing_incidents().count();
    let skipped = report
        .results
        .iter()
        .filter(|r| r.outcome == "skipped")
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"sealcheck: {}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        escape(&report.implementation),
        report.results.len() + report.incidents.len()
    );
    for (op, cases) in suites {
        let f = cases.iter().filter(|r| r.status.fails_run()).count();
        let s = cases.iter().filter(|r| r.outcome == "skipped").count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" skipped=\"{s}\">",
            escape(op),
            cases.len()
        );
        for r in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(op),
                escape(&r.id)
            );
            let detail = escape(&r.detail);
            if r.status.fails_run() {
                let kind = if r.status == Status::Unexpected {
                    "unexpected"
                } else {
                    r.outcome.as_str()
                };
                // The body says what the vector checks and with which args, so a CI page
                // shows enough to start debugging.
                let mut body = r.comment.clone();
                if let Some(args) = &r.args {
                    if !body.is_empty() {
                        body.push('\n');
                    }
                    body.push_str(&format!("args: {args}"));
                }
                let _ = writeln!(
                    out,
                    ">\n      <failure type=\"{}\" message=\"{detail}\">{}</failure>\n    </testcase>",
                    escape(kind),
                    escape(&body)
                );
            } else if r.outcome == "skipped" {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{detail}\"/>\n    </testcase>"
                );
            } else if let Some(reason) = &r.known_failure {
                let _ = writeln!(
                    out,
                    ">\n      <system-out>expected failure ({}): {}</system-out>\n    </testcase>",
                    escape(&r.outcome),
                    escape(reason)
                );
            } else {
                out.push_str("/>\n");
            }
        }
        out.push_str("  </testsuite>\n");
    }
    incidents(report, &mut out);
    out.push_str("</testsuites>\n");
    out
}

/// One testcase per incident, in a suite of its own: one that no rerun reproduced is a
/// failure unless its class is listed.
fn incidents(report: &Report, out: &mut String) {
    if report.incidents.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  <testsuite name=\"incidents\" tests=\"{}\" failures=\"{}\" skipped=\"0\">",
        report.incidents.len(),
        report.failing_incidents().count()
    );
    for (n, i) in report.incidents.iter().enumerate() {
        let inc = &i.incident;
        let flight: Vec<&str> = inc.in_flight.iter().map(|f| f.name.as_str()).collect();
        let text = format!(
            "{}\nended: {}\nin flight: {}\nreproduced by: {}\nline: {}\nstderr: {}",
            inc.what,
            inc.ended.as_deref().unwrap_or_default(),
            flight.join(", "),
            inc.reproduced_by.join(", "),
            inc.line.as_deref().unwrap_or_default(),
            inc.stderr_tail
        );
        let _ = writeln!(
            out,
            "    <testcase classname=\"incidents\" name=\"{} #{}\">",
            escape(&i.class),
            n + 1
        );
        if i.fails_run() {
            let _ = writeln!(
                out,
                "      <failure type=\"{}\" message=\"{}: no rerun reproduced it\">{}</failure>",
                escape(inc.kind.as_str()),
                escape(&inc.what),
                escape(&text)
            );
        } else {
            let note = match &i.known_incident {
                Some(reason) => format!("known incident: {reason}\n{text}"),
                None => format!("pinned to {}\n{text}", inc.reproduced_by.join(", ")),
            };
            let _ = writeln!(out, "      <system-out>{}</system-out>", escape(&note));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_counts() {
        let results = vec![
            VectorResult {
                id: "a<&>".into(),
                op: "o".into(),
                expected: "valid".into(),
                outcome: "fail".into(),
                detail: "x\"\u{1}".into(),
                status: Status::Failure,
                known_failure: None,
                args: None,
                comment: String::new(),
                cases: None,
                reply: None,
                family: None,
            },
            VectorResult {
                id: "b".into(),
                op: "o".into(),
                expected: "valid".into(),
                outcome: "skipped".into(),
                detail: "why".into(),
                status: Status::Ok,
                known_failure: None,
                args: None,
                comment: String::new(),
                cases: None,
                reply: None,
                family: None,
            },
        ];
        let xml = to_junit(&Report::new("t".into(), "impl".into(), false, results));
        assert!(xml.contains("name=\"a&lt;&amp;&gt;\""));
        assert!(xml.contains("message=\"x&quot;\u{fffd}\""));
        assert!(xml.contains("tests=\"2\" failures=\"1\" skipped=\"1\""));
    }
}
