//! Page generation on hostile data: every user-controlled string comes out escaped, every
//! link points at a file the site has, and the pages say what the data says.

use super::*;
use crate::engine::{KnownFailure, Status, VectorResult};
use crate::interop::{self, KeyType, Target};
use crate::iut::Reference;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::collections::{BTreeSet, HashMap};

const EVIL: &str = "<script>alert(1)</script>\"'&<img src=x onerror=alert(2)>";

/// A vector file with a real Mixin body (the desktop client's upstream vector) and hostile text
/// wherever the format allows free text.
fn corpus() -> Vec<(String, VectorFile)> {
    let body =
        "0101".to_owned() + "00a66efc3ece95442cb4302754b58184a416fc6f1c5a198927f77a6381a3f94650";
    let file = serde_json::json!({
        "schema_version": 1,
        "format": "mixin",
        "op": "mixin.decrypt",
        "description": format!("file {EVIL}"),
        "notes": {"EvilFlag": {"bug_type": format!("Bug {EVIL}"), "description": format!("note `{EVIL}`"),
                   "implementations": {"impl <b>": format!("does {EVIL}")}, "references": [EVIL]}},
        "tests": [
            {"id": "mixin.decrypt/evil/<script>&\"quote", "comment": format!("comment {EVIL}"), "flags": ["EvilFlag"],
             "args": {"private_key": "00", "session_id": EVIL, "body": body},
             "expected": {"result": "invalid", "stage": "length", "provenance": [{"kind": "reference", "source": EVIL}]}},
            {"id": "mixin.decrypt/plain/ok", "comment": "a plain one", "args": {"body": "01"},
             "expected": {"result": "invalid", "stage": "length", "provenance": []}}
        ],
        "accumulated": [{"id": "mixin.decrypt/accumulated/<b>10</b>", "comment": format!("family {EVIL}"),
                         "seed": 1, "count": 10, "digest": "00", "provenance": [{"kind": "reference", "source": EVIL}]}]
    });
    vec![(
        format!("vectors/{EVIL}.json"),
        serde_json::from_value(file).unwrap(),
    )]
}

fn implementation() -> Implementation {
    let results = vec![VectorResult {
        id: "mixin.decrypt/evil/<script>&\"quote".into(),
        op: "mixin.decrypt".into(),
        expected: "invalid".into(),
        outcome: "fail".into(),
        detail: format!("fail: accepted, answering {EVIL}"),
        status: Status::ExpectedFailure,
        known_failure: Some(format!("reason {EVIL}")),
        args: None,
        comment: String::new(),
        cases: None,
        reply: None,
        family: None,
    }];
    let mut results = results;
    results.push(VectorResult {
        id: "mixin.decrypt/accumulated/<b>10</b>".into(),
        op: "mixin.decrypt".into(),
        expected: "valid".into(),
        outcome: "crashed".into(),
        detail: format!("case 3 crashed: {EVIL}"),
        status: Status::ExpectedFailure,
        known_failure: None,
        args: None,
        comment: String::new(),
        cases: None,
        reply: None,
        family: None,
    });
    let report = crate::report::Report::new(
        format!("cmd {EVIL}"),
        format!("impl {EVIL}"),
        false,
        results,
    );
    let mut expectations = Expectations::default();
    expectations.failures.insert(
        "mixin.decrypt/accumulated/<b>10</b>".into(),
        KnownFailure {
            outcome: "crashed".into(),
            reason: "a family".into(),
        },
    );
    expectations.comment = format!("comment {EVIL}");
    expectations.failures.insert(
        "mixin.decrypt/evil/<script>&\"quote".into(),
        KnownFailure {
            outcome: "fail".into(),
            reason: format!("because `{EVIL}`"),
        },
    );
    Implementation {
        entry: ImplementationEntry {
            id: "evil-impl".into(),
            name: format!("name {EVIL}"),
            version: format!("v {EVIL}"),
            adapter: format!("adapters/{EVIL}"),
            command: format!("run {EVIL}"),
            report: format!("reports/{EVIL}.json"),
            expectations: format!("{EVIL}.json"),
            interop: Some(format!("ref {EVIL}")),
            findings: vec![format!("finding `{EVIL}` and {EVIL}")],
        },
        report,
        expectations,
    }
}

