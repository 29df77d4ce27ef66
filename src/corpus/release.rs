//! The corpus as a versioned release: its version (`vectors/VERSION`, the one place it is
//! defined), its changelog, and the committed manifest of every id's meaning
//! (`vectors/verdicts.tsv`) that `lint` compares with the corpus, so that a verdict cannot
//! change without a major version bump.

use super::{VectorFile, Verdict};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// The corpus version: `vectors/VERSION`, trimmed.
pub fn corpus_version() -> &'static str {
    include_str!("../../vectors/VERSION").trim()
}

/// The changelog shipped with every export.
pub const CHANGELOG: &str = include_str!("../../vectors/CHANGELOG.md");

/// The committed manifest (`vectors/verdicts.tsv`); empty before the first release.
pub const MANIFEST: &str = include_str!("../../vectors/verdicts.tsv");

/// A corpus version: `MAJOR.MINOR.PATCH`, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    /// Parses `MAJOR.MINOR.PATCH` (decimal, no leading `v`, no pre-release).
    pub fn parse(s: &str) -> Result<Version, String> {
        let parts: Vec<&str> = s.split('.').collect();
        let number = |p: &str| {
            (!p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p == "0" || !p.starts_with('0')))
            .then(|| p.parse::<u64>().ok())
            .flatten()
        };
        match parts.as_slice() {
            [a, b, c] => match (number(a), number(b), number(c)) {
                (Some(a), Some(b), Some(c)) => Ok(Version(a, b, c)),
                _ => Err(format!("{s:?} is not MAJOR.MINOR.PATCH")),
            },
            _ => Err(format!("{s:?} is not MAJOR.MINOR.PATCH")),
        }
    }

    /// Whether going from `old` to `self` is at least a `bump`.
    pub fn allows(self, old: Version, bump: Bump) -> bool {
        match bump {
            Bump::None => self >= old,
            Bump::Patch => self > old,
            Bump::Minor => (self.0, self.1) > (old.0, old.1),
            Bump::Major => self.0 > old.0,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The least version bump a set of changes needs (docs/VECTORS.md, "Versions").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing the manifest records changed.
    None,
    /// Only what the manifest does not record (comments, flags, notes, provenance).
    Patch,
    /// Vectors added.
    Minor,
    /// A vector removed, or an id whose verdict, stage, output or args changed.
    Major,
}

/// One manifest: the version it was made for, and every id's meaning in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The corpus version.
    pub version: Version,
    /// id → "verdict<TAB>detail<TAB>args digest" (see [`manifest_of`]).
    pub entries: BTreeMap<String, String>,
}

const HEADER: &str =
    "# sealcheck corpus manifest: one line per vector id: id, verdict, what the verdict\n\
# pins (the stage, a digest of the exact output, or the checker), and a digest of the args.\n\
# Written by `sealcheck export --manifest`; `sealcheck lint` compares it with the corpus.\n";

/// The first 16 hex digits of the SHA-256 of a JSON value as serde_json writes it.
fn digest(v: &serde_json::Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// The manifest of `files` at `version`: what each id means to an implementation under test.
pub fn manifest_of(files: &[(String, VectorFile)], version: Version) -> Manifest {
    let mut entries = BTreeMap::new();
    for (_, file) in files {
        for v in &file.tests {
            let e = &v.expected;
            let verdict = match e.result {
                Verdict::Valid => "valid",
                Verdict::Invalid => "invalid",
                Verdict::Acceptable => "acceptable",
            };
            let detail = match (&e.ok, &e.stage, &e.check) {
                (Some(ok), _, _) => format!("ok:{}", digest(ok)),
                (None, Some(stage), _) => format!("stage:{}", stage_name(stage)),
                (None, None, Some(check)) => match serde_json::to_value(check) {
                    Ok(c) => format!("check:{}", digest(&c)),
                    Err(_) => "check".into(),
                },
                (None, None, None) => "-".into(),
            };
            entries.insert(
                v.id.clone(),
                format!("{verdict}\t{detail}\targs:{}", digest(&v.args)),
            );
        }
        for a in &file.accumulated {
            entries.insert(
                a.id.clone(),
                format!(
                    "accumulated\tdigest:{}\tcount:{} seed:{}",
                    a.digest, a.count, a.seed
                ),
            );
        }
    }
    Manifest { version, entries }
}

fn stage_name(stage: &crate::wire::Stage) -> String {
    match serde_json::to_value(stage) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{stage:?}"),
    }
}

impl Manifest {
    /// The file's text: the header, the version line, then one sorted line per id.
    pub fn to_text(&self) -> String {
        let mut out = String::from(HEADER);
        out.push_str(&format!("corpus_version\t{}\n", self.version));
        for (id, rest) in &self.entries {
            out.push_str(&format!("{id}\t{rest}\n"));
        }
        out
    }

