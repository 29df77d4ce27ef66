//! The peer's world as a file (docs/PEER.md, "Fixtures"): users and their sessions with
//! ed25519 session keys, and the peer's own Themis key pairs; drawn from a seed or read
//! from JSON, and checked before anything is served.

use crate::mixin::keys;
use crate::wire::{from_hex, to_base64_url, to_hex};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Everything the peer starts from, in the shape `--fixtures` reads and `--dump-fixtures`
/// prints. Derived fields (`ed25519_public_key`, `public_key`) may be left out of a file;
/// when present they must agree with the private key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// The seed these fixtures were drawn from, when they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Mixin users: the senders who authenticate and the recipients of messages.
    pub users: Vec<User>,
    /// The peer's Themis key pairs; drawn from the seed when a file leaves them out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub themis: Option<ThemisKeys>,
}

/// A Mixin user (a bot or a person) and the sessions it is signed in with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Lowercase hyphenated UUID.
    pub user_id: String,
    /// A label for people reading transcripts.
    #[serde(default)]
    pub name: String,
    /// Current sessions, in the order `/sessions/fetch` lists them.
    pub sessions: Vec<Session>,
}

/// One signed-in device or bot session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Lowercase hyphenated UUID.
    pub session_id: String,
    /// `Android`, `iOS`, `Desktop`, or empty for a bot.
    #[serde(default)]
    pub platform: String,
    /// The ed25519 seed, 32 bytes in hex: the field name both Go SDKs' keystores use.
    pub session_private_key: String,
    /// The ed25519 public key in hex; it verifies the session's JWTs.
    #[serde(default)]
    pub ed25519_public_key: String,
    /// The X25519 form of the key, unpadded URL-safe base64, as `/sessions/fetch` gives it.
    #[serde(default)]
    pub public_key: String,
}

/// The peer's own Themis key pairs, as hex key containers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemisKeys {
    /// A P-256 pair (`REC2`/`UEC2`).
    pub ec: KeyPair,
    /// An RSA pair (`RRAx`/`URAx`).
    pub rsa: KeyPair,
}

/// A private and a public key container, hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPair {
    /// The private key container.
    pub private_key: String,
    /// The matching public key container.
    pub public_key: String,
}

/// A fixture that cannot be served, with the JSON path of the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureError {
    /// Where: `users[1].sessions[0].session_private_key`.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

impl std::error::Error for FixtureError {}

fn err(path: impl Into<String>, reason: impl Into<String>) -> FixtureError {
    FixtureError {
        path: path.into(),
        reason: reason.into(),
    }
}

/// A session's keys, decoded once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionKeys {
    /// Session id.
    pub session_id: String,
    /// Platform label.
    pub platform: String,
    /// The ed25519 seed (the session's private key).
    pub seed: [u8; 32],
    /// The ed25519 public key.
    pub ed25519_public: [u8; 32],
    /// The X25519 public key that encryption targets.
    pub x25519_public: [u8; 32],
}

impl SessionKeys {
    /// Keys for a seed: the ed25519 public key and its X25519 (Montgomery) form.
    pub fn from_seed(session_id: String, platform: String, seed: [u8; 32]) -> Self {
        let ed25519_public = keys::ed25519_public(&seed);
        SessionKeys {
            session_id,
            platform,
            seed,
            ed25519_public,
            x25519_public: keys::x25519_base(&keys::private_to_x25519(&seed)),
        }
    }

    /// The session as a fixture, with every derived field filled in.
    pub fn to_fixture(&self) -> Session {
        Session {
            session_id: self.session_id.clone(),
            platform: self.platform.clone(),
            session_private_key: to_hex(&self.seed),
            ed25519_public_key: to_hex(&self.ed25519_public),
            public_key: to_base64_url(&self.x25519_public),
        }
    }
}

/// Whether `s` is a UUID written as Mixin writes them: 36 characters, lowercase, hyphenated.
pub fn is_canonical_uuid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok_and(|u| u.hyphenated().to_string() == s)
}

