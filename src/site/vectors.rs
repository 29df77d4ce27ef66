//! A page per vector: what it checks and why, its flags with their notes, its args, the
//! dissection of every message argument (the same [`Dissection`] `sealcheck inspect` prints),
//! the expected verdict with its provenance, and what every implementation did with it.

use super::html::{esc, esc_code_spans, Page};
use super::{impl_href, SiteData, SiteFile};
use crate::corpus::{Vector, VectorFile};
use crate::engine::VectorResult;
use crate::wire::{from_hex, Dissection};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// The args (and expected outputs) that hold a whole message or key, by format.
fn message_args(format: &str) -> &'static [&'static str] {
    if format == "mixin" {
        &["body"]
    } else {
        &[
            "signed",
            "encrypted",
            "key",
            "private_key",
            "public_key",
            "peer_public_key",
        ]
    }
}

/// Every vector page.
pub fn pages(data: &SiteData) -> Vec<SiteFile> {
    let results = data.results_by_vector();
    let mut out = Vec::new();
    for (path, file) in &data.files {
        for v in &file.tests {
            let did = results.get(v.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            out.push((
                format!("v/{}.html", super::file_stem(&v.id)),
                page(data, path, file, v, did),
            ));
        }
        for a in &file.accumulated {
            let did = results.get(a.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
            out.push((
                format!("v/{}.html", super::file_stem(&a.id)),
                family_page(data, path, file, a, did),
            ));
        }
    }
    out
}

/// An accumulated family's page: what it covers, its seed, count and digest, where the digest
/// comes from, and what each implementation did.
pub fn family_page(
    data: &SiteData,
    path: &str,
    file: &VectorFile,
    a: &crate::corpus::Accumulated,
    did: &[(usize, &VectorResult)],
) -> String {
    let mut p = Page::new(1, &a.id);
    let r = p.root();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<p class=\"crumbs\"><a href=\"{r}vectors.html\">vectors</a> · <code>{}</code> · {}</p>\n\
         <h1 class=\"vector-id\"><code>{}</code></h1>\n<p class=\"comment\">{}</p>\n\
         <dl class=\"facts\"><dt>kind</dt><dd>accumulated family: {} cases regenerated from a seed, \
         checked by one digest of the canonical replies</dd><dt>seed</dt><dd>{}</dd>\
         <dt>digest</dt><dd><code>{}</code></dd><dt>evidence</dt><dd><ul class=\"provenance\">",
        esc(path),
        esc(&file.op),
        esc(&a.id),
        esc(&a.comment),
        a.count,
        a.seed,
        esc(&a.digest)
    );
    for pr in &a.provenance {
        let _ = write!(
            h,
            "<li><b>{}</b> {}</li>",
            esc(&pr.kind),
            esc_code_spans(&pr.source)
        );
    }
    h.push_str("</ul></dd></dl>\n");
    did_table(&mut h, data, r, did);
    p.push(&h);
    p.finish()
}

/// One vector's page.
pub fn page(
    data: &SiteData,
    path: &str,
    file: &VectorFile,
    v: &Vector,
    did: &[(usize, &VectorResult)],
) -> String {
    let mut p = Page::new(1, &v.id);
    let r = p.root();
    let mut h = String::new();
    let verdict = label(&v.expected.result);
    let _ = writeln!(
        h,
        "<p class=\"crumbs\"><a href=\"{r}vectors.html\">vectors</a> · <code>{}</code> · {}</p>\n\
         <h1 class=\"vector-id\"><code>{}</code></h1>\n<p class=\"comment\">{}</p>",
        esc(path),
        esc(&file.op),
        esc(&v.id),
        esc(&v.comment)
    );

    let _ = writeln!(h, "<h2 id=\"expected\">Expected</h2>\n<dl class=\"facts\">");
    let _ = writeln!(
        h,
        "<dt>verdict</dt><dd><span class=\"verdict {c}\">{c}</span></dd>",
        c = esc(&verdict)
    );
    if let Some(stage) = v.expected.stage {
        let _ = writeln!(
            h,
            "<dt>stage</dt><dd><code>{}</code></dd>",
            esc(stage.as_str())
        );
    }
    if let Some(ok) = &v.expected.ok {
        let _ = writeln!(
            h,
            "<dt>output</dt><dd><pre class=\"json\">{}</pre></dd>",
            esc(&pretty(ok))
        );
    }
    if let Some(check) = &v.expected.check {
        let text = serde_json::to_value(check)
            .map(|c| pretty(&c))
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<dt>checked by</dt><dd>the reference opens or verifies the output:<pre class=\"json\">{}</pre></dd>",
            esc(&text)
        );
    }
    h.push_str("<dt>evidence</dt><dd><ul class=\"provenance\">");
    for pr in &v.expected.provenance {
        let _ = write!(
            h,
            "<li><b>{}</b> {}</li>",
            esc(&pr.kind),
            esc_code_spans(&pr.source)
        );
    }
    h.push_str("</ul></dd>\n</dl>\n");

    if !v.flags.is_empty() {
        let _ = writeln!(h, "<h2 id=\"flags\">Flags</h2>\n<dl class=\"flags\">");
        for flag in &v.flags {
            let _ = write!(h, "<dt><code>{}</code>", esc(flag));
            match file.notes.get(flag) {
                Some(note) => {
                    let _ = write!(
                        h,
                        " <small>{}</small></dt><dd>{}",
                        esc(&note.bug_type),
                        esc_code_spans(&note.description)
                    );
                    if !note.implementations.is_empty() {
                        h.push_str("<ul>");
                        for (name, what) in &note.implementations {
                            let _ = write!(
                                h,
                                "<li><b>{}</b>: {}</li>",
                                esc(name),
                                esc_code_spans(what)
                            );
                        }
                        h.push_str("</ul>");
                    }
                    if !note.references.is_empty() {
                        h.push_str("<p class=\"refs\">");
                        for rf in &note.references {
                            let _ = write!(h, "<span>{}</span> ", esc(rf));
                        }
                        h.push_str("</p>");
                    }
                    h.push_str("</dd>\n");
                }
                None => h.push_str("</dt><dd>(no note in the file)</dd>\n"),
            }
        }
        h.push_str("</dl>\n");
    }

    let (shown, cut) = shorten(&v.args);
    let _ = writeln!(
        h,
        "<h2 id=\"args\">Args</h2>\n<pre class=\"json\">{}</pre>",
        esc(&pretty(&shown))
    );
    if cut {
        let _ = writeln!(
            h,
            "<p class=\"note\">Values longer than {LONG_VALUE} characters are cut here; the whole \
             args are in <code>{}</code>.</p>",
            esc(path)
        );
    }
    let mut dissected = Vec::new();
    for name in message_args(&file.format) {
        if let Some(hex) = v.args.get(*name).and_then(Value::as_str) {
            dissected.push((format!("args.{name}"), hex));
        }
        if let Some(hex) = v
            .expected
            .ok
            .as_ref()
            .and_then(|o| o.get(*name))
            .and_then(Value::as_str)
        {
            dissected.push((format!("expected output {name}"), hex));
        }
    }
    if !dissected.is_empty() {
        let _ = writeln!(h, "<h2 id=\"dissection\">Dissection</h2>");
        for (what, hex) in dissected {
            let Ok(bytes) = from_hex(hex) else {
                let _ = writeln!(h, "<h3>{}</h3><p>not hex</p>", esc(&what));
                continue;
            };
            let d = crate::inspect::dissect(&bytes, Some(file.format.as_str()));
            let _ = writeln!(h, "<h3><code>{}</code></h3>", esc(&what));
            h.push_str(&dissection_table(&d, &bytes));
        }
    }

    did_table(&mut h, data, r, did);
    p.push(&h);
    p.finish()
}

