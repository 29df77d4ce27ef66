//! cargo-fuzz target `iut_reply`: see `sealcheck::fuzz` for what it builds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sealcheck::fuzz::replay("iut_reply", data);
});
