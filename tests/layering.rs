//! The shape of src/ holds: folders only (besides lib.rs and main.rs), and every reference
//! from one folder into another (`crate::x`, `super::super::x`, in `use` or in a path) follows
//! an edge of the allowed graph below, which has no cycles. Read with std only: a small lexer
//! drops comments and literals, so a path in a doc comment or a string is not a dependency.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The units of the library, lowest first: each top-level folder of src/, and
/// `corpus/generate`, which sits above the reference behind the protocol (it asks it for every
/// expectation) while the rest of `corpus` sits below it.
const UNITS: &[&str] = &[
    "wire",
    "mixin",
    "themis",
    "inspect",
    "mutate",
    "corpus",
    "protocol",
    "iut",
    "corpus/generate",
    "engine",
    "peer",
    "report",
    "fuzz",
    "mutants",
    "bench",
    "interop",
    "site",
    "cli",
];

/// Who may use whom, and why. Every edge must be used, so the table says what is true.
#[rustfmt::skip]
const ALLOWED: &[(&str, &[&str], &str)] = &[
    ("wire", &[],
        "bytes, codecs, dissections and stages need nothing else"),
    ("mixin", &["wire"],
        "the reference decodes with the Reader and names stages"),
    ("themis", &["wire"],
        "the reference decodes with the Reader and names stages"),
    ("inspect", &["wire", "mixin", "themis"],
        "recognises a format and asks it to dissect"),
    ("mutate", &["wire", "mixin", "themis"],
        "one mutation vocabulary over the formats' dissections, fixed up with their encoders"),
    ("corpus", &["wire", "mixin", "themis"],
        "vector types name stages; a Check opens randomised outputs with the reference"),
    ("protocol", &["wire"],
        "replies carry stages"),
    ("iut", &["wire", "mixin", "themis", "protocol"],
        "the reference answers the ops; the client and serve speak the protocol"),
    ("corpus/generate", &["wire", "mixin", "themis", "mutate", "corpus", "protocol", "iut"],
        "interprets the catalogue (cases are edits in the one vocabulary) and asks the reference for every expectation"),
    ("engine", &["wire", "corpus", "corpus/generate", "protocol", "iut"],
        "runs vectors and families against an implementation and judges the replies"),
    ("peer", &["wire", "mixin", "themis", "inspect"],
        "the remote party: serves the reference's rules and dissections over HTTP"),
    ("report", &["corpus", "engine"],
        "renders the engine's results, and turns them into observation files of the corpus"),
    ("fuzz", &["wire", "mixin", "themis", "mutate", "corpus", "protocol", "iut"],
        "drives the reference and an implementation with inputs mutated in the one vocabulary"),
    ("mutants", &["wire", "mixin", "themis", "mutate", "corpus", "protocol", "iut", "engine"],
        "broken twins of the reference (written with its encoders, framing bugs as edits), judged by the engine"),
    ("bench", &["corpus", "protocol", "iut", "engine"],
        "measures the engine and the protocol"),
    ("interop", &["wire", "mixin", "themis", "protocol", "iut"],
        "makes keys and inputs, runs producers and consumers through the Implementation seam, judges the replies"),
    ("site", &["wire", "inspect", "corpus", "protocol", "iut", "engine", "report", "interop"],
        "renders the committed reports, the interop matrix and the corpus (with inspect's dissections) as pages; its tests make a real interop report between two references"),
    ("cli", &["inspect", "corpus", "corpus/generate", "iut", "engine", "peer", "report", "fuzz", "mutants", "bench", "interop", "site"],
        "the command line over all of it; nothing uses it"),
];

#[test]
fn src_has_only_folders_and_follows_the_allowed_graph() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = check(&src, true);
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_allowed_graph_has_no_cycles_and_names_every_unit() {
    let graph = allowed();
    assert_eq!(graph.len(), UNITS.len(), "one row per unit");
    for (unit, uses) in &graph {
        assert!(UNITS.contains(unit), "{unit} is not a unit");
        for u in uses {
            assert!(UNITS.contains(u), "{unit} -> {u}: not a unit");
            // UNITS is a topological order of the graph: every edge points lower.
            let pos = |x: &str| UNITS.iter().position(|y| *y == x);
            assert!(
                pos(u) < pos(unit),
                "{unit} -> {u} points up: a cycle is possible"
            );
        }
    }
    assert!(cycle(&graph).is_none(), "{:?}", cycle(&graph));
    assert!(
        graph.values().all(|uses| !uses.contains("cli")),
        "no unit uses cli"
    );
}

