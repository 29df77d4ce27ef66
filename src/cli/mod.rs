//! The command line: clap's structs, printing, the progress bar and exit codes, one file per
//! subcommand. Everything else is the library's; nothing in the library imports this.

/// `println!` that survives a closed stdout (see `out.rs`).
macro_rules! outln {
    () => { $crate::cli::out::write(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that survives a closed stdout.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!($($arg)*)) };
}

mod bench;
mod diff;
mod export;
mod fuzz;
mod generate;
mod inspect;
mod interop;
mod lint;
mod merge;
#[cfg(feature = "mutants")]
mod mutants;
mod observe;
mod out;
#[cfg(feature = "peer")]
mod peer;
mod run;
mod serve;
mod show;
mod site;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Conformance and test-vector suite for Themis Secure Message and Mixin encrypted messages.
#[derive(Parser)]
#[command(
    name = "sealcheck",
    version,
    after_help = "\
Start here:
  sealcheck run                                   the reference against the embedded corpus
  sealcheck run --target \"python3 adapter.py\"     your implementation, over docs/PROTOCOL.md
  sealcheck show ID                               one vector: what it checks, its args dissected
  sealcheck inspect HEX-OR-BASE64                 what these bytes are, field by field

Each subcommand's --help has examples.

Exit codes: 0 conforming (or PARTIAL: some vectors not checked), 1 conformance failures,
2 usage or setup errors."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check an implementation against the vector corpus (default: the embedded reference
    /// against the embedded corpus).
    Run(run::RunArgs),
    /// Show one vector: what it checks and why, its flags' meanings, its args and expected
    /// output, with every message and key dissected as `inspect` does.
    Show(show::ShowArgs),
    /// Run the reference behind the JSON-lines protocol (docs/PROTOCOL.md) on stdin/stdout.
    #[command(after_help = "\
