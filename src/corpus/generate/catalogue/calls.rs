//! The scene builders a catalogue calls (docs/VECTORS.md, "Making vectors" lists them). Each
//! draws from the seeded stream in a fixed order, and builds with the reference's own
//! encoders; the reference answers every op a builder asks of it.

use super::value::{Env, Value};
use crate::mixin::{self, keys as mkeys};
use crate::mutate::Arg;
use crate::themis::{self, EncryptedMessage, SignedMessage};
use crate::wire::Codec;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rsa::BigUint;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

/// Evaluated call arguments: positional and named, each in the order written.
struct Args {
    pos: Vec<Value>,
    named: Vec<(String, Value)>,
}

impl Args {
    fn get(&self, i: usize) -> Result<&Value, String> {
        self.pos
            .get(i)
            .ok_or_else(|| format!("argument {} is missing", i + 1))
    }
    fn opt(&self, key: &str) -> Option<&Value> {
        self.named.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Printable ASCII: a plaintext every implementation can return as a string.
const TEXT: &[u8] = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 .,;:!?-'";

static UPSTREAM: &str = include_str!("../../../../vectors/upstream/themis-upstream-vectors.json");

/// An upstream key fixture by id (vectors/upstream/themis-upstream-vectors.json).
pub(in crate::corpus::generate) fn fixture(id: &str) -> Result<Vec<u8>, String> {
    static KEYS: OnceLock<HashMap<String, String>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        let v: Json = serde_json::from_str(UPSTREAM).unwrap_or_default();
        v["key_fixtures"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| {
                Some((
                    k["id"].as_str()?.to_string(),
                    k["key"].as_str()?.to_string(),
                ))
            })
            .collect()
    });
    let hex = keys
        .get(id)
        .ok_or_else(|| format!("no upstream key fixture {id}"))?;
    hex::decode(hex).map_err(|e| e.to_string())
}

fn ok_hex(
    g: &mut crate::corpus::generate::Gen,
    op: &str,
    args: &Json,
    field: &str,
) -> Result<Vec<u8>, String> {
    let out = g.ok(op, args)?;
    hex::decode(out[field].as_str().unwrap_or_default()).map_err(|e| e.to_string())
}

fn curve(name: &str) -> Result<themis::Curve, String> {
    themis::Curve::ALL
        .into_iter()
        .find(|c| c.name() == name)
        .ok_or_else(|| format!("no curve {name}"))
}

fn rng_of(v: &Value) -> Result<Rc<RefCell<ChaCha20Rng>>, String> {
    match v {
        Value::Rng(r) => Ok(r.clone()),
        _ => Err("rng= takes a random stream".into()),
    }
}

fn randomness(v: &Value) -> Result<mixin::Randomness, String> {
    let part = |k: &str| {
        v.part(k)
            .ok_or_else(|| format!("the randomness has no {k}"))
    };
    Ok(mixin::Randomness {
        message_key: part("message_key")?.array()?,
        nonce: part("nonce")?.array()?,
        ivs: part("ivs")?
            .list()?
            .iter()
            .map(Value::array)
            .collect::<Result<_, _>>()?,
    })
}

fn party(g: &mut crate::corpus::generate::Gen) -> Value {
    let seed: [u8; 32] = g.array();
    let id = g.uuid();
    Value::Session {
        seed: Some(seed),
        id,
        public: x_public(&seed).to_vec(),
    }
}

fn x_public(seed: &[u8; 32]) -> [u8; 32] {
    mkeys::x25519_base(&mkeys::private_to_x25519(seed))
}

fn seal_body(
    sender: &Value,
    sessions: &Value,
    plaintext: &Value,
    random: &Value,
) -> Result<Value, String> {
    let recipients = sessions
        .list()?
        .iter()
        .map(|s| match s {
            Value::Session { id, public, .. } => Ok(mixin::Recipient {
                session_id: uuid::Uuid::parse_str(id)
                    .map_err(|e| e.to_string())?
                    .into_bytes(),
                public_key: public.clone(),
            }),
            _ => Err("sessions are sessions".to_string()),
        })
        .collect::<Result<Vec<_>, _>>()?;
    mixin::encrypt(
        &sender.bytes()?,
        &recipients,
        &plaintext.bytes()?,
        &randomness(random)?,
    )
    .map(Value::Bytes)
    .map_err(|e| e.to_string())
}

