//! Themis targets: any bytes as a key or message, well-formed signed and encrypted messages
//! with edits aimed at their fields, and fuzzed Secure Cells behind a valid header.

use super::{check_dissection_ranges, pad};
use crate::fuzz::keys::prepared;
use crate::fuzz::{decode_edit, Source};
use crate::mutate::Layout;
use crate::themis::{self, ThemisError};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::collections::HashMap;

pub(super) fn themis_key(data: &[u8]) {
    let checked = themis::key_check(data);
    if let Some(d) = themis::dissect(data) {
        check_dissection_ranges(&d, data.len());
        let _ = d.render(data);
        if data.len() >= 4 && matches!(&data[..3], b"REC" | b"UEC" | b"RRA" | b"URA") {
            assert_eq!(
                checked.is_ok(),
                d.problem.is_none(),
                "key_check and dissect disagree"
            );
        }
    }
    if let Ok(kind) = checked {
        if kind.is_private() {
            // A valid private key has a public key, and that one checks too.
            if let Ok(public) = themis::public_key_for(data) {
                assert!(themis::key_check(&public).is_ok_and(|k| !k.is_private()));
            }
        }
    }
}

pub(super) fn themis_message(data: &[u8]) {
    let _ = message_results(data);
}

/// A message verified, and decrypted, with the fixed keys.
type Results = (Result<Vec<u8>, ThemisError>, Result<Vec<u8>, ThemisError>);

/// What `themis_message` computes: the dissection checks, then `data` verified and decrypted
/// with the fixed keys. The structure-aware targets use these results instead of verifying or
/// decrypting the same bytes a second time.
fn message_results(data: &[u8]) -> Results {
    let p = prepared();
    if let Some(d) = themis::dissect(data) {
        check_dissection_ranges(&d, data.len());
        let _ = d.render(data);
    }
    (
        themis::verify_with(&p.alice_public, data),
        p.bob_from_alice.decrypt(data),
    )
}

/// How many signed messages [`signed`] keeps before it starts again (about 200 bytes each).
const SIGNED_CACHE: usize = 1 << 14;

thread_local! {
    static SIGNED: RefCell<HashMap<Vec<u8>, Vec<u8>>> = RefCell::new(HashMap::new());
}

/// `message` signed with Alice's key, and checked to verify, or `None` for the empty message
/// (which Themis refuses to sign). EC signatures are deterministic (RFC 6979), so a message
/// libFuzzer has seen before (a mutation of the edits only) gets the bytes it got then, which
/// were checked then: no input signs or verifies the same message twice.
fn signed(message: &[u8]) -> Option<Vec<u8>> {
    if let Some(signed) = SIGNED.with(|c| c.borrow().get(message).cloned()) {
        return Some(signed);
    }
    let p = prepared();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let signed = match themis::sign_with(&p.alice_private, message, &mut rng) {
        Ok(signed) => signed,
        Err(e) => {
            assert!(message.is_empty(), "signing failed: {e}");
            return None;
        }
    };
    assert_eq!(
        themis::verify_with(&p.alice_public, &signed).as_deref(),
        Ok(message)
    );
    SIGNED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= SIGNED_CACHE {
            c.clear();
        }
        c.insert(message.to_vec(), signed.clone());
    });
    Some(signed)
}

pub(super) fn themis_verify(data: &[u8]) -> Option<String> {
    let mut s = Source::new(data);
    let message = s.var_bytes(64).to_vec();
    let signed = signed(&message)?;
    let fields = Layout::top_level(&themis::dissect(&signed).expect("a signed message dissects"));
    let mut edited = signed.clone();
    let mut what = Vec::new();
    for _ in 0..1 + s.below(2) {
        let edit = decode_edit(&mut s);
        what.push(edit.describe(&fields));
        edited = edit.applied(&edited, &fields);
    }
    if let (Ok(got), _) = message_results(&edited) {
        assert_eq!(
            got,
            message,
            "an edited signed message verified to another message: {}",
            hex::encode(&edited)
        );
        return (edited != signed).then(|| what.join("; "));
    }
    None
}

pub(super) fn themis_decrypt(data: &[u8]) -> Option<String> {
    let mut s = Source::new(data);
    let p = prepared();
    let message = s.var_bytes(64).to_vec();
    let random = themis::EncryptRandom {
        iv: pad::<12>(s.bytes(12)),
        secret: [0; 70],
        oaep_seed: [0; 20],
    };
    // The pairs hold their ECDH secret: an input pays for the cell, not the agreement.
    let encrypted = match p.alice_to_bob.encrypt(&message, &random) {
        Ok(e) => e,
        Err(e) => {
            assert!(message.is_empty(), "encryption failed: {e}");
            return None;
        }
    };
    assert_eq!(
        p.bob_from_alice.decrypt(&encrypted).as_deref(),
        Ok(&message[..])
    );
    let fields =
        Layout::top_level(&themis::dissect(&encrypted).expect("an encrypted message dissects"));
    let mut edited = encrypted.clone();
    let mut what = Vec::new();
    for _ in 0..1 + s.below(2) {
        let edit = decode_edit(&mut s);
        what.push(edit.describe(&fields));
        edited = edit.applied(&edited, &fields);
    }
    if let (_, Ok(got)) = message_results(&edited) {
        assert_eq!(
            got,
            message,
            "an edited encrypted message decrypted to another message: {}",
            hex::encode(&edited)
        );
        return (edited != encrypted).then(|| what.join("; "));
    }
    None
}

pub(super) fn themis_cell(data: &[u8]) {
    // A valid EC encrypted-message header (type, total length) in front of fuzzed cell bytes.
    let p = prepared();
    let total = u32::try_from(data.len() + 8).unwrap_or(u32::MAX);
    let mut message = Vec::with_capacity(data.len() + 8);
    message.extend_from_slice(&themis::EC_ENCRYPTED.to_le_bytes());
    message.extend_from_slice(&total.to_le_bytes());
    message.extend_from_slice(data);
    if let Some(d) = themis::dissect(&message) {
        check_dissection_ranges(&d, message.len());
    }
    if let Ok(plain) = p.bob_from_alice.decrypt(&message) {
        // Only a cell sealed under the fixed pair's secret opens; its length is the token's.
        assert_eq!(plain.len() + 44, data.len());
        assert!(!plain.is_empty());
    }
}
