//! cargo-fuzz target `protocol_request`: see `sealcheck::difffuzz` for what it builds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sealcheck::difffuzz::replay("protocol_request", data);
});
