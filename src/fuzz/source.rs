//! Structured fuzz input: a small, total, deterministic byte reader, so the same bytes mean
//! the same thing to libFuzzer on nightly and to `cargo test` on stable.

/// A total reader over fuzz input: every read succeeds, giving zeros once the input runs out.
#[derive(Debug, Clone)]
pub struct Source<'a> {
    data: &'a [u8],
}

impl<'a> Source<'a> {
    /// Reads from `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Source { data }
    }

    /// Whether the input is used up.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next byte, or 0.
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    /// The next two bytes, little-endian.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }

    /// The next four bytes, little-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }

    /// A value below `n` (`n` > 0), from one or two bytes.
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 256 {
            usize::from(self.u8()) % n
        } else {
            usize::from(self.u16()) % n
        }
    }

    /// Up to `n` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }

    /// A length-prefixed byte string of at most `max` bytes.
    pub fn var_bytes(&mut self, max: usize) -> &'a [u8] {
        let n = self.below(max + 1);
        self.bytes(n)
    }

    /// The rest of the input.
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_is_total() {
        let mut s = Source::new(&[1, 2, 3]);
        assert_eq!(s.u16(), 0x0201);
        assert_eq!(s.u32(), 3);
        assert!(s.is_empty());
        assert_eq!(s.bytes(5), &[] as &[u8]);
        assert_eq!(s.below(7), 0);
    }
}
