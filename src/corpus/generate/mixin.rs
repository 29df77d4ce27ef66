//! Generated Mixin vectors (docs/VECTORS.md, "Mixin catalogue").
//!
//! One file per op. Every input is drawn from the seeded stream; every expectation is the
//! reference's (`Gen::valid` / `invalid` / `acceptable` ask it, and the stage each vector states
//! is checked against it). The decrypt builder lives in `mixin_decrypt.rs`, and the parties,
//! args and plaintexts both draw on in `mixin_parts.rs`.

use super::gen::{note, FileSpec, Gen, Generated};
use super::mixin_parts::{
    decrypt_args, draw_random, encrypt_args, h32, notes, text, x_public, Party, LOW_ORDER_U,
};
use crate::corpus::{Check, MixinRecipient, Vector};
use crate::mixin::{keys, Randomness};
use crate::wire::Stage;
use curve25519_dalek::edwards::CompressedEdwardsY;
use serde_json::json;

/// The generated Mixin files.
pub fn files() -> Vec<FileSpec> {
    vec![
        FileSpec {
            path: "vectors/mixin/encrypt.json",
            op: "mixin.encrypt",
            default_seed: 11,
            build: encrypt,
        },
        FileSpec {
            path: "vectors/mixin/decrypt.json",
            op: "mixin.decrypt",
            default_seed: 12,
            build: super::mixin_decrypt::decrypt,
        },
        FileSpec {
            path: "vectors/mixin/checksum.json",
            op: "mixin.checksum",
            default_seed: 1,
            build: checksum,
        },
        FileSpec {
            path: "vectors/mixin/convert_public_key.json",
            op: "mixin.convert_public_key",
            default_seed: 14,
            build: convert_public_key,
        },
        FileSpec {
            path: "vectors/mixin/convert_private_key.json",
            op: "mixin.convert_private_key",
            default_seed: 15,
            build: convert_private_key,
        },
    ]
}

