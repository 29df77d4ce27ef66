//! The state the peer serves and tests change mid-run: who has which sessions now, which
//! sessions were signed out, and which messages were delivered (docs/PEER.md, "Admin").

use super::fixtures::{random_seed, random_uuid, Fixtures, SessionKeys};
use crate::wire::from_hex;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use std::collections::{HashSet, VecDeque};
use std::fmt;

/// How many delivered message ids are remembered (for the "already delivered" note).
const DELIVERED_MEMORY: usize = 65_536;

/// A user as the peer holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    /// The user id.
    pub user_id: String,
    /// The fixture's label.
    pub name: String,
    /// Current sessions.
    pub sessions: Vec<SessionKeys>,
    /// Ids of sessions removed or rotated out, oldest first.
    pub former: Vec<String>,
}

impl UserState {
    /// The current session ids, in the order the sessions are listed.
    pub fn session_ids(&self) -> Vec<String> {
        self.sessions.iter().map(|s| s.session_id.clone()).collect()
    }
}

/// What an admin change did, as the admin routes report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The user changed.
    pub user_id: String,
    /// The session that went away, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<String>,
    /// The session that was added, with its private key, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<super::fixtures::Session>,
    /// The user's sessions after the change.
    pub sessions: Vec<super::fixtures::Session>,
    /// The checksum a sender must now send.
    pub checksum: String,
}

/// Why an admin change could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldError {
    /// No such user.
    UnknownUser(String),
    /// The user has no such current session.
    UnknownSession {
        /// The user.
        user_id: String,
        /// The session asked for.
        session_id: String,
    },
    /// The user has no session to rotate.
    NoSessions(String),
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::UnknownUser(u) => write!(f, "no user {u:?}"),
            WorldError::UnknownSession {
                user_id,
                session_id,
            } => write!(f, "user {user_id} has no current session {session_id:?}"),
            WorldError::NoSessions(u) => write!(f, "user {u} has no session to rotate"),
        }
    }
}

/// Users, sessions and delivered messages, changed only through these methods.
#[derive(Debug, Clone)]
pub struct World {
    initial: Vec<UserState>,
    users: Vec<UserState>,
    rng: ChaCha20Rng,
    seed: u64,
    delivered: HashSet<String>,
    delivered_order: VecDeque<String>,
}

impl World {
    /// The world of checked fixtures; sessions added later draw their ids and keys from `seed`.
    pub fn new(fixtures: &Fixtures, seed: u64) -> World {
        let users: Vec<UserState> = fixtures
            .users
            .iter()
            .map(|u| UserState {
                user_id: u.user_id.clone(),
                name: u.name.clone(),
                sessions: u
                    .sessions
                    .iter()
                    .filter_map(|s| {
                        let seed = from_hex(&s.session_private_key).ok()?.try_into().ok()?;
                        Some(SessionKeys::from_seed(
                            s.session_id.clone(),
                            s.platform.clone(),
                            seed,
                        ))
                    })
                    .collect(),
                former: Vec::new(),
            })
            .collect();
        World {
            initial: users.clone(),
            users,
            rng: ChaCha20Rng::seed_from_u64(seed ^ 0x5e55_1000),
            seed,
            delivered: HashSet::new(),
            delivered_order: VecDeque::new(),
        }
    }

    /// Every user, in fixture order.
    pub fn users(&self) -> &[UserState] {
        &self.users
    }

    /// A user by id.
    pub fn user(&self, user_id: &str) -> Option<&UserState> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    /// A current session by id, with its user.
    pub fn session(&self, session_id: &str) -> Option<(&UserState, &SessionKeys)> {
        self.users.iter().find_map(|u| {
            u.sessions
                .iter()
                .find(|s| s.session_id == session_id)
                .map(|s| (u, s))
        })
    }

    /// The user a former (removed or rotated-out) session belonged to.
    pub fn former_owner(&self, session_id: &str) -> Option<&UserState> {
        self.users
            .iter()
            .find(|u| u.former.iter().any(|f| f == session_id))
    }

