//! The HTTP layer: routes, small typed handlers over the rules, and the limits as layers
//! (docs/PEER.md, "Routes" and "Limits").

use super::auth::{self, Caller};
use super::dissection::dissection_json;
use super::error::{ErrorMark, PeerError};
use super::fixtures::{is_canonical_uuid, ThemisKeys};
use super::rules::{self, Verdict};
use super::themis_party::{self, PeerKeys};
use super::transcript::{Entry, Note, Transcript};
use super::world::{World, WorldError};
use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::{BoxError, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::PropagateRequestIdLayer;

/// Requests handled at once; more are answered 503 at once rather than queued.
pub const MAX_IN_FLIGHT: usize = 256;
/// Most user ids one `/sessions/fetch` may name.
pub const MAX_FETCH_IDS: usize = 1000;

/// The limits and switches the layers apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Longest time a request may take, body included.
    pub timeout: Duration,
    /// Answer errors with HTTP 202, as the real Mixin API does.
    pub status_202: bool,
}

/// Everything the handlers share.
pub struct Shared {
    world: Mutex<World>,
    themis: PeerKeys,
    themis_fixture: ThemisKeys,
    transcript: Transcript,
    admin_token: String,
    limits: Limits,
}

/// The handlers' state.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state for a world, the peer's Themis keys, a transcript and an admin token.
    pub fn new(
        world: World,
        themis: ThemisKeys,
        transcript: Transcript,
        admin_token: String,
        limits: Limits,
    ) -> AppState {
        AppState(Arc::new(Shared {
            world: Mutex::new(world),
            themis: PeerKeys::from_fixtures(&themis),
            themis_fixture: themis,
            transcript,
            admin_token,
            limits,
        }))
    }

    fn world(&self) -> MutexGuard<'_, World> {
        // A panic while holding the lock cannot leave the world half-changed: every change
        // is one assignment, so the state is usable.
        self.0.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The router with every route and layer.
pub fn router(state: AppState) -> Router {
    let limits = state.0.limits.clone();
    let seconds = limits.timeout.as_secs();
    Router::new()
        .route("/", get(page_html))
        .route("/app.js", get(page_js))
        .route("/style.css", get(page_css))
        .route("/sessions/fetch", post(sessions_fetch))
        .route("/encrypted_messages", post(encrypted_messages))
        .route("/themis/keys", get(themis_keys))
        .route("/themis/message", post(themis_message))
        .route("/inspect", post(inspect))
        .route("/_peer/health", get(health))
        .route("/_peer/transcript", get(transcript))
        .route("/_peer/fixtures", get(fixtures))
        .route("/_peer/sessions/rotate", post(rotate))
        .route("/_peer/sessions/add", post(add))
        .route("/_peer/sessions/remove", post(remove))
        .route("/_peer/reset", post(reset))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(state.clone(), record))
                .layer(PropagateRequestIdLayer::new(HeaderName::from_static(
                    "x-request-id",
                )))
                .layer(CatchPanicLayer::custom(|_| {
                    PeerError::Internal("the handler panicked".into()).into_response()
                }))
                .layer(HandleErrorLayer::new(move |e: BoxError| async move {
                    if e.is::<tower::timeout::error::Elapsed>() {
                        PeerError::Timeout { seconds }
                    } else if e.is::<tower::load_shed::error::Overloaded>() {
                        PeerError::Overloaded
                    } else {
                        PeerError::Internal(e.to_string())
                    }
                }))
                .load_shed()
                .layer(GlobalConcurrencyLimitLayer::new(MAX_IN_FLIGHT))
                .timeout(limits.timeout)
                .layer(DefaultBodyLimit::max(limits.body_limit)),
        )
        .with_state(state)
}

/// Writes every request to the transcript (except reads of the transcript itself, which the
/// page polls), and re-makes error responses with status 202 under `--status-202`.
async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().to_string();
    let uri = request
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut response = next.run(request).await;
    if state.0.limits.status_202 {
        if let Some(ErrorMark(e)) = response.extensions().get::<ErrorMark>().cloned() {
            let id = response.headers().get("x-request-id").cloned();
            response = e.to_response(true);
            if let Some(id) = id {
                response.headers_mut().insert("x-request-id", id);
            }
        }
    }
    if uri.starts_with("/_peer/transcript") {
        return response;
    }
    let note = response
        .extensions()
        .get::<Note>()
        .cloned()
        .unwrap_or_else(|| {
            Note::verdict(if response.status().is_success() {
                "ok"
            } else {
                "error"
            })
        });
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    state.0.transcript.record(
        Entry {
            method,
            uri,
            status: response.status().as_u16(),
            duration_ms: start.elapsed().as_secs_f64() * 1000.0,
            request_id,
            note,
        },
        unix_ms,
    );
    response
}