/// A random (version 4) UUID from `rng`.
pub fn random_uuid(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// A random 32-byte ed25519 seed from `rng`.
pub fn random_seed(rng: &mut impl RngCore) -> [u8; 32] {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    seed
}

/// The users the seeded world holds: a bot that sends, and two people who receive, one of
/// them on two devices so that a message needs more than one session block.
const SEEDED_USERS: &[(&str, &[&str])] = &[
    ("bot", &[""]),
    ("alice", &["Android", "Desktop"]),
    ("bob", &["iOS"]),
];

impl Fixtures {
    /// The fixtures drawn from `seed`: the same seed always gives the same users, session
    /// ids and keys, and the same Themis key pairs (P-256 and RSA-2048, as Themis makes them).
    pub fn from_seed(seed: u64) -> Fixtures {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let users = SEEDED_USERS
            .iter()
            .map(|(name, platforms)| User {
                user_id: random_uuid(&mut rng),
                name: (*name).to_owned(),
                sessions: platforms
                    .iter()
                    .map(|p| {
                        let id = random_uuid(&mut rng);
                        SessionKeys::from_seed(id, (*p).to_owned(), random_seed(&mut rng))
                            .to_fixture()
                    })
                    .collect(),
            })
            .collect();
        Fixtures {
            seed: Some(seed),
            users,
            themis: Some(themis_keys_from_seed(seed)),
        }
    }

    /// Reads fixtures from JSON and checks them; Themis keys left out are drawn from `seed`.
    pub fn from_json(text: &str, seed: u64) -> Result<Fixtures, FixtureError> {
        let mut f: Fixtures =
            serde_json::from_str(text).map_err(|e| err("(file)", e.to_string()))?;
        if f.themis.is_none() {
            f.themis = Some(themis_keys_from_seed(seed));
        }
        f.checked()
    }

    /// Checks every field and fills in the derived ones: ids are unique canonical UUIDs, seeds
    /// are 32 bytes, derived keys (when given) agree, and the Themis pairs are valid and match.
    pub fn checked(mut self) -> Result<Fixtures, FixtureError> {
        let mut seen = std::collections::HashSet::new();
        for (u, user) in self.users.iter_mut().enumerate() {
            let at = format!("users[{u}]");
            if !is_canonical_uuid(&user.user_id) {
                return Err(err(
                    format!("{at}.user_id"),
                    format!("{:?} is not a lowercase hyphenated UUID", user.user_id),
                ));
            }
            if !seen.insert(user.user_id.clone()) {
                return Err(err(format!("{at}.user_id"), "appears twice"));
            }
            for (s, session) in user.sessions.iter_mut().enumerate() {
                let at = format!("{at}.sessions[{s}]");
                *session = check_session(session, &at)?;
                if !seen.insert(session.session_id.clone()) {
                    return Err(err(format!("{at}.session_id"), "appears twice"));
                }
            }
        }
        let themis = self
            .themis
            .as_ref()
            .ok_or_else(|| err("themis", "missing"))?;
        check_pair(&themis.ec, "themis.ec", true)?;
        check_pair(&themis.rsa, "themis.rsa", false)?;
        Ok(self)
    }
}

fn check_session(session: &Session, at: &str) -> Result<Session, FixtureError> {
    if !is_canonical_uuid(&session.session_id) {
        return Err(err(
            format!("{at}.session_id"),
            format!(
                "{:?} is not a lowercase hyphenated UUID",
                session.session_id
            ),
        ));
    }
    let seed: [u8; 32] = from_hex(&session.session_private_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            err(
                format!("{at}.session_private_key"),
                "must be a 32-byte ed25519 seed in hex",
            )
        })?;
    let keys = SessionKeys::from_seed(session.session_id.clone(), session.platform.clone(), seed);
    let full = keys.to_fixture();
    if !session.ed25519_public_key.is_empty()
        && !session
            .ed25519_public_key
            .eq_ignore_ascii_case(&full.ed25519_public_key)
    {
        return Err(err(
            format!("{at}.ed25519_public_key"),
            format!(
                "does not belong to the private key, whose public key is {}",
                full.ed25519_public_key
            ),
        ));
    }
    if !session.public_key.is_empty() && session.public_key != full.public_key {
        return Err(err(
            format!("{at}.public_key"),
            format!(
                "is not the X25519 form of the private key, which is {}",
                full.public_key
            ),
        ));
    }
    Ok(full)
}