Examples:
  sealcheck serve                                    then type: {\"id\":0,\"op\":\"hello\",\"args\":{\"protocol\":1}}
  sealcheck run --target \"sealcheck serve\"           the harness against the reference over the protocol

Exit codes: 0 when stdin ends (or the reader of stdout goes away), 2 on a read error.")]
    Serve {
        /// Serve this mutant of the reference instead (a build with `--features mutants`).
        #[arg(long, value_name = "NAME")]
        mutant: Option<String>,
    },
    /// Run the corpus against every mutant of the reference; exit 1 if one survives.
    #[cfg(feature = "mutants")]
    #[command(after_help = "\
Examples:
  sealcheck mutants                                 every mutant, in process
  sealcheck mutants --protocol                      each as `sealcheck serve --mutant NAME`
  sealcheck mutants mixin-decrypt-count-low-byte    one mutant

Exit codes: 0 every counted mutant is caught, 1 one survives, 2 setup errors.")]
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
    /// The mutant zoo (only in a build with `--features mutants`).
    #[cfg(not(feature = "mutants"))]
    Mutants {
        /// Whatever was given: this build cannot run it.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        rest: Vec<String>,
    },
    /// Dissect a Mixin body, a Themis message or a Themis key, field by field.
    Inspect(inspect::InspectArgs),
    /// Validate vector files and check the reference against every one of them.
    #[command(after_help = "\
Examples:
  sealcheck lint                                    the embedded corpus
  sealcheck lint my-vectors.json                    your own files (e.g. from `generate --op`)

Exit codes: 0 no problems, 1 problems (one a line), 2 a file that cannot be read.")]
    Lint {
        /// Vector files; default: the embedded corpus.
        files: Vec<PathBuf>,
    },
    /// Rewrite the generated vector files from their recorded seeds (in a checkout of the
    /// repository), or write new vectors for an op (`--op` with `--count` or `--inputs`).
    Generate(generate::GenerateArgs),
    /// Measure the harness: the corpus in process and over the protocol, a cheap op against
    /// `sealcheck serve` beside a bare echo, and whole runs at one job and at N.
    #[command(after_help = "\
Examples:
  sealcheck bench                                   about a minute
  cargo run --release -- bench --seconds 3          the figures of the README

Exit codes: 0, or 2 when a measurement cannot run.")]
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
    /// The interoperability matrix: every implementation produces messages with its own
    /// randomness, every implementation opens them (the reference always included).
    #[command(after_help = "\
Examples:
  sealcheck interop --target \"go=adapters/go-mixin/bin/go-mixin -impl botapi\" --no-rsa
  sealcheck interop --target \"wasm=node adapters/wasm-themis/adapter.js\" \\
      --json interop.json --markdown interop.md --expectations known-cells.json

Exit codes: 0 every cell clean or listed in the expectations, 1 a failing cell not listed (or a
listed one that changed), 2 usage or setup errors.")]
    Interop(interop::InteropArgs),
    /// Build the static conformance site from the committed reports, the interop matrix and
    /// the embedded corpus; it works offline from `file://`.
    #[command(after_help = "\
Examples:
  sealcheck site --out target/site            (then open target/site/index.html)
  sealcheck site --out public --root ../sealcheck-checkout

Exit codes: 0 the site was written, 2 the reports could not be read or the folder written.")]
    Site {
        /// The folder to write it to.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// The repository whose reports/ to read.
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
    },
    /// Write the embedded corpus as a versioned release a non-Rust user can pin: vector
    /// files stamped with corpus_version, the schema, CHANGELOG.md, SHA256SUMS.
    #[command(after_help = "\
Examples:
  sealcheck export --out corpus-release       (then: cd corpus-release && sha256sum -c SHA256SUMS)
  sealcheck export --out corpus-release --force
  sealcheck export --manifest                 (rewrite vectors/verdicts.tsv in a checkout)

Exit codes: 0 written, 1 the corpus changed more than vectors/VERSION's bump allows (--manifest),
2 usage or setup errors.")]
    Export(export::ExportArgs),
    /// Turn a JSON report of `sealcheck run --target` into an observation file: what the
    /// implementation did with each vector (vectors/observations/, docs/VECTORS.md).
    #[command(after_help = "\
Examples:
  sealcheck run --target \"python3 my_adapter.py\" --json run.json
  sealcheck observe run.json --out vectors/observations/my-impl-1.0.json
  sealcheck run --target \"python3 my_adapter.py\" --observe my-impl.json   (both at once)

Exit codes: 0 written, 2 the report or vector files could not be read, or the file written.")]
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
    #[cfg(feature = "peer")]
    Peer(peer::PeerArgs),
    /// Combine the JSON reports of the shards of one `run --partition K/N` into the report
    /// of the whole run; exit 1 if it does not conform.
    #[command(after_help = "\
Examples:
  sealcheck run --partition 1/3 --json s1.json   (and 2/3, 3/3, e.g. in a CI matrix)
  sealcheck merge s1.json s2.json s3.json --json all.json --markdown all.md

Exit codes: 0 the merged run conforms, 1 it does not, 2 reports that do not fit together.")]
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
    /// Compare two JSON reports of `sealcheck run`; exit 1 if a vector regressed, coverage was
    /// lost or a new class of incident fails the run.
    #[command(after_help = "\
Examples:
  sealcheck run --target \"$OLD\" --json old.json; sealcheck run --target \"$NEW\" --json new.json
  sealcheck diff old.json new.json

A regression is a vector that now fails the run; lost coverage (a vector that was checked and
is now skipped, or is gone from the new report); or a new class of incident that fails the run.

Exit codes: 0 no regression, 1 a regression, 2 a report that cannot be read.")]
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
        Command::Show(args) => show::show(&args),
        Command::Lint { files } => lint::lint(&files),
        Command::Serve { mutant: None } => serve::serve_reference(),
        #[cfg(feature = "mutants")]
        Command::Serve { mutant: Some(name) } => serve::serve_mutant(&name),
        #[cfg(not(feature = "mutants"))]
        Command::Serve { mutant: Some(_) } => needs_mutants("serve --mutant"),
        #[cfg(feature = "mutants")]
        Command::Mutants {
            protocol,
            names,
            files,
        } => mutants::mutants(protocol, &names, &files),
        #[cfg(not(feature = "mutants"))]
        Command::Mutants { .. } => needs_mutants("mutants"),
        Command::Inspect(args) => inspect::inspect(&args),
        Command::Generate(args) => generate::generate(&args),
        Command::Diff { old, new } => diff::diff(&old, &new),
        Command::Export(args) => export::export(&args),
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
        Command::Interop(args) => interop::interop(&args),
        Command::Site { out, root } => site::site(&out, &root),
        #[cfg(feature = "peer")]
        Command::Peer(args) => peer::peer(&args),
    }
}

/// The mutant zoo is compiled only with the feature: say how to get it.
#[cfg(not(feature = "mutants"))]
fn needs_mutants(what: &str) -> ExitCode {
    fail(
        what,
        "this build has no mutant zoo; it needs the `mutants` feature:\n  \
         cargo run --release --features mutants -- mutants",
    )
}

/// A usage or setup error: said on stderr, exit code 2.
fn fail(context: &str, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("sealcheck {context}: {e}");
    ExitCode::from(2)
}
