//! An implementation under test in a child process, spoken to over docs/PROTOCOL.md.
//!
//! Requests are pipelined up to a window. When anything goes wrong (the process exits or
//! crashes, makes no progress within the timeout, writes a line that breaks the protocol) the
//! harness records an [`Incident`], kills the process and its process group, restarts it, and
//! reruns the requests that were in flight one at a time. A request whose lone rerun goes
//! wrong is run once more as the first request of a fresh process; if that goes wrong too,
//! the incident is pinned to it and it gets the outcome. Every request ends with exactly one
//! result, and every incident is kept, reproduced or not.

use super::incident::{excerpt, InFlight as InFlightRecord, Incident, IncidentKind};
use super::incident::{LINE_EXCERPT, STDERR_EXCERPT};
use super::Implementation;
use crate::protocol::{self, Failure, Hello, Reply};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How much of a process's stderr is kept for the report.
pub const STDERR_TAIL: usize = 4096;
/// The longest stdout line accepted by default; a longer one is a protocol error
/// (`line-too-long`), never an allocation. `--max-line` raises it.
pub const DEFAULT_MAX_LINE: usize = 16 << 20;
/// Past this, a line's buffer grows straight to the maximum line length.
const LONG_LINE: usize = 1 << 20;
/// Consecutive failed starts after which the remaining requests are given up.
const MAX_FAILED_STARTS: usize = 3;
/// Batches of stdout lines the reader may hold before it waits for the harness: with the
/// line limit, this bounds what a flood of stdout can cost.
const EVENT_QUEUE: usize = 4;
/// How long a batch that reran requests alone waits for a stray second reply at its end.
const SETTLE: Duration = Duration::from_millis(100);
/// How long a process gets to exit after its stdin is closed (PROTOCOL.md).
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// Tuning for a child process.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time allowed without any progress: a request's reply is late when neither it nor any
    /// other reply arrived within this long of its sending.
    pub timeout: Duration,
    /// Requests kept in flight.
    pub window: usize,
    /// The longest stdout line accepted, in bytes.
    pub max_line: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            window: 64,
            max_line: DEFAULT_MAX_LINE,
        }
    }
}

enum Event {
    Lines(Vec<String>),
    TooLong(String),
    ReadError(String),
    Eof,
}

struct Proc {
    child: Child,
    to_stdin: Sender<Vec<u8>>,
    events: Receiver<Event>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    stderr_done: Receiver<()>,
    /// When the process last made progress: started, or replied.
    progress: Instant,
}

/// An answered request of the current process, remembered so a second reply is recognised.
struct Answered {
    batch: u64,
    index: usize,
    op: String,
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
    incidents: Vec<Incident>,
    /// Ids answered by the current process in this batch and the one before.
    answered: BTreeMap<u64, Answered>,
    batch: u64,
}

/// How a process ended when the harness stopped it.
struct Ended {
    status: Option<ExitStatus>,
    /// The harness killed it (it was still running).
    killed: bool,
}

impl Ended {
    fn describe(&self) -> String {
        match (&self.status, self.killed) {
            (Some(s), false) => s.to_string(),
            (Some(_), true) => "killed by the harness".into(),
            (None, _) => "lost the process".into(),
        }
    }

    /// The incident kind of a process that ended on its own.
    fn kind(&self) -> IncidentKind {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if !self.killed && self.status.is_some_and(|s| s.signal().is_some()) {
                return IncidentKind::Signal;
            }
        }
        IncidentKind::Exit
    }
}

impl Subprocess {
    /// Starts `command` (split into words as a shell would; no shell features) and does the
    /// handshake, trying a few times in case the process dies at start.
    pub fn spawn(command: &str) -> Result<Self, String> {
        Self::spawn_with(command, Options::default())
    }

    /// [`Subprocess::spawn`] with explicit options. A failed start that a later attempt gets
    /// past is kept as an incident.
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
            incidents: Vec::new(),
            answered: BTreeMap::new(),
            batch: 0,
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