fn check_pair(pair: &KeyPair, at: &str, ec: bool) -> Result<(), FixtureError> {
    use crate::themis::{key_check, public_key_for, KeyKind};
    let (want_private, want_public) = if ec {
        (KeyKind::EcPrivate, KeyKind::EcPublic)
    } else {
        (KeyKind::RsaPrivate, KeyKind::RsaPublic)
    };
    let private = from_hex(&pair.private_key).map_err(|e| err(format!("{at}.private_key"), e))?;
    let public = from_hex(&pair.public_key).map_err(|e| err(format!("{at}.public_key"), e))?;
    match key_check(&private) {
        Ok(k) if k == want_private => {}
        Ok(k) => return Err(err(format!("{at}.private_key"), format!("is an {k} key"))),
        Err(e) => return Err(err(format!("{at}.private_key"), e.to_string())),
    }
    match key_check(&public) {
        Ok(k) if k == want_public => {}
        Ok(k) => return Err(err(format!("{at}.public_key"), format!("is an {k} key"))),
        Err(e) => return Err(err(format!("{at}.public_key"), e.to_string())),
    }
    // Compare keys, not encodings: a public point may be stored compressed or not.
    let derived =
        public_key_for(&private).map_err(|e| err(format!("{at}.private_key"), e.to_string()))?;
    if derived != public && !(ec && same_ec_point(&derived, &public)) {
        return Err(err(
            format!("{at}.public_key"),
            "does not belong to the private key",
        ));
    }
    Ok(())
}

/// Whether two P-256 public key containers hold the same point, in whatever SEC1 form.
fn same_ec_point(a: &[u8], b: &[u8]) -> bool {
    use p256::elliptic_curve::sec1::ToEncodedPoint;
    let point = |k: &[u8]| {
        k.get(12..)
            .and_then(|sec1| p256::PublicKey::from_sec1_bytes(sec1).ok())
            .map(|p| p.to_encoded_point(true))
    };
    matches!((point(a), point(b)), (Some(x), Some(y)) if x == y)
}

