//! An implementation under test in a child process, spoken to over docs/PROTOCOL.md.
//!
//! Lock-step for now: one request in flight, a per-request timeout, restart after any crash,
//! timeout or protocol violation, and a bounded tail of stderr kept for the report.

use super::{Failure, Hello, Implementation, Reply};
use crate::Stage;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How much of the child's stderr is kept.
const STDERR_TAIL: usize = 4096;

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
}

/// A child process speaking the protocol.
pub struct Subprocess {
    command: String,
    timeout: Duration,
    running: Option<Running>,
    hello: Option<Hello>,
    next_id: u64,
    stderr: Arc<Mutex<VecDeque<u8>>>,
}

impl Subprocess {
    /// Starts `command` (run by `sh -c`) and does the handshake.
    pub fn spawn(command: &str) -> Result<Self, String> {
        let mut s = Subprocess {
            command: command.to_owned(),
            timeout: Duration::from_secs(10),
            running: None,
            hello: None,
            next_id: 1,
            stderr: Arc::default(),
        };
        s.start()?;
        Ok(s)
    }

    /// Sets the per-request timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn start(&mut self) -> Result<(), String> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut stderr = child.stderr.take().ok_or("no stderr")?;
        let tail = Arc::clone(&self.stderr);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let Ok(mut t) = tail.lock() else { break };
                t.extend(buf.iter().take(n));
                let excess = t.len().saturating_sub(STDERR_TAIL);
                t.drain(..excess);
            }
        });
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        self.running = Some(Running {
            child,
            stdin,
            lines: rx,
        });
        let reply = self.exchange(0, "hello", &json!({"protocol": 1}));
        let ok = match reply {
            Ok(Reply::Ok(v)) => v,
            Ok(other) => return Err(format!("handshake refused: {other:?}")),
            Err(f) => return Err(format!("handshake failed: {f}")),
        };
        let ops = ok["ops"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        self.hello = Some(Hello {
            name: ok["name"].as_str().unwrap_or("unnamed").to_owned(),
            version: ok["version"].as_str().unwrap_or("").to_owned(),
            ops,
        });
        Ok(())
    }

    fn stderr_tail(&self) -> String {
        let t = self
            .stderr
            .lock()
            .map(|t| t.iter().copied().collect::<Vec<u8>>());
        String::from_utf8_lossy(&t.unwrap_or_default())
            .trim()
            .to_owned()
    }

    fn stop(&mut self) -> String {
        let Some(mut r) = self.running.take() else {
            return "not running".into();
        };
        drop(r.stdin);
        let _ = r.child.kill();
        match r.child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => e.to_string(),
        }
    }

    fn exchange(&mut self, id: u64, op: &str, args: &Value) -> Result<Reply, Failure> {
        let Some(r) = self.running.as_mut() else {
            return Err(Failure::Crashed("not running".into()));
        };
        let line = json!({"id": id, "op": op, "args": args}).to_string();
        let sent = writeln!(r.stdin, "{line}").and_then(|_| r.stdin.flush());
        let received = match sent {
            Ok(()) => r.lines.recv_timeout(self.timeout),
            Err(_) => Err(RecvTimeoutError::Disconnected),
        };
        let result = match received {
            Ok(Ok(text)) => parse_reply(id, &text),
            Ok(Err(e)) => Err(Failure::ProtocolError(format!("unreadable output: {e}"))),
            Err(RecvTimeoutError::Timeout) => Err(Failure::Timeout(self.timeout)),
            Err(RecvTimeoutError::Disconnected) => {
                // Give the stderr thread a moment to collect the last words.
                thread::sleep(Duration::from_millis(50));
                let status = self.stop();
                return Err(Failure::Crashed(format!(
                    "{status}; stderr: {}",
                    self.stderr_tail()
                )));
            }
        };
        if result.is_err() {
            self.stop();
        }
        result
    }
}

fn parse_reply(id: u64, text: &str) -> Result<Reply, Failure> {
    let bad = |why: &str| Failure::ProtocolError(format!("{why}: {}", truncate(text)));
    let v: Value = serde_json::from_str(text).map_err(|_| bad("not JSON"))?;
    if v.get("id").and_then(Value::as_u64) != Some(id) {
        return Err(bad(&format!("expected a reply to id {id}")));
    }
    if let Some(ok) = v.get("ok") {
        return Ok(Reply::Ok(ok.clone()));
    }
    if let Some(e) = v.get("error") {
        let message = e
            .get("message")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("error without message"))?;
        let stage = match e.get("stage").and_then(Value::as_str) {
            None => None,
            Some(s) => Some(Stage::from_name(s).ok_or_else(|| bad("unknown stage"))?),
        };
        let code = e.get("code").map(|c| {
            c.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| c.to_string())
        });
        return Ok(Reply::Error {
            message: message.to_owned(),
            code,
            stage,
        });
    }
    if let Some(u) = v.get("unsupported") {
        return Ok(Reply::Unsupported(
            u.as_str().unwrap_or_default().to_owned(),
        ));
    }
    Err(bad("neither ok, error nor unsupported"))
}

fn truncate(s: &str) -> String {
    s.chars().take(200).collect()
}

impl Implementation for Subprocess {
    fn hello(&mut self) -> Result<Hello, String> {
        self.hello.clone().ok_or_else(|| "no handshake".to_owned())
    }

    fn call(&mut self, op: &str, args: &Value) -> Result<Reply, Failure> {
        if self.running.is_none() {
            self.start().map_err(Failure::Crashed)?;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.exchange(id, op, args)
    }
}

impl Drop for Subprocess {
    fn drop(&mut self) {
        self.stop();
    }
}