#[test]
fn a_violation_is_found() {
    // A throw-away src/ that breaks every rule once.
    let root = std::env::temp_dir().join(format!("sealcheck-layering-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    };
    write("lib.rs", "pub mod wire;\n");
    write("main.rs", "fn main() { sealcheck::engine::run(); }\n");
    write("loose.rs", "");
    write(
        "wire/mod.rs",
        "// crate::cli in a comment is fine\nconst S: &str = \"crate::cli\";\nuse crate::{protocol::Reply, Stage};\nmod x { fn f() { super::super::engine::g(); } }\n",
    );
    write("corpus/mod.rs", "use crate::corpus::generate::Gen;\n");
    write("newfolder/mod.rs", "");
    let problems = check(&root, false).join("\n");
    let _ = fs::remove_dir_all(&root);
    for want in [
        "loose.rs",
        "main.rs",
        "wire -> protocol",
        "crate::Stage",
        "wire -> engine",
        "corpus -> corpus/generate",
        "newfolder",
    ] {
        assert!(problems.contains(want), "{want} not found in:\n{problems}");
    }
    assert!(!problems.contains("wire -> cli"), "{problems}");
}

fn allowed() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    ALLOWED
        .iter()
        .map(|(unit, uses, _why)| (*unit, uses.iter().copied().collect()))
        .collect()
}

/// Every problem with the tree at `src`; with `complete`, also allowed edges nobody uses.
fn check(src: &Path, complete: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let graph = allowed();
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    for entry in fs::read_dir(src).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !UNITS.contains(&name.as_str()) {
                problems.push(format!("src/{name}/ is not in the layering table"));
            }
        } else if name.ends_with(".rs") && name != "lib.rs" && name != "main.rs" {
            problems.push(format!("src/{name} is a loose file: give it a folder"));
        }
    }
    if let Ok(main) = fs::read_to_string(src.join("main.rs")) {
        for (line, path) in paths_in(&tokens(&main), &[], "sealcheck") {
            if path.first().map(String::as_str) != Some("cli") {
                problems.push(format!(
                    "src/main.rs:{line}: sealcheck::{} (main.rs only calls cli)",
                    path.join("::")
                ));
            }
        }
    }
    for file in rust_files(src) {
        let rel = file.strip_prefix(src).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        if parts.len() < 2 {
            continue; // lib.rs and main.rs
        }
        let module: Vec<String> = if parts.last().is_some_and(|p| p == "mod") {
            parts[..parts.len() - 1].to_vec()
        } else {
            parts.clone()
        };
        let from = unit_of(&module);
        let text = fs::read_to_string(&file).unwrap();
        for (line, path) in paths_in(&tokens(&text), &module, "crate") {
            let Some(to) = unit_of_target(&path) else {
                problems.push(format!(
                    "src/{}:{line}: crate::{} does not name a folder",
                    rel.display(),
                    path.join("::")
                ));
                continue;
            };
            if to == from {
                continue;
            }
            if !graph
                .get(from.as_str())
                .is_some_and(|u| u.contains(to.as_str()))
            {
                problems.push(format!(
                    "src/{}:{line}: {from} -> {to} (crate::{}) is not an allowed dependency",
                    rel.display(),
                    path.join("::")
                ));
            }
            used.insert((from.clone(), to));
        }
    }
    if complete {
        for (unit, uses) in &graph {
            for u in uses {
                if !used.contains(&(unit.to_string(), u.to_string())) {
                    problems.push(format!("{unit} -> {u} is allowed but unused: drop it"));
                }
            }
        }
    }
    problems
}

/// The unit a module path belongs to.
fn unit_of(module: &[String]) -> String {
    match module {
        [a, b, ..] if a == "corpus" && b == "generate" => "corpus/generate".into(),
        [a, ..] => a.clone(),
        [] => String::new(),
    }
}

