//! A page per implementation: version, adapter, outcomes per op, findings, expectations with
//! their reasons, and its interop cells that are not clean.

use super::html::{esc, esc_code_spans, Page};
use super::overview::op_counts;
use super::{test_href, vector_href, Implementation, SiteData, SiteFile};
use crate::interop::cell_anchor;
use crate::protocol::OPS;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Every implementation page.
pub fn pages(data: &SiteData) -> Vec<SiteFile> {
    data.implementations
        .iter()
        .enumerate()
        .map(|(i, imp)| {
            (
                format!("impl/{}.html", super::file_stem(&imp.entry.id)),
                page(data, i, imp),
            )
        })
        .collect()
}

fn page(data: &SiteData, index: usize, imp: &Implementation) -> String {
    let e = &imp.entry;
    let mut p = Page::new(1, &e.name);
    let r = p.root();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<h1>{} <small>{}</small></h1>",
        esc(&e.name),
        esc(&e.version)
    );
    let _ = writeln!(
        h,
        "<dl class=\"facts\">\n<dt>handshake</dt><dd>{}</dd>\n<dt>adapter</dt><dd><code>{}</code></dd>\n\
         <dt>run as</dt><dd><code>{}</code></dd>\n<dt>report</dt><dd><code>{}</code> ({} vectors, {})</dd>\n\
         <dt>expectations</dt><dd><code>{}</code> ({} known failures)</dd>\n</dl>",
        esc(&imp.report.implementation),
        esc(&e.adapter),
        esc(&e.command),
        esc(&e.report),
        imp.report.results.len(),
        if imp.report.conforming {
            "conforming to its expectations"
        } else {
            "NOT conforming to its expectations"
        },
        esc(&e.expectations),
        imp.expectations.failures.len()
    );
    if !e.findings.is_empty() {
        let _ = writeln!(
            h,
            "<h2 id=\"findings\">Findings</h2>\n<ol class=\"findings\">"
        );
        for f in &e.findings {
            let _ = writeln!(h, "<li>{}</li>", esc_code_spans(f));
        }
        h.push_str("</ol>\n");
    }
    let _ = writeln!(
        h,
        "<h2>Outcomes by op</h2>\n<table>\n<thead><tr><th>op</th><th>run</th><th>failing</th><th>outcomes</th></tr></thead>\n<tbody>"
    );
    for op in OPS {
        let (run, failing, _) = op_counts(data, index, op);
        let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
        for res in imp.report.results.iter().filter(|x| x.op == *op) {
            *outcomes.entry(res.outcome.as_str()).or_default() += 1;
        }
        let text: Vec<String> = outcomes
            .iter()
            .map(|(k, v)| format!("{v} {}", esc(k)))
            .collect();
        let _ = writeln!(
            h,
            "<tr id=\"op-{op}\"><td>{op}</td><td>{run}</td><td class=\"{}\">{failing}</td><td>{}</td></tr>",
            if failing == 0 { "ok" } else { "bad" },
            text.join(", "),
            op = esc(op)
        );
    }
    h.push_str("</tbody></table>\n");

    let _ = writeln!(
        h,
        "<h2 id=\"expectations\">Known failures ({})</h2>\n<p>From <code>{}</code>: each failure the \
         implementation has, with the reason. CI fails when one goes away or a new one appears.</p>",
        imp.expectations.failures.len(),
        esc(&e.expectations)
    );
    if !imp.expectations.comment.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc_code_spans(&imp.expectations.comment));
    }
    let _ = writeln!(
        h,
        "<table class=\"known\">\n<thead><tr><th>vector</th><th>outcome</th><th>reason</th></tr></thead>\n<tbody>"
    );
    for (id, k) in &imp.expectations.failures {
        let _ = writeln!(
            h,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            esc(&vector_href(r, id)),
            esc(id),
            esc(&k.outcome),
            esc_code_spans(&k.reason)
        );
    }
    h.push_str("</tbody></table>\n");

    if let (Some(report), Some(name)) = (&data.interop, &e.interop) {
        let mine: Vec<_> = report
            .cells
            .iter()
            .filter(|c| c.verdict.is_failure() && (&c.producer == name || &c.consumer == name))
            .collect();
        let _ = writeln!(
            h,
            "<h2 id=\"interop\">Interop cells that are not clean ({})</h2>\n<p>As <code>{}</code> in \
             the <a href=\"{r}interop/index.html\">interoperability matrix</a>.</p>",
            mine.len(),
            esc(name)
        );
        if !mine.is_empty() {
            h.push_str("<ul>\n");
            for c in mine {
                let _ = writeln!(
                    h,
                    "<li><a href=\"{}#{}\">{} · {} → {}</a>: {}</li>",
                    esc(&test_href(r, &c.test)),
                    esc(&cell_anchor(&c.key())),
                    esc(&c.test),
                    esc(&c.producer),
                    esc(&c.consumer),
                    esc(c.verdict.label())
                );
            }
            h.push_str("</ul>\n");
        }
    }
    p.push(&h);
    p.finish()
}
