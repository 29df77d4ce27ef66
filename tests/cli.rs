//! The `sealcheck` binary as users run it: real processes, real pipes.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sealcheck");

/// Sends request lines to `sealcheck serve` and returns its reply lines.
fn serve(requests: &[Value]) -> Vec<Value> {
    let mut child = Command::new(BIN)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let stdin = child.stdin.as_mut().unwrap();
        for r in requests {
            writeln!(stdin, "{r}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "serve exits 0 when stdin closes");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn serve_answers_every_mixin_op() {
    let seed = "7e3349801e05ecf41b7f1a9631fab3fc6b245e76e74fe6af4ad9a33da2d6eb9c";
    let x_public = "9f80a9608a1df2d1f8fa019485c26bed9a122832333a51d5c898087e078c062f";
    let id = "ebf59efa-7e44-4799-a014-99ecd2ae1579";
    let random =
        json!({"message_key": "01".repeat(16), "nonce": "02".repeat(12), "ivs": ["03".repeat(16)]});
    let encrypt = |random: Option<&Value>| {
        let mut args = json!({"private_key": "09".repeat(32), "plaintext": "4c41",
            "sessions": [{"session_id": id, "public_key": x_public}]});
        if let Some(r) = random {
            args["random"] = r.clone();
        }
        args
    };
    let replies = serve(&[
        json!({"id": 0, "op": "hello", "args": {"protocol": 1}}),
        json!({"id": 1, "op": "mixin.encrypt", "args": encrypt(Some(&random))}),
        json!({"id": 2, "op": "mixin.encrypt", "args": encrypt(Some(&random))}),
        json!({"id": 3, "op": "mixin.encrypt", "args": encrypt(None)}),
        json!({"id": 4, "op": "mixin.checksum", "args": {"session_ids": []}}),
        json!({"id": 5, "op": "mixin.convert_private_key", "args": {"private_key": seed}}),
        json!({"id": 6, "op": "mixin.convert_public_key", "args": {"public_key": "93c113c960c8d8f81336319696a7294b57f21cc799d906e054a9d250baca80c9"}}),
        json!({"id": 7, "op": "mixin.decrypt", "args": {"private_key": seed, "session_id": id, "body": "02"}}),
    ]);
    assert_eq!(replies.len(), 8);
    let ids: Vec<u64> = replies.iter().map(|r| r["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (0..8).collect::<Vec<_>>());
    let hello = &replies[0]["ok"];
    assert_eq!(hello["protocol"], 1);
    for op in [
        "mixin.encrypt",
        "mixin.decrypt",
        "mixin.checksum",
        "mixin.convert_public_key",
        "mixin.convert_private_key",
    ] {
        assert!(
            hello["ops"].as_array().unwrap().contains(&json!(op)),
            "{op}"
        );
    }
    // Injected randomness: the same bytes twice; without it, fresh bytes.
    assert_eq!(replies[1]["ok"], replies[2]["ok"]);
    assert_ne!(replies[1]["ok"], replies[3]["ok"]);
    let body = replies[1]["ok"]["body"].as_str().unwrap();
    assert!(
        body.contains(&"03".repeat(16)),
        "the injected IV is in the block"
    );
    assert_eq!(replies[4]["ok"]["checksum"], "");
    assert_eq!(
        replies[5]["ok"]["private_key"],
        "e817a4a8d49ffa7930f4fc0db76452a2db6a0aab1ef01fd05bc90fb388c0d257"
    );
    assert_eq!(replies[6]["ok"]["public_key"], x_public);
    assert_eq!(replies[7]["error"]["stage"], "version");

    // Both bodies decrypt for the recipient, through the same process boundary.
    let fresh = replies[3]["ok"]["body"].as_str().unwrap();
    let back = serve(&[
        json!({"id": 0, "op": "hello", "args": {"protocol": 1}}),
        json!({"id": 10, "op": "mixin.decrypt", "args": {"private_key": seed, "session_id": id, "body": body}}),
        json!({"id": 11, "op": "mixin.decrypt", "args": {"private_key": seed, "session_id": id, "body": fresh}}),
    ]);
    assert_eq!(back[1], json!({"id": 10, "ok": {"plaintext": "4c41"}}));
    assert_eq!(back[2], json!({"id": 11, "ok": {"plaintext": "4c41"}}));
}

#[test]
fn inspect_dissects_a_real_body_and_names_a_defect() {
    let flutter = "AQEApm78Ps6VRCy0MCdUtYGEpBb8bxxaGYkn93pjgaP5RlDr9Z76fkRHmaAUmezSrhV59cj7xD+c9V37wRZPdFVgGTkjhv8FTrj25j/DERttJqIdPnzMLYgWmOA1VJ1PfoE8Jso0liRlFVywvX0ocX+LQw30r454kKsar2oXerP4";
    let out = Command::new(BIN)
        .args(["inspect", flutter])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("session[0].id"), "{text}");
    assert!(text.contains("ebf59efa-7e44-4799-a014-99ecd2ae1579"));
    assert!(text.contains("well formed"));

    let out = Command::new(BIN)
        .args(["inspect", "0201000000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("problem: unknown version 2"), "{text}");

    let out = Command::new(BIN).args(["inspect", "!!"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "unreadable input is a usage error"
    );
}

#[test]
fn run_passes_in_process_and_over_the_protocol() {
    // The whole corpus in process; the accumulated families are left to the (optimised)
    // conformance harness, as a debug build takes a while over 50 000 cases.
    let out = Command::new(BIN)
        .args(["run", "--exclude", "*/accumulated/*"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let target = format!("{BIN} serve");
    let out = Command::new(BIN)
        .args(["run", "--target", &target, "--exclude", "*/accumulated/*"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" pass"), "{text}");
    // One accumulated family over the protocol: 10 000 cases, one outcome.
    let out = Command::new(BIN)
        .args([
            "run",
            "--target",
            &target,
            "--filter",
            "mixin.checksum/accumulated/*",
            "-v",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("pass                     mixin.checksum/accumulated/10000-cases"),
        "{text}"
    );
}

fn misbehave() -> String {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join("misbehave").display().to_string()
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sealcheck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn expectations_reports_and_diff() {
    let broken = format!("{} panic-on --op mixin.checksum", misbehave());
    let good = format!("{BIN} serve");
    let exp = tmp("expectations.json");
    let _ = std::fs::remove_file(&exp);
    let filter = [
        "--filter",
        "mixin.checksum/*",
        "--filter",
        "*/upstream/*",
        "--exclude",
        "*/accumulated/*",
    ];

    // A broken target fails; --update-expectations records its failures with reasons.
    let out = Command::new(BIN)
        .args(["run", "--target", &broken])
        .args(filter)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(BIN)
        .args([
            "run",
            "--target",
            &broken,
            "--expectations",
            exp.to_str().unwrap(),
            "--update-expectations",
        ])
        .args(filter)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Value = serde_json::from_str(&std::fs::read_to_string(&exp).unwrap()).unwrap();
    let failures = listed["failures"].as_object().unwrap();
    assert!(failures.len() >= 9);
    assert!(failures.values().all(|f| f["outcome"] == "crashed"));

    // With the file, the same target conforms; reports are written.
    let (json1, junit, md) = (tmp("broken.json"), tmp("broken.xml"), tmp("broken.md"));
    let out = Command::new(BIN)
        .args([
            "run",
            "--target",
            &broken,
            "--expectations",
            exp.to_str().unwrap(),
        ])
        .args([
            "--json",
            json1.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            md.to_str().unwrap(),
        ])
        .args(filter)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json1).unwrap()).unwrap();
    assert_eq!(report["conforming"], true);
    assert!(report["statuses"]["expected-failure"].as_u64().unwrap() >= 9);
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<testsuite name=\"mixin.checksum\""));
    assert!(std::fs::read_to_string(&md)
        .unwrap()
        .contains("## Known failures"));

    // A listed failure that now passes fails the run: the file must stay true.
    let json2 = tmp("good.json");
    let out = Command::new(BIN)
        .args([
            "run",
            "--target",
            &good,
            "--expectations",
            exp.to_str().unwrap(),
            "--json",
            json2.to_str().unwrap(),
        ])
        .args(filter)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("UNEXPECTED pass"));

    // diff: broken -> good is no regression; good -> broken is.
    let (j1, j2) = (json1.to_str().unwrap(), json2.to_str().unwrap());
    let plain = tmp("good-plain.json");
    let out = Command::new(BIN)
        .args(["run", "--target", &good, "--json", plain.to_str().unwrap()])
        .args(filter)
        .output()
        .unwrap();
    assert!(out.status.success());
    let bad_plain = tmp("broken-plain.json");
    let out = Command::new(BIN)
        .args([
            "run",
            "--target",
            &broken,
            "--json",
            bad_plain.to_str().unwrap(),
        ])
        .args(filter)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let d = Command::new(BIN)
        .args(["diff", plain.to_str().unwrap(), bad_plain.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(d.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&d.stdout).contains("REGRESSION"));
    let d = Command::new(BIN)
        .args(["diff", bad_plain.to_str().unwrap(), plain.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(d.status.success());
    let d = Command::new(BIN)
        .args(["diff", j1, "/nonexistent.json"])
        .output()
        .unwrap();
    assert_eq!(d.status.code(), Some(2));
    let _ = j2;
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["run", "--target", "/nonexistent/iut"],
        vec!["run", "--filter", "no-such-vector-id"],
        vec!["run", "--vectors", "/nonexistent.json"],
        vec!["run", "--timeout", "0"],
        vec![
            "generate",
            "--op",
            "mixin.nope",
            "--count",
            "1",
            "--out",
            "/tmp/x.json",
        ],
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn generate_for_user_inputs_round_trips_through_run() {
    let inputs = tmp("inputs.json");
    std::fs::write(
        &inputs,
        r#"[{"session_ids": ["b", "a"]}, {"session_ids": []}]"#,
    )
    .unwrap();
    let out_file = tmp("user-vectors.json");
    let out = Command::new(BIN)
        .args([
            "generate",
            "--op",
            "mixin.checksum",
            "--inputs",
            inputs.to_str().unwrap(),
            "--out",
            out_file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    // md5("ab") and the empty list.
    assert_eq!(
        file["tests"][0]["expected"]["ok"]["checksum"],
        "187ef4436122d1cc2f40dc2b92f0eba0"
    );
    assert_eq!(file["tests"][1]["expected"]["ok"]["checksum"], "");
    let out = Command::new(BIN)
        .args(["run", "--vectors", out_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rnd = tmp("random-vectors.json");
    let out = Command::new(BIN)
        .args([
            "generate",
            "--op",
            "themis.sign",
            "--count",
            "3",
            "--seed",
            "4",
            "--out",
            rnd.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args([
            "run",
            "--vectors",
            rnd.to_str().unwrap(),
            "--target",
            &format!("{BIN} serve"),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
