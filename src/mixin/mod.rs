//! Mixin encrypted messages (docs/mixin-encrypted-message.md).