    /// The options it runs with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Starts a process and does the handshake; a failure is recorded as an incident.
    fn start(&mut self) -> Result<Hello, String> {
        let (program, args) = self.argv.split_first().ok_or("empty command")?;
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            // A group of its own, so whatever it starts dies with it.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {program:?}: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin pipe")?;
        let stdout = child.stdout.take().ok_or("no stdout pipe")?;
        let stderr = child.stderr.take().ok_or("no stderr pipe")?;
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let stderr_done = spawn_stderr_reader(stderr, Arc::clone(&tail));
        let (to_stdin, stdin_rx) = mpsc::channel::<Vec<u8>>();
        thread::spawn(move || write_stdin(stdin, stdin_rx));
        let (events_tx, events) = mpsc::sync_channel(EVENT_QUEUE);
        let max_line = self.options.max_line.max(1);
        thread::spawn(move || read_stdout(stdout, events_tx, max_line));
        self.proc = Some(Proc {
            child,
            to_stdin,
            events,
            stderr: tail,
            stderr_done,
            progress: Instant::now(),
        });
        self.answered.clear();
        self.restarts += 1;
        // The handshake is request 0 of every process.
        match self.handshake() {
            Ok(hello) => Ok(hello),
            Err(mut incident) => {
                let ended = self.stop(incident.kind != IncidentKind::Exit);
                if incident.kind == IncidentKind::Exit {
                    incident.kind = ended.kind();
                    incident.what = format!(
                        "the process ended during the handshake ({})",
                        ended.describe()
                    );
                }
                incident.ended = Some(ended.describe());
                incident.stderr_tail = tail_text(&self.last_stderr, STDERR_EXCERPT);
                let why = if incident.stderr_tail.is_empty() {
                    incident.what.clone()
                } else {
                    format!("{}; stderr: {}", incident.what, incident.stderr_tail)
                };
                self.incidents.push(*incident);
                Err(why)
            }
        }
    }

    fn handshake(&mut self) -> Result<Hello, Box<Incident>> {
        let hello_incident = |kind, what: String, line: Option<String>| {
            Box::new(Incident {
                kind,
                op: protocol::HELLO.into(),
                what,
                ended: None,
                line,
                id: None,
                culprit: None,
                in_flight: Vec::new(),
                stderr_tail: String::new(),
                reproduced_by: Vec::new(),
            })
        };
        let Some(proc) = self.proc.as_mut() else {
            return Err(hello_incident(
                IncidentKind::Exit,
                "not running".into(),
                None,
            ));
        };
        let mut line = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = protocol::write_hello_request(&mut line);
        let _ = proc.to_stdin.send(line);
        let deadline = Instant::now() + self.options.timeout;
        let text = loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            match proc.events.recv_timeout(wait) {
                Ok(Event::Lines(lines)) => match lines.into_iter().next() {
                    Some(l) => break l,
                    None => continue,
                },
                Ok(Event::TooLong(head)) => {
                    return Err(hello_incident(
                        IncidentKind::LineTooLong,
                        format!(
                            "handshake: a stdout line longer than {} bytes",
                            self.options.max_line
                        ),
                        Some(head),
                    ))
                }
                Ok(Event::ReadError(e)) => {
                    return Err(hello_incident(IncidentKind::Exit, e, None));
                }
                Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    return Err(hello_incident(IncidentKind::Exit, String::new(), None));
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(hello_incident(
                        IncidentKind::Timeout,
                        format!(
                            "no handshake reply within {} ms",
                            self.options.timeout.as_millis()
                        ),
                        None,
                    ))
                }
            }
        };
        protocol::parse_hello(&text).map_err(|e| {
            hello_incident(
                line_kind(&text),
                format!("handshake: {e}"),
                Some(excerpt(&text, LINE_EXCERPT)),
            )
        })
    }

    /// Stops the process (killing it and its group if it still runs), collects its stderr
    /// and says how it ended. With `now`, no grace for a process that is exiting by itself.
    fn stop(&mut self, now: bool) -> Ended {
        let Some(mut p) = self.proc.take() else {
            return Ended {
                status: None,
                killed: false,
            };
        };
        drop(p.to_stdin);
        let mut killed = false;
        let status = match p.child.try_wait() {
            Ok(Some(status)) => Some(status),
            _ => {
                if !now {
                    // Give a process that is exiting on its own a moment before the kill.
                    thread::sleep(Duration::from_millis(20));
                }
                if !matches!(p.child.try_wait(), Ok(Some(_))) {
                    let _ = p.child.kill();
                    killed = true;
                }
                p.child.wait().ok()
            }
        };
        kill_group(&p.child);
        let _ = p.stderr_done.recv_timeout(Duration::from_millis(500));
        let tail = p
            .stderr
            .lock()
            .map(|t| t.iter().copied().collect::<Vec<u8>>())
            .unwrap_or_default();
        self.last_stderr = String::from_utf8_lossy(&tail).trim().to_owned();
        Ended { status, killed }
    }

    /// Closes stdin, lets the process exit, and records any stdout it writes on the way
    /// out: a reply after the last request is a second reply or one to an unknown id.
    pub fn shut_down(&mut self) {
        let Some(proc) = self.proc.as_mut() else {
            return;
        };
        // Dropping the sender closes stdin once the writer has flushed.
        let (dead, _) = mpsc::channel();
        drop(std::mem::replace(&mut proc.to_stdin, dead));
        let deadline = Instant::now() + EXIT_GRACE;
        let mut late = Vec::new();
        loop {
            let wait = deadline.saturating_duration_since(Instant::now());
            match proc.events.recv_timeout(wait) {
                Ok(Event::Lines(lines)) => late.extend(lines),
                Ok(Event::TooLong(head)) => {
                    late.push(head);
                    break;
                }
                _ => break,
            }
        }
        self.stop(false);
        for line in late {
            let (kind, what, id, op) = match protocol::parse_reply(&line) {
                Ok((id, _)) => match self.answered.get(&id) {
                    Some(a) => (
                        IncidentKind::RepeatedId,
                        format!("a second reply with id {id}, after the last request"),
                        Some(id),
                        a.op.clone(),
                    ),
                    None => (
                        IncidentKind::UnknownId,
                        format!("a reply with unknown id {id}, after the last request"),
                        Some(id),
                        "*".into(),
                    ),
                },
                Err(e) => (line_kind(&line), e, None, "*".into()),
            };
            self.incidents.push(Incident {
                kind,
                op,
                what,
                ended: None,
                line: Some(excerpt(&line, LINE_EXCERPT)),
                id,
                culprit: None,
                in_flight: Vec::new(),
                stderr_tail: tail_text(&self.last_stderr, STDERR_EXCERPT),
                reproduced_by: Vec::new(),
            });
        }
        self.answered.clear();
    }
}

