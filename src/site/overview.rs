//! The overview page (implementations × ops) and the list of every vector.

use super::html::{esc, Page};
use super::{impl_href, test_href, vector_href, SiteData};
use crate::interop::{cell_text, severity, Verdict};
use crate::protocol::OPS;
use std::fmt::Write;

/// Conformance of one implementation on one op: (run, failing, known), where run excludes
/// skipped vectors and failing counts every failure, listed in its expectations or not.
pub fn op_counts(data: &SiteData, imp: usize, op: &str) -> (usize, usize, usize) {
    let Some(i) = data.implementations.get(imp) else {
        return (0, 0, 0);
    };
    let mut run = 0;
    let mut failing = 0;
    let mut known = 0;
    for r in i.report.results.iter().filter(|r| r.op == op) {
        if r.outcome == "skipped" {
            continue;
        }
        run += 1;
        let status = serde_json::to_value(r.status).ok();
        let status = status.as_ref().and_then(|v| v.as_str()).unwrap_or("");
        if status != "ok" {
            failing += 1;
        }
        if status == "expected-failure" {
            known += 1;
        }
    }
    (run, failing, known)
}

/// `index.html`.
pub fn overview(data: &SiteData) -> String {
    let mut p = Page::new(0, "overview");
    let vectors: usize = data.files.iter().map(|(_, f)| f.tests.len()).sum();
    let mut h = String::new();
    let _ = write!(
        h,
        "<h1>Conformance of real implementations</h1>\n<p>Each row is a real implementation run \
         through its adapter against the whole corpus ({vectors} vectors in {} files). A cell \
         counts the vectors of one op that were run (skipped ones left out): <span class=\"ok\">✓ n</span> \
         all conforming, <span class=\"bad\">✗ k/n</span> k failing (listed in the \
         implementation's expectations file, with reasons, on its page), — not implemented. \
         The <a href=\"interop/index.html\">interoperability matrix</a> shows whether messages \
         made by one implementation open in the others.</p>\n",
        data.files.len()
    );
    let _ = write!(
        h,
        "<table class=\"matrix\">\n<thead><tr><th>implementation</th>"
    );
    for op in OPS {
        let _ = write!(h, "<th>{}</th>", esc(op));
    }
    let _ = writeln!(h, "</tr></thead>\n<tbody>");
    for (i, imp) in data.implementations.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><th><a href=\"{}\">{}</a><br><small>{}</small></th>",
            impl_href("", &imp.entry.id),
            esc(&imp.entry.name),
            esc(&imp.entry.version)
        );
        for op in OPS {
            let (run, failing, known) = op_counts(data, i, op);
            let href = format!("{}#op-{}", impl_href("", &imp.entry.id), esc(op));
            if run == 0 {
                let _ = write!(h, "<td class=\"na\">—</td>");
            } else if failing == 0 {
                let _ = write!(h, "<td class=\"ok\"><a href=\"{href}\">✓ {run}</a></td>");
            } else {
                let _ = write!(
                    h,
                    "<td class=\"bad\"><a href=\"{href}\" title=\"{known} of them listed as known\">✗ {failing}/{run}</a></td>"
                );
            }
        }
        let _ = writeln!(h, "</tr>");
    }
    let _ = writeln!(h, "</tbody></table>");
    if let Some(report) = &data.interop {
        let _ = writeln!(
            h,
            "<h2>Interoperability</h2>\n<p>Producer (row) × consumer (column), summed over the \
             tests of each op; <a href=\"interop/index.html\">the full matrix</a> has a table per \
             key type and session count, and every cell's cases.</p>"
        );
        let mut ops: Vec<(&str, &str)> = Vec::new();
        for t in &report.tests {
            if !ops.contains(&(t.produce.as_str(), t.consume.as_str())) {
                ops.push((&t.produce, &t.consume));
            }
        }
        for (produce, consume) in ops {
            let _ = writeln!(h, "<h3>{} → {}</h3>", esc(produce), esc(consume));
            h.push_str(&summary_table(report, produce, ""));
        }
    }
    p.push(&h);
    p.finish()
}

/// A summary matrix of one producer op, every cell linking to the op's first test page.
pub fn summary_table(report: &crate::interop::InteropReport, produce: &str, root: &str) -> String {
    let consume = report
        .tests
        .iter()
        .find(|t| t.produce == produce)
        .map(|t| t.consume.as_str())
        .unwrap_or_default();
    let (producers, consumers) = report.sides(produce, consume);
    let mut h =
        String::from("<table class=\"matrix interop\">\n<thead><tr><th>producer ↓ consumer →</th>");
    for c in &consumers {
        let _ = write!(h, "<th>{}</th>", esc(&c.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let rows = report.summary(produce);
    let first_test = report
        .tests
        .iter()
        .find(|t| t.produce == produce)
        .map(|t| test_href(root, &t.id))
        .unwrap_or_else(|| format!("{root}interop/index.html"));
    for p in &producers {
        let _ = write!(h, "<tr><th>{}</th>", esc(&p.name));
        for c in &consumers {
            let (v, bad, total) = rows
                .iter()
                .find(|(rp, rc, ..)| *rp == p.name && *rc == c.name)
                .map(|(_, _, v, b, t)| (*v, *b, *t))
                .unwrap_or((Verdict::NotSupported, 0, 0));
            let _ = write!(
                h,
                "<td class=\"{}\"><a href=\"{}\">{}</a></td>",
                verdict_class(v),
                esc(&first_test),
                esc(&cell_text(v, bad, total))
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    let out = report.left_out(produce, consume);
    if !out.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">Not in this table (they list neither op): {}.</p>",
            esc(&out.join(", "))
        );
    }
    h
}

/// The CSS class of a verdict.
pub fn verdict_class(v: Verdict) -> &'static str {
    match severity(v) {
        0 => "ok",
        1 => "na",
        2 => "warn",
        _ => "bad",
    }
}

/// `vectors.html`: every vector, file by file.
pub fn vector_list(data: &SiteData) -> String {
    let mut p = Page::new(0, "vectors");
    let mut h = String::from("<h1>Every vector</h1>\n");
    for (path, file) in &data.files {
        let _ = writeln!(
            h,
            "<h2>{} <small>{} · {} vectors</small></h2>\n<p>{}</p>\n<ul class=\"vectors\">",
            esc(path),
            esc(&file.op),
            file.tests.len(),
            esc(&file.description)
        );
        for v in &file.tests {
            let verdict = serde_json::to_value(v.expected.result)
                .ok()
                .and_then(|x| x.as_str().map(str::to_owned))
                .unwrap_or_default();
            let _ = writeln!(
                h,
                "<li><a href=\"{}\">{}</a> <span class=\"verdict {v}\">{v}</span></li>",
                vector_href("", &v.id),
                esc(&v.id),
                v = esc(&verdict)
            );
        }
        for a in &file.accumulated {
            let _ = writeln!(
                h,
                "<li><a href=\"{}\">{}</a> <span class=\"verdict family\">{} cases</span></li>",
                vector_href("", &a.id),
                esc(&a.id),
                a.count
            );
        }
        h.push_str("</ul>\n");
    }
    p.push(&h);
    p.finish()
}
