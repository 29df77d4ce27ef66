//! Every vector of the corpus as a named libtest trial.
//!
//! `cargo test --test conformance` checks the reference in process;
//! `SEALCHECK_TARGET="<command>" cargo test --test conformance` checks an implementation
//! speaking docs/PROTOCOL.md. libtest's filters, `--list`, `--exact` and `--ignored` work.

use libtest_mimic::{Arguments, Failed, Trial};
use sealcheck::engine::{judge, Outcome};
use sealcheck::iut::subprocess::Subprocess;
use sealcheck::iut::Implementation;
use sealcheck::iut::Reference;
use std::sync::{Arc, Mutex};

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
                eprintln!("conformance: cannot start {cmd:?}: {e}");
                std::process::exit(2);
            }
        },
        _ => None,
    };
    let strict = std::env::var("SEALCHECK_STRICT").is_ok_and(|v| v == "1");
    let mut trials = Vec::new();
    let mut accumulated = Vec::new();
    for (_, file) in &files {
        for a in file.accumulated.clone() {
            let op = file.op.clone();
            let target = target.clone();
            accumulated.push(
                Trial::test(a.id.clone(), move || {
                    let outcome = match &target {
                        None => sealcheck::engine::run_family(
                            &mut Reference::default(),
                            &op,
                            a.seed,
                            a.count,
                            &a.digest,
                        ),
                        Some(t) => {
                            let mut t = t
                                .lock()
                                .map_err(|_| Failed::from("the target lock is poisoned"))?;
                            sealcheck::engine::run_family(&mut *t, &op, a.seed, a.count, &a.digest)
                        }
                    };
                    if outcome.is_failure(strict) {
                        Err(outcome.to_string().into())
                    } else {
                        Ok(())
                    }
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
            trials.push(
                Trial::test(vector.id.clone(), move || {
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
                    if outcome.is_failure(strict) {
                        Err(outcome.to_string().into())
                    } else {
                        Ok(())
                    }
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
