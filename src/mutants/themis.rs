//! Themis mutants: twins of key validation, verify, sign and the EC encrypt/decrypt path
//! (ECDH, Soter KDF, Secure Cell), built on the public Themis API and RustCrypto.

use super::{hex_arg, ok_hex, reject, with_hex, Entry, MutantInfo};
use crate::iut::Reference;
use crate::protocol::Reply;
use crate::themis::cell::ALG as CELL_ALG;
use crate::themis::{self, container, kdf, KeyKind};
use crate::themis::{EncryptedMessage, SignedMessage};
use crate::themis::{EC_ENCRYPTED, EC_SIGNED, RSA_ENCRYPTED, RSA_SIGNED};
use crate::wire::{Codec, Stage};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use serde_json::Value;
use sha2::{Digest, Sha256};

const KEY_ARGS: [&str; 4] = ["key", "private_key", "public_key", "peer_public_key"];

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn put_u32_le(b: &mut [u8], at: usize, v: u32) {
    if let Some(s) = b.get_mut(at..at + 4) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ---- key containers --------------------------------------------------------------------

/// CRC-32C of a container with its CRC field zeroed (the value Themis stores, little-endian).
fn crc32c_of(key: &[u8]) -> u32 {
    container::checksum(key)
}

fn stored_crc(key: &[u8]) -> Option<u32> {
    u32_le(key, 8)
}

fn with_good_crc(key: &[u8]) -> Vec<u8> {
    let mut k = key.to_vec();
    let crc = crc32c_of(&k);
    put_u32_le(&mut k, 8, crc);
    k
}

fn tag3(key: &[u8]) -> &[u8] {
    key.get(..3).unwrap_or_default()
}

fn payload(key: &[u8]) -> &[u8] {
    key.get(12..).unwrap_or_default()
}

/// The checks of Themis's own `themis_is_valid_asym_key` for EC keys: size field, CRC-32C,
/// and a payload length that fits the tag's curve digit (no scalar or point checks).
fn ec_framing_ok(key: &[u8]) -> bool {
    let lengths: &[usize] = match (tag3(key), key.get(3)) {
        (b"REC", Some(b'2')) => &[32, 33],
        (b"REC", Some(b'3')) => &[48, 49],
        (b"REC", Some(b'5')) => &[66, 67],
        (b"UEC", Some(b'2')) => &[33, 65],
        (b"UEC", Some(b'3')) => &[49, 97],
        (b"UEC", Some(b'5')) => &[67, 133],
        _ => return false,
    };
    key.get(4..8) == Some(&len32(key.len()).to_be_bytes()[..])
        && stored_crc(key) == Some(crc32c_of(key))
        && lengths.contains(&payload(key).len())
}

/// Applies `f` to every key argument, then asks the reference.
fn map_keys(
    r: &mut Reference,
    op: &str,
    args: &Value,
    f: fn(&[u8]) -> Result<Vec<u8>, Reply>,
) -> Option<Reply> {
    if !op.starts_with("themis.") {
        return None;
    }
    let mut a = args.clone();
    for name in KEY_ARGS {
        if let Some(k) = hex_arg(args, name) {
            match f(&k) {
                Ok(k) => a = with_hex(&a, name, &k),
                Err(reply) => return Some(reply),
            }
        }
    }
    Some(r.answer(op, &a))
}

fn bad_key(what: &str) -> Reply {
    reject(format!("invalid key: {what}"), Stage::Key)
}

// ---- EC keys, ECDH, KDF, Secure Cell ---------------------------------------------------

fn p256_secret(key: &[u8]) -> Option<p256::SecretKey> {
    if key.get(..4)? != b"REC2" {
        return None;
    }
    let p = payload(key);
    let d = match p.len() {
        33 if p.first() == Some(&0) => p.get(1..)?,
        32 => p,
        _ => return None,
    };
    p256::SecretKey::from_slice(d).ok()
}

fn p256_public(key: &[u8]) -> Option<p256::PublicKey> {
    if key.get(..4)? != b"UEC2" {
        return None;
    }
    p256::PublicKey::from_sec1_bytes(payload(key)).ok()
}

/// What the twin's KDF feeds as context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Ctx {
    #[default]
    Le32,
    None,
    Le64,
}

/// The EC encrypt/decrypt twin's knobs; the default is Themis.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    ctx: Ctx,
    aad_header: bool,
    hashed_secret: bool,
    allow_empty: bool,
}