/// The unit an absolute path (after `crate::`) points into, if it names a folder.
fn unit_of_target(path: &[String]) -> Option<String> {
    let unit = unit_of(path);
    UNITS.contains(&unit.as_str()).then_some(unit)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(&'static str),
}

/// Identifiers and the punctuation paths are made of, with line numbers; comments, strings
/// and character literals dropped.
fn tokens(text: &str) -> Vec<(usize, Tok)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0usize, 1usize);
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    while i < b.len() {
        let c = at(i);
        if c == b'\n' {
            line += 1;
            i += 1;
        } else if c == b'/' && at(i + 1) == b'/' {
            while i < b.len() && at(i) != b'\n' {
                i += 1;
            }
        } else if c == b'/' && at(i + 1) == b'*' {
            let mut depth = 0;
            loop {
                if at(i) == b'/' && at(i + 1) == b'*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == b'*' && at(i + 1) == b'/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= b.len() {
                    break;
                } else {
                    line += usize::from(at(i) == b'\n');
                    i += 1;
                }
            }
        } else if c == b'"' || (c == b'b' && at(i + 1) == b'"') {
            i += if c == b'b' { 2 } else { 1 };
            while i < b.len() && at(i) != b'"' {
                line += usize::from(at(i) == b'\n');
                i += if at(i) == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if (c == b'r' || (c == b'b' && at(i + 1) == b'r'))
            && !is_ident(at(i.wrapping_sub(1)))
            && {
                // r"..", r#".."#, br".."; not the raw identifier r#name.
                let mut j = i + 1 + usize::from(c == b'b');
                while at(j) == b'#' {
                    j += 1;
                }
                at(j) == b'"'
            }
        {
            // Raw string: r"..", r#".."#, br"..".
            i += 1 + usize::from(c == b'b');
            let mut hashes = 0;
            while at(i) == b'#' {
                hashes += 1;
                i += 1;
            }
            i += 1; // the opening quote
            loop {
                if i >= b.len() {
                    break;
                }
                if at(i) == b'"' && (1..=hashes).all(|k| at(i + k) == b'#') {
                    i += 1 + hashes;
                    break;
                }
                line += usize::from(at(i) == b'\n');
                i += 1;
            }
        } else if c == b'\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if at(i + 1) == b'\\' {
                i += 3; // the quote, the backslash and the escaped character
                while i < b.len() && at(i) != b'\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == b'\'' {
                i += 3;
            } else if at(i + 1) >= 0x80 {
                // A multi-byte char literal.
                i += 1;
                while i < b.len() && at(i) != b'\'' {
                    i += 1;
                }
                i += 1;
            } else {
                i += 1; // a lifetime: its name follows as an identifier
            }
        } else if is_ident(c) && !c.is_ascii_digit() {
            let start = i;
            while is_ident(at(i)) {
                i += 1;
            }
            out.push((line, Tok::Ident(text[start..i].to_owned())));
        } else if c == b':' && at(i + 1) == b':' {
            out.push((line, Tok::Punct("::")));
            i += 2;
        } else {
            let p = match c {
                b'{' => Some("{"),
                b'}' => Some("}"),
                b',' => Some(","),
                b';' => Some(";"),
                _ => None,
            };
            if let Some(p) = p {
                out.push((line, Tok::Punct(p)));
            } else if !c.is_ascii_whitespace() {
                out.push((line, Tok::Punct("other")));
            }
            i += 1;
        }
    }
    out
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Every path that starts at `root` (`crate` or the crate's name) or climbs out with `super`,
/// as segments after the crate root, with its line. `module` is the file's module path;
/// inline `mod name { .. }` blocks are followed so `super` resolves where it is written.
fn paths_in(toks: &[(usize, Tok)], module: &[String], root: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let ident = |k: usize| match toks.get(k) {
        Some((_, Tok::Ident(s))) => Some(s.as_str()),
        _ => None,
    };
    let punct = |k: usize, p: &str| matches!(toks.get(k), Some((_, Tok::Punct(q))) if *q == p);
    let mut k = 0;
    while k < toks.len() {
        let line = toks[k].0;
        if punct(k, "{") {
            depth += 1;
        } else if punct(k, "}") {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
        } else if ident(k) == Some("mod") && ident(k + 1).is_some() && punct(k + 2, "{") {
            inline.push((ident(k + 1).unwrap_or_default().to_owned(), depth));
        } else if ident(k) == Some(root) && punct(k + 1, "::") && !punct(k.wrapping_sub(1), "::") {
            for p in tree(toks, k + 2) {
                out.push((line, p));
            }
        } else if ident(k) == Some("super") && punct(k + 1, "::") && !punct(k.wrapping_sub(1), "::")
        {
            let mut here: Vec<String> = module.to_vec();
            here.extend(inline.iter().map(|(n, _)| n.clone()));
            let mut j = k;
            while ident(j) == Some("super") && punct(j + 1, "::") {
                here.pop();
                j += 2;
            }
            for p in tree(toks, j) {
                let mut full = here.clone();
                full.extend(p);
                out.push((line, full));
            }
            k = j;
            continue;
        }
        k += 1;
    }
    out
}

/// The paths of a use tree (or a plain path) starting at token `k`: `a::b`, `{a, b::{c}}`.
fn tree(toks: &[(usize, Tok)], k: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    walk(toks, k, Vec::new(), &mut out);
    out
}

fn walk(toks: &[(usize, Tok)], mut k: usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    loop {
        match toks.get(k) {
            Some((_, Tok::Ident(s))) => {
                if s != "self" {
                    prefix.push(s.clone());
                }
                if matches!(toks.get(k + 1), Some((_, Tok::Punct("::")))) {
                    k += 2;
                    continue;
                }
                out.push(prefix);
                return;
            }
            Some((_, Tok::Punct("{"))) => {
                // Each comma-separated item of the group, at this brace depth.
                let mut depth = 0;
                let mut item = k + 1;
                let mut j = k + 1;
                while let Some((_, t)) = toks.get(j) {
                    match t {
                        Tok::Punct("{") => depth += 1,
                        Tok::Punct("}") if depth == 0 => {
                            if item < j {
                                walk(toks, item, prefix.clone(), out);
                            }
                            return;
                        }
                        Tok::Punct("}") => depth -= 1,
                        Tok::Punct(",") if depth == 0 => {
                            walk(toks, item, prefix.clone(), out);
                            item = j + 1;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                return;
            }
            _ => {
                // A glob, or the end of a path such as `super::` alone.
                out.push(prefix);
                return;
            }
        }
    }
}

/// A cycle of the graph, if it has one.
fn cycle(graph: &BTreeMap<&str, BTreeSet<&str>>) -> Option<Vec<String>> {
    fn visit<'a>(
        n: &'a str,
        graph: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| *p == n) {
            return Some(path[i..].iter().map(|s| s.to_string()).collect());
        }
        if done.contains(n) {
            return None;
        }
        path.push(n);
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n);
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}
