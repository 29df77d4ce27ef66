//! Request authentication as the Mixin API does it (docs/PEER.md, "Authentication"): a JWT
//! signed with EdDSA by the caller's ed25519 session key, whose `sig` claim is the hex
//! SHA-256 of method, URI and body, and whose `uid`/`sid` name a current session.

use super::world::World;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// How far a token's `iat` may lie in the future (clock skew between client and peer).
pub const CLOCK_SKEW_SECONDS: i64 = 60;
/// Longest token accepted; real ones are a few hundred bytes.
const MAX_TOKEN_LEN: usize = 8192;

/// Who signed a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    /// `uid`.
    pub user_id: String,
    /// `sid`.
    pub session_id: String,
    /// `jti`, the SDK's request id (fox-one) or a fresh UUID (bot-api-go-client).
    pub jti: String,
    /// `scp`.
    pub scope: String,
    /// The session's X25519 key: the sender key its encrypted bodies must carry.
    #[serde(skip)]
    pub x25519_public: [u8; 32],
}

/// The claims Mixin tokens carry; every SDK writes these names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    #[serde(default)]
    pub uid: String,
    /// Session id.
    #[serde(default)]
    pub sid: String,
    /// Issued at, Unix seconds.
    #[serde(default)]
    pub iat: Option<i64>,
    /// Expires at, Unix seconds.
    #[serde(default)]
    pub exp: Option<i64>,
    /// Token id.
    #[serde(default)]
    pub jti: String,
    /// Hex SHA-256 of method + URI + body.
    #[serde(default)]
    pub sig: String,
    /// Scope, `FULL` for a bot's own session.
    #[serde(default)]
    pub scp: String,
}

/// Why a request was not authenticated; the sentence goes into the 401 body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header.
    Missing,
    /// The header is not `Bearer <token>`.
    NotBearer,
    /// The token is not three base64url parts of JSON, or is oversized.
    Malformed(String),
    /// The header's `alg` is not `EdDSA`.
    Algorithm(String),
    /// A claim every Mixin token carries is absent.
    MissingClaim(&'static str),
    /// `sid` is not a current session (perhaps one rotated out).
    UnknownSession {
        /// The `sid`.
        sid: String,
        /// Whose session it was, if it was one that has been signed out.
        former_owner: Option<String>,
    },
    /// `uid` is not the user the session belongs to.
    WrongUser {
        /// The `uid`.
        uid: String,
        /// The session's owner.
        owner: String,
    },
    /// The signature does not verify under the session's ed25519 key.
    Signature,
    /// `exp` is past.
    Expired {
        /// `exp`.
        exp: i64,
        /// The peer's clock.
        now: i64,
    },
    /// `iat` is further in the future than the clock skew allows.
    IssuedInFuture {
        /// `iat`.
        iat: i64,
        /// The peer's clock.
        now: i64,
    },
    /// `sig` is not the hash of this request.
    RequestHash {
        /// What the token says.
        got: String,
        /// What this request hashes to.
        expected: String,
        /// What was hashed, in words.
        hashed: String,
    },
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Missing => f.write_str("no Authorization header: send `Authorization: Bearer <JWT>`"),
            AuthError::NotBearer => f.write_str("the Authorization header is not `Bearer <JWT>`"),
            AuthError::Malformed(why) => write!(f, "the token is not a JWT: {why}"),
            AuthError::Algorithm(alg) => write!(
                f,
                "the token's alg is {alg:?}; sessions here have ed25519 keys, so it must be \"EdDSA\""
            ),
            AuthError::MissingClaim(c) => write!(f, "the token has no {c:?} claim"),
            AuthError::UnknownSession { sid, former_owner: Some(owner) } => write!(
                f,
                "session {sid} of user {owner} has been signed out (rotated or removed)"
            ),
            AuthError::UnknownSession { sid, former_owner: None } => {
                write!(f, "sid {sid:?} is not a session of any user")
            }
            AuthError::WrongUser { uid, owner } => {
                write!(f, "uid {uid:?} does not own the session, user {owner} does")
            }
            AuthError::Signature => {
                f.write_str("the token's EdDSA signature does not verify under the session's key")
            }
            AuthError::Expired { exp, now } => {
                write!(f, "the token expired at {exp}, {}s ago", now - exp)
            }
            AuthError::IssuedInFuture { iat, now } => write!(
                f,
                "the token was issued at {iat}, {}s in the future",
                iat - now
            ),
            AuthError::RequestHash { got, expected, hashed } => write!(
                f,
                "sig {got:?} is not the SHA-256 of {hashed}, which is {expected}"
            ),
        }
    }
}