fn interop_report() -> InteropReport {
    let set = interop::build(3, &[KeyType::P256]).unwrap();
    let mut targets = vec![
        Target {
            name: "reference".into(),
            target: "reference (in process)".into(),
            imp: Box::new(Reference::with_rng(ChaCha20Rng::seed_from_u64(1))),
        },
        Target {
            name: format!("ref {EVIL}"),
            target: format!("cmd {EVIL}"),
            imp: Box::new(Reference::with_rng(ChaCha20Rng::seed_from_u64(2))),
        },
    ];
    let mut report = interop::run(&set, &mut targets, 1, &mut interop::Quiet).unwrap();
    // A consumer error message and a producer's words, as a hostile implementation might say them.
    let cell = report
        .cells
        .iter_mut()
        .find(|c| !c.cases.is_empty())
        .unwrap();
    let case = cell.cases.first_mut().unwrap();
    case.result = interop::CaseResult::Rejected;
    case.said = Some(interop::Said {
        kind: "error".into(),
        message: format!("consumer says {EVIL}"),
        code: Some(EVIL.into()),
        ..Default::default()
    });
    cell.verdict = interop::Verdict::Fail;
    report.productions[0].said.message = format!("producer says {EVIL}");
    report
}

fn data() -> SiteData {
    SiteData {
        files: corpus(),
        implementations: vec![implementation()],
        interop: Some(interop_report()),
    }
}

fn hrefs(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    out
}

fn ids(html: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            out.insert(rest[..end].to_owned());
        }
    }
    out
}

#[test]
fn no_user_controlled_string_reaches_a_page_unescaped() {
    let files = render(&data());
    assert!(files.len() >= 8, "{}", files.len());
    for (path, text) in &files {
        if path.ends_with(".html") {
            for raw in [
                "<script>alert",
                "<img src=x",
                "onerror=alert(2)>",
                "impl <b>",
                "<b>10",
            ] {
                assert!(!text.contains(raw), "{path} contains {raw:?}");
            }
            // The only scripts are the site's own.
            assert_eq!(text.matches("<script").count(), 1, "{path}");
        }
    }
    let by_path: HashMap<&str, &str> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let escaped =
        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img src=x onerror=alert(2)&gt;";
    let vector = by_path[format!(
        "v/{}.html",
        file_stem("mixin.decrypt/evil/<script>&\"quote")
    )
    .as_str()];
    for what in [
        "comment ",
        "Bug ",
        "does ",
        "fail: accepted, answering ",
        "reason ",
    ] {
        assert!(
            vector.contains(&format!("{what}{escaped}")),
            "vector page: {what}"
        );
    }
    assert!(
        vector.contains(&format!("note <code>{escaped}</code>")),
        "code spans escape too"
    );
    let imp = by_path["impl/evil-impl.html"];
    for what in ["name ", "run ", "comment ", "finding <code>"] {
        assert!(
            imp.contains(&format!("{what}{escaped}")),
            "implementation page: {what}"
        );
    }
    assert!(imp.contains(&format!("because <code>{escaped}</code>")));
    let test = by_path["interop/themis.sign~ec-p256.html"];
    let index = by_path["interop/index.html"];
    let all_interop: String = files
        .iter()
        .filter(|(p, _)| p.starts_with("interop/"))
        .map(|(_, t)| t.as_str())
        .collect();
    assert!(all_interop.contains(&format!("consumer says {escaped}")));
    assert!(all_interop.contains(&format!("producer says {escaped}")));
    assert!(index.contains(&format!("ref {escaped}")));
    assert!(test.contains("<h1><code>themis.sign/ec-p256</code></h1>"));
    // The index is a script: no `<` in it at all, and it parses back to the ids.
    let js = by_path["search-index.js"];
    assert!(!js.contains('<'));
    let json = js
        .trim()
        .trim_start_matches("window.SEALCHECK_INDEX = ")
        .trim_end_matches(';');
    let entries: Vec<(String, String, String)> = serde_json::from_str(json).unwrap();
    assert_eq!(entries[0].0, "mixin.decrypt/evil/<script>&\"quote");
    assert!(by_path.contains_key(entries[0].1.as_str()));
}

