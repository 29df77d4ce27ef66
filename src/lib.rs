//! sealcheck: reference implementations, test vectors and a conformance harness for
//! Themis Secure Message and Mixin encrypted messages.
//!
//! The library holds all the work; the `sealcheck` binary, the test harness and the fuzz
//! targets are thin shells that call it the same way.
#![forbid(unsafe_code)]

pub mod accumulated;
pub mod bench;
pub mod check;
pub mod codec;
pub mod difffuzz;
pub mod dissect;
pub mod expectations;
pub mod inspect;
pub mod iut;
pub mod mixin;
pub mod ops;
pub mod report;
pub mod run;
pub mod serve;
pub mod stage;
pub mod themis;
pub mod vectors;

pub use stage::Stage;
#[cfg(feature = "mutants")]
pub mod mutants;
