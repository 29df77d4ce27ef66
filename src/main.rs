//! The `sealcheck` command: a thin shell over the library.

use clap::{Parser, Subcommand};
use sealcheck::iut::Reference;
use sealcheck::wire::from_hex_or_base64;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
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
    Run(sealcheck::engine::RunArgs),
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
    Generate {
        /// The repository root that holds vectors/.
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Write nothing; exit 1 if any generated file would change.
        #[arg(long, conflicts_with = "op")]
        check: bool,
        /// Generate vectors for this op instead, e.g. mixin.decrypt.
        #[arg(long, requires = "out")]
        op: Option<String>,
        /// How many random cases of `--op`.
        #[arg(long, conflicts_with = "inputs")]
        count: Option<usize>,
        /// A JSON array of args objects for `--op` (your own keys, session ids, messages).
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Seed of the random inputs or injected randomness.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the vector file for `--op`.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Measure the harness: the corpus in process and over the protocol, and a cheap op
    /// against `sealcheck serve` beside a bare echo.
    Bench {
        /// Seconds to spend on each measurement.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
        /// Cheap requests per pipelined round.
        #[arg(long, default_value_t = 200_000)]
        requests: usize,
    },
    /// A bare JSON-lines echo, measured by `bench` beside `serve`.
    #[command(hide = true)]
    Echo,
    /// Differential fuzzing: mutate corpus vectors, compare the reference with an
    /// implementation, and write the shrunk disagreements as vectors.
    Fuzz(sealcheck::fuzz::FuzzArgs),
    /// Compare two JSON reports of `sealcheck run`; exit 1 if a vector regressed.
    Diff {
        /// The earlier report.
        old: PathBuf,
        /// The later report.
        new: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => sealcheck::engine::main(&args),
        Command::Lint { files } => sealcheck::engine::lint(&files),
        #[cfg(feature = "mutants")]
        Command::Serve { mutant: Some(name) } => match sealcheck::mutants::build(&name) {
            Some(mut m) => serve(m.as_mut()),
            None => fail("serve", format!("no mutant {name:?}")),
        },
        Command::Serve { .. } => serve(&mut Reference::default()),
        #[cfg(feature = "mutants")]
        Command::Mutants {
            protocol,
            names,
            files,
        } => {
            let exe = std::env::current_exe().map(|p| p.display().to_string());
            let exe = match (protocol, exe) {
                (false, _) => None,
                (true, Ok(e)) => Some(e),
                (true, Err(e)) => return fail("mutants", e),
            };
            match sealcheck::mutants::main(exe.as_deref(), &names, &files) {
                Ok(true) => ExitCode::SUCCESS,
                Ok(false) => ExitCode::from(1),
                Err(e) => fail("mutants", e),
            }
        }
        Command::Inspect { input, format } => inspect(&input, format.as_deref()),
        Command::Generate {
            root,
            check,
            op,
            count,
            inputs,
            seed,
            out,
        } => generate(
            &root,
            check,
            op.as_deref(),
            count,
            inputs.as_deref(),
            seed,
            out.as_deref(),
        ),
        Command::Diff { old, new } => diff(&old, &new),
        Command::Echo => match sealcheck::bench::echo(io::stdin().lock(), io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail("echo", e),
        },
        Command::Bench { seconds, requests } => {
            let exe = match std::env::current_exe() {
                Ok(p) => p.display().to_string(),
                Err(e) => return fail("bench", e),
            };
            match sealcheck::bench::run(
                &exe,
                std::time::Duration::from_secs_f64(seconds.max(0.0)),
                requests.max(10),
            ) {
                Ok(figures) => {
                    print!("{}", sealcheck::bench::table(&figures));
                    ExitCode::SUCCESS
                }
                Err(e) => fail("bench", e),
            }
        }
        Command::Fuzz(args) => sealcheck::fuzz::main(&args),
    }
}

fn serve(imp: &mut dyn sealcheck::iut::Implementation) -> ExitCode {
    match sealcheck::iut::serve(imp, io::stdin().lock(), io::stdout().lock(), io::stderr()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail("serve", e),
    }
}

fn fail(context: &str, e: impl std::fmt::Display) -> ExitCode {
    eprintln!("sealcheck {context}: {e}");
    ExitCode::from(2)
}

fn generate(
    root: &Path,
    check: bool,
    op: Option<&str>,
    count: Option<usize>,
    inputs: Option<&Path>,
    seed: u64,
    out: Option<&Path>,
) -> ExitCode {
    use sealcheck::corpus::generate;
    if let (Some(op), Some(out)) = (op, out) {
        let file = match (count, inputs) {
            (Some(n), None) => generate::random_file(op, n, seed),
            (None, Some(path)) => std::fs::read_to_string(path)
                .map_err(|e| format!("{}: {e}", path.display()))
                .and_then(|t| {
                    serde_json::from_str::<Vec<serde_json::Value>>(&t)
                        .map_err(|e| format!("{}: {e}", path.display()))
                })
                .and_then(|inputs| generate::inputs_file(op, &inputs, seed)),
            _ => Err("--op needs --count N or --inputs FILE".into()),
        };
        let written = file.and_then(|f| {
            let n = f.tests.len();
            generate::to_text(&f)
                .and_then(|t| std::fs::write(out, t).map_err(|e| format!("{}: {e}", out.display())))
                .map(|_| n)
        });
        return match written {
            Ok(n) => {
                println!("wrote {n} vectors to {}", out.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail("generate", e),
        };
    }
    match generate::generate_all(root, check) {
        Ok(changed) if check && !changed.is_empty() => {
            for p in &changed {
                println!("would change: {}", p.display());
            }
            ExitCode::from(1)
        }
        Ok(changed) => {
            for p in &changed {
                println!("wrote {}", p.display());
            }
            println!(
                "{} generated files, {} changed",
                generate::files().len(),
                changed.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail("generate", e),
    }
}

fn diff(old: &Path, new: &Path) -> ExitCode {
    let load = |p: &Path| -> Result<sealcheck::report::Report, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a sealcheck JSON report: {e}", p.display()))
    };
    let (old, new) = match (load(old), load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => return fail("diff", e),
    };
    let d = sealcheck::report::diff(&old, &new);
    for (id, was, now) in &d.changed {
        let mark = if d.regressions.contains(id) {
            "REGRESSION"
        } else {
            "changed"
        };
        println!("{mark:<11} {id}: {was} -> {now}");
    }
    for id in &d.added {
        println!("added       {id}");
    }
    for id in &d.removed {
        println!("removed     {id}");
    }
    println!(
        "{} changed, {} added, {} removed, {} regressions",
        d.changed.len(),
        d.added.len(),
        d.removed.len(),
        d.regressions.len()
    );
    if d.regressions.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn inspect(input: &str, format: Option<&str>) -> ExitCode {
    let text = if input == "-" {
        let mut s = String::new();
        if let Err(e) = io::stdin().read_to_string(&mut s) {
            eprintln!("sealcheck inspect: cannot read stdin: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        input.to_owned()
    };
    let bytes = match from_hex_or_base64(&text) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("sealcheck inspect: {e}");
            return ExitCode::from(2);
        }
    };
    let dissection = sealcheck::inspect::dissect(&bytes, format);
    print!("{}", dissection.render(&bytes));
    if dissection.problem.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