/// Kills what is left of a child's process group (its own children, grandchildren...).
fn kill_group(child: &Child) {
    #[cfg(unix)]
    {
        let pid = rustix::process::Pid::from_child(child);
        // Never pid 1: a signal to "group 1" would go to every process we may signal.
        if pid.as_raw_nonzero().get() > 1 {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
    #[cfg(not(unix))]
    let _ = child;
}

/// Whether a line that is not a reply is JSON at all.
fn line_kind(line: &str) -> IncidentKind {
    if serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok() {
        IncidentKind::BadReply
    } else {
        IncidentKind::NotJson
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
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            let Ok(mut t) = tail.lock() else { break };
            let fresh = buf
                .get(n.saturating_sub(STDERR_TAIL)..n)
                .unwrap_or_default();
            t.extend(fresh);
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

/// Line buffers of readers that are done, for the next reader: a target that keeps writing
/// long lines then costs one buffer per job, not whatever the allocator keeps of each.
static SPARE_LINES: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());

/// A line buffer from [`SPARE_LINES`], given back when dropped.
struct LineBuffer(Vec<u8>);

impl LineBuffer {
    fn take() -> Self {
        let spare = SPARE_LINES.lock().ok().and_then(|mut s| s.pop());
        LineBuffer(spare.unwrap_or_default())
    }
}

impl Drop for LineBuffer {
    fn drop(&mut self) {
        let mut line = std::mem::take(&mut self.0);
        line.clear();
        if let Ok(mut spare) = SPARE_LINES.lock() {
            spare.push(line);
        }
    }
}

fn read_stdout(stdout: impl Read, tx: SyncSender<Event>, max_line: usize) {
    let mut buffer = LineBuffer::take();
    let last = read_lines(stdout, &tx, max_line, &mut buffer.0);
    // The buffer goes back before the harness hears why reading stopped, so the reader of
    // the restarted process finds it.
    drop(buffer);
    if let Some(last) = last {
        let _ = tx.send(last);
    }
}

/// Hands lines over in batches until the end, a line too long or a read error, and
/// returns that last event (none when the harness stopped listening).
fn read_lines(
    stdout: impl Read,
    tx: &SyncSender<Event>,
    max_line: usize,
    line: &mut Vec<u8>,
) -> Option<Event> {
    let mut reader = BufReader::with_capacity(1 << 16, stdout);
    let mut batch = Vec::new();
    loop {
        line.clear();
        let last = match read_bounded_line(&mut reader, line, max_line) {
            Ok(0) => Event::Eof,
            Ok(_) => {
                let text = String::from_utf8_lossy(line)
                    .trim_end_matches(['\n', '\r'])
                    .to_owned();
                if !text.trim().is_empty() {
                    batch.push(text);
                }
                // Hand over a batch once nothing more is already buffered.
                if !reader.buffer().contains(&b'\n')
                    && !batch.is_empty()
                    && tx.send(Event::Lines(std::mem::take(&mut batch))).is_err()
                {
                    return None;
                }
                continue;
            }
            Err(LineError::TooLong) => {
                let head = line.get(..LINE_EXCERPT * 4).unwrap_or(line);
                Event::TooLong(excerpt(&String::from_utf8_lossy(head), LINE_EXCERPT))
            }
            Err(LineError::Read(e)) => Event::ReadError(e),
        };
        if !batch.is_empty() && tx.send(Event::Lines(batch)).is_err() {
            return None;
        }
        return Some(last);
    }
}

enum LineError {
    TooLong,
    Read(String),
}

/// Reads one line of at most `max` bytes (newline excluded); 0 at end of input. Past `max`
/// it stops reading, so memory stays within `max` plus one buffer.
fn read_bounded_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
) -> Result<usize, LineError> {
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) => return Err(LineError::Read(format!("cannot read stdout: {e}"))),
        };
        if buf.is_empty() {
            return Ok(line.len());
        }
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (buf.get(..=i).unwrap_or(buf), true),
            None => (buf, false),
        };
        let n = chunk.len();
        let content = n - usize::from(done);
        if line.len() + content > max {
            let room = max.saturating_sub(line.len());
            line.extend_from_slice(chunk.get(..room).unwrap_or_default());
            return Err(LineError::TooLong);
        }
        if line.len() + n > line.capacity() && line.len() + n > LONG_LINE {
            // A long line: room for the longest allowed at once, rather than doubling into
            // it (which briefly holds both the old and the new buffer).
            line.reserve_exact(max.saturating_sub(line.len()) + 1);
        }
        line.extend_from_slice(chunk);
        reader.consume(n);
        if done {
            return Ok(line.len());
        }
    }
}

