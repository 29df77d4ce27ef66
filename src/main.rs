//! The `sealcheck` command: a thin shell over the library.

use clap::{Parser, Subcommand};
use sealcheck::codec::from_hex_or_base64;
use sealcheck::ops::Reference;
use std::io::{self, Read};
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
    Run(sealcheck::run::RunArgs),
    /// Run the reference behind the JSON-lines protocol (docs/PROTOCOL.md) on stdin/stdout.
    Serve,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => sealcheck::run::main(&args),
        Command::Lint { files } => sealcheck::run::lint(&files),
        Command::Serve => {
            let stdin = io::stdin();
            let stdout = io::stdout();
            match sealcheck::serve::serve(
                &mut Reference::default(),
                stdin.lock(),
                stdout.lock(),
                io::stderr(),
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("sealcheck serve: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Inspect { input, format } => inspect(&input, format.as_deref()),
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
