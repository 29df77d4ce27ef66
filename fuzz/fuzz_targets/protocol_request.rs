//! cargo-fuzz target `protocol_request`: see `sealcheck::fuzz` for what it builds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sealcheck::fuzz::replay("protocol_request", data);
});
