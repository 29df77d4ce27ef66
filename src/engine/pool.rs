//! Spreading a run over several implementations (`--jobs N`): N child processes of a target,
//! or N copies of the reference on N threads. The vectors go in chunks, each family's cases
//! in blocks, to whichever job is free; every result lands in its place, so the outcomes do
//! not depend on N. A family's digest is over its cases in order: its blocks are gathered,
//! then hashed.

use super::family::{
    answer_block, family_cases, judge_family, record_of, CaseOut, FamilySlice, BLOCK,
};
use super::observe::{record_reply, FamilyRecord, ReplyRecord};
use super::{judge, Outcome, Progress};
use crate::corpus::{Accumulated, Vector};
use crate::iut::{Implementation, Incident};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::{mpsc, Arc, Condvar, Mutex};

/// What a run sends.
pub(crate) struct Plan<'a> {
    /// The vectors to send (of listed ops), in order.
    pub vectors: Vec<(&'a str, &'a Vector)>,
    /// The families to run (of listed ops), each with the blocks to send.
    pub families: Vec<PlannedFamily<'a>>,
    /// A shard of a partitioned run: check each case against the reference and report
    /// slices, since the digest needs cases this run does not see.
    pub sliced: bool,
    /// Threads for the costly part of making a family's cases.
    pub threads: usize,
}

/// One family of a plan.
pub(crate) struct PlannedFamily<'a> {
    pub op: &'a str,
    pub family: &'a Accumulated,
    /// Block indexes, ascending.
    pub blocks: Vec<usize>,
}

/// What became of a family.
pub(crate) enum FamilyDone {
    Outcome(Outcome),
    Slice(Box<FamilySlice>),
}

/// Everything a plan gave, in plan order.
pub(crate) struct Finished {
    /// Each vector's outcome, with what the implementation replied (none if it was lost).
    pub vectors: Vec<(Outcome, Option<ReplyRecord>)>,
    pub families: Vec<FamilyDone>,
    /// What each family's replies produced (unsliced runs that sent its cases).
    pub family_records: Vec<Option<FamilyRecord>>,
    /// In the order of the requests they concern: vectors, then families, then shutdowns.
    pub incidents: Vec<Incident>,
}