fn cell_key(q: Cell, shared: &[u8], n: u32) -> [u8; 32] {
    let master = if q.hashed_secret {
        Sha256::digest(shared).to_vec()
    } else {
        shared.to_vec()
    };
    let (le32, le64) = (n.to_le_bytes(), u64::from(n).to_le_bytes());
    let context: &[&[u8]] = match q.ctx {
        Ctx::Le32 => &[&le32],
        Ctx::Le64 => &[&le64],
        Ctx::None => &[],
    };
    kdf::kdf32(&master, kdf::CELL_LABEL, context)
}

fn shared_secret(private: &[u8], public: &[u8]) -> Option<Vec<u8>> {
    let d = p256_secret(private)?;
    let q = p256_public(public)?;
    let s = p256::ecdh::diffie_hellman(d.to_nonzero_scalar(), q.as_affine());
    Some(s.raw_secret_bytes().to_vec())
}

fn ec_encrypt_twin(q: Cell, args: &Value) -> Option<Reply> {
    let message = hex_arg(args, "message")?;
    let shared = shared_secret(
        &hex_arg(args, "private_key")?,
        &hex_arg(args, "peer_public_key")?,
    )?;
    if message.is_empty() && !q.allow_empty {
        return Some(reject("the message is empty", Stage::Empty));
    }
    let iv: [u8; 12] = match args.get("random").and_then(|r| hex_arg(r, "iv")) {
        Some(iv) => iv.try_into().ok()?,
        None => {
            let mut iv = [0u8; 12];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut iv);
            iv
        }
    };
    let n = len32(message.len());
    let mut cell = themis::Cell {
        iv,
        tag: [0; 16],
        ciphertext: message,
    };
    // The header the cell writer puts before the IV: alg, iv_length, auth_tag_length, N.
    let header = cell.to_bytes().get(..16)?.to_vec();
    let aad: &[u8] = if q.aad_header { &header } else { &[] };
    let tag = Aes256Gcm::new(&cell_key(q, &shared, n).into())
        .encrypt_in_place_detached(Nonce::from_slice(&iv), aad, &mut cell.ciphertext)
        .ok()?;
    cell.tag = tag.into();
    let out = EncryptedMessage {
        message_type: EC_ENCRYPTED,
        wrapped_key: None,
        cell,
    }
    .to_bytes();
    Some(ok_hex("encrypted", &out))
}

fn ec_decrypt_twin(q: Cell, args: &Value) -> Option<Reply> {
    let shared = shared_secret(
        &hex_arg(args, "private_key")?,
        &hex_arg(args, "peer_public_key")?,
    )?;
    let m = hex_arg(args, "encrypted")?;
    let fail = || Some(reject("Secure Cell does not open", Stage::Authentication));
    // Framing errors: the reference says what a careful implementation says.
    if m.len() < 52
        || u32_le(&m, 0) != Some(EC_ENCRYPTED)
        || u32_le(&m, 4) != Some(len32(m.len()))
        || u32_le(&m, 8) != Some(CELL_ALG)
        || u32_le(&m, 12) != Some(12)
        || u32_le(&m, 16) != Some(16)
        || u32_le(&m, 20) != Some(len32(m.len() - 52))
    {
        return None;
    }
    let n = len32(m.len() - 52);
    let header = m.get(8..24)?;
    let iv = m.get(24..36)?;
    let tag = m.get(36..52)?;
    let mut body = m.get(52..)?.to_vec();
    if body.is_empty() && !q.allow_empty {
        return None;
    }
    let aad: &[u8] = if q.aad_header { header } else { &[] };
    match Aes256Gcm::new(&cell_key(q, &shared, n).into()).decrypt_in_place_detached(
        Nonce::from_slice(iv),
        aad,
        &mut body,
        tag.into(),
    ) {
        Ok(()) => Some(ok_hex("message", &body)),
        Err(_) => fail(),
    }
}

fn cell_twin(q: Cell, op: &str, args: &Value) -> Option<Reply> {
    match op {
        "themis.encrypt" => ec_encrypt_twin(q, args),
        "themis.decrypt" => ec_decrypt_twin(q, args),
        _ => None,
    }
}

// ---- signed messages -------------------------------------------------------------------