/// The eight small-order points of edwards25519, compressed.
const TORSION: [(&str, &str); 8] = [
    (
        "identity",
        "0100000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "order-2",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ),
    (
        "order-4-a",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "order-4-b",
        "0000000000000000000000000000000000000000000000000000000000000080",
    ),
    (
        "order-8-a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    ),
    (
        "order-8-b",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ),
    (
        "order-8-c",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    ),
    (
        "order-8-d",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    ),
];

// ---------------------------------------------------------------------------------------------
// mixin.encrypt
// ---------------------------------------------------------------------------------------------

fn encrypt(g: &mut Gen) -> Result<Generated, String> {
    let op = "mixin.encrypt";
    let notes = notes(&[
        (
            "PublicKeyLengthUnchecked",
            note(
                "MissingCheck",
                "A recipient session key that is not 32 bytes. The reference refuses it; some implementations silently truncate or zero-pad it and encrypt to a key nobody holds.",
                &[
                    ("bot-api-go-client", "error from curve25519.X25519: bad point length"),
                    ("fox-one/mixin-sdk-go", "copy() into a [32]byte: truncates or zero-pads silently and encrypts"),
                    ("PyPI mixinsdk (git)", "pynacl crypto_scalarmult has no length check; 31-byte keys accepted"),
                    ("Android/Kotlin", "only sends to keys of 32 bytes (extension key size checked in Android)"),
                ],
                &[
                    "MixinNetwork/bot-api-go-client message.go EncryptMessageData",
                    "fox-one/mixin-sdk-go messages_encrypt.go",
                ],
            ),
        ),
        (
            "LowOrderRecipientKey",
            note(
                "MissingCheck",
                "A low-order recipient X25519 key gives the all-zero shared secret, so the message key would be wrapped under a key anyone knows. The reference refuses it, as Go's curve25519.X25519 does.",
                &[
                    ("bot-api-go-client", "error (curve25519.X25519 refuses the all-zero output, since 77dcf34)"),
                    ("Android/Kotlin", "whispersystems Curve25519.calculateAgreement: no all-zero check, encrypts"),
                    ("iOS", "curve25519_donna: no all-zero check (static reading)"),
                ],
                &["MixinNetwork/bot-api-go-client message.go (X25519)", "RFC 7748 section 6.1"],
            ),
        ),
        (
            "SeedLength",
            note(
                "KeyFormat",
                "The sender key must be a 32-byte ed25519 seed. bot-api-go-client's EncryptMessageData natively takes the 64-byte seed||public form and, given only a 32-byte seed, silently omits the 32-byte header key (a 106-byte body instead of 138 was observed); an adapter must convert, and must refuse other lengths.",
                &[
                    ("bot-api-go-client", "64-byte key native; with 32 bytes the header key is omitted, no error"),
                    ("fox-one/mixin-sdk-go", "takes an ed25519.PrivateKey (64 bytes)"),
                ],
                &["MixinNetwork/bot-api-go-client message.go EncryptMessageData (pub, _ := PublicKeyToCurve25519)"],
            ),
        ),
        (
            "SessionIdForm",
            note(
                "EdgeCase",
                "A session id given in upper case names the same 16 bytes; the block carries the bytes, so the body is identical to the lowercase one.",
                &[
                    ("bot-api-go-client", "uuid.FromString accepts upper case, no hyphens, braces and urn:"),
                    ("PyPI mixinsdk", "uuid.UUID(...) accepts upper case"),
                ],
                &["MixinNetwork/bot-api-go-client message.go (uuid.FromString)"],
            ),
        ),
        (
            "RecipientKeyHighBit",
            note(
                "EdgeCase",
                "X25519 ignores the top bit of a u-coordinate (RFC 7748 section 5), so a recipient key with bit 255 set gives the same shared secret and exactly the same body as the key without it.",
                &[
                    ("bot-api-go-client", "curve25519.X25519 masks bit 255"),
                    ("libsodium / curve25519-donna", "mask bit 255"),
                ],
                &["RFC 7748 section 5"],
            ),
        ),
        (
            "ManySessions",
            note(
                "EdgeCase",
                "More than 255 sessions: the little-endian count's high byte is set. Decoders that misread the count (see the decrypt file) cannot open such a body.",
                &[
                    ("Android/Kotlin", "count read with a sign-extended low byte"),
                    ("desktop (Dart)", "count read as b0 + b1"),
                    ("Ruby mixin_bot", "count read as the low byte only"),
                ],
                &["docs/mixin-encrypted-message.md"],
            ),
        ),
    ]);
    let mut tests: Vec<Vector> = Vec::new();

    // Exact bodies: 0 to 5 sessions x the interesting plaintext lengths.
    let sender: [u8; 32] = g.array();
    for n in 0..=5usize {
        for len in [0usize, 1, 15, 16, 17, 1024, 65536] {
            let parties: Vec<Party> = (0..n).map(|_| Party::new(g)).collect();
            let sessions: Vec<_> = parties.iter().map(Party::session).collect();
            let plaintext = g.bytes(len);
            let random = draw_random(g, n);
            tests.push(g.valid(
                op,
                format!("{op}/exact/sessions-{n}-len-{len}"),
                format!(
                    "{n} session(s), a {len}-byte plaintext, injected randomness: the body is exactly 35 + 64*{n} + 12 + {len} + 16 bytes, AES-128-GCM under the message key, each block wrapping key||16x0x10 with AES-256-CBC under the raw X25519 secret."
                ),
                &[],
                encrypt_args(&sender, &sessions, &plaintext, Some(&random)),
            )?);
        }
    }

    // Exact bodies: edge-case senders, ids and keys.
    for (name, seed) in [("all-zero", [0u8; 32]), ("all-ff", [0xff; 32])] {
        let p = Party::new(g);
        let plaintext = text(g, 24);
        let random = draw_random(g, 1);
        tests.push(g.valid(
            op,
            format!("{op}/exact/sender-seed-{name}"),
            format!("A sender seed of {name} bytes is an ordinary seed: clamping makes it a valid X25519 scalar."),
            &[],
            encrypt_args(&seed, &[p.session()], &plaintext, Some(&random)),
        )?);
    }
    {
        let ps: Vec<Party> = (0..2).map(|_| Party::new(g)).collect();
        let mut sessions: Vec<_> = ps.iter().map(Party::session).collect();
        sessions[1].0 = sessions[1].0.to_uppercase();
        let plaintext = text(g, 30);
        let random = draw_random(g, 2);
        tests.push(g.valid(
            op,
            format!("{op}/exact/session-id-upper-case"),
            "The second session id is given in upper case: the block holds the same 16 bytes as for the lowercase id.",
            &["SessionIdForm"],
            encrypt_args(&sender, &sessions, &plaintext, Some(&random)),
        )?);
    }
    {
        let p = Party::new(g);
        let plaintext = text(g, 12);
        let random = draw_random(g, 2);
        tests.push(g.valid(
            op,
            format!("{op}/exact/same-session-twice"),
            "The same session listed twice: two blocks with the same id, each with its own IV.",
            &[],
            encrypt_args(
                &sender,
                &[p.session(), p.session()],
                &plaintext,
                Some(&random),
            ),
        )?);
    }
    {
        let p = Party::new(g);
        let mut key = p.public();
        key[31] |= 0x80;
        let plaintext = text(g, 40);
        let random = draw_random(g, 1);
        tests.push(g.valid(
            op,
            format!("{op}/exact/recipient-key-high-bit-set"),
            "The recipient key with bit 255 set: X25519 ignores it, the body is the one the canonical key gives.",
            &["RecipientKeyHighBit"],
            encrypt_args(&sender, &[(p.id.clone(), key.to_vec())], &plaintext, Some(&random)),
        )?);
    }
    for n in [256usize, 300] {
        let filler: [u8; 32] = x_public(&g.array());
        let sessions: Vec<(String, Vec<u8>)> =
            (0..n).map(|_| (g.uuid(), filler.to_vec())).collect();
        let plaintext = text(g, 5);
        let random = draw_random(g, n);
        tests.push(g.valid(
            op,
            format!("{op}/exact/sessions-{n}"),
            format!(
                "{n} sessions: the count is {n} little-endian ({:02x} {:02x}).",
                n & 0xff,
                n >> 8
            ),
            &["ManySessions"],
            encrypt_args(&sender, &sessions, &plaintext, Some(&random)),
        )?);
    }

    // Randomised: no injected randomness; checked by decrypting for every recipient.
    for (n, len) in [
        (1usize, 0usize),
        (1, 32),
        (2, 100),
        (3, 17),
        (4, 1),
        (5, 1024),
    ] {
        let parties: Vec<Party> = (0..n).map(|_| Party::new(g)).collect();
        let sessions: Vec<_> = parties.iter().map(Party::session).collect();
        let plaintext = text(g, len);
        let recipients = parties
            .iter()
            .map(|p| MixinRecipient {
                private_key: hex::encode(p.seed),
                session_id: p.id.clone(),
            })
            .collect();
        tests.push(g.valid_checked(
            op,
            format!("{op}/randomised/sessions-{n}-len-{len}"),
            format!("{n} session(s), a {len}-byte plaintext, the implementation's own randomness: every recipient must decrypt it, and the layout must match the args."),
            &[],
            encrypt_args(&sender, &sessions, &plaintext, None),
            Check::MixinDecrypt { recipients },
        )?);
    }

    // Errors: recipient keys.
    for len in [0usize, 16, 31, 33, 64] {
        let p = Party::new(g);
        let mut key = p.public().to_vec();
        key.resize(len, 0x5a);
        let random = draw_random(g, 1);
        let plaintext = text(g, 10);
        tests.push(g.invalid(
            op,
            format!("{op}/key/recipient-key-{len}-bytes"),
            format!("A {len}-byte recipient session key: X25519 keys are 32 bytes."),
            &["PublicKeyLengthUnchecked"],
            encrypt_args(&sender, &[(p.id.clone(), key)], &plaintext, Some(&random)),
            Stage::Key,
        )?);
    }
    {
        let ps: Vec<Party> = (0..3).map(|_| Party::new(g)).collect();
        let mut sessions: Vec<_> = ps.iter().map(Party::session).collect();
        sessions[1].1.truncate(31);
        let random = draw_random(g, 3);
        let plaintext = text(g, 10);
        tests.push(g.invalid(
            op,
            format!("{op}/key/second-of-three-recipient-keys-31-bytes"),
            "The second of three recipient keys is 31 bytes: the whole encryption fails, no partial body.",
            &["PublicKeyLengthUnchecked"],
            encrypt_args(&sender, &sessions, &plaintext, Some(&random)),
            Stage::Key,
        )?);
    }
    for (name, u) in LOW_ORDER_U {
        let id = g.uuid();
        let random = draw_random(g, 1);
        let plaintext = text(g, 10);
        tests.push(g.invalid(
            op,
            format!("{op}/key/low-order-recipient-key-{name}"),
            format!("The recipient key is the low-order point u = {name}: the X25519 secret is all zero, which the reference refuses."),
            &["LowOrderRecipientKey"],
            encrypt_args(&sender, &[(id, h32(u).to_vec())], &plaintext, Some(&random)),
            Stage::Key,
        )?);
    }
    {
        let ps: Vec<Party> = (0..3).map(|_| Party::new(g)).collect();
        let mut sessions: Vec<_> = ps.iter().map(Party::session).collect();
        sessions[2].1 = vec![0; 32];
        let random = draw_random(g, 3);
        let plaintext = text(g, 10);
        tests.push(g.invalid(
            op,
            format!("{op}/key/last-of-three-recipient-keys-zero"),
            "The last of three recipient keys is u = 0: the whole encryption fails.",
            &["LowOrderRecipientKey"],
            encrypt_args(&sender, &sessions, &plaintext, Some(&random)),
            Stage::Key,
        )?);
    }
    // Errors: sender seed.
    for len in [0usize, 16, 31, 33, 64] {
        let p = Party::new(g);
        let mut seed = g.bytes(32);
        if len == 64 {
            let s: [u8; 32] = seed.as_slice().try_into().unwrap_or_default();
            seed.extend_from_slice(&keys::ed25519_public(&s));
        } else {
            seed.resize(len, 0x33);
        }
        let random = draw_random(g, 1);
        let plaintext = text(g, 10);
        let what = if len == 64 {
            "a 64-byte seed||public ed25519 private key (Go's native form)".to_string()
        } else {
            format!("a {len}-byte sender private key")
        };
        tests.push(g.invalid(
            op,
            format!("{op}/key/sender-seed-{len}-bytes"),
            format!("The sender key is {what}: PROTOCOL.md takes a 32-byte ed25519 seed."),
            &["SeedLength"],
            encrypt_args(&seed, &[p.session()], &plaintext, Some(&random)),
            Stage::Key,
        )?);
    }

    Ok(Generated {
        description: "Mixin encrypt: exact bodies from injected randomness (0 to 5 sessions, plaintexts of 0 to 65536 bytes, 256 and 300 sessions, edge-case keys and ids), randomised bodies checked by decryption, and key errors.".into(),
        notes,
        tests,
    })
}

// ---------------------------------------------------------------------------------------------
// mixin.checksum
// ---------------------------------------------------------------------------------------------

fn checksum(g: &mut Gen) -> Result<Generated, String> {
    let op = "mixin.checksum";
    let notes = notes(&[
        (
            "EmptyList",
            note(
                "EdgeCase",
                "The checksum of no sessions is the empty string, not md5 of the empty string.",
                &[
                    ("bot-api-go-client", "\"\""),
                    ("fox-one/mixin-sdk-go", "\"\""),
                    ("Android", "\"\""),
                    ("iOS", "\"\""),
                    ("desktop (Dart)", "\"\""),
                    ("PyPI mixinsdk (git)", "d41d8cd98f00b204e9800998ecf8427e"),
                    ("Ruby mixin_bot", "d41d8cd98f00b204e9800998ecf8427e"),
                ],
                &[
                    "MixinNetwork/bot-api-go-client user.go GenerateUserChecksum",
                    "nodewee/mixin-sdk-python client_http.py generate_session_checksum",
                ],
            ),
        ),
        (
            "CaseKept",
            note(
                "EdgeCase",
                "Session ids are hashed verbatim: an upper-case id gives a different checksum than its lowercase form, and sorting is by bytes (upper-case letters before lowercase).",
                &[
                    ("bot-api-go-client", "verbatim, sort.Strings"),
                    ("fox-one/mixin-sdk-go", "verbatim"),
                    ("PyPI mixinsdk", "verbatim, sorted()"),
                ],
                &["MixinNetwork/bot-api-go-client user.go GenerateUserChecksum"],
            ),
        ),
    ]);
    let mut tests = vec![g.valid(
        op,
        format!("{op}/empty/no-sessions"),
        "No sessions: the empty string.",
        &["EmptyList"],
        json!({"session_ids": []}),
    )?];
    for n in 1..=4 {
        let ids: Vec<String> = (0..n).map(|_| g.uuid()).collect();
        tests.push(g.valid(
            op,
            format!("{op}/random/{n}-sessions"),
            format!("{n} random session ids, in random order."),
            &[],
            json!({"session_ids": ids}),
        )?);
    }
    for i in 0..4 {
        let id = g.uuid();
        tests.push(g.valid(
            op,
            format!("{op}/single/random-{i}"),
            "A single id: md5 of the id's 36 characters.",
            &[],
            json!({"session_ids": [id]}),
        )?);
    }
    for (name, id) in [
        ("nil-uuid", "00000000-0000-0000-0000-000000000000"),
        ("max-uuid", "ffffffff-ffff-ffff-ffff-ffffffffffff"),
    ] {
        tests.push(g.valid(
            op,
            format!("{op}/single/{name}"),
            format!("A single id, the {name}."),
            &[],
            json!({"session_ids": [id]}),
        )?);
    }
    // Sorting: the same set in ascending, descending and shuffled order gives one checksum.
    for n in [2usize, 3, 5, 8] {
        let mut ids: Vec<String> = (0..n).map(|_| g.uuid()).collect();
        ids.sort();
        tests.push(g.valid(
            op,
            format!("{op}/sorting/{n}-ascending"),
            format!("{n} ids already in ascending order."),
            &[],
            json!({"session_ids": ids}),
        )?);
        let desc: Vec<String> = ids.iter().rev().cloned().collect();
        tests.push(g.valid(
            op,
            format!("{op}/sorting/{n}-descending"),
            format!("The same {n} ids in descending order: same checksum as ascending, the implementation must sort."),
            &[],
            json!({"session_ids": desc}),
        )?);
        let mut shuffled = ids.clone();
        for i in (1..shuffled.len()).rev() {
            let j = g.below(i as u64 + 1) as usize;
            shuffled.swap(i, j);
        }
        tests.push(g.valid(
            op,
            format!("{op}/sorting/{n}-shuffled"),
            format!("The same {n} ids shuffled."),
            &[],
            json!({"session_ids": shuffled}),
        )?);
    }
    {
        // Ids sharing a long prefix, differing only near the end.
        let base = g.uuid();
        let ids: Vec<String> = ["f", "0", "a", "9"]
            .iter()
            .map(|c| format!("{}{c}", &base[..35]))
            .collect();
        tests.push(g.valid(
            op,
            format!("{op}/sorting/common-prefix"),
            "Four ids equal except for their last character: sorting must look at every byte.",
            &[],
            json!({"session_ids": ids}),
        )?);
    }
    // Case is kept.
    for n in [1usize, 3] {
        let ids: Vec<String> = (0..n).map(|_| g.uuid().to_uppercase()).collect();
        tests.push(g.valid(
            op,
            format!("{op}/case/{n}-upper-case"),
            format!("{n} upper-case id(s): hashed as given, not lowercased."),
            &["CaseKept"],
            json!({"session_ids": ids}),
        )?);
    }
    {
        let a = g.uuid();
        let b = g.uuid();
        let ids = vec![a.clone(), b.to_uppercase(), a.to_uppercase(), b];
        tests.push(g.valid(
            op,
            format!("{op}/case/mixed-both-forms"),
            "Two ids each in lower and upper case: four distinct strings, sorted by bytes (digits < upper case < lower case).",
            &["CaseKept"],
            json!({"session_ids": ids}),
        )?);
        let a = g.uuid();
        let mut mixed = String::new();
        let mut upper = false;
        for c in a.chars() {
            if c.is_ascii_alphabetic() {
                upper = !upper;
                mixed.push(if upper { c.to_ascii_uppercase() } else { c });
            } else {
                mixed.push(c);
            }
        }
        let other = g.uuid();
        tests.push(g.valid(
            op,
            format!("{op}/case/alternating-case"),
            "An id with alternating letter case beside a lowercase id.",
            &["CaseKept"],
            json!({"session_ids": [other, mixed]}),
        )?);
    }
    // Duplicates are hashed as many times as they appear.
    {
        let a = g.uuid();
        tests.push(g.valid(
            op,
            format!("{op}/duplicates/same-id-twice"),
            "The same id twice: md5 of the id concatenated with itself (no de-duplication).",
            &[],
            json!({"session_ids": [a.clone(), a]}),
        )?);
        let a = g.uuid();
        tests.push(g.valid(
            op,
            format!("{op}/duplicates/same-id-three-times"),
            "The same id three times.",
            &[],
            json!({"session_ids": [a.clone(), a.clone(), a]}),
        )?);
        let (a, b, c) = (g.uuid(), g.uuid(), g.uuid());
        tests.push(g.valid(
            op,
            format!("{op}/duplicates/among-others"),
            "A duplicate among other ids, not adjacent in the input.",
            &[],
            json!({"session_ids": [a.clone(), b, c, a]}),
        )?);
    }
    // More random lists of every size up to 10.
    for n in 5..=10usize {
        let ids: Vec<String> = (0..n).map(|_| g.uuid()).collect();
        tests.push(g.valid(
            op,
            format!("{op}/random/{n}-sessions"),
            format!("{n} random session ids, in random order."),
            &[],
            json!({"session_ids": ids}),
        )?);
    }
    Ok(Generated {
        description: "Conversation checksums: md5 of the sorted, concatenated session ids, verbatim (case kept, duplicates kept); the empty list gives the empty string.".into(),
        notes,
        tests,
    })
}

// ---------------------------------------------------------------------------------------------
// Key conversions
// ---------------------------------------------------------------------------------------------

fn convert_public_key(g: &mut Gen) -> Result<Generated, String> {
    let op = "mixin.convert_public_key";
    let notes = notes(&[
        (
            "SmallOrderPoint",
            note(
                "Leniency",
                "A valid edwards25519 point that is of small order or not in the prime-order subgroup. The reference (like Go's edwards25519 and curve25519-dalek) converts it; libsodium's crypto_sign_ed25519_pk_to_curve25519 refuses it, so a libsodium-based implementation may reject it. The identity (y = 1) gives u = 0, since 1/(1-y) is computed as 0.",
                &[
                    ("bot-api-go-client", "edwards25519.Point.SetBytes + BytesMontgomery: converts"),
                    ("fox-one/mixin-sdk-go", "same as bot-api-go-client"),
                    ("iOS", "libsodium crypto_sign_ed25519_pk_to_curve25519: returns -1 (small order / not main subgroup)"),
                    ("PyPI mixinsdk (git)", "libsodium via pynacl: raises"),
                    ("Android/Kotlin, desktop (Dart)", "edwardsToMontgomeryX: converts y without validating the point"),
                ],
                &[
                    "MixinNetwork/bot-api-go-client crypto.go PublicKeyToCurve25519",
                    "jedisct1/libsodium crypto_sign/ed25519/ref10/keypair.c crypto_sign_ed25519_pk_to_curve25519",
                ],
            ),
        ),
        (
            "NonCanonicalY",
            note(
                "Leniency",
                "A y-coordinate encoded as y + p (y >= p): a non-canonical encoding of a valid point. Go's edwards25519 and the reference reduce it and convert; implementations that require canonical encodings may refuse it.",
                &[
                    ("bot-api-go-client", "accepts (edwards25519 SetBytes reduces y)"),
                    ("libsodium", "frombytes reduces y; the small-order blocklist refuses the non-canonical encodings of small-order points"),
                ],
                &["filippo.io/edwards25519 Point.SetBytes", "RFC 8032 section 5.1.3"],
            ),
        ),
        (
            "NegativeZeroX",
            note(
                "Leniency",
                "x = 0 with the sign bit set. RFC 8032 says decoding fails; the reference (curve25519-dalek) accepts it, as the sign only negates x = 0.",
                &[("curve25519-dalek (the reference)", "accepts; the sign bit of x = 0 is ignored")],
                &["RFC 8032 section 5.1.3 step 4"],
            ),
        ),
    ]);
    let mut tests = Vec::new();
    for i in 0..25 {
        let seed: [u8; 32] = g.array();
        tests.push(g.valid(
            op,
            format!("{op}/random/key-{i}"),
            "The ed25519 public key of a random seed: u = (1 + y) / (1 - y).",
            &[],
            json!({"public_key": hex::encode(keys::ed25519_public(&seed))}),
        )?);
    }
    for (name, enc) in TORSION {
        tests.push(g.valid(
            op,
            format!("{op}/small-order/{name}"),
            format!("The small-order point {name} of edwards25519: a valid point, converted without complaint by the reference."),
            &["SmallOrderPoint"],
            json!({"public_key": enc}),
        )?);
    }
    for (i, (name, enc)) in TORSION.iter().enumerate().skip(1) {
        let seed: [u8; 32] = g.array();
        let p = CompressedEdwardsY(keys::ed25519_public(&seed))
            .decompress()
            .ok_or("an ed25519 public key does not decompress")?;
        let t = CompressedEdwardsY(h32(enc))
            .decompress()
            .ok_or("a torsion point does not decompress")?;
        let mixed = (p + t).compress().to_bytes();
        tests.push(g.valid(
            op,
            format!("{op}/small-order/mixed-order-plus-{name}"),
            format!("A random public key plus the small-order point {name} (#{i}): on the curve, outside the prime-order subgroup."),
            &["SmallOrderPoint"],
            json!({"public_key": hex::encode(mixed)}),
        )?);
    }
    // Non-canonical y = p + k, k = 0..18, both signs: valid if y = k is on the curve.
    let p_bytes = h32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    for k in 0u8..19 {
        for sign in [false, true] {
            let mut y = p_bytes;
            y[0] = y[0].wrapping_add(k);
            if sign {
                y[31] |= 0x80;
            }
            let s = if sign { "-sign" } else { "" };
            let args = json!({"public_key": hex::encode(y)});
            let id = format!("{op}/non-canonical/y-p-plus-{k}{s}");
            match g.answer(op, &args) {
                crate::protocol::Reply::Ok(_) => {
                    let mut flags = vec!["NonCanonicalY"];
                    if k <= 1 {
                        // p and p + 1 encode y = 0 and y = 1: small-order points.
                        flags.push("SmallOrderPoint");
                    }
                    if k == 1 && sign {
                        // y = 1 has x = 0: the sign bit asks for -0.
                        flags.push("NegativeZeroX");
                    }
                    tests.push(g.valid(
                        op,
                        id,
                        format!("y = p + {k}{}: a non-canonical encoding of y = {k}, a valid point; it converts like the canonical encoding.", if sign { " with the sign bit set" } else { "" }),
                        &flags,
                        args,
                    )?);
                }
                _ => tests.push(g.invalid(
                    op,
                    id,
                    format!("y = p + {k}{}: y = {k} is not the y-coordinate of any point, so the key is refused.", if sign { " with the sign bit set" } else { "" }),
                    &[],
                    args,
                    Stage::Key,
                )?),
            }
        }
    }
    for (name, enc) in [
        (
            "identity-sign-bit",
            "0100000000000000000000000000000000000000000000000000000000000080",
        ),
        (
            "order-2-sign-bit",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ),
    ] {
        let args = json!({"public_key": enc});
        let id = format!("{op}/negative-zero/{name}");
        match g.answer(op, &args) {
            crate::protocol::Reply::Ok(_) => tests.push(g.valid(
                op,
                id,
                format!("{name}: x = 0 with the sign bit set; the reference accepts it."),
                &["NegativeZeroX", "SmallOrderPoint"],
                args,
            )?),
            _ => tests.push(g.invalid(
                op,
                id,
                format!("{name}: x = 0 with the sign bit set, refused."),
                &[],
                args,
                Stage::Key,
            )?),
        }
    }
    // Not on the curve.
    let mut y2 = [0u8; 32];
    y2[0] = 2;
    tests.push(g.invalid(
        op,
        format!("{op}/key/not-on-curve-y-2"),
        "y = 2 is not the y-coordinate of any point: the key is refused.",
        &[],
        json!({"public_key": hex::encode(y2)}),
        Stage::Key,
    )?);
    let mut found = 0;
    while found < 6 {
        let cand: [u8; 32] = g.array();
        let args = json!({"public_key": hex::encode(cand)});
        if matches!(g.answer(op, &args), crate::protocol::Reply::Ok(_)) {
            continue;
        }
        tests.push(g.invalid(
            op,
            format!("{op}/key/not-on-curve-random-{found}"),
            "32 random bytes that do not decode to a point of edwards25519.",
            &[],
            args,
            Stage::Key,
        )?);
        found += 1;
    }
    for len in [0usize, 31, 33, 64] {
        let seed: [u8; 32] = g.array();
        let mut k = keys::ed25519_public(&seed).to_vec();
        k.resize(len, 0);
        tests.push(g.invalid(
            op,
            format!("{op}/key/length-{len}"),
            format!("A {len}-byte public key: ed25519 public keys are 32 bytes."),
            &[],
            json!({"public_key": hex::encode(k)}),
            Stage::Key,
        )?);
    }
    Ok(Generated {
        description: "ed25519 public key -> X25519 public key (u = (1 + y) / (1 - y)): random keys, small-order and mixed-order points, non-canonical y encodings, points off the curve, wrong lengths.".into(),
        notes,
        tests,
    })
}

fn convert_private_key(g: &mut Gen) -> Result<Generated, String> {
    let op = "mixin.convert_private_key";
    let notes = notes(&[(
        "SeedLength",
        note(
            "KeyFormat",
            "The private key is a 32-byte ed25519 seed. bot-api-go-client and fox-one hold 64-byte seed||public keys natively; an adapter must take the seed and refuse other lengths.",
            &[
                ("bot-api-go-client", "PrivateKeyToCurve25519 takes a 64-byte ed25519.PrivateKey"),
                ("PyPI mixinsdk", "libsodium crypto_sign_ed25519_sk_to_curve25519 on seed||public"),
            ],
            &["MixinNetwork/bot-api-go-client crypto.go PrivateKeyToCurve25519"],
        ),
    )]);
    let mut tests = Vec::new();
    for i in 0..25 {
        let seed: [u8; 32] = g.array();
        tests.push(g.valid(
            op,
            format!("{op}/random/seed-{i}"),
            "A random seed: the clamped first half of SHA-512(seed).",
            &[],
            json!({"private_key": hex::encode(seed)}),
        )?);
    }
    let mut counting = [0u8; 32];
    counting
        .iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = i as u8);
    for (name, seed) in [
        ("all-zero", [0u8; 32]),
        ("all-ff", [0xff; 32]),
        ("all-80", [0x80; 32]),
        ("counting", counting),
    ] {
        tests.push(g.valid(
            op,
            format!("{op}/fixed/seed-{name}"),
            format!("The seed {name}: every seed is valid; clamping fixes bits 0-2, 254 and 255 of the hash, not of the seed."),
            &[],
            json!({"private_key": hex::encode(seed)}),
        )?);
    }
    for len in [0usize, 16, 31, 33, 64] {
        let seed: [u8; 32] = g.array();
        let mut k = seed.to_vec();
        let flags: &[&str] = if len == 64 {
            k.extend_from_slice(&keys::ed25519_public(&seed));
            &["SeedLength"]
        } else {
            k.resize(len, 0x11);
            &[]
        };
        tests.push(g.invalid(
            op,
            format!("{op}/key/length-{len}"),
            if len == 64 {
                "A 64-byte seed||public ed25519 private key: the op takes the 32-byte seed."
                    .to_string()
            } else {
                format!("A {len}-byte private key: ed25519 seeds are 32 bytes.")
            },
            flags,
            json!({"private_key": hex::encode(k)}),
            Stage::Key,
        )?);
    }
    Ok(Generated {
        description: "ed25519 seed -> X25519 private key (clamped first half of SHA-512): random and fixed seeds, wrong lengths.".into(),
        notes,
        tests,
    })
}

// ---------------------------------------------------------------------------------------------
// Random args for user vectors and accumulated tests
// ---------------------------------------------------------------------------------------------

/// Random, well-formed args for `op`, for user-requested vectors.
pub fn random_args(g: &mut Gen, op: &str) -> Result<serde_json::Value, String> {
    let seed = |g: &mut Gen| hex::encode(g.array::<32>());
    Ok(match op {
        "mixin.checksum" => {
            let n = g.below(5) as usize;
            json!({"session_ids": (0..n).map(|_| g.uuid()).collect::<Vec<_>>()})
        }
        "mixin.convert_private_key" => json!({"private_key": seed(g)}),
        "mixin.convert_public_key" => {
            let s: [u8; 32] = g.array();
            json!({"public_key": hex::encode(crate::mixin::keys::ed25519_public(&s))})
        }
        "mixin.encrypt" | "mixin.decrypt" => {
            let n = 1 + g.below(5) as usize;
            let recipients: Vec<([u8; 32], String)> =
                (0..n).map(|_| (g.array(), g.uuid())).collect();
            let sessions: Vec<_> = recipients
                .iter()
                .map(|(s, id)| json!({"session_id": id, "public_key": hex::encode(crate::mixin::keys::x25519_base(&crate::mixin::keys::private_to_x25519(s)))}))
                .collect();
            let len = g.below(200) as usize;
            let encrypt = json!({
                "private_key": seed(g),
                "sessions": sessions,
                "plaintext": hex::encode(g.bytes(len)),
                "random": {"message_key": hex::encode(g.array::<16>()), "nonce": hex::encode(g.array::<12>()),
                           "ivs": (0..n).map(|_| hex::encode(g.array::<16>())).collect::<Vec<_>>()}
            });
            if op == "mixin.encrypt" {
                encrypt
            } else {
                let body = g.ok("mixin.encrypt", &encrypt)?["body"].clone();
                let pick = g.below(n as u64) as usize;
                let (s, id) = recipients.get(pick).ok_or("no recipient")?;
                json!({"private_key": hex::encode(s), "session_id": id, "body": body})
            }
        }
        _ => return Err(format!("unknown op {op}")),
    })
}

/// One deterministic pseudo-random case of `op` for the accumulated tests: about 60% well-formed
/// inputs, the rest single mutations of them (bit flips, truncations, count edits, wrong
/// sessions or keys for decrypt; bad keys for encrypt and the conversions; upper-case and
/// duplicate ids for the checksum). Cheap, and never panics.
pub fn accumulated_args(g: &mut Gen, op: &str) -> Result<serde_json::Value, String> {
    let mutate = g.below(10) >= 6;
    Ok(match op {
        "mixin.checksum" => {
            let n = g.below(7) as usize;
            let mut ids: Vec<String> = (0..n).map(|_| g.uuid()).collect();
            if mutate && !ids.is_empty() {
                let i = g.below(ids.len() as u64) as usize;
                match g.below(3) {
                    0 => ids[i] = ids[i].to_uppercase(),
                    1 => {
                        let d = ids[i].clone();
                        ids.push(d);
                    }
                    _ => ids.iter_mut().for_each(|s| *s = s.to_uppercase()),
                }
            }
            json!({ "session_ids": ids })
        }
        "mixin.convert_private_key" => {
            let mut k = g.bytes(32);
            if mutate && g.below(3) == 0 {
                let len = [0usize, 31, 33, 64][g.below(4) as usize];
                k.resize(len, 0);
            }
            json!({ "private_key": hex::encode(k) })
        }
        "mixin.convert_public_key" => {
            let s: [u8; 32] = g.array();
            let mut k = keys::ed25519_public(&s).to_vec();
            if mutate {
                match g.below(4) {
                    0 => k = g.bytes(32),
                    1 => {
                        let len = [0usize, 31, 33, 64][g.below(4) as usize];
                        k.resize(len, 0);
                    }
                    2 => k = h32(TORSION[g.below(8) as usize].1).to_vec(),
                    _ => {
                        let bit = g.below(256) as usize;
                        k[bit / 8] ^= 1 << (bit % 8);
                    }
                }
            }
            json!({ "public_key": hex::encode(k) })
        }
        "mixin.encrypt" => {
            let pool = pool();
            let n = g.below(5) as usize;
            let mut sender = pool.senders[g.below(POOL_SENDERS as u64) as usize]
                .seed
                .to_vec();
            let mut sessions: Vec<(String, Vec<u8>)> = (0..n)
                .map(|_| {
                    let r = &pool.recipients[g.below(POOL_RECIPIENTS as u64) as usize];
                    (g.uuid(), r.public.to_vec())
                })
                .collect();
            let len = g.below(100) as usize;
            let plaintext = g.bytes(len);
            let random = draw_random(g, n);
            // Encrypt is mostly well-formed: one case in ten carries a bad key.
            if mutate && g.below(4) == 0 {
                match (g.below(3), n) {
                    (0, _) | (_, 0) => sender.resize([0usize, 31, 33, 64][g.below(4) as usize], 0),
                    (1, _) => {
                        let i = g.below(n as u64) as usize;
                        sessions[i]
                            .1
                            .resize([0usize, 31, 33][g.below(3) as usize], 0);
                    }
                    _ => {
                        let i = g.below(n as u64) as usize;
                        sessions[i].1 = h32(LOW_ORDER_U[g.below(8) as usize].1).to_vec();
                    }
                }
            }
            encrypt_args(&sender, &sessions, &plaintext, Some(&random))
        }
        "mixin.decrypt" => {
            let pool = pool();
            let n = 1 + g.below(5) as usize;
            let sender = &pool.senders[g.below(POOL_SENDERS as u64) as usize];
            let picks: Vec<(usize, String)> = (0..n)
                .map(|_| (g.below(POOL_RECIPIENTS as u64) as usize, g.uuid()))
                .collect();
            let len = g.below(100) as usize;
            let plaintext = text(g, len);
            let random = draw_random(g, n);
            let mut body = pooled_body(sender, &picks, &plaintext, &random)?;
            let pick = g.below(n as u64) as usize;
            let mut seed = pool.recipients[picks[pick].0].seed;
            let mut id = picks[pick].1.clone();
            if mutate {
                match g.below(8) {
                    0 | 1 => {
                        let bit = g.below(body.len() as u64 * 8) as usize;
                        if let Some(b) = body.get_mut(bit / 8) {
                            *b ^= 1 << (bit % 8);
                        }
                    }
                    2 => {
                        let cut = g.below(body.len() as u64) as usize;
                        body.truncate(cut);
                    }
                    3 => {
                        let count = match g.below(4) {
                            0 => 0u16,
                            1 => n as u16 + 1,
                            2 => n as u16 - 1,
                            _ => g.below(65536) as u16,
                        };
                        if let Some(c) = body.get_mut(1..3) {
                            c.copy_from_slice(&count.to_le_bytes());
                        }
                    }
                    4 => id = g.uuid(),
                    5 => {
                        let extra = 1 + g.below(32) as usize;
                        let tail = g.bytes(extra);
                        body.extend_from_slice(&tail);
                    }
                    6 => seed = g.array(),
                    _ => {
                        if let Some(v) = body.get_mut(0) {
                            *v = g.below(256) as u8;
                        }
                    }
                }
            }
            decrypt_args(&seed, &id, &body)
        }
        _ => return Err(format!("unknown op {op}")),
    })
}

// A fixed pool of key pairs and their X25519 secrets, computed once, so that an accumulated
// case costs a few AES operations instead of several scalar multiplications.

const POOL_RECIPIENTS: usize = 32;
const POOL_SENDERS: usize = 4;

struct PoolRecipient {
    seed: [u8; 32],
    public: [u8; 32],
}

struct PoolSender {
    seed: [u8; 32],
    /// The header key: the sender's ed25519 public key in Montgomery form.
    header_key: [u8; 32],
    /// The wrap key with each pool recipient, in pool order.
    secrets: Vec<[u8; 32]>,
}

struct Pool {
    recipients: Vec<PoolRecipient>,
    senders: Vec<PoolSender>,
}

fn pool() -> &'static Pool {
    static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        use rand_chacha::rand_core::{RngCore, SeedableRng};
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x6d69_7869_6e00);
        let mut seed = || {
            let mut s = [0u8; 32];
            rng.fill_bytes(&mut s);
            s
        };
        let recipients: Vec<PoolRecipient> = (0..POOL_RECIPIENTS)
            .map(|_| {
                let s = seed();
                PoolRecipient {
                    seed: s,
                    public: x_public(&s),
                }
            })
            .collect();
        let senders = (0..POOL_SENDERS)
            .map(|_| {
                let s = seed();
                let private = keys::private_to_x25519(&s);
                PoolSender {
                    seed: s,
                    header_key: x_public(&s),
                    secrets: recipients
                        .iter()
                        .map(|r| keys::agree(&private, &r.public, "pool").unwrap_or_default())
                        .collect(),
                }
            })
            .collect();
        Pool {
            recipients,
            senders,
        }
    })
}

