//! cargo-fuzz target `vector_file`: see `sealcheck::fuzz` for what it builds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sealcheck::fuzz::replay("vector_file", data);
});
