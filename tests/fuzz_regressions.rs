//! Replays every committed fuzz regression input (`fuzz/regressions/<target>/*`) and, when
//! present, the local fuzz corpus (`fuzz/corpus/<target>/*`) through the same drivers the
//! cargo-fuzz targets use (`sealcheck::fuzz::replay`), on stable, asserting no panic.

use std::path::Path;

fn replay_dir(root: &Path, required: bool) -> usize {
    let Ok(targets) = std::fs::read_dir(root) else {
        assert!(!required, "{} is missing", root.display());
        return 0;
    };
    let mut n = 0;
    let mut targets: Vec<_> = targets.flatten().map(|e| e.path()).collect();
    targets.sort();
    for dir in targets.iter().filter(|p| p.is_dir()) {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            sealcheck::fuzz::TARGETS.contains(&target.as_str()),
            "{}: no fuzz target {target:?}",
            dir.display()
        );
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let result = std::panic::catch_unwind(|| sealcheck::fuzz::replay(&target, &data));
            assert!(result.is_ok(), "{} panicked in {target}", file.display());
            n += 1;
        }
    }
    n
}

#[test]
fn regressions_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let n = replay_dir(&root, true);
    assert!(n > 0, "no regression inputs under {}", root.display());
}

#[test]
fn local_corpus_does_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let corpus = root.join("corpus");
    if corpus.is_dir() {
        let n = replay_dir(&corpus, true);
        assert!(n > 0, "{} holds no inputs", corpus.display());
        return;
    }
    // Without a local corpus (a fresh clone: it is git-ignored), the committed regressions
    // stand in for it: every target must have some, so the replay above covers each one.
    for target in sealcheck::fuzz::TARGETS {
        let dir = root.join("regressions").join(target);
        let inputs = std::fs::read_dir(&dir)
            .map(|d| d.flatten().filter(|e| e.path().is_file()).count())
            .unwrap_or(0);
        assert!(
            inputs > 0,
            "no committed regression input for {target} in {}",
            dir.display()
        );
    }
}

#[test]
fn every_target_runs_on_empty_and_small_inputs() {
    for target in sealcheck::fuzz::TARGETS {
        for data in [
            &[][..],
            &[0][..],
            &[0xff; 64][..],
            &[1, 2, 3, 4, 5, 6, 7, 8][..],
        ] {
            sealcheck::fuzz::replay(target, data);
        }
    }
}

/// Random inputs for the structure-aware targets: every edit the reference accepts must give
/// back the original plaintext (asserted inside the driver), and must be harmless by its
/// kind: in a Mixin body, an edit of session blocks (another recipient's: the recipient's own
/// block cannot change without the tag failing), or an insertion of nothing. A signed or
/// encrypted Themis message admits no edit at all. The census is printed
/// (`cargo test --test fuzz_regressions -- --nocapture`).
#[test]
fn accepted_edits_keep_the_plaintext() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let harmless = |edit: &str| {
        let session_block = ["].id", "].iv", "].wrapped_key"];
        let fields = edit.matches("session[").count();
        let named = session_block
            .iter()
            .map(|f| edit.matches(f).count())
            .sum::<usize>();
        (fields > 0 && fields == named && !edit.contains("session_count"))
            || edit.starts_with("insert 0 bytes before ")
            // The mutation vocabulary's spelling of an insertion of nothing.
            || edit.ends_with(" insert []")
    };
    for target in ["mixin_decrypt", "themis_verify", "themis_decrypt"] {
        let mut census = std::collections::BTreeMap::<String, usize>::new();
        for _ in 0..1500 {
            let len = 40 + (next() % 120) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Some(what) = sealcheck::fuzz::accepted_edit(target, &data) {
                for edit in what.split("; ") {
                    assert!(harmless(edit), "{target}: the reference accepted {what:?}");
                }
                let general: String = what.chars().filter(|c| !c.is_ascii_digit()).collect();
                *census.entry(general).or_default() += 1;
            }
        }
        println!("{target}: accepted edits");
        for (what, n) in &census {
            println!("  {n:>5}  {what}");
        }
        if target == "mixin_decrypt" {
            // Some inputs do reach the accepting path, so the check above is not vacuous.
            assert!(census.values().sum::<usize>() >= 10, "{census:?}");
        } else {
            assert!(census.is_empty(), "{target}: {census:?}");
        }
    }
}
