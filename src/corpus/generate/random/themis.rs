//! Random Themis cases: the accumulated families and user-requested vectors.

use super::{edited, steps};
use crate::corpus::generate::Gen;
use crate::mutate::{Edit, Format};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use std::sync::OnceLock;

fn h(b: &[u8]) -> String {
    hex::encode(b)
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap_or_default()
}

#[derive(Clone)]
struct Pair {
    private: Vec<u8>,
    public: Vec<u8>,
}

fn kc(key: &[u8]) -> Value {
    json!({ "key": h(key) })
}

fn sign_args(private: &[u8], message: &[u8]) -> Value {
    json!({"private_key": h(private), "message": h(message)})
}

fn va(public: &[u8], signed: &[u8]) -> Value {
    json!({"public_key": h(public), "signed": h(signed)})
}

fn ea(private: &[u8], public: &[u8], message: &[u8], random: Option<Value>) -> Value {
    let mut v =
        json!({"private_key": h(private), "peer_public_key": h(public), "message": h(message)});
    if let Some(r) = random {
        v["random"] = r;
    }
    v
}

fn da(private: &[u8], public: &[u8], encrypted: &[u8]) -> Value {
    json!({"private_key": h(private), "peer_public_key": h(public), "encrypted": h(encrypted)})
}

fn ec_random(g: &mut Gen) -> Value {
    json!({"iv": h(&g.array::<12>())})
}

fn rsa_random(g: &mut Gen) -> Value {
    json!({"iv": h(&g.array::<12>()), "secret": h(&g.bytes(70)), "oaep_seed": h(&g.array::<20>())})
}

struct AccKeys {
    a: Pair,
    b: Pair,
    rsa: Option<Pair>,
    /// (plaintext, signed) made with `a`, to mutate without signing each time.
    signed: Vec<(Vec<u8>, Vec<u8>)>,
}

fn acc_keys() -> &'static AccKeys {
    static KEYS: OnceLock<AccKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(0x007e_57ac);
        let (ap, aq) = crate::themis::generate_ec_keypair(&mut rng);
        let (bp, bq) = crate::themis::generate_ec_keypair(&mut rng);
        let fixture = super::super::catalogue::fixture;
        let rsa = match (
            fixture("pythemis_rsa1024_priv"),
            fixture("pythemis_rsa1024_pub"),
        ) {
            (Ok(private), Ok(public)) => Some(Pair { private, public }),
            _ => None,
        };
        let a = Pair {
            private: ap,
            public: aq,
        };
        let mut signed = Vec::new();
        for len in [1usize, 2, 17, 64, 200] {
            let msg: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            if let Ok(s) = crate::themis::sign(&a.private, &msg, &mut rng) {
                signed.push((msg, s));
            }
        }
        AccKeys {
            a,
            b: Pair {
                private: bp,
                public: bq,
            },
            rsa,
            signed,
        }
    })
}

fn themis(bytes: &[u8], edit: &[Edit]) -> Vec<u8> {
    edited(Format::Themis, bytes, edit)
}

/// One mutation of a message or key: a bit flip, a truncation, an extension, an edit of
/// one of the u32 `words` (fields of its dissection), or a byte inverted.
fn mutation(g: &mut Gen, x: &[u8], words: &[&str]) -> Vec<Edit> {
    let l = x.len() as u64;
    match g.below(6) {
        0 => {
            let at = g.below(l);
            steps(&format!("input[{at}] ^= {:#04x}", 1u8 << g.below(8)))
        }
        1 => steps(&format!("input cut {}", g.below(l))),
        2 => {
            let n = 1 + g.below(8) as usize;
            steps(&format!("input append [{}]", h(&g.bytes(n))))
        }
        3 | 4 if !words.is_empty() => {
            let field = words[g.below(words.len() as u64) as usize];
            steps(&match g.below(5) {
                0 => format!("{field} += 1"),
                1 => format!("{field} -= 1"),
                2 => format!("{field} = 0"),
                3 => format!("{field} = 0xffffffff"),
                _ => format!("{field} flip {}", g.below(32)),
            })
        }
        _ => {
            let at = g.below(l);
            steps(&format!("input[{at}] ^= 0xff"))
        }
    }
}

