//! The producer × consumer matrix: what one consumer did with one produced message (a case),
//! and the cells that sum the cases of one test for one producer and one consumer.
//!
//! Everything here is plain data and plain functions, so the judging is tested without
//! processes; `run` feeds it replies.

use super::inputs::{Expect, Input, Test};
use crate::protocol::{Failure, Reply};
use crate::wire::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The interop report's format version (docs/REPORTS.md).
pub const INTEROP_VERSION: u32 = 1;

/// Plaintexts and outputs longer than this are cut in what a side said (the produced message
/// itself is always kept whole).
pub const SAID_OUTPUT_MAX: usize = 256;

/// One implementation in the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// The name given on the command line (`NAME=CMD`); `reference` for the reference.
    pub name: String,
    /// The command, or `reference (in process)`.
    pub target: String,
    /// The handshake's name and version.
    pub implementation: String,
    /// The ops it lists.
    pub ops: Vec<String>,
    /// How often its process was restarted (after a crash, a hang or a protocol violation).
    #[serde(default)]
    pub restarts: usize,
}

/// What one side said, as much as an example needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    /// `ok`, `error`, `unsupported`, `crashed`, `timeout` or `protocol-error`.
    pub kind: String,
    /// The canonical stage of an error, if the implementation named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Its own error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Its error message, the unsupported reason, or what went wrong with the process.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// For a consumer that opened to something else: the hex it gave (cut at
    /// [`SAID_OUTPUT_MAX`] bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The length in bytes of that output, when it was cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_len: Option<usize>,
}

impl Said {
    /// What a reply (or the lack of one) says.
    pub fn of(reply: &Result<Reply, Failure>) -> Said {
        match reply {
            Ok(Reply::Ok(_)) => Said {
                kind: "ok".into(),
                ..Said::default()
            },
            Ok(Reply::Error {
                message,
                code,
                stage,
            }) => Said {
                kind: "error".into(),
                stage: *stage,
                code: code.clone(),
                message: message.clone(),
                ..Said::default()
            },
            Ok(Reply::Unsupported(why)) => Said {
                kind: "unsupported".into(),
                message: why.clone(),
                ..Said::default()
            },
            Err(f) => Said {
                kind: match f {
                    Failure::Crashed(_) => "crashed",
                    Failure::Timeout(_) => "timeout",
                    Failure::ProtocolError(_) => "protocol-error",
                }
                .into(),
                message: f.to_string(),
                ..Said::default()
            },
        }
    }

    fn with_output(mut self, hex: &str) -> Said {
        let len = hex.len() / 2;
        if len > SAID_OUTPUT_MAX {
            self.output = Some(hex.chars().take(2 * SAID_OUTPUT_MAX).collect());
            self.output_len = Some(len);
        } else {
            self.output = Some(hex.to_owned());
        }
        self
    }
}

/// What a producer did with an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Produced {
    /// It made a message.
    Made,
    /// It refused, as the format says it must (Themis's empty message).
    RefusedAsDefined,
    /// It refused an input the format allows.
    Refused,
    /// It made a message the format does not define (an empty signed message).
    MadeUndefined,
    /// It lists no such op, or answered `unsupported`.
    NotSupported,
    /// The process died, hung, broke the protocol or answered without the message.
    Broken,
}

/// One producer's answer to one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Production {
    /// The input id.
    pub input: String,
    /// The producer's name.
    pub producer: String,
    /// Which repetition (0-based) when each input is produced several times.
    pub repeat: usize,
    /// What it did.
    pub result: Produced,
    /// The message it made, hex, whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// What it said.
    pub said: Said,
}

/// The arg of the producer op's `ok` that carries the message.
pub fn produced_field(op: &str) -> &'static str {
    match op {
        "mixin.encrypt" => "body",
        "themis.sign" => "signed",
        _ => "encrypted",
    }
}

/// The arg of the consumer op's `ok` that carries the plaintext.
pub fn opened_field(op: &str) -> &'static str {
    if op == "mixin.decrypt" {
        "plaintext"
    } else {
        "message"
    }
}

