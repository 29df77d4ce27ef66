//! Generated `mixin.decrypt` vectors: valid bodies, a malformation at every field boundary,
//! version and count edits, non-standard key-wrap paddings, bit flips in every field, wrong
//! keys and sessions. See docs/mixin-encrypted-message.md for the policy and its stages.

use super::gen::{note, Gen, Generated};
use super::mixin_parts::{
    decrypt_args, draw_random, h32, notes, seal, text, x_public, Party, LOW_ORDER_U,
};
use crate::corpus::Vector;
use crate::mixin::keys;
use crate::mixin::Randomness;
use crate::wire::Stage;
use aes::cipher::{block_padding::NoPadding, BlockEncryptMut, KeyIvInit};

const OP: &str = "mixin.decrypt";
const HEADER: usize = 35;
const BLOCK: usize = 64;

type CbcEnc = cbc::Encryptor<aes::Aes256>;

/// One encrypted body and everything needed to open or rebuild it.
struct Scene {
    sender: [u8; 32],
    parties: Vec<Party>,
    plaintext: Vec<u8>,
    random: Randomness,
    body: Vec<u8>,
}

impl Scene {
    fn new(g: &mut Gen, n: usize, plaintext: Vec<u8>) -> Result<Scene, String> {
        let sender: [u8; 32] = g.array();
        let parties: Vec<Party> = (0..n).map(|_| Party::new(g)).collect();
        let random = draw_random(g, n);
        let sessions: Vec<_> = parties.iter().map(Party::session).collect();
        let body = seal(&sender, &sessions, &plaintext, &random)?;
        Ok(Scene {
            sender,
            parties,
            plaintext,
            random,
            body,
        })
    }

    fn n(&self) -> usize {
        self.parties.len()
    }

    /// Args for party `k` opening `body`.
    fn args(&self, k: usize, body: &[u8]) -> serde_json::Value {
        decrypt_args(&self.parties[k].seed, &self.parties[k].id, body)
    }

    fn block(&self, i: usize) -> usize {
        HEADER + BLOCK * i
    }

    fn nonce(&self) -> usize {
        HEADER + BLOCK * self.n()
    }

    fn ciphertext(&self) -> usize {
        self.nonce() + 12
    }

    fn tag(&self) -> usize {
        self.body.len() - 16
    }

    fn flipped(&self, byte: usize, bit: u8) -> Vec<u8> {
        let mut b = self.body.clone();
        b[byte] ^= 1 << bit;
        b
    }

    fn with_count(&self, count: u16) -> Vec<u8> {
        let mut b = self.body.clone();
        b[1..3].copy_from_slice(&count.to_le_bytes());
        b
    }

    /// Party `k`'s wrapped key re-encrypted as `key || padding` under the same secret and IV.
    fn rewrapped(&self, k: usize, key: &[u8; 16], padding: &[u8; 16]) -> Result<Vec<u8>, String> {
        let secret = keys::agree(
            &keys::private_to_x25519(&self.sender),
            &self.parties[k].public(),
            "recipient",
        )
        .map_err(|e| e.to_string())?;
        let mut wrapped = [0u8; 32];
        wrapped[..16].copy_from_slice(key);
        wrapped[16..].copy_from_slice(padding);
        CbcEnc::new(&secret.into(), &self.random.ivs[k].into())
            .encrypt_padded_mut::<NoPadding>(&mut wrapped, 32)
            .map_err(|e| e.to_string())?;
        let mut b = self.body.clone();
        let at = self.block(k) + 32;
        b[at..at + 32].copy_from_slice(&wrapped);
        Ok(b)
    }
}

/// The stage the policy gives a body of `len` bytes cut from a well-formed one with `n`
/// sessions and an `l`-byte plaintext (computed here, independently of the reference).
fn truncation_stage(len: usize, n: usize, l: usize) -> Stage {
    let blocks_end = HEADER + BLOCK * n;
    if len < HEADER {
        Stage::Length
    } else if len < blocks_end {
        Stage::SessionCount
    } else if len < blocks_end + 12 + 16 {
        Stage::Length
    } else {
        // Only shorter bodies are asked for: the ciphertext is cut, so the tag fails.
        debug_assert!(len < blocks_end + 12 + l + 16);
        Stage::Authentication
    }
}

/// Flags explaining what the studied implementations do with a body the policy rejects.
fn failure_flags(stage: Stage, body_len: usize) -> Vec<&'static str> {
    match stage {
        Stage::Authentication => vec!["EmptyPlaintextOnFailure", "TagUnchecked"],
        Stage::SessionCount if body_len >= 111 => vec!["CountPanics"],
        Stage::Length | Stage::SessionCount | Stage::SessionNotFound | Stage::KeyUnwrap => {
            vec!["EmptyPlaintextOnFailure"]
        }
        _ => vec![],
    }
}

/// How the implementations with count-parsing bugs read the two count bytes.
fn misread_counts(b0: u8, b1: u8) -> (i32, u32, u32) {
    let android = (b0 as i8 as i32) + ((b1 as i32) << 8);
    let dart = u32::from(b0) + u32::from(b1);
    let ruby = u32::from(b0);
    (android, dart, ruby)
}

fn count_flags(count: u16) -> (Vec<&'static str>, String) {
    let [b0, b1] = count.to_le_bytes();
    let (a, d, r) = misread_counts(b0, b1);
    let mut flags = Vec::new();
    if a != i32::from(count) {
        flags.push("CountSignExtended");
    }
    if d != u32::from(count) {
        flags.push("CountByteSum");
    }
    if r != u32::from(count) {
        flags.push("CountLowByte");
    }
    (
        flags,
        format!(" Count bytes {b0:02x} {b1:02x}: Android/Kotlin read {a}, the desktop client (Dart) {d}, Ruby {r}."),
    )
}

struct Out<'a> {
    g: &'a mut Gen,
    tests: Vec<Vector>,
}

