//! `--jobs` and `--partition`, through the real binary: the reports of one job and of
//! several are identical, the merged reports of the shards of a run are the report of the
//! unsharded run, and the CI recipe in docs/ci does what it says.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sealcheck");

/// Every vector, and the two cheapest families (a debug build takes a while over the rest).
const SELECTION: [&str; 12] = [
    "--exclude",
    "mixin.decrypt/accumulated/*",
    "--exclude",
    "mixin.encrypt/accumulated/*",
    "--exclude",
    "mixin.convert_public_key/accumulated/*",
    "--exclude",
    "themis.*/accumulated/*",
    "--exclude",
    "themis.key.check/accumulated/*",
    "--exclude",
    "themis.sign/accumulated/*",
];

fn misbehave() -> String {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    dir.join("examples").join("misbehave").display().to_string()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealcheck-scale-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Reports carry no timings today; should one appear, it must not make equal runs differ.
fn without_timings(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.retain(|k, _| !k.contains("elapsed") && !k.ends_with("_ms") && !k.ends_with("_secs"));
    }
    v
}

/// A merged report has no `family` record (the digest the implementation produced over a
/// whole family): each shard saw only its blocks of cases. Everything else must be equal.
fn without_family_records(mut v: Value) -> Value {
    if let Some(results) = v.get_mut("results").and_then(Value::as_array_mut) {
        for r in results {
            if let Some(o) = r.as_object_mut() {
                o.remove("family");
            }
        }
    }
    v
}

/// `sealcheck run ARGS --json OUT`: the exit code and the report.
fn run(dir: &Path, name: &str, args: &[&str]) -> (Option<i32>, Value) {
    let out = dir.join(format!("{name}.json"));
    let status = Command::new(BIN)
        .arg("run")
        .args(args)
        .arg("--json")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.code() != Some(2),
        "{name}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    (status.status.code(), read(&out))
}

