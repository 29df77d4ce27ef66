//! cargo-fuzz target `themis_key`: see `sealcheck::fuzz` for what it builds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sealcheck::fuzz::replay("themis_key", data);
});