/// The body `crate::mixin::encrypt` would give for pool recipients (checked in the tests),
/// assembled from the precomputed secrets.
fn pooled_body(
    sender: &PoolSender,
    picks: &[(usize, String)],
    plaintext: &[u8],
    random: &Randomness,
) -> Result<Vec<u8>, String> {
    use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
    use aes_gcm::aead::{Aead, KeyInit};
    let n = u16::try_from(picks.len()).map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(35 + 64 * picks.len() + 28 + plaintext.len());
    out.push(1);
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&sender.header_key);
    for ((r, id), iv) in picks.iter().zip(&random.ivs) {
        let secret = sender.secrets.get(*r).ok_or("no such pool recipient")?;
        let mut wrapped = [0x10u8; 32];
        wrapped[..16].copy_from_slice(&random.message_key);
        cbc::Encryptor::<aes::Aes256>::new(secret.into(), iv.into())
            .encrypt_padded_mut::<NoPadding>(&mut wrapped, 32)
            .map_err(|e| e.to_string())?;
        let id = uuid::Uuid::parse_str(id).map_err(|e| e.to_string())?;
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(iv);
        out.extend_from_slice(&wrapped);
    }
    out.extend_from_slice(&random.nonce);
    let sealed = aes_gcm::Aes128Gcm::new(&random.message_key.into())
        .encrypt(aes_gcm::Nonce::from_slice(&random.nonce), plaintext)
        .map_err(|e| e.to_string())?;
    out.extend_from_slice(&sealed);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::generate::mixin_parts::seal;

    #[test]
    fn pooled_bodies_are_the_reference_bodies() {
        let mut g = Gen::new(3);
        let pool = pool();
        for n in 0..=5usize {
            let sender = &pool.senders[n % POOL_SENDERS];
            let picks: Vec<(usize, String)> = (0..n)
                .map(|i| ((i * 7 + n) % POOL_RECIPIENTS, g.uuid()))
                .collect();
            let plaintext = g.bytes(n * 13);
            let random = draw_random(&mut g, n);
            let sessions: Vec<(String, Vec<u8>)> = picks
                .iter()
                .map(|(r, id)| (id.clone(), pool.recipients[*r].public.to_vec()))
                .collect();
            assert_eq!(
                pooled_body(sender, &picks, &plaintext, &random).unwrap(),
                seal(&sender.seed, &sessions, &plaintext, &random).unwrap()
            );
        }
    }

    #[test]
    fn accumulated_args_are_cheap_deterministic_and_answerable() {
        for op in crate::protocol::OPS
            .iter()
            .filter(|o| o.starts_with("mixin."))
        {
            let mut a = Gen::new(7);
            let mut b = Gen::new(7);
            let start = std::time::Instant::now();
            for _ in 0..200 {
                let x = accumulated_args(&mut a, op).unwrap();
                assert_eq!(x, accumulated_args(&mut b, op).unwrap());
                // The reference answers every case with ok or a staged error.
                match a.answer(op, &x) {
                    crate::protocol::Reply::Ok(_)
                    | crate::protocol::Reply::Error { stage: Some(_), .. } => {}
                    other => panic!("{op}: {x}: {other:?}"),
                }
            }
            assert!(start.elapsed().as_secs() < 20, "{op} too slow");
            if std::env::var("SEALCHECK_DIST").is_ok() {
                let mut c = Gen::new(9);
                let mut tally = std::collections::BTreeMap::new();
                let t = std::time::Instant::now();
                for _ in 0..2000 {
                    let x = accumulated_args(&mut c, op).unwrap();
                    let k = match c.answer(op, &x) {
                        crate::protocol::Reply::Error { stage: Some(s), .. } => format!("{s}"),
                        _ => "ok".into(),
                    };
                    *tally.entry(k).or_insert(0) += 1;
                }
                eprintln!(
                    "{op}: {:?} per case incl. reference {:?}",
                    tally,
                    t.elapsed() / 2000
                );
                let t = std::time::Instant::now();
                for _ in 0..2000 {
                    accumulated_args(&mut c, op).unwrap();
                }
                eprintln!("{op}: generation only {:?}", t.elapsed() / 2000);
            }
        }
    }
}
