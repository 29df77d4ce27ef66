//! The harness against implementations that misbehave (examples/misbehave.rs): every
//! selected vector ends with exactly one outcome, the right one, and the run goes on.

use sealcheck::engine::{execute, select, Expectations, Selection, VectorResult};
use sealcheck::iut::subprocess::{Options, Subprocess};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

fn misbehave() -> PathBuf {
    // Integration tests live in target/<profile>/deps; `cargo test` builds examples beside.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let path = dir.join("examples").join("misbehave");
    assert!(
        path.exists(),
        "build the example first: cargo build --examples ({})",
        path.display()
    );
    path
}

/// Runs a small slice of the corpus (checksums among other ops) against `misbehave MODE ARG`.
fn run(mode: &str, arg: &str, timeout: Duration) -> (Vec<VectorResult>, Subprocess) {
    let files = sealcheck::corpus::load_embedded().unwrap();
    let selection = Selection {
        filters: vec![
            "mixin.checksum/go-kat/*".into(),
            "*/upstream/*".into(),
            "mixin.decrypt/go-kat/sessions=1-*".into(),
        ],
        ..Default::default()
    };
    let selected = select(&files, &selection);
    assert!(selected.len() > 40, "{}", selected.len());
    let cmd = format!("{} {mode} {arg}", misbehave().display());
    let mut target = Subprocess::spawn_with(
        &cmd,
        Options {
            timeout,
            window: 16,
            ..Options::default()
        },
    )
    .unwrap();
    let results = execute(
        &mut target,
        &selected,
        false,
        &Expectations::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(results.len(), selected.len(), "no vector is dropped");
    for (r, (_, v)) in results.iter().zip(&selected) {
        assert_eq!(r.id, v.id, "results come back in corpus order");
    }
    (results, target)
}

fn outcomes(results: &[VectorResult], checksum: bool) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in results
        .iter()
        .filter(|r| (r.op == "mixin.checksum") == checksum)
    {
        *m.entry(r.outcome.clone()).or_default() += 1;
    }
    m
}

/// The checksum vectors get `want`; every other vector passes.
fn assert_checksums_only(results: &[VectorResult], want: &str, detail: &str) {
    let bad = outcomes(results, true);
    assert_eq!(bad.keys().collect::<Vec<_>>(), [want], "{bad:?}");
    assert_eq!(
        outcomes(results, false).keys().collect::<Vec<_>>(),
        ["pass"],
        "{:?}",
        outcomes(results, false)
    );
    for r in results.iter().filter(|r| r.op == "mixin.checksum") {
        assert!(r.detail.contains(detail), "{}: {}", r.id, r.detail);
    }
}

const T: Duration = Duration::from_secs(10);

#[test]
fn a_well_behaved_target_passes() {
    let (results, target) = run("none", "", T);
    assert!(results.iter().all(|r| r.outcome == "pass"));
    assert_eq!(target.restarts, 0);
}

#[test]
fn panic_on_one_op() {
    let (results, target) = run("panic-on", "mixin.checksum", T);
    assert_checksums_only(&results, "crashed", "panicking on mixin.checksum");
    assert!(
        target.restarts >= 9,
        "restarted after each crash: {}",
        target.restarts
    );
}

#[test]
fn segfault_on_one_op() {
    let (results, _) = run("segfault-on", "mixin.checksum", T);
    assert_checksums_only(&results, "crashed", "SIGSEGV");
}

#[test]
fn hang_on_one_op() {
    let (results, _) = run("hang-on", "mixin.checksum", Duration::from_millis(300));
    assert_checksums_only(&results, "timeout", "no reply within 300 ms");
}

#[test]
fn garbage_on_one_op() {
    let (results, _) = run("garbage-on", "mixin.checksum", T);
    assert_checksums_only(&results, "protocol-error", "not JSON");
}

#[test]
fn unknown_id_on_one_op() {
    let (results, _) = run("unknown-id-on", "mixin.checksum", T);
    assert_checksums_only(&results, "protocol-error", "unknown id");
}

#[test]
fn repeated_id_on_one_op() {
    let (results, _) = run("repeat-id-on", "mixin.checksum", T);
    let bad = outcomes(&results, true);
    assert!(bad.contains_key("protocol-error"), "{bad:?}");
    assert_eq!(
        outcomes(&results, false).keys().collect::<Vec<_>>(),
        ["pass"]
    );
}

#[test]
fn out_of_order_answers_are_fine() {
    let (results, _) = run("out-of-order", "", T);
    assert!(results.iter().all(|r| r.outcome == "pass"));
}

#[test]
fn a_stderr_flood_is_drained_and_bounded() {
    let (results, target) = run("flood-stderr", "", T);
    assert!(results.iter().all(|r| r.outcome == "pass"));
    drop(target);
}

#[test]
fn exit_at_start_is_retried() {
    let state = tempdir("exit-at-start");
    let (results, _) = run("exit-at-start", &state, T);
    assert!(results.iter().all(|r| r.outcome == "pass"));
}

#[test]
fn exit_mid_run_restarts_and_finishes() {
    let state = tempdir("exit-after");
    let (results, target) = run("exit-after-3", &state, T);
    assert!(target.restarts >= 1);
    // Requests in flight when it left are run again; none is lost, none fails.
    assert!(
        results.iter().all(|r| r.outcome == "pass"),
        "{:?}",
        outcomes(&results, false)
    );
    assert!(target.last_stderr.contains("leaving mid-run") || target.restarts >= 1);
}

#[test]
fn a_target_that_never_starts_is_a_setup_error() {
    let err = Subprocess::spawn_with("false", Options::default())
        .err()
        .unwrap();
    assert!(err.contains("handshake"), "{err}");
    let err = Subprocess::spawn_with("/nonexistent/iut", Options::default())
        .err()
        .unwrap();
    assert!(err.contains("cannot start"), "{err}");
}

fn tempdir(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "sealcheck-{name}-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.display().to_string()
}
