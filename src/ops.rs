//! The reference behind PROTOCOL.md's ops.
