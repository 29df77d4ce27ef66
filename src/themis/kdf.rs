//! The Soter KDF as Secure Cell uses it (spec §4.3; upstream src/soter/soter_kdf.c).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The label Secure Cell derives its message key under (30 ASCII bytes, no NUL).
pub const CELL_LABEL: &[u8] = b"Themis secure cell message key";

/// The exact bytes the KDF feeds to HMAC: counter 1, label, one zero byte, the contexts.
///
/// Unlike the ZRTP KDF it resembles, no output-length suffix follows.
pub fn kdf_input(label: &[u8], contexts: &[&[u8]]) -> Vec<u8> {
    let mut input =
        Vec::with_capacity(4 + label.len() + 1 + contexts.iter().map(|c| c.len()).sum::<usize>());
    input.extend_from_slice(&1u32.to_be_bytes());
    input.extend_from_slice(label);
    input.push(0);
    for c in contexts {
        input.extend_from_slice(c);
    }
    input
}

/// A 32-byte key: one HMAC-SHA256 block keyed by the master key, which is all Secure Cell's
/// AES-256 needs.
pub fn kdf32(master: &[u8], label: &[u8], contexts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of any length, so construction cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).unwrap_or_else(|_| unreachable!());
    mac.update(&kdf_input(label, contexts));
    mac.finalize().into_bytes().into()
}

/// The Secure Cell message key for an `n`-byte message and no user context.
pub fn cell_key(master: &[u8], n: u32) -> [u8; 32] {
    kdf32(master, CELL_LABEL, &[&n.to_le_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// spec §4.3 worked example: HMAC input and derived key for a 2-byte message.
    #[test]
    fn worked_example_kdf() {
        let shared =
            hex::decode("dad55a8c9247b29dc0a8fb7d9b7dce7c4e8befeb588f5bc8a274b6c2ef4519f8")
                .unwrap();
        assert_eq!(
            hex::encode(kdf_input(CELL_LABEL, &[&2u32.to_le_bytes()])),
            "000000015468656d6973207365637572652063656c6c206d657373616765206b65790002000000"
        );
        assert_eq!(
            hex::encode(cell_key(&shared, 2)),
            "f585ddebe8b794cdc1312ac42b13f3fb3db442c424aca478a07c207bffc9a29f"
        );
        assert_ne!(cell_key(&shared, 3), cell_key(&shared, 2));
    }
}