/// A `{"data": …}` response carrying its transcript note.
fn data(value: Value, note: Note) -> Response {
    let mut r = Json(json!({ "data": value })).into_response();
    r.extensions_mut().insert(note);
    r
}

/// The request body, within the limit; over it is a 413 in the envelope.
pub struct BodyBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for BodyBytes {
    type Rejection = PeerError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PeerError> {
        let limit = req
            .extensions()
            .get::<BodyLimitHint>()
            .map(|h| h.0)
            .unwrap_or_default();
        Bytes::from_request(req, state)
            .await
            .map(BodyBytes)
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    PeerError::TooLarge { limit }
                } else {
                    PeerError::BadJson(format!("the body could not be read: {e}"))
                }
            })
    }
}

/// The limit, for the 413's sentence (set by [`with_limit_hint`]).
#[derive(Debug, Clone, Copy)]
struct BodyLimitHint(usize);

/// Parses a body as JSON; the error says where and why.
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, PeerError> {
    serde_json::from_slice(bytes)
        .map_err(|e| PeerError::BadJson(format!("not the JSON this route takes: {e}")))
}

/// A request signed as the Mixin API wants, with its body.
pub struct Signed {
    /// Who signed it.
    pub caller: Caller,
    /// The body the signature covers.
    pub body: Bytes,
}

impl FromRequest<AppState> for Signed {
    type Rejection = PeerError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PeerError> {
        let authorization = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let method = req.method().to_string();
        let uri = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let BodyBytes(body) = BodyBytes::from_request(with_limit_hint(req, state), state).await?;
        let token = auth::parse(authorization.as_deref())?;
        // The lock is held for the lookup only; the signature is checked outside it.
        let session = auth::lookup(&token, &state.world())?;
        let caller = auth::finish(token, &session, &method, &uri, &body, now_secs())?;
        Ok(Signed { caller, body })
    }
}

fn with_limit_hint(mut req: Request, state: &AppState) -> Request {
    req.extensions_mut()
        .insert(BodyLimitHint(state.0.limits.body_limit));
    req
}

/// A JSON body for the unauthenticated routes.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = PeerError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, PeerError> {
        let BodyBytes(bytes) = BodyBytes::from_request(with_limit_hint(req, state), state).await?;
        parse(&bytes).map(JsonBody)
    }
}

/// The admin token, checked.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = PeerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PeerError> {
        let given = parts
            .headers
            .get("x-peer-token")
            .and_then(|v| v.to_str().ok());
        if given.is_some_and(|t| t == state.0.admin_token) {
            Ok(Admin)
        } else {
            Err(PeerError::Forbidden)
        }
    }
}

/// Runs CPU-heavy rule checks off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PeerError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PeerError::Internal(format!("the check did not finish: {e}")))
}

// ---- the Mixin API ----