/// The peer's Themis pairs for a seed. RSA-2048 because that is the size Themis generates.
fn themis_keys_from_seed(seed: u64) -> ThemisKeys {
    // A stream of its own, so adding users to the seeded world never changes these keys.
    let mut rng = ChaCha20Rng::seed_from_u64(seed ^ 0x7e15_0000_0000_0000);
    let (ec_private, ec_public) = crate::themis::generate_ec_keypair(&mut rng);
    let (rsa_private, rsa_public) =
        crate::themis::generate_rsa_keypair(2048, &mut rng).unwrap_or_default();
    ThemisKeys {
        ec: KeyPair {
            private_key: to_hex(&ec_private),
            public_key: to_hex(&ec_public),
        },
        rsa: KeyPair {
            private_key: to_hex(&rsa_private),
            public_key: to_hex(&rsa_public),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_fixtures_are_reproducible_and_valid() {
        let a = Fixtures::from_seed(7);
        assert_eq!(a, Fixtures::from_seed(7));
        assert_ne!(a.users, Fixtures::from_seed(8).users);
        assert_eq!(a.users.len(), 3);
        assert_eq!(a.users[1].sessions.len(), 2);
        // What was dumped reads back as the same fixtures.
        let text = serde_json::to_string_pretty(&a).unwrap();
        assert_eq!(Fixtures::from_json(&text, 0).unwrap(), a);
        assert_eq!(a.clone().checked().unwrap(), a);
    }

    #[test]
    fn derived_keys_follow_the_upstream_conversion() {
        // The android-app / mixin_bot_sdk_dart conversion vector (see mixin::keys).
        let seed =
            from_hex("7e3349801e05ecf41b7f1a9631fab3fc6b245e76e74fe6af4ad9a33da2d6eb9c").unwrap();
        let k = SessionKeys::from_seed("s".into(), String::new(), seed.try_into().unwrap());
        assert_eq!(
            to_hex(&k.ed25519_public),
            "93c113c960c8d8f81336319696a7294b57f21cc799d906e054a9d250baca80c9"
        );
        assert_eq!(
            to_hex(&k.x25519_public),
            "9f80a9608a1df2d1f8fa019485c26bed9a122832333a51d5c898087e078c062f"
        );
    }

    #[test]
    fn a_minimal_file_is_filled_in() {
        let text = r#"{"users":[{"user_id":"6b1e3f0a-52f4-4c7b-9a0e-1d2c3b4a5f60",
            "sessions":[{"session_id":"0355e4c0-ba3a-4ba6-82c0-6311e332f57a",
            "session_private_key":"7e3349801e05ecf41b7f1a9631fab3fc6b245e76e74fe6af4ad9a33da2d6eb9c"}]}]}"#;
        let f = Fixtures::from_json(text, 3).unwrap();
        let s = &f.users[0].sessions[0];
        assert_eq!(
            s.public_key,
            to_base64_url(
                &from_hex("9f80a9608a1df2d1f8fa019485c26bed9a122832333a51d5c898087e078c062f")
                    .unwrap()
            )
        );
        assert_eq!(f.themis, Fixtures::from_seed(3).themis);
    }

    #[test]
    fn bad_files_name_the_field() {
        let base = Fixtures::from_seed(1);
        type Edit = Box<dyn Fn(&mut Fixtures)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|f| f.users[0].user_id = "NOT-A-UUID".into()),
                "users[0].user_id",
            ),
            (
                Box::new(|f| f.users[1].user_id = f.users[0].user_id.clone()),
                "users[1].user_id",
            ),
            (
                Box::new(|f| {
                    f.users[1].sessions[1].session_id =
                        f.users[1].sessions[0].session_id.to_uppercase()
                }),
                "users[1].sessions[1].session_id",
            ),
            (
                Box::new(|f| f.users[2].sessions[0].session_private_key = "00".into()),
                "users[2].sessions[0].session_private_key",
            ),
            (
                Box::new(|f| {
                    f.users[2].sessions[0].public_key = f.users[1].sessions[0].public_key.clone()
                }),
                "users[2].sessions[0].public_key",
            ),
            (
                Box::new(|f| {
                    let t = f.themis.as_mut().unwrap();
                    t.ec.public_key = Fixtures::from_seed(2).themis.unwrap().ec.public_key;
                }),
                "themis.ec.public_key",
            ),
            (
                Box::new(|f| {
                    let t = f.themis.as_mut().unwrap();
                    std::mem::swap(&mut t.ec.private_key, &mut t.rsa.private_key);
                }),
                "themis.ec.private_key",
            ),
        ];
        for (edit, path) in cases {
            let mut f = base.clone();
            edit(&mut f);
            let e = f.checked().unwrap_err();
            assert_eq!(e.path, path, "{e}");
        }
        let e = Fixtures::from_json(r#"{"users":[],"extra":1}"#, 0).unwrap_err();
        assert!(e.reason.contains("unknown field"), "{e}");
    }

    #[test]
    fn canonical_uuids() {
        assert!(is_canonical_uuid("0355e4c0-ba3a-4ba6-82c0-6311e332f57a"));
        assert!(!is_canonical_uuid("0355E4C0-BA3A-4BA6-82C0-6311E332F57A"));
        assert!(!is_canonical_uuid("0355e4c0ba3a4ba682c06311e332f57a"));
        assert!(!is_canonical_uuid("{0355e4c0-ba3a-4ba6-82c0-6311e332f57a}"));
        assert!(!is_canonical_uuid(""));
    }
}
