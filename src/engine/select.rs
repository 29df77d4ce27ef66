//! Which vectors a run takes: by file format and op, and by id patterns.

use crate::corpus::{Accumulated, Vector, VectorFile};

/// The ops a selection can name: every op of docs/PROTOCOL.md.
pub const OPS: &[&str] = crate::protocol::OPS;

/// The formats a selection can name.
pub const FORMATS: &[&str] = &["mixin", "themis"];

/// What a run selects; the default selects everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only ids matching one of these (all when empty); see [`matches`].
    pub filters: Vec<String>,
    /// Leave out ids matching any of these.
    pub excludes: Vec<String>,
    /// Only files of this format (`mixin` or `themis`).
    pub format: Option<String>,
    /// Only files of these ops (all when empty).
    pub ops: Vec<String>,
}

impl Selection {
    fn takes_file(&self, f: &VectorFile) -> bool {
        self.format.as_ref().is_none_or(|fmt| &f.format == fmt)
            && (self.ops.is_empty() || self.ops.contains(&f.op))
    }

    fn takes_id(&self, id: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|p| matches(p, id)))
            && !self.excludes.iter().any(|p| matches(p, id))
    }
}

/// Whether `id` is selected by `pattern`: `*` matches any run of characters across the
/// whole id; a pattern without `*` matches as a substring.
pub fn matches(pattern: &str, id: &str) -> bool {
    if !pattern.contains('*') {
        return id.contains(pattern);
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts
        .split_first()
        .map(|(f, r)| (*f, r))
        .unwrap_or(("", &[]));
    let Some(mut remaining) = id.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(i) => remaining = remaining.get(i + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    remaining.ends_with(last)
}

/// The vectors a run selects, with their ops, in corpus order.
pub fn select<'a>(
    files: &'a [(String, VectorFile)],
    selection: &Selection,
) -> Vec<(&'a str, &'a Vector)> {
    files
        .iter()
        .filter(|(_, f)| selection.takes_file(f))
        .flat_map(|(_, f)| f.tests.iter().map(move |v| (f.op.as_str(), v)))
        .filter(|(_, v)| selection.takes_id(&v.id))
        .collect()
}

/// The accumulated families a run selects, with their ops.
pub fn select_accumulated<'a>(
    files: &'a [(String, VectorFile)],
    selection: &Selection,
) -> Vec<(&'a str, &'a Accumulated)> {
    files
        .iter()
        .filter(|(_, f)| selection.takes_file(f))
        .flat_map(|(_, f)| f.accumulated.iter().map(move |a| (f.op.as_str(), a)))
        .filter(|(_, a)| selection.takes_id(&a.id))
        .collect()
}

/// Why `selection` selects nothing from `files`, in words: the option that matched nothing,
/// so a typo in `--filter` is not told apart from an empty corpus only by guessing.
pub fn why_nothing(files: &[(String, VectorFile)], selection: &Selection) -> String {
    let ids = |f: &VectorFile| -> Vec<String> {
        f.tests
            .iter()
            .map(|v| v.id.clone())
            .chain(f.accumulated.iter().map(|a| a.id.clone()))
            .collect()
    };
    let taken: Vec<&VectorFile> = files
        .iter()
        .map(|(_, f)| f)
        .filter(|f| selection.takes_file(f))
        .collect();
    if files.is_empty() || files.iter().all(|(_, f)| ids(f).is_empty()) {
        return "no vector matches the selection: the vector files hold no vectors".into();
    }
    if taken.is_empty() {
        let what = match (&selection.format, selection.ops.as_slice()) {
            (Some(fmt), []) => format!("--format {fmt}"),
            (None, ops) => format!("--op {}", ops.join(", --op ")),
            (Some(fmt), ops) => format!("--format {fmt} with --op {}", ops.join(", --op ")),
        };
        let mut present: Vec<&str> = files.iter().map(|(_, f)| f.op.as_str()).collect();
        present.sort_unstable();
        present.dedup();
        return format!(
            "no vector matches the selection: no vector file is of {what} (the files have \
             ops {})",
            present.join(", ")
        );
    }
    let all: Vec<String> = taken.iter().flat_map(|f| ids(f)).collect();
    let dead: Vec<&String> = selection
        .filters
        .iter()
        .filter(|p| !all.iter().any(|id| matches(p, id)))
        .collect();
    if !dead.is_empty() && dead.len() == selection.filters.len() {
        let shown: Vec<String> = dead.iter().map(|p| format!("{p:?}")).collect();
        return format!(
            "no vector matches the selection: --filter {} matches no id{} (a pattern without \
             `*` matches a part of an id, e.g. --filter session_count; `*` matches any run of \
             characters, e.g. --filter 'mixin.decrypt/*/count-*'; ids are listed by \
             `sealcheck run -v`)",
            shown.join(", --filter "),
            if taken.len() < files.len() {
                " of the selected ops"
            } else {
                ""
            }
        );
    }
    "no vector matches the selection: every id the filters match is left out by --exclude".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches("decrypt", "mixin.decrypt/x"));
        assert!(matches(
            "mixin.*/upstream/*",
            "mixin.decrypt/upstream/flutter"
        ));
        assert!(!matches(
            "mixin.*/upstream",
            "mixin.decrypt/upstream/flutter"
        ));
        assert!(matches("*flutter*", "mixin.decrypt/upstream/flutter-x"));
        assert!(matches("*", "anything"));
        assert!(!matches("themis.*", "mixin.decrypt/a"));
        assert!(matches("a*b*c", "a-b-b-c"));
        assert!(!matches("a*b*c", "a-c"));
    }

    #[test]
    fn an_empty_selection_says_which_option_matched_nothing() {
        let files = crate::corpus::load_embedded().unwrap();
        let why = |s: Selection| why_nothing(&files, &s);
        let typo = why(Selection {
            filters: vec!["sesion_count".into()],
            ..Default::default()
        });
        assert!(
            typo.contains("--filter \"sesion_count\" matches no id"),
            "{typo}"
        );
        let other_op = why(Selection {
            ops: vec!["mixin.checksum".into()],
            filters: vec!["session_count".into()],
            ..Default::default()
        });
        assert!(
            other_op.contains("matches no id of the selected ops"),
            "{other_op}"
        );
        let excluded = why(Selection {
            filters: vec!["go-kat/single".into()],
            excludes: vec!["*".into()],
            ..Default::default()
        });
        assert!(excluded.contains("--exclude"), "{excluded}");
        assert!(why_nothing(&[], &Selection::default()).contains("hold no vectors"));
    }

    #[test]
    fn selection_by_format_op_and_id() {
        let files = crate::corpus::load_embedded().unwrap();
        let all = select(&files, &Selection::default());
        let total: usize = files.iter().map(|(_, f)| f.tests.len()).sum();
        assert_eq!(all.len(), total);
        let mixin = Selection {
            format: Some("mixin".into()),
            excludes: vec!["*/upstream/*".into()],
            ..Default::default()
        };
        let some = select(&files, &mixin);
        assert!(!some.is_empty() && some.len() < all.len());
        assert!(some
            .iter()
            .all(|(op, v)| op.starts_with("mixin.") && !v.id.contains("/upstream/")));
        let one_op = Selection {
            ops: vec!["themis.verify".into()],
            ..Default::default()
        };
        assert!(select_accumulated(&files, &one_op)
            .iter()
            .all(|(op, _)| *op == "themis.verify"));
    }
}