/// Judges a producer's reply to `input` (`None`: the producer does not list the op).
pub fn judge_production(
    input: &Input,
    producer: &str,
    repeat: usize,
    reply: Option<&Result<Reply, Failure>>,
) -> Production {
    let mut p = Production {
        input: input.id.clone(),
        producer: producer.into(),
        repeat,
        result: Produced::NotSupported,
        output: None,
        said: Said::default(),
    };
    let Some(reply) = reply else {
        p.said = Said {
            kind: "unsupported".into(),
            message: format!("{producer} does not list {}", input.op),
            ..Said::default()
        };
        return p;
    };
    p.said = Said::of(reply);
    p.result = match (reply, input.expect) {
        (Ok(Reply::Ok(ok)), expect) => {
            match ok.get(produced_field(&input.op)).and_then(Value::as_str) {
                Some(hex) if crate::wire::from_hex(hex).is_ok() => {
                    p.output = Some(hex.to_ascii_lowercase());
                    match expect {
                        Expect::Open => Produced::Made,
                        Expect::Refuse { .. } => Produced::MadeUndefined,
                    }
                }
                _ => {
                    p.said.message = format!(
                        "ok without a hex {:?}: {}",
                        produced_field(&input.op),
                        short(&ok.to_string())
                    );
                    Produced::Broken
                }
            }
        }
        (Ok(Reply::Error { .. }), Expect::Refuse { .. }) => Produced::RefusedAsDefined,
        (Ok(Reply::Error { .. }), Expect::Open) => Produced::Refused,
        (Ok(Reply::Unsupported(_)), _) => Produced::NotSupported,
        (Err(_), _) => Produced::Broken,
    };
    p
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(200).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// What one consumer did with one produced message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseResult {
    /// Opened to the right plaintext.
    Opened,
    /// The producer refused, as the format says it must: nothing to open.
    RefusedAsDefined,
    /// A message the format does not define (made anyway), rejected as it must be.
    RejectedAsDefined,
    /// Rejected a message made from a valid input.
    Rejected,
    /// Opened to something other than the plaintext (or opened an undefined message).
    OpenedWrong,
    /// The consumer process died, hung or broke the protocol.
    Crashed,
    /// The consumer lacks the op (or answered `unsupported`).
    NotSupported,
    /// The producer made nothing: it refused a valid input, lacks the op, or broke.
    NotProduced,
}

impl CaseResult {
    /// Every result, in the order tables show them.
    pub const ALL: [CaseResult; 8] = [
        CaseResult::Opened,
        CaseResult::RefusedAsDefined,
        CaseResult::RejectedAsDefined,
        CaseResult::Rejected,
        CaseResult::OpenedWrong,
        CaseResult::Crashed,
        CaseResult::NotSupported,
        CaseResult::NotProduced,
    ];

    /// The label of the JSON report.
    pub fn label(self) -> &'static str {
        match self {
            CaseResult::Opened => "opened",
            CaseResult::RefusedAsDefined => "refused-as-defined",
            CaseResult::RejectedAsDefined => "rejected-as-defined",
            CaseResult::Rejected => "rejected",
            CaseResult::OpenedWrong => "opened-wrong",
            CaseResult::Crashed => "crashed",
            CaseResult::NotSupported => "not-supported",
            CaseResult::NotProduced => "not-produced",
        }
    }

    /// Whether this is what the format asks for.
    pub fn is_right(self) -> bool {
        matches!(
            self,
            CaseResult::Opened | CaseResult::RefusedAsDefined | CaseResult::RejectedAsDefined
        )
    }

    /// Whether the consumer did something wrong with a message it was given.
    pub fn is_consumer_failure(self) -> bool {
        matches!(
            self,
            CaseResult::Rejected | CaseResult::OpenedWrong | CaseResult::Crashed
        )
    }
}

/// Who a failing case points at, judged from the reference's answer to the same message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Suspect {
    /// The producer: it refused a valid input, broke, or the reference rejects its message too.
    Producer,
    /// The consumer: the reference opens the same message, or the consumer crashed.
    Consumer,
    /// Nothing to compare with.
    Unknown,
}

/// One consumer's handling of one produced message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The input id.
    pub input: String,
    /// The repetition of the production.
    pub repeat: usize,
    /// The opening's label (`session 2 of 16`, `verify`).
    pub opening: String,
    /// What happened.
    pub result: CaseResult,
    /// What the consumer said; absent when nothing was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub said: Option<Said>,
    /// For a case that is not right: whom it points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspect: Option<Suspect>,
}