impl Out<'_> {
    fn valid(
        &mut self,
        id: &str,
        comment: String,
        flags: &[&str],
        args: serde_json::Value,
    ) -> Result<(), String> {
        let v = self
            .g
            .valid(OP, format!("{OP}/{id}"), comment, flags, args)?;
        self.tests.push(v);
        Ok(())
    }

    /// An invalid vector; the failure flags for the stage are added to `extra`.
    fn invalid(
        &mut self,
        id: &str,
        comment: String,
        extra: &[&'static str],
        args: serde_json::Value,
        stage: Stage,
    ) -> Result<(), String> {
        let len = args["body"].as_str().map_or(0, |b| b.len() / 2);
        let mut flags = failure_flags(stage, len);
        flags.extend_from_slice(extra);
        let v = self
            .g
            .invalid(OP, format!("{OP}/{id}"), comment, &flags, args, stage)?;
        self.tests.push(v);
        Ok(())
    }

    fn acceptable(
        &mut self,
        id: &str,
        comment: String,
        flags: &[&str],
        args: serde_json::Value,
        stage: Stage,
    ) -> Result<(), String> {
        let v = self
            .g
            .acceptable(OP, format!("{OP}/{id}"), comment, flags, args, stage)?;
        self.tests.push(v);
        Ok(())
    }
}

pub(super) fn decrypt(g: &mut Gen) -> Result<Generated, String> {
    let mut o = Out {
        g,
        tests: Vec::new(),
    };
    valid_bodies(&mut o)?;
    truncations(&mut o)?;
    versions(&mut o)?;
    counts(&mut o)?;
    paddings(&mut o)?;
    flips(&mut o)?;
    keys_and_sessions(&mut o)?;
    Ok(Generated {
        description: "Mixin decrypt: valid bodies (1 to 5 sessions, the recipient first, middle and last, 128 to 384 sessions), truncations inside and at every field boundary, trailing bytes, version and count edits, non-standard key-wrap paddings, bit flips in every field, wrong keys, low-order sender keys and unknown or re-cased session ids. Plaintexts are printable text unless flagged BinaryPlaintext.".into(),
        notes: decrypt_notes(),
        tests: o.tests,
    })
}