/// (message_length, signature_length) of a signed message whose header fits.
fn signed_lengths(s: &[u8]) -> Option<(usize, usize)> {
    Some((
        usize::try_from(u32_le(s, 4)?).ok()?,
        usize::try_from(u32_le(s, 8)?).ok()?,
    ))
}

fn frame(ty: u32, message: &[u8], sig: &[u8]) -> Vec<u8> {
    SignedMessage {
        message_type: ty,
        plaintext: message.to_vec(),
        signature: sig.to_vec(),
        padding: Vec::new(),
    }
    .to_bytes()
}

/// The message and signature of a signed message, bounds-checked.
fn split_signed(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let (m, l) = signed_lengths(s)?;
    let msg = s.get(12..12usize.checked_add(m)?)?;
    let sig = s.get(12 + m..(12 + m).checked_add(l)?)?;
    Some((msg, sig))
}

fn verify_with(op: &str, args: &Value, f: fn(&[u8], Vec<u8>) -> Option<Reply>) -> Option<Reply> {
    if op != "themis.verify" {
        return None;
    }
    f(&hex_arg(args, "public_key")?, hex_arg(args, "signed")?)
}

fn reverse_header(mut s: Vec<u8>, fields: usize) -> Vec<u8> {
    for i in 0..fields {
        if let Some(f) = s.get_mut(4 * i..4 * i + 4) {
            f.reverse();
        }
    }
    s
}

fn key_kind(key: &[u8]) -> Option<KeyKind> {
    themis::key_check(key).ok()
}

fn sign_then(
    r: &mut Reference,
    op: &str,
    args: &Value,
    f: fn(&[u8], Vec<u8>) -> Option<Vec<u8>>,
) -> Option<Reply> {
    if op != "themis.sign" {
        return None;
    }
    let reply = r.answer(op, args);
    let signed = super::reply_hex(&reply, "signed")?;
    let key = hex_arg(args, "private_key")?;
    Some(match f(&key, signed) {
        Some(s) => ok_hex("signed", &s),
        None => reply,
    })
}

macro_rules! mutant {
    ($name:literal, $bug:literal, $real:literal, $twin:expr) => {
        Entry {
            info: MutantInfo {
                name: $name,
                bug: $bug,
                real: $real,
                tolerated: false,
            },
            twin: $twin,
        }
    };
    (tolerated $name:literal, $bug:literal, $real:literal, $twin:expr) => {
        Entry {
            info: MutantInfo {
                name: $name,
                bug: $bug,
                real: $real,
                tolerated: true,
            },
            twin: $twin,
        }
    };
}

macro_rules! cell {
    ($name:literal, $bug:literal, $real:literal, { $($f:ident : $v:expr),* $(,)? }) => {
        mutant!($name, $bug, $real, |_r, op, a| cell_twin(Cell { $($f: $v,)* ..Cell::default() }, op, a))
    };
}