/// Judges a consumer's reply to one opening of a production. `reply` is `None` when nothing
/// was sent: the consumer lacks the op (`consumer_has_op` false), or there was no message.
pub fn judge_case(
    input: &Input,
    production: &Production,
    opening: &str,
    consumer_op: &str,
    consumer_has_op: bool,
    reply: Option<&Result<Reply, Failure>>,
) -> Case {
    let mut case = Case {
        input: input.id.clone(),
        repeat: production.repeat,
        opening: opening.into(),
        result: CaseResult::NotProduced,
        said: None,
        suspect: None,
    };
    if !consumer_has_op {
        case.result = CaseResult::NotSupported;
        return case;
    }
    match production.result {
        Produced::RefusedAsDefined => {
            case.result = CaseResult::RefusedAsDefined;
            return case;
        }
        Produced::Refused | Produced::Broken => {
            case.result = CaseResult::NotProduced;
            case.suspect = Some(Suspect::Producer);
            return case;
        }
        Produced::NotSupported => {
            case.result = CaseResult::NotSupported;
            return case;
        }
        Produced::Made | Produced::MadeUndefined => {}
    }
    let Some(reply) = reply else {
        case.result = CaseResult::NotSupported;
        return case;
    };
    let said = Said::of(reply);
    let defined = production.result == Produced::Made;
    case.result = match reply {
        Ok(Reply::Ok(ok)) => {
            let got = ok.get(opened_field(consumer_op)).and_then(Value::as_str);
            match got {
                Some(hex) if defined && hex.eq_ignore_ascii_case(&input.plaintext) => {
                    CaseResult::Opened
                }
                Some(hex) => {
                    case.said = Some(said.clone().with_output(hex));
                    CaseResult::OpenedWrong
                }
                None => {
                    case.said = Some(Said {
                        message: format!(
                            "ok without a hex {:?}: {}",
                            opened_field(consumer_op),
                            short(&ok.to_string())
                        ),
                        ..said.clone()
                    });
                    CaseResult::OpenedWrong
                }
            }
        }
        Ok(Reply::Error { .. }) if !defined => CaseResult::RejectedAsDefined,
        Ok(Reply::Error { .. }) => CaseResult::Rejected,
        Ok(Reply::Unsupported(_)) => CaseResult::NotSupported,
        Err(_) => CaseResult::Crashed,
    };
    if case.said.is_none() {
        case.said = Some(said);
    }
    if production.result == Produced::MadeUndefined {
        case.suspect = Some(Suspect::Producer);
    } else if case.result == CaseResult::Crashed {
        case.suspect = Some(Suspect::Consumer);
    }
    case
}

/// How a cell reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every case is what the format asks for.
    Ok,
    /// At least one message was rejected, opened wrong, or crashed the consumer.
    Fail,
    /// The consumer had nothing to open for at least one valid input: the producer failed.
    NotProduced,
    /// The producer or the consumer lacks the op.
    NotSupported,
}

impl Verdict {
    /// The label of the JSON report.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Fail => "fail",
            Verdict::NotProduced => "not-produced",
            Verdict::NotSupported => "not-supported",
        }
    }

    /// Whether CI must find the cell in the expectations file.
    pub fn is_failure(self) -> bool {
        matches!(self, Verdict::Fail | Verdict::NotProduced)
    }
}

/// One producer × consumer cell of one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The test id.
    pub test: String,
    /// The producer's name.
    pub producer: String,
    /// The consumer's name.
    pub consumer: String,
    /// At a glance.
    pub verdict: Verdict,
    /// Cases by result label.
    pub counts: BTreeMap<String, usize>,
    /// For a failing cell: whom it points at (the most common suspect of its failing cases).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspect: Option<Suspect>,
    /// Every case.
    pub cases: Vec<Case>,
}

impl Cell {
    /// `test/producer/consumer`: the key of expectations files and of links.
    pub fn key(&self) -> String {
        cell_key(&self.test, &self.producer, &self.consumer)
    }

    /// The case to show as the example: the first that is not right, else the first.
    pub fn example(&self) -> Option<&Case> {
        self.cases
            .iter()
            .find(|c| !c.result.is_right() && c.result != CaseResult::NotSupported)
            .or_else(|| self.cases.first())
    }
}