#[test]
fn reports_do_not_depend_on_jobs() {
    let dir = tempdir("jobs");
    let serve = format!("{BIN} serve");
    let wrong = format!("{} wrong-on --op mixin.checksum", misbehave());
    let with = |target: Option<&str>| -> Vec<String> {
        let mut a: Vec<String> = SELECTION.iter().map(|s| s.to_string()).collect();
        if let Some(t) = target {
            a.extend(["--target".to_owned(), t.to_owned()]);
        }
        a
    };
    for (name, target, jobs, code) in [
        ("reference", None, "3", 0),
        ("serve", Some(serve.as_str()), "2", 0),
        ("wrong", Some(wrong.as_str()), "3", 1),
    ] {
        let args = with(target);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (c1, one) = run(
            &dir,
            &format!("{name}-1"),
            &[&args[..], &["--jobs", "1"]].concat(),
        );
        let (cn, many) = run(
            &dir,
            &format!("{name}-n"),
            &[&args[..], &["--jobs", jobs]].concat(),
        );
        assert_eq!((c1, cn), (Some(code), Some(code)), "{name}");
        assert_eq!(
            without_timings(one.clone()),
            without_timings(many),
            "{name}"
        );
        let families = one["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["expected"] == "accumulated")
            .count();
        assert_eq!(families, 2, "{name}: the two families ran");
        if name == "wrong" {
            // The failing family names its first wrong case the same way at any job count.
            let fam = one["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == "mixin.checksum/accumulated/10000-cases")
                .unwrap();
            assert_eq!(fam["outcome"], "fail");
            assert!(fam["detail"].as_str().unwrap().contains("case "), "{fam}");
        }
    }
}

/// Runs every shard of `partition` (`count:*/3`), merges them, and returns the merged report
/// and the shards' exit codes.
fn sharded(dir: &Path, name: &str, mode: &str, of: usize, args: &[&str]) -> (i32, Value, Vec<i32>) {
    let mut files = Vec::new();
    let mut codes = Vec::new();
    for k in 1..=of {
        let shard = format!("{name}-{mode}-{k}");
        let part = format!("{mode}:{k}/{of}");
        let (code, report) = run(dir, &shard, &[args, &["--partition", &part]].concat());
        assert_eq!(report["partition"]["shard"], k);
        codes.push(code.unwrap());
        files.push(dir.join(format!("{shard}.json")));
    }
    let merged = dir.join(format!("{name}-{mode}-merged.json"));
    // In any order.
    files.reverse();
    let out = Command::new(BIN)
        .arg("merge")
        .args(&files)
        .arg("--json")
        .arg(&merged)
        .output()
        .unwrap();
    (out.status.code().unwrap(), read(&merged), codes)
}

#[test]
fn merged_shards_are_the_unsharded_report() {
    let dir = tempdir("shards");
    let wrong = format!("{} wrong-on --op mixin.checksum", misbehave());
    let mut wrong_args: Vec<&str> = SELECTION.to_vec();
    wrong_args.extend(["--target", wrong.as_str()]);
    for (name, args, code) in [
        ("reference", SELECTION.to_vec(), 0),
        ("wrong", wrong_args, 1),
    ] {
        let (c, whole) = run(&dir, &format!("{name}-whole"), &args);
        assert_eq!(c, Some(code), "{name}");
        assert!(whole.get("partition").is_none());
        for (mode, of) in [("count", 3), ("hash", 2)] {
            let (merged_code, merged, codes) = sharded(&dir, name, mode, of, &args);
            assert_eq!(merged_code, code, "{name} {mode}");
            assert_eq!(
                without_timings(merged),
                without_family_records(without_timings(whole.clone())),
                "{name} {mode}"
            );
            if name == "wrong" {
                // Every shard holds some wrong checksums, so each fails on its own too.
                assert!(codes.iter().all(|&c| c == 1), "{codes:?}");
            } else {
                assert!(codes.iter().all(|&c| c == 0), "{codes:?}");
            }
        }
    }
}

#[test]
fn merge_refuses_shards_that_do_not_belong_together() {
    let dir = tempdir("refuse");
    let filter = ["--filter", "mixin.checksum/*"];
    let shard = |name: &str, part: &str, extra: &[&str]| {
        run(
            &dir,
            name,
            &[&filter[..], &["--partition", part], extra].concat(),
        );
        dir.join(format!("{name}.json"))
    };
    let one = shard("a1", "1/2", &[]);
    let two = shard("a2", "2/2", &[]);
    let other = shard("b2", "2/2", &["--exclude", "*/accumulated/*"]);
    let third = shard("c1", "1/3", &[]);
    let merge = |files: &[&PathBuf]| {
        let out = Command::new(BIN).arg("merge").args(files).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _) = merge(&[&one, &two]);
    assert_eq!(code, Some(0));
    for (files, why) in [
        (vec![&one], "missing"),
        (vec![&one, &one, &two], "twice"),
        (vec![&one, &other], "not a shard of the same run"),
        (vec![&one, &third], "not a shard of the same run"),
    ] {
        let (code, err) = merge(&files);
        assert_eq!(code, Some(2), "{why}");
        assert!(err.contains(why), "{why}: {err}");
    }
    // An unsharded report is not a shard.
    run(&dir, "whole", &filter);
    let (code, err) = merge(&[&dir.join("whole.json")]);
    assert_eq!(code, Some(2));
    assert!(err.contains("not one shard"), "{err}");
}

#[test]
fn the_ci_recipe_runs_as_written() {
    let recipe = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci/sharded-conformance.yml"),
    )
    .unwrap();
    let value = |key: &str| -> String {
        recipe
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}: ")))
            .unwrap_or_else(|| panic!("{key} not in the recipe"))
            .to_owned()
    };
    let shards: usize = value("SHARDS").parse().unwrap();
    let matrix: Vec<usize> = value("shard")
        .trim_matches(['[', ']'])
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    assert_eq!(
        matrix,
        (1..=shards).collect::<Vec<_>>(),
        "the matrix has SHARDS shards"
    );
    // The recipe's own sealcheck lines, run by a shell with its variables.
    let commands: Vec<&str> = recipe
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("\"$SEALCHECK\""))
        .collect();
    let (shard_cmd, merge_cmd) = match commands.as_slice() {
        [s, m] if s.contains(" run ") && m.contains(" merge ") => (*s, *m),
        other => panic!("expected one run and one merge line: {other:?}"),
    };
    let dir = tempdir("recipe");
    let expectations = dir.join("expectations.json");
    std::fs::write(
        &expectations,
        r#"{"implementation": "sealcheck-reference"}"#,
    )
    .unwrap();
    let sh = |cmd: &str, shard: usize, extra: &[&str]| {
        // The selection is appended, to keep a debug build quick.
        let script = format!("mkdir -p shards && {cmd} \"$@\"");
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .args(extra)
            .current_dir(&dir)
            .env("SEALCHECK", BIN)
            .env("TARGET", format!("{BIN} serve"))
            .env("EXPECTATIONS", &expectations)
            .env("SHARDS", shards.to_string())
            .env("SHARD", shard.to_string())
            .output()
            .unwrap()
    };
    for k in 1..=shards {
        let out = sh(shard_cmd, k, &SELECTION);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(dir.join(format!("shards/shard-{k}.json")).exists());
    }
    let out = sh(merge_cmd, 0, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["merged.json", "merged.xml", "merged.md"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let serve = format!("{BIN} serve");
    let whole = [
        &SELECTION[..],
        &[
            "--target",
            serve.as_str(),
            "--expectations",
            expectations.to_str().unwrap(),
            "--timeout",
            "30",
        ],
    ]
    .concat();
    let (code, report) = run(&dir, "unsharded", &whole);
    assert_eq!(code, Some(0));
    assert_eq!(
        without_timings(read(&dir.join("merged.json"))),
        without_family_records(without_timings(report))
    );
}