/// The Themis mutants.
pub(super) fn entries() -> Vec<Entry> {
    vec![
        // ---- key containers
        mutant!("themis-key-crc32-ieee", "Checks key containers with CRC-32 (IEEE, zlib's) instead of CRC-32C (Castagnoli), so every genuine key fails its checksum.", "likely: a port using the platform's default CRC-32", |r, op, a| map_keys(r, op, a, |k| {
            if k.len() < 12 { return Ok(k.to_vec()); }
            if stored_crc(k) == Some(container::ieee_checksum(k)) { Ok(with_good_crc(k)) } else { Err(bad_key("checksum mismatch")) }
        })),
        mutant!("themis-key-crc-big-endian", "Compares the CRC-32C with the stored field read big-endian (like the size field) instead of little-endian.", "likely: a port that reads every header field big-endian", |r, op, a| map_keys(r, op, a, |k| {
            if k.len() < 12 { return Ok(k.to_vec()); }
            let be = k.get(8..12).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes);
            if be == Some(crc32c_of(k)) { Ok(with_good_crc(k)) } else { Err(bad_key("checksum mismatch")) }
        })),
        mutant!("themis-key-crc-not-checked", "Never checks the key container's CRC.", "possibly Themis's deprecated wrap/unwrap (they skip themis_is_valid_asym_key); likely in hand-rolled parsers", |r, op, a| map_keys(r, op, a, |k| Ok(if k.len() >= 12 { with_good_crc(k) } else { k.to_vec() }))),
        mutant!("themis-key-size-not-checked", "Ignores the container's size field (trusts the buffer length).", "likely: parsers that take the length from the buffer", |r, op, a| map_keys(r, op, a, |k| {
            if k.len() < 12 || stored_crc(k) != Some(crc32c_of(k)) { return Ok(k.to_vec()); }
            let mut k = k.to_vec();
            let size = len32(k.len()).to_be_bytes();
            k[4..8].copy_from_slice(&size);
            Ok(with_good_crc(&k))
        })),
        mutant!("themis-key-curve-digit-ignored", "Ignores the curve digit of an EC tag (REC3 with a P-256 payload is read as P-256).", "likely: parsers that dispatch on the first three tag bytes only", |r, op, a| map_keys(r, op, a, |k| {
            let priv_ = tag3(k) == b"REC";
            if !(priv_ || tag3(k) == b"UEC") || stored_crc(k) != Some(crc32c_of(k)) { return Ok(k.to_vec()); }
            let digit = match (priv_, payload(k).len()) {
                (true, 32 | 33) | (false, 33 | 65) => b'2',
                (true, 48 | 49) | (false, 49 | 97) => b'3',
                (true, 66 | 67) | (false, 67 | 133) => b'5',
                _ => return Ok(k.to_vec()),
            };
            let mut k = k.to_vec();
            k[3] = digit;
            Ok(with_good_crc(&k))
        })),
        mutant!("themis-ec-32-byte-scalar-rejected", "Refuses EC private keys with a 32-byte scalar (the 44-byte \"NG\" form Themis also reads).", "likely: ports that follow the docs' 33-byte layout only", |r, op, a| map_keys(r, op, a, |k| {
            if tag3(k) == b"REC" && payload(k).len() == 32 { Err(bad_key("EC private key must be 33 bytes")) } else { Ok(k.to_vec()) }
        })),
        mutant!("themis-ec-compressed-public-rejected", "Refuses compressed (02/03) EC public keys, which Themis keygen writes.", "likely: ports whose EC library wants uncompressed points", |r, op, a| map_keys(r, op, a, |k| {
            if tag3(k) == b"UEC" && matches!(payload(k).first(), Some(2 | 3)) { Err(bad_key("compressed point")) } else { Ok(k.to_vec()) }
        })),
        mutant!("themis-ec-uncompressed-public-rejected", "Refuses uncompressed (04) EC public keys, which Themis imports.", "likely: ports that follow the docs (\"only 02/03 permitted\")", |r, op, a| map_keys(r, op, a, |k| {
            if tag3(k) == b"UEC" && payload(k).first() == Some(&4) { Err(bad_key("uncompressed point")) } else { Ok(k.to_vec()) }
        })),
        mutant!(tolerated "themis-key-check-scalar-unchecked", "key.check validates only the framing of an EC private key: scalar 0 or >= n passes.", "Themis's own themis_is_valid_asym_key (import fails later)", |r, op, a| {
            let k = hex_arg(a, "key")?;
            (op == "themis.key.check" && tag3(&k) == b"REC" && ec_framing_ok(&k) && !matches!(r.answer(op, a), Reply::Ok(_)))
                .then(|| Reply::Ok(serde_json::json!({"kind": "ec_private"})))
        }),
        mutant!(tolerated "themis-key-check-point-unchecked", "key.check validates only the framing of an EC public key: a point off the curve passes.", "Themis's own themis_is_valid_asym_key (import fails later)", |r, op, a| {
            let k = hex_arg(a, "key")?;
            (op == "themis.key.check" && tag3(&k) == b"UEC" && ec_framing_ok(&k) && !matches!(r.answer(op, a), Reply::Ok(_)))
                .then(|| Reply::Ok(serde_json::json!({"kind": "ec_public"})))
        }),
        mutant!("themis-rsa-exponent-unchecked", "Accepts RSA public exponents other than 3 and 65537.", "likely: ports on RSA libraries that take any odd e (Themis's OpenSSL import refuses them)", |r, op, a| map_keys(r, op, a, |k| {
            if tag3(k) != b"URA" || k.len() < 16 { return Ok(k.to_vec()); }
            let mut k = k.to_vec();
            let at = k.len() - 4;
            k[at..].copy_from_slice(&65537u32.to_be_bytes());
            Ok(with_good_crc(&k))
        })),
        mutant!("themis-verify-private-key-accepted", "Verifies with a private key by deriving its public key instead of refusing the key kind.", "possibly Themis's deprecated unwrap (no kind check); likely in wrappers", |r, op, a| {
            if op != "themis.verify" { return None; }
            let k = hex_arg(a, "public_key")?;
            let kind = key_kind(&k)?;
            if !kind.is_private() { return None; }
            let public = themis::public_key_for(&k).ok()?;
            Some(r.answer(op, &with_hex(a, "public_key", &public)))
        }),
        mutant!("themis-decrypt-swapped-key-kinds-accepted", "Swaps the key arguments back when the private and public keys are given in the wrong order.", "likely: a \"helpful\" wrapper", |r, op, a| {
            if op != "themis.decrypt" { return None; }
            let (p, q) = (hex_arg(a, "private_key")?, hex_arg(a, "peer_public_key")?);
            if key_kind(&p)?.is_private() || !key_kind(&q)?.is_private() { return None; }
            Some(r.answer(op, &with_hex(&with_hex(a, "private_key", &q), "peer_public_key", &p)))
        }),
        // ---- verify
        mutant!("themis-verify-low-s-enforced", "Rejects high-S ECDSA signatures (BIP-62 style), though Themis never normalises S: about half of genuine signatures fail.", "likely: ports on libraries with low-S policy (libsecp256k1-style, some Go/JS verifiers)", |_r, op, a| verify_with(op, a, |key, s| {
            p256_public(key)?;
            let (_, sig) = split_signed(&s)?;
            let sig = p256::ecdsa::Signature::from_der(sig).ok()?;
            sig.normalize_s().map(|_| reject("high-S signature", Stage::Signature))
        })),
        mutant!("themis-verify-raw-rs-accepted", "Accepts a raw 64-byte r||s (IEEE P1363) signature as well as DER.", "likely: ports on WebCrypto or other P1363-native APIs", |r, op, a| {
            let (key, s) = (hex_arg(a, "public_key")?, hex_arg(a, "signed")?);
            if op != "themis.verify" || p256_public(&key).is_none() { return None; }
            let (msg, sig) = split_signed(&s)?;
            if sig.len() != 64 || p256::ecdsa::Signature::from_der(sig).is_ok() { return None; }
            let der = p256::ecdsa::Signature::from_slice(sig).ok()?.to_der();
            let framed = frame(u32_le(&s, 0)?, msg, der.as_bytes());
            Some(r.answer(op, &with_hex(a, "signed", &framed)))
        }),
        mutant!("themis-verify-trailing-bytes-rejected", "Rejects any byte after the signature, so old GoThemis/JavaThemis messages with zero padding fail.", "likely: strict ports (Themis accepts them on purpose)", |_r, op, a| verify_with(op, a, |_, s| {
            let (m, l) = signed_lengths(&s)?;
            (s.len() > 12 + m + l).then(|| reject("trailing bytes after the signature", Stage::Length))
        })),
        mutant!("themis-verify-signature-over-header", "Verifies the signature over the 8-byte header (type, length) followed by the message, not the message alone.", "likely: ports that sign \"the whole message\"", |r, op, a| {
            if op != "themis.verify" { return None; }
            let s = hex_arg(a, "signed")?;
            let (msg, sig) = split_signed(&s)?;
            let mut covered = s.get(..8)?.to_vec();
            covered.extend_from_slice(msg);
            let framed = frame(u32_le(&s, 0)?, &covered, sig);
            Some(match r.answer(op, &with_hex(a, "signed", &framed)) {
                Reply::Ok(_) => ok_hex("message", msg),
                other => other,
            })
        }),
        mutant!("themis-verify-big-endian-header", "Reads the signed message header (type and lengths) big-endian.", "likely: ports to big-endian hosts or that assume network order (Themis uses host order = LE)", |r, op, a| {
            if op != "themis.verify" { return None; }
            let s = reverse_header(hex_arg(a, "signed")?, 3);
            Some(r.answer(op, &with_hex(a, "signed", &s)))
        }),
        mutant!("themis-verify-empty-message-accepted", "Treats a signed message with an empty plaintext as trivially verified.", "likely: verifiers that skip the update step for empty input", |_r, op, a| verify_with(op, a, |_, s| {
            let (m, l) = signed_lengths(&s)?;
            (m == 0 && 12 + l <= s.len()).then(|| ok_hex("message", &[]))
        })),
        mutant!(tolerated "themis-verify-type-low-byte-ignored", "Checks only the top three bytes of a signed message's type, as Themis does (0x260426xx; the other family's exact type is still refused).", "Themis core (IS_THEMIS_SECURE_MESSAGE_SIGNED), WasmThemis", |r, op, a| {
            if op != "themis.verify" { return None; }
            let mut s = hex_arg(a, "signed")?;
            let ty = u32_le(&s, 0)?;
            if ty & 0xffff_ff00 != 0x2604_2600 { return None; }
            let (own, other) = if tag3(&hex_arg(a, "public_key")?) == b"URA" { (RSA_SIGNED, EC_SIGNED) } else { (EC_SIGNED, RSA_SIGNED) };
            // Themis still refuses the other family's exact type.
            if ty == other { return None; }
            put_u32_le(&mut s, 0, own);
            Some(r.answer(op, &with_hex(a, "signed", &s)))
        }),
        // ---- sign
        mutant!("themis-sign-over-header", "Signs the 8-byte header (type, length) followed by the message, not the message alone.", "likely: ports that sign \"the whole message\"", |r, op, a| {
            if op != "themis.sign" { return None; }
            let key = hex_arg(a, "private_key")?;
            let message = hex_arg(a, "message")?;
            let ty = if key_kind(&key)?.is_ec() { EC_SIGNED } else { RSA_SIGNED };
            let mut covered = ty.to_le_bytes().to_vec();
            covered.extend_from_slice(&len32(message.len()).to_le_bytes());
            covered.extend_from_slice(&message);
            let reply = r.answer(op, &with_hex(a, "message", &covered));
            let signed = super::reply_hex(&reply, "signed")?;
            let (_, sig) = split_signed(&signed)?;
            Some(ok_hex("signed", &frame(ty, &message, sig)))
        }),
        mutant!("themis-sign-big-endian-header", "Writes the signed message header big-endian.", "likely: ports to big-endian hosts", |r, op, a| sign_then(r, op, a, |_, s| Some(reverse_header(s, 3)))),
        mutant!("themis-sign-raw-rs", "Writes ECDSA signatures as raw r||s (IEEE P1363) instead of DER.", "likely: ports on WebCrypto or other P1363-native APIs", |r, op, a| sign_then(r, op, a, |key, s| {
            p256_secret(key)?;
            let (msg, sig) = split_signed(&s)?;
            let raw = p256::ecdsa::Signature::from_der(sig).ok()?.to_bytes();
            Some(frame(EC_SIGNED, msg, &raw))
        })),
        mutant!("themis-sign-empty-accepted", "Signs an empty message instead of refusing it.", "likely: ports without Themis's empty-message precondition", |_r, op, a| {
            if op != "themis.sign" || !hex_arg(a, "message")?.is_empty() { return None; }
            let key = hex_arg(a, "private_key")?;
            p256_secret(&key)?;
            let sig = themis::ecdsa_sign(&key, b"").ok()?;
            Some(ok_hex("signed", &frame(EC_SIGNED, &[], &sig)))
        }),
        // ---- encrypt / decrypt
        cell!("themis-kdf-no-length-context", "Derives the Secure Cell key without the message-length context (HMAC over label only).", "likely: ports reading the KDF from the docs, which omit the context", { ctx: Ctx::None }),
        cell!("themis-kdf-64bit-length", "Uses a 64-bit little-endian message length as KDF context.", "Themis <= 0.9.6 and builds with SCELL_COMPAT", { ctx: Ctx::Le64 }),
        cell!("themis-cell-header-as-aad", "Authenticates the Secure Cell header (alg, lengths) as GCM associated data.", "likely: ports that \"fix\" the malleable framing", { aad_header: true }),
        cell!("themis-ecdh-hashed-secret", "Uses SHA-256 of the ECDH secret as master key instead of the raw X coordinate.", "likely: ports on APIs that hash the shared secret (e.g. ECIES helpers)", { hashed_secret: true }),
        cell!("themis-encrypt-empty-accepted", "Encrypts an empty message instead of refusing it.", "likely: ports without Themis's empty-message precondition", { allow_empty: true }),
        mutant!("themis-decrypt-type-low-byte-ignored", "Checks only the top three bytes of an encrypted message's type (0x260427xx), though Themis requires the exact type to decrypt.", "likely: ports that reuse IS_THEMIS_SECURE_MESSAGE_ENCRYPTED for dispatch", |r, op, a| {
            if op != "themis.decrypt" { return None; }
            let mut m = hex_arg(a, "encrypted")?;
            let ty = u32_le(&m, 0)?;
            if ty & 0xffff_ff00 != 0x2604_2700 { return None; }
            let exact = if tag3(&hex_arg(a, "private_key")?) == b"RRA" { RSA_ENCRYPTED } else { EC_ENCRYPTED };
            put_u32_le(&mut m, 0, exact);
            Some(r.answer(op, &with_hex(a, "encrypted", &m)))
        }),
        mutant!("themis-decrypt-total-length-unchecked", "Ignores the encrypted message's total-length field.", "likely: parsers that trust the buffer length", |r, op, a| {
            if op != "themis.decrypt" { return None; }
            let mut m = hex_arg(a, "encrypted")?;
            let n = len32(m.len());
            put_u32_le(&mut m, 4, n);
            Some(r.answer(op, &with_hex(a, "encrypted", &m)))
        }),
        mutant!("themis-decrypt-trailing-bytes-accepted", "Decrypts the Secure Cell's declared length and ignores anything after it.", "likely: stream-style parsers", |r, op, a| {
            if op != "themis.decrypt" { return None; }
            let mut m = hex_arg(a, "encrypted")?;
            if u32_le(&m, 0)? != EC_ENCRYPTED { return None; }
            let end = 52usize.checked_add(usize::try_from(u32_le(&m, 20)?).ok()?)?;
            if m.len() <= end { return None; }
            m.truncate(end);
            put_u32_le(&mut m, 4, len32(end));
            Some(r.answer(op, &with_hex(a, "encrypted", &m)))
        }),
        mutant!("themis-decrypt-iv-tag-len-unchecked", "Ignores the Secure Cell's iv_length and auth_tag_length fields and assumes 12 and 16.", "likely: parsers with fixed offsets", |r, op, a| {
            if op != "themis.decrypt" { return None; }
            let mut m = hex_arg(a, "encrypted")?;
            if u32_le(&m, 0)? != EC_ENCRYPTED { return None; }
            put_u32_le(&mut m, 12, 12);
            put_u32_le(&mut m, 16, 16);
            Some(r.answer(op, &with_hex(a, "encrypted", &m)))
        }),
        mutant!("themis-decrypt-alg-unchecked", "Ignores the Secure Cell algorithm id and always uses AES-256-GCM with the Soter KDF.", "likely: ports that support only the default algorithm", |r, op, a| {
            if op != "themis.decrypt" { return None; }
            let mut m = hex_arg(a, "encrypted")?;
            if u32_le(&m, 0)? != EC_ENCRYPTED { return None; }
            put_u32_le(&mut m, 8, CELL_ALG);
            Some(r.answer(op, &with_hex(a, "encrypted", &m)))
        }),
        mutant!("themis-rsa-oaep-sha256", "Unwraps the RSA-encrypted secret with OAEP-SHA-256 instead of Themis's OAEP-SHA-1, so genuine RSA messages fail.", "likely: ports on WebCrypto or libraries defaulting OAEP to SHA-256", |_r, op, a| {
            if op != "themis.decrypt" { return None; }
            let k = hex_arg(a, "private_key")?;
            let m = hex_arg(a, "encrypted")?;
            if tag3(&k) != b"RRA" || u32_le(&m, 0)? != RSA_ENCRYPTED { return None; }
            let key = rsa_private(&k)?;
            let klen = usize::try_from(u32_le(&m, 8)?).ok()?;
            let wrapped = m.get(12..12usize.checked_add(klen)?)?;
            Some(match key.decrypt(rsa::Oaep::new::<Sha256>(), wrapped) {
                Ok(_) => return None,
                Err(_) => reject("RSA-OAEP decoding error", Stage::Authentication),
            })
        }),
    ]
}

/// An RSA private key from its container's numbers (d, p, q, n, e), read with the
/// reference's decoder; the CRT values are not looked at.
fn rsa_private(key: &[u8]) -> Option<rsa::RsaPrivateKey> {
    let themis::KeyFields::RsaPrivate { numbers, e } = themis::KeyFields::read(key).ok()? else {
        return None;
    };
    let num = |b: &[u8]| rsa::BigUint::from_bytes_be(b);
    let [d, p, q, _, _, _, n] = &numbers;
    rsa::RsaPrivateKey::from_components(num(n), e.into(), num(d), vec![num(p), num(q)]).ok()
}
