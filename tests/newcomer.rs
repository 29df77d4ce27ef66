//! A newcomer's first hour (issue 15), as tests that start the real binary: verdicts that
//! say what was checked, commands that refuse to do damage, messages that name the problem.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sealcheck");

fn sealcheck(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealcheck-newcomer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn a_closed_stdout_ends_every_command_quietly() {
    let hex = "554543320000002df8e0eb5f02ad35cffc4dddf60b74348c9d04ea4041d78f29c9a7a771898f02802d8432e7f4";
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/mixin/checksum.json");
    let commands: Vec<(Vec<&str>, i32)> = vec![
        (
            vec![
                "run",
                "--filter",
                "mixin.checksum/",
                "--exclude",
                "*/accumulated/*",
                "-v",
            ],
            0,
        ),
        (vec!["lint", vectors], 0),
        (vec!["inspect", hex], 0),
        (vec!["--help"], 0),
        (vec!["run", "--help"], 0),
        (vec!["show", "mixin.checksum/go-kat/single"], 0),
        (vec!["peer", "--dump-fixtures"], 0),
        (vec!["peer", "--help"], 0),
    ];
    for (args, code) in commands {
        let mut child = Command::new(BIN)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the read end before the child writes: its first write finds no reader.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
    // serve: the harness went away; nobody is left to answer, and that is no error.
    let mut child = Command::new(BIN)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let _ = writeln!(stdin, r#"{{"id":0,"op":"hello","args":{{"protocol":1}}}}"#);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

fn example(name: &str) -> String {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join(name).display().to_string()
}

#[test]
fn inspect_says_how_it_read_the_input_and_can_cut_the_table() {
    // Odd-length hex cannot be hex: it is read as base64, and the first line says so.
    let out = sealcheck(&["inspect", "abc"]);
    let text = stdout(&out);
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("read as base64") && first.contains("odd number"),
        "{text}"
    );
    let out = sealcheck(&["inspect", "--encoding", "hex", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("odd number"), "{}", stderr(&out));
    let out = sealcheck(&["inspect", "0101ff00"]);
    assert!(
        stdout(&out).starts_with("read as hex (8 digits)\n"),
        "{}",
        stdout(&out)
    );

    // A body of 300 sessions has 900 block fields: cut to --max-fields, and said so.
    let mut body = vec![1u8, 0x2c, 0x01];
    body.extend([7u8; 32]);
    body.extend(std::iter::repeat_n(0u8, 64 * 300 + 12 + 16));
    let hex = hex::encode(&body);
    let all = stdout(&sealcheck(&["inspect", "--max-fields", "0", &hex]));
    assert!(
        all.contains("session[299].wrapped_key"),
        "every field with 0"
    );
    let cut = stdout(&sealcheck(&["inspect", "--max-fields", "10", &hex]));
    assert!(cut.lines().count() < 20, "{cut}");
    assert!(
        cut.contains("more fields not shown (--max-fields 0 shows all"),
        "{cut}"
    );
    assert!(cut.contains("tag") && cut.contains("well formed"), "{cut}");
    let default = stdout(&sealcheck(&["inspect", &hex]));
    assert!(
        default.lines().count() < 80,
        "a default cut: {}",
        default.lines().count()
    );
    let brief = stdout(&sealcheck(&["inspect", "--brief", &hex]));
    assert_eq!(brief.lines().count(), 4, "{brief}");
    assert!(
        brief.contains("Mixin encrypted message body (19263 bytes)"),
        "{brief}"
    );
}

#[cfg(not(feature = "mutants"))]
#[test]
fn mutants_without_the_feature_says_how_to_get_it() {
    for args in [
        vec!["mutants"],
        vec!["mutants", "--protocol"],
        vec!["serve", "--mutant", "x"],
    ] {
        let out = sealcheck(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("--features mutants"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn generate_refuses_to_write_outside_the_repository_or_without_op() {
    let dir = tmp("not-a-checkout");
    std::fs::create_dir_all(&dir).unwrap();
    for args in [
        vec!["generate"],
        vec!["generate", "--check"],
        vec!["generate", "--count", "3"],
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            std::fs::read_dir(&dir).unwrap().next().is_none(),
            "{args:?} wrote into {}",
            dir.display()
        );
        assert!(!stdout(&out).contains("would change"), "{args:?}");
    }
    let out = Command::new(BIN)
        .args(["generate"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("not a checkout of the sealcheck repository"),
        "{}",
        stderr(&out)
    );
    let out = Command::new(BIN)
        .args(["generate", "--count", "3"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(stderr(&out).contains("--op"), "{}", stderr(&out));

    // Bad --inputs: a sentence with the expected shape, not Rust debug output.
    let inputs = tmp("bad-inputs.json");
    std::fs::write(&inputs, r#"[{"ids": ["a"]}]"#).unwrap();
    let out_file = tmp("bad-inputs-out.json");
    let out = sealcheck(&[
        "generate",
        "--op",
        "mixin.checksum",
        "--inputs",
        inputs.to_str().unwrap(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("missing argument \"session_ids\"") && err.contains("\"session_ids\": ["),
        "{err}"
    );
    assert!(!err.contains("Error {") && !err.contains("Some("), "{err}");
    std::fs::write(&inputs, r#"{"session_ids": ["a"]}"#).unwrap();
    let out = sealcheck(&[
        "generate",
        "--op",
        "mixin.checksum",
        "--inputs",
        inputs.to_str().unwrap(),
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert!(
        stderr(&out).contains("--inputs takes a JSON array"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_of_the_wrong_shape_is_named_and_lint_names_the_root() {
    let arr = tmp("array.json");
    std::fs::write(&arr, "[2]").unwrap();
    let out = sealcheck(&["run", "--vectors", arr.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the top level is an array"),
        "{}",
        stderr(&out)
    );
    let out = sealcheck(&["lint", arr.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("(at the root)") && !text.contains("(at )"),
        "{text}"
    );
}

#[test]
fn unknown_ops_and_formats_are_named_and_help_lists_the_valid_ones() {
    for (args, bad) in [
        (vec!["run", "--op", "mixin.bogus"], "mixin.bogus"),
        (vec!["run", "--format", "bogus"], "bogus"),
        (
            vec![
                "generate",
                "--op",
                "themis.nope",
                "--count",
                "1",
                "--out",
                "/dev/null",
            ],
            "themis.nope",
        ),
    ] {
        let out = sealcheck(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            err.contains(bad) && err.contains("mixin") && err.contains("possible values"),
            "{err}"
        );
        assert!(!err.contains("no vector matches"), "{err}");
    }
    let help = stdout(&sealcheck(&["run", "--help"]));
    for op in ["mixin.checksum", "themis.key.check", "themis.decrypt"] {
        assert!(help.contains(op), "run --help lists {op}");
    }
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    // The list comes from the top-level help, so a subcommand added later is checked too.
    let top = stdout(&sealcheck(&["--help"]));
    let subcommands: Vec<&str> = top
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section")
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| l.as_bytes().get(2).is_some_and(|b| b.is_ascii_lowercase()))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|sub| *sub != "help" && (*sub != "mutants" || cfg!(feature = "mutants")))
        .collect();
    for expected in [
        "run", "show", "serve", "inspect", "generate", "peer", "diff", "merge",
    ] {
        assert!(
            subcommands.contains(&expected),
            "{expected} in {subcommands:?}"
        );
    }
    for sub in subcommands {
        let out = sealcheck(&[sub, "--help"]);
        let text = stdout(&out);
        assert!(out.status.success(), "{sub}");
        assert!(
            text.contains("Examples:\n  sealcheck "),
            "{sub} --help:\n{text}"
        );
        assert!(text.contains("Exit codes:"), "{sub} --help:\n{text}");
    }
    assert!(stdout(&sealcheck(&["--help"])).contains("Start here:"));
}

#[test]
fn a_hello_without_name_version_or_ops_is_a_setup_error() {
    for (fields, missing) in [
        ("ops", "lacks ops"),
        ("name,ops", "lacks name"),
        ("version", "lacks version"),
    ] {
        let target = format!("{} hello-without {fields}", example("sparse"));
        let out = sealcheck(&["run", "--target", &target, "--op", "mixin.checksum"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{fields}: {err}");
        assert!(
            err.contains(missing) && err.contains("docs/PROTOCOL.md"),
            "{err}"
        );
        assert!(!stdout(&out).contains("conforming"), "{}", stdout(&out));
    }
}

/// The conformance harness's binary, built beside this test by `cargo test`.
fn conformance_binary() -> PathBuf {
    let deps = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let newest = std::fs::read_dir(&deps)
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("conformance-") && !name.contains('.')
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok());
    newest
        .map(|e| e.path())
        .expect("harness/conformance.rs is built: cargo test builds every test target")
}

#[test]
fn skipped_vectors_are_ignored_under_libtest_not_passed() {
    let bin = conformance_binary();
    let target = format!("{} only mixin.checksum", example("sparse"));
    let out = Command::new(&bin)
        .args(["go-kat/", "--test-threads", "1"])
        .env("SEALCHECK_TARGET", &target)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let line = |id: &str| {
        text.lines()
            .find(|l| l.contains(&format!(" {id} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        line("mixin.decrypt/go-kat/sessions=1-len=0-recipient=0")
            .ends_with("... ignored (sparse-only does not list op mixin.decrypt)"),
        "{text}"
    );
    assert!(
        line("mixin.checksum/go-kat/single").ends_with("... ok"),
        "{text}"
    );
    let summary = text.lines().find(|l| l.starts_with("test result")).unwrap();
    let passed: usize = summary
        .split("ok. ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        passed > 0 && passed < 20,
        "only the checksum vectors pass: {summary}"
    );
    // An `unsupported` answer is ignored too.
    let target = format!("{} unsupported mixin.checksum", example("sparse"));
    let out = Command::new(&bin)
        .args(["mixin.checksum/go-kat/single", "--exact"])
        .env("SEALCHECK_TARGET", &target)
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("ignored (sparse does not do mixin.checksum)"),
        "{}",
        stdout(&out)
    );
    // A hello that lists no ops is refused before any trial.
    let target = format!("{} hello-without ops", example("sparse"));
    let out = Command::new(&bin)
        .env("SEALCHECK_TARGET", &target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("lacks ops"), "{}", stderr(&out));
}

#[test]
fn show_gives_the_vector_its_flags_and_dissected_args() {
    let id = "mixin.decrypt/session_count/count-256-in-one-session-body";
    let out = sealcheck(&["show", id]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text.starts_with(&format!("{id}\n")), "{text}");
    assert!(
        text.contains("expected    invalid") && text.contains("at stage session_count"),
        "{text}"
    );
    assert!(
        text.contains("comment     A one-session body whose count says 256"),
        "{text}"
    );
    // A flag with its meaning, from the file's notes.
    assert!(
        text.contains(
            "flag        CountLowByte (ParsingBug): The Ruby gem reads only the low byte"
        ),
        "{text}"
    );
    // The body dissected as inspect does, with the defect.
    assert!(
        text.contains("body: Mixin encrypted message body (147 bytes)"),
        "{text}"
    );
    assert!(text.contains("(256 sessions, u16 little-endian)"), "{text}");
    assert!(
        text.contains("problem: session count 256 needs 16384 bytes"),
        "{text}"
    );
    // A unique part of an id is enough; --json is the vector as its file has it.
    let part = stdout(&sealcheck(&["show", "count-256-in-one-session"]));
    assert_eq!(part, text);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&sealcheck(&["show", "--json", id]))).unwrap();
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vectors/mixin/decrypt.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let in_file = file["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap();
    assert_eq!(&json, in_file);
    // A Themis key argument is dissected too.
    let out = stdout(&sealcheck(&["show", "themis.verify/valid/ec-p256-2-bytes"]));
    assert!(
        out.contains("public_key: Themis key container (ec_public, P-256) (45 bytes)"),
        "{out}"
    );
    assert!(
        out.contains("signed: Themis Secure Message (EC signed) (85 bytes)"),
        "{out}"
    );
    assert!(out.contains("expected output\n    message  5dd3"), "{out}");
    // Not found, or ambiguous: exit 2 with the candidates.
    let out = sealcheck(&["show", "no-such-vector-anywhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no vector id contains"),
        "{}",
        stderr(&out)
    );
    let out = sealcheck(&["show", "go-kat/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("ids match") && stderr(&out).contains("mixin.checksum/go-kat/single")
    );
    // A family: its seed and count, and one case with the reference's answer.
    let out = sealcheck(&[
        "show",
        "mixin.checksum/accumulated/10000-cases",
        "--case",
        "3",
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        text.contains("10000 cases made from seed") && text.contains("case 3"),
        "{text}"
    );
    assert!(
        text.contains("the reference answers\n    ok:{\"checksum\":"),
        "{text}"
    );
}

/// docs/PROTOCOL.md's example transcript is a real one: its requests, sent to
/// `sealcheck serve`, get exactly its responses.
#[test]
fn the_protocol_transcript_is_what_serve_answers() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/PROTOCOL.md")).unwrap();
    let section = doc
        .split("## Example transcript")
        .nth(1)
        .expect("PROTOCOL.md has an example transcript");
    let block = section.split("```").nth(1).unwrap();
    let lines = |mark: &str| -> Vec<String> {
        block
            .lines()
            .filter_map(|l| l.strip_prefix(mark))
            .map(str::to_owned)
            .collect()
    };
    let (requests, responses) = (lines("→ "), lines("← "));
    assert!(requests.len() >= 4 && requests.len() == responses.len());
    let mut child = Command::new(BIN)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for r in &requests {
        writeln!(stdin, "{r}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let got: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(got, responses);
}

#[test]
fn a_filter_that_matches_nothing_says_so() {
    let out = sealcheck(&["run", "--filter", "sesion_count"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--filter \"sesion_count\" matches no id"),
        "{err}"
    );
    let out = sealcheck(&["run", "--filter", "go-kat", "--exclude", "*"]);
    assert!(
        stderr(&out).contains("left out by --exclude"),
        "{}",
        stderr(&out)
    );
}

fn sparse(mode: &str) -> String {
    format!("{} {mode}", example("sparse"))
}

/// The verdict line: the last line of stdout.
fn verdict(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_owned()
}

fn json_report(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_run_that_checks_only_some_vectors_says_partial() {
    let json = tmp("partial.json");
    let target = sparse("only mixin.checksum");
    let args = [
        "run",
        "--target",
        &target,
        "--op",
        "mixin.checksum",
        "--op",
        "mixin.convert_public_key",
        "--exclude",
        "*/accumulated/*",
        "--json",
        json.to_str().unwrap(),
    ];
    let out = sealcheck(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = json_report(&json);
    let results = report["results"].as_array().unwrap();
    let checked = results.iter().filter(|r| r["outcome"] != "skipped").count();
    assert!(checked > 0 && checked < results.len());
    assert_eq!(
        verdict(&out),
        format!("PARTIAL: {checked} of {} checked", results.len()),
        "{}",
        stdout(&out)
    );
    assert_eq!(report["verdict"], "partial");
    assert!(!stdout(&out).starts_with('\n'), "no blank first line");
    // --require-all makes it a failure.
    let mut strict = args.to_vec();
    strict.push("--require-all");
    let out = sealcheck(&strict);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(verdict(&out).starts_with("PARTIAL"), "{}", stdout(&out));
    // Every vector checked: conforming, even with --require-all.
    let out = sealcheck(&[
        "run",
        "--target",
        &target,
        "--op",
        "mixin.checksum",
        "--exclude",
        "*/accumulated/*",
        "--require-all",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(verdict(&out), "conforming");
}

#[test]
fn lost_coverage_is_a_regression_in_diff() {
    let (old, new) = (tmp("diff-old.json"), tmp("diff-new.json"));
    for (mode, path) in [
        ("only mixin.checksum,mixin.convert_public_key", &old),
        ("only mixin.checksum", &new),
    ] {
        let target = sparse(mode);
        let out = sealcheck(&[
            "run",
            "--target",
            &target,
            "--op",
            "mixin.checksum",
            "--op",
            "mixin.convert_public_key",
            "--exclude",
            "*/accumulated/*",
            "--json",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = sealcheck(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let lost = json_report(&old)["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["op"] == "mixin.convert_public_key")
        .count();
    assert!(lost > 0);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("LOST")).count(),
        lost,
        "{text}"
    );
    assert!(text.contains(&format!("{lost} lost coverage")), "{text}");
    // The other way round, coverage is gained: no regression.
    let out = sealcheck(&["diff", new.to_str().unwrap(), old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Vectors gone from the new report are lost coverage too.
    let mut gone = json_report(&old);
    gone["results"].as_array_mut().unwrap().pop();
    let gone_path = tmp("diff-gone.json");
    std::fs::write(&gone_path, gone.to_string()).unwrap();
    let out = sealcheck(&["diff", old.to_str().unwrap(), gone_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("LOST"), "{}", stdout(&out));
}

#[test]
fn expectations_naming_no_vector_are_an_error_and_stale_ones_hint_at_updating() {
    let path = tmp("expect-unknown.json");
    std::fs::write(
        &path,
        r#"{"implementation": "x", "failures": {"mixin.checksum/no-such/vector": {"outcome": "fail", "reason": "r"}}}"#,
    )
    .unwrap();
    let out = sealcheck(&[
        "run",
        "--filter",
        "mixin.checksum/go-kat/single",
        "--expectations",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("mixin.checksum/no-such/vector")
            && stderr(&out).contains("no such vector"),
        "{}",
        stderr(&out)
    );
    // A listed failure that now passes: the run fails, and says how to update the file.
    let path = tmp("expect-stale.json");
    std::fs::write(
        &path,
        r#"{"implementation": "x", "failures": {"mixin.checksum/go-kat/single": {"outcome": "fail", "reason": "r"}}}"#,
    )
    .unwrap();
    let out = sealcheck(&[
        "run",
        "--filter",
        "mixin.checksum/go-kat/single",
        "--expectations",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("1 listed failure now passes")
            && stdout(&out).contains("--update-expectations"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn setup_mistakes_are_found_before_the_run() {
    // A report path that cannot be written: refused before anything runs.
    let out = sealcheck(&["run", "--json", "/nonexistent-dir/x.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent-dir/x.json"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    // --window 0 is refused.
    let out = sealcheck(&["run", "--window", "0", "--target", "sealcheck serve"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--window"), "{}", stderr(&out));
    // A missing program: said once.
    let out = sealcheck(&["run", "--target", "no-such-program-sealcheck"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).matches("cannot start").count(),
        1,
        "{}",
        stderr(&out)
    );
    // A target that exits during the handshake, silently: said so, not an empty `stderr:`.
    let target = sparse("exit-in-handshake");
    let out = sealcheck(&["run", "--target", &target]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("(nothing on stderr)"), "{err}");
    assert!(
        !err.contains("stderr: \n") && !err.ends_with("stderr: "),
        "{err}"
    );
}

#[test]
fn progress_lines_off_a_terminal_and_a_summary_that_names_the_families() {
    let out = sealcheck(&["run", "--op", "mixin.checksum"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("vectors done"), "{err}");
    assert!(
        err.contains("family 1 of 1 done: mixin.checksum/accumulated/10000-cases"),
        "{err}"
    );
    let text = stdout(&out);
    assert!(
        text.contains(" vectors + 1 accumulated family of 10000 cases"),
        "{text}"
    );
    assert!(!text.starts_with('\n'), "{text}");
}

#[test]
fn every_report_carries_the_failing_vectors_args_and_comment() {
    let (json, junit, md) = (tmp("args.json"), tmp("args.xml"), tmp("args.md"));
    let target = sparse("wrong mixin.checksum");
    let out = sealcheck(&[
        "run",
        "--target",
        &target,
        "--filter",
        "mixin.checksum/go-kat/single",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
        "--markdown",
        md.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json_report(&json);
    let r = &report["results"][0];
    let file: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/vectors/curated/mixin/checksum-go.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let v = file["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "mixin.checksum/go-kat/single")
        .unwrap();
    assert_eq!(r["args"], v["args"]);
    assert_eq!(r["comment"], v["comment"]);
    let id0 = v["args"]["session_ids"][0].as_str().unwrap();
    let comment = v["comment"].as_str().unwrap();
    let text = stdout(&out);
    assert!(text.contains(id0) && text.contains(comment), "{text}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(id0), "{xml}");
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(
        markdown.contains(id0) && markdown.contains(comment),
        "{markdown}"
    );
}

#[test]
fn a_family_stops_once_its_outcome_is_known() {
    let json = tmp("crash-family.json");
    let target = sparse("crash-on mixin.checksum");
    let out = sealcheck(&[
        "run",
        "--target",
        &target,
        "--filter",
        "mixin.checksum/accumulated/",
        "--jobs",
        "1",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json_report(&json);
    assert_eq!(report["results"][0]["outcome"], "crashed", "{report}");
    let restarts = report["restarts"].as_u64().unwrap();
    assert!(restarts <= 3, "restarted {restarts} times");
}

#[test]
fn partial_holds_across_jobs_and_merged_shards() {
    let target = sparse("only mixin.checksum");
    let base = [
        "run",
        "--target",
        &target,
        "--op",
        "mixin.checksum",
        "--op",
        "mixin.convert_public_key",
        "--filter",
        "go-kat/",
        "--filter",
        "accumulated/",
    ];
    let whole = tmp("partial-whole.json");
    let out = sealcheck(
        &[
            &base[..],
            &["--jobs", "2", "--json", whole.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let whole = json_report(&whole);
    assert_eq!(whole["verdict"], "partial");
    let mut shards = Vec::new();
    for k in 1..=2 {
        let path = tmp(&format!("partial-shard-{k}.json"));
        let part = format!("{k}/2");
        let out = sealcheck(
            &[
                &base[..],
                &["--partition", &part, "--json", path.to_str().unwrap()],
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        shards.push(path.to_str().unwrap().to_owned());
    }
    let merged = tmp("partial-merged.json");
    let out = sealcheck(
        &[
            &["merge"][..],
            &shards.iter().map(String::as_str).collect::<Vec<_>>(),
            &["--json", merged.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let checked = whole["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] != "skipped")
        .count();
    let total = whole["results"].as_array().unwrap().len();
    assert_eq!(
        verdict(&out),
        format!("PARTIAL: {checked} of {total} checked")
    );
    assert_eq!(json_report(&merged)["verdict"], "partial");
}

#[test]
fn a_target_that_cannot_start_gets_a_hint() {
    let dir = tmp("hint");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("adapter.py"), "print('hi')\n").unwrap();
    let run = |target: &str| {
        Command::new(BIN)
            .args(["run", "--target", target])
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let out = run("adapter.py");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--target \"./adapter.py\"")
            && stderr(&out).contains("python3 adapter.py"),
        "{}",
        stderr(&out)
    );
    let out = run("./adapter.py");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Permission denied") && stderr(&out).contains("chmod +x"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_family_whose_target_hangs_stops_too() {
    let json = tmp("hang-family.json");
    let target = format!("{} hang-on --op mixin.checksum", example("misbehave"));
    let out = sealcheck(&[
        "run",
        "--target",
        &target,
        "--filter",
        "mixin.checksum/accumulated/",
        "--jobs",
        "1",
        "--timeout",
        "1",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json_report(&json);
    assert_eq!(report["results"][0]["outcome"], "timeout", "{report}");
    let restarts = report["restarts"].as_u64().unwrap();
    assert!(restarts <= 4, "restarted {restarts} times");
}

#[test]
fn peer_setup_mistakes_are_said_in_words() {
    // A port someone else holds: the message names the address, exit 2, before serving.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap().to_string();
    let out = sealcheck(&["peer", "--listen", &addr]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("cannot serve: {addr}: ")),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    // --timeout 0 would mean every request times out: refused, with the range in words.
    let out = sealcheck(&["peer", "--timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("1..=3600"), "{}", stderr(&out));
    // A fixtures file that is not there: named.
    let out = sealcheck(&["peer", "--fixtures", "/nonexistent-dir/world.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read /nonexistent-dir/world.json"),
        "{}",
        stderr(&out)
    );
}