fn decrypt_notes() -> std::collections::BTreeMap<String, crate::corpus::Note> {
    notes(&[
        (
            "EmptyPlaintextOnFailure",
            note(
                "FailureSignalling",
                "bot-api-go-client's DecryptMessageData reports this failure (bodies under 111 bytes, unknown session, GCM failure, truncation, trailing bytes) as an empty plaintext with a nil error, indistinguishable from a genuine empty message. Its adapter sees ok with an empty plaintext.",
                &[
                    ("bot-api-go-client", "returns \"\" and nil"),
                    ("Ruby mixin_bot", "returns '' for short bodies and unknown sessions; raises on a tag failure"),
                    ("fox-one/mixin-sdk-go", "returns an error"),
                    ("PyPI mixinsdk", "raises ValueError"),
                ],
                &["MixinNetwork/bot-api-go-client message.go DecryptMessageData"],
            ),
        ),
        (
            "TagUnchecked",
            note(
                "MissingCheck",
                "The GCM tag does not verify (edited nonce, ciphertext or tag, wrong message key, truncation or trailing bytes). PyPI mixinsdk strips the last 16 bytes and decrypts the rest without verifying the tag, returning a garbled or shortened plaintext (or a UnicodeDecodeError).",
                &[
                    ("PyPI mixinsdk", "tag never verified: returns garbage or a truncated plaintext"),
                    ("bot-api-go-client", "tag verified; failure returns \"\" and nil"),
                    ("fox-one/mixin-sdk-go", "tag verified: cipher: message authentication failed"),
                    ("Android/Kotlin, iOS, desktop (Dart), Ruby", "tag verified"),
                ],
                &["nodewee/mixin-sdk-python mixinsdk/clients/_message.py decrypt_message_data"],
            ),
        ),
        (
            "CountPanics",
            note(
                "Crash",
                "The session count needs more bytes than the body holds, and the body is at least 111 bytes (the Go minimum), so the Go decoders slice past the end and panic.",
                &[
                    ("bot-api-go-client", "panic: slice bounds out of range"),
                    ("fox-one/mixin-sdk-go", "panic: slice bounds out of range"),
                    ("Android/Kotlin", "IndexOutOfBoundsException"),
                    ("iOS", "badCipher (static reading)"),
                    ("desktop (Dart)", "RangeError (static reading)"),
                    ("PyPI mixinsdk", "ValueError from uuid.UUID(bytes=...) or the GCM nonce"),
                ],
                &["MixinNetwork/bot-api-go-client message.go DecryptMessageData", "fox-one/mixin-sdk-go messages_encrypt.go"],
            ),
        ),
        (
            "VersionUnchecked",
            note(
                "Leniency",
                "A version byte other than 1. Only iOS checks it; everyone else decrypts the body as version 1. The reference, being strict, rejects at version.",
                &[
                    ("iOS", "unsupportedVersion (static reading)"),
                    ("bot-api-go-client", "decrypts"),
                    ("fox-one/mixin-sdk-go", "decrypts"),
                    ("Android/Kotlin", "decrypts"),
                    ("desktop (Dart)", "decrypts"),
                    ("Ruby mixin_bot", "decrypts"),
                    ("PyPI mixinsdk", "decrypts"),
                ],
                &["MixinNetwork/ios-app EncryptedProtocol.swift", "MixinNetwork/bot-api-go-client message.go DecryptMessageData"],
            ),
        ),
        (
            "PaddingUnchecked",
            note(
                "Leniency",
                "The unwrapped message key is followed by something other than sixteen 0x10 bytes, while its first 16 bytes are the right key. Implementations that keep the first 16 bytes decrypt the body; those that strip PKCS#7 padding reject it (bad padding), or, when the padding is valid PKCS#7 of another length, end up with a 17-, 24- or 31-byte key (invalid key length, or AES-192 and a tag failure).",
                &[
                    ("bot-api-go-client", "decrypts (key = key[:16])"),
                    ("fox-one/mixin-sdk-go", "decrypts"),
                    ("Ruby mixin_bot", "decrypts (update only, no final)"),
                    ("PyPI mixinsdk", "decrypts"),
                    ("Android/Kotlin", "BadPaddingException, or InvalidKeyException / tag failure for other valid PKCS#7 lengths"),
                    ("iOS", "AESCryptor.Error.finalize (static reading)"),
                    ("desktop (Dart)", "pointycastle PKCS7 padding error (static reading)"),
                ],
                &["MixinNetwork/bot-api-go-client message.go DecryptMessageData", "MixinNetwork/android-app CryptoUtil.kt (AES/CBC/PKCS5Padding)"],
            ),
        ),
        (
            "CountSignExtended",
            note(
                "ParsingBug",
                "Android and the Kotlin bot client read the count as bytes[0].toUInt() + (bytes[1].toUInt() shl 8); Byte.toUInt() sign-extends, so a low byte of 0x80 or more is misread (128 reads as -128: no sessions; 255 as -1; 384 as 128).",
                &[("Android/Kotlin", "misreads the count: session not found, or out-of-bounds reads")],
                &["MixinNetwork/android-app EncryptedProtocol.kt leByteArrayToInt", "MixinNetwork/bot-api-kotlin-client EncryptedProtocol.kt"],
            ),
        ),
        (
            "CountByteSum",
            note(
                "ParsingBug",
                "The desktop client (Dart) reads the count as array.first + array[1] without shifting the high byte: 256 reads as 1, 300 as 45.",
                &[("desktop (Dart)", "misreads counts of 256 and more (static reading)")],
                &["MixinNetwork/flutter-app lib/utils/crypto_util.dart leByteArrayToInt"],
            ),
        ),
        (
            "CountLowByte",
            note(
                "ParsingBug",
                "The Ruby gem reads only the low byte of the count (bytes[1...3].pack('v*').unpack1('C*')): 256 reads as 0, 300 as 44, 257 as 1.",
                &[("Ruby mixin_bot", "misreads counts of 256 and more (verified with ruby 3.1)")],
                &["an-lee/mixin_bot lib/mixin_bot/api/encrypted_message.rb"],
            ),
        ),
        (
            "SessionIdByteMatch",
            note(
                "Leniency",
                "The session id differs from the block's only in letter case. The reference compares the lowercase canonical string, as bot-api-go-client does, and finds no block; implementations that parse the id and compare the 16 bytes find it and decrypt.",
                &[
                    ("bot-api-go-client", "string compare: not found (\"\", nil)"),
                    ("fox-one/mixin-sdk-go", "string compare: session id not found"),
                    ("Ruby mixin_bot", "string compare: not found"),
                    ("PyPI mixinsdk", "string compare: ValueError(\"Invalid key\")"),
                    ("Android/Kotlin", "byte compare: decrypts"),
                    ("iOS", "byte compare: decrypts"),
                    ("desktop (Dart)", "byte compare: decrypts"),
                ],
                &["MixinNetwork/bot-api-go-client message.go DecryptMessageData (uid.String() == sessionId)"],
            ),
        ),
        (
            "LastMatchWins",
            note(
                "EdgeCase",
                "Two blocks carry the recipient's session id, wrapping different message keys. The reference (like Go, fox-one, iOS, Ruby, Python) uses the first; Android/Kotlin and the desktop client loop without break and use the last.",
                &[
                    ("bot-api-go-client, fox-one, iOS, Ruby, PyPI mixinsdk", "first matching block"),
                    ("Android/Kotlin", "last matching block"),
                    ("desktop (Dart)", "last matching block"),
                ],
                &["MixinNetwork/android-app EncryptedProtocol.kt", "MixinNetwork/flutter-app encrypted_protocol.dart"],
            ),
        ),
        (
            "LowOrderUnchecked",
            note(
                "MissingCheck",
                "The sender key in the header is a low-order point, so the X25519 secret is all zero. The reference (like Go's curve25519.X25519) refuses it at key; implementations without the all-zero check unwrap with an all-zero AES key and fail later, at key_unwrap or authentication.",
                &[
                    ("bot-api-go-client", "returns the X25519 error"),
                    ("Android/Kotlin", "whispersystems calculateAgreement: no check, fails at the padding"),
                    ("iOS", "curve25519_donna: no check (static reading)"),
                    ("PyPI mixinsdk", "pynacl crypto_scalarmult raises on an all-zero result"),
                ],
                &["RFC 7748 section 6.1", "MixinNetwork/bot-api-go-client message.go"],
            ),
        ),
        (
            "SenderKeyHighBit",
            note(
                "EdgeCase",
                "The sender key in the header has bit 255 flipped. X25519 ignores that bit (RFC 7748 section 5), so the secret and the plaintext are unchanged.",
                &[("bot-api-go-client", "curve25519.X25519 masks bit 255"), ("libsodium / curve25519-donna", "mask bit 255")],
                &["RFC 7748 section 5"],
            ),
        ),
        (
            "BinaryPlaintext",
            note(
                "EdgeCase",
                "The plaintext is not valid UTF-8. PyPI mixinsdk returns the plaintext as str via .decode() and raises UnicodeDecodeError; an adapter for it must return bytes to pass.",
                &[("PyPI mixinsdk", "UnicodeDecodeError"), ("bot-api-go-client", "returns base64 of the bytes")],
                &["nodewee/mixin-sdk-python mixinsdk/clients/_message.py"],
            ),
        ),
        (
            "ShortBody",
            note(
                "EdgeCase",
                "A body shorter than 111 bytes. bot-api-go-client, fox-one, Ruby and Python refuse anything under 111 bytes (35 + 64 + 12, the tag not counted) before parsing, whatever the count says.",
                &[
                    ("bot-api-go-client", "\"\", nil"),
                    ("fox-one/mixin-sdk-go", "invalid data size"),
                    ("Ruby mixin_bot", "''"),
                    ("PyPI mixinsdk", "ValueError(\"Invalid message data\")"),
                ],
                &["MixinNetwork/bot-api-go-client message.go DecryptMessageData"],
            ),
        ),
    ])
}

