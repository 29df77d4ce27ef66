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
