//! Generated Themis vectors (docs/VECTORS.md, "Themis catalogue").

use super::{FileSpec, Gen, Generated};
use serde_json::json;
use std::collections::BTreeMap;

/// The generated Themis files.
pub fn files() -> Vec<FileSpec> {
    vec![FileSpec {
        path: "vectors/themis/key.check.json",
        op: "themis.key.check",
        default_seed: 2,
        build: key_check,
    }]
}

fn key_check(g: &mut Gen) -> Result<Generated, String> {
    let op = "themis.key.check";
    let (private, public) = crate::themis::generate_ec_keypair(g.rng());
    let tests = vec![
        g.valid(
            op,
            format!("{op}/valid/ec-private-generated"),
            "A P-256 private key as Themis generates it: 00 || d.",
            &[],
            json!({"key": hex::encode(&private)}),
        )?,
        g.valid(
            op,
            format!("{op}/valid/ec-public-generated"),
            "A compressed P-256 public key as Themis generates it.",
            &[],
            json!({"key": hex::encode(&public)}),
        )?,
    ];
    Ok(Generated {
        description: "Soter key containers: every kind, and every container defect.".into(),
        notes: BTreeMap::new(),
        tests,
    })
}

/// The public key container that belongs to a private one (hex in, hex out).
pub fn public_for(private_hex: &str) -> Result<String, String> {
    let private = hex::decode(private_hex).map_err(|e| e.to_string())?;
    crate::themis::public_key_for(&private)
        .map(hex::encode)
        .map_err(|e| e.to_string())
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
