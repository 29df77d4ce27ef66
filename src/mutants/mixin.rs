//! Mixin mutants: a decrypt twin and an encrypt twin parameterised by quirks, and twins of the
//! checksum and key conversions.

use super::{hex_arg, ok_hex, Entry, MutantInfo};
use crate::iut::Reference;
use crate::mixin::body::{BlockParts, BodyParts};
use crate::mixin::envelope::{wrap_key, KEY_PADDING};
use crate::mixin::{keys, MixinError};
use crate::mutate::{apply_all, Edit, Format, Layout, NoRefs};
use crate::protocol::Reply;
use crate::wire::Codec;
use crate::wire::Stage;
use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncrypt, KeyIvInit};
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use md5::{Digest, Md5};
use serde_json::Value;
use uuid::Uuid;

type CbcDec = cbc::Decryptor<aes::Aes256>;

/// How the session count is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Count {
    #[default]
    U16Le,
    LowByte,
    SignExtended,
    B0PlusB1,
    BigEndian,
}

/// How a block is matched to the session id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Match {
    #[default]
    FirstString,
    FirstBytes,
    LastString,
}

/// The decrypt twin's knobs; the default is the reference's behaviour.
#[derive(Debug, Clone, Copy, Default)]
struct Dec {
    count: Count,
    skip_version: bool,
    skip_padding: bool,
    skip_tag: bool,
    matching: Match,
    empty_on_failure: bool,
    empty_on_unknown_session: bool,
    allow_low_order: bool,
}

fn truncated(field: &'static str, offset: usize, needed: usize, available: usize) -> MixinError {
    MixinError::Truncated {
        field,
        offset,
        needed,
        available,
    }
}

/// Raw X25519, optionally without the all-zero check.
fn agree(
    private: &[u8; 32],
    peer: &[u8; 32],
    allow_low_order: bool,
) -> Result<[u8; 32], MixinError> {
    if allow_low_order {
        let s = x25519_dalek::StaticSecret::from(*private);
        Ok(s.diffie_hellman(&x25519_dalek::PublicKey::from(*peer))
            .to_bytes())
    } else {
        keys::agree(private, peer, "peer")
    }
}

fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.iter_mut().zip(b).for_each(|(o, i)| *o = *i);
    out
}

/// AES-128-GCM without the tag: the CTR keystream GCM uses (counter starts at 2).
fn gcm_ctr_only(key: &[u8; 16], nonce: &[u8; 12], ciphertext: &[u8]) -> Vec<u8> {
    let aes = aes::Aes128::new(key.into());
    let mut out = Vec::with_capacity(ciphertext.len());
    for (i, chunk) in ciphertext.chunks(16).enumerate() {
        let mut block = [0u8; 16];
        block[..12].copy_from_slice(nonce);
        let ctr = u32::try_from(i).unwrap_or(u32::MAX).wrapping_add(2);
        block[12..].copy_from_slice(&ctr.to_be_bytes());
        let mut b = block.into();
        aes.encrypt_block(&mut b);
        out.extend(chunk.iter().zip(b.iter()).map(|(c, k)| c ^ k));
    }
    out
}

