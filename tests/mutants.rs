//! The mutant zoo against the embedded corpus: the reference conforms, every counted mutant
//! is caught in process, one mutant per category is also caught through the protocol (as a
//! `sealcheck serve --mutant NAME` child), and tolerated mutants survive (the corpus does not
//! flag leniencies it documents as acceptable).

use sealcheck::corpus;
use sealcheck::iut::subprocess::Subprocess;
use sealcheck::iut::Reference;
use sealcheck::mutants;

#[test]
fn the_reference_conforms() {
    let files = corpus::load_embedded().unwrap();
    let selected = mutants::everything(&files);
    let v = mutants::assess("reference", &mut Reference::default(), &selected).unwrap();
    assert!(!v.caught && !v.caught_strict, "{v:?}");
}

#[test]
fn there_are_at_least_forty_counted_mutants_with_unique_names() {
    let all = mutants::all();
    assert!(all.iter().filter(|m| !m.tolerated).count() >= 40);
    let mut names: Vec<_> = all.iter().map(|m| m.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len());
    for m in &all {
        assert!(
            m.name.starts_with("mixin-") || m.name.starts_with("themis-"),
            "{}",
            m.name
        );
        assert!(mutants::build(m.name).is_some());
    }
    assert!(mutants::build("no-such-mutant").is_none());
}

#[test]
fn every_counted_mutant_is_caught_in_process_and_tolerated_ones_survive() {
    let files = corpus::load_embedded().unwrap();
    let selected = mutants::everything(&files);
    let mut missed = Vec::new();
    let mut flagged = Vec::new();
    for info in mutants::all() {
        let mut imp = mutants::build(info.name).unwrap();
        let v = mutants::assess(info.name, imp.as_mut(), &selected).unwrap();
        // A crash is "caught" too, but never the bug a mutant is meant to show.
        assert!(
            !v.first.iter().any(|f| f.contains("(crashed)")),
            "{} crashed: {:?}",
            info.name,
            v.first
        );
        match (info.tolerated, v.caught) {
            (false, false) => missed.push(info.name),
            (true, true) => flagged.push((info.name, v.first)),
            _ => {}
        }
    }
    assert!(missed.is_empty(), "mutants the corpus misses: {missed:?}");
    assert!(
        flagged.is_empty(),
        "tolerated leniencies flagged: {flagged:?}"
    );
}

#[test]
fn one_mutant_per_category_is_caught_through_the_protocol() {
    let files = corpus::load_embedded().unwrap();
    let selected = mutants::everything(&files);
    let exe = env!("CARGO_BIN_EXE_sealcheck");
    for name in [
        "mixin-decrypt-count-low-byte",
        "mixin-encrypt-header-ed25519",
        "mixin-checksum-empty-md5",
        "themis-key-crc32-ieee",
        "themis-verify-low-s-enforced",
        "themis-kdf-64bit-length",
    ] {
        let mut sub = Subprocess::spawn(&format!("{exe} serve --mutant {name}")).unwrap();
        let v = mutants::assess(name, &mut sub, &selected).unwrap();
        assert!(v.caught, "{name} survived the protocol path");
        assert!(
            !v.first.iter().any(|f| f.contains("(crashed)")),
            "{name}: {:?}",
            v.first
        );
    }
}

#[test]
fn serve_refuses_an_unknown_mutant() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sealcheck"))
        .args(["serve", "--mutant", "no-such-mutant"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn mutants_do_not_panic_on_hostile_input() {
    use serde_json::json;
    // Every vector's args, cut short or with their binary fields replaced by hostile bytes.
    let files = corpus::load_embedded().unwrap();
    let hostile = [
        String::new(),
        "01".into(),
        "01ffff".into(),
        format!("01ffff{}", "00".repeat(200)),
        format!("2027042634000000{}", "ff".repeat(60)),
        format!("20260426ffffffff{}", "ff".repeat(80)),
        format!("5245433200000010{}", "00".repeat(8)),
    ];
    let mut cases = Vec::new();
    for (_, f) in &files {
        // One vector per file is enough to reach every op with every field name.
        let Some(v) = f.tests.first() else { continue };
        let Some(obj) = v.args.as_object() else {
            continue;
        };
        for (field, value) in obj {
            if !value.is_string() {
                continue;
            }
            for h in &hostile {
                let mut a = v.args.clone();
                a[field.as_str()] = json!(h);
                cases.push((f.op.clone(), a));
            }
        }
    }
    for info in mutants::all() {
        let mut imp = mutants::build(info.name).unwrap();
        for (op, args) in &cases {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| imp.call(op, args)));
            assert!(r.is_ok(), "{} panicked on {op} {args}", info.name);
        }
    }
}