/// The table of what each implementation did with a vector or family.
fn did_table(h: &mut String, data: &SiteData, r: &str, did: &[(usize, &VectorResult)]) {
    let _ = writeln!(
        h,
        "<h2 id=\"implementations\">What each implementation did</h2>"
    );
    if did.is_empty() {
        h.push_str("<p>No committed report has this vector.</p>\n");
    } else {
        h.push_str(
            "<table class=\"did\">\n<thead><tr><th>implementation</th><th>outcome</th><th>counts as</th><th>detail</th></tr></thead>\n<tbody>\n",
        );
        let by_impl: HashMap<usize, &VectorResult> = did.iter().copied().collect();
        for (i, imp) in data.implementations.iter().enumerate() {
            let Some(res) = by_impl.get(&i) else { continue };
            let status = label(&res.status);
            let _ = write!(
                h,
                "<tr class=\"{}\"><td><a href=\"{}\">{}</a><br><small>{}</small></td><td>{}</td><td>{}</td><td>{}",
                esc(&status),
                impl_href(r, &imp.entry.id),
                esc(&imp.entry.name),
                esc(&imp.entry.version),
                esc(&res.outcome),
                esc(&status),
                esc(&res.detail)
            );
            if let Some(k) = &res.known_failure {
                let _ = write!(h, "<p class=\"known\">known: {}</p>", esc_code_spans(k));
            }
            h.push_str("</td></tr>\n");
        }
        h.push_str("</tbody></table>\n");
    }
}

