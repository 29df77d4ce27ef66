//! An implementation under test in a child process, spoken to over docs/PROTOCOL.md.
//!
//! Requests are pipelined up to a window. When anything goes wrong (the process exits or
//! crashes, a reply is late, a line breaks the protocol) the process is killed and restarted,
//! and the requests that were in flight are run again one at a time, so the outcome lands on
//! the request that caused it. Every request ends with exactly one result.

use super::Implementation;
use crate::protocol::{self, Failure, Hello, Reply};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How much of a process's stderr is kept for the report.
pub const STDERR_TAIL: usize = 4096;
/// The longest reply line accepted; a longer one is a protocol error, not an allocation.
pub const MAX_LINE: usize = 256 << 20;
/// Consecutive failed starts after which the remaining requests are given up.
const MAX_FAILED_STARTS: usize = 3;

/// Tuning for a child process.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time allowed for a reply, counted from when the request was sent.
    pub timeout: Duration,
    /// Requests kept in flight.
    pub window: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            window: 64,
        }
    }
}

enum Event {
    Lines(Vec<String>),
    Violation(String),
    Eof,
}

struct Proc {
    child: Child,
    to_stdin: Sender<Vec<u8>>,
    events: Receiver<Event>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    stderr_done: Receiver<()>,
}

/// A child process speaking the protocol.
pub struct Subprocess {
    argv: Vec<String>,
    options: Options,
    proc: Option<Proc>,
    hello: Hello,
    next_id: u64,
    /// How many times the process was (re)started after the first start.
    pub restarts: usize,
    /// The stderr tail of the most recent process, for the report.
    pub last_stderr: String,
}

impl Subprocess {
    /// Starts `command` (split into words as a shell would; no shell features) and does the
    /// handshake, trying a few times in case the process dies at start.
    pub fn spawn(command: &str) -> Result<Self, String> {
        Self::spawn_with(command, Options::default())
    }

    /// [`Subprocess::spawn`] with explicit options.
    pub fn spawn_with(command: &str, options: Options) -> Result<Self, String> {
        let argv = shlex::split(command)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| format!("cannot split {command:?} into words"))?;
        let mut s = Subprocess {
            argv,
            options,
            proc: None,
            hello: Hello {
                name: String::new(),
                version: String::new(),
                ops: Vec::new(),
            },
            next_id: 1,
            restarts: 0,
            last_stderr: String::new(),
        };
        let mut last = String::new();
        for _ in 0..MAX_FAILED_STARTS {
            match s.start() {
                Ok(h) => {
                    s.hello = h;
                    s.restarts = 0;
                    return Ok(s);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn start(&mut self) -> Result<Hello, String> {
        let (program, args) = self.argv.split_first().ok_or("empty command")?;
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {program:?}: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin pipe")?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let stderr = child.stderr.take().ok_or("no stderr pipe")?;
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let stderr_done = spawn_stderr_reader(stderr, Arc::clone(&tail));
        let (to_stdin, stdin_rx) = mpsc::channel::<Vec<u8>>();
        thread::spawn(move || write_stdin(stdin, stdin_rx));
        let (events_tx, events) = mpsc::channel();
        thread::spawn(move || read_stdout(stdout, events_tx));
        self.proc = Some(Proc {
            child,
            to_stdin,
            events,
            stderr: tail,
            stderr_done,
        });
        self.restarts += 1;
        // The handshake is request 0 of every process.
        let hello = self.handshake();
        if hello.is_err() {
            self.stop();
        }
        hello
    }

    fn handshake(&mut self) -> Result<Hello, String> {
        let proc = self.proc.as_mut().ok_or("not running")?;
        let mut line = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = protocol::write_hello_request(&mut line);
        proc.to_stdin
            .send(line)
            .map_err(|_| "stdin closed".to_owned())?;
        let deadline = Instant::now() + self.options.timeout;
        let text = loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            match proc.events.recv_timeout(wait) {
                Ok(Event::Lines(lines)) => match lines.into_iter().next() {
                    Some(l) => break l,
                    None => continue,
                },
                Ok(Event::Violation(v)) => return Err(format!("handshake: {v}")),
                Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    let status = self.stop();
                    return Err(format!(
                        "the process ended during the handshake ({status}); stderr: {}",
                        self.last_stderr
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "no handshake reply within {} ms",
                        self.options.timeout.as_millis()
                    ))
                }
            }
        };
        protocol::parse_hello(&text).map_err(|e| format!("handshake: {e}"))
    }

    /// Kills the process (if it still runs), collects its stderr and says how it ended.
    fn stop(&mut self) -> String {
        let Some(mut p) = self.proc.take() else {
            return "not running".into();
        };
        drop(p.to_stdin);
        let status = match p.child.try_wait() {
            Ok(Some(status)) => status,
            _ => {
                // Give a process that is exiting on its own a moment before the kill.
                thread::sleep(Duration::from_millis(20));
                if !matches!(p.child.try_wait(), Ok(Some(_))) {
                    let _ = p.child.kill();
                }
                match p.child.wait() {
                    Ok(s) => s,
                    Err(e) => return format!("lost the process: {e}"),
                }
            }
        };
        let _ = p.stderr_done.recv_timeout(Duration::from_millis(500));
        let tail = p
            .stderr
            .lock()
            .map(|t| t.iter().copied().collect::<Vec<u8>>())
            .unwrap_or_default();
        self.last_stderr = String::from_utf8_lossy(&tail).trim().to_owned();
        status.to_string()
    }

    fn crash_report(&mut self) -> Failure {
        let status = self.stop();
        let tail = tail_text(&self.last_stderr, 1024);
        Failure::Crashed(if tail.is_empty() {
            status
        } else {
            format!("{status}; stderr: {tail}")
        })
    }
}

fn tail_text(s: &str, max: usize) -> String {
    let start = s.len().saturating_sub(max);
    let start = (start..=s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    s.get(start..).unwrap_or_default().to_owned()
}

fn spawn_stderr_reader(
    mut stderr: impl Read + Send + 'static,
    tail: Arc<Mutex<VecDeque<u8>>>,
) -> Receiver<()> {
    let (done_tx, done) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            let Ok(mut t) = tail.lock() else { break };
            t.extend(buf.iter().take(n));
            let excess = t.len().saturating_sub(STDERR_TAIL);
            t.drain(..excess);
        }
        let _ = done_tx.send(());
    });
    done
}

