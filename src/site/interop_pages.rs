//! The interop pages: an index with the summary and every test's matrix, and a page per test
//! (the unit people link to) with its inputs, its matrix, every cell's cases and every
//! produced message, each behind an anchor.

use super::html::{esc, Page};
use super::overview::{summary_table, verdict_class};
use super::{test_href, SiteData, SiteFile};
use crate::interop::{cell_anchor, cell_text, CaseResult, Cell, InteropReport, Said, Test};
use std::fmt::Write;

/// The index and one page per test; nothing when there is no interop report.
pub fn pages(data: &SiteData) -> Vec<SiteFile> {
    let Some(report) = &data.interop else {
        let mut p = Page::new(1, "interop");
        p.push("<h1>Interoperability matrix</h1>\n<p>No interop report was committed (<code>reports/interop.json</code>).</p>\n");
        return vec![("interop/index.html".into(), p.finish())];
    };
    let mut out = vec![("interop/index.html".into(), index(report))];
    for t in &report.tests {
        out.push((
            format!("interop/{}.html", super::file_stem(&t.id)),
            test_page(report, t),
        ));
    }
    out
}

fn bad(cell: &Cell) -> usize {
    cell.cases
        .iter()
        .filter(|c| !c.result.is_right() && c.result != CaseResult::NotSupported)
        .count()
}

fn index(report: &InteropReport) -> String {
    let mut p = Page::new(1, "interop");
    let r = p.root();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<h1>Interoperability matrix</h1>\n<p>Every producer (row) makes messages with its own \
         randomness from one fixed set of inputs (seed {}); every consumer (column) opens them. \
         ✓ n: all n cases right; ✗ k/n: k cases rejected, opened to something else, or crashed \
         the consumer; ∅ k/n: the producer made nothing for k; — one side lacks the op. Themis \
         refuses empty messages by design; those refusals count as right.</p>",
        report.seed
    );
    h.push_str("<table>\n<thead><tr><th>name</th><th>implementation</th><th>run as</th><th>restarts</th></tr></thead>\n<tbody>\n");
    for imp in &report.implementations {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&imp.name),
            esc(&imp.implementation),
            esc(&imp.target),
            imp.restarts
        );
    }
    h.push_str("</tbody></table>\n<h2>Summary</h2>\n");
    let mut ops: Vec<(&str, &str)> = Vec::new();
    for t in &report.tests {
        if !ops.contains(&(t.produce.as_str(), t.consume.as_str())) {
            ops.push((&t.produce, &t.consume));
        }
    }
    for (produce, consume) in &ops {
        let _ = writeln!(h, "<h3>{} → {}</h3>", esc(produce), esc(consume));
        h.push_str(&summary_table(report, produce, r));
    }
    h.push_str("<h2>Tests</h2>\n");
    for t in &report.tests {
        let _ = writeln!(
            h,
            "<h3 id=\"{}\"><a href=\"{}\">{}</a></h3>\n<p>{}</p>",
            esc(&super::file_stem(&t.id)),
            esc(&test_href(r, &t.id)),
            esc(&t.id),
            esc(&t.title)
        );
        h.push_str(&matrix(report, t, &test_href(r, &t.id)));
    }
    p.push(&h);
    p.finish()
}