fn valid_bodies(o: &mut Out) -> Result<(), String> {
    // 1 to 5 sessions x plaintext lengths; the recipient rotates through the positions.
    for n in 1..=5usize {
        for (j, len) in [0usize, 1, 15, 16, 17, 1024].into_iter().enumerate() {
            let pt = text(o.g, len);
            let s = Scene::new(o.g, n, pt)?;
            let k = (j + n) % n;
            o.valid(
                &format!("valid/sessions-{n}-len-{len}-recipient-{k}"),
                format!("A well-formed body with {n} session(s) and a {len}-byte text plaintext, opened by the session in block {k}."),
                &[],
                s.args(k, &s.body),
            )?;
        }
    }
    // First, middle and last position in one body; every position of a 5-session body.
    let pt = text(o.g, 33);
    let s = Scene::new(o.g, 3, pt)?;
    for (k, pos) in [(0, "first"), (1, "middle"), (2, "last")] {
        o.valid(
            &format!("valid/position-{pos}"),
            format!(
                "The recipient's block is {pos} of three; the other blocks must be skipped by id."
            ),
            &[],
            s.args(k, &s.body),
        )?;
    }
    let pt = text(o.g, 48);
    let s = Scene::new(o.g, 5, pt)?;
    for k in 0..5 {
        o.valid(
            &format!("valid/five-sessions-position-{k}"),
            format!("One 5-session body, opened by the session in block {k}."),
            &[],
            s.args(k, &s.body),
        )?;
    }
    let s = Scene::new(o.g, 1, Vec::new())?;
    o.valid(
        "valid/empty-plaintext",
        "An empty plaintext: the body is 35 + 64 + 12 + 16 = 127 bytes and decrypts to nothing (bot-api-go-client cannot tell this from a failure).".into(),
        &[],
        s.args(0, &s.body),
    )?;
    for (name, t) in [
        ("utf8-latin", "h\u{e9}llo w\u{f6}rld, \u{e7}a va?"),
        ("utf8-cjk", "\u{4f60}\u{597d}\u{ff0c}\u{4e16}\u{754c}"),
        ("utf8-emoji", "\u{1f510} sealed \u{2713}"),
        ("json-text", "{\"category\":\"PLAIN_TEXT\",\"data\":\"hi\"}"),
    ] {
        let s = Scene::new(o.g, 2, t.as_bytes().to_vec())?;
        o.valid(
            &format!("valid/{name}"),
            format!("A multi-byte or structured text plaintext ({name}): valid UTF-8, returned byte for byte."),
            &[],
            s.args(1, &s.body),
        )?;
    }
    // Binary plaintexts.
    for (name, pt) in [
        ("random-16", o.g.bytes(16)),
        ("random-100", o.g.bytes(100)),
        ("invalid-utf8-ff", vec![0xff; 8]),
        ("nul-bytes", vec![0; 20]),
        ("lone-continuation", vec![b'a', 0x80, b'b']),
    ] {
        let s = Scene::new(o.g, 1, pt)?;
        o.valid(
            &format!("binary/{name}"),
            format!("A binary plaintext ({name}) that is not valid UTF-8 (or holds NULs): returned byte for byte."),
            &["BinaryPlaintext"],
            s.args(0, &s.body),
        )?;
    }
    // Many sessions, the recipient last: the count's high byte or the 0x80 bit is set.
    for n in [128usize, 255, 256, 300, 384] {
        let sender: [u8; 32] = o.g.array();
        let filler = x_public(&o.g.array());
        let me = Party::new(o.g);
        let mut sessions: Vec<(String, Vec<u8>)> =
            (0..n - 1).map(|_| (o.g.uuid(), filler.to_vec())).collect();
        sessions.push(me.session());
        let pt = text(o.g, 8);
        let random = draw_random(o.g, n);
        let body = seal(&sender, &sessions, &pt, &random)?;
        let (flags, reads) = count_flags(n as u16);
        o.valid(
            &format!("session_count/{n}-sessions-recipient-last"),
            format!("A well-formed body that really holds {n} sessions, the recipient's block last: the count must be read as a little-endian u16.{reads}"),
            &flags,
            decrypt_args(&me.seed, &me.id, &body),
        )?;
    }
    // Duplicate session id: first match wins.
    let pt = text(o.g, 21);
    let s = Scene::new(o.g, 1, pt)?;
    let me = &s.parties[0];
    let twice = [me.session(), me.session()];
    let good = seal(
        &s.sender,
        &twice,
        &s.plaintext,
        &draw_random_like(o.g, &s.random, 2),
    )?;
    let mut other_random = draw_random(o.g, 2);
    other_random.nonce = s.random.nonce;
    let other = seal(&s.sender, &twice, &s.plaintext, &other_random)?;
    // `good` opens with block 0 or 1; splice a block wrapping another key into it.
    let mut first_good = good.clone();
    first_good[HEADER + BLOCK..HEADER + 2 * BLOCK]
        .copy_from_slice(&other[HEADER + BLOCK..HEADER + 2 * BLOCK]);
    o.valid(
        "session_not_found/duplicate-id-first-block-good",
        "Two blocks carry the recipient's id; the first wraps the right message key, the second another one. The first match decrypts.".into(),
        &["LastMatchWins"],
        decrypt_args(&me.seed, &me.id, &first_good),
    )?;
    let mut last_good = good;
    last_good[HEADER..HEADER + BLOCK].copy_from_slice(&other[HEADER..HEADER + BLOCK]);
    o.acceptable(
        "authentication/duplicate-id-last-block-good",
        "Two blocks carry the recipient's id; only the second wraps the right message key. The reference takes the first and fails the tag; last-match implementations decrypt.".into(),
        &["LastMatchWins"],
        decrypt_args(&me.seed, &me.id, &last_good),
        Stage::Authentication,
    )?;
    Ok(())
}

/// Fresh randomness for `n` sessions keeping `r`'s message key and nonce.
fn draw_random_like(g: &mut Gen, r: &Randomness, n: usize) -> Randomness {
    let mut x = draw_random(g, n);
    x.message_key = r.message_key;
    x.nonce = r.nonce;
    x
}