/// A request sent and not yet answered.
struct Sent {
    index: usize,
    at: Instant,
    suspect: Option<Suspect>,
}

/// A request to be run alone, and why.
#[derive(Clone)]
struct Suspect {
    index: usize,
    /// The incidents (indexes into this batch's list) that made it a suspect.
    causes: Vec<usize>,
    /// Its lone run went wrong: it runs next as the first request of a fresh process, and is
    /// pinned if that goes wrong too.
    confirm: bool,
}

/// The state of one `call_named` batch.
struct Batch<'a> {
    results: Vec<Option<Result<Reply, Failure>>>,
    done: usize,
    progress: &'a mut dyn FnMut(usize),
    /// Suspects whose lone run answered, kept until the batch ends in case a second reply
    /// to them arrives.
    answered_alone: BTreeMap<usize, Suspect>,
    incidents: Vec<Incident>,
}

impl Batch<'_> {
    fn finish(&mut self, i: usize, r: Result<Reply, Failure>) {
        if let Some(slot) = self.results.get_mut(i) {
            if slot.is_none() {
                *slot = Some(r);
                self.done += 1;
                (self.progress)(self.done);
            }
        }
    }

    fn unfinish(&mut self, i: usize) {
        if let Some(slot) = self.results.get_mut(i) {
            if slot.take().is_some() {
                self.done -= 1;
            }
        }
    }
}

