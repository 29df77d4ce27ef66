//! docs/PROTOCOL.md in code: the messages between the harness and an implementation under
//! test, and the one line codec that both ends (the subprocess client and `sealcheck serve`)
//! read and write them with, so the two cannot drift apart.

mod line;
mod message;

pub use line::{
    parse_hello, parse_reply, parse_request, write_hello, write_hello_request, write_reply,
    write_request, Request,
};
pub use message::{Failure, Hello, Reply};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// The op of the handshake, always request id 0.
pub const HELLO: &str = "hello";

/// Every op PROTOCOL.md defines.
pub const OPS: &[&str] = &[
    "mixin.encrypt",
    "mixin.decrypt",
    "mixin.checksum",
    "mixin.convert_public_key",
    "mixin.convert_private_key",
    "themis.key.check",
    "themis.sign",
    "themis.verify",
    "themis.encrypt",
    "themis.decrypt",
];
