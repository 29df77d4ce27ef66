//! `sealcheck inspect`: the bytes from the argument or stdin, dissected field by field.

use super::fail;
use crate::inspect::{self, Encoding};
use std::io::{self, Read};
use std::process::ExitCode;

/// Options of `sealcheck inspect`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  sealcheck inspect 0101ff00                        a Mixin body, as hex
  sealcheck inspect AQEApm78Ps6VRCy0MCdU...          as base64 (standard or URL-safe)
  sealcheck inspect - < body.txt                     from stdin
  sealcheck inspect --format themis --brief HEX      only the title and the verdict
  sealcheck inspect --max-fields 0 HEX               every field of a body with many sessions

Even-length text of hex digits is read as hex, anything else as base64; the first line says
which was taken and why (--encoding decides instead).

Exit codes: 0 well formed, 1 malformed (the first defect is named), 2 unreadable input.")]
pub struct InspectArgs {
    /// The bytes, as hex or base64 (standard or URL-safe); `-` reads them from stdin.
    pub input: String,
    /// Force the format instead of recognising it.
    #[arg(long, value_parser = ["mixin", "themis"])]
    pub format: Option<String>,
    /// Force the encoding of the input instead of guessing it.
    #[arg(long, value_parser = ["hex", "base64"])]
    pub encoding: Option<String>,
    /// Print at most this many fields (then the last three); 0 prints every field.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_fields: usize,
    /// Print only what the bytes are and whether they are well formed, without the table.
    #[arg(long)]
    pub brief: bool,
}

/// `sealcheck inspect`; exit 1 when the input is not well formed.
pub fn inspect(args: &InspectArgs) -> ExitCode {
    let text = if args.input == "-" {
        let mut s = String::new();
        if let Err(e) = io::stdin().read_to_string(&mut s) {
            return fail("inspect", format!("cannot read stdin: {e}"));
        }
        s
    } else {
        args.input.clone()
    };
    let forced = match args.encoding.as_deref() {
        Some("hex") => Some(Encoding::Hex),
        Some(_) => Some(Encoding::Base64),
        None => None,
    };
    let decoded = match inspect::decode_text(&text, forced) {
        Ok(d) => d,
        Err(e) => return fail("inspect", e),
    };
    let dissection = inspect::dissect(&decoded.bytes, args.format.as_deref());
    outln!("{}", decoded.reading);
    out!(
        "{}",
        dissection.render_cut(
            &decoded.bytes,
            (args.max_fields > 0).then_some(args.max_fields),
            args.brief
        )
    );
    if dissection.problem.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