    fn user_mut(&mut self, user_id: &str) -> Result<&mut UserState, WorldError> {
        self.users
            .iter_mut()
            .find(|u| u.user_id == user_id)
            .ok_or_else(|| WorldError::UnknownUser(user_id.to_owned()))
    }

    fn new_session(&mut self, platform: String) -> SessionKeys {
        let id = random_uuid(&mut self.rng);
        SessionKeys::from_seed(id, platform, random_seed(&mut self.rng))
    }

    fn change(
        &self,
        user_id: &str,
        removed: Option<String>,
        added: Option<&SessionKeys>,
    ) -> Change {
        let user = self.user(user_id);
        let sessions: Vec<_> = user
            .map(|u| u.sessions.iter().map(SessionKeys::to_fixture).collect())
            .unwrap_or_default();
        let ids = user.map(UserState::session_ids).unwrap_or_default();
        Change {
            user_id: user_id.to_owned(),
            removed,
            added: added.map(SessionKeys::to_fixture),
            sessions,
            checksum: crate::mixin::checksum(&ids),
        }
    }

    /// Signs a session out and a new one in on the same platform, in its place: what a
    /// person signing in again does. Without `session_id`, the user's first session.
    pub fn rotate(
        &mut self,
        user_id: &str,
        session_id: Option<&str>,
    ) -> Result<Change, WorldError> {
        let user = self.user_mut(user_id)?;
        let index = match session_id {
            Some(sid) => user
                .sessions
                .iter()
                .position(|s| s.session_id == sid)
                .ok_or_else(|| WorldError::UnknownSession {
                    user_id: user_id.to_owned(),
                    session_id: sid.to_owned(),
                })?,
            None if user.sessions.is_empty() => {
                return Err(WorldError::NoSessions(user_id.to_owned()))
            }
            None => 0,
        };
        let platform = user
            .sessions
            .get(index)
            .map(|s| s.platform.clone())
            .unwrap_or_default();
        let fresh = self.new_session(platform);
        let user = self.user_mut(user_id)?;
        let old = std::mem::replace(&mut user.sessions[index], fresh.clone());
        user.former.push(old.session_id.clone());
        Ok(self.change(user_id, Some(old.session_id), Some(&fresh)))
    }

    /// Signs a new session in for the user.
    pub fn add(&mut self, user_id: &str, platform: &str) -> Result<Change, WorldError> {
        self.user_mut(user_id)?;
        let fresh = self.new_session(platform.to_owned());
        self.user_mut(user_id)?.sessions.push(fresh.clone());
        Ok(self.change(user_id, None, Some(&fresh)))
    }

    /// Signs one of the user's sessions out.
    pub fn remove(&mut self, user_id: &str, session_id: &str) -> Result<Change, WorldError> {
        let user = self.user_mut(user_id)?;
        let index = user
            .sessions
            .iter()
            .position(|s| s.session_id == session_id)
            .ok_or_else(|| WorldError::UnknownSession {
                user_id: user_id.to_owned(),
                session_id: session_id.to_owned(),
            })?;
        let old = user.sessions.remove(index);
        user.former.push(old.session_id.clone());
        Ok(self.change(user_id, Some(old.session_id), None))
    }

    /// Back to the fixtures the peer started with; the session generator starts over too.
    pub fn reset(&mut self) {
        self.users = self.initial.clone();
        self.rng = ChaCha20Rng::seed_from_u64(self.seed ^ 0x5e55_1000);
        self.delivered.clear();
        self.delivered_order.clear();
    }

    /// Records a delivered message id; false if it had been delivered before.
    pub fn deliver(&mut self, message_id: &str) -> bool {
        if self.delivered.contains(message_id) {
            return false;
        }
        if self.delivered_order.len() >= DELIVERED_MEMORY {
            if let Some(old) = self.delivered_order.pop_front() {
                self.delivered.remove(&old);
            }
        }
        self.delivered.insert(message_id.to_owned());
        self.delivered_order.push_back(message_id.to_owned());
        true
    }