fn truncations(o: &mut Out) -> Result<(), String> {
    // One session, a 20-byte text: cut inside and at the end of every field.
    let l = 20;
    let pt = text(o.g, l);
    let s = Scene::new(o.g, 1, pt)?;
    let b0 = s.block(0);
    let nonce = s.nonce();
    let ct = s.ciphertext();
    let tag = s.tag();
    let cuts: Vec<(usize, &str)> = vec![
        (0, "empty-body"),
        (1, "version-only"),
        (2, "inside-count"),
        (3, "after-count"),
        (4, "inside-sender-key-first-byte"),
        (19, "inside-sender-key-middle"),
        (34, "inside-sender-key-last-byte"),
        (b0, "after-header-no-blocks"),
        (b0 + 1, "inside-session-id"),
        (b0 + 15, "inside-session-id-last-byte"),
        (b0 + 16, "after-session-id"),
        (b0 + 17, "inside-iv"),
        (b0 + 32, "after-iv"),
        (b0 + 33, "inside-wrapped-key-first-cbc-block"),
        (b0 + 48, "between-wrapped-key-cbc-blocks"),
        (b0 + 63, "inside-wrapped-key-last-byte"),
        (nonce, "after-blocks-no-nonce"),
        (nonce + 1, "inside-nonce"),
        (nonce + 11, "inside-nonce-last-byte"),
        (ct, "after-nonce-no-ciphertext-no-tag"),
        (ct + 1, "one-byte-after-nonce"),
        (ct + 15, "fifteen-bytes-after-nonce"),
        (ct + 16, "sixteen-bytes-after-nonce"),
        (ct + 10, "inside-ciphertext-ten-bytes-left"),
        (ct + 18, "inside-ciphertext-eighteen-bytes-left"),
        (tag, "after-ciphertext-no-tag"),
        (tag + 1, "inside-tag-first-byte"),
        (tag + 8, "inside-tag-half"),
        (tag + 15, "inside-tag-last-byte"),
    ];
    for (cut, name) in cuts {
        let stage = truncation_stage(cut, 1, l);
        let mut extra = Vec::new();
        if cut < 111 {
            extra.push("ShortBody");
        }
        o.invalid(
            &format!("{}/truncated-{name}", stage_name(stage)),
            format!("A one-session body with a {l}-byte plaintext cut to {cut} of {} bytes ({name}): the policy gives {}.", s.body.len(), stage_name(stage)),
            &extra,
            s.args(0, &s.body[..cut]),
            stage,
        )?;
    }
    // Three sessions, the recipient last: cuts inside and between the later blocks.
    let pt = text(o.g, l);
    let s = Scene::new(o.g, 3, pt)?;
    let mut cuts: Vec<(usize, String)> = Vec::new();
    for i in 0..3 {
        let b = s.block(i);
        cuts.push((b, format!("at-block-{i}-start")));
        cuts.push((b + 20, format!("inside-block-{i}-iv")));
        cuts.push((b + 40, format!("inside-block-{i}-wrapped-key")));
    }
    cuts.push((s.nonce(), "after-last-block".into()));
    cuts.push((s.nonce() + 6, "inside-nonce".into()));
    cuts.push((s.tag() - 1, "one-byte-before-tag".into()));
    cuts.push((s.body.len() - 1, "last-byte-of-tag".into()));
    for (cut, name) in cuts {
        let stage = truncation_stage(cut, 3, l);
        let extra: Vec<&str> = if cut < 111 { vec!["ShortBody"] } else { vec![] };
        o.invalid(
            &format!("{}/three-sessions-truncated-{name}", stage_name(stage)),
            format!("A three-session body (recipient last) with a {l}-byte plaintext cut to {cut} of {} bytes ({name}): the policy gives {}.", s.body.len(), stage_name(stage)),
            &extra,
            s.args(2, &s.body[..cut]),
            stage,
        )?;
    }
    // Empty plaintext: one byte short of the tag is a length error, not an authentication one.
    let s = Scene::new(o.g, 1, Vec::new())?;
    for cut in [1usize, 15, 16] {
        let len = s.body.len() - cut;
        let stage = truncation_stage(len, 1, 0);
        o.invalid(
            &format!("{}/empty-plaintext-tag-short-by-{cut}", stage_name(stage)),
            format!("An empty-plaintext body ({} bytes) missing the last {cut} byte(s): fewer than 16 bytes follow the nonce.", s.body.len()),
            &[],
            s.args(0, &s.body[..len]),
            stage,
        )?;
    }
    // Trailing bytes: they become ciphertext and the tag fails.
    let pt = text(o.g, l);
    let s = Scene::new(o.g, 1, pt)?;
    for extra in [1usize, 16, 100] {
        let mut b = s.body.clone();
        let tail = o.g.bytes(extra);
        b.extend_from_slice(&tail);
        o.invalid(
            &format!("authentication/trailing-{extra}-bytes"),
            format!("{extra} random byte(s) appended to a valid body: the last 16 bytes are taken as the tag, which fails."),
            &[],
            s.args(0, &b),
            Stage::Authentication,
        )?;
        let mut z = s.body.clone();
        z.extend(std::iter::repeat_n(0u8, extra));
        o.invalid(
            &format!("authentication/trailing-{extra}-zero-bytes"),
            format!("{extra} zero byte(s) appended to a valid body (as a careless base64 decoder might): the tag fails."),
            &[],
            s.args(0, &z),
            Stage::Authentication,
        )?;
    }
    let s = Scene::new(o.g, 1, Vec::new())?;
    let mut b = s.body.clone();
    b.extend_from_slice(&[0u8; 16]);
    o.invalid(
        "authentication/empty-plaintext-trailing-16-bytes",
        "Sixteen zero bytes appended to an empty-plaintext body: the real tag becomes a 16-byte ciphertext and the zeros the tag.".into(),
        &[],
        s.args(0, &b),
        Stage::Authentication,
    )?;
    Ok(())
}

fn stage_name(s: Stage) -> &'static str {
    match s {
        Stage::Length => "length",
        Stage::SessionCount => "session_count",
        Stage::Authentication => "authentication",
        Stage::SessionNotFound => "session_not_found",
        Stage::KeyUnwrap => "key_unwrap",
        Stage::Version => "version",
        Stage::Key => "key",
        _ => "other",
    }
}

