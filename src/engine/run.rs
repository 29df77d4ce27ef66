//! A whole run, as `sealcheck run` does it: load the corpus and the expectations, select,
//! start the implementation, run every vector and family. Plain data in, results out: the
//! command line, printing and exit codes are the cli's.

use super::family::{blocks as family_blocks, judge_slices, FamilySlice};
use super::pool::{run_plan, FamilyDone, Plan, PlannedFamily};
use super::{result_of, select, select_accumulated, Expectations, IncidentResult, Outcome};
use super::{KnownFailure, KnownIncident, Partition, Selection, Status, VectorResult};
use crate::corpus::{self, VectorFile};
use crate::iut::subprocess::{Options, Subprocess};
use crate::iut::{Implementation, Reference};
use crate::protocol::Hello;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;

/// What to run, against what.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// A command that starts an implementation speaking docs/PROTOCOL.md; `None` runs the
    /// reference in process.
    pub target: Option<String>,
    /// Vector files to run instead of the embedded corpus.
    pub files: Vec<PathBuf>,
    /// Which vectors.
    pub selection: Selection,
    /// Whether a rejection at another stage than the vector's fails it.
    pub strict: bool,
    /// The implementation's known failures.
    pub expectations: Option<PathBuf>,
    /// Whether a missing expectations file counts as empty (when it is about to be written).
    pub expectations_may_be_missing: bool,
    /// Timeout and window for a target process.
    pub options: Options,
    /// Processes of the target (or threads of the reference) to spread the work over; 0 means
    /// one per available core.
    pub jobs: usize,
    /// Run only this shard of the selection.
    pub partition: Option<Partition>,
}

/// Told how a run advances, for a progress display.
pub trait Progress {
    /// `total` vectors are about to be sent.
    fn start(&mut self, total: usize);
    /// `done` of them have their result.
    fn advance(&mut self, done: usize);
    /// Every vector and family has its result.
    fn finish(&mut self);
    /// `families` accumulated families of `cases` cases in all are to run (after the vectors,
    /// or beside them with several jobs).
    fn start_families(&mut self, _families: usize, _cases: u64) {}
    /// This many more cases have their replies.
    fn advance_cases(&mut self, _cases: u64) {}
    /// Family `id` has its outcome (an outcome label).
    fn family_done(&mut self, _id: &str, _label: &str) {}
}

/// No progress display.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: usize) {}
    fn advance(&mut self, _: usize) {}
    fn finish(&mut self) {}
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Run {
    /// `reference (in process)` or the target command.
    pub target: String,
    /// The implementation's name and version from the handshake.
    pub implementation: String,
    /// Its handshake (none when the reference ran in process without one).
    pub hello: Option<Hello>,
    /// Whether stage mismatches counted as failures.
    pub strict: bool,
    /// One result per selected vector, then one per selected family, in corpus order (of a
    /// shard: its vectors, and each family as far as its own cases tell).
    pub results: Vec<VectorResult>,
    /// How often the target processes were restarted, all jobs together.
    pub restarts: usize,
    /// The last words of the first job's stderr.
    pub stderr_tail: String,
    /// The expectations the results were judged with.
    pub expectations: Expectations,
    /// Every incident of the target's processes, in the order of the requests they concern.
    pub incidents: Vec<IncidentResult>,
    /// Of a shard: which one, and what `merge` needs to put the shards together.
    pub partition: Option<PartitionRecord>,
    /// Of a shard: what its blocks of each family's cases showed.
    pub family_slices: Vec<FamilySlice>,
}

/// What a shard's report says about the whole run it is part of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionRecord {
    /// Which shard.
    #[serde(flatten)]
    pub partition: Partition,
    /// Every selected vector and family id of the whole run, in report order.
    pub ids: Vec<String>,
    /// The expectations every shard is judged with.
    pub expectations: Expectations,
}

/// The vector files of a run: the embedded corpus, or `files` when any are given.
pub fn load(files: &[PathBuf]) -> Result<Vec<(String, VectorFile)>, String> {
    if files.is_empty() {
        corpus::load_embedded()
    } else {
        corpus::load_paths(files)
    }
}