/// What went wrong while waiting, before it becomes an incident.
struct Trouble {
    kind: IncidentKind,
    what: String,
    line: Option<String>,
    id: Option<u64>,
    /// Index of the request whose id was answered twice, in this batch.
    culprit: Option<usize>,
    /// The culprit, described, when it is from an earlier batch.
    culprit_elsewhere: Option<(String, String)>,
}

impl Trouble {
    fn new(kind: IncidentKind, what: String) -> Self {
        Trouble {
            kind,
            what,
            line: None,
            id: None,
            culprit: None,
            culprit_elsewhere: None,
        }
    }
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
        self.call_named(requests, &|i| format!("request {i}"), progress)
    }

    fn call_named(
        &mut self,
        requests: &[(&str, &Value)],
        names: &dyn Fn(usize) -> String,
        progress: &mut dyn FnMut(usize),
    ) -> Vec<Result<Reply, Failure>> {
        self.batch += 1;
        let this_batch = self.batch;
        self.answered.retain(|_, a| a.batch + 1 >= this_batch);
        let mut b = Batch {
            results: vec![None; requests.len()],
            done: 0,
            progress,
            answered_alone: BTreeMap::new(),
            incidents: Vec::new(),
        };
        let mut queue: VecDeque<usize> = (0..requests.len()).collect();
        let mut suspects: VecDeque<Suspect> = VecDeque::new();
        let mut inflight: BTreeMap<u64, Sent> = BTreeMap::new();
        let mut failed_starts = 0usize;
        let op_of = |i: usize| requests.get(i).map(|(op, _)| *op).unwrap_or_default();

        let mut settled = false;
        loop {
            // Once every request has its result, a batch that reran requests alone waits a
            // moment for a second reply to the last of them, which nothing else would catch.
            let settling = b.done >= requests.len();
            if settling {
                if settled || b.answered_alone.is_empty() || self.proc.is_none() {
                    break;
                }
                settled = true;
            }
            if self.proc.is_none() {
                let before = self.incidents.len();
                let started = self.start();
                // A failed restart is this batch's incident.
                b.incidents.extend(self.incidents.drain(before..));
                match started {
                    Ok(_) => failed_starts = 0,
                    Err(e) => {
                        failed_starts += 1;
                        if failed_starts >= MAX_FAILED_STARTS {
                            // Nothing can run any more: every remaining request says why.
                            let left: Vec<usize> = suspects
                                .drain(..)
                                .map(|s| s.index)
                                .chain(queue.drain(..))
                                .collect();
                            for i in left {
                                b.finish(
                                    i,
                                    Err(Failure::Crashed(format!("could not restart: {e}"))),
                                );
                            }
                        }
                        continue;
                    }
                }
            }
            // One request at a time while any suspect is left or still in flight.
            let lockstep = !suspects.is_empty() || inflight.values().any(|s| s.suspect.is_some());
            let mut wire = Vec::new();
            if lockstep {
                if inflight.is_empty() {
                    if let Some(s) = suspects.pop_front() {
                        self.send(&mut wire, &mut inflight, requests, s.index, Some(s));
                    }
                }
            } else {
                while inflight.len() < self.options.window.max(1) {
                    let Some(i) = queue.pop_front() else { break };
                    self.send(&mut wire, &mut inflight, requests, i, None);
                }
            }
            let Some(proc) = self.proc.as_mut() else {
                continue;
            };
            if !wire.is_empty() {
                // A closed stdin means the process is gone; the reader reports it.
                let _ = proc.to_stdin.send(wire);
            }
            let wait = match inflight.values().map(|f| f.at).min() {
                Some(oldest) => {
                    let since = oldest.max(proc.progress);
                    (since + self.options.timeout).saturating_duration_since(Instant::now())
                }
                None if settling => SETTLE.min(self.options.timeout),
                None => continue,
            };
            let trouble = match proc.events.recv_timeout(wait) {
                Ok(Event::Lines(lines)) => {
                    let mut trouble = None;
                    for line in lines {
                        match protocol::parse_reply(&line) {
                            Ok((id, reply)) => {
                                if let Some(p) = self.proc.as_mut() {
                                    p.progress = Instant::now();
                                }
                                if let Some(f) = inflight.remove(&id) {
                                    self.answered.insert(
                                        id,
                                        Answered {
                                            batch: this_batch,
                                            index: f.index,
                                            op: op_of(f.index).to_owned(),
                                        },
                                    );
                                    if let Some(s) = f.suspect {
                                        b.answered_alone.insert(f.index, s);
                                    }
                                    b.finish(f.index, Ok(reply));
                                    continue;
                                }
                                let mut t = match self.answered.get(&id) {
                                    Some(a) => {
                                        let mut t = Trouble::new(
                                            IncidentKind::RepeatedId,
                                            format!("a second reply with id {id}"),
                                        );
                                        if a.batch == this_batch {
                                            t.culprit = Some(a.index);
                                        } else {
                                            t.culprit_elsewhere = Some((
                                                format!("request id {id} of an earlier batch"),
                                                a.op.clone(),
                                            ));
                                        }
                                        t
                                    }
                                    None => Trouble::new(
                                        IncidentKind::UnknownId,
                                        format!("a reply with unknown id {id}"),
                                    ),
                                };
                                t.id = Some(id);
                                t.line = Some(excerpt(&line, LINE_EXCERPT));
                                trouble = Some(t);
                                break;
                            }
                            Err(why) => {
                                let mut t = Trouble::new(line_kind(&line), why);
                                t.line = Some(excerpt(&line, LINE_EXCERPT));
                                trouble = Some(t);
                                break;
                            }
                        }
                    }
                    trouble
                }
                Ok(Event::TooLong(head)) => {
                    let mut t = Trouble::new(
                        IncidentKind::LineTooLong,
                        format!(
                            "a stdout line longer than {} bytes (--max-line)",
                            self.options.max_line
                        ),
                    );
                    t.line = Some(head);
                    Some(t)
                }
                Ok(Event::ReadError(e)) => Some(Trouble::new(IncidentKind::Exit, e)),
                Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    Some(Trouble::new(IncidentKind::Exit, String::new()))
                }
                Err(RecvTimeoutError::Timeout) if settling => None,
                Err(RecvTimeoutError::Timeout) => Some(Trouble::new(
                    IncidentKind::Timeout,
                    format!("no reply within {} ms", self.options.timeout.as_millis()),
                )),
            };
            let Some(mut t) = trouble else { continue };
            settled = false;

            // Record the incident with what was in flight, then decide who runs again.
            let ended = self.stop(t.kind != IncidentKind::Exit);
            if t.kind == IncidentKind::Exit {
                t.kind = ended.kind();
                let how = ended.describe();
                t.what = if t.what.is_empty() {
                    format!("the process ended ({how})")
                } else {
                    format!("{} ({how})", t.what)
                };
            }
            let stderr_tail = tail_text(&self.last_stderr, STDERR_EXCERPT);
            let sent: Vec<(u64, Sent)> = std::mem::take(&mut inflight).into_iter().collect();
            let mut ops: Vec<&str> = sent.iter().map(|(_, s)| op_of(s.index)).collect();
            ops.sort_unstable();
            ops.dedup();
            let op = match (&t.culprit, &t.culprit_elsewhere, ops.as_slice()) {
                (Some(c), _, _) => op_of(*c).to_owned(),
                (None, Some((_, op)), _) => op.clone(),
                (None, None, [one]) => (*one).to_owned(),
                (None, None, _) => "*".to_owned(),
            };
            let detail = if stderr_tail.is_empty() {
                t.what.clone()
            } else {
                format!("{}; stderr: {stderr_tail}", t.what)
            };
            let failure = t.kind.failure(&detail, self.options.timeout);
            let this = b.incidents.len();
            b.incidents.push(Incident {
                kind: t.kind,
                op,
                what: t.what,
                ended: Some(ended.describe()),
                line: t.line,
                id: t.id,
                culprit: t
                    .culprit
                    .map(names)
                    .or(t.culprit_elsewhere.map(|(name, _)| name)),
                in_flight: sent
                    .iter()
                    .map(|(id, s)| InFlightRecord {
                        id: *id,
                        name: names(s.index),
                    })
                    .collect(),
                stderr_tail,
                reproduced_by: Vec::new(),
            });

            // Who is to blame: the request answered twice, or whatever was in flight.
            let mut blamed: Vec<(usize, Option<Suspect>)> = Vec::new();
            if let Some(c) = t.culprit {
                b.unfinish(c);
                blamed.push((c, b.answered_alone.remove(&c)));
            }
            blamed.extend(sent.into_iter().map(|(_, s)| (s.index, s.suspect)));
            let alone = lockstep && blamed.len() == 1;
            let mut again: Vec<Suspect> = Vec::new();
            for (i, was) in blamed {
                let mut causes = was.as_ref().map(|s| s.causes.clone()).unwrap_or_default();
                causes.push(this);
                match was {
                    Some(s) if s.confirm && (alone || t.culprit == Some(i)) => {
                        // Alone, on a fresh process, twice: it is this request's doing.
                        let name = names(i);
                        for c in &causes {
                            if let Some(inc) = b.incidents.get_mut(*c) {
                                inc.reproduced_by.push(name.clone());
                            }
                        }
                        b.finish(i, Err(failure.clone()));
                    }
                    Some(_) if alone || t.culprit == Some(i) => again.push(Suspect {
                        index: i,
                        causes,
                        confirm: true,
                    }),
                    _ => again.push(Suspect {
                        index: i,
                        causes,
                        confirm: false,
                    }),
                }
            }
            // Confirmations first, so each is the first request of the next process.
            again.sort_by_key(|s| (!s.confirm, s.index));
            for s in again.into_iter().rev() {
                suspects.push_front(s);
            }
        }
        self.incidents.append(&mut b.incidents);
        b.results
            .into_iter()
            .map(|r| r.unwrap_or(Err(Failure::ProtocolError("no result".into()))))
            .collect()
    }

    fn take_incidents(&mut self) -> Vec<Incident> {
        std::mem::take(&mut self.incidents)
    }

    fn close(&mut self) {
        self.shut_down();
    }
}

