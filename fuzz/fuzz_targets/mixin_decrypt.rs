//! cargo-fuzz target `mixin_decrypt`: see `sealcheck::fuzz` for what it builds and asserts.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sealcheck::fuzz::replay("mixin_decrypt", data);
});
