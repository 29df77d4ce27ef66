//! `sealcheck inspect`: the bytes from the argument or stdin, dissected field by field.

use super::fail;
use std::io::{self, Read};
use std::process::ExitCode;

/// `sealcheck inspect`; exit 1 when the input is not well formed.
pub fn inspect(input: &str, format: Option<&str>) -> ExitCode {
    let text = if input == "-" {
        let mut s = String::new();
        if let Err(e) = io::stdin().read_to_string(&mut s) {
            return fail("inspect", format!("cannot read stdin: {e}"));
        }
        s
    } else {
        input.to_owned()
    };
    let bytes = match crate::wire::from_hex_or_base64(&text) {
        Ok(b) => b,
        Err(e) => return fail("inspect", e),
    };
    let dissection = crate::inspect::dissect(&bytes, format);
    out!("{}", dissection.render(&bytes));
    if dissection.problem.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
