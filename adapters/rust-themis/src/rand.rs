//! Injected randomness through the shared OpenSSL RAND method (adapters/themis-rand), which
//! build.rs compiles against the OpenSSL the core uses.

use std::ffi::{c_char, c_int, c_uchar, CStr};

extern "C" {
    fn sealcheck_rand_begin(values: *const c_uchar, sizes: *const usize, count: usize) -> c_int;
    fn sealcheck_rand_end(why: *mut c_char, why_len: usize) -> c_int;
    fn sealcheck_openssl_version() -> *const c_char;
}

/// Why the injected values were not used as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InjectionError {
    /// The method could not be installed.
    Install,
    /// The core asked for a draw out of the expected order; the method refused it, so a
    /// failure of the call is the adapter's, not the core's.
    OutOfOrder(String),
    /// Some values were never drawn (the core rejected the call before drawing, or drew less).
    Unused(String),
}

/// Runs `f` with `values` served, in order, to the core's RAND_bytes calls.
pub fn with_injected<T>(
    values: &[Vec<u8>],
    f: impl FnOnce() -> T,
) -> (T, Result<(), InjectionError>) {
    let all: Vec<u8> = values.concat();
    let sizes: Vec<usize> = values.iter().map(Vec::len).collect();
    // SAFETY: `all` holds exactly sum(sizes) bytes and both outlive the call; the shim copies them.
    let installed = unsafe { sealcheck_rand_begin(all.as_ptr(), sizes.as_ptr(), sizes.len()) } == 0;
    if !installed {
        return (f(), Err(InjectionError::Install));
    }
    let out = f();
    let mut why = [0 as c_char; 256];
    // SAFETY: the buffer is writable for its whole length; the shim NUL-terminates within it.
    let rc = unsafe { sealcheck_rand_end(why.as_mut_ptr(), why.len()) };
    // SAFETY: NUL-terminated by the shim (snprintf).
    let text = unsafe { CStr::from_ptr(why.as_ptr()) }
        .to_string_lossy()
        .into_owned();
    let status = match rc {
        0 => Ok(()),
        -2 => Err(InjectionError::OutOfOrder(text)),
        _ => Err(InjectionError::Unused(text)),
    };
    (out, status)
}

/// OpenSSL's version text, from the libcrypto in this process.
pub fn openssl_version() -> String {
    // SAFETY: OpenSSL_version returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(sealcheck_openssl_version()) }
        .to_string_lossy()
        .into_owned()
}
