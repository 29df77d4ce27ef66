//! `sealcheck export`, run as a process: the release validates against its own schema (with
//! the jsonschema crate), its SHA256SUMS hold (recomputed with sha2), every vector file says
//! its corpus_version, and a non-empty directory is refused without --force.

use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn sealcheck(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sealcheck"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealcheck-export-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn an_export_validates_against_its_own_schema_and_its_checksums_hold() {
    let dir = tempdir("release");
    let out = sealcheck(&["export", "--out", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let version = fs::read_to_string(dir.join("VERSION")).unwrap();
    let version = version.trim();
    assert_eq!(version.split('.').count(), 3, "{version}");
    assert!(fs::read_to_string(dir.join("CHANGELOG.md"))
        .unwrap()
        .contains(&format!("## {version}")));

    // Every line of SHA256SUMS holds, and it covers every other file.
    let sums = fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let mut listed = Vec::new();
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").expect("sha256sum text format");
        let bytes = fs::read(dir.join(name)).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), hash, "{name}");
        listed.push(name.to_string());
    }
    let mut all = Vec::new();
    files_under(&dir, &mut all);
    let mut on_disk: Vec<String> = all
        .iter()
        .map(|p| {
            p.strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| p != "SHA256SUMS")
        .collect();
    on_disk.sort();
    listed.sort();
    assert_eq!(listed, on_disk);

    // The exported schema, compiled by the jsonschema crate, accepts every exported vector
    // file, and each says the release's version.
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("schema/vectors.schema.json")).unwrap())
            .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let vector_files: Vec<&PathBuf> = all
        .iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json") && !p.starts_with(dir.join("schema"))
        })
        .collect();
    assert!(vector_files.len() >= 10, "{}", vector_files.len());
    let mut tests = 0;
    for path in &vector_files {
        let value: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        assert_eq!(value["corpus_version"], version, "{}", path.display());
        tests += value["tests"].as_array().unwrap().len();
    }
    // The manifest lists every vector (and family) of the export.
    let manifest = fs::read_to_string(dir.join("verdicts.tsv")).unwrap();
    assert!(manifest.contains(&format!("corpus_version\t{version}\n")));
    let entries = manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("corpus_version\t"))
        .count();
    assert!(
        entries >= tests,
        "{entries} manifest lines for {tests} vectors"
    );

    // A changed byte is caught by the checksums.
    let victim = vector_files[0];
    let text = fs::read_to_string(victim).unwrap();
    fs::write(victim, text.replacen("\"valid\"", "\"invalid\"", 1) + " ").unwrap();
    let name = victim
        .strip_prefix(&dir)
        .unwrap()
        .to_string_lossy()
        .to_string();
    let line = sums
        .lines()
        .find(|l| l.ends_with(&format!("  {name}")))
        .unwrap();
    let (hash, _) = line.split_once("  ").unwrap();
    assert_ne!(hex::encode(Sha256::digest(fs::read(victim).unwrap())), hash);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_non_empty_directory_is_refused_without_force() {
    let dir = tempdir("refuse");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("mine.txt"), "keep me").unwrap();
    let d = dir.to_str().unwrap();

    let out = sealcheck(&["export", "--out", d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    // --force does not clear a directory that is not an earlier export.
    let out = sealcheck(&["export", "--out", d, "--force"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fs::read_to_string(dir.join("mine.txt")).unwrap(), "keep me");

    // An earlier export is refused without --force and replaced with it.
    let release = dir.join("release");
    let r = release.to_str().unwrap();
    assert!(sealcheck(&["export", "--out", r]).status.success());
    fs::write(release.join("stale.json"), "{}").unwrap();
    assert_eq!(sealcheck(&["export", "--out", r]).status.code(), Some(2));
    assert!(release.join("stale.json").exists());
    assert!(sealcheck(&["export", "--out", r, "--force"])
        .status
        .success());
    assert!(!release.join("stale.json").exists());
    assert!(release.join("SHA256SUMS").is_file());
    fs::remove_dir_all(&dir).unwrap();
}