/// The `sig` claim for a request: hex SHA-256 of method, URI (path and query) and body.
pub fn request_hash(method: &str, uri: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(uri.as_bytes());
    h.update(body);
    hex::encode(h.finalize())
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    alg: String,
}

fn part(text: &str, what: &str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| AuthError::Malformed(format!("the {what} is not unpadded base64url ({e})")))
}

/// A token taken apart, not yet checked against any session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `header.payload`, what the signature covers.
    signing_input: String,
    /// The 64-byte signature.
    signature: Vec<u8>,
    /// The claims.
    pub claims: Claims,
}

/// The keys of the session a token names, copied out of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The session's ed25519 key, which verifies the token.
    pub ed25519_public: [u8; 32],
    /// Its X25519 form.
    pub x25519_public: [u8; 32],
}

/// Reads the `Authorization` header: the framing, `alg`, and the claims every token has.
pub fn parse(authorization: Option<&str>) -> Result<Token, AuthError> {
    let header = authorization.ok_or(AuthError::Missing)?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or(AuthError::NotBearer)?
        .trim();
    if token.len() > MAX_TOKEN_LEN {
        return Err(AuthError::Malformed(format!(
            "{} bytes is too long",
            token.len()
        )));
    }
    let mut parts = token.split('.');
    let (Some(h64), Some(c64), Some(s64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed(
            "it does not have three dot-separated parts".into(),
        ));
    };
    let header: Header = serde_json::from_slice(&part(h64, "header")?)
        .map_err(|e| AuthError::Malformed(format!("the header is not JSON ({e})")))?;
    if header.alg != "EdDSA" {
        return Err(AuthError::Algorithm(header.alg));
    }
    let claims: Claims = serde_json::from_slice(&part(c64, "payload")?)
        .map_err(|e| AuthError::Malformed(format!("the payload is not the claims JSON ({e})")))?;
    let signature = part(s64, "signature")?;
    for (name, empty) in [
        ("uid", claims.uid.is_empty()),
        ("sid", claims.sid.is_empty()),
        ("sig", claims.sig.is_empty()),
        ("exp", claims.exp.is_none()),
        ("iat", claims.iat.is_none()),
    ] {
        if empty {
            return Err(AuthError::MissingClaim(name));
        }
    }
    Ok(Token {
        signing_input: format!("{h64}.{c64}"),
        signature,
        claims,
    })
}

/// Finds the token's session: it must be current, and belong to `uid`. Quick, so it can
/// run under the world's lock while the signature is checked outside it.
pub fn lookup(token: &Token, world: &World) -> Result<SessionView, AuthError> {
    let c = &token.claims;
    let (owner, session) = world
        .session(&c.sid)
        .ok_or_else(|| AuthError::UnknownSession {
            sid: c.sid.clone(),
            former_owner: world.former_owner(&c.sid).map(|u| u.user_id.clone()),
        })?;
    if owner.user_id != c.uid {
        return Err(AuthError::WrongUser {
            uid: c.uid.clone(),
            owner: owner.user_id.clone(),
        });
    }
    Ok(SessionView {
        ed25519_public: session.ed25519_public,
        x25519_public: session.x25519_public,
    })
}

/// Checks the EdDSA signature, the lifetime at `now`, and last the request hash.
pub fn finish(
    token: Token,
    session: &SessionView,
    method: &str,
    uri: &str,
    body: &[u8],
    now: i64,
) -> Result<Caller, AuthError> {
    let key =
        VerifyingKey::from_bytes(&session.ed25519_public).map_err(|_| AuthError::Signature)?;
    let signature = Signature::from_slice(&token.signature).map_err(|_| AuthError::Signature)?;
    key.verify_strict(token.signing_input.as_bytes(), &signature)
        .map_err(|_| AuthError::Signature)?;
    let claims = token.claims;
    let exp = claims.exp.unwrap_or_default();
    if exp <= now {
        return Err(AuthError::Expired { exp, now });
    }
    let iat = claims.iat.unwrap_or_default();
    if iat > now + CLOCK_SKEW_SECONDS {
        return Err(AuthError::IssuedInFuture { iat, now });
    }
    let expected = request_hash(method, uri, body);
    if !claims.sig.eq_ignore_ascii_case(&expected) {
        return Err(AuthError::RequestHash {
            got: claims.sig,
            expected,
            hashed: format!("{method} + {uri} + the {}-byte body", body.len()),
        });
    }
    Ok(Caller {
        user_id: claims.uid,
        session_id: claims.sid,
        jti: claims.jti,
        scope: claims.scp,
        x25519_public: session.x25519_public,
    })
}

