//! Vector ids and implementation names as file names: safe on every file system and in a
//! URL without escaping, and one-to-one, so two ids never share a page.

/// The file name (without `.html`) of an id: `[a-z0-9.-]` kept, `/` as `~`, everything else
/// (upper-case letters included, for case-insensitive file systems) as `_` and two hex
/// digits per UTF-8 byte. A leading `.` is escaped too, so no page is hidden.
pub fn file_stem(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for (i, b) in id.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'-' => out.push(char::from(b)),
            b'.' if i > 0 => out.push('.'),
            b'/' => out.push('~'),
            _ => out.push_str(&format!("_{b:02x}")),
        }
    }
    // Keep names well under the usual 255-byte limit; a digest keeps them distinct.
    if out.len() > 180 {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(id.as_bytes());
        let cut: String = out.chars().take(160).collect();
        out = format!("{cut}_{}", hex::encode(digest.get(..8).unwrap_or(&[])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_map_to_safe_distinct_names() {
        assert_eq!(
            file_stem("mixin.decrypt/session_count/count-256"),
            "mixin.decrypt~session_5fcount~count-256"
        );
        assert_eq!(file_stem("A/b"), "_41~b");
        assert_eq!(file_stem(".hidden"), "_2ehidden");
        assert_eq!(file_stem("../../etc/passwd"), "_2e.~..~etc~passwd");
        let tricky = [
            "a/b", "a~b", "a_7eb", "a_b", "A/b", "a/B", "é", "a b", "a%20b", "x/../y",
        ];
        let names: HashSet<String> = tricky.iter().map(|s| file_stem(s)).collect();
        assert_eq!(names.len(), tricky.len(), "{names:?}");
        for n in &names {
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._~".contains(&b)),
                "{n}"
            );
            assert!(!n.contains('/') && !n.starts_with('.'), "{n}");
        }
        let long = "x".repeat(400);
        let other = format!("{}y", "x".repeat(399));
        assert!(file_stem(&long).len() <= 180);
        assert_ne!(file_stem(&long), file_stem(&other));
    }
}