fn versions(o: &mut Out) -> Result<(), String> {
    let pt = text(o.g, 25);
    let s1 = Scene::new(o.g, 1, pt)?;
    let pt = text(o.g, 25);
    let s3 = Scene::new(o.g, 3, pt)?;
    for v in [0u8, 2, 3, 0x10, 0x80, 0xfe, 0xff] {
        for (s, k, what) in [(&s1, 0usize, "one-session"), (&s3, 2, "three-sessions")] {
            let mut b = s.body.clone();
            b[0] = v;
            o.acceptable(
                &format!("version/{what}-version-{v}"),
                format!("A valid {what} body with version byte {v:#04x}: only iOS checks the version; the others decrypt it as version 1. The reference rejects at version."),
                &["VersionUnchecked"],
                s.args(k, &b),
                Stage::Version,
            )?;
        }
    }
    // Both defects: a bad version on a body that is also truncated. Version comes first.
    let mut b = s1.body[..50].to_vec();
    b[0] = 2;
    o.acceptable(
        "version/version-2-and-truncated",
        "Version 2 on a body cut inside its block: the version is checked before the count, so the reference stops at version; the version-blind implementations reject it for its length.".into(),
        &["VersionUnchecked", "ShortBody"],
        s1.args(0, &b),
        Stage::Version,
    )?;
    Ok(())
}

fn counts(o: &mut Out) -> Result<(), String> {
    let l = 20;
    let pt = text(o.g, l);
    let s = Scene::new(o.g, 1, pt)?;
    o.invalid(
        "session_not_found/count-0",
        "A one-session body whose count says 0: no block is read (the block's bytes become nonce and ciphertext), so the session is not found.".into(),
        &[],
        s.args(0, &s.with_count(0)),
        Stage::SessionNotFound,
    )?;
    o.invalid(
        "session_count/count-2-for-1-block",
        format!("A one-session body with a {l}-byte plaintext whose count says 2: 128 bytes of blocks do not fit in the {} bytes after the header.", s.body.len() - HEADER),
        &[],
        s.args(0, &s.with_count(2)),
        Stage::SessionCount,
    )?;
    for count in [0x00ffu16, 0x0100, 0x0101, 0x0080, 0x0180, 0x8001, 0xffff] {
        let (flags, reads) = count_flags(count);
        let mut comment = format!("A one-session body whose count says {count}: the body cannot hold that many blocks.{reads}");
        let [b0, b1] = count.to_le_bytes();
        let (_, d, r) = misread_counts(b0, b1);
        if d == 1 || r == 1 {
            comment.push_str(" An implementation that reads 1 decrypts it.");
        }
        if count == 0xffff {
            comment.push_str(" (65535 x 64 bytes: an implementation must not allocate for the count before checking it.)");
        }
        o.invalid(
            &format!("session_count/count-{count}-in-one-session-body"),
            comment,
            &flags,
            s.args(0, &s.with_count(count)),
            Stage::SessionCount,
        )?;
    }
    // 65535 in the shortest bodies.
    let e = Scene::new(o.g, 1, Vec::new())?;
    o.invalid(
        "session_count/count-65535-in-empty-plaintext-body",
        format!("An empty-plaintext one-session body ({} bytes, above the 111-byte Go minimum) whose count says 65535.", e.body.len()),
        &[],
        e.args(0, &e.with_count(0xffff)),
        Stage::SessionCount,
    )?;
    o.invalid(
        "session_count/count-65535-header-only",
        "A 35-byte body, header only, whose count says 65535.".into(),
        &["ShortBody"],
        e.args(0, &e.with_count(0xffff)[..HEADER]),
        Stage::SessionCount,
    )?;
    // Count one more, with a long plaintext: the ciphertext is read as a block, the nonce moves.
    let pt = text(o.g, 200);
    let s = Scene::new(o.g, 1, pt)?;
    o.invalid(
        "authentication/count-2-for-1-block-long-plaintext",
        "Count 2 on a one-session body with a 200-byte plaintext: the body can hold two blocks, so the second is carved from the nonce and ciphertext; the recipient's block still unwraps, but the nonce is wrong and the tag fails.".into(),
        &[],
        s.args(0, &s.with_count(2)),
        Stage::Authentication,
    )?;
    // Count one fewer on a three-session body.
    let pt = text(o.g, l);
    let s = Scene::new(o.g, 3, pt)?;
    o.invalid(
        "authentication/count-2-for-3-blocks-recipient-first",
        "Count 2 on a three-session body, recipient first: the third block is read as nonce and ciphertext, so the tag fails.".into(),
        &[],
        s.args(0, &s.with_count(2)),
        Stage::Authentication,
    )?;
    o.invalid(
        "session_not_found/count-2-for-3-blocks-recipient-last",
        "Count 2 on a three-session body, recipient last: its block is outside the counted blocks, so it is not found.".into(),
        &[],
        s.args(2, &s.with_count(2)),
        Stage::SessionNotFound,
    )?;
    o.invalid(
        "session_count/count-4-for-3-blocks",
        "Count 4 on a three-session body with a short plaintext: the fourth block does not fit."
            .into(),
        &[],
        s.args(2, &s.with_count(4)),
        Stage::SessionCount,
    )?;
    let (flags, reads) = count_flags(0x0103);
    o.invalid(
        "session_count/count-259-for-3-blocks",
        format!("Count 259 (0x0103) on a three-session body: too many blocks.{reads} Ruby reads 3 and decrypts."),
        &flags,
        s.args(2, &s.with_count(0x0103)),
        Stage::SessionCount,
    )?;
    // A body with no sessions at all.
    let pt = text(o.g, 16);
    let s0 = Scene::new(o.g, 0, pt)?;
    let stranger = Party::new(o.g);
    o.invalid(
        "session_not_found/zero-session-body",
        "A well-formed body encrypted to no sessions: nobody can open it.".into(),
        &[],
        decrypt_args(&stranger.seed, &stranger.id, &s0.body),
        Stage::SessionNotFound,
    )?;
    Ok(())
}