fn write_stdin(stdin: impl Write, rx: Receiver<Vec<u8>>) {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdin);
    while let Ok(first) = rx.recv() {
        if out.write_all(&first).is_err() {
            return;
        }
        // Batch whatever else is queued, then flush once.
        while let Ok(more) = rx.try_recv() {
            if out.write_all(&more).is_err() {
                return;
            }
        }
        if out.flush().is_err() {
            return;
        }
    }
}

fn read_stdout(stdout: impl Read, tx: Sender<Event>) {
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut batch = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match read_bounded_line(&mut reader, &mut line) {
            Ok(0) => {
                if !batch.is_empty() {
                    let _ = tx.send(Event::Lines(std::mem::take(&mut batch)));
                }
                let _ = tx.send(Event::Eof);
                return;
            }
            Ok(_) => {
                let text = String::from_utf8_lossy(&line)
                    .trim_end_matches(['\n', '\r'])
                    .to_owned();
                if !text.trim().is_empty() {
                    batch.push(text);
                }
            }
            Err(why) => {
                let _ = tx.send(Event::Violation(why));
                return;
            }
        }
        // Hand over a batch once nothing more is already buffered.
        if !reader.buffer().contains(&b'\n')
            && !batch.is_empty()
            && tx.send(Event::Lines(std::mem::take(&mut batch))).is_err()
        {
            return;
        }
    }
}

/// Reads one line of at most [`MAX_LINE`] bytes; 0 at end of input.
fn read_bounded_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Result<usize, String> {
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) => return Err(format!("cannot read stdout: {e}")),
        };
        if buf.is_empty() {
            return Ok(line.len());
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (buf.get(..=i).unwrap_or(buf), true),
            None => (buf, false),
        };
        line.extend_from_slice(chunk);
        let n = chunk.len();
        reader.consume(n);
        if line.len() > MAX_LINE {
            return Err(format!("a stdout line longer than {MAX_LINE} bytes"));
        }
        if done {
            return Ok(line.len());
        }
    }
}

/// Where a request stands in [`Subprocess::call_many`].
struct InFlight {
    index: usize,
    sent: Instant,
}

impl Implementation for Subprocess {
    fn as_any_subprocess(&self) -> Option<&Subprocess> {
        Some(self)
    }

    fn hello(&mut self) -> Result<Hello, String> {
        Ok(self.hello.clone())
    }

    fn call(&mut self, op: &str, args: &Value) -> Result<Reply, Failure> {
        self.call_many(&[(op, args)], &mut |_| {})
            .pop()
            .unwrap_or(Err(Failure::ProtocolError("no result".into())))
    }

