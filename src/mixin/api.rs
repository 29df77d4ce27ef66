//! Serde types for `POST /encrypted_messages` (docs/mixin-encrypted-message.md, "HTTP shapes").
//!
//! They accept the documented shape and what real SDKs send besides (`recipient_sessions`,
//! full session objects, an empty `data`), and ignore fields they do not know.

use crate::wire::from_base64_any;
use serde::{Deserialize, Serialize};

/// One item of the request array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedMessageRequest {
    /// Conversation the message belongs to.
    pub conversation_id: String,
    /// The user it is addressed to.
    pub recipient_id: String,
    /// Client-chosen message id.
    pub message_id: String,
    /// `ENCRYPTED_TEXT`, `ENCRYPTED_IMAGE`, ...
    pub category: String,
    /// Sender on whose behalf a bot speaks, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative_id: Option<String>,
    /// Message being quoted, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_message_id: Option<String>,
    /// Conversation checksum over the recipient sessions (see [`super::checksum`]).
    #[serde(default)]
    pub checksum: String,
    /// Whether the recipient is notified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silent: Option<bool>,
    /// The encrypted body, base64 (either dialect).
    pub data_base64: String,
    /// The sessions the body was encrypted for; SDKs send it although the docs do not list it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipient_sessions: Vec<RecipientSession>,
    /// PyPI mixinsdk sends an empty `data` beside `data_base64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

impl EncryptedMessageRequest {
    /// The body bytes, decoding either base64 dialect.
    pub fn body(&self) -> Result<Vec<u8>, String> {
        from_base64_any(&self.data_base64)
    }
}

/// A session named in `recipient_sessions`; only `session_id` is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientSession {
    /// The session id.
    pub session_id: String,
    /// Some SDKs send the whole session object; these fields are then present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The session's X25519 key, unpadded URL-safe base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// `Android`, `iOS`, `Desktop`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// The response: one receipt per request item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedMessagesResponse {
    /// Receipts in request order.
    pub data: Vec<EncryptedMessageReceipt>,
}

/// Whether one message was delivered, and the recipient's current sessions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedMessageReceipt {
    /// Always `message`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The message id.
    pub message_id: String,
    /// The recipient.
    pub recipient_id: String,
    /// `SUCCESS`, or `FAILED` when the checksum or sessions were stale.
    pub state: String,
    /// The recipient's sessions; re-encrypt for these after a `FAILED`.
    #[serde(default)]
    pub sessions: Vec<SessionKey>,
}

/// A session and its X25519 public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionKey {
    /// Always `session`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The session id.
    pub session_id: String,
    /// Its X25519 public key, unpadded URL-safe base64.
    pub public_key: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_request_shape() {
        let json = r#"[{"conversation_id":"c","recipient_id":"r","message_id":"m",
            "category":"ENCRYPTED_TEXT","representative_id":"","quote_message_id":"",
            "checksum":"d41d","silent":false,"data_base64":"AQI"}]"#;
        let items: Vec<EncryptedMessageRequest> = serde_json::from_str(json).unwrap();
        assert_eq!(items[0].body().unwrap(), [1, 2]);
        assert!(items[0].recipient_sessions.is_empty());
    }

    #[test]
    fn sdk_request_shapes() {
        // fox-one: recipient_sessions with session ids only; PyPI mixinsdk: full session
        // objects and an empty data field, with standard padded base64.
        let json = r#"{"conversation_id":"c","recipient_id":"r","message_id":"m",
            "category":"ENCRYPTED_TEXT","checksum":"x","data_base64":"AQI=","data":"",
            "recipient_sessions":[{"session_id":"s1"},
              {"session_id":"s2","user_id":"u","public_key":"YYZd","platform":"Android"}]}"#;
        let item: EncryptedMessageRequest = serde_json::from_str(json).unwrap();
        assert_eq!(item.body().unwrap(), [1, 2]);
        assert_eq!(item.recipient_sessions.len(), 2);
        assert_eq!(
            item.recipient_sessions[1].platform.as_deref(),
            Some("Android")
        );
        let back = serde_json::to_value(&item).unwrap();
        assert_eq!(
            back["recipient_sessions"][0],
            serde_json::json!({"session_id": "s1"})
        );
    }

    #[test]
    fn response_shape() {
        let json = r#"{"data":[{"type":"message","message_id":"m","recipient_id":"r",
            "state":"FAILED","sessions":[{"type":"session","session_id":"s",
            "public_key":"YYZdUJIdI_cLINM-nO5Ol4aHiD9teT9zptlsrJIyOwA"}]}]}"#;
        let r: EncryptedMessagesResponse = serde_json::from_str(json).unwrap();
        assert_eq!(r.data[0].state, "FAILED");
        let key = from_base64_any(&r.data[0].sessions[0].public_key).unwrap();
        assert_eq!(key.len(), 32);
    }
}