    /// Reads a manifest's text; `None` for an empty file (no release yet).
    pub fn parse(text: &str) -> Result<Option<Manifest>, String> {
        let mut lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        let Some(first) = lines.next() else {
            return Ok(None);
        };
        let version = match first.split_once('\t') {
            Some(("corpus_version", v)) => Version::parse(v)?,
            _ => return Err("the first line is not corpus_version<TAB>VERSION".into()),
        };
        let mut entries = BTreeMap::new();
        for line in lines {
            let (id, rest) = line
                .split_once('\t')
                .ok_or_else(|| format!("not id<TAB>...: {line:?}"))?;
            if entries.insert(id.to_string(), rest.to_string()).is_some() {
                return Err(format!("duplicate id {id}"));
            }
        }
        Ok(Some(Manifest { version, entries }))
    }
}

/// What changed between two manifests, and the bump it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Ids only in the new one.
    pub added: Vec<String>,
    /// Ids only in the old one.
    pub removed: Vec<String>,
    /// Ids in both whose line differs: (id, old, new).
    pub changed: Vec<(String, String, String)>,
}

impl Changes {
    /// Compares `old` with `new`.
    pub fn between(old: &Manifest, new: &Manifest) -> Changes {
        let mut c = Changes::default();
        for (id, line) in &new.entries {
            match old.entries.get(id) {
                None => c.added.push(id.clone()),
                Some(o) if o != line => c.changed.push((id.clone(), o.clone(), line.clone())),
                Some(_) => {}
            }
        }
        c.removed = old
            .entries
            .keys()
            .filter(|id| !new.entries.contains_key(*id))
            .cloned()
            .collect();
        c
    }

    /// The least bump these changes need.
    pub fn bump(&self) -> Bump {
        if !self.removed.is_empty() || !self.changed.is_empty() {
            Bump::Major
        } else if !self.added.is_empty() {
            Bump::Minor
        } else {
            Bump::None
        }
    }

    /// One sentence per change, at most `limit` of them, then how many were left out.
    pub fn describe(&self, limit: usize) -> Vec<String> {
        let all: Vec<String> = self
            .removed
            .iter()
            .map(|id| format!("{id}: removed (major)"))
            .chain(
                self.changed
                    .iter()
                    .map(|(id, o, n)| format!("{id}: was {o}, now {n} (major)")),
            )
            .chain(self.added.iter().map(|id| format!("{id}: added (minor)")))
            .collect();
        let mut out: Vec<String> = all.iter().take(limit).cloned().collect();
        if all.len() > limit {
            out.push(format!("... and {} more", all.len() - limit));
        }
        out
    }
}

const REGENERATE: &str = "sealcheck export --manifest > vectors/verdicts.tsv";

/// The manifest for the current corpus and version, refused (with the reason) when the
/// changes since the committed manifest need a bigger bump than `vectors/VERSION` makes.
pub fn next_manifest(files: &[(String, VectorFile)]) -> Result<Manifest, String> {
    let version = Version::parse(corpus_version()).map_err(|e| format!("vectors/VERSION: {e}"))?;
    let new = manifest_of(files, version);
    let Some(old) = Manifest::parse(MANIFEST).map_err(|e| format!("vectors/verdicts.tsv: {e}"))?
    else {
        return Ok(new);
    };
    let changes = Changes::between(&old, &new);
    let bump = changes.bump();
    if version.allows(old.version, bump) {
        return Ok(new);
    }
    let mut why = vec![format!(
        "since corpus {} these changes need a {} bump, and vectors/VERSION says {version}:",
        old.version,
        bump_name(bump)
    )];
    why.extend(changes.describe(20).into_iter().map(|l| format!("  {l}")));
    Err(why.join("\n"))
}

fn bump_name(b: Bump) -> &'static str {
    match b {
        Bump::None | Bump::Patch => "patch",
        Bump::Minor => "minor",
        Bump::Major => "major",
    }
}