fn decrypt_twin(q: Dec, seed: &[u8], session_id: &str, body: &[u8]) -> Result<Vec<u8>, MixinError> {
    let seed = keys::seed(seed)?;
    let version = *body.first().ok_or(truncated("version", 0, 1, 0))?;
    if version != 1 && !q.skip_version {
        return Err(MixinError::Version(version));
    }
    let c = body.get(1..3).ok_or(truncated(
        "session count",
        1,
        2,
        body.len().saturating_sub(1),
    ))?;
    let (b0, b1) = (c[0], c[1]);
    let count: i64 = match q.count {
        Count::U16Le => i64::from(u16::from_le_bytes([b0, b1])),
        Count::LowByte => i64::from(b0),
        Count::SignExtended => i64::from(b0 as i8) + (i64::from(b1) << 8),
        Count::B0PlusB1 => i64::from(b0) + i64::from(b1),
        Count::BigEndian => i64::from(u16::from_be_bytes([b0, b1])),
    };
    let sender: [u8; 32] =
        arr(body
            .get(3..35)
            .ok_or(truncated("sender key", 3, 32, body.len().saturating_sub(3)))?);
    let n = usize::try_from(count.max(0)).unwrap_or(0);
    let available = body.len() - 35;
    if n * 64 > available {
        return Err(MixinError::SessionCount {
            declared: u16::try_from(n).unwrap_or(u16::MAX),
            needed: n * 64,
            available,
        });
    }
    let blocks: Vec<&[u8]> = (0..n)
        .filter_map(|i| body.get(35 + 64 * i..35 + 64 * (i + 1)))
        .collect();
    let nonce_at = 35 + 64 * n;
    let nonce: [u8; 12] = arr(body.get(nonce_at..nonce_at + 12).ok_or(truncated(
        "GCM nonce",
        nonce_at,
        12,
        body.len() - nonce_at,
    ))?);
    let sealed = body.get(nonce_at + 12..).unwrap_or_default();
    if sealed.len() < 16 {
        return Err(truncated("GCM tag", nonce_at + 12, 16, sealed.len()));
    }
    let wanted = Uuid::parse_str(session_id).ok().map(|u| u.into_bytes());
    let matches = |b: &&&[u8]| {
        let id: [u8; 16] = arr(b);
        match q.matching {
            Match::FirstString | Match::LastString => {
                Uuid::from_bytes(id).hyphenated().to_string() == session_id
            }
            Match::FirstBytes => wanted == Some(id),
        }
    };
    let block = match q.matching {
        Match::LastString => blocks.iter().rev().find(matches),
        _ => blocks.iter().find(matches),
    }
    .ok_or_else(|| MixinError::SessionNotFound(session_id.to_owned()))?;
    let secret = agree(&keys::private_to_x25519(&seed), &sender, q.allow_low_order)?;
    let iv: [u8; 16] = arr(block.get(16..32).unwrap_or_default());
    let mut unwrapped: [u8; 32] = arr(block.get(32..64).unwrap_or_default());
    CbcDec::new(&secret.into(), &iv.into())
        .decrypt_padded_mut::<NoPadding>(&mut unwrapped)
        .map_err(|_| MixinError::KeyUnwrap {
            padding: String::new(),
        })?;
    let (key, padding) = unwrapped.split_at(16);
    if padding != [0x10; 16] && !q.skip_padding {
        return Err(MixinError::KeyUnwrap {
            padding: hex::encode(padding),
        });
    }
    let key: [u8; 16] = arr(key);
    if q.skip_tag {
        return Ok(gcm_ctr_only(&key, &nonce, &sealed[..sealed.len() - 16]));
    }
    Aes128Gcm::new(&key.into())
        .decrypt(Nonce::from_slice(&nonce), sealed)
        .map_err(|_| MixinError::Authentication)
}

fn decrypt_with(q: Dec, op: &str, args: &Value) -> Option<Reply> {
    if op != "mixin.decrypt" {
        return None;
    }
    let seed = hex_arg(args, "private_key")?;
    let id = args.get("session_id")?.as_str()?;
    let body = hex_arg(args, "body")?;
    Some(match decrypt_twin(q, &seed, id, &body) {
        Ok(p) => ok_hex("plaintext", &p),
        Err(MixinError::SessionNotFound(_)) if q.empty_on_unknown_session => {
            ok_hex("plaintext", &[])
        }
        Err(e) if q.empty_on_failure && !matches!(e.stage(), Stage::Key) => {
            ok_hex("plaintext", &[])
        }
        Err(e) => e.into(),
    })
}

/// The encrypt twin's knobs.
#[derive(Debug, Clone, Copy, Default)]
struct Enc {
    header_ed25519: bool,
    header_omitted: bool,
    count_big_endian: bool,
    zero_padding: bool,
    ivs_swapped: bool,
    guid_order: bool,
    allow_low_order: bool,
    pad_short_keys: bool,
}

struct EncArgs {
    seed: Vec<u8>,
    sessions: Vec<(String, Vec<u8>)>,
    plaintext: Vec<u8>,
    message_key: [u8; 16],
    nonce: [u8; 12],
    ivs: Vec<[u8; 16]>,
}