/// Checks the `Authorization` header of a request against the world at time `now`.
///
/// In order: the header and token framing, `alg`, the claims present, the session and its
/// owner, the EdDSA signature, the lifetime, and last the request hash, so that the
/// sentence names the first thing wrong.
pub fn verify(
    authorization: Option<&str>,
    method: &str,
    uri: &str,
    body: &[u8],
    world: &World,
    now: i64,
) -> Result<Caller, AuthError> {
    let token = parse(authorization)?;
    let session = lookup(&token, world)?;
    finish(token, &session, method, uri, body, now)
}

/// A token as the SDKs make one, for clients written against the peer (tests, the load
/// generator): the EdDSA signature of the session's seed over header and claims.
pub fn sign_token(seed: &[u8; 32], claims: &Claims) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"EdDSA","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let input = format!("{header}.{payload}");
    let signature = SigningKey::from_bytes(seed).sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

/// The claims for one request by a session, issued at `now`, valid for a minute (as fox-one
/// makes them); `jti` is drawn from the request hash, so it differs between requests.
pub fn claims_for(
    user_id: &str,
    session_id: &str,
    method: &str,
    uri: &str,
    body: &[u8],
    now: i64,
) -> Claims {
    let sig = request_hash(method, uri, body);
    let mut id = [0u8; 16];
    hex::decode_to_slice(sig.get(..32).unwrap_or_default(), &mut id).unwrap_or_default();
    Claims {
        uid: user_id.to_owned(),
        sid: session_id.to_owned(),
        iat: Some(now),
        exp: Some(now + 60),
        jti: uuid::Builder::from_random_bytes(id).into_uuid().to_string(),
        sig,
        scp: "FULL".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{Fixtures, Session, User};
    use super::*;

    /// The fixtures of the token below: one user, one session.
    fn fox_world() -> World {
        let f = Fixtures {
            seed: None,
            users: vec![User {
                user_id: "6b1e3f0a-52f4-4c7b-9a0e-1d2c3b4a5f60".into(),
                name: "bot".into(),
                sessions: vec![Session {
                    session_id: "0355e4c0-ba3a-4ba6-82c0-6311e332f57a".into(),
                    platform: String::new(),
                    session_private_key:
                        "7e3349801e05ecf41b7f1a9631fab3fc6b245e76e74fe6af4ad9a33da2d6eb9c".into(),
                    ed25519_public_key: String::new(),
                    public_key: String::new(),
                }],
            }],
            themis: Fixtures::from_seed(0).themis,
        };
        World::new(&f.checked().unwrap(), 0)
    }

    /// Made by fox-one/mixin-sdk-go v2.1.3 itself: `KeystoreAuth.SignTokenAt` (golang-jwt v5)
    /// with the session above, request id `c4a1e3b2-…`, at 1700000000 for one minute, for
    /// `POST /encrypted_messages` with body `[]` (adapters/go-peer, `TestKnownToken`).
    const FOX_TOKEN: &str = include_str!("testdata/fox-one-token.txt");

    #[test]
    fn a_token_made_by_fox_one_verifies() {
        let w = fox_world();
        let auth = format!("Bearer {}", FOX_TOKEN.trim());
        let caller = verify(
            Some(&auth),
            "POST",
            "/encrypted_messages",
            b"[]",
            &w,
            1_700_000_030,
        )
        .unwrap();
        assert_eq!(caller.user_id, "6b1e3f0a-52f4-4c7b-9a0e-1d2c3b4a5f60");
        assert_eq!(caller.scope, "FULL");
        // The same token for another body, path or method is refused by its sig claim.
        for (m, u, b) in [
            ("POST", "/encrypted_messages", &b"[ ]"[..]),
            ("POST", "/sessions/fetch", b"[]"),
            ("GET", "/encrypted_messages", b"[]"),
        ] {
            assert!(matches!(
                verify(Some(&auth), m, u, b, &w, 1_700_000_030),
                Err(AuthError::RequestHash { .. })
            ));
        }
        assert_eq!(
            verify(
                Some(&auth),
                "POST",
                "/encrypted_messages",
                b"[]",
                &w,
                1_700_000_060
            ),
            Err(AuthError::Expired {
                exp: 1_700_000_060,
                now: 1_700_000_060
            })
        );
    }

    #[test]
    fn request_hash_is_sha256_of_the_concatenation() {
        // printf 'POST/sessions/fetch[]' | sha256sum
        assert_eq!(
            request_hash("POST", "/sessions/fetch", b"[]"),
            "888ba9c550b005f79269e7bfedee19044065da813f9e2ee9b063f1e689a0cd2d"
        );
    }

    #[test]
    fn each_defect_is_named() {
        let mut w = fox_world();
        let (uid, sid) = {
            let u = &w.users()[0];
            (u.user_id.clone(), u.sessions[0].session_id.clone())
        };
        let seed: [u8; 32] = w.users()[0].sessions[0].seed;
        let now = 1_800_000_000;
        let good = claims_for(&uid, &sid, "POST", "/x", b"{}", now);
        let check = |w: &World, token: &str| {
            verify(
                Some(&format!("Bearer {token}")),
                "POST",
                "/x",
                b"{}",
                w,
                now,
            )
        };
        assert!(check(&w, &sign_token(&seed, &good)).is_ok());
        assert_eq!(
            verify(None, "POST", "/x", b"{}", &w, now),
            Err(AuthError::Missing)
        );
        assert_eq!(
            verify(Some("Basic abc"), "POST", "/x", b"{}", &w, now),
            Err(AuthError::NotBearer)
        );
        assert!(matches!(check(&w, "a.b"), Err(AuthError::Malformed(_))));
        assert!(matches!(check(&w, "!!.b.c"), Err(AuthError::Malformed(_))));
        // An RS512 header (an RSA keystore) is refused by name.
        let rs = format!(
            "{}.{}.AA",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS512"}"#),
            URL_SAFE_NO_PAD.encode(b"{}")
        );
        assert_eq!(check(&w, &rs), Err(AuthError::Algorithm("RS512".into())));
        let with = |edit: &dyn Fn(&mut Claims)| {
            let mut c = good.clone();
            edit(&mut c);
            sign_token(&seed, &c)
        };
        assert_eq!(
            check(&w, &with(&|c| c.sig.clear())),
            Err(AuthError::MissingClaim("sig"))
        );
        assert_eq!(
            check(&w, &with(&|c| c.exp = None)),
            Err(AuthError::MissingClaim("exp"))
        );
        assert_eq!(
            check(&w, &with(&|c| c.uid = "someone".into())),
            Err(AuthError::WrongUser {
                uid: "someone".into(),
                owner: uid.clone()
            })
        );
        assert!(matches!(
            check(&w, &with(&|c| c.exp = Some(now - 1))),
            Err(AuthError::Expired { .. })
        ));
        assert!(matches!(
            check(&w, &with(&|c| c.iat = Some(now + 3600))),
            Err(AuthError::IssuedInFuture { .. })
        ));
        assert!(matches!(
            check(&w, &with(&|c| c.sig = request_hash("POST", "/x", b"{ }"))),
            Err(AuthError::RequestHash { .. })
        ));
        // Signed by another key.
        assert_eq!(
            check(&w, &sign_token(&[9; 32], &good)),
            Err(AuthError::Signature)
        );
        // A flipped payload byte breaks the signature.
        let token = sign_token(&seed, &good);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut claims = good.clone();
        claims.scp = "PROFILE:READ".into();
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        assert_eq!(check(&w, &parts.join(".")), Err(AuthError::Signature));
        // After a rotation the old session's tokens are refused, naming the owner.
        w.rotate(&uid, None).unwrap();
        assert_eq!(
            check(&w, &sign_token(&seed, &good)),
            Err(AuthError::UnknownSession {
                sid: sid.clone(),
                former_owner: Some(uid.clone())
            })
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// No Authorization header value makes the token reader panic.
        #[test]
        fn any_header_is_parsed_or_refused(header in "(Bearer |bearer |Basic )?[A-Za-z0-9_\\-.=+/ ]{0,200}") {
            let _ = parse(Some(&header));
        }

        /// Three base64url parts of arbitrary bytes: refused with a reason, never accepted.
        #[test]
        fn arbitrary_parts_are_refused(a in any::<Vec<u8>>(), b in any::<Vec<u8>>(), c in any::<Vec<u8>>()) {
            let token = format!("Bearer {}.{}.{}", URL_SAFE_NO_PAD.encode(a), URL_SAFE_NO_PAD.encode(b), URL_SAFE_NO_PAD.encode(c));
            prop_assert!(parse(Some(&token)).is_err());
        }
    }
}
