//! Every vector of the corpus as a named libtest trial.
//!
//! `cargo test --test conformance` checks the reference in process;
//! `SEALCHECK_TARGET="<command>" cargo test --test conformance` checks an implementation
//! speaking docs/PROTOCOL.md. libtest's filters, `--list`, `--exact` and `--ignored` work.
//! A vector the target does not check (its op is not in the hello's `ops`, or it answers
//! `unsupported`) is reported as ignored, with the reason, never as passed.

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use sealcheck::engine::{judge, Outcome};
use sealcheck::iut::subprocess::Subprocess;
use sealcheck::iut::Implementation;
use sealcheck::iut::Reference;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// A trial's end from an outcome: a skip is ignored, not passed.
fn conclude(outcome: Outcome, strict: bool) -> Result<Completion, Failed> {
    match outcome {
        Outcome::Skipped(why) => Ok(Completion::ignored_with(why)),
        o if o.is_failure(strict) => Err(o.to_string().into()),
        _ => Ok(Completion::Completed),
    }
}

fn main() {
    let args = Arguments::from_args();
    let files = match sealcheck::corpus::load_embedded() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("conformance: {e}");
            std::process::exit(2);
        }
    };
    let target: Option<Arc<Mutex<Subprocess>>> = match std::env::var("SEALCHECK_TARGET") {
        Ok(cmd) if !cmd.trim().is_empty() => match Subprocess::spawn(&cmd) {
            Ok(p) => Some(Arc::new(Mutex::new(p))),
            Err(e) => {
                eprintln!("conformance: SEALCHECK_TARGET={cmd:?}: {e}");
                std::process::exit(2);
            }
        },
        _ => None,
    };
    // What the target lists; the harness never sends it anything else.
    let (name, listed): (String, Option<HashSet<String>>) = match &target {
        None => ("the reference".into(), None),
        Some(t) => {
            let hello = t.lock().ok().and_then(|mut t| t.hello().ok());
            match hello {
                Some(h) => (h.name.clone(), Some(h.ops.into_iter().collect())),
                None => {
                    eprintln!("conformance: the target gave no hello");
                    std::process::exit(2);
                }
            }
        }
    };
    let unlisted = |op: &str| -> Option<String> {
        match &listed {
            Some(ops) if !ops.contains(op) => Some(format!("{name} does not list op {op}")),
            _ => None,
        }
    };
    let strict = std::env::var("SEALCHECK_STRICT").is_ok_and(|v| v == "1");
    let mut trials = Vec::new();
    let mut accumulated = Vec::new();
    for (_, file) in &files {
        for a in file.accumulated.clone() {
            let op = file.op.clone();
            let target = target.clone();
            let skip = unlisted(&op);
            accumulated.push(
                Trial::ignorable_test(a.id.clone(), move || {
                    if let Some(why) = &skip {
                        return Ok(Completion::ignored_with(why));
                    }
                    let outcome = match &target {
                        None => sealcheck::engine::run_family(
                            &mut Reference::default(),
                            &op,
                            a.cases,
                            a.seed,
                            a.count,
                            &a.digest,
                        ),
                        Some(t) => {
                            let mut t = t
                                .lock()
                                .map_err(|_| Failed::from("the target lock is poisoned"))?;
                            sealcheck::engine::run_family(
                                &mut *t, &op, a.cases, a.seed, a.count, &a.digest,
                            )
                        }
                    };
                    conclude(outcome, strict)
                })
                .with_kind("accumulated"),
            );
        }
    }
    for (_, file) in files {
        let op = file.op.clone();
        for vector in file.tests {
            let op = op.clone();
            let target = target.clone();
            let kind = format!("{:?}", vector.expected.result).to_lowercase();
            let skip = unlisted(&op);
            trials.push(
                Trial::ignorable_test(vector.id.clone(), move || {
                    if let Some(why) = &skip {
                        return Ok(Completion::ignored_with(why));
                    }
                    let reply = match &target {
                        None => Ok(Reference::default().answer(&op, &vector.args)),
                        Some(t) => t
                            .lock()
                            .map_err(|_| Failed::from("the target lock is poisoned"))?
                            .call(&op, &vector.args),
                    };
                    let outcome = match reply {
                        Ok(reply) => judge(&op, &vector, &Ok(reply)),
                        Err(failure) => Outcome::NoReply(failure),
                    };
                    conclude(outcome, strict)
                })
                .with_kind(kind),
            );
        }
    }
    trials.extend(accumulated);
    let conclusion = libtest_mimic::run(&args, trials);
    // A crash or violation that no rerun pinned on a trial is still a defect of the target.
    if let Some(t) = target {
        let mut t = match t.lock() {
            Ok(t) => t,
            Err(poisoned) => poisoned.into_inner(),
        };
        t.close();
        let unreproduced: Vec<_> = t
            .take_incidents()
            .into_iter()
            .filter(|i| !i.reproduced())
            .collect();
        for i in &unreproduced {
            eprintln!(
                "incident {}: {} (no rerun reproduced it)",
                i.class(),
                i.what
            );
        }
        if !unreproduced.is_empty() {
            eprintln!(
                "conformance: {} incidents of the target that no rerun reproduced",
                unreproduced.len()
            );
            std::process::exit(101);
        }
    }
    conclusion.exit();
}
