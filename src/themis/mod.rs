//! Themis Secure Message (docs/themis-secure-message.md).