fn enc_args(args: &Value) -> Option<EncArgs> {
    let sessions = args
        .get("sessions")?
        .as_array()?
        .iter()
        .map(|s| {
            Some((
                s.get("session_id")?.as_str()?.to_owned(),
                hex_arg(s, "public_key")?,
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    let random = args.get("random")?;
    let ivs = random
        .get("ivs")?
        .as_array()?
        .iter()
        .map(|iv| crate::wire::from_hex(iv.as_str()?).ok()?.try_into().ok())
        .collect::<Option<Vec<[u8; 16]>>>()?;
    Some(EncArgs {
        seed: hex_arg(args, "private_key")?,
        sessions,
        plaintext: hex_arg(args, "plaintext")?,
        message_key: hex_arg(random, "message_key")?.try_into().ok()?,
        nonce: hex_arg(random, "nonce")?.try_into().ok()?,
        ivs,
    })
}

fn encrypt_twin(q: Enc, a: &EncArgs) -> Result<Vec<u8>, Reply> {
    let bad = |m: String| Reply::error(m, Some(crate::iut::BAD_ARGS), None);
    let seed = keys::seed(&a.seed)?;
    let count = u16::try_from(a.sessions.len())
        .map_err(|_| MixinError::TooManySessions(a.sessions.len()))?;
    if a.ivs.len() != a.sessions.len() {
        return Err(MixinError::IvCount {
            ivs: a.ivs.len(),
            sessions: a.sessions.len(),
        }
        .into());
    }
    let mut ivs = a.ivs.clone();
    if q.ivs_swapped && ivs.len() == 2 {
        ivs.swap(0, 1);
    }
    let ed = keys::ed25519_public(&seed);
    let header = if q.header_ed25519 {
        ed
    } else {
        keys::public_to_x25519(&ed)?
    };
    let private = keys::private_to_x25519(&seed);
    let sealed = Aes128Gcm::new(&a.message_key.into())
        .encrypt(Nonce::from_slice(&a.nonce), a.plaintext.as_slice())
        .map_err(|_| MixinError::Authentication)?;
    let mut blocks = Vec::with_capacity(usize::from(count));
    for ((id, public), iv) in a.sessions.iter().zip(&ivs) {
        let uuid = Uuid::parse_str(id).map_err(|e| bad(format!("session_id {id:?}: {e}")))?;
        let peer: [u8; 32] = if q.pad_short_keys && public.len() < 32 {
            arr(public)
        } else {
            keys::public_key(public, "recipient session")?
        };
        let secret = agree(&private, &peer, q.allow_low_order)?;
        let padding = if q.zero_padding { [0; 16] } else { KEY_PADDING };
        blocks.push(BlockParts {
            session_id: if q.guid_order {
                uuid.to_bytes_le()
            } else {
                uuid.into_bytes()
            },
            iv: *iv,
            wrapped_key: wrap_key(&secret, iv, &a.message_key, &padding),
        });
    }
    let mut out = BodyParts {
        version: 1,
        sender_key: header,
        blocks,
        nonce: a.nonce,
        sealed,
    }
    .to_bytes();
    // The framing bugs, as edits of what the reference's writer wrote.
    let quirks: Vec<&str> = [
        (q.count_big_endian, "session_count reverse"),
        (q.header_omitted, "sender_key drop"),
    ]
    .into_iter()
    .filter_map(|(on, edit)| on.then_some(edit))
    .collect();
    if quirks.is_empty() {
        return Ok(out);
    }
    let mut layout = Layout::of(Format::Mixin, &out);
    let edits = Edit::parse_all(&quirks.join("; ")).map_err(bad)?;
    apply_all(&edits, &mut out, &mut layout, &mut NoRefs).map_err(bad)?;
    Ok(out)
}

fn encrypt_with(q: Enc, op: &str, args: &Value) -> Option<Reply> {
    if op != "mixin.encrypt" {
        return None;
    }
    // Without injected randomness the twin cannot be compared byte for byte anyway; it still
    // must produce its bug, so draw the randomness here.
    let a = match enc_args(args) {
        Some(a) => a,
        None => {
            let mut filled = args.clone();
            let n = args.get("sessions")?.as_array()?.len();
            let mut r = crate::mixin::Randomness::generate(&mut rand_core::OsRng, n);
            r.ivs.truncate(n);
            filled.as_object_mut()?.insert(
                "random".into(),
                serde_json::json!({
                    "message_key": hex::encode(r.message_key),
                    "nonce": hex::encode(r.nonce),
                    "ivs": r.ivs.iter().map(hex::encode).collect::<Vec<_>>(),
                }),
            );
            enc_args(&filled)?
        }
    };
    Some(match encrypt_twin(q, &a) {
        Ok(body) => ok_hex("body", &body),
        Err(r) => r,
    })
}

fn checksum_twin(op: &str, args: &Value, f: fn(Vec<String>) -> String) -> Option<Reply> {
    if op != "mixin.checksum" {
        return None;
    }
    let ids = args
        .get("session_ids")?
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    Some(Reply::Ok(serde_json::json!({ "checksum": f(ids) })))
}

fn md5_hex(ids: &[String]) -> String {
    let mut h = Md5::new();
    ids.iter().for_each(|i| h.update(i.as_bytes()));
    hex::encode(h.finalize())
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort_unstable();
    ids
}

macro_rules! dec {
    ($name:literal, $bug:literal, $real:literal, $tol:literal, { $($f:ident : $v:expr),* $(,)? }) => {
        Entry {
            info: MutantInfo { name: $name, bug: $bug, real: $real, tolerated: $tol },
            twin: |_r: &mut Reference, op: &str, args: &Value| decrypt_with(Dec { $($f: $v,)* ..Dec::default() }, op, args),
        }
    };
}

macro_rules! enc {
    ($name:literal, $bug:literal, $real:literal, { $($f:ident : $v:expr),* $(,)? }) => {
        Entry {
            info: MutantInfo { name: $name, bug: $bug, real: $real, tolerated: false },
            twin: |_r: &mut Reference, op: &str, args: &Value| encrypt_with(Enc { $($f: $v,)* ..Enc::default() }, op, args),
        }
    };
}

macro_rules! other {
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
}

/// The Mixin mutants.
pub(super) fn entries() -> Vec<Entry> {
    vec![
        dec!("mixin-decrypt-count-low-byte", "Reads only the low byte of the session count, so 256 sessions read as 0 and 300 as 44.", "Ruby mixin_bot (`unpack1('C*')`)", false, { count: Count::LowByte }),
        dec!("mixin-decrypt-count-sign-extended", "Sign-extends the count's low byte (Kotlin `Byte.toUInt()`), so counts with a low byte >= 0x80 are mis-read (128 -> -128 -> no blocks).", "Android app / bot-api-kotlin-client (`leByteArrayToInt`)", false, { count: Count::SignExtended }),
        dec!("mixin-decrypt-count-b0-plus-b1", "Adds the two count bytes without shifting the high byte (256 reads as 1).", "Mixin desktop (flutter-app `leByteArrayToInt`)", false, { count: Count::B0PlusB1 }),
        dec!("mixin-decrypt-count-big-endian", "Reads the session count big-endian.", "likely: any port that uses network byte order by habit", false, { count: Count::BigEndian }),
        dec!("mixin-decrypt-no-version-check", "Never looks at the version byte.", "bot-api-go-client, fox-one, Android, desktop, Ruby, PyPI mixinsdk", true, { skip_version: true }),
        dec!("mixin-decrypt-no-padding-check", "Takes the first 16 unwrapped bytes as the key without checking the sixteen 0x10 padding bytes.", "bot-api-go-client, fox-one, Ruby, PyPI mixinsdk", true, { skip_padding: true }),
        dec!("mixin-decrypt-no-tag-check", "Strips the 16-byte GCM tag and decrypts the rest without verifying it.", "PyPI mixinsdk (`[:-16]`, no finalize)", false, { skip_tag: true }),
        dec!("mixin-decrypt-session-bytes-match", "Matches the session block by its 16 raw bytes, so an upper-case or unhyphenated session id still matches (tolerated: RFC 4122 hex digits are case-insensitive on input, and the official apps match bytes).", "Android, iOS, desktop (raw-bytes comparison)", true, { matching: Match::FirstBytes }),
        dec!("mixin-decrypt-session-last-match", "Takes the last block with the session id instead of the first (no `break`) (tolerated: a body naming a session twice is read differently by real implementations; the corpus marks it acceptable and the reference refuses it).", "Android / Kotlin, desktop (loop without break)", true, { matching: Match::LastString }),
        dec!("mixin-decrypt-failure-as-empty", "Signals every decryption failure (unknown session, bad tag, truncation) as an empty plaintext with no error.", "bot-api-go-client (`return \"\", nil`)", false, { empty_on_failure: true }),
        dec!("mixin-decrypt-unknown-session-empty", "Returns an empty plaintext when no block carries the session id.", "Ruby mixin_bot (`''`), desktop (`null`)", false, { empty_on_unknown_session: true }),
        dec!("mixin-decrypt-low-order-accepted", "Does not refuse the all-zero X25519 secret of a low-order sender key; it unwraps the message key under it (tolerated: RFC 7748 section 6.1 makes the check optional, and a body not made with that secret still fails at key_unwrap or authentication).", "Android / Kotlin (whispersystems `calculateAgreement`), iOS (`curve25519_donna`)", true, { allow_low_order: true }),
        enc!("mixin-encrypt-header-ed25519", "Writes the sender's ed25519 public key in the header instead of its Montgomery (X25519) form.", "likely: a port that forgets the Edwards-to-Montgomery conversion", { header_ed25519: true }),
        enc!("mixin-encrypt-header-omitted", "Leaves out the 32-byte sender key (conversion error ignored, as with a seed-only private key).", "bot-api-go-client with a 32-byte seed (`pub, _ :=`)", { header_omitted: true }),
        enc!("mixin-encrypt-count-big-endian", "Writes the session count big-endian.", "likely: a port using network byte order", { count_big_endian: true }),
        enc!("mixin-encrypt-zero-padding", "Wraps message key || 16 zero bytes instead of the PKCS#7 block of 0x10.", "likely: a port using raw CBC without padding", { zero_padding: true }),
        enc!("mixin-encrypt-ivs-swapped", "With two sessions, uses the second IV for the first block (draws the extension session's IV last).", "Android / Kotlin (extension block first, its IV drawn last)", { ivs_swapped: true }),
        enc!("mixin-encrypt-session-id-guid-order", "Writes session ids in Microsoft GUID byte order (first three fields little-endian).", "likely: a .NET port (`Guid.ToByteArray`)", { guid_order: true }),
        enc!("mixin-encrypt-low-order-accepted", "Encrypts to a low-order recipient key (all-zero secret) instead of refusing it.", "Android / Kotlin (no all-zero check), pre-2023 bot-api-go-client (`ScalarMult`)", { allow_low_order: true }),
        enc!("mixin-encrypt-short-key-padded", "Zero-pads a recipient key shorter than 32 bytes instead of refusing it.", "fox-one/mixin-sdk-go (`copy(clientPub[:], ...)`), PyPI mixinsdk git", { pad_short_keys: true }),
        other!("mixin-checksum-empty-md5", "Gives md5(\"\") for an empty session list instead of the empty string.", "PyPI mixinsdk, Ruby mixin_bot", |_r, op, a| checksum_twin(op, a, |ids| md5_hex(&sorted(ids)))),
        other!("mixin-checksum-unsorted", "Hashes the session ids in the given order, without sorting.", "likely: a port that forgets the sort", |_r, op, a| checksum_twin(op, a, |ids| if ids.is_empty() { String::new() } else { md5_hex(&ids) })),
        other!("mixin-checksum-lowercased", "Lower-cases the session ids before sorting and hashing.", "likely: a port that normalises UUIDs", |_r, op, a| checksum_twin(op, a, |ids| if ids.is_empty() { String::new() } else { md5_hex(&sorted(ids.iter().map(|i| i.to_lowercase()).collect())) })),
        other!("mixin-checksum-uppercase-hex", "Prints the md5 in upper-case hex.", "likely: a .NET or Java port (`%02X`)", |_r, op, a| checksum_twin(op, a, |ids| if ids.is_empty() { String::new() } else { md5_hex(&sorted(ids)).to_uppercase() })),
        other!("mixin-private-key-unclamped", "Converts the ed25519 seed to an X25519 key without clamping SHA-512(seed)[0..32].", "likely: a port that relies on the X25519 function to clamp", |_r, op, a| {
            if op != "mixin.convert_private_key" { return None; }
            let seed: [u8; 32] = hex_arg(a, "private_key")?.try_into().ok()?;
            let h = sha2::Sha512::digest(seed);
            Some(ok_hex("private_key", &h[..32]))
        }),
        other!("mixin-private-key-seed-as-scalar", "Uses the ed25519 seed itself, clamped, as the X25519 private key (no SHA-512).", "likely: a port that confuses the seed and the expanded secret", |_r, op, a| {
            if op != "mixin.convert_private_key" { return None; }
            let seed: [u8; 32] = hex_arg(a, "private_key")?.try_into().ok()?;
            Some(ok_hex("private_key", &curve25519_dalek::scalar::clamp_integer(seed)))
        }),
        Entry {
            info: MutantInfo {
                name: "mixin-public-key-any-point",
                bug: "Converts every 32 bytes that decode to an edwards25519 point, canonical or not, of any order (the strict reference refuses non-canonical, small-order and mixed-order points, as libsodium does).",
                real: "bot-api-go-client, fox-one/mixin-sdk-go (edwards25519 `SetBytes` + `BytesMontgomery`)",
                tolerated: true,
            },
            twin: |_r: &mut Reference, op: &str, a: &Value| {
                if op != "mixin.convert_public_key" { return None; }
                let key: [u8; 32] = hex_arg(a, "public_key")?.try_into().ok()?;
                let p = curve25519_dalek::edwards::CompressedEdwardsY(key).decompress()?;
                Some(ok_hex("public_key", &p.to_montgomery().to_bytes()))
            },
        },
    ]
}