/// `test/producer/consumer`.
pub fn cell_key(test: &str, producer: &str, consumer: &str) -> String {
    format!("{test}/{producer}/{consumer}")
}

/// Sums cases into a cell: the verdict is the worst thing that happened.
pub fn cell(test: &Test, producer: &str, consumer: &str, cases: Vec<Case>) -> Cell {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in &cases {
        *counts.entry(c.result.label().into()).or_default() += 1;
    }
    let any = |f: &dyn Fn(CaseResult) -> bool| cases.iter().any(|c| f(c.result));
    let verdict = if any(&|r| r.is_consumer_failure()) {
        Verdict::Fail
    } else if any(&|r| r == CaseResult::NotProduced) {
        Verdict::NotProduced
    } else if any(&|r| r == CaseResult::NotSupported) {
        Verdict::NotSupported
    } else {
        Verdict::Ok
    };
    let mut suspects: BTreeMap<Suspect, usize> = BTreeMap::new();
    for c in &cases {
        if let Some(s) = c.suspect {
            *suspects.entry(s).or_default() += 1;
        }
    }
    let suspect = if verdict.is_failure() {
        suspects
            .iter()
            .max_by_key(|(s, n)| (**n, std::cmp::Reverse(**s)))
            .map(|(s, _)| *s)
    } else {
        None
    };
    Cell {
        test: test.id.clone(),
        producer: producer.into(),
        consumer: consumer.into(),
        verdict,
        counts,
        suspect,
        cases,
    }
}

/// Fills in the suspect of every rejected or wrongly opened case from what the reference
/// consumer did with the same message: if the reference opened it the consumer is suspect,
/// if the reference rejected it too the producer is.
pub fn blame(cases: &mut [(String, Case)], reference: &str) {
    // (producer, input, repeat, opening) → the reference's result.
    let mut by_reference: BTreeMap<(String, String, usize, String), CaseResult> = BTreeMap::new();
    for (consumer_producer, c) in cases.iter() {
        let (consumer, producer) = split_pair(consumer_producer);
        if consumer == reference {
            by_reference.insert(
                (
                    producer.into(),
                    c.input.clone(),
                    c.repeat,
                    c.opening.clone(),
                ),
                c.result,
            );
        }
    }
    for (consumer_producer, c) in cases.iter_mut() {
        if c.suspect.is_some()
            || !matches!(c.result, CaseResult::Rejected | CaseResult::OpenedWrong)
        {
            continue;
        }
        let (consumer, producer) = split_pair(consumer_producer);
        let theirs = by_reference
            .get(&(
                producer.into(),
                c.input.clone(),
                c.repeat,
                c.opening.clone(),
            ))
            .copied();
        c.suspect = Some(match theirs {
            _ if consumer == reference => Suspect::Producer,
            Some(CaseResult::Opened) => Suspect::Consumer,
            Some(CaseResult::Rejected | CaseResult::OpenedWrong) => Suspect::Producer,
            _ => Suspect::Unknown,
        });
    }
}

/// The pair key used by [`blame`]: `consumer\u{0}producer`.
pub fn pair(consumer: &str, producer: &str) -> String {
    format!("{consumer}\u{0}{producer}")
}

