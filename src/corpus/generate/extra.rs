//! Extra vectors that catch mutants of the zoo (`sealcheck mutants`, src/mutants/) which the
//! rest of the corpus let survive. Each flag's note names the bug it catches; the expected
//! outputs and stages come from the reference, as everywhere.

use super::gen::{note, FileSpec, Gen, Generated};
use crate::corpus::{Check, Note, Vector};
use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};
use aes_gcm::aead::{Aead, KeyInit};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The extra files, one per op.
pub fn files() -> Vec<FileSpec> {
    vec![
        spec(
            "vectors/mixin/decrypt-extra.json",
            "mixin.decrypt",
            mixin_decrypt,
        ),
        spec(
            "vectors/mixin/encrypt-extra.json",
            "mixin.encrypt",
            mixin_encrypt,
        ),
        spec(
            "vectors/themis/key.check-extra.json",
            "themis.key.check",
            key_check,
        ),
        spec("vectors/themis/verify-extra.json", "themis.verify", verify),
        spec("vectors/themis/sign-extra.json", "themis.sign", sign),
        spec(
            "vectors/themis/encrypt-extra.json",
            "themis.encrypt",
            encrypt,
        ),
        spec(
            "vectors/themis/decrypt-extra.json",
            "themis.decrypt",
            decrypt,
        ),
    ]
}

fn spec(path: &'static str, op: &'static str, build: super::gen::Builder) -> FileSpec {
    FileSpec {
        path,
        op,
        default_seed: 7,
        build,
    }
}

fn one(flag: &str, bug: &str, who: &str) -> BTreeMap<String, Note> {
    let mut m = BTreeMap::new();
    m.insert(
        flag.to_owned(),
        note(
            "MutantCatcher",
            bug,
            &[(who, bug)],
            &["src/mutants (sealcheck mutants)"],
        ),
    );
    m
}

/// An invalid vector at whatever stage the reference rejects.
fn invalid(
    g: &mut Gen,
    op: &str,
    name: &str,
    comment: &str,
    flag: &str,
    args: Value,
) -> Result<Vector, String> {
    let stage = g.rejected(op, &args)?;
    g.invalid(
        op,
        format!("{op}/{}/extra-{name}", stage.as_str()),
        comment,
        &[flag],
        args,
        stage,
    )
}

type Built = Result<Generated, String>;

fn done(description: &str, notes: BTreeMap<String, Note>, tests: Vec<Vector>) -> Built {
    Ok(Generated {
        description: description.into(),
        notes,
        tests,
    })
}

// ---- Mixin -----------------------------------------------------------------------------

fn x25519_public(seed: &[u8; 32]) -> [u8; 32] {
    crate::mixin::keys::x25519_base(&crate::mixin::keys::private_to_x25519(seed))
}

/// A body for `n` sessions (distinct ids, all for one recipient key); the recipient's
/// session is the last block.
fn many_sessions(g: &mut Gen, n: usize) -> Result<Value, String> {
    let seed: [u8; 32] = g.array();
    let public = hex::encode(x25519_public(&seed));
    let ids: Vec<String> = (0..n).map(|_| g.uuid()).collect();
    let args = json!({
        "private_key": hex::encode(g.array::<32>()),
        "sessions": ids.iter().map(|id| json!({"session_id": id, "public_key": public})).collect::<Vec<_>>(),
        "plaintext": hex::encode(g.bytes(5)),
        "random": {"message_key": hex::encode(g.array::<16>()), "nonce": hex::encode(g.array::<12>()),
                   "ivs": (0..n).map(|_| hex::encode(g.array::<16>())).collect::<Vec<_>>()},
    });
    let body = g.ok("mixin.encrypt", &args)?["body"].clone();
    Ok(
        json!({"private_key": hex::encode(seed), "session_id": ids.last().ok_or("no ids")?, "body": body}),
    )
}

