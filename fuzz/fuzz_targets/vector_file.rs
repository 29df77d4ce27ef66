//! cargo-fuzz target `vector_file`: see `sealcheck::difffuzz` for what it builds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sealcheck::difffuzz::replay("vector_file", data);
});
