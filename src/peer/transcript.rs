//! The transcript (docs/PEER.md, "Transcript"): one JSON line per request with its verdict
//! and reasons, written to `--transcript FILE` as it happens and kept in memory for the page.

use super::auth::Caller;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

/// How many recent entries the page can read back.
pub const RECENT: usize = 2000;

/// What a handler (or an error) says about its request, carried on the response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Note {
    /// `SUCCESS`, `FAILED`, `REJECTED`, `valid`, `ok`, `error`, …
    pub verdict: String,
    /// Why, when it is not plain success.
    pub reasons: Vec<String>,
    /// Who signed the request.
    pub caller: Option<Caller>,
    /// Per-item verdicts of `/encrypted_messages`.
    pub items: Option<Value>,
    /// Anything else worth keeping (the Themis kind and stage, counts).
    pub detail: Option<Value>,
}

impl Note {
    /// A note with just a verdict.
    pub fn verdict(v: impl Into<String>) -> Note {
        Note {
            verdict: v.into(),
            ..Note::default()
        }
    }
}

/// One request as it will be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Method.
    pub method: String,
    /// Path and query.
    pub uri: String,
    /// HTTP status sent.
    pub status: u16,
    /// Milliseconds from the request's arrival to its response.
    pub duration_ms: f64,
    /// The `X-Request-Id` header, when the client sent one.
    pub request_id: Option<String>,
    /// The handler's note.
    pub note: Note,
}

struct Inner {
    seq: u64,
    recent: VecDeque<Value>,
    file: Option<BufWriter<File>>,
    write_error: Option<String>,
}

/// The transcript: sequence numbers, the recent entries and the file.
pub struct Transcript {
    inner: Mutex<Inner>,
}

impl Transcript {
    /// A transcript kept in memory only, or also appended to `path` (created or truncated).
    pub fn new(path: Option<&Path>) -> io::Result<Transcript> {
        let file = path.map(File::create).transpose()?.map(BufWriter::new);
        Ok(Transcript {
            inner: Mutex::new(Inner {
                seq: 0,
                recent: VecDeque::with_capacity(RECENT),
                file,
                write_error: None,
            }),
        })
    }

    /// Appends an entry and returns its sequence number. The line is flushed at once, so a
    /// transcript read after the peer is killed holds every answered request.
    pub fn record(&self, entry: Entry, unix_ms: u128) -> u64 {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.seq += 1;
        let seq = inner.seq;
        let line = to_json(seq, unix_ms, &entry);
        if let Some(f) = inner.file.as_mut() {
            let written = serde_json::to_writer(&mut *f, &line)
                .map_err(io::Error::from)
                .and_then(|_| f.write_all(b"\n"))
                .and_then(|_| f.flush());
            if let Err(e) = written {
                inner.write_error = Some(e.to_string());
            }
        }
        if inner.recent.len() >= RECENT {
            inner.recent.pop_front();
        }
        inner.recent.push_back(line);
        seq
    }

    /// Entries after `since`, oldest first, at most `limit`.
    pub fn since(&self, since: u64, limit: usize) -> Vec<Value> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner
            .recent
            .iter()
            .filter(|e| e["seq"].as_u64().is_some_and(|s| s > since))
            .take(limit)
            .cloned()
            .collect()
    }

    /// The last sequence number given out, and the last write error, if writing failed.
    pub fn status(&self) -> (u64, Option<String>) {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        (inner.seq, inner.write_error.clone())
    }
}

fn to_json(seq: u64, unix_ms: u128, e: &Entry) -> Value {
    let mut v = json!({
        "seq": seq,
        "time_ms": unix_ms,
        "method": e.method,
        "uri": e.uri,
        "status": e.status,
        "duration_ms": (e.duration_ms * 1000.0).round() / 1000.0,
        "verdict": e.note.verdict,
        "reasons": e.note.reasons,
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(id) = &e.request_id {
            obj.insert("request_id".into(), json!(id));
        }
        if let Some(c) = &e.note.caller {
            obj.insert("caller".into(), json!(c));
        }
        if let Some(items) = &e.note.items {
            obj.insert("items".into(), items.clone());
        }
        if let Some(d) = &e.note.detail {
            obj.insert("detail".into(), d.clone());
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(verdict: &str) -> Entry {
        Entry {
            method: "POST".into(),
            uri: "/encrypted_messages".into(),
            status: 200,
            duration_ms: 1.23456,
            request_id: Some("r".into()),
            note: Note {
                verdict: verdict.into(),
                reasons: vec!["why".into()],
                ..Note::default()
            },
        }
    }

    #[test]
    fn lines_are_written_and_kept() {
        let path =
            std::env::temp_dir().join(format!("sealcheck-transcript-{}.jsonl", std::process::id()));
        let t = Transcript::new(Some(&path)).unwrap();
        assert_eq!(t.record(entry("SUCCESS"), 5), 1);
        assert_eq!(t.record(entry("FAILED"), 6), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["verdict"], "FAILED");
        assert_eq!(lines[0]["duration_ms"], 1.235);
        assert_eq!(lines[0]["request_id"], "r");
        assert_eq!(t.since(1, 10), vec![lines[1].clone()]);
        assert_eq!(t.status(), (2, None));
    }

    #[test]
    fn memory_is_bounded() {
        let t = Transcript::new(None).unwrap();
        for _ in 0..RECENT + 5 {
            t.record(entry("ok"), 0);
        }
        let all = t.since(0, usize::MAX);
        assert_eq!(all.len(), RECENT);
        assert_eq!(all[0]["seq"], 6);
    }
}