fn mixin_decrypt(g: &mut Gen) -> Built {
    let op = "mixin.decrypt";
    let mut notes = one("CountParsing", "The session count is a u16 little-endian; implementations that read only the low byte (Ruby), sign-extend it (Kotlin), or add the bytes unshifted (desktop) lose the recipient's block.", "Ruby mixin_bot, Android/Kotlin, desktop");
    notes.extend(one("LastMatch", "The first block with the session id is used; implementations without a `break` take the last one.", "Android/Kotlin, desktop"));
    notes.extend(one("LowOrderSender", "A low-order sender key gives the all-zero X25519 secret; it must be refused even when the body was made with that secret.", "Android/Kotlin (no all-zero check)"));
    let mut tests = Vec::new();
    for n in [128usize, 256, 300] {
        let args = many_sessions(g, n)?;
        tests.push(g.valid(op, format!("{op}/extra/{n}-sessions-recipient-last"), format!("{n} sessions (count bytes {:02x} {:02x}), the recipient's block last: catches count parsers that lose the high byte or sign-extend the low one.", n & 0xff, n >> 8), &["CountParsing"], args)?);
    }
    // Two blocks for the same session id: the first genuine, the second with a broken key.
    let seed: [u8; 32] = g.array();
    let id = g.uuid();
    let public = hex::encode(x25519_public(&seed));
    let enc = json!({
        "private_key": hex::encode(g.array::<32>()),
        "sessions": [{"session_id": id, "public_key": public}, {"session_id": id, "public_key": public}],
        "plaintext": hex::encode(g.bytes(7)),
        "random": {"message_key": hex::encode(g.array::<16>()), "nonce": hex::encode(g.array::<12>()),
                   "ivs": [hex::encode(g.array::<16>()), hex::encode(g.array::<16>())]},
    });
    let mut body = hex::decode(
        g.ok("mixin.encrypt", &enc)?["body"]
            .as_str()
            .unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    if let Some(b) = body.get_mut(35 + 64 + 40) {
        *b ^= 0x01;
    }
    tests.push(g.valid(op, format!("{op}/extra/duplicate-session-first-block-wins"), "The session id appears twice; only the first block's wrapped key is intact. The first match must be used.", &["LastMatch"], json!({"private_key": hex::encode(seed), "session_id": id, "body": hex::encode(&body)}))?);
    // A body made with the all-zero secret of a low-order sender key (u = 0).
    let message_key: [u8; 16] = g.array();
    let iv: [u8; 16] = g.array();
    let nonce: [u8; 12] = g.array();
    let mut plain = [0x10u8; 32];
    plain[..16].copy_from_slice(&message_key);
    let mut wrapped = [0u8; 32];
    cbc::Encryptor::<aes::Aes256>::new(&[0u8; 32].into(), &iv.into())
        .encrypt_padded_b2b_mut::<NoPadding>(&plain, &mut wrapped)
        .map_err(|e| e.to_string())?;
    let sealed = aes_gcm::Aes128Gcm::new(&message_key.into())
        .encrypt(aes_gcm::Nonce::from_slice(&nonce), b"low order".as_slice())
        .map_err(|e| e.to_string())?;
    let seed: [u8; 32] = g.array();
    let id = g.uuid();
    let mut body = vec![1u8, 1, 0];
    body.extend_from_slice(&[0u8; 32]);
    body.extend_from_slice(
        uuid::Uuid::parse_str(&id)
            .map_err(|e| e.to_string())?
            .as_bytes(),
    );
    body.extend_from_slice(&iv);
    body.extend_from_slice(&wrapped);
    body.extend_from_slice(&nonce);
    body.extend_from_slice(&sealed);
    tests.push(invalid(g, op, "low-order-sender-key-consistent-body", "Sender key u = 0 (low order), and the key is wrapped under the all-zero secret it yields, so an implementation that skips the all-zero check decrypts it.", "LowOrderSender", json!({"private_key": hex::encode(seed), "session_id": id, "body": hex::encode(body)}))?);
    done(
        "Extra decrypt vectors that catch mutants the rest of the corpus missed (src/mutants).",
        notes,
        tests,
    )
}

fn mixin_encrypt(g: &mut Gen) -> Built {
    let op = "mixin.encrypt";
    let mut notes = one(
        "LowOrderRecipient",
        "A low-order recipient key (u = 0) gives the all-zero secret and must be refused.",
        "Android/Kotlin, bot-api-go-client before 2023 (ScalarMult)",
    );
    notes.extend(one(
        "ShortRecipientKey",
        "A recipient key shorter than 32 bytes must be refused, not zero-padded.",
        "fox-one/mixin-sdk-go, PyPI mixinsdk git",
    ));
    let mut tests = Vec::new();
    for (name, key, flag) in [
        (
            "low-order-recipient-key",
            vec![0u8; 32],
            "LowOrderRecipient",
        ),
        ("31-byte-recipient-key", g.bytes(31), "ShortRecipientKey"),
    ] {
        let args = json!({
            "private_key": hex::encode(g.array::<32>()),
            "sessions": [{"session_id": g.uuid(), "public_key": hex::encode(key)}],
            "plaintext": "00",
            "random": {"message_key": hex::encode(g.array::<16>()), "nonce": hex::encode(g.array::<12>()), "ivs": [hex::encode(g.array::<16>())]},
        });
        tests.push(invalid(
            g,
            op,
            name,
            "A recipient key that cannot be used; the body must not be written.",
            flag,
            args,
        )?);
    }
    done(
        "Extra encrypt vectors that catch mutants the rest of the corpus missed (src/mutants).",
        notes,
        tests,
    )
}

// ---- Themis ----------------------------------------------------------------------------

fn with_crc(mut key: Vec<u8>) -> Vec<u8> {
    if key.len() >= 12 {
        key[8..12].fill(0);
        let crc = crc32c::crc32c(&key);
        key[8..12].copy_from_slice(&crc.to_le_bytes());
    }
    key
}

fn key_check(g: &mut Gen) -> Built {
    let op = "themis.key.check";
    let notes = one("ContainerChecks", "Every key container check: CRC-32C, size field, curve digit, scalar range, point on curve, RSA exponent.", "parsers that check only part of the framing");
    let (private, public) = crate::themis::generate_ec_keypair(g.rng());
    let mut cases: Vec<(&str, &str, Vec<u8>)> = Vec::new();
    let mut bad_crc = private.clone();
    bad_crc[8] ^= 0x01;
    cases.push(("bad-crc", "The CRC-32C field is off by one bit.", bad_crc));
    let mut size = private.clone();
    size[7] = size[7].wrapping_add(1);
    cases.push((
        "size-plus-1-crc-recomputed",
        "The size field is one more than the container, and the CRC is recomputed over it.",
        with_crc(size),
    ));
    let mut digit = private.clone();
    digit[3] = b'3';
    cases.push((
        "rec3-tag-p256-payload-crc-recomputed",
        "Tag REC3 (P-384) on a P-256 payload, CRC recomputed.",
        with_crc(digit),
    ));
    let mut zero = private.clone();
    zero[12..].fill(0);
    cases.push(("scalar-zero-crc-recomputed", "The private scalar is 0, CRC recomputed: Themis's own validity check passes it, import fails.", with_crc(zero)));
    let mut big = private.clone();
    big[12] = 0x01;
    cases.push((
        "scalar-ge-n-crc-recomputed",
        "The 33-byte scalar field starts with 01 (scalar >= 2^256 > n), CRC recomputed.",
        with_crc(big),
    ));
    let mut off = public.clone();
    off[13..].fill(0xff);
    cases.push((
        "point-not-on-curve-crc-recomputed",
        "A compressed point with x = 2^256 - 1 (not a field element), CRC recomputed.",
        with_crc(off),
    ));
    let (_, rsa_public) =
        crate::themis::generate_rsa_keypair(1024, g.rng()).map_err(|e| e.to_string())?;
    let mut e5 = rsa_public.clone();
    let at = e5.len() - 4;
    e5[at..].copy_from_slice(&5u32.to_be_bytes());
    cases.push((
        "rsa-exponent-5-crc-recomputed",
        "An RSA public key with e = 5, CRC recomputed: Themis imports only e = 3 or 65537.",
        with_crc(e5),
    ));
    let mut notes = notes;
    notes.insert(
        "KeyCheckDeferred".into(),
        note(
            "Malformed",
            "Framing is fine but the numbers are not: Themis's own key check passes such a key and refuses it only when an operation imports it. A stricter key.check rejects it at `key`.",
            &[("wasm-themis 0.15.0", "key.check: accepted; sign, verify, encrypt, decrypt: INVALID_PARAMETER")],
            &["docs/themis-secure-message.md"],
        ),
    );
    let mut tests = Vec::new();
    for (name, comment, key) in cases {
        let args = json!({"key": hex::encode(key)});
        // Semantic defects are acceptable for key.check (Themis defers them to use).
        if name.starts_with("scalar-")
            || name.starts_with("point-")
            || name.starts_with("rsa-exponent")
        {
            let id = format!("{op}/key/extra-{name}");
            tests.push(g.acceptable(
                op,
                id,
                comment,
                &["KeyCheckDeferred"],
                args,
                crate::wire::Stage::Key,
            )?);
        } else {
            tests.push(invalid(g, op, name, comment, "ContainerChecks", args)?);
        }
    }
    done("Extra key container vectors that catch mutants the rest of the corpus missed (src/mutants).", notes, tests)
}

fn signed_parts(signed: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let m = usize::try_from(u32::from_le_bytes(signed.get(4..8)?.try_into().ok()?)).ok()?;
    let s = usize::try_from(u32::from_le_bytes(signed.get(8..12)?.try_into().ok()?)).ok()?;
    Some((
        signed.get(12..12 + m)?.to_vec(),
        signed.get(12 + m..12 + m + s)?.to_vec(),
    ))
}

fn frame(ty: u32, message: &[u8], sig: &[u8]) -> Vec<u8> {
    let mut out = ty.to_le_bytes().to_vec();
    out.extend_from_slice(&(message.len() as u32).to_le_bytes());
    out.extend_from_slice(&(sig.len() as u32).to_le_bytes());
    out.extend_from_slice(message);
    out.extend_from_slice(sig);
    out
}

fn verify(g: &mut Gen) -> Built {
    let op = "themis.verify";
    let notes = one(
        "VerifyChecks",
        "Verify refuses private keys, raw r||s signatures and empty messages.",
        "wrappers and ports on P1363-native APIs",
    );
    let (private, public) = crate::themis::generate_ec_keypair(g.rng());
    let message = g.bytes(20);
    let signed = hex::decode(
        g.ok(
            "themis.sign",
            &json!({"private_key": hex::encode(&private), "message": hex::encode(&message)}),
        )?["signed"]
            .as_str()
            .unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    let (_, sig) = signed_parts(&signed).ok_or("bad signed message")?;
    let raw = p256::ecdsa::Signature::from_der(&sig)
        .map_err(|e| e.to_string())?
        .to_bytes();
    let tests = vec![
        invalid(
            g,
            op,
            "private-key",
            "Verify given the signer's private key instead of its public key.",
            "VerifyChecks",
            json!({"public_key": hex::encode(&private), "signed": hex::encode(&signed)}),
        )?,
        invalid(
            g,
            op,
            "raw-r-s-signature",
            "The DER signature replaced by raw 64-byte r||s (P1363): Themis only reads DER.",
            "VerifyChecks",
            json!({"public_key": hex::encode(&public), "signed": hex::encode(frame(crate::themis::EC_SIGNED, &message, &raw))}),
        )?,
        invalid(
            g,
            op,
            "empty-message",
            "message_length 0 with a signature: Themis refuses to verify an empty message.",
            "VerifyChecks",
            json!({"public_key": hex::encode(&public), "signed": hex::encode(frame(crate::themis::EC_SIGNED, &[], &sig))}),
        )?,
    ];
    done(
        "Extra verify vectors that catch mutants the rest of the corpus missed (src/mutants).",
        notes,
        tests,
    )
}

fn sign(g: &mut Gen) -> Built {
    let op = "themis.sign";
    let notes = one("SignFraming", "A signed message is LE header, plaintext, DER (EC) or PSS (RSA) signature over the plaintext only; an empty message is refused.", "ports that sign the header, write big-endian or P1363");
    let (private, public) = crate::themis::generate_ec_keypair(g.rng());
    let (rsa_private, rsa_public) =
        crate::themis::generate_rsa_keypair(1024, g.rng()).map_err(|e| e.to_string())?;
    let mut tests = Vec::new();
    for (name, key, public) in [
        ("ec", &private, &public),
        ("rsa1024", &rsa_private, &rsa_public),
    ] {
        let message = hex::encode(g.bytes(33));
        tests.push(g.valid_checked(
            op,
            format!("{op}/extra/{name}-verifies"),
            "A signature the reference verifies, over the plaintext only, framed little-endian.",
            &["SignFraming"],
            json!({"private_key": hex::encode(key), "message": message}),
            Check::ThemisVerify {
                public_key: hex::encode(public),
            },
        )?);
    }
    tests.push(invalid(
        g,
        op,
        "empty-message",
        "An empty message: Themis refuses to sign it.",
        "SignFraming",
        json!({"private_key": hex::encode(&private), "message": ""}),
    )?);
    done(
        "Extra sign vectors that catch mutants the rest of the corpus missed (src/mutants).",
        notes,
        tests,
    )
}

fn encrypt(g: &mut Gen) -> Built {
    let op = "themis.encrypt";
    let notes = one("EncryptChecks", "EC encryption is exact given the IV (Soter KDF with the 32-bit length context); an empty message is refused.", "ports with another KDF context or no empty check");
    let (a, _) = crate::themis::generate_ec_keypair(g.rng());
    let (_, b) = crate::themis::generate_ec_keypair(g.rng());
    let args = |g: &mut Gen, m: Vec<u8>| json!({"private_key": hex::encode(&a), "peer_public_key": hex::encode(&b), "message": hex::encode(m), "random": {"iv": hex::encode(g.array::<12>())}});
    let m = g.bytes(17);
    let valid = args(g, m);
    let empty = args(g, Vec::new());
    let tests = vec![
        g.valid(
            op,
            format!("{op}/extra/ec-injected-iv"),
            "EC encryption with an injected IV: the exact bytes.",
            &["EncryptChecks"],
            valid,
        )?,
        invalid(
            g,
            op,
            "empty-message",
            "An empty message: Themis refuses to encrypt it.",
            "EncryptChecks",
            empty,
        )?,
    ];
    done(
        "Extra encrypt vectors that catch mutants the rest of the corpus missed (src/mutants).",
        notes,
        tests,
    )
}

fn decrypt(g: &mut Gen) -> Built {
    let op = "themis.decrypt";
    let notes = one("DecryptFraming", "Decrypt checks the exact type, the total length, the Secure Cell algorithm and IV/tag lengths, and the key kinds, as Themis does.", "parsers with fixed offsets or lenient dispatch");
    let (a_priv, a_pub) = crate::themis::generate_ec_keypair(g.rng());
    let (b_priv, b_pub) = crate::themis::generate_ec_keypair(g.rng());
    let enc = json!({"private_key": hex::encode(&a_priv), "peer_public_key": hex::encode(&b_pub), "message": hex::encode(g.bytes(40)), "random": {"iv": hex::encode(g.array::<12>())}});
    let m = hex::decode(
        g.ok("themis.encrypt", &enc)?["encrypted"]
            .as_str()
            .unwrap_or_default(),
    )
    .map_err(|e| e.to_string())?;
    let args = |m: &[u8]| json!({"private_key": hex::encode(&b_priv), "peer_public_key": hex::encode(&a_pub), "encrypted": hex::encode(m)});
    let set = |at: usize, v: u32| {
        let mut x = m.clone();
        x[at..at + 4].copy_from_slice(&v.to_le_bytes());
        x
    };
    let total = m.len() as u32;
    let mut appended = m.clone();
    appended.push(0);
    appended[4..8].copy_from_slice(&(total + 1).to_le_bytes());
    let cases: Vec<(&str, &str, Value)> = vec![
        ("swapped-key-kinds", "The recipient's public key and the sender's private key, in the wrong argument order.", json!({"private_key": hex::encode(&a_pub), "peer_public_key": hex::encode(&b_priv), "encrypted": hex::encode(&m)})),
        ("type-low-byte-21", "Message type 0x26042721: Themis decrypts only the exact EC type.", args(&set(0, 0x2604_2721))),
        ("total-length-plus-1", "The header's total length is one more than the message.", args(&set(4, total + 1))),
        ("byte-appended-length-fixed", "One byte appended and the total length fixed: the cell's length no longer accounts for every byte.", args(&appended)),
        ("iv-length-16", "Secure Cell iv_length 16 with no extra bytes.", args(&set(12, 16))),
        ("tag-length-17", "Secure Cell auth_tag_length 17 with no extra bytes.", args(&set(16, 17))),
        ("alg-aes128", "Secure Cell algorithm AES-128-GCM (0x40010080) on an AES-256 cell.", args(&set(8, 0x4001_0080))),
    ];
    let mut tests = Vec::new();
    for (name, comment, a) in cases {
        tests.push(invalid(g, op, name, comment, "DecryptFraming", a)?);
    }
    done(
        "Extra decrypt vectors that catch mutants the rest of the corpus missed (src/mutants).",
        notes,
        tests,
    )
}
