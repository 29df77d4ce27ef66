//! sealcheck: reference implementations, test vectors and a conformance harness for
//! Themis Secure Message and Mixin encrypted messages.
//!
//! The library holds all the work; the `sealcheck` binary, the test harness and the fuzz
//! targets are thin shells that call it the same way.
#![forbid(unsafe_code)]

pub mod bench;
pub mod cli;
pub mod corpus;
pub mod engine;
pub mod fuzz;
pub mod inspect;
pub mod interop;
pub mod iut;
pub mod mixin;
pub mod mutate;
#[cfg(feature = "peer")]
pub mod peer;
pub mod protocol;
pub mod report;
pub mod site;
pub mod themis;
pub mod wire;

#[cfg(feature = "mutants")]
pub mod mutants;