impl Subprocess {
    fn send(
        &mut self,
        wire: &mut Vec<u8>,
        inflight: &mut BTreeMap<u64, Sent>,
        requests: &[(&str, &Value)],
        index: usize,
        suspect: Option<Suspect>,
    ) {
        let Some((op, args)) = requests.get(index) else {
            return;
        };
        let id = self.next_id;
        self.next_id += 1;
        // Writing to a Vec cannot fail.
        let _ = protocol::write_request(wire, id, op, args);
        inflight.insert(
            id,
            Sent {
                index,
                at: Instant::now(),
                suspect,
            },
        );
    }
}

impl Drop for Subprocess {
    fn drop(&mut self) {
        // Close stdin and let the process exit on its own, as PROTOCOL.md asks of it.
        if let Some(mut p) = self.proc.take() {
            drop(p.to_stdin);
            let deadline = Instant::now() + EXIT_GRACE;
            while Instant::now() < deadline {
                if matches!(p.child.try_wait(), Ok(Some(_))) {
                    break;
                }
                thread::sleep(Duration::from_millis(10));
            }
            if !matches!(p.child.try_wait(), Ok(Some(_))) {
                let _ = p.child.kill();
                let _ = p.child.wait();
            }
            kill_group(&p.child);
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

    #[test]
    fn a_line_past_the_limit_stops_the_read() {
        let mut r = BufReader::with_capacity(4, &b"0123456789\nab\n"[..]);
        let mut line = Vec::new();
        assert!(matches!(
            read_bounded_line(&mut r, &mut line, 6),
            Err(LineError::TooLong)
        ));
        assert!(line.len() <= 6, "{}", line.len());
        let mut r = &b"012345\nab"[..];
        line.clear();
        assert_eq!(read_bounded_line(&mut r, &mut line, 6).ok(), Some(7));
        line.clear();
        assert_eq!(read_bounded_line(&mut r, &mut line, 6).ok(), Some(2));
        line.clear();
        assert_eq!(read_bounded_line(&mut r, &mut line, 6).ok(), Some(0));
    }

    #[test]
    fn lines_are_classified() {
        assert_eq!(line_kind("this is not json"), IncidentKind::NotJson);
        assert_eq!(line_kind("{\"id\": 1}"), IncidentKind::BadReply);
    }
}