/// What `lint` says about the release files for the whole corpus: the version is semver, the
/// changelog has a section for it, and the committed manifest is exactly the corpus's at that
/// version (a change of meaning without the bump it needs is named id by id).
pub fn release_problems(files: &[(String, VectorFile)]) -> Vec<String> {
    let version = match Version::parse(corpus_version()) {
        Ok(v) => v,
        Err(e) => return vec![format!("vectors/VERSION: {e}")],
    };
    let mut problems = Vec::new();
    if !CHANGELOG
        .lines()
        .any(|l| l.trim_end() == format!("## {version}"))
    {
        problems.push(format!(
            "vectors/CHANGELOG.md: no \"## {version}\" section for the corpus version"
        ));
    }
    let old = match Manifest::parse(MANIFEST) {
        Ok(Some(m)) => m,
        Ok(None) => {
            problems.push(format!(
                "vectors/verdicts.tsv is empty: write it with {REGENERATE}"
            ));
            return problems;
        }
        Err(e) => {
            problems.push(format!("vectors/verdicts.tsv: {e}"));
            return problems;
        }
    };
    let new = manifest_of(files, version);
    let changes = Changes::between(&old, &new);
    let bump = changes.bump();
    if bump == Bump::None && old.version == version {
        return problems;
    }
    if version.allows(old.version, bump) {
        problems.push(format!(
            "vectors/verdicts.tsv is for corpus {}, the corpus is {version}{}: rewrite it with {REGENERATE}",
            old.version,
            if bump == Bump::None { "" } else { " and has changed" }
        ));
    } else {
        problems.push(format!(
            "vectors/verdicts.tsv: since corpus {} these changes need a {} version bump, and vectors/VERSION says {version} (docs/VECTORS.md, Versions):",
            old.version,
            bump_name(bump)
        ));
    }
    problems.extend(
        changes
            .describe(20)
            .into_iter()
            .map(|l| format!("vectors/verdicts.tsv: {l}")),
    );
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::load_embedded;

    #[test]
    fn versions_are_strict_semver_and_bumps_ordered() {
        assert_eq!(Version::parse("1.20.3"), Ok(Version(1, 20, 3)));
        for bad in [
            "1.2",
            "v1.2.3",
            "1.2.3-rc1",
            "01.2.3",
            "1..3",
            "",
            "1.2.3.4",
        ] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
        let v = Version(1, 4, 2);
        assert!(Version(2, 0, 0).allows(v, Bump::Major));
        assert!(!Version(1, 9, 0).allows(v, Bump::Major));
        assert!(Version(1, 5, 0).allows(v, Bump::Minor));
        assert!(!Version(1, 4, 3).allows(v, Bump::Minor));
        assert!(Version(1, 4, 3).allows(v, Bump::Patch));
        assert!(v.allows(v, Bump::None));
        assert!(!Version(1, 4, 1).allows(v, Bump::None));
    }

    #[test]
    fn the_committed_version_and_changelog_agree() {
        let v = Version::parse(corpus_version()).unwrap();
        assert!(CHANGELOG.contains(&format!("\n## {v}\n")));
    }

    #[test]
    fn a_manifest_reads_back_what_it_wrote() {
        let files = load_embedded().unwrap();
        let m = manifest_of(&files, Version(3, 1, 4));
        let vectors: usize = files
            .iter()
            .map(|(_, f)| f.tests.len() + f.accumulated.len())
            .sum();
        assert_eq!(m.entries.len(), vectors);
        assert_eq!(Manifest::parse(&m.to_text()), Ok(Some(m)));
        assert_eq!(Manifest::parse(""), Ok(None));
        assert!(Manifest::parse("corpus_version\t1.0\n").is_err());
    }

    /// The corpus with one change made by `edit` to its first file of `op`.
    fn changed(op: &str, edit: impl Fn(&mut VectorFile)) -> Changes {
        let files = load_embedded().unwrap();
        let old = manifest_of(&files, Version(1, 0, 0));
        let mut files2 = files.clone();
        let (_, file) = files2.iter_mut().find(|(_, f)| f.op == op).unwrap();
        edit(file);
        Changes::between(&old, &manifest_of(&files2, Version(1, 0, 0)))
    }

    #[test]
    fn meaning_changes_are_major_additions_minor_and_comments_nothing() {
        // A verdict flipped.
        let c = changed("mixin.decrypt", |f| {
            let v = f
                .tests
                .iter_mut()
                .find(|v| v.expected.result == Verdict::Invalid)
                .unwrap();
            v.expected.result = Verdict::Acceptable;
        });
        assert_eq!((c.bump(), c.changed.len()), (Bump::Major, 1));
        // A stage moved.
        let c = changed("mixin.decrypt", |f| {
            let i = f
                .tests
                .iter()
                .position(|v| v.expected.stage.is_some())
                .unwrap();
            let first = f.tests[i].expected.stage;
            let other = f
                .tests
                .iter()
                .filter_map(|w| w.expected.stage)
                .find(|s| Some(*s) != first)
                .unwrap();
            f.tests[i].expected.stage = Some(other);
        });
        assert_eq!(c.bump(), Bump::Major);
        // Args changed under the same id.
        let c = changed("mixin.checksum", |f| {
            f.tests[0].args = serde_json::json!({"session_ids": ["x"]});
        });
        assert_eq!(c.bump(), Bump::Major);
        // A vector removed.
        let c = changed("themis.verify", |f| {
            f.tests.pop();
        });
        assert_eq!((c.bump(), c.removed.len()), (Bump::Major, 1));
        // A vector added.
        let c = changed("themis.verify", |f| {
            let mut v = f.tests[0].clone();
            v.id.push_str("-again");
            f.tests.push(v);
        });
        assert_eq!((c.bump(), c.added.len()), (Bump::Minor, 1));
        // Comments, flags and provenance are not recorded.
        let c = changed("themis.verify", |f| {
            f.tests[0].comment = "reworded".into();
            f.tests[0].expected.provenance.clear();
            f.description = "reworded".into();
        });
        assert_eq!(c.bump(), Bump::None);
        assert!(c.describe(20).is_empty());
    }
}
