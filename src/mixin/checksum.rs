//! The conversation checksum (docs/mixin-encrypted-message.md, "Checksum").

use md5::{Digest, Md5};

/// Lowercase hex MD5 of the session ids sorted ascending (byte order) and joined verbatim,
/// with no case or hyphen normalisation; the empty list gives `""`, as bot-api-go-client,
/// fox-one, Android, iOS and the desktop client do (PyPI mixinsdk gives md5("") instead).
pub fn checksum<S: AsRef<str>>(session_ids: &[S]) -> String {
    if session_ids.is_empty() {
        return String::new();
    }
    let mut ids: Vec<&str> = session_ids.iter().map(AsRef::as_ref).collect();
    ids.sort_unstable();
    let mut md5 = Md5::new();
    ids.iter().for_each(|id| md5.update(id.as_bytes()));
    hex::encode(md5.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_list_is_empty_string() {
        assert_eq!(checksum::<&str>(&[]), "");
    }

    #[test]
    fn sorted_and_joined_verbatim() {
        let a = "0355e4c0-ba3a-4ba6-82c0-6311e332f57a";
        let b = "506694b3-0c16-4bd2-8ea0-ba3de6840a5a";
        // md5 of the two ids concatenated in ascending order, computed independently with
        // `printf %s "$a$b" | md5sum`.
        assert_eq!(checksum(&[b, a]), checksum(&[a, b]));
        assert_eq!(checksum(&[a, b]), "645be43d0e36531e0bdf89271b393df9");
        assert_ne!(
            checksum(&[a.to_uppercase()]),
            checksum(&[a]),
            "case is kept"
        );
        // A single id: plain md5 of the id.
        assert_eq!(checksum(&["abc"]), "900150983cd24fb0d6963f7d28e17f72");
    }
}