fn split_pair(p: &str) -> (&str, &str) {
    p.split_once('\u{0}').unwrap_or((p, ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::inputs::Opening;
    use serde_json::json;
    use std::time::Duration;

    fn input(expect: Expect) -> Input {
        Input {
            id: "themis.sign/ec-p256/short".into(),
            test: "themis.sign/ec-p256".into(),
            op: "themis.sign".into(),
            args: json!({}),
            plaintext: "abcd".into(),
            expect,
            note: String::new(),
            openings: vec![Opening {
                label: "verify".into(),
                op: "themis.verify".into(),
                args: json!({}),
                message_arg: "signed".into(),
            }],
        }
    }

    fn test() -> Test {
        Test {
            id: "themis.sign/ec-p256".into(),
            title: String::new(),
            produce: "themis.sign".into(),
            consume: "themis.verify".into(),
            note: String::new(),
        }
    }

    const EMPTY: Expect = Expect::Refuse {
        stage: Stage::Empty,
    };

    fn made(i: &Input) -> Production {
        judge_production(i, "p", 0, Some(&Ok(Reply::Ok(json!({"signed": "00FF"})))))
    }

    #[test]
    fn productions_are_judged_against_what_the_format_defines() {
        let open = input(Expect::Open);
        let p = made(&open);
        assert_eq!(
            (p.result, p.output.as_deref()),
            (Produced::Made, Some("00ff"))
        );
        let refusal = Ok(Reply::error(
            "message must be not empty",
            None,
            Some(Stage::Empty),
        ));
        assert_eq!(
            judge_production(&input(EMPTY), "p", 0, Some(&refusal)).result,
            Produced::RefusedAsDefined
        );
        assert_eq!(
            judge_production(&open, "p", 0, Some(&refusal)).result,
            Produced::Refused
        );
        assert_eq!(made(&input(EMPTY)).result, Produced::MadeUndefined);
        assert_eq!(
            judge_production(&open, "p", 0, None).result,
            Produced::NotSupported
        );
        let crash = Err(Failure::Crashed("signal 11".into()));
        let p = judge_production(&open, "p", 0, Some(&crash));
        assert_eq!(
            (p.result, p.said.kind.as_str()),
            (Produced::Broken, "crashed")
        );
        for bad in [
            json!({"signed": "xyz"}),
            json!({"message": "00"}),
            json!({"signed": 3}),
        ] {
            let p = judge_production(&open, "p", 0, Some(&Ok(Reply::Ok(bad.clone()))));
            assert_eq!(p.result, Produced::Broken, "{bad}");
            assert!(p.said.message.contains("without a hex"), "{:?}", p.said);
        }
    }

    #[test]
    fn cases_say_opened_rejected_wrong_or_crashed() {
        let i = input(Expect::Open);
        let p = made(&i);
        let case = |reply: Result<Reply, Failure>| {
            judge_case(&i, &p, "verify", "themis.verify", true, Some(&reply))
        };
        assert_eq!(
            case(Ok(Reply::Ok(json!({"message": "ABCD"})))).result,
            CaseResult::Opened
        );
        let wrong = case(Ok(Reply::Ok(json!({"message": "abce"}))));
        assert_eq!(wrong.result, CaseResult::OpenedWrong);
        assert_eq!(wrong.said.unwrap().output.as_deref(), Some("abce"));
        let rejected = case(Ok(Reply::error(
            "bad sig",
            Some("11"),
            Some(Stage::Signature),
        )));
        assert_eq!(rejected.result, CaseResult::Rejected);
        let said = rejected.said.unwrap();
        assert_eq!(
            (said.stage, said.code.as_deref(), said.message.as_str()),
            (Some(Stage::Signature), Some("11"), "bad sig")
        );
        let crashed = case(Err(Failure::Timeout(Duration::from_secs(3))));
        assert_eq!(
            (crashed.result, crashed.suspect),
            (CaseResult::Crashed, Some(Suspect::Consumer))
        );
        assert_eq!(crashed.said.unwrap().kind, "timeout");
        assert_eq!(
            case(Ok(Reply::Unsupported("no".into()))).result,
            CaseResult::NotSupported
        );
        assert_eq!(
            judge_case(&i, &p, "verify", "themis.verify", false, None).result,
            CaseResult::NotSupported
        );
        // A consumer without the op is "not supported" even where the producer made nothing.
        let refused = judge_production(&i, "p", 0, Some(&Ok(Reply::error("no", None, None))));
        assert_eq!(
            judge_case(&i, &refused, "verify", "themis.verify", false, None).result,
            CaseResult::NotSupported
        );
        assert_eq!(
            judge_case(&i, &refused, "verify", "themis.verify", true, None).result,
            CaseResult::NotProduced
        );
        assert_eq!(
            case(Ok(Reply::Ok(json!({})))).result,
            CaseResult::OpenedWrong
        );
    }

    #[test]
    fn a_long_wrong_output_is_cut_with_its_length_kept() {
        let i = input(Expect::Open);
        let p = made(&i);
        let long = "ab".repeat(SAID_OUTPUT_MAX + 10);
        let c = judge_case(
            &i,
            &p,
            "verify",
            "themis.verify",
            true,
            Some(&Ok(Reply::Ok(json!({"message": long})))),
        );
        let said = c.said.unwrap();
        assert_eq!(said.output.unwrap().len(), 2 * SAID_OUTPUT_MAX);
        assert_eq!(said.output_len, Some(SAID_OUTPUT_MAX + 10));
    }

    #[test]
    fn refusals_the_format_defines_are_not_failures() {
        let i = input(EMPTY);
        let refused = judge_production(&i, "p", 0, Some(&Ok(Reply::error("empty", None, None))));
        let c = judge_case(&i, &refused, "verify", "themis.verify", true, None);
        assert!(c.result.is_right());
        assert_eq!(cell(&test(), "p", "c", vec![c]).verdict, Verdict::Ok);
        // Made anyway: rejecting it is right, opening it is not, and the producer is suspect.
        let p = made(&i);
        let rejected = judge_case(
            &i,
            &p,
            "verify",
            "themis.verify",
            true,
            Some(&Ok(Reply::error("m = 0", None, Some(Stage::Empty)))),
        );
        assert_eq!(rejected.result, CaseResult::RejectedAsDefined);
        let opened = judge_case(
            &i,
            &p,
            "verify",
            "themis.verify",
            true,
            Some(&Ok(Reply::Ok(json!({"message": "abcd"})))),
        );
        assert_eq!(
            (opened.result, opened.suspect),
            (CaseResult::OpenedWrong, Some(Suspect::Producer))
        );
    }

    #[test]
    fn a_cell_takes_the_worst_case() {
        let i = input(Expect::Open);
        let p = made(&i);
        let ok = judge_case(
            &i,
            &p,
            "verify",
            "themis.verify",
            true,
            Some(&Ok(Reply::Ok(json!({"message": "abcd"})))),
        );
        let bad = judge_case(
            &i,
            &p,
            "verify",
            "themis.verify",
            true,
            Some(&Err(Failure::Crashed("exit 2".into()))),
        );
        let refused = judge_production(&i, "p", 0, Some(&Ok(Reply::error("no", None, None))));
        let none = judge_case(&i, &refused, "verify", "themis.verify", true, None);
        let unsupported = judge_case(&i, &p, "verify", "themis.verify", false, None);
        let t = test();
        assert_eq!(
            cell(&t, "p", "c", vec![ok.clone(), ok.clone()]).verdict,
            Verdict::Ok
        );
        let failing = cell(&t, "p", "c", vec![ok.clone(), none.clone(), bad.clone()]);
        assert_eq!(failing.verdict, Verdict::Fail);
        assert_eq!(failing.counts["opened"], 1);
        assert_eq!(failing.counts["crashed"], 1);
        assert_eq!(
            failing.example().map(|c| c.result),
            Some(CaseResult::NotProduced)
        );
        let np = cell(&t, "p", "c", vec![ok.clone(), none]);
        assert_eq!(
            (np.verdict, np.suspect),
            (Verdict::NotProduced, Some(Suspect::Producer))
        );
        assert_eq!(
            cell(&t, "p", "c", vec![unsupported]).verdict,
            Verdict::NotSupported
        );
        assert_eq!(np.key(), "themis.sign/ec-p256/p/c");
        assert!(Verdict::Fail.is_failure() && Verdict::NotProduced.is_failure());
        assert!(!Verdict::Ok.is_failure() && !Verdict::NotSupported.is_failure());
    }

    #[test]
    fn blame_follows_the_reference() {
        let i = input(Expect::Open);
        let p = made(&i);
        let opened = judge_case(
            &i,
            &p,
            "verify",
            "themis.verify",
            true,
            Some(&Ok(Reply::Ok(json!({"message": "abcd"})))),
        );
        let rejected = judge_case(
            &i,
            &p,
            "verify",
            "themis.verify",
            true,
            Some(&Ok(Reply::error("x", None, None))),
        );
        let mut cases = vec![
            (pair("reference", "good"), opened.clone()),
            (pair("picky", "good"), rejected.clone()),
            (pair("reference", "sloppy"), rejected.clone()),
            (pair("picky", "sloppy"), rejected.clone()),
            (pair("picky", "elsewhere"), rejected.clone()),
        ];
        blame(&mut cases, "reference");
        let s: Vec<Option<Suspect>> = cases.iter().map(|(_, c)| c.suspect).collect();
        assert_eq!(
            s,
            vec![
                None,
                Some(Suspect::Consumer),
                Some(Suspect::Producer),
                Some(Suspect::Producer),
                Some(Suspect::Unknown)
            ]
        );
    }
}