/// A value's serde label (`valid`, `expected-failure`).
fn label<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Hex strings longer than this are cut on the page, so that vectors with 70 000-byte
/// messages do not make 300 KB pages.
pub const LONG_VALUE: usize = 2048;

/// A copy of `v` with every string longer than [`LONG_VALUE`] cut, and whether any was.
fn shorten(v: &Value) -> (Value, bool) {
    match v {
        Value::String(s) if s.len() > LONG_VALUE => {
            let head: String = s.chars().take(LONG_VALUE).collect();
            (
                Value::String(format!("{head}… ({} characters in all)", s.chars().count())),
                true,
            )
        }
        Value::Array(a) => {
            let mut cut = false;
            let items = a
                .iter()
                .map(|x| {
                    let (y, c) = shorten(x);
                    cut |= c;
                    y
                })
                .collect();
            (Value::Array(items), cut)
        }
        Value::Object(o) => {
            let mut cut = false;
            let items = o
                .iter()
                .map(|(k, x)| {
                    let (y, c) = shorten(x);
                    cut |= c;
                    (k.clone(), y)
                })
                .collect();
            (Value::Object(items), cut)
        }
        other => (other.clone(), false),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// A dissection as a table: field, offset, length, hex (long values cut in the middle),
/// note; then the unparsed tail and the first problem.
pub fn dissection_table(d: &Dissection, input: &[u8]) -> String {
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<table class=\"dissection\">\n<caption>{} ({} bytes)</caption>\n<thead><tr><th>field</th><th>offset</th><th>length</th><th>hex</th><th>reading</th></tr></thead>\n<tbody>",
        esc(&d.title),
        input.len()
    );
    let mut covered = 0usize;
    for f in &d.fields {
        let bytes = input.get(f.range.clone()).unwrap_or(&[]);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&f.name),
            f.range.start,
            f.range.len(),
            short_hex(bytes),
            esc(&f.note)
        );
        covered = covered.max(f.range.end);
    }
    if covered < input.len() {
        let rest = input.get(covered..).unwrap_or(&[]);
        let _ = writeln!(
            h,
            "<tr class=\"unparsed\"><td>(unparsed)</td><td>{covered}</td><td>{}</td><td><code>{}</code></td><td></td></tr>",
            rest.len(),
            short_hex(rest)
        );
    }
    h.push_str("</tbody></table>\n");
    match &d.problem {
        Some(problem) => {
            let _ = writeln!(h, "<p class=\"problem\">problem: {}</p>", esc(problem));
        }
        None => h.push_str("<p class=\"wellformed\">well formed</p>\n"),
    }
    h
}

/// Hex, cut in the middle past 48 bytes.
fn short_hex(bytes: &[u8]) -> String {
    if bytes.len() <= 48 {
        hex::encode(bytes)
    } else {
        let head = bytes.get(..20).unwrap_or(&[]);
        let tail = bytes.get(bytes.len().saturating_sub(20)..).unwrap_or(&[]);
        format!("{}…{}", hex::encode(head), hex::encode(tail))
    }
}
