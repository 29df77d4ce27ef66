//! Themis targets: any bytes as a key or message, well-formed signed and encrypted messages
//! with edits aimed at their fields, and fuzzed Secure Cells behind a valid header.

use super::{check_dissection_ranges, pad};
use crate::fuzz::{decode_edit, fixed_keys, Source};
use crate::mutate::Layout;
use crate::themis;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

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
    let keys = fixed_keys();
    if let Some(d) = themis::dissect(data) {
        check_dissection_ranges(&d, data.len());
        let _ = d.render(data);
    }
    let _ = themis::verify(&keys.alice.1, data);
    let _ = themis::decrypt(&keys.bob.0, &keys.alice.1, data);
}

pub(super) fn themis_verify(data: &[u8]) -> Option<String> {
    let mut s = Source::new(data);
    let keys = fixed_keys();
    let message = s.var_bytes(64).to_vec();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let signed = match themis::sign(&keys.alice.0, &message, &mut rng) {
        Ok(signed) => signed,
        Err(e) => {
            assert!(message.is_empty(), "signing failed: {e}");
            return None;
        }
    };
    assert_eq!(
        themis::verify(&keys.alice.1, &signed).as_deref(),
        Ok(&message[..])
    );
    let fields = Layout::top_level(&themis::dissect(&signed).expect("a signed message dissects"));
    let mut edited = signed.clone();
    let mut what = Vec::new();
    for _ in 0..1 + s.below(2) {
        let edit = decode_edit(&mut s);
        what.push(edit.describe(&fields));
        edited = edit.applied(&edited, &fields);
    }
    themis_message(&edited);
    if let Ok(got) = themis::verify(&keys.alice.1, &edited) {
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
    let keys = fixed_keys();
    let message = s.var_bytes(64).to_vec();
    let random = themis::EncryptRandom {
        iv: pad::<12>(s.bytes(12)),
        secret: [0; 70],
        oaep_seed: [0; 20],
    };
    let encrypted = match themis::encrypt(&keys.alice.0, &keys.bob.1, &message, &random) {
        Ok(e) => e,
        Err(e) => {
            assert!(message.is_empty(), "encryption failed: {e}");
            return None;
        }
    };
    assert_eq!(
        themis::decrypt(&keys.bob.0, &keys.alice.1, &encrypted).as_deref(),
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
    themis_message(&edited);
    if let Ok(got) = themis::decrypt(&keys.bob.0, &keys.alice.1, &edited) {
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
    let keys = fixed_keys();
    let total = u32::try_from(data.len() + 8).unwrap_or(u32::MAX);
    let mut message = Vec::with_capacity(data.len() + 8);
    message.extend_from_slice(&themis::EC_ENCRYPTED.to_le_bytes());
    message.extend_from_slice(&total.to_le_bytes());
    message.extend_from_slice(data);
    if let Some(d) = themis::dissect(&message) {
        check_dissection_ranges(&d, message.len());
    }
    if let Ok(plain) = themis::decrypt(&keys.bob.0, &keys.alice.1, &message) {
        // Only a cell sealed under the fixed pair's secret opens; its length is the token's.
        assert_eq!(plain.len() + 44, data.len());
        assert!(!plain.is_empty());
    }
}