async fn sessions_fetch(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, PeerError> {
    let ids: Vec<String> = parse(&signed.body)?;
    if ids.len() > MAX_FETCH_IDS {
        return Err(PeerError::InvalidField {
            field: "(body)".into(),
            reason: format!(
                "{} user ids; at most {MAX_FETCH_IDS} per request",
                ids.len()
            ),
        });
    }
    if let Some((i, id)) = ids
        .iter()
        .enumerate()
        .find(|(_, id)| !is_canonical_uuid(id))
    {
        return Err(PeerError::InvalidField {
            field: format!("[{i}]"),
            reason: format!("{id:?} is not a lowercase hyphenated UUID"),
        });
    }
    let world = state.world();
    let sessions: Vec<Value> = ids
        .iter()
        .filter_map(|id| world.user(id))
        .flat_map(|u| {
            u.sessions.iter().map(|s| {
                json!({
                    "user_id": u.user_id,
                    "session_id": s.session_id,
                    "public_key": crate::wire::to_base64_url(&s.x25519_public),
                    "platform": s.platform,
                })
            })
        })
        .collect();
    let unknown: Vec<&String> = ids.iter().filter(|id| world.user(id).is_none()).collect();
    drop(world);
    let mut note = Note::verdict("ok");
    if !unknown.is_empty() {
        note.reasons.push(format!(
            "not users of this peer (left out, as the API does): {}",
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    note.detail = Some(json!({"users": ids.len(), "sessions": sessions.len()}));
    note.caller = Some(signed.caller);
    Ok(data(Value::Array(sessions), note))
}

async fn encrypted_messages(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<Response, PeerError> {
    let items: Vec<Value> = parse(&signed.body)?;
    if items.len() > rules::MAX_ITEMS {
        return Err(PeerError::InvalidField {
            field: "(body)".into(),
            reason: format!(
                "{} messages; at most {} per request",
                items.len(),
                rules::MAX_ITEMS
            ),
        });
    }
    // The recipients as they are now, so the checks run without the lock.
    let recipients: HashMap<String, super::world::UserState> = {
        let world = state.world();
        items
            .iter()
            .filter_map(|i| i.get("recipient_id").and_then(Value::as_str))
            .filter_map(|id| world.user(id).map(|u| (id.to_owned(), u.clone())))
            .collect()
    };
    let sender = signed.caller.x25519_public;
    let verdicts =
        blocking(move || rules::check_items(&items, |id| recipients.get(id), &sender)).await?;
    let all: Vec<Value> = verdicts.iter().map(rules::ItemVerdict::to_json).collect();
    if verdicts.iter().any(|v| v.verdict == Verdict::Rejected) {
        let rejected = verdicts
            .iter()
            .filter(|v| v.verdict == Verdict::Rejected)
            .map(|v| json!({"index": v.index, "message_id": v.message_id, "reasons": v.reasons, "stage": v.stage}))
            .collect();
        return Err(PeerError::Rejected { rejected, all });
    }
    let mut all = all;
    {
        let mut world = state.world();
        for (v, j) in verdicts.iter().zip(all.iter_mut()) {
            if v.verdict != Verdict::Success {
                continue;
            }
            let id = v.message_id.as_deref().unwrap_or_default();
            if !world.deliver(id) {
                if let Some(notes) = j.get_mut("notes").and_then(Value::as_array_mut) {
                    notes.push(json!(
                        "this message_id was delivered before; answered SUCCESS again"
                    ));
                }
            }
        }
    }
    let receipts: Vec<Value> = verdicts
        .iter()
        .map(|v| serde_json::to_value(v.receipt()).unwrap_or_default())
        .collect();
    let failed = verdicts.iter().any(|v| v.verdict == Verdict::Failed);
    let mut note = Note::verdict(if failed { "FAILED" } else { "SUCCESS" });
    note.reasons = verdicts
        .iter()
        .flat_map(|v| {
            v.reasons
                .iter()
                .map(move |r| format!("item {}: {r}", v.index))
        })
        .collect();
    note.items = Some(Value::Array(all));
    note.caller = Some(signed.caller);
    Ok(data(Value::Array(receipts), note))
}

// ---- Themis and the page's helpers ----

async fn themis_keys(State(state): State<AppState>) -> Response {
    data(
        themis_party::public_keys(&state.0.themis),
        Note::verdict("ok"),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemisRequest {
    /// The Secure Message, hex or base64.
    message: String,
    /// The client's public key container, hex or base64.
    public_key: String,
}

fn bytes_field(field: &str, text: &str) -> Result<Vec<u8>, PeerError> {
    crate::wire::from_hex_or_base64(text).map_err(|reason| PeerError::InvalidField {
        field: field.into(),
        reason,
    })
}

async fn themis_message(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ThemisRequest>,
) -> Result<Response, PeerError> {
    let message = bytes_field("message", &req.message)?;
    let public_key = bytes_field("public_key", &req.public_key)?;
    let keys = state.0.themis.clone();
    let answer = blocking(move || {
        themis_party::exchange(&keys, &message, &public_key, &mut rand_core::OsRng)
    })
    .await?;
    let mut note = Note::verdict(answer.verdict);
    note.reasons.extend(answer.reason.clone());
    note.detail = Some(
        json!({"kind": answer.kind, "stage": answer.stage, "reply": answer.reply.as_ref().map(|r| r.mode)}),
    );
    Ok(data(
        serde_json::to_value(&answer).unwrap_or_default(),
        note,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InspectRequest {
    /// Hex or base64.
    input: String,
    /// `mixin`, `themis`, or absent to recognise it.
    #[serde(default)]
    format: Option<String>,
}

async fn inspect(JsonBody(req): JsonBody<InspectRequest>) -> Result<Response, PeerError> {
    let format = match req.format.as_deref() {
        None | Some("") => None,
        Some(f @ ("mixin" | "themis")) => Some(f),
        Some(other) => {
            return Err(PeerError::InvalidField {
                field: "format".into(),
                reason: format!("{other:?} is not mixin or themis"),
            })
        }
    };
    let bytes = bytes_field("input", &req.input)?;
    let d = dissection_json(&crate::inspect::dissect(&bytes, format), &bytes);
    let mut note = Note::verdict(if d.problem.is_some() {
        "invalid"
    } else {
        "valid"
    });
    note.reasons.extend(d.problem.clone());
    note.detail = Some(json!({"title": d.title, "length": d.length}));
    Ok(data(serde_json::to_value(&d).unwrap_or_default(), note))
}

// ---- the peer's own routes ----

async fn health(State(state): State<AppState>) -> Response {
    let (seq, write_error) = state.0.transcript.status();
    let users = state.world().users().len();
    data(
        json!({"ok": true, "users": users, "transcript_seq": seq, "transcript_write_error": write_error}),
        Note::verdict("ok"),
    )
}

#[derive(Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
    #[serde(default)]
    limit: Option<usize>,
}

async fn transcript(
    State(state): State<AppState>,
    query: Result<Query<Since>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PeerError> {
    let Query(q) = query.map_err(|e| PeerError::InvalidField {
        field: "(query)".into(),
        reason: e.body_text(),
    })?;
    let entries = state
        .0
        .transcript
        .since(q.since, q.limit.unwrap_or(500).min(2000));
    let (last, _) = state.0.transcript.status();
    Ok(data(
        json!({"entries": entries, "last": last}),
        Note::verdict("ok"),
    ))
}

async fn fixtures(_: Admin, State(state): State<AppState>) -> Response {
    let f = state
        .world()
        .to_fixtures(Some(state.0.themis_fixture.clone()));
    data(
        serde_json::to_value(f).unwrap_or_default(),
        Note::verdict("ok"),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionChange {
    user_id: String,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    platform: Option<String>,
}

fn changed(
    result: Result<super::world::Change, WorldError>,
    what: &str,
) -> Result<Response, PeerError> {
    let change = result.map_err(|e| PeerError::InvalidField {
        field: "user_id".into(),
        reason: e.to_string(),
    })?;
    let mut note = Note::verdict("ok");
    note.reasons.push(format!(
        "{what} for {}: {} now, checksum {}",
        change.user_id,
        change
            .sessions
            .iter()
            .map(|s| s.session_id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        change.checksum
    ));
    Ok(data(serde_json::to_value(change).unwrap_or_default(), note))
}

async fn rotate(
    _: Admin,
    State(state): State<AppState>,
    JsonBody(c): JsonBody<SessionChange>,
) -> Result<Response, PeerError> {
    let result = state.world().rotate(&c.user_id, c.session_id.as_deref());
    changed(result, "rotated a session")
}

async fn add(
    _: Admin,
    State(state): State<AppState>,
    JsonBody(c): JsonBody<SessionChange>,
) -> Result<Response, PeerError> {
    let result = state
        .world()
        .add(&c.user_id, c.platform.as_deref().unwrap_or_default());
    changed(result, "added a session")
}

async fn remove(
    _: Admin,
    State(state): State<AppState>,
    JsonBody(c): JsonBody<SessionChange>,
) -> Result<Response, PeerError> {
    let sid = c.session_id.ok_or_else(|| PeerError::InvalidField {
        field: "session_id".into(),
        reason: "which session to remove".into(),
    })?;
    let result = state.world().remove(&c.user_id, &sid);
    changed(result, "removed a session")
}

async fn reset(_: Admin, State(state): State<AppState>) -> Response {
    state.world().reset();
    data(json!({"reset": true}), Note::verdict("ok"))
}

async fn not_found(method: Method, uri: axum::http::Uri) -> PeerError {
    PeerError::NotFound {
        method: method.to_string(),
        path: uri.path().to_owned(),
    }
}

async fn method_not_allowed() -> PeerError {
    PeerError::MethodNotAllowed
}

// ---- the page ----

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

async fn page_html() -> Response {
    asset(super::page::HTML, "text/html; charset=utf-8")
}

async fn page_js() -> Response {
    asset(super::page::JS, "text/javascript; charset=utf-8")
}

async fn page_css() -> Response {
    asset(super::page::CSS, "text/css; charset=utf-8")
}
