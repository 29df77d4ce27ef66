//! The harness against implementations that misbehave (examples/misbehave.rs), through the
//! real `sealcheck run` binary. Each run is compared with the honest run of the same
//! implementation on the same slice: a misbehaviour that a rerun cannot pin on a vector
//! changes no vector's result and still fails the run with its incident; honest but odd
//! behaviour gives exactly the honest results; the harness's memory stays bounded and a
//! target's children die with it.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sealcheck");

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

/// Checksums among other ops: 57 vectors, all passing against an honest implementation.
const SLICE: [&str; 6] = [
    "--filter",
    "mixin.checksum/go-kat/*",
    "--filter",
    "*/upstream/*",
    "--filter",
    "mixin.decrypt/go-kat/sessions=1-*",
];

struct Ran {
    code: Option<i32>,
    report: Value,
    stdout: String,
    /// The harness's own peak resident set (VmHWM), in KiB.
    peak_kib: u64,
}

impl Ran {
    fn incidents(&self) -> Vec<&Value> {
        self.report["incidents"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    fn failing_incidents(&self) -> Vec<&Value> {
        self.incidents()
            .into_iter()
            .filter(|i| i["status"] == "failure")
            .collect()
    }

    /// Every result, by id, without its status (which expectations may change).
    fn results(&self) -> BTreeMap<String, Value> {
        self.report["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap().to_owned(), r.clone()))
            .collect()
    }
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealcheck-robust-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `sealcheck run --target "misbehave MODE_ARGS" SLICE --jobs 1 EXTRA --json ...`, watching
/// the harness's peak memory while it runs.
fn run(name: &str, mode_args: &str, extra: &[&str]) -> Ran {
    let dir = tempdir(name);
    let json = dir.join("report.json");
    let target = format!("{} {mode_args}", misbehave().display());
    let mut child = Command::new(BIN)
        .args(["run", "--target", &target, "--jobs", "1"])
        .args(SLICE)
        .args(extra)
        .arg("--json")
        .arg(&json)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let started = Instant::now();
    let mut peak_kib = 0;
    let status = loop {
        // VmHWM only grows, so the last reading before the exit is the peak (give or take
        // the last few milliseconds, in which the harness only writes its report).
        if let Some(k) = vm_hwm_kib(pid) {
            peak_kib = peak_kib.max(k);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            panic!("{name}: sealcheck run did not finish");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = reader.join().unwrap();
    let report = std::fs::read_to_string(&json)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(Value::Null);
    Ran {
        code: status.code(),
        report,
        stdout,
        peak_kib,
    }
}

fn honest() -> &'static Ran {
    static HONEST: OnceLock<Ran> = OnceLock::new();
    HONEST.get_or_init(|| {
        let ran = run("honest", "none", &[]);
        assert_eq!(ran.code, Some(0), "{}", ran.stdout);
        assert!(ran.incidents().is_empty(), "{:?}", ran.incidents());
        assert_eq!(ran.report["restarts"], 0);
        assert!(ran.results().len() > 50, "{}", ran.results().len());
        assert!(ran.peak_kib > 0, "the peak memory can be read");
        ran
    })
}

/// A misbehaviour no rerun reproduces: exit 1, every result exactly the honest one, and an
/// incident of `kind` that fails the run.
fn assert_unreproduced(ran: &Ran, kind: &str) -> Vec<Value> {
    assert_eq!(ran.code, Some(1), "{}", ran.stdout);
    assert_eq!(
        ran.results(),
        honest().results(),
        "no vector's result changes"
    );
    let failing = ran.failing_incidents();
    assert!(
        !failing.is_empty() && failing.iter().all(|i| i["kind"] == kind),
        "{kind}: {failing:#?}"
    );
    assert!(ran.stdout.contains("INCIDENT"), "{}", ran.stdout);
    assert_eq!(ran.report["conforming"], false);
    failing.into_iter().cloned().collect()
}

#[test]
fn a_well_behaved_target_conforms() {
    let h = honest();
    assert!(h
        .results()
        .values()
        .all(|r| r["outcome"] == "pass" || r["outcome"] == "acceptable"));
}

#[test]
fn exit_before_hello_once() {
    let state = tempdir("exit-at-start-state");
    let ran = run(
        "exit-at-start",
        &format!("exit-at-start --state {}", state.display()),
        &[],
    );
    let i = assert_unreproduced(&ran, "exit");
    assert_eq!(i.len(), 1);
    assert_eq!(i[0]["class"], "exit/hello");
    assert_eq!(i[0]["ended"], "exit status: 3");
    assert!(i[0]["stderr_tail"]
        .as_str()
        .unwrap()
        .contains("leaving before the handshake"));
}

#[test]
fn exit_after_every_n_answers() {
    // Every process leaves after five answers, whichever requests they were.
    let ran = run("exit-after", "exit-after --n 5", &[]);
    let i = assert_unreproduced(&ran, "exit");
    assert!(i.len() >= 50 / 5, "one incident per exit: {}", i.len());
    assert!(i.iter().all(|i| i["ended"] == "exit status: 4"));
    // Each incident keeps the words the process left on stderr.
    assert!(i.iter().all(|i| i["stderr_tail"]
        .as_str()
        .unwrap()
        .ends_with("leaving mid-run")));
    assert!(ran.report["restarts"].as_u64().unwrap() >= 10);
}

#[test]
fn one_segfault() {
    let state = tempdir("segfault-state");
    let ran = run(
        "segfault-once",
        &format!(
            "segfault-on --op mixin.checksum --state {}",
            state.display()
        ),
        &[],
    );
    let i = assert_unreproduced(&ran, "signal");
    assert_eq!(i.len(), 1);
    assert!(
        i[0]["ended"].as_str().unwrap().contains("SIGSEGV"),
        "{}",
        i[0]
    );
    // The requests in flight are named, and each was rerun.
    let flight = i[0]["in_flight"].as_array().unwrap();
    assert!(flight
        .iter()
        .any(|f| f["name"].as_str().unwrap().starts_with("mixin.checksum/")));
    assert!(flight.iter().all(|f| f["id"].as_u64().is_some()));
}

#[test]
fn one_garbage_line() {
    let state = tempdir("garbage-state");
    let ran = run(
        "garbage-once",
        &format!("garbage-on --op mixin.checksum --state {}", state.display()),
        &[],
    );
    let i = assert_unreproduced(&ran, "not-json");
    assert_eq!(i.len(), 1);
    assert_eq!(i[0]["line"], "this is not json");
}

#[test]
fn one_unknown_id() {
    let state = tempdir("unknown-state");
    let ran = run(
        "unknown-once",
        &format!(
            "unknown-id-on --op mixin.checksum --state {}",
            state.display()
        ),
        &[],
    );
    let i = assert_unreproduced(&ran, "unknown-id");
    assert_eq!(i.len(), 1);
    assert!(i[0]["id"].as_u64().unwrap() > 1_000_000);
}

#[test]
fn one_repeated_id() {
    let state = tempdir("repeat-state");
    let ran = run(
        "repeat-once",
        &format!(
            "repeat-id-on --op mixin.checksum --state {}",
            state.display()
        ),
        &[],
    );
    let i = assert_unreproduced(&ran, "repeated-id");
    assert_eq!(i.len(), 1);
    // The request answered twice is known, and its rerun was answered once.
    let culprit = i[0]["culprit"].as_str().unwrap();
    assert!(culprit.starts_with("mixin.checksum/go-kat/"), "{culprit}");
    assert_eq!(i[0]["class"], "repeated-id/mixin.checksum");
}

#[test]
fn one_hang() {
    let state = tempdir("hang-state");
    let ran = run(
        "hang-once",
        &format!("hang-on --op mixin.checksum --state {}", state.display()),
        &["--timeout", "2"],
    );
    let i = assert_unreproduced(&ran, "timeout");
    assert_eq!(i.len(), 1);
    assert_eq!(i[0]["what"], "no reply within 2000 ms");
}

/// Honest but odd: exactly the honest results and exit status, and no incident.
fn assert_as_honest(ran: &Ran) {
    assert_eq!(ran.code, honest().code, "{}", ran.stdout);
    assert_eq!(ran.results(), honest().results());
    assert!(ran.incidents().is_empty(), "{:#?}", ran.incidents());
    assert_eq!(ran.report["conforming"], true);
}

#[test]
fn twenty_megabytes_on_stderr_before_answering() {
    let ran = run("stderr-20", "flood-stderr --mib 20", &[]);
    assert_as_honest(&ran);
    // Only the tail is kept: the last 4096 bytes, all of the flood.
    let tail = ran.report["stderr_tail"].as_str().unwrap();
    assert_eq!(tail.len(), 4096, "{}", tail.len());
    assert!(tail.bytes().all(|b| b == b'x'));
}

#[test]
fn answers_out_of_order() {
    assert_as_honest(&run("out-of-order", "out-of-order", &[]));
}

#[test]
fn slow_answers() {
    // 100 ms an answer with all 57 in flight: the last is answered 5.7 s after it was sent.
    // That is no timeout, since replies keep coming (the timeout counts from the last one).
    let ran = run("slow", "slow --ms 100", &["--timeout", "4"]);
    assert_as_honest(&ran);
}

/// A deterministic misbehaviour on checksums: those get `outcome`, everything else is as
/// honest, and every incident is pinned (none fails the run on its own).
fn assert_pinned(ran: &Ran, outcome: &str, detail: &str) {
    assert_eq!(ran.code, Some(1));
    let h = honest().results();
    for (id, r) in ran.results() {
        if id.starts_with("mixin.checksum/") {
            assert_eq!(r["outcome"], outcome, "{id}: {r}");
            assert!(r["detail"].as_str().unwrap().contains(detail), "{id}: {r}");
        } else {
            assert_eq!(r, h[&id], "{id}");
        }
    }
    assert!(
        ran.failing_incidents().is_empty(),
        "{:#?}",
        ran.failing_incidents()
    );
    assert!(ran.incidents().iter().all(|i| i["status"] == "pinned"));
}

#[test]
fn a_panic_on_every_checksum_is_pinned_on_each() {
    let ran = run("panic-on", "panic-on --op mixin.checksum", &[]);
    assert_pinned(&ran, "crashed", "panicking on mixin.checksum");
    // Each checksum crashed alone, then alone on a fresh process.
    assert!(ran.report["restarts"].as_u64().unwrap() >= 18);
}

#[test]
fn a_segfault_on_every_checksum_is_pinned_on_each() {
    assert_pinned(
        &run("segfault-on", "segfault-on --op mixin.checksum", &[]),
        "crashed",
        "SIGSEGV",
    );
}

#[test]
fn a_hang_on_every_checksum_is_pinned_on_each() {
    assert_pinned(
        &run(
            "hang-on",
            "hang-on --op mixin.checksum",
            &["--timeout", "1"],
        ),
        "timeout",
        "no reply within 1000 ms",
    );
}

#[test]
fn violations_on_every_checksum_are_pinned_on_each() {
    for (mode, detail) in [
        ("garbage-on", "not JSON"),
        ("unknown-id-on", "unknown id"),
        ("repeat-id-on", "a second reply"),
    ] {
        assert_pinned(
            &run(mode, &format!("{mode} --op mixin.checksum"), &[]),
            "protocol-error",
            detail,
        );
    }
}

#[test]
fn a_line_that_never_ends_is_cut_at_the_limit() {
    let ran = run("endless", "endless-line-on --op mixin.checksum", &[]);
    assert_pinned(&ran, "protocol-error", "longer than 16777216 bytes");
    let i = &ran.incidents()[0];
    assert_eq!(i["kind"], "line-too-long");
    assert!(i["line"].as_str().unwrap().starts_with("{\"id\":zzz"));
    // Each endless line cost at most the limit, in one buffer that the next one reuses.
    let grew = ran.peak_kib.saturating_sub(honest().peak_kib);
    assert!(grew < 24 << 10, "the harness grew by {grew} KiB");

    // The measurement does see line buffers: with a 96 MiB limit the harness holds one.
    let big = run(
        "endless-96",
        "endless-line-on --op mixin.checksum",
        &["--max-line", "96"],
    );
    assert_pinned(&big, "protocol-error", "longer than 100663296 bytes");
    let grew = big.peak_kib.saturating_sub(honest().peak_kib);
    assert!(grew > 80 << 10, "the harness grew by only {grew} KiB");
}

#[test]
fn gigabytes_on_stderr_leave_memory_bounded() {
    // 2 GiB before the handshake: the handshake only comes once all of it is drained.
    let ran = run(
        "stderr-2g",
        "flood-stderr --mib 2048",
        &["--timeout", "120"],
    );
    assert_as_honest(&ran);
    let grew = ran.peak_kib.saturating_sub(honest().peak_kib);
    assert!(grew < 16 << 10, "the harness grew by {grew} KiB");
}

/// Whether a process is still running (a zombie waiting for its reaper is not).
fn alive(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => false,
        Ok(stat) => {
            let state = stat.rsplit(')').next().unwrap_or("").trim_start();
            !state.starts_with('Z') && !state.starts_with('X')
        }
    }
}

fn grandchild(state: &Path) -> String {
    std::fs::read_to_string(state.join("grandchild.pid")).unwrap()
}

#[test]
fn a_target_that_starts_a_child_and_dies_leaves_nothing_running() {
    let state = tempdir("spawn-state");
    let ran = run(
        "spawn-and-die",
        &format!(
            "spawn-and-die-on --op mixin.checksum --state {}",
            state.display()
        ),
        &[],
    );
    let i = assert_unreproduced(&ran, "signal");
    assert!(
        i[0]["ended"].as_str().unwrap().contains("SIGABRT"),
        "{}",
        i[0]
    );
    let pid = grandchild(&state);
    assert!(!alive(&pid), "the target's child {pid} survived");
}

#[test]
fn a_child_that_keeps_the_pipes_open_dies_too() {
    // The dead target's child holds stdout: no end of file, so the timeout notices.
    let state = tempdir("spawn-pipes-state");
    let ran = run(
        "spawn-keep-pipes",
        &format!(
            "spawn-and-die-on --op mixin.checksum --n 1 --state {}",
            state.display()
        ),
        &["--timeout", "2"],
    );
    assert_unreproduced(&ran, "timeout");
    let pid = grandchild(&state);
    assert!(!alive(&pid), "the target's child {pid} survived");
}

#[test]
fn a_target_that_never_starts_is_a_setup_error() {
    for target in ["false", "/nonexistent/iut"] {
        let out = Command::new(BIN)
            .args(["run", "--target", target])
            .args(SLICE)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{target}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("handshake") || err.contains("cannot start"),
            "{err}"
        );
    }
}

#[test]
fn an_unreproduced_incident_is_in_every_report_and_in_diff() {
    let dir = tempdir("reports");
    let state = tempdir("reports-state");
    let (junit, md, exp) = (dir.join("r.xml"), dir.join("r.md"), dir.join("known.json"));
    let mode = format!(
        "segfault-on --op mixin.checksum --state {}",
        state.display()
    );
    let ran = run(
        "reports-run",
        &mode,
        &[
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            md.to_str().unwrap(),
        ],
    );
    let class = assert_unreproduced(&ran, "signal")[0]["class"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        ran.stdout
            .contains(&format!("INCIDENT                 {class}")),
        "{}",
        ran.stdout
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuite name=\"incidents\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    assert!(xml.contains("<failure type=\"signal\""), "{xml}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("## Incidents"), "{text}");
    assert!(
        text.contains(&format!("| `{class}` | **not reproduced** |")),
        "{text}"
    );

    // diff: the honest run, then this one, is a regression; the other way round is not.
    let (old, new) = (dir.join("old.json"), dir.join("new.json"));
    std::fs::write(&old, honest().report.to_string()).unwrap();
    std::fs::write(&new, ran.report.to_string()).unwrap();
    let d = Command::new(BIN)
        .args(["diff"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    assert_eq!(d.status.code(), Some(1));
    let said = String::from_utf8_lossy(&d.stdout);
    assert!(
        said.contains(&format!("REGRESSION  incident {class}")),
        "{said}"
    );
    let d = Command::new(BIN)
        .args(["diff"])
        .arg(&new)
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(d.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&d.stdout).contains(&format!("gone        incident {class}")));

    // Listed in an expectations file with a reason, the class no longer fails the run.
    std::fs::write(
        &exp,
        r#"{"implementation": "misbehave", "incidents": {"signal/*": {"reason": "segfaults once in a while"}}}"#,
    )
    .unwrap();
    let state2 = tempdir("reports-state-2");
    let mode2 = format!(
        "segfault-on --op mixin.checksum --state {}",
        state2.display()
    );
    let known = run(
        "reports-known",
        &mode2,
        &["--expectations", exp.to_str().unwrap()],
    );
    assert_eq!(known.code, Some(0), "{}", known.stdout);
    assert_eq!(known.incidents()[0]["status"], "known");
    assert_eq!(
        known.incidents()[0]["known_incident"],
        "segfaults once in a while"
    );
    assert!(known.stdout.contains("known incident"), "{}", known.stdout);

    // --update-expectations records a new class with the incident's words.
    let state3 = tempdir("reports-state-3");
    let fresh = dir.join("fresh.json");
    let mode3 = format!(
        "garbage-on --op mixin.checksum --state {}",
        state3.display()
    );
    let updated = run(
        "reports-update",
        &mode3,
        &[
            "--expectations",
            fresh.to_str().unwrap(),
            "--update-expectations",
        ],
    );
    assert_eq!(updated.code, Some(0), "{}", updated.stdout);
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&fresh).unwrap()).unwrap();
    let classes: Vec<&String> = file["incidents"].as_object().unwrap().keys().collect();
    assert_eq!(classes.len(), 1, "{file}");
    assert!(classes[0].starts_with("not-json/"), "{file}");
}
