//! Random Mixin cases: the accumulated families and user-requested vectors.

use super::{edited, steps};
use crate::corpus::generate::Gen;
use crate::mixin::body::{BlockParts, BodyParts, VERSION};
use crate::mixin::envelope::{wrap_key, KEY_PADDING};
use crate::mixin::{keys, Randomness};
use crate::mutate::Format;
use crate::wire::Codec;
use serde_json::json;

/// The eight small-order points of edwards25519, compressed (as the convert catalogue
/// lists them).
const TORSION: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
];

/// Low-order X25519 u-coordinates (and non-canonical encodings of them).
const LOW_ORDER_U: [&str; 8] = [
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000080",
];

fn h32(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(v) = hex::decode(s) {
        out.iter_mut().zip(v).for_each(|(o, b)| *o = b);
    }
    out
}

/// The X25519 public key of an ed25519 seed.
fn x_public(seed: &[u8; 32]) -> [u8; 32] {
    keys::x25519_base(&keys::private_to_x25519(seed))
}

/// Fresh randomness for `n` sessions, in the SDKs' order.
fn draw_random(g: &mut Gen, n: usize) -> Randomness {
    Randomness {
        message_key: g.array(),
        nonce: g.array(),
        ivs: (0..n).map(|_| g.array()).collect(),
    }
}

const TEXT: &[u8] = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?-'";

/// `len` bytes of printable ASCII.
fn text(g: &mut Gen, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| TEXT[g.below(TEXT.len() as u64) as usize])
        .collect()
}

/// PROTOCOL.md args of `mixin.encrypt`.
fn encrypt_args(
    sender: &[u8],
    sessions: &[(String, Vec<u8>)],
    plaintext: &[u8],
    random: Option<&Randomness>,
) -> serde_json::Value {
    let mut args = json!({
        "private_key": hex::encode(sender),
        "sessions": sessions
            .iter()
            .map(|(id, key)| json!({"session_id": id, "public_key": hex::encode(key)}))
            .collect::<Vec<_>>(),
        "plaintext": hex::encode(plaintext),
    });
    if let Some(r) = random {
        args["random"] = json!({
            "message_key": hex::encode(r.message_key),
            "nonce": hex::encode(r.nonce),
            "ivs": r.ivs.iter().map(hex::encode).collect::<Vec<_>>(),
        });
    }
    args
}

/// PROTOCOL.md args of `mixin.decrypt`.
fn decrypt_args(seed: &[u8], session_id: &str, body: &[u8]) -> serde_json::Value {
    json!({"private_key": hex::encode(seed), "session_id": session_id, "body": hex::encode(body)})
}