    fn call_many(
        &mut self,
        requests: &[(&str, &Value)],
        progress: &mut dyn FnMut(usize),
    ) -> Vec<Result<Reply, Failure>> {
        let mut results: Vec<Option<Result<Reply, Failure>>> = vec![None; requests.len()];
        let mut done = 0usize;
        let mut queue: VecDeque<usize> = (0..requests.len()).collect();
        // Requests that were in flight when something went wrong: rerun one at a time.
        let mut suspects: VecDeque<usize> = VecDeque::new();
        let mut inflight: BTreeMap<u64, InFlight> = BTreeMap::new();
        // Every id sent by the current process with its request, in id order: an id below
        // the next one that is no longer in flight was answered, and a second answer to it
        // is blamed on its request.
        let mut sent: Vec<(u64, usize)> = Vec::new();
        let mut failed_starts = 0usize;

        let mut finish = |results: &mut Vec<Option<Result<Reply, Failure>>>,
                          i: usize,
                          r: Result<Reply, Failure>,
                          done: &mut usize| {
            if let Some(slot) = results.get_mut(i) {
                if slot.is_none() {
                    *slot = Some(r);
                    *done += 1;
                    progress(*done);
                }
            }
        };

        while done < requests.len() {
            if self.proc.is_none() {
                match self.start() {
                    Ok(_) => failed_starts = 0,
                    Err(e) => {
                        failed_starts += 1;
                        let give_up = failed_starts >= MAX_FAILED_STARTS;
                        // The next request pays for the failed restart; after several in a
                        // row every remaining request does.
                        let victims: Vec<usize> = if give_up {
                            suspects.drain(..).chain(queue.drain(..)).collect()
                        } else {
                            suspects
                                .pop_front()
                                .or_else(|| queue.pop_front())
                                .into_iter()
                                .collect()
                        };
                        for i in victims {
                            finish(
                                &mut results,
                                i,
                                Err(Failure::Crashed(format!("could not restart: {e}"))),
                                &mut done,
                            );
                        }
                        continue;
                    }
                }
                sent.clear();
            }
            let lockstep = !suspects.is_empty();
            let window = if lockstep {
                1
            } else {
                self.options.window.max(1)
            };
            let mut batch = Vec::new();
            while inflight.len() < window {
                let next = if lockstep {
                    suspects.pop_front()
                } else {
                    queue.pop_front()
                };
                let Some(i) = next else { break };
                let Some((op, args)) = requests.get(i) else {
                    continue;
                };
                let id = self.next_id;
                self.next_id += 1;
                // Writing to a Vec cannot fail.
                let _ = protocol::write_request(&mut batch, id, op, args);
                sent.push((id, i));
                inflight.insert(
                    id,
                    InFlight {
                        index: i,
                        sent: Instant::now(),
                    },
                );
            }
            let Some(proc) = self.proc.as_mut() else {
                continue;
            };
            if !batch.is_empty() {
                // A closed stdin means the process is gone; the reader reports it.
                let _ = proc.to_stdin.send(batch);
            }
            let Some(oldest) = inflight.values().map(|f| f.sent).min() else {
                continue;
            };
            let wait = (oldest + self.options.timeout).saturating_duration_since(Instant::now());
            let failure = match proc.events.recv_timeout(wait) {
                Ok(Event::Lines(lines)) => {
                    let mut failure = None;
                    for line in lines {
                        match protocol::parse_reply(&line) {
                            Ok((id, reply)) => {
                                if let Some(f) = inflight.remove(&id) {
                                    finish(&mut results, f.index, Ok(reply), &mut done);
                                } else if let Some(index) = sent
                                    .binary_search_by_key(&id, |(i, _)| *i)
                                    .ok()
                                    .and_then(|k| sent.get(k))
                                    .map(|(_, index)| *index)
                                {
                                    // The request that drew two answers is the one at fault.
                                    let why = format!("a second reply with id {id}");
                                    if let Some(slot) = results.get_mut(index) {
                                        *slot = Some(Err(Failure::ProtocolError(why.clone())));
                                    }
                                    failure = Some(Failure::ProtocolError(why));
                                    break;
                                } else {
                                    failure = Some(Failure::ProtocolError(format!(
                                        "a reply with unknown id {id}"
                                    )));
                                    break;
                                }
                            }
                            Err(why) => {
                                failure = Some(Failure::ProtocolError(why));
                                break;
                            }
                        }
                    }
                    failure
                }
                Ok(Event::Violation(why)) => Some(Failure::ProtocolError(why)),
                Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => Some(self.crash_report()),
                Err(RecvTimeoutError::Timeout) => Some(Failure::Timeout(self.options.timeout)),
            };
            if let Some(failure) = failure {
                if self.proc.is_some() {
                    self.stop();
                }
                let in_flight: Vec<usize> = std::mem::take(&mut inflight)
                    .into_values()
                    .map(|f| f.index)
                    .collect();
                let blamed_elsewhere = matches!(&failure, Failure::ProtocolError(m) if m.starts_with("a second reply"));
                if let ([only], false) = (in_flight.as_slice(), blamed_elsewhere) {
                    finish(&mut results, *only, Err(failure), &mut done);
                } else {
                    // Not knowing which request caused it, run each again on its own.
                    for i in in_flight.into_iter().rev() {
                        suspects.push_front(i);
                    }
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(Failure::ProtocolError("no result".into()))))
            .collect()
    }
}

impl Drop for Subprocess {
    fn drop(&mut self) {
        // Close stdin and let the process exit on its own, as PROTOCOL.md asks of it.
        if let Some(mut p) = self.proc.take() {
            drop(p.to_stdin);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if matches!(p.child.try_wait(), Ok(Some(_))) {
                    return;
                }
                thread::sleep(Duration::from_millis(10));
            }
            let _ = p.child.kill();
            let _ = p.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_text_respects_char_boundaries() {
        assert_eq!(tail_text("héllo", 4), "llo");
        assert_eq!(tail_text("abc", 10), "abc");
    }
}