#[test]
fn every_link_and_anchor_resolves_within_the_site() {
    let files = render(&data());
    let paths: HashMap<&str, &str> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mut checked = 0;
    for (path, text) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        for href in hrefs(text) {
            assert!(!href.contains("://"), "{path}: external link {href}");
            let href = href.replace("&amp;", "&");
            let (file, fragment) = href.split_once('#').unwrap_or((&href, ""));
            let target = if file.is_empty() {
                path.to_string()
            } else {
                let mut parts: Vec<&str> = if dir.is_empty() {
                    vec![]
                } else {
                    dir.split('/').collect()
                };
                for seg in file.split('/') {
                    match seg {
                        ".." => {
                            assert!(parts.pop().is_some(), "{path}: {href} leaves the site");
                        }
                        s => parts.push(s),
                    }
                }
                parts.join("/")
            };
            let Some(doc) = paths.get(target.as_str()) else {
                panic!("{path}: {href} -> {target} is not a file of the site");
            };
            if !fragment.is_empty() {
                assert!(
                    ids(doc).contains(fragment),
                    "{path}: {href}: no id {fragment} in {target}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "{checked} links");
}

#[test]
fn a_vector_page_dissects_its_message_and_lists_what_was_done() {
    let d = data();
    let (path, file) = &d.files[0];
    let v = &file.tests[0];
    let results = d.results_by_vector();
    let html = vectors::page(&d, path, file, v, &results[v.id.as_str()]);
    assert!(html.contains("<h2 id=\"dissection\">Dissection</h2>"));
    assert!(
        html.contains("Mixin encrypted message body"),
        "the inspect dissection's title"
    );
    assert!(html.contains("<td>sender_key</td>"));
    assert!(html.contains("problem: "), "a truncated body has a problem");
    assert!(html.contains("<span class=\"verdict invalid\">invalid</span>"));
    assert!(html.contains("<code>length</code>"));
    assert!(html.contains("<tr class=\"expected-failure\">"));
    // The plain vector has no report rows.
    let plain = vectors::page(&d, path, file, &file.tests[1], &[]);
    assert!(plain.contains("No committed report has this vector."));
}

#[test]
fn long_values_are_cut_on_the_page_and_the_file_named() {
    let mut d = data();
    let v = &mut d.files[0].1.tests[1];
    v.args = serde_json::json!({"body": "ab".repeat(vectors::LONG_VALUE), "short": "cd"});
    let (path, file) = &d.files[0];
    let html = vectors::page(&d, path, file, &file.tests[1], &[]);
    assert!(html.contains(&format!(
        "… ({} characters in all)",
        4 * vectors::LONG_VALUE / 2
    )));
    assert!(!html.contains(&"ab".repeat(vectors::LONG_VALUE)));
    assert!(html.contains("&quot;short&quot;: &quot;cd&quot;"));
    assert!(html.contains("the whole args are in"));
    // The dissection still reads the whole value.
    assert!(html.contains(&format!("({} bytes)", vectors::LONG_VALUE)));
}

#[test]
fn the_overview_counts_failures_per_op() {
    let d = data();
    let html = overview::overview(&d);
    assert!(
        html.contains("✗ 2/2"),
        "a failing mixin.decrypt vector and family"
    );
    assert!(
        html.contains("<td class=\"na\">—</td>"),
        "ops it did not run"
    );
    assert!(html.contains("href=\"interop/index.html\""));
    assert_eq!(overview::op_counts(&d, 0, "mixin.decrypt"), (2, 2, 2));
    let family = vectors::pages(&d)
        .into_iter()
        .find(|(p, _)| p.contains("accumulated"))
        .unwrap();
    assert!(
        family.1.contains("case 3 crashed"),
        "what the implementation did with the family"
    );
}

#[test]
fn a_clean_cell_gives_a_row_per_message_and_a_failing_case_its_own() {
    let d = data();
    let files = interop_pages::pages(&d);
    let page = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, t)| t.clone())
            .unwrap()
    };
    let many = page("interop/mixin.encrypt~16-sessions.html");
    // Both in-process references open every message for all 16 recipients: a row a message.
    assert!(many.contains("<td>session 1 of 16 – session 16 of 16 (16 openings)</td>"));
    assert!(!many.contains("<td>session 5 of 16</td>"));
    // The case made to fail in interop_report() keeps its own row.
    let failed = &d
        .interop
        .as_ref()
        .unwrap()
        .cells
        .iter()
        .find(|c| c.verdict == interop::Verdict::Fail)
        .unwrap();
    let html = page(&format!("interop/{}.html", file_stem(&failed.test)));
    assert!(html.contains(&format!(
        "<td>{}</td><td>rejected</td>",
        failed.cases[0].opening
    )));
}
