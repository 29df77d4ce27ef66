//! `sealcheck bench`: what the harness costs next to the crypto it checks.
//!
//! Four figures: the whole corpus in process (against the crypto work alone), the whole
//! corpus over the protocol against `sealcheck serve`, and a cheap op (checksum) pipelined
//! and lock-step against `serve` beside a bare JSON-lines echo. Then whole runs, as `sealcheck
//! run` does them (vectors and accumulated families), at one job and at N: the main job (the
//! reference in process) and the same against `sealcheck serve`.

mod echo;

pub use echo::echo;

use crate::engine::Expectations;
use crate::engine::{execute, select, Config, Quiet, Selection};
use crate::iut::subprocess::{Options, Subprocess};
use crate::iut::Implementation;
use crate::iut::Reference;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// One measured figure.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// Items per second.
    pub per_second: f64,
    /// Microseconds per item.
    pub micros: f64,
    /// Items measured.
    pub items: usize,
}

fn figure(name: impl Into<String>, items: usize, elapsed: Duration) -> Figure {
    let secs = elapsed.as_secs_f64().max(1e-9);
    Figure {
        name: name.into(),
        per_second: items as f64 / secs,
        micros: secs * 1e6 / items.max(1) as f64,
        items,
    }
}

/// Repeats `f` (which handles `n` items) until `budget` has passed; the best rate wins, so a
/// noisy neighbour slows one round, not the figure.
fn repeat(
    budget: Duration,
    n: usize,
    mut f: impl FnMut() -> Result<(), String>,
) -> Result<Duration, String> {
    let start = Instant::now();
    let mut best = Duration::MAX;
    let mut rounds = 0;
    while rounds < 3 || start.elapsed() < budget {
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed());
        rounds += 1;
        if n == 0 {
            break;
        }
    }
    Ok(best)
}

/// Runs every measurement; `exe` is the sealcheck binary to start as `serve` and `echo`.
pub fn run(exe: &str, budget: Duration, cheap: usize) -> Result<Vec<Figure>, String> {
    let files = crate::corpus::load_embedded()?;
    let selected = select(&files, &Selection::default());
    let n = selected.len();
    let none = Expectations::default();
    let mut figures = Vec::new();

    // The crypto work alone: the reference answering every vector's request.
    let crypto = repeat(budget, n, || {
        let mut r = Reference::default();
        for (op, v) in &selected {
            std::hint::black_box(r.answer(op, &v.args));
        }
        Ok(())
    })?;
    figures.push(figure(
        "corpus, reference calls only (the crypto work)",
        n,
        crypto,
    ));

    let in_process = repeat(budget, n, || {
        let mut r = Reference::default();
        execute(&mut r, &selected, false, &none, &mut |_| {}).map(|_| ())
    })?;
    figures.push(figure(
        "corpus, in process through the harness",
        n,
        in_process,
    ));

    let serve_cmd = format!("{exe} serve");
    let mut serve = Subprocess::spawn_with(&serve_cmd, Options::default())?;
    let over = repeat(budget, n, || {
        execute(&mut serve, &selected, false, &none, &mut |_| {}).map(|_| ())
    })?;
    figures.push(figure(
        "corpus, over the protocol against `sealcheck serve`",
        n,
        over,
    ));

    let ids = [
        json!("0355e4c0-ba3a-4ba6-82c0-6311e332f57a"),
        json!("506694b3-0c16-4bd2-8ea0-ba3de6840a5a"),
    ];
    let args: Value = json!({"session_ids": ids});
    let requests: Vec<(&str, &Value)> = (0..cheap).map(|_| ("mixin.checksum", &args)).collect();
    for (label, cmd) in [
        ("sealcheck serve", serve_cmd.clone()),
        ("bare echo", format!("{exe} echo")),
    ] {
        for window in [256usize, 1] {
            let mut target = Subprocess::spawn_with(
                &cmd,
                Options {
                    timeout: Duration::from_secs(30),
                    window,
                    ..Options::default()
                },
            )?;
            let count = if window == 1 { cheap / 10 } else { cheap };
            let slice = requests.get(..count).unwrap_or(&requests);
            let t = repeat(budget, count, || {
                let replies = target.call_many(slice, &mut |_| {});
                match replies.iter().find(|r| r.is_err()) {
                    Some(Err(e)) => Err(e.to_string()),
                    _ => Ok(()),
                }
            })?;
            let mode = if window == 1 {
                "lock-step".to_owned()
            } else {
                format!("window {window}")
            };
            figures.push(figure(
                format!("checksum requests, {mode}, against {label}"),
                count,
                t,
            ));
        }
    }
    Ok(figures)
}

/// One whole run, timed.
#[derive(Debug, Clone)]
pub struct WholeRun {
    /// What ran.
    pub name: String,
    /// With how many jobs.
    pub jobs: usize,
    /// Wall-clock seconds of the best round.
    pub seconds: f64,
    /// Vectors and families in the report.
    pub results: usize,
}

/// Whole runs of the embedded corpus at one job and at `jobs`, each the best of `rounds`
/// (at least one): the reference in process, then against `exe serve`.
pub fn whole_runs(exe: &str, jobs: usize, rounds: usize) -> Result<Vec<WholeRun>, String> {
    let mut out = Vec::new();
    let targets = [
        ("main job: `sealcheck run` (the reference in process)", None),
        (
            "`sealcheck run --target \"sealcheck serve\"`",
            Some(format!("{exe} serve")),
        ),
    ];
    for (name, target) in targets {
        for j in [1, jobs.max(1)] {
            let config = Config {
                target: target.clone(),
                jobs: j,
                ..Config::default()
            };
            let mut best = f64::MAX;
            let mut results = 0;
            for _ in 0..rounds.max(1) {
                let t = Instant::now();
                let run = crate::engine::run(&config, &mut Quiet)?;
                best = best.min(t.elapsed().as_secs_f64());
                if run.results.iter().any(|r| r.status.fails_run()) {
                    return Err(format!("{name} does not conform"));
                }
                results = run.results.len();
            }
            out.push(WholeRun {
                name: name.to_owned(),
                jobs: j,
                seconds: best,
                results,
            });
        }
    }
    Ok(out)
}

/// Renders whole runs as a Markdown table, with each speedup over one job.
pub fn whole_table(runs: &[WholeRun]) -> String {
    let mut out = String::from("| run | jobs | seconds | speedup |\n|---|---:|---:|---:|\n");
    for r in runs {
        let one = runs
            .iter()
            .find(|o| o.name == r.name && o.jobs == 1)
            .map_or(r.seconds, |o| o.seconds);
        out.push_str(&format!(
            "| {} ({} results) | {} | {:.2} | {:.2}x |\n",
            r.name,
            r.results,
            r.jobs,
            r.seconds,
            one / r.seconds.max(1e-9)
        ));
    }
    out
}

/// Renders the figures as a Markdown table.
pub fn table(figures: &[Figure]) -> String {
    let mut out =
        String::from("| measurement | per second | µs each | items |\n|---|---:|---:|---:|\n");
    for f in figures {
        out.push_str(&format!(
            "| {} | {:.0} | {:.2} | {} |\n",
            f.name, f.per_second, f.micros, f.items
        ));
    }
    if let (Some(crypto), Some(harness)) = (figures.first(), figures.get(1)) {
        out.push_str(&format!(
            "\nIn-process harness / crypto work: {:.2}x\n",
            crypto.per_second / harness.per_second.max(1e-9)
        ));
    }
    out
}
