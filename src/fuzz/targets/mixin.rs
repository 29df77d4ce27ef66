//! Mixin targets: any bytes as a body, and well-formed bodies with edits aimed at their fields.

use super::{check_dissection_ranges, pad};
use crate::fuzz::{decode_edit, fixed_keys, session_string, Source};
use crate::mixin;
use crate::mutate::Layout;

pub(super) fn mixin_body(data: &[u8]) {
    let parsed = mixin::Body::parse(data);
    let d = mixin::dissect(data);
    check_dissection_ranges(&d, data.len());
    let _ = d.render(data);
    assert_eq!(
        parsed.is_ok(),
        d.problem.is_none(),
        "Body::parse and dissect disagree: {:?} vs {:?}",
        parsed.err(),
        d.problem
    );
    if let Ok(body) = parsed {
        assert_eq!(body.blocks.len(), usize::from(body.session_count));
        for b in &body.blocks {
            assert!(b.range.end <= data.len());
        }
        assert!(body.ciphertext_range.end + mixin::body::TAG_LEN <= data.len());
    }
}

/// A well-formed Mixin body built from fuzz input, with what it holds.
struct MixinCase {
    body: Vec<u8>,
    plaintext: Vec<u8>,
    recipients: usize,
}

fn mixin_case(s: &mut Source<'_>) -> MixinCase {
    let keys = fixed_keys();
    let recipients = 1 + s.below(3);
    let plaintext = s.var_bytes(64).to_vec();
    let mut random = mixin::Randomness {
        message_key: [0; 16],
        nonce: [0; 12],
        ivs: vec![[0; 16]; recipients],
    };
    random.message_key.copy_from_slice(&pad::<16>(s.bytes(16)));
    random.nonce.copy_from_slice(&pad::<12>(s.bytes(12)));
    for iv in random.ivs.iter_mut() {
        *iv = pad::<16>(s.bytes(16));
    }
    let sessions: Vec<_> = keys.mixin_recipients[..recipients]
        .iter()
        .map(|(_, public, id)| mixin::Recipient {
            session_id: *id,
            public_key: public.to_vec(),
        })
        .collect();
    let body = mixin::encrypt(&keys.mixin_sender, &sessions, &plaintext, &random)
        .expect("encrypting with fixed keys");
    MixinCase {
        body,
        plaintext,
        recipients,
    }
}

pub(super) fn mixin_decrypt(data: &[u8]) -> Option<String> {
    let mut s = Source::new(data);
    let case = mixin_case(&mut s);
    let keys = fixed_keys();
    // Unedited: every recipient decrypts to the plaintext.
    for (seed, _, id) in &keys.mixin_recipients[..case.recipients] {
        let plain = mixin::decrypt(seed, &session_string(id), &case.body);
        assert_eq!(plain.as_deref(), Ok(&case.plaintext[..]), "unedited body");
    }
    let fields = Layout::top_level(&mixin::dissect(&case.body));
    let mut edited = case.body.clone();
    let mut what = Vec::new();
    for _ in 0..1 + s.below(2) {
        let edit = decode_edit(&mut s);
        what.push(edit.describe(&fields));
        edited = edit.applied(&edited, &fields);
    }
    mixin_body(&edited);
    let who = s.below(case.recipients);
    let (seed, _, id) = &keys.mixin_recipients[who];
    if let Ok(plain) = mixin::decrypt(seed, &session_string(id), &edited) {
        assert_eq!(
            plain,
            case.plaintext,
            "an edited body decrypted to a different plaintext: {}",
            hex::encode(&edited)
        );
        return (edited != case.body).then(|| what.join("; "));
    }
    None
}