/// An expectations entry must name a vector of the corpus: an entry that names nothing (a
/// typo, or a vector since renamed) would look like a known failure while covering none, so
/// it is an error rather than a warning that scrolls by. `--update-expectations` drops such
/// entries instead.
fn check_expectations(
    files: &[(String, VectorFile)],
    expectations: &Expectations,
    path: Option<&std::path::Path>,
) -> Result<(), String> {
    let ids: HashSet<&str> = files
        .iter()
        .flat_map(|(_, f)| {
            f.tests
                .iter()
                .map(|v| v.id.as_str())
                .chain(f.accumulated.iter().map(|a| a.id.as_str()))
        })
        .collect();
    let unknown: Vec<&str> = expectations
        .failures
        .keys()
        .map(String::as_str)
        .filter(|id| !ids.contains(id))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = unknown
        .iter()
        .take(10)
        .map(|id| format!("  {id}"))
        .collect();
    let more = unknown.len().saturating_sub(10);
    Err(format!(
        "{}: {} listed failure{} name{} no such vector in the vector files:\n{}{}\n\
         Fix the ids (`sealcheck show PART-OF-ID` finds one), or rewrite the file with \
         --update-expectations, which drops them.",
        path.map_or("the expectations file".into(), |p| p.display().to_string()),
        unknown.len(),
        if unknown.len() == 1 { "" } else { "s" },
        if unknown.len() == 1 { "s" } else { "" },
        shown.join("\n"),
        if more > 0 {
            format!("\n  … and {more} more")
        } else {
            String::new()
        }
    ))
}

/// What a newcomer most likely got wrong when the target's program did not start.
fn start_hint(cmd: &str, error: &str) -> String {
    let program = shlex::split(cmd)
        .and_then(|w| w.into_iter().next())
        .unwrap_or_default();
    let local = !program.contains('/') && std::path::Path::new(&program).is_file();
    if error.contains("No such file") && local {
        format!(
            "\n({program} is in this directory, but a program without a / is looked up on \
             PATH: --target \"./{program}\", or name its interpreter, e.g. --target \"python3 \
             {program}\")"
        )
    } else if error.contains("No such file") {
        "\n(is the program on PATH, or is its path right? --target is split into words as a \
         shell would, but no shell runs it: no pipes, variables or ~)"
            .into()
    } else if error.contains("Permission denied") {
        format!(
            "\n(is it executable? chmod +x {program}, or name its interpreter, e.g. --target \
             \"python3 {program}\")"
        )
    } else {
        String::new()
    }
}