/// What a worker tells the progress display.
enum Tick {
    /// This many more vectors have their replies.
    Vectors(usize),
    /// This many more cases of family `f` have their replies.
    Cases(usize, u64),
    /// Family `f` has its outcome, with this label.
    Family(usize, &'static str),
}

enum Task {
    Vectors(usize, usize),
    Generate(usize),
    Block(usize, usize),
    Finalize(usize),
}

#[derive(Default)]
struct Fam {
    cases: Option<Arc<Vec<Value>>>,
    error: Option<String>,
    /// Per planned block: its outs once answered (unsliced runs).
    outs: Vec<Option<Vec<CaseOut>>>,
    /// The lowest block with a case that got no reply: later blocks are not sent.
    stop: Option<usize>,
    /// Planned blocks not yet answered or skipped.
    left: usize,
    slice: Option<FamilySlice>,
}

type Key = (u8, usize, usize);

struct Shared {
    next_vector: usize,
    next_generate: usize,
    generating: usize,
    /// Families made and not yet finished: their cases are in memory.
    live: usize,
    jobs: usize,
    ready: VecDeque<(usize, usize)>,
    finalize: VecDeque<usize>,
    fams: Vec<Fam>,
    vectors: Vec<Option<(Outcome, ReplyRecord)>>,
    families: Vec<Option<FamilyDone>>,
    family_records: Vec<Option<FamilyRecord>>,
    incidents: Vec<(Key, Incident)>,
}

/// Runs `plan` on `imps`, one worker thread per implementation.
pub(crate) fn run_plan(
    imps: &mut [Box<dyn Implementation + Send>],
    plan: &Plan<'_>,
    progress: &mut dyn Progress,
) -> Finished {
    let jobs = imps.len().max(1);
    let chunk = if jobs == 1 {
        plan.vectors.len().max(1)
    } else {
        plan.vectors.len().div_ceil(jobs * 4).max(16)
    };
    let mut incidents = Vec::new();
    // Starts that failed before the run (a retried handshake) come first.
    for imp in imps.iter_mut() {
        incidents.extend(imp.take_incidents().into_iter().map(|i| ((0, 0, 0), i)));
    }
    let shared = Mutex::new(Shared {
        next_vector: 0,
        next_generate: 0,
        generating: 0,
        live: 0,
        jobs,
        ready: VecDeque::new(),
        finalize: VecDeque::new(),
        fams: plan.families.iter().map(|_| Fam::default()).collect(),
        vectors: vec![None; plan.vectors.len()],
        families: plan.families.iter().map(|_| None).collect(),
        family_records: plan.families.iter().map(|_| None).collect(),
        incidents,
    });
    let wake = Condvar::new();
    let total = plan.vectors.len();
    progress.start(total);
    // Each family's cases in this run (of a shard: in its blocks).
    let planned: Vec<u64> = plan
        .families
        .iter()
        .map(|pf| {
            pf.blocks
                .iter()
                .map(|b| {
                    let first = (*b as u64).saturating_mul(BLOCK as u64);
                    pf.family.count.saturating_sub(first).min(BLOCK as u64)
                })
                .sum()
        })
        .collect();
    let mut sent = vec![0u64; planned.len()];
    progress.start_families(plan.families.len(), planned.iter().sum());
    let (tx, rx) = mpsc::channel::<Tick>();
    std::thread::scope(|scope| {
        for imp in imps.iter_mut() {
            let tx = tx.clone();
            let (shared, wake) = (&shared, &wake);
            scope.spawn(move || worker(imp.as_mut(), plan, chunk, shared, wake, &tx));
        }
        drop(tx);
        let mut done = 0usize;
        for tick in rx {
            match tick {
                Tick::Vectors(n) => {
                    done += n;
                    progress.advance(done);
                }
                Tick::Cases(f, n) => {
                    if let Some(s) = sent.get_mut(f) {
                        *s += n;
                    }
                    progress.advance_cases(n);
                }
                Tick::Family(f, label) => {
                    // Blocks left unsent once the outcome was known count as done.
                    let left = planned.get(f).copied().unwrap_or(0)
                        - sent
                            .get(f)
                            .copied()
                            .unwrap_or(0)
                            .min(planned.get(f).copied().unwrap_or(0));
                    if left > 0 {
                        progress.advance_cases(left);
                    }
                    let id = plan.families.get(f).map(|pf| pf.family.id.as_str());
                    progress.family_done(id.unwrap_or_default(), label);
                }
            }
        }
    });
    progress.finish();
    let mut shared = match shared.into_inner() {
        Ok(s) => s,
        Err(poisoned) => poisoned.into_inner(),
    };
    for (j, imp) in imps.iter_mut().enumerate() {
        imp.close();
        shared
            .incidents
            .extend(imp.take_incidents().into_iter().map(|i| ((9, j, 0), i)));
    }
    shared.incidents.sort_by_key(|(k, _)| *k);
    Finished {
        vectors: shared
            .vectors
            .into_iter()
            .map(|o| match o {
                Some((outcome, reply)) => (outcome, Some(reply)),
                None => (Outcome::Fail("the harness lost this vector".into()), None),
            })
            .collect(),
        family_records: shared.family_records,
        families: shared
            .families
            .into_iter()
            .map(|f| {
                f.unwrap_or_else(|| {
                    FamilyDone::Outcome(Outcome::Fail("the harness lost this family".into()))
                })
            })
            .collect(),
        incidents: shared.incidents.into_iter().map(|(_, i)| i).collect(),
    }
}

fn lock(shared: &Mutex<Shared>) -> std::sync::MutexGuard<'_, Shared> {
    match shared.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// The next task: a family whose last block is in; vectors (they drive the progress bar);
/// a family's cases, while few families are in memory, so one is always ready to go; blocks
/// of cases; and the next family's cases rather than waiting.
fn pick(s: &mut Shared, plan: &Plan<'_>, chunk: usize) -> Option<Task> {
    if let Some(f) = s.finalize.pop_front() {
        return Some(Task::Finalize(f));
    }
    if s.next_vector < plan.vectors.len() {
        let start = s.next_vector;
        let end = (start + chunk).min(plan.vectors.len());
        s.next_vector = end;
        return Some(Task::Vectors(start, end));
    }
    let generate = |s: &mut Shared| {
        let f = s.next_generate;
        s.next_generate += 1;
        s.generating += 1;
        s.live += 1;
        Task::Generate(f)
    };
    if s.next_generate < plan.families.len() && s.live <= s.jobs {
        return Some(generate(s));
    }
    if let Some(t) = pick_block(s, plan) {
        return Some(t);
    }
    if s.next_generate < plan.families.len() {
        return Some(generate(s));
    }
    None
}

fn pick_block(s: &mut Shared, plan: &Plan<'_>) -> Option<Task> {
    while let Some((f, slot)) = s.ready.pop_front() {
        let block = plan.families.get(f)?.blocks.get(slot).copied()?;
        let fam = s.fams.get_mut(f)?;
        if fam.stop.is_some_and(|stop| block > stop) {
            // An earlier block already has a case without a reply: this one cannot count.
            fam.left -= 1;
            if fam.left == 0 {
                return Some(Task::Finalize(f));
            }
            continue;
        }
        return Some(Task::Block(f, slot));
    }
    None
}

fn worker(
    imp: &mut dyn Implementation,
    plan: &Plan<'_>,
    chunk: usize,
    shared: &Mutex<Shared>,
    wake: &Condvar,
    tx: &mpsc::Sender<Tick>,
) {
    loop {
        let task = {
            let mut s = lock(shared);
            loop {
                if let Some(t) = pick(&mut s, plan, chunk) {
                    break t;
                }
                if s.generating == 0 {
                    return;
                }
                s = match wake.wait(s) {
                    Ok(g) => g,
                    Err(poisoned) => poisoned.into_inner(),
                };
            }
        };
        let key: Key = match task {
            Task::Vectors(start, end) => {
                let slice = plan.vectors.get(start..end).unwrap_or_default();
                let requests: Vec<(&str, &Value)> =
                    slice.iter().map(|(op, v)| (*op, &v.args)).collect();
                let names = |i: usize| slice.get(i).map(|(_, v)| v.id.clone()).unwrap_or_default();
                let mut told = 0usize;
                let replies = imp.call_named(&requests, &names, &mut |done| {
                    if done > told {
                        let _ = tx.send(Tick::Vectors(done - told));
                        told = done;
                    }
                });
                let outcomes: Vec<(Outcome, ReplyRecord)> = slice
                    .iter()
                    .zip(&replies)
                    .map(|((op, v), r)| {
                        let outcome = judge(op, v, r);
                        let record = record_reply(v, r, &outcome);
                        (outcome, record)
                    })
                    .collect();
                let mut s = lock(shared);
                for (k, o) in outcomes.into_iter().enumerate() {
                    if let Some(slot) = s.vectors.get_mut(start + k) {
                        *slot = Some(o);
                    }
                }
                (1, start, 0)
            }
            Task::Generate(f) => {
                let Some(pf) = plan.families.get(f) else {
                    continue;
                };
                let made = family_cases(
                    pf.op,
                    pf.family.cases,
                    pf.family.seed,
                    pf.family.count,
                    plan.threads,
                );
                let mut s = lock(shared);
                s.generating -= 1;
                if let Some(fam) = s.fams.get_mut(f) {
                    fam.outs = pf.blocks.iter().map(|_| None).collect();
                    fam.left = pf.blocks.len();
                    if plan.sliced {
                        let mut slice = FamilySlice::new(
                            &pf.family.id,
                            pf.op,
                            pf.family.seed,
                            pf.family.count,
                            pf.blocks.clone(),
                        );
                        slice.error = made.as_ref().err().cloned();
                        fam.slice = Some(slice);
                    }
                    match made {
                        Ok(cases) => fam.cases = Some(Arc::new(cases)),
                        Err(e) => {
                            fam.error = Some(e);
                            fam.left = 0;
                        }
                    }
                    let left = fam.left;
                    if left == 0 {
                        s.finalize.push_back(f);
                    } else {
                        s.ready.extend((0..left).map(|slot| (f, slot)));
                    }
                }
                wake.notify_all();
                continue;
            }
            Task::Block(f, slot) => {
                let (Some(pf), Some(cases)) = (
                    plan.families.get(f),
                    lock(shared).fams.get(f).and_then(|x| x.cases.clone()),
                ) else {
                    continue;
                };
                let block = pf.blocks.get(slot).copied().unwrap_or_default();
                let first = block * BLOCK;
                let chunk_cases = cases
                    .get(first..(first + BLOCK).min(cases.len()))
                    .unwrap_or_default();
                let outs = answer_block(imp, pf.op, &pf.family.id, chunk_cases, first);
                let _ = tx.send(Tick::Cases(f, outs.len() as u64));
                let failed = outs.iter().any(|o| matches!(o, CaseOut::NoReply(_)));
                let part = plan.sliced.then(|| {
                    let mut part = FamilySlice::new(
                        &pf.family.id,
                        pf.op,
                        pf.family.seed,
                        pf.family.count,
                        Vec::new(),
                    );
                    part.add_block(block, chunk_cases, &outs);
                    part
                });
                let mut s = lock(shared);
                if let Some(fam) = s.fams.get_mut(f) {
                    if failed {
                        fam.stop = Some(fam.stop.map_or(block, |b| b.min(block)));
                    }
                    match (part, fam.slice.as_mut()) {
                        (Some(part), Some(slice)) => slice.absorb(part),
                        _ => {
                            if let Some(o) = fam.outs.get_mut(slot) {
                                *o = Some(outs);
                            }
                        }
                    }
                    fam.left -= 1;
                    if fam.left == 0 {
                        s.finalize.push_back(f);
                        wake.notify_all();
                    }
                }
                (2, f, block)
            }
            Task::Finalize(f) => {
                let Some(pf) = plan.families.get(f) else {
                    continue;
                };
                let fam = {
                    let mut s = lock(shared);
                    s.fams.get_mut(f).map(std::mem::take).unwrap_or_default()
                };
                let mut record = None;
                let done = match (fam.slice, fam.error) {
                    (Some(slice), _) => FamilyDone::Slice(Box::new(slice)),
                    (None, Some(e)) => FamilyDone::Outcome(Outcome::Fail(format!(
                        "cannot regenerate the cases: {e}"
                    ))),
                    (None, None) => {
                        // Every block up to the first with a case that got no reply, in order.
                        let mut outs = Vec::new();
                        for o in fam.outs.into_iter() {
                            let Some(o) = o else { break };
                            let failed = o.iter().any(|c| matches!(c, CaseOut::NoReply(_)));
                            outs.extend(o);
                            if failed {
                                break;
                            }
                        }
                        let cases = fam.cases.as_deref().map(Vec::as_slice).unwrap_or_default();
                        let mut r = FamilyRecord {
                            digest: None,
                            matches: false,
                            cases: pf.family.count,
                            answered: 0,
                            unsupported: 0,
                        };
                        record_of(&outs, &pf.family.digest, &mut r);
                        record = Some(r);
                        FamilyDone::Outcome(judge_family(
                            pf.op,
                            pf.family.seed,
                            pf.family.count,
                            &pf.family.digest,
                            cases,
                            outs,
                        ))
                    }
                };
                let label = match &done {
                    FamilyDone::Outcome(o) => o.label(),
                    FamilyDone::Slice(_) => "its blocks checked",
                };
                let _ = tx.send(Tick::Family(f, label));
                let mut s = lock(shared);
                s.live = s.live.saturating_sub(1);
                if let Some(slot) = s.families.get_mut(f) {
                    *slot = Some(done);
                }
                if let Some(slot) = s.family_records.get_mut(f) {
                    *slot = record;
                }
                continue;
            }
        };
        let taken = imp.take_incidents();
        if !taken.is_empty() {
            lock(shared)
                .incidents
                .extend(taken.into_iter().map(|i| (key, i)));
        }
    }
}