fn mutate(g: &mut Gen, x: &[u8], words: &[&str]) -> Vec<u8> {
    let m = mutation(g, x, words);
    themis(x, &m)
}

/// A key defect: CRC, size, tag, scalar/point, or the wrong kind.
fn key_defect(g: &mut Gen, key: &[u8], other: &[u8]) -> Vec<u8> {
    let edit = match g.below(6) {
        0 => format!("crc[{}] ^= 0x01", g.below(4)),
        1 => "size[3] += 1; fix crc".into(),
        2 => format!("tag[{}] ^= 0x01; fix size crc", g.below(4)),
        3 => "input[13..] ones; fix size crc".into(),
        4 => return other.to_vec(),
        _ => format!("input cut end-{}", 1 + g.below(4)),
    };
    themis(key, &steps(&edit))
}

/// One deterministic pseudo-random case of `op` drawn from `g`: about 60% well-formed inputs,
/// the rest a single mutation (bit flip, truncation, extension, length or type edit, key
/// defect). Cheap: P-256 keys made once, an RSA-1024 key about one case in 25.
pub fn accumulated_args(g: &mut Gen, op: &str) -> Result<Value, String> {
    let k = acc_keys();
    let well = g.below(10) < 6;
    let use_rsa = k.rsa.is_some() && g.below(25) == 0;
    let (own, peer) = match (&k.rsa, use_rsa) {
        (Some(r), true) => (r, r),
        _ => (&k.a, &k.b),
    };
    let bound = if g.below(8) == 0 { 2000 } else { 120 };
    let len = 1 + g.below(bound) as usize;
    let message = g.bytes(len);
    Ok(match op {
        "themis.key.check" => {
            let key = match g.below(4) {
                0 => &own.private,
                1 => &own.public,
                2 => &peer.private,
                _ => &peer.public,
            };
            let key = if well {
                key.clone()
            } else if g.below(2) == 0 {
                key_defect(g, key, &[])
            } else {
                let mut m = mutation(g, key, &[]);
                let x = themis(key, &m);
                if g.below(2) == 0 && x.len() >= 12 {
                    m.extend(steps("fix crc"));
                    themis(key, &m)
                } else {
                    x
                }
            };
            kc(&key)
        }
        "themis.sign" => {
            if well {
                sign_args(&own.private, &message)
            } else if g.below(5) == 0 {
                sign_args(&own.private, &[])
            } else {
                sign_args(&key_defect(g, &own.private, &own.public), &message)
            }
        }
        "themis.verify" => {
            let (public, signed) = if use_rsa {
                let s = crate::themis::sign(&own.private, &message, g.rng())
                    .map_err(|e| format!("step 10: {e}"))?;
                (own.public.clone(), s)
            } else {
                let i = g.below(k.signed.len() as u64) as usize;
                let s = k.signed.get(i).map(|x| x.1.clone()).unwrap_or_default();
                (k.a.public.clone(), s)
            };
            if well {
                va(&public, &signed)
            } else if g.below(5) == 0 {
                va(&key_defect(g, &public, &k.a.private), &signed)
            } else {
                let words = ["message_type", "message_length", "signature_length"];
                va(&public, &mutate(g, &signed, &words))
            }
        }
        "themis.encrypt" => {
            let random = if use_rsa { rsa_random(g) } else { ec_random(g) };
            if well {
                ea(&own.private, &peer.public, &message, Some(random))
            } else {
                match g.below(4) {
                    0 => ea(&own.private, &peer.public, &[], Some(random)),
                    1 => ea(
                        &key_defect(g, &own.private, &peer.public),
                        &peer.public,
                        &message,
                        Some(random),
                    ),
                    2 => ea(
                        &own.private,
                        &key_defect(g, &peer.public, &own.private),
                        &message,
                        Some(random),
                    ),
                    _ => ea(&peer.public, &own.private, &message, Some(random)),
                }
            }
        }
        "themis.decrypt" => {
            let random = if use_rsa { rsa_random(g) } else { ec_random(g) };
            let enc = g.ok(
                "themis.encrypt",
                &ea(&own.private, &peer.public, &message, Some(random)),
            )?;
            let enc = unhex(enc["encrypted"].as_str().unwrap_or_default());
            if well {
                da(&peer.private, &own.public, &enc)
            } else if g.below(6) == 0 {
                da(
                    &key_defect(g, &peer.private, &peer.public),
                    &own.public,
                    &enc,
                )
            } else {
                let mut words = vec![
                    "message_type",
                    "total_length",
                    "cell.alg",
                    "cell.iv_length",
                    "cell.auth_tag_length",
                    "cell.message_length",
                ];
                if use_rsa {
                    words.push("encrypted_key_length");
                }
                let mut edit = mutation(g, &enc, &words);
                let mut m = themis(&enc, &edit);
                if g.below(3) == 0 && m.len() >= 8 {
                    edit.extend(steps("fix total_length"));
                    m = themis(&enc, &edit);
                }
                da(&peer.private, &own.public, &m)
            }
        }
        _ => return Err(format!("unknown op {op}")),
    })
}