fn paddings(o: &mut Out) -> Result<(), String> {
    let pt = text(o.g, 27);
    let s = Scene::new(o.g, 1, pt)?;
    let key = s.random.message_key;
    let one_changed = |i: usize, v: u8| {
        let mut p = [0x10u8; 16];
        p[i] = v;
        p
    };
    let mut ends_01 = [0u8; 16];
    ends_01[15] = 1;
    let mut eight_08 = [0x10u8; 16];
    eight_08[8..].fill(0x08);
    let mut fifteen_0f = [0x0fu8; 16];
    fifteen_0f[0] = 0x10;
    let mut zero_then_08 = [0u8; 16];
    zero_then_08[8..].fill(0x08);
    let mut zero_then_01 = [0x01u8; 16];
    zero_then_01[0] = 0;
    let random_pad: [u8; 16] = o.g.array();
    let paddings: Vec<(&str, [u8; 16], &str)> = vec![
        ("all-zero", [0; 16], "not PKCS#7"),
        ("all-11", [0x11; 16], "0x11 > 16: not PKCS#7"),
        (
            "zeros-ending-01",
            ends_01,
            "valid PKCS#7 of one byte: a 31-byte key after stripping",
        ),
        (
            "all-01",
            [0x01; 16],
            "valid PKCS#7 of one byte: a 31-byte key after stripping",
        ),
        (
            "00-then-15x01",
            zero_then_01,
            "valid PKCS#7 of one byte: a 31-byte key after stripping",
        ),
        (
            "ending-8x08",
            eight_08,
            "valid PKCS#7 of eight bytes: a 24-byte key (AES-192) after stripping",
        ),
        (
            "zeros-then-8x08",
            zero_then_08,
            "valid PKCS#7 of eight bytes: a 24-byte key after stripping",
        ),
        (
            "10-then-15x0f",
            fifteen_0f,
            "valid PKCS#7 of fifteen bytes: a 17-byte key after stripping",
        ),
        (
            "all-0f",
            [0x0f; 16],
            "valid PKCS#7 of fifteen bytes: a 17-byte key after stripping",
        ),
        (
            "10-first-byte-00",
            one_changed(0, 0),
            "sixteen 0x10 with the first byte changed: not PKCS#7 of sixteen",
        ),
        (
            "10-middle-byte-ff",
            one_changed(7, 0xff),
            "sixteen 0x10 with a middle byte changed",
        ),
        (
            "10-last-byte-0f",
            one_changed(15, 0x0f),
            "sixteen 0x10 with the last byte 0x0f: not PKCS#7",
        ),
        (
            "10-last-byte-11",
            one_changed(15, 0x11),
            "sixteen 0x10 with the last byte 0x11",
        ),
        ("all-20", [0x20; 16], "0x20 > 16: not PKCS#7"),
        ("all-ff", [0xff; 16], "not PKCS#7"),
        ("random", random_pad, "random bytes"),
    ];
    for (name, pad, why) in &paddings {
        let b = s.rewrapped(0, &key, pad)?;
        o.acceptable(
            &format!("key_unwrap/padding-{name}"),
            format!("The wrapped key decrypts to the right message key followed by {} ({why}) instead of sixteen 0x10: the reference rejects at key_unwrap; implementations that keep the first 16 bytes decrypt.", hex::encode(pad)),
            &["PaddingUnchecked"],
            s.args(0, &b),
            Stage::KeyUnwrap,
        )?;
    }
    // The same in a three-session body, recipient in the middle.
    let pt = text(o.g, 27);
    let s3 = Scene::new(o.g, 3, pt)?;
    for (name, pad, why) in paddings.iter().take(3) {
        let b = s3.rewrapped(1, &s3.random.message_key, pad)?;
        o.acceptable(
            &format!("key_unwrap/three-sessions-middle-padding-{name}"),
            format!("As key_unwrap/padding-{name} ({why}), for the middle of three sessions."),
            &["PaddingUnchecked"],
            s3.args(1, &b),
            Stage::KeyUnwrap,
        )?;
    }
    // A correctly padded but different message key: the tag fails.
    let other: [u8; 16] = o.g.array();
    let b = s.rewrapped(0, &other, &[0x10; 16])?;
    o.invalid(
        "authentication/wrapped-other-message-key",
        "The wrapped key is correctly padded but holds another message key: the unwrap succeeds and the tag fails.".into(),
        &[],
        s.args(0, &b),
        Stage::Authentication,
    )?;
    Ok(())
}

fn flips(o: &mut Out) -> Result<(), String> {
    let l = 24;
    for (n, k, what) in [
        (1usize, 0usize, "one-session"),
        (3, 1, "three-sessions-middle"),
    ] {
        let pt = text(o.g, l);
        let s = Scene::new(o.g, n, pt)?;
        let b = s.block(k);
        let last = s.body.len() - 1;
        let auth: Vec<(usize, u8, &str)> = vec![
            (s.tag(), 0, "tag-first-bit"),
            (last, 7, "tag-last-bit"),
            (s.tag() + 7, 3, "tag-middle-bit"),
            (s.nonce(), 0, "nonce-first-bit"),
            (s.nonce() + 11, 7, "nonce-last-bit"),
            (s.ciphertext(), 0, "ciphertext-first-byte"),
            (s.tag() - 1, 7, "ciphertext-last-byte"),
            (b + 16, 0, "iv-first-bit"),
            (b + 31, 7, "iv-last-bit"),
        ];
        for (byte, bit, name) in auth {
            o.invalid(
                &format!("authentication/{what}-{name}"),
                format!("One bit flipped in a valid {what} body ({name}, byte {byte}): {}; the GCM tag fails.", if name.starts_with("iv") { "the IV changes the unwrapped message key but not the padding" } else { "the message key is intact" }),
                &[],
                s.args(k, &s.flipped(byte, bit)),
                Stage::Authentication,
            )?;
        }
        // Wrapped key, first CBC block: garbles the key and one bit of the padding.
        for (off, bit, name) in [(32usize, 0u8, "first-byte"), (47, 7, "last-byte")] {
            o.invalid(
                &format!("key_unwrap/{what}-wrapped-key-block-1-{name}"),
                format!("One bit flipped in the first CBC block of the wrapped key ({name}): the unwrapped message key is garbled and one padding bit flips. Padding-checking implementations reject at key_unwrap, the others at authentication."),
                &[],
                s.args(k, &s.flipped(b + off, bit)),
                Stage::KeyUnwrap,
            )?;
        }
        // Wrapped key, second CBC block: only the padding is garbled; the key is intact.
        for (off, bit, name) in [(48usize, 0u8, "first-byte"), (63, 7, "last-byte")] {
            o.acceptable(
                &format!("key_unwrap/{what}-wrapped-key-block-2-{name}"),
                format!("One bit flipped in the second CBC block of the wrapped key ({name}): only the padding block is garbled, the message key is intact. Padding-checking implementations reject; the others decrypt the right plaintext."),
                &["PaddingUnchecked"],
                s.args(k, &s.flipped(b + off, bit)),
                Stage::KeyUnwrap,
            )?;
        }
        // Sender key in the header.
        o.invalid(
            &format!("key_unwrap/{what}-sender-key-first-bit"),
            "One bit flipped in the sender key of the header: the X25519 secret changes, so the unwrapped padding is garbage.".into(),
            &[],
            s.args(k, &s.flipped(3, 0)),
            Stage::KeyUnwrap,
        )?;
        o.invalid(
            &format!("key_unwrap/{what}-sender-key-bit-254"),
            "Bit 254 of the sender key flipped: a different point, a different secret; the padding is garbage.".into(),
            &[],
            s.args(k, &s.flipped(34, 6)),
            Stage::KeyUnwrap,
        )?;
        o.valid(
            &format!("valid/{what}-sender-key-bit-255"),
            "Bit 255 of the sender key flipped: X25519 ignores it, so the body still decrypts."
                .into(),
            &["SenderKeyHighBit"],
            s.args(k, &s.flipped(34, 7)),
        )?;
        // The recipient's session id.
        o.invalid(
            &format!("session_not_found/{what}-session-id-bit-flip"),
            "One bit flipped in the recipient's session id in its block: no block carries the id."
                .into(),
            &[],
            s.args(k, &s.flipped(b + 15, 0)),
            Stage::SessionNotFound,
        )?;
        // Count byte flip covered in counts(); version in versions().
    }
    Ok(())
}

