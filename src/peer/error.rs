//! The peer's one error type: every refusal becomes the Mixin error envelope
//! `{"error": {"status", "code", "description", "extra"}}` in one place, with the HTTP status
//! the code implies (or 202, as the real API answers, with `--status-202`).

use super::auth::AuthError;
use super::transcript::Note;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerError {
    /// A missing or bad JWT.
    Unauthorized(AuthError),
    /// The body is not the JSON the route takes.
    BadJson(String),
    /// Well-formed JSON with a bad value; `field` names it.
    InvalidField {
        /// The field, as a JSON path.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `/encrypted_messages` items with defects; the whole request is refused.
    Rejected {
        /// The rejected items, for the error's `extra`.
        rejected: Vec<Value>,
        /// Every item's verdict, for the transcript.
        all: Vec<Value>,
    },
    /// No such route.
    NotFound {
        /// The method asked for.
        method: String,
        /// The path asked for.
        path: String,
    },
    /// The route exists but not for this method.
    MethodNotAllowed,
    /// The body is over the limit.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The request took longer than the timeout.
    Timeout {
        /// The timeout in seconds.
        seconds: u64,
    },
    /// Too many requests in flight.
    Overloaded,
    /// An admin route without the admin token.
    Forbidden,
    /// The peer's own fault (a panic caught, a task that died).
    Internal(String),
}

impl PeerError {
    /// The HTTP status the error's code implies.
    pub fn status(&self) -> StatusCode {
        match self {
            PeerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            PeerError::BadJson(_) | PeerError::InvalidField { .. } | PeerError::Rejected { .. } => {
                StatusCode::BAD_REQUEST
            }
            PeerError::NotFound { .. } => StatusCode::NOT_FOUND,
            PeerError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            PeerError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            PeerError::Timeout { .. } => StatusCode::REQUEST_TIMEOUT,
            PeerError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            PeerError::Forbidden => StatusCode::FORBIDDEN,
            PeerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The Mixin error code: the documented ones where Mixin has one (401, 400, 10002, 404,
    /// 403, 500), else the HTTP status.
    pub fn code(&self) -> u16 {
        match self {
            PeerError::InvalidField { .. } | PeerError::Rejected { .. } => 10002,
            other => other.status().as_u16(),
        }
    }

    /// The description: Mixin's own sentence where it has one.
    pub fn description(&self) -> String {
        match self {
            PeerError::Unauthorized(_) => "Unauthorized, maybe invalid token.".into(),
            PeerError::BadJson(_) => "The request body can't be parsed as valid data.".into(),
            PeerError::InvalidField { .. } | PeerError::Rejected { .. } => {
                "The request data has invalid field.".into()
            }
            PeerError::NotFound { .. } => "The endpoint is not found.".into(),
            PeerError::MethodNotAllowed => "The endpoint does not take this method.".into(),
            PeerError::TooLarge { limit } => {
                format!("The request body is larger than the peer's limit of {limit} bytes.")
            }
            PeerError::Timeout { seconds } => {
                format!("The request took longer than the peer's timeout of {seconds} s.")
            }
            PeerError::Overloaded => "Too many requests in flight; try again.".into(),
            PeerError::Forbidden => "Forbidden.".into(),
            PeerError::Internal(_) => "Internal Server Error".into(),
        }
    }

    /// The reason in words, for `extra.reason` and the transcript.
    pub fn reason(&self) -> Option<String> {
        match self {
            PeerError::Unauthorized(e) => Some(e.to_string()),
            PeerError::BadJson(r) | PeerError::Internal(r) => Some(r.clone()),
            PeerError::InvalidField { field, reason } => Some(format!("{field}: {reason}")),
            PeerError::Rejected { rejected, .. } => Some(format!(
                "{} item{} refused; see extra.items",
                rejected.len(),
                if rejected.len() == 1 { "" } else { "s" }
            )),
            PeerError::NotFound { method, path } => Some(format!("no route {method} {path}")),
            PeerError::Forbidden => Some(
                "admin routes need the X-Peer-Token header with the token `sealcheck peer` printed"
                    .into(),
            ),
            PeerError::MethodNotAllowed
            | PeerError::TooLarge { .. }
            | PeerError::Timeout { .. }
            | PeerError::Overloaded => None,
        }
    }

    /// The envelope, with `status` as given (the code's own, or 202 as the real API sends).
    pub fn body(&self, status: StatusCode) -> Value {
        let mut error = json!({
            "status": status.as_u16(),
            "code": self.code(),
            "description": self.description(),
        });
        let mut extra = serde_json::Map::new();
        if let Some(r) = self.reason() {
            extra.insert("reason".into(), json!(r));
        }
        if let PeerError::InvalidField { field, .. } = self {
            extra.insert("field".into(), json!(field));
        }
        if let PeerError::Rejected { rejected, .. } = self {
            extra.insert("items".into(), json!(rejected));
        }
        if let (false, Some(e)) = (extra.is_empty(), error.as_object_mut()) {
            e.insert("extra".into(), Value::Object(extra));
        }
        json!({ "error": error })
    }

    /// The response: the envelope, the status (202 when `status_202`), and the note the
    /// transcript records.
    pub fn to_response(&self, status_202: bool) -> Response {
        let status = if status_202 {
            StatusCode::ACCEPTED
        } else {
            self.status()
        };
        let mut response = (status, Json(self.body(status))).into_response();
        let mut note = Note::verdict("error");
        note.reasons
            .push(format!("{} {}", self.code(), self.description()));
        note.reasons.extend(self.reason());
        if let PeerError::Rejected { all, .. } = self {
            note.verdict = "REJECTED".into();
            note.items = Some(Value::Array(all.clone()));
        }
        if let PeerError::Unauthorized(_) = self {
            note.verdict = "unauthorized".into();
        }
        response.extensions_mut().insert(note);
        response.extensions_mut().insert(ErrorMark(self.clone()));
        response
    }
}

/// Carried on error responses so the outer layer can re-make them with status 202.
#[derive(Debug, Clone)]
pub struct ErrorMark(pub PeerError);

impl IntoResponse for PeerError {
    fn into_response(self) -> Response {
        self.to_response(false)
    }
}

impl From<AuthError> for PeerError {
    fn from(e: AuthError) -> Self {
        PeerError::Unauthorized(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_have_the_sdk_field_names() {
        // fox-one and bot-api-go-client read error.status, error.code, error.description and
        // error.extra; fox-one treats any code > 0 as an error.
        let e = PeerError::Unauthorized(AuthError::Missing);
        let body = e.body(e.status());
        assert_eq!(body["error"]["status"], 401);
        assert_eq!(body["error"]["code"], 401);
        assert_eq!(
            body["error"]["description"],
            "Unauthorized, maybe invalid token."
        );
        assert!(body["error"]["extra"]["reason"]
            .as_str()
            .unwrap()
            .contains("Authorization"));
        let e = PeerError::InvalidField {
            field: "[0]".into(),
            reason: "not a UUID".into(),
        };
        let body = e.body(StatusCode::ACCEPTED);
        assert_eq!(
            (
                body["error"]["status"].as_u64(),
                body["error"]["code"].as_u64()
            ),
            (Some(202), Some(10002))
        );
        assert_eq!(body["error"]["extra"]["field"], "[0]");
        assert!(
            PeerError::MethodNotAllowed.body(StatusCode::METHOD_NOT_ALLOWED)["error"]
                .get("extra")
                .is_none()
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(
            PeerError::TooLarge { limit: 1 }.to_response(false).status(),
            413
        );
        assert_eq!(
            PeerError::TooLarge { limit: 1 }.to_response(true).status(),
            202
        );
        assert_eq!(PeerError::BadJson("x".into()).status(), 400);
        assert_eq!(
            PeerError::NotFound {
                method: "GET".into(),
                path: "/x".into()
            }
            .status(),
            404
        );
        assert_eq!(PeerError::Overloaded.status(), 503);
    }
}