    /// The current state as fixtures (private keys included), for `GET /_peer/fixtures`.
    pub fn to_fixtures(&self, themis: Option<super::fixtures::ThemisKeys>) -> Fixtures {
        Fixtures {
            seed: None,
            users: self
                .users
                .iter()
                .map(|u| super::fixtures::User {
                    user_id: u.user_id.clone(),
                    name: u.name.clone(),
                    sessions: u.sessions.iter().map(SessionKeys::to_fixture).collect(),
                })
                .collect(),
            themis,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> World {
        World::new(&Fixtures::from_seed(5), 5)
    }

    #[test]
    fn rotation_replaces_a_session_in_place() {
        let mut w = world();
        let alice = w.users()[1].clone();
        let change = w
            .rotate(&alice.user_id, Some(&alice.sessions[1].session_id))
            .unwrap();
        let now = w.user(&alice.user_id).unwrap();
        assert_eq!(now.sessions.len(), 2);
        assert_eq!(now.sessions[0], alice.sessions[0]);
        assert_ne!(now.sessions[1].session_id, alice.sessions[1].session_id);
        assert_eq!(now.sessions[1].platform, "Desktop");
        assert_eq!(
            change.removed.as_deref(),
            Some(alice.sessions[1].session_id.as_str())
        );
        assert_eq!(change.checksum, crate::mixin::checksum(&now.session_ids()));
        assert_ne!(
            change.checksum,
            crate::mixin::checksum(&alice.session_ids())
        );
        assert!(w.session(&alice.sessions[1].session_id).is_none());
        assert_eq!(
            w.former_owner(&alice.sessions[1].session_id)
                .map(|u| u.name.as_str()),
            Some("alice")
        );
        // The new key is a real key pair: its X25519 public key is the seed's.
        let added = change.added.unwrap();
        let (_, keys) = w.session(&added.session_id).unwrap();
        assert_eq!(
            keys.x25519_public,
            crate::mixin::keys::x25519_base(&crate::mixin::keys::private_to_x25519(&keys.seed))
        );
    }

    #[test]
    fn add_remove_reset() {
        let mut w = world();
        let bob = w.users()[2].user_id.clone();
        let first = w.user(&bob).unwrap().sessions[0].session_id.clone();
        let added = w.add(&bob, "Android").unwrap().added.unwrap();
        assert_eq!(w.user(&bob).unwrap().sessions.len(), 2);
        w.remove(&bob, &first).unwrap();
        assert_eq!(
            w.user(&bob).unwrap().session_ids(),
            std::slice::from_ref(&added.session_id)
        );
        assert_eq!(
            w.remove(&bob, &first),
            Err(WorldError::UnknownSession {
                user_id: bob.clone(),
                session_id: first.clone()
            })
        );
        assert!(matches!(
            w.add("nobody", ""),
            Err(WorldError::UnknownUser(_))
        ));
        w.reset();
        assert_eq!(w.user(&bob).unwrap().session_ids(), [first]);
        // After a reset the generator starts over: the same change gives the same session.
        assert_eq!(w.add(&bob, "Android").unwrap().added.unwrap(), added);
    }

    #[test]
    fn delivery_is_remembered() {
        let mut w = world();
        assert!(w.deliver("m1"));
        assert!(!w.deliver("m1"));
        assert!(w.deliver("m2"));
    }

    #[test]
    fn rotating_an_empty_user_is_an_error() {
        let mut w = world();
        let bob = w.users()[2].clone();
        w.remove(&bob.user_id, &bob.sessions[0].session_id).unwrap();
        assert_eq!(
            w.rotate(&bob.user_id, None),
            Err(WorldError::NoSessions(bob.user_id.clone()))
        );
    }
}
