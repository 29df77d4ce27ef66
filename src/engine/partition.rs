//! `--partition K/N`: one shard of a run, chosen deterministically, for CI matrices. The
//! convention is cargo-nextest's: `count:K/N` deals the vectors (and the families' blocks of
//! cases) round-robin, so shards are even; `hash:K/N` puts each by a hash of its id, so a
//! vector stays in its shard when others are added or removed. A bare `K/N` is `count:K/N`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// How items are dealt to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartitionMode {
    /// Round-robin by position.
    Count,
    /// By a hash of the item's name.
    Hash,
}

/// Shard `shard` (1-based) of `of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    /// How items are dealt.
    pub mode: PartitionMode,
    /// This shard, from 1.
    pub shard: usize,
    /// How many shards.
    pub of: usize,
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (mode, rest) = match s.split_once(':') {
            Some(("count", r)) => (PartitionMode::Count, r),
            Some(("hash", r)) => (PartitionMode::Hash, r),
            Some((m, _)) => return Err(format!("unknown partition mode {m:?}: use count or hash")),
            None => (PartitionMode::Count, s),
        };
        let bad =
            || format!("{s:?} is not a partition: use K/N, count:K/N or hash:K/N with 1 <= K <= N");
        let (k, n) = rest.split_once('/').ok_or_else(bad)?;
        let (shard, of): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if shard == 0 || shard > of {
            return Err(bad());
        }
        Ok(Partition { mode, shard, of })
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.mode {
            PartitionMode::Count => "count",
            PartitionMode::Hash => "hash",
        };
        write!(f, "{mode}:{}/{}", self.shard, self.of)
    }
}

impl Partition {
    /// Whether item number `position`, called `name`, is in this shard.
    pub fn takes(&self, position: usize, name: &str) -> bool {
        let of = self.of.max(1);
        let bucket = match self.mode {
            PartitionMode::Count => position % of,
            PartitionMode::Hash => {
                let h = Sha256::digest(name.as_bytes());
                let mut first = [0u8; 8];
                first.copy_from_slice(h.get(..8).unwrap_or(&[0; 8]));
                (u64::from_be_bytes(first) % of as u64) as usize
            }
        };
        bucket + 1 == self.shard
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nextest_style() {
        let p: Partition = "2/3".parse().unwrap();
        assert_eq!(
            p,
            Partition {
                mode: PartitionMode::Count,
                shard: 2,
                of: 3
            }
        );
        assert_eq!(p.to_string(), "count:2/3");
        let h: Partition = "hash:1/2".parse().unwrap();
        assert_eq!(h.mode, PartitionMode::Hash);
        for bad in ["0/2", "3/2", "x/2", "2", "slice:1/2", "1/0"] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_item_lands_in_exactly_one_shard() {
        for mode in ["count", "hash"] {
            let shards: Vec<Partition> = (1..=3)
                .map(|k| format!("{mode}:{k}/3").parse().unwrap())
                .collect();
            let mut sizes = [0usize; 3];
            for i in 0..300 {
                let name = format!("item-{i}");
                let takers: Vec<usize> = (0..3).filter(|&k| shards[k].takes(i, &name)).collect();
                assert_eq!(takers.len(), 1, "{mode} {name}");
                sizes[takers[0]] += 1;
            }
            // Count deals evenly; a hash is roughly even.
            assert!(sizes.iter().all(|&n| n > 60), "{mode}: {sizes:?}");
            if mode == "count" {
                assert_eq!(sizes, [100, 100, 100]);
            }
        }
        // A hash shard does not depend on position.
        let h: Partition = "hash:1/4".parse().unwrap();
        assert_eq!(h.takes(0, "a/b"), h.takes(99, "a/b"));
    }
}
