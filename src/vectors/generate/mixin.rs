//! Generated Mixin vectors (docs/VECTORS.md, "Mixin catalogue").

use super::{note, FileSpec, Gen, Generated};
use serde_json::json;
use std::collections::BTreeMap;

/// The generated Mixin files.
pub fn files() -> Vec<FileSpec> {
    vec![FileSpec {
        path: "vectors/mixin/checksum.json",
        op: "mixin.checksum",
        default_seed: 1,
        build: checksum,
    }]
}

fn checksum(g: &mut Gen) -> Result<Generated, String> {
    let op = "mixin.checksum";
    let mut notes = BTreeMap::new();
    notes.insert(
        "EmptyList".into(),
        note(
            "EdgeCase",
            "The checksum of no sessions is the empty string, not md5 of the empty string.",
            &[
                ("bot-api-go-client", "\"\""),
                ("fox-one/mixin-sdk-go", "\"\""),
                ("PyPI mixinsdk (git)", "d41d8cd98f00b204e9800998ecf8427e"),
                ("Ruby mixin_bot", "d41d8cd98f00b204e9800998ecf8427e"),
            ],
            &["MixinNetwork/bot-api-go-client user.go GenerateUserChecksum"],
        ),
    );
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
    Ok(Generated {
        description: "Conversation checksums: md5 of the sorted, concatenated session ids.".into(),
        notes,
        tests,
    })
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
