//! The command line: clap's structs, printing, the progress bar and exit codes, one file per
//! subcommand. Everything else is the library's; nothing in the library imports this.

mod bench;
mod diff;
mod fuzz;
mod generate;
mod inspect;
mod lint;
mod merge;
#[cfg(feature = "mutants")]
mod mutants;
mod observe;
mod peer;
mod run;
mod serve;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Conformance and test-vector suite for Themis Secure Message and Mixin encrypted messages.
///
/// Exit codes: 0 conforming, 1 conformance failures, 2 usage or setup errors.
#[derive(Parser)]
#[command(name = "sealcheck", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check an implementation against the vector corpus (default: the embedded reference
    /// against the embedded corpus).
    Run(run::RunArgs),
    /// Run the reference behind the JSON-lines protocol (docs/PROTOCOL.md) on stdin/stdout.
    Serve {
        /// Serve this mutant of the reference instead (see `sealcheck mutants`).
        #[cfg(feature = "mutants")]
        #[arg(long, value_name = "NAME")]
        mutant: Option<String>,
    },
    /// Run the corpus against every mutant of the reference; exit 1 if one survives.
    #[cfg(feature = "mutants")]
    Mutants {
        /// Run each mutant through `sealcheck serve --mutant NAME` as a child process.
        #[arg(long)]
        protocol: bool,
        /// Only these mutants (default: all).
        names: Vec<String>,
        /// Vector files to run instead of the embedded corpus (repeatable).
        #[arg(long = "vectors", value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Dissect a Mixin body, a Themis message or a Themis key, field by field.
    Inspect {
        /// The bytes, as hex or base64 (standard or URL-safe); `-` reads them from stdin.
        input: String,
        /// Force the format instead of recognising it.
        #[arg(long, value_parser = ["mixin", "themis"])]
        format: Option<String>,
    },
    /// Validate vector files and check the reference against every one of them.
    Lint {
        /// Vector files; default: the embedded corpus.
        files: Vec<PathBuf>,
    },
    /// Rewrite the generated vector files from their recorded seeds, or generate new vectors
    /// for an op (`--op` with `--count`, or with `--inputs`).
    Generate(generate::GenerateArgs),
    /// Measure the harness: the corpus in process and over the protocol, a cheap op against
    /// `sealcheck serve` beside a bare echo, and whole runs at one job and at N.
    Bench {
        /// Seconds to spend on each measurement.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// Cheap requests per pipelined round.
        #[arg(long, default_value_t = 200_000)]
        requests: usize,
        /// Jobs for the whole runs measured beside one job (default: one per core).
        #[arg(long, short = 'j', default_value_t = 0, hide_default_value = true)]
        jobs: usize,
        /// Rounds of each whole run; the best counts.
        #[arg(long, default_value_t = 1)]
        rounds: usize,
    },
    /// A bare JSON-lines echo, measured by `bench` beside `serve`.
    #[command(hide = true)]
    Echo,
    /// Differential fuzzing: mutate corpus vectors, compare the reference with an
    /// implementation, and write the shrunk disagreements as vectors.
    Fuzz(fuzz::FuzzArgs),
    /// Turn a JSON report of `sealcheck run --target` into an observation file: what the
    /// implementation did with each vector (vectors/observations/, docs/VECTORS.md).
    Observe {
        /// The JSON report (`sealcheck run --json`).
        report: PathBuf,
        /// Where to write the observation file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The vector files the run used, if not the embedded corpus (repeatable).
        #[arg(long = "vectors", value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// A remote party to test a Mixin SDK or a Themis client against: the Mixin
    /// encrypted-messages API, a Themis peer and a web page, on 127.0.0.1 (docs/PEER.md).
    Peer(peer::PeerArgs),
    /// Combine the JSON reports of the shards of one `run --partition K/N` into the report
    /// of the whole run; exit 1 if it does not conform.
    Merge {
        /// Every shard's JSON report, in any order.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Write the merged JSON report here.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// Write the merged JUnit XML report here.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Write the merged Markdown report here.
        #[arg(long, value_name = "FILE")]
        markdown: Option<PathBuf>,
    },
    /// Compare two JSON reports of `sealcheck run`; exit 1 if a vector regressed or a new
    /// class of incident fails the run.
    Diff {
        /// The earlier report.
        old: PathBuf,
        /// The later report.
        new: PathBuf,
    },
}

/// Parses the command line and runs the command: the whole of `sealcheck`'s `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Lint { files } => lint::lint(&files),
        #[cfg(feature = "mutants")]
        Command::Serve { mutant: Some(name) } => serve::serve_mutant(&name),
        Command::Serve { .. } => serve::serve_reference(),
        #[cfg(feature = "mutants")]
        Command::Mutants {
            protocol,
            names,
            files,
        } => mutants::mutants(protocol, &names, &files),
        Command::Inspect { input, format } => inspect::inspect(&input, format.as_deref()),
        Command::Generate(args) => generate::generate(&args),
        Command::Diff { old, new } => diff::diff(&old, &new),
        Command::Observe { report, out, files } => observe::observe(&report, &files, &out),
        Command::Merge {
            reports,
            json,
            junit,
            markdown,
        } => merge::merge(
            &reports,
            json.as_deref(),
            junit.as_deref(),
            markdown.as_deref(),
        ),
        Command::Echo => serve::echo(),
        Command::Bench {
            seconds,
            requests,
            jobs,
            rounds,
        } => bench::bench(seconds, requests, jobs, rounds),
        Command::Fuzz(args) => fuzz::fuzz(&args),
        Command::Peer(args) => peer::peer(&args),
    }
}

/// A usage or setup error: said on stderr, exit code 2.
fn fail(context: &str, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("sealcheck {context}: {e}");
    ExitCode::from(2)
}