/// A key of `len` bytes: cut, or padded with zeros.
fn resized(key: &[u8], len: usize) -> Vec<u8> {
    let edit = match len.checked_sub(key.len()) {
        None => format!("input keep {len}"),
        Some(0) => return key.to_vec(),
        Some(n) => format!("input append [00*{n}]"),
    };
    edited(Format::Raw, key, &steps(&edit))
}

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
                k = resized(&k, [0usize, 31, 33, 64][g.below(4) as usize]);
            }
            json!({ "private_key": hex::encode(k) })
        }
        "mixin.convert_public_key" => {
            let s: [u8; 32] = g.array();
            let mut k = keys::ed25519_public(&s).to_vec();
            if mutate {
                match g.below(4) {
                    0 => k = g.bytes(32),
                    1 => k = resized(&k, [0usize, 31, 33, 64][g.below(4) as usize]),
                    2 => k = h32(TORSION[g.below(8) as usize]).to_vec(),
                    _ => {
                        k = edited(
                            Format::Raw,
                            &k,
                            &steps(&format!("input flip {}", g.below(256))),
                        )
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
                    (0, _) | (_, 0) => {
                        sender = resized(&sender, [0usize, 31, 33, 64][g.below(4) as usize]);
                    }
                    (1, _) => {
                        let i = g.below(n as u64) as usize;
                        let len = [0usize, 31, 33][g.below(3) as usize];
                        sessions[i].1 = resized(&sessions[i].1, len);
                    }
                    _ => {
                        let i = g.below(n as u64) as usize;
                        sessions[i].1 = h32(LOW_ORDER_U[g.below(8) as usize]).to_vec();
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
                let edit = match g.below(8) {
                    0 | 1 => format!("input flip {}", g.below(body.len() as u64 * 8)),
                    2 => format!("input cut {}", g.below(body.len() as u64)),
                    3 => {
                        let count = match g.below(4) {
                            0 => 0,
                            1 => n as u64 + 1,
                            2 => n as u64 - 1,
                            _ => g.below(65536),
                        };
                        format!("session_count = {count}")
                    }
                    4 => {
                        id = g.uuid();
                        String::new()
                    }
                    5 => {
                        let extra = 1 + g.below(32) as usize;
                        format!("input append [{}]", hex::encode(g.bytes(extra)))
                    }
                    6 => {
                        seed = g.array();
                        String::new()
                    }
                    _ => format!("version = {}", g.below(256)),
                };
                if !edit.is_empty() {
                    body = edited(Format::Mixin, &body, &steps(&edit));
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
/// written from the precomputed secrets with the reference's writers.
fn pooled_body(
    sender: &PoolSender,
    picks: &[(usize, String)],
    plaintext: &[u8],
    random: &Randomness,
) -> Result<Vec<u8>, String> {
    use aes_gcm::aead::{Aead, KeyInit};
    let mut blocks = Vec::with_capacity(picks.len());
    for ((r, id), iv) in picks.iter().zip(&random.ivs) {
        let secret = sender.secrets.get(*r).ok_or("no such pool recipient")?;
        let id = uuid::Uuid::parse_str(id).map_err(|e| e.to_string())?;
        blocks.push(BlockParts {
            session_id: id.into_bytes(),
            iv: *iv,
            wrapped_key: wrap_key(secret, iv, &random.message_key, &KEY_PADDING),
        });
    }
    let sealed = aes_gcm::Aes128Gcm::new(&random.message_key.into())
        .encrypt(aes_gcm::Nonce::from_slice(&random.nonce), plaintext)
        .map_err(|e| e.to_string())?;
    Ok(BodyParts {
        version: VERSION,
        sender_key: sender.header_key,
        blocks,
        nonce: random.nonce,
        sealed,
    }
    .to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(
        sender: &[u8],
        sessions: &[(String, Vec<u8>)],
        plaintext: &[u8],
        random: &Randomness,
    ) -> Result<Vec<u8>, String> {
        let recipients: Vec<crate::mixin::Recipient> = sessions
            .iter()
            .map(|(id, key)| crate::mixin::Recipient {
                session_id: uuid::Uuid::parse_str(id).unwrap().into_bytes(),
                public_key: key.clone(),
            })
            .collect();
        crate::mixin::encrypt(sender, &recipients, plaintext, random).map_err(|e| e.to_string())
    }

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
    fn accumulated_args_are_small_deterministic_and_answerable() {
        // What a case costs is measured by `sealcheck bench`; here the bound is on its size.
        for op in crate::protocol::OPS
            .iter()
            .filter(|o| o.starts_with("mixin."))
        {
            let mut a = Gen::new(7);
            let mut b = Gen::new(7);
            for _ in 0..200 {
                let x = accumulated_args(&mut a, op).unwrap();
                assert_eq!(x, accumulated_args(&mut b, op).unwrap());
                let size = x.to_string().len();
                assert!(size < 16 * 1024, "{op}: a case of {size} bytes");
                // The reference answers every case with ok or a staged error.
                match a.answer(op, &x) {
                    crate::protocol::Reply::Ok(_)
                    | crate::protocol::Reply::Error { stage: Some(_), .. } => {}
                    other => panic!("{op}: {x}: {other:?}"),
                }
            }
            if std::env::var("SEALCHECK_DIST").is_ok() {
                let mut c = Gen::new(9);
                let mut tally = std::collections::BTreeMap::new();
                for _ in 0..2000 {
                    let x = accumulated_args(&mut c, op).unwrap();
                    let k = match c.answer(op, &x) {
                        crate::protocol::Reply::Error { stage: Some(s), .. } => format!("{s}"),
                        _ => "ok".into(),
                    };
                    *tally.entry(k).or_insert(0) += 1;
                }
                eprintln!("{op}: {tally:?}");
            }
        }
    }
}