/// How many jobs `jobs` means: 0 is one per available core.
pub fn jobs_for(jobs: usize) -> usize {
    if jobs > 0 {
        jobs
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Runs `config`; the error is a setup problem (no file, no target, nothing selected).
pub fn run(config: &Config, progress: &mut dyn Progress) -> Result<Run, String> {
    let files = load(&config.files)?;
    let expectations = match &config.expectations {
        Some(p) => Expectations::load(p, config.expectations_may_be_missing)?,
        None => Expectations::default(),
    };
    if !config.expectations_may_be_missing {
        check_expectations(&files, &expectations, config.expectations.as_deref())?;
    }
    let selected = select(&files, &config.selection);
    let accumulated = select_accumulated(&files, &config.selection);
    if selected.is_empty() && accumulated.is_empty() {
        return Err(super::why_nothing(&files, &config.selection));
    }
    // This shard's vectors, and its blocks of every family (all of them when unsharded).
    let mine: Vec<_> = selected
        .iter()
        .enumerate()
        .filter(|(i, (_, v))| config.partition.is_none_or(|p| p.takes(*i, &v.id)))
        .map(|(_, x)| *x)
        .collect();
    let mut position = 0usize;
    let family_blocks: Vec<Vec<usize>> = accumulated
        .iter()
        .map(|(_, a)| {
            (0..family_blocks(a.count))
                .filter(|b| {
                    position += 1;
                    let name = format!("{}#{b}", a.id);
                    config
                        .partition
                        .is_none_or(|p| p.takes(position - 1, &name))
                })
                .collect()
        })
        .collect();
    let work = mine.len() + family_blocks.iter().map(Vec::len).sum::<usize>();
    let jobs = jobs_for(config.jobs).clamp(1, work.max(1));

    let mut imps: Vec<Box<dyn Implementation + Send>> = Vec::with_capacity(jobs);
    let target = match &config.target {
        None => {
            imps.extend((0..jobs).map(|_| Box::new(Reference::default()) as Box<_>));
            "reference (in process)".to_owned()
        }
        Some(cmd) => {
            let options = Options {
                window: config.options.window.max(1),
                ..config.options.clone()
            };
            for _ in 0..jobs {
                match Subprocess::spawn_with(cmd, options.clone()) {
                    Ok(p) => imps.push(Box::new(p)),
                    // The subprocess says "cannot start" itself when the program is missing.
                    Err(e) if e.starts_with("cannot start") => {
                        return Err(format!("{e}{}", start_hint(cmd, &e)));
                    }
                    Err(e) => return Err(format!("target {cmd:?}: {e}")),
                }
            }
            cmd.clone()
        }
    };
    let hello = match imps.first_mut() {
        Some(imp) => imp.hello()?,
        None => return Err("no job to run".into()),
    };
    let supported: HashSet<&str> = hello.ops.iter().map(String::as_str).collect();
    let not_listed = |op: &str| format!("{} does not list op {op}", hello.name);

    let plan = Plan {
        vectors: mine
            .iter()
            .filter(|(op, _)| supported.contains(op))
            .copied()
            .collect(),
        families: accumulated
            .iter()
            .zip(&family_blocks)
            .filter(|((op, _), _)| supported.contains(op))
            .map(|((op, a), blocks)| PlannedFamily {
                op,
                family: a,
                blocks: blocks.clone(),
            })
            .collect(),
        sliced: config.partition.is_some(),
        threads: jobs,
    };
    let finished = run_plan(&mut imps, &plan, progress);

    let mut results = Vec::with_capacity(mine.len() + accumulated.len());
    let mut outcomes = finished.vectors.into_iter();
    for (op, v) in &mine {
        let (outcome, reply) = if supported.contains(op) {
            outcomes
                .next()
                .unwrap_or_else(|| (Outcome::Fail("the harness lost this vector".into()), None))
        } else {
            (Outcome::Skipped(not_listed(op)), None)
        };
        let expected = format!("{:?}", v.expected.result).to_lowercase();
        let mut result =
            result_of(&v.id, op, &expected, outcome, config.strict, &expectations).describing(v);
        result.reply = reply;
        results.push(result);
    }
    let mut family_slices = Vec::new();
    let mut done_families = finished.families.into_iter();
    let mut family_records = finished.family_records.into_iter();
    for ((op, a), blocks) in accumulated.iter().zip(family_blocks) {
        let mut record = None;
        let outcome = if supported.contains(op) {
            record = family_records.next().flatten();
            match done_families.next() {
                Some(FamilyDone::Outcome(o)) => o,
                Some(FamilyDone::Slice(slice)) => {
                    let o = judge_slices(&[&slice]);
                    family_slices.push(*slice);
                    o
                }
                None => Outcome::Fail("the harness lost this family".into()),
            }
        } else {
            let why = not_listed(op);
            if config.partition.is_some() {
                let mut slice = FamilySlice::new(&a.id, op, a.seed, a.count, blocks);
                slice.skipped = Some(why.clone());
                family_slices.push(slice);
            }
            Outcome::Skipped(why)
        };
        let mut result = result_of(
            &a.id,
            op,
            "accumulated",
            outcome,
            config.strict,
            &expectations,
        )
        .describing_family(a);
        result.family = record;
        results.push(result);
    }
    let incidents = finished
        .incidents
        .into_iter()
        .map(|i| IncidentResult::new(i, &expectations))
        .collect();
    let implementation = format!("{} {}", hello.name, hello.version);
    let restarts = imps
        .iter()
        .filter_map(|i| i.as_any_subprocess())
        .map(|p| p.restarts)
        .sum();
    let stderr_tail = imps
        .first()
        .and_then(|i| i.as_any_subprocess())
        .map(|p| p.last_stderr.clone())
        .unwrap_or_default();
    let partition = config.partition.map(|partition| PartitionRecord {
        partition,
        ids: selected
            .iter()
            .map(|(_, v)| v.id.clone())
            .chain(accumulated.iter().map(|(_, a)| a.id.clone()))
            .collect(),
        expectations: expectations.clone(),
    });
    Ok(Run {
        target,
        implementation,
        hello: Some(hello.clone()),
        strict: config.strict,
        results,
        restarts,
        stderr_tail,
        expectations,
        incidents,
        partition,
        family_slices,
    })
}

impl Run {
    /// The expectations this run implies: every current failure, keeping the old reason where
    /// the vector was already listed with the same outcome.
    pub fn updated_expectations(&self) -> Expectations {
        let old = &self.expectations;
        let mut new = Expectations {
            implementation: self.implementation.clone(),
            comment: old.comment.clone(),
            changes: old.changes.clone(),
            failures: Default::default(),
            // Incidents come and go: a listed class stays until someone removes it by hand.
            incidents: old.incidents.clone(),
        };
        for i in self.incidents.iter().filter(|i| i.fails_run()) {
            new.incidents
                .entry(i.class.clone())
                .or_insert_with(|| KnownIncident {
                    reason: i.incident.what.clone(),
                });
        }
        for r in &self.results {
            let failing = matches!(r.status, Status::Failure | Status::ExpectedFailure)
                || (r.status == Status::Unexpected
                    && r.outcome != "pass"
                    && r.outcome != "acceptable"
                    && r.outcome != "skipped"
                    && (r.outcome != "stage-mismatch" || self.strict));
            if failing {
                let reason = old
                    .failures
                    .get(&r.id)
                    .filter(|k| k.outcome == r.outcome)
                    .map(|k| k.reason.clone())
                    .unwrap_or_else(|| r.detail.clone());
                new.failures.insert(
                    r.id.clone(),
                    KnownFailure {
                        outcome: r.outcome.clone(),
                        reason,
                    },
                );
            }
        }
        new
    }
}
