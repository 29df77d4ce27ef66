//! Running the matrix: every producer makes a message of every input, then every consumer
//! opens every message, each implementation's requests pipelined in one batch.

use super::inputs::{Input, InputSet};
use super::matrix::{
    blame, cell, judge_case, judge_production, pair, Case, Cell, Participant, Produced, Production,
    INTEROP_VERSION,
};
use super::InteropReport;
use crate::iut::Implementation;
use crate::protocol::{Failure, Reply};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// One implementation to run: its name in the matrix, how it was started, and the thing itself.
pub struct Target {
    /// The matrix label (`NAME` of `--target NAME=CMD`).
    pub name: String,
    /// The command, or `reference (in process)`.
    pub target: String,
    /// The implementation.
    pub imp: Box<dyn Implementation>,
}

/// Told how far the run is.
pub trait Progress {
    /// A phase started: `producing with NAME` or `consuming with NAME`, with its request count.
    fn phase(&mut self, what: &str, requests: usize);
}

/// No progress reports.
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&mut self, _: &str, _: usize) {}
}

/// Runs the whole matrix; `repeat` productions of each input per producer. Fails only when a
/// target cannot say hello; everything a target does after that is a result.
pub fn run(
    set: &InputSet,
    targets: &mut [Target],
    repeat: usize,
    progress: &mut dyn Progress,
) -> Result<InteropReport, String> {
    let repeat = repeat.max(1);
    let mut participants = Vec::new();
    let mut supported: Vec<HashSet<String>> = Vec::new();
    for t in targets.iter_mut() {
        let hello = t.imp.hello().map_err(|e| format!("{}: {e}", t.name))?;
        supported.push(hello.ops.iter().cloned().collect());
        participants.push(Participant {
            name: t.name.clone(),
            target: t.target.clone(),
            implementation: format!("{} {}", hello.name, hello.version)
                .trim()
                .to_owned(),
            ops: hello.ops,
            restarts: 0,
        });
    }

    // Produce.
    let mut productions: Vec<Production> = Vec::new();
    for (t, ops) in targets.iter_mut().zip(&supported) {
        let jobs: Vec<(&Input, usize)> = set
            .inputs
            .iter()
            .flat_map(|i| (0..repeat).map(move |r| (i, r)))
            .collect();
        let requests: Vec<(&str, &Value)> = jobs
            .iter()
            .filter(|(i, _)| ops.contains(&i.op))
            .map(|(i, _)| (i.op.as_str(), &i.args))
            .collect();
        progress.phase(&format!("producing with {}", t.name), requests.len());
        let mut replies = t.imp.call_many(&requests, &mut |_| {}).into_iter();
        for (input, r) in jobs {
            let reply = if ops.contains(&input.op) {
                Some(replies.next().unwrap_or_else(too_few))
            } else {
                None
            };
            productions.push(judge_production(input, &t.name, r, reply.as_ref()));
        }
    }

    // Consume: every opening of every production, by every consumer.
    let inputs: BTreeMap<&str, &Input> = set.inputs.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut cases: Vec<(String, Case)> = Vec::new();
    let mut test_of: Vec<String> = Vec::new();
    for (t, ops) in targets.iter_mut().zip(&supported) {
        // (production index, opening index, args) of every request to send.
        let mut jobs: Vec<(usize, usize, Option<Value>)> = Vec::new();
        for (pi, p) in productions.iter().enumerate() {
            let Some(input) = inputs.get(p.input.as_str()) else {
                continue;
            };
            for (oi, o) in input.openings.iter().enumerate() {
                let args = match (&p.output, p.result) {
                    (Some(message), Produced::Made | Produced::MadeUndefined)
                        if ops.contains(&o.op) =>
                    {
                        let mut a = o.args.clone();
                        if let Some(obj) = a.as_object_mut() {
                            obj.insert(o.message_arg.clone(), Value::String(message.clone()));
                        }
                        Some(a)
                    }
                    _ => None,
                };
                jobs.push((pi, oi, args));
            }
        }
        let requests: Vec<(&str, &Value)> = jobs
            .iter()
            .filter_map(|(pi, oi, args)| {
                let input = inputs.get(productions.get(*pi)?.input.as_str())?;
                Some((input.openings.get(*oi)?.op.as_str(), args.as_ref()?))
            })
            .collect();
        progress.phase(&format!("consuming with {}", t.name), requests.len());
        let mut replies = t.imp.call_many(&requests, &mut |_| {}).into_iter();
        for (pi, oi, args) in &jobs {
            let (Some(p), Some(input)) = (
                productions.get(*pi),
                productions
                    .get(*pi)
                    .and_then(|p| inputs.get(p.input.as_str())),
            ) else {
                continue;
            };
            let Some(o) = input.openings.get(*oi) else {
                continue;
            };
            let reply = args
                .as_ref()
                .map(|_| replies.next().unwrap_or_else(too_few));
            let case = judge_case(
                input,
                p,
                &o.label,
                &o.op,
                ops.contains(&o.op),
                reply.as_ref(),
            );
            cases.push((pair(&t.name, &p.producer), case));
            test_of.push(input.test.clone());
        }
    }
    if let Some(reference) = participants.first().map(|p| p.name.clone()) {
        blame(&mut cases, &reference);
    }

    // Cells, in test × producer × consumer order.
    let mut grouped: BTreeMap<(String, String, String), Vec<Case>> = BTreeMap::new();
    for ((key, case), test) in cases.into_iter().zip(test_of) {
        let (consumer, producer) = key.split_once('\u{0}').unwrap_or((&key, ""));
        grouped
            .entry((test, producer.to_owned(), consumer.to_owned()))
            .or_default()
            .push(case);
    }
    let mut cells: Vec<Cell> = Vec::new();
    for test in &set.tests {
        for producer in &participants {
            for consumer in &participants {
                let key = (
                    test.id.clone(),
                    producer.name.clone(),
                    consumer.name.clone(),
                );
                let cases = grouped.remove(&key).unwrap_or_default();
                cells.push(cell(test, &producer.name, &consumer.name, cases));
            }
        }
    }
    for (t, p) in targets.iter().zip(participants.iter_mut()) {
        if let Some(s) = t.imp.as_any_subprocess() {
            p.restarts = s.restarts;
        }
    }
    Ok(InteropReport {
        interop_version: INTEROP_VERSION,
        sealcheck: env!("CARGO_PKG_VERSION").into(),
        seed: set.seed,
        repeat,
        implementations: participants,
        tests: set.tests.clone(),
        inputs: set.inputs.clone(),
        productions,
        cells,
    })
}

fn too_few() -> Result<Reply, Failure> {
    Err(Failure::ProtocolError(
        "the implementation returned too few results".into(),
    ))
}