/// One test's matrix; each cell links to its anchor on the test page at `page`.
fn matrix(report: &InteropReport, t: &Test, page: &str) -> String {
    let (producers, consumers) = report.sides(&t.produce, &t.consume);
    let mut h =
        String::from("<table class=\"matrix interop\">\n<thead><tr><th>producer ↓ consumer →</th>");
    for c in &consumers {
        let _ = write!(h, "<th>{}</th>", esc(&c.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for p in &producers {
        let _ = write!(h, "<tr><th>{}</th>", esc(&p.name));
        for c in &consumers {
            match report.cell(&t.id, &p.name, &c.name) {
                Some(cell) => {
                    let _ = write!(
                        h,
                        "<td class=\"{}\"><a href=\"{}#{}\">{}</a></td>",
                        verdict_class(cell.verdict),
                        esc(page),
                        esc(&cell_anchor(&cell.key())),
                        esc(&cell_text(cell.verdict, bad(cell), cell.cases.len()))
                    );
                }
                None => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    h
}

fn production_anchor(producer: &str, input: &str, repeat: usize) -> String {
    let mut a = String::from("m-");
    for ch in format!("{producer}-{input}-{repeat}").chars() {
        a.push(if ch.is_ascii_alphanumeric() || ch == '-' {
            ch.to_ascii_lowercase()
        } else {
            '-'
        });
    }
    a
}

fn said(s: &Said) -> String {
    let mut h = format!("<b>{}</b>", esc(&s.kind));
    if let Some(st) = s.stage {
        let _ = write!(h, " at <code>{}</code>", esc(st.as_str()));
    }
    if let Some(c) = &s.code {
        let _ = write!(h, " (code <code>{}</code>)", esc(c));
    }
    if !s.message.is_empty() {
        let _ = write!(h, ": <span class=\"msg\">{}</span>", esc(&s.message));
    }
    if let Some(o) = &s.output {
        let _ = write!(
            h,
            "<br>gave {} bytes: <code class=\"hex\">{}</code>{}",
            s.output_len.unwrap_or(o.len() / 2),
            esc(o),
            if s.output_len.is_some() { "…" } else { "" }
        );
    }
    h
}

fn test_page(report: &InteropReport, t: &Test) -> String {
    let mut p = Page::new(1, &t.id);
    let r = p.root();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p class=\"crumbs\"><a href=\"{r}interop/index.html\">interop</a></p>\n<h1><code>{}</code></h1>\n<p>{}</p>",
        esc(&t.id),
        esc(&t.title)
    );
    if !t.note.is_empty() {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&t.note));
    }
    h.push_str(&matrix(report, t, ""));

    let inputs: Vec<_> = report.inputs.iter().filter(|i| i.test == t.id).collect();
    h.push_str("<h2>Inputs</h2>\n");
    for i in &inputs {
        let expect = serde_json::to_value(i.expect)
            .map(|v| v.to_string())
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<details id=\"input-{}\"><summary><code>{}</code> {} <small>expect {}</small></summary>\n<pre class=\"json\">{}</pre>\n<p>Opened with {} request{}: <code>{}</code> with</p><pre class=\"json\">{}</pre></details>",
            esc(&super::file_stem(&i.id)),
            esc(&i.id),
            esc(&i.note),
            esc(&expect),
            esc(&serde_json::to_string_pretty(&i.args).unwrap_or_default()),
            i.openings.len(),
            if i.openings.len() == 1 { "" } else { "s" },
            esc(i.openings.first().map(|o| o.op.as_str()).unwrap_or("")),
            esc(&i.openings.first().map(|o| serde_json::to_string_pretty(&o.args).unwrap_or_default()).unwrap_or_default())
        );
    }

    h.push_str("<h2>Cells</h2>\n");
    // The cells of the matrix above: an implementation that lists neither op has none.
    let (producers, consumers) = report.sides(&t.produce, &t.consume);
    for cell in report.cells.iter().filter(|c| {
        c.test == t.id
            && producers.iter().any(|p| p.name == c.producer)
            && consumers.iter().any(|p| p.name == c.consumer)
    }) {
        let counts: Vec<String> = cell
            .counts
            .iter()
            .map(|(k, v)| format!("{v} {}", esc(k)))
            .collect();
        let open = if cell.verdict.is_failure() {
            " open"
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<details class=\"cell\" id=\"{}\"{open}><summary><span class=\"{}\">{}</span> {} → {}: {}{}</summary>",
            esc(&cell_anchor(&cell.key())),
            verdict_class(cell.verdict),
            esc(cell.verdict.label()),
            esc(&cell.producer),
            esc(&cell.consumer),
            counts.join(", "),
            cell.suspect
                .map(|s| format!("; points at the {}", esc(&serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())))
                .unwrap_or_default()
        );
        if cell.cases.is_empty() {
            h.push_str("<p>No cases.</p></details>\n");
            continue;
        }
        if cell.verdict == crate::interop::Verdict::NotSupported {
            h.push_str("<p>One side lacks the op: nothing was sent.</p></details>\n");
            continue;
        }
        h.push_str("<table class=\"cases\"><thead><tr><th>input</th><th>opening</th><th>result</th><th>producer said</th><th>consumer said</th></tr></thead><tbody>\n");
        // The openings of one message that ended alike (each of its 16 recipients opened it,
        // or each was refused with the same words) share a row: a 16-session cell is 4 rows.
        let mut i = 0;
        while i < cell.cases.len() {
            let case = &cell.cases[i];
            let mut same = 1;
            while cell.cases.get(i + same).is_some_and(|n| {
                n.input == case.input
                    && n.repeat == case.repeat
                    && n.result == case.result
                    && n.said == case.said
                    && n.suspect == case.suspect
            }) {
                same += 1;
            }
            let opening = match cell.cases.get(i + same - 1) {
                Some(last) if same > 1 => {
                    format!("{} – {} ({same} openings)", case.opening, last.opening)
                }
                _ => case.opening.clone(),
            };
            i += same;
            let production = report.production(&cell.producer, case);
            let produced = match production {
                Some(pr) => format!(
                    "<a href=\"#{}\">{}</a>",
                    esc(&production_anchor(&pr.producer, &pr.input, pr.repeat)),
                    said(&pr.said)
                ),
                None => String::new(),
            };
            let _ = writeln!(
                h,
                "<tr class=\"{}\"><td><a href=\"#input-{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if case.result.is_right() { "ok" } else if case.result == CaseResult::NotSupported { "na" } else { "bad" },
                esc(&super::file_stem(&case.input)),
                esc(case.input.rsplit('/').next().unwrap_or(&case.input)),
                esc(&opening),
                esc(case.result.label()),
                produced,
                case.said.as_ref().map(said).unwrap_or_default()
            );
        }
        h.push_str("</tbody></table></details>\n");
    }

    h.push_str("<h2>Produced messages</h2>\n");
    for pr in report
        .productions
        .iter()
        .filter(|pr| inputs.iter().any(|i| i.id == pr.input))
    {
        let _ = writeln!(
            h,
            "<details id=\"{}\"><summary>{} · <code>{}</code>{}: {}</summary>{}</details>",
            esc(&production_anchor(&pr.producer, &pr.input, pr.repeat)),
            esc(&pr.producer),
            esc(&pr.input),
            if report.repeat > 1 {
                format!(" #{}", pr.repeat + 1)
            } else {
                String::new()
            },
            esc(&serde_json::to_value(pr.result)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()),
            match &pr.output {
                Some(o) => format!(
                    "<p>{} bytes</p><pre class=\"hex\">{}</pre>",
                    o.len() / 2,
                    esc(o)
                ),
                None => format!("<p>{}</p>", said(&pr.said)),
            }
        );
    }
    p.push(&h);
    p.finish()
}