fn keys_and_sessions(o: &mut Out) -> Result<(), String> {
    let l = 30;
    let pt = text(o.g, l);
    let s = Scene::new(o.g, 3, pt)?;
    // Wrong recipient key.
    let stranger = Party::new(o.g);
    o.invalid(
        "key_unwrap/wrong-recipient-key",
        "The right session id with a seed that is not the session's: the X25519 secret differs and the unwrapped padding is garbage.".into(),
        &[],
        decrypt_args(&stranger.seed, &s.parties[1].id, &s.body),
        Stage::KeyUnwrap,
    )?;
    o.invalid(
        "key_unwrap/other-recipients-key",
        "Session 0's id with session 2's seed: both are recipients, but the key does not match the block.".into(),
        &[],
        decrypt_args(&s.parties[2].seed, &s.parties[0].id, &s.body),
        Stage::KeyUnwrap,
    )?;
    o.invalid(
        "key_unwrap/sender-seed-as-recipient",
        "The sender's own seed with a recipient's session id: the sender is not a recipient."
            .into(),
        &[],
        decrypt_args(&s.sender, &s.parties[0].id, &s.body),
        Stage::KeyUnwrap,
    )?;
    // Recipient seed lengths.
    for len in [0usize, 16, 31, 33, 64] {
        let mut seed = s.parties[0].seed.to_vec();
        if len == 64 {
            seed.extend_from_slice(&keys::ed25519_public(&s.parties[0].seed));
        } else {
            seed.resize(len, 0x44);
        }
        o.invalid(
            &format!("key/recipient-seed-{len}-bytes"),
            format!(
                "A {len}-byte recipient private key{}: the op takes a 32-byte ed25519 seed.",
                if len == 64 {
                    " (seed || public, Go's native form)"
                } else {
                    ""
                }
            ),
            &[],
            decrypt_args(&seed, &s.parties[0].id, &s.body),
            Stage::Key,
        )?;
    }
    // Low-order sender keys in the header.
    for (name, u) in LOW_ORDER_U {
        let mut b = s.body.clone();
        b[3..35].copy_from_slice(&h32(u));
        o.invalid(
            &format!("key/low-order-sender-key-{name}"),
            format!("The header's sender key replaced by the low-order point u = {name}: the X25519 secret is all zero, refused before unwrapping."),
            &["LowOrderUnchecked"],
            s.args(0, &b),
            Stage::Key,
        )?;
    }
    // Session ids.
    for (k, pos) in [(0usize, "first"), (1, "middle"), (2, "last")] {
        o.acceptable(
            &format!("session_not_found/upper-case-id-{pos}"),
            format!("The recipient's session id ({pos} block) in upper case: string-comparing implementations find no block, byte-comparing ones decrypt."),
            &["SessionIdByteMatch"],
            decrypt_args(&s.parties[k].seed, &s.parties[k].id.to_uppercase(), &s.body),
            Stage::SessionNotFound,
        )?;
    }
    let id = &s.parties[1].id;
    if let Some(i) = id.find(|c: char| c.is_ascii_alphabetic()) {
        let mut mixed = id.clone();
        mixed.replace_range(i..=i, &id[i..=i].to_uppercase());
        o.acceptable(
            "session_not_found/one-letter-upper-case",
            "The session id with a single letter upper-cased.".into(),
            &["SessionIdByteMatch"],
            decrypt_args(&s.parties[1].seed, &mixed, &s.body),
            Stage::SessionNotFound,
        )?;
    }
    let unknown = o.g.uuid();
    for (name, sid, why) in [
        (
            "unknown-id",
            unknown.as_str(),
            "a random id that no block carries",
        ),
        (
            "nil-id",
            "00000000-0000-0000-0000-000000000000",
            "the nil UUID",
        ),
        ("empty-id", "", "the empty string"),
    ] {
        o.invalid(
            &format!("session_not_found/{name}"),
            format!("The recipient's seed with {why}: no block matches."),
            &[],
            decrypt_args(&s.parties[0].seed, sid, &s.body),
            Stage::SessionNotFound,
        )?;
    }
    let no_hyphens = s.parties[0].id.replace('-', "");
    o.invalid(
        "session_not_found/id-without-hyphens",
        "The recipient's session id without hyphens: not the canonical form, so no block matches."
            .into(),
        &[],
        decrypt_args(&s.parties[0].seed, &no_hyphens, &s.body),
        Stage::SessionNotFound,
    )?;
    Ok(())
}