/// Calls builder `name`.
pub fn call(env: &mut Env<'_>, name: &str, raw: &[Arg]) -> Result<Value, String> {
    // `repeat` evaluates its second argument once per item.
    if name == "repeat" {
        let [n, item] = raw else {
            return Err("repeat(n, expr)".into());
        };
        let n = env.eval(&n.value)?.usize()?;
        return (0..n)
            .map(|_| env.eval(&item.value))
            .collect::<Result<_, _>>()
            .map(Value::List);
    }
    let mut a = Args {
        pos: Vec::new(),
        named: Vec::new(),
    };
    for arg in raw {
        let v = env.eval(&arg.value)?;
        match &arg.name {
            Some(k) => a.named.push((k.clone(), v)),
            None => a.pos.push(v),
        }
    }
    let g = &mut *env.g;
    Ok(match name {
        // ---- the stream and plain values
        "random" => Value::Bytes(g.bytes(a.get(0)?.usize()?)),
        "text" => Value::Bytes(
            (0..a.get(0)?.usize()?)
                .map(|_| TEXT[usize::try_from(g.below(TEXT.len() as u64)).unwrap_or(0)])
                .collect(),
        ),
        "uuid" => Value::Text(g.uuid()),
        "uuids" => Value::List(
            (0..a.get(0)?.usize()?)
                .map(|_| Value::Text(g.uuid()))
                .collect(),
        ),
        "rng" => Value::Rng(Rc::new(RefCell::new(ChaCha20Rng::seed_from_u64(
            g.seed ^ u64::from(u32_of(&a.get(0)?.int()?)?),
        )))),
        "list" => Value::List(a.pos),
        "args" => Value::Args(a.named),
        "record" => Value::Record(a.named),
        "pair" => Value::Record(vec![
            ("private".into(), a.get(0)?.clone()),
            ("public".into(), a.get(1)?.clone()),
        ]),
        "with" => {
            let Value::Record(mut fields) = a.get(0)?.clone() else {
                return Err("with(record, part=value)".into());
            };
            for (k, v) in &a.named {
                match fields.iter_mut().find(|(f, _)| f == k) {
                    Some(slot) => slot.1 = v.clone(),
                    None => return Err(format!("the record has no {k}")),
                }
            }
            Value::Record(fields)
        }
        "upper" => Value::Text(a.get(0)?.text()?.to_uppercase()),
        "strip" => Value::Text(a.get(0)?.text()?.replace(&a.get(1)?.text()?, "")),
        "alternate_case" => {
            let mut upper = false;
            Value::Text(
                a.get(0)?
                    .text()?
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphabetic() {
                            upper = !upper;
                            if upper {
                                return c.to_ascii_uppercase();
                            }
                        }
                        c
                    })
                    .collect(),
            )
        }
        "sorted" | "reversed" | "shuffled" => {
            let mut items = a.get(0)?.list()?.to_vec();
            match name {
                "sorted" => {
                    let mut keyed: Vec<(String, Value)> = items
                        .into_iter()
                        .map(|v| Ok((v.text()?, v)))
                        .collect::<Result<_, String>>()?;
                    keyed.sort_by(|x, y| x.0.cmp(&y.0));
                    items = keyed.into_iter().map(|(_, v)| v).collect();
                }
                "reversed" => items.reverse(),
                _ => {
                    // Fisher-Yates from the top, as the old builders shuffled.
                    for i in (1..items.len()).rev() {
                        let j = usize::try_from(g.below(i as u64 + 1)).unwrap_or(0);
                        items.swap(i, j);
                    }
                }
            }
            Value::List(items)
        }
        // ---- Themis keys
        "ec_keygen" => {
            let c = match a.pos.first() {
                Some(v) => curve(&v.text()?)?,
                None => themis::Curve::P256,
            };
            let (private, public) = themis::generate_ec_keypair_on(c, g.rng());
            key_pair(private, public)
        }
        "rsa_keygen" => {
            let e = a.opt("e").map_or(Ok(65537), |v| v.usize())?;
            let e = u32::try_from(e).map_err(|x| x.to_string())?;
            let (private, public) =
                themis::generate_rsa_keypair_with_exponent(a.get(0)?.usize()?, e, g.rng())
                    .map_err(|x| x.to_string())?;
            key_pair(private, public)
        }
        "fixture" => Value::Bytes(fixture(&a.get(0)?.text()?)?),
        "public_of" => {
            Value::Bytes(themis::public_key_for(&a.get(0)?.bytes()?).map_err(|e| e.to_string())?)
        }
        // ---- Themis messages: the reference's ops, and its encoders
        "sign" => {
            let args = json!({"private_key": hex::encode(a.get(0)?.bytes()?), "message": hex::encode(a.get(1)?.bytes()?)});
            Value::Bytes(ok_hex(g, "themis.sign", &args, "signed")?)
        }
        "encrypt" => {
            let mut args = json!({
                "private_key": hex::encode(a.get(0)?.bytes()?),
                "peer_public_key": hex::encode(a.get(1)?.bytes()?),
                "message": hex::encode(a.get(2)?.bytes()?),
            });
            if let Some(r) = a.pos.get(3) {
                args["random"] = r.to_json()?;
            }
            Value::Bytes(ok_hex(g, "themis.encrypt", &args, "encrypted")?)
        }
        "themis_random" => {
            let mut fields = vec![("iv".to_string(), Value::Bytes(g.bytes(12)))];
            if a.get(0)?.text()? == "rsa" {
                fields.push((
                    "secret".into(),
                    Value::Bytes(g.bytes(themis::RSA_SECRET_LEN)),
                ));
                fields.push(("oaep_seed".into(), Value::Bytes(g.bytes(20))));
            }
            Value::Record(fields)
        }
        "frame" => Value::Bytes(
            SignedMessage {
                message_type: u32_of(&a.get(0)?.int()?)?,
                plaintext: a.get(1)?.bytes()?,
                signature: a.get(2)?.bytes()?,
                padding: Vec::new(),
            }
            .to_bytes(),
        ),
        "ecdsa" => Value::Bytes(
            themis::ecdsa_sign(&a.get(0)?.bytes()?, &a.get(1)?.bytes()?)
                .map_err(|e| e.to_string())?,
        ),
        "pss" | "pss_sha1" | "pkcs1v15" => {
            let key = themis::rsa_private_key(&a.get(0)?.bytes()?).map_err(|e| e.to_string())?;
            let message = a.get(1)?.bytes()?;
            let seed = a.opt("seed").map_or(Ok(BigUint::from(0u32)), Value::int)?;
            let mut rng = ChaCha20Rng::seed_from_u64(u64::from(u32_of(&seed)?));
            let signed = match name {
                "pss" => key.sign_with_rng(
                    &mut rng,
                    rsa::Pss::new_with_salt::<Sha256>(
                        a.opt("salt").ok_or("pss needs salt=")?.usize()?,
                    ),
                    &Sha256::digest(&message),
                ),
                "pss_sha1" => key.sign_with_rng(
                    &mut rng,
                    rsa::Pss::new::<sha1::Sha1>(),
                    &sha1::Sha1::digest(&message),
                ),
                _ => key.sign(
                    rsa::Pkcs1v15Sign {
                        hash_len: Some(32),
                        // The DER DigestInfo prefix of SHA-256 (RFC 8017 §9.2, note 1).
                        prefix: SHA256_DIGEST_INFO.into(),
                    },
                    &Sha256::digest(&message),
                ),
            };
            Value::Bytes(signed.map_err(|e| e.to_string())?)
        }
        "ecdh" => Value::Bytes(
            themis::ecdh(&a.get(0)?.bytes()?, &a.get(1)?.bytes()?).map_err(|e| e.to_string())?,
        ),
        "seal" => {
            let master = a.get(0)?.bytes()?;
            let plaintext = a.get(2)?.bytes()?;
            let n = u32::try_from(plaintext.len()).map_err(|e| e.to_string())?;
            let key: [u8; 32] = match (a.opt("kdf"), a.opt("context")) {
                (Some(v), _) if v.text()? == "none" => Value::Bytes(master.clone()).array()?,
                (_, Some(ctx)) => {
                    themis::kdf::kdf32(&master, themis::kdf::CELL_LABEL, &[&ctx.bytes()?])
                }
                _ => themis::kdf::cell_key(&master, n),
            };
            Value::Cell(themis::cell::seal_with_key(
                &key,
                &a.get(1)?.array()?,
                &plaintext,
            ))
        }
        "ec_encrypted" | "rsa_encrypted" => {
            let (wrapped, cell) = match name {
                "ec_encrypted" => (None, a.get(0)?),
                _ => (Some(a.get(0)?.bytes()?), a.get(1)?),
            };
            let Value::Cell(cell) = cell.clone() else {
                return Err(format!("{name} takes a cell from seal()"));
            };
            let message_type = if wrapped.is_some() {
                themis::RSA_ENCRYPTED
            } else {
                themis::EC_ENCRYPTED
            };
            Value::Bytes(
                EncryptedMessage {
                    message_type,
                    wrapped_key: wrapped,
                    cell,
                }
                .to_bytes(),
            )
        }
        "oaep" | "pkcs1v15_encrypt" => {
            let key = themis::rsa_public_key(&a.get(0)?.bytes()?).map_err(|e| e.to_string())?;
            let secret = a.get(1)?.bytes()?;
            let rng = rng_of(a.opt("rng").ok_or("rng= is needed")?)?;
            let mut rng = rng.borrow_mut();
            let sha256 = a.opt("hash").map(Value::text).transpose()?.as_deref() == Some("sha256");
            let wrapped = match (name, sha256) {
                ("oaep", false) => key.encrypt(&mut *rng, rsa::Oaep::new::<sha1::Sha1>(), &secret),
                ("oaep", true) => key.encrypt(&mut *rng, rsa::Oaep::new::<Sha256>(), &secret),
                _ => key.encrypt(&mut *rng, rsa::Pkcs1v15Encrypt, &secret),
            };
            Value::Bytes(wrapped.map_err(|e| e.to_string())?)
        }
        // ---- Mixin parties, bodies and keys
        "party" => party(g),
        "parties" => Value::List((0..a.get(0)?.usize()?).map(|_| party(g)).collect()),
        "session" => Value::Session {
            seed: None,
            id: a.get(0)?.text()?,
            public: a.get(1)?.bytes()?,
        },
        "sessions" => {
            let key = a.get(1)?.bytes()?;
            let ids = a.get(0)?.list()?;
            Value::List(
                ids.iter()
                    .map(|id| {
                        Ok(Value::Session {
                            seed: None,
                            id: id.text()?,
                            public: key.clone(),
                        })
                    })
                    .collect::<Result<_, String>>()?,
            )
        }
        "mixin_random" => {
            let n = a.get(0)?.usize()?;
            let message_key = Value::Bytes(g.bytes(16));
            let nonce = Value::Bytes(g.bytes(12));
            let ivs = Value::List((0..n).map(|_| Value::Bytes(g.bytes(16))).collect());
            Value::Record(vec![
                ("message_key".into(), message_key),
                ("nonce".into(), nonce),
                ("ivs".into(), ivs),
            ])
        }
        "x_public" => Value::Bytes(x_public(&a.get(0)?.array()?).to_vec()),
        "ed25519_public" => Value::Bytes(mkeys::ed25519_public(&a.get(0)?.array()?).to_vec()),
        "mixin_seal" => seal_body(a.get(0)?, a.get(1)?, a.get(2)?, a.get(3)?)?,
        "body" => {
            let plaintext = a.get(1)?.clone();
            let sender = Value::Bytes(g.bytes(32));
            let parties = Value::List((0..a.get(0)?.usize()?).map(|_| party(g)).collect());
            let n = parties.list()?.len();
            let random = Value::Record(vec![
                ("message_key".into(), Value::Bytes(g.bytes(16))),
                ("nonce".into(), Value::Bytes(g.bytes(12))),
                (
                    "ivs".into(),
                    Value::List((0..n).map(|_| Value::Bytes(g.bytes(16))).collect()),
                ),
            ]);
            let body = seal_body(&sender, &parties, &plaintext, &random)?;
            Value::Record(vec![
                ("sender".into(), sender),
                ("parties".into(), parties),
                ("plaintext".into(), plaintext),
                ("random".into(), random),
                ("body".into(), body),
            ])
        }
        "open" => {
            let scene = a.get(0)?;
            let k = a.get(1)?.usize()?.to_string();
            let who = scene
                .part("parties")
                .and_then(|p| p.part(&k))
                .ok_or("open(scene, k): no such party")?;
            Value::Args(vec![
                (
                    "private_key".into(),
                    who.part("seed").ok_or("the party has no seed")?,
                ),
                ("session_id".into(), who.part("id").ok_or("no id")?),
                (
                    "body".into(),
                    scene.part("body").ok_or("the scene has no body")?,
                ),
            ])
        }
        "wrap" => {
            let scene = a.get(0)?;
            let k = a.get(1)?.usize()?;
            let sender: [u8; 32] = scene.part("sender").ok_or("no sender")?.array()?;
            let who = scene
                .part("parties")
                .and_then(|p| p.part(&k.to_string()))
                .ok_or("wrap(scene, k): no such party")?;
            let public: [u8; 32] = who.part("public").ok_or("no public key")?.array()?;
            let secret = mkeys::agree(&mkeys::private_to_x25519(&sender), &public, "recipient")
                .map_err(|e| e.to_string())?;
            let iv = randomness(&scene.part("random").ok_or("no randomness")?)?
                .ivs
                .get(k)
                .copied()
                .ok_or("no IV")?;
            Value::Bytes(
                mixin::envelope::wrap_key(&secret, &iv, &a.get(2)?.array()?, &a.get(3)?.array()?)
                    .to_vec(),
            )
        }
        "wrap_key" => Value::Bytes(
            mixin::envelope::wrap_key(
                &a.get(0)?.array()?,
                &a.get(1)?.array()?,
                &a.get(2)?.array()?,
                &a.get(3)?.array()?,
            )
            .to_vec(),
        ),
        "ed_add" => {
            use curve25519_dalek::edwards::CompressedEdwardsY;
            let point = |v: &Value| -> Result<_, String> {
                CompressedEdwardsY(v.array()?)
                    .decompress()
                    .ok_or_else(|| "not an edwards25519 point".to_string())
            };
            Value::Bytes(
                (point(a.get(0)?)? + point(a.get(1)?)?)
                    .compress()
                    .to_bytes()
                    .to_vec(),
            )
        }
        "off_curve" => loop {
            // 32 random bytes until they are not an edwards25519 point.
            let c: [u8; 32] = g.array();
            if !mkeys::is_edwards_point(&c) {
                break Value::Bytes(c.to_vec());
            }
        },
        other => return Err(format!("no builder {other}()")),
    })
}

fn key_pair(private: Vec<u8>, public: Vec<u8>) -> Value {
    Value::Record(vec![
        ("private".into(), Value::Bytes(private)),
        ("public".into(), Value::Bytes(public)),
    ])
}

/// A number as the u32 a message type is.
fn u32_of(n: &BigUint) -> Result<u32, String> {
    n.to_string().parse().map_err(|e| format!("{e}"))
}