// ---------------------------------------------------------------------------------------
// User-requested cases (kept API)
// ---------------------------------------------------------------------------------------

/// The public key container that belongs to a private one (hex in, hex out).
pub fn public_for(private_hex: &str) -> Result<String, String> {
    let private = hex::decode(private_hex).map_err(|e| format!("step 11: {e}"))?;
    crate::themis::public_key_for(&private)
        .map(hex::encode)
        .map_err(|e| format!("step 12: {e}"))
}

/// Random, well-formed args for `op`, for user-requested vectors (EC P-256 keys).
pub fn random_args(g: &mut Gen, op: &str) -> Result<serde_json::Value, String> {
    let (a_priv, a_pub) = crate::themis::generate_ec_keypair(g.rng());
    let (b_priv, b_pub) = crate::themis::generate_ec_keypair(g.rng());
    let len = 1 + g.below(200) as usize;
    let message = hex::encode(g.bytes(len));
    Ok(match op {
        "themis.key.check" => {
            json!({"key": hex::encode(if g.below(2) == 0 { &a_priv } else { &a_pub })})
        }
        "themis.sign" => json!({"private_key": hex::encode(&a_priv), "message": message}),
        "themis.verify" => {
            let signed = g.ok(
                "themis.sign",
                &json!({"private_key": hex::encode(&a_priv), "message": message}),
            )?["signed"]
                .clone();
            json!({"public_key": hex::encode(&a_pub), "signed": signed})
        }
        "themis.encrypt" => {
            json!({"private_key": hex::encode(&a_priv), "peer_public_key": hex::encode(&b_pub), "message": message,
                                    "random": {"iv": hex::encode(g.array::<12>())}})
        }
        "themis.decrypt" => {
            let iv = hex::encode(g.array::<12>());
            let enc = g.ok("themis.encrypt", &json!({"private_key": hex::encode(&a_priv), "peer_public_key": hex::encode(&b_pub), "message": message,
                                                    "random": {"iv": iv}}))?["encrypted"].clone();
            json!({"private_key": hex::encode(&b_priv), "peer_public_key": hex::encode(&a_pub), "encrypted": enc})
        }
        _ => return Err(format!("unknown op {op}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Reply;

    #[test]
    fn accumulated_cases_are_deterministic_and_mixed() {
        for op in [
            "themis.key.check",
            "themis.sign",
            "themis.verify",
            "themis.encrypt",
            "themis.decrypt",
        ] {
            let mut g1 = Gen::new(11);
            let mut g2 = Gen::new(11);
            let (mut ok, mut rejected) = (0, 0);
            for _ in 0..300 {
                let a = accumulated_args(&mut g1, op).unwrap();
                assert_eq!(a, accumulated_args(&mut g2, op).unwrap());
                match g1.answer(op, &a) {
                    Reply::Ok(_) => ok += 1,
                    Reply::Error { stage: Some(_), .. } => rejected += 1,
                    other => panic!("{op}: {a}: no stage: {other:?}"),
                }
            }
            assert!(
                ok > 120 && rejected > 60,
                "{op}: {ok} accepted, {rejected} rejected"
            );
        }
    }
}
