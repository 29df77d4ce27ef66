//! `sealcheck merge`: the JSON reports of the shards of one partitioned run, combined into
//! the report an unsharded run gives. Each family's verdict comes from every shard's slice of
//! its cases (`engine::judge_slices`); the merge refuses shards that do not belong together,
//! are missing, or repeat.

use super::Report;
use crate::engine::{judge_slices, result_of, FamilySlice, VectorResult};
use std::collections::{BTreeMap, BTreeSet};

/// Combines shard reports into one; the error says why they cannot be combined.
pub fn merge(shards: &[Report]) -> Result<Report, String> {
    let first = shards.first().ok_or("no report to merge")?;
    let record = first
        .partition
        .as_ref()
        .ok_or("the first report is not one shard of a partitioned run (no \"partition\")")?;
    let of = record.partition.of;
    let mut seen = BTreeSet::new();
    for (n, s) in shards.iter().enumerate() {
        let p = s
            .partition
            .as_ref()
            .ok_or_else(|| format!("report {} is not a shard (no \"partition\")", n + 1))?;
        let same = p.partition.mode == record.partition.mode
            && p.partition.of == of
            && p.ids == record.ids
            && p.expectations == record.expectations
            && s.target == first.target
            && s.implementation == first.implementation
            && s.strict == first.strict;
        if !same {
            return Err(format!(
                "report {} (shard {}) is not a shard of the same run as report 1: the selection, mode, shard count, target, implementation, strictness and expectations must all agree",
                n + 1,
                p.partition
            ));
        }
        if !seen.insert(p.partition.shard) {
            return Err(format!("shard {} appears twice", p.partition));
        }
    }
    // In shard order, whatever the order given.
    let mut shards: Vec<&Report> = shards.iter().collect();
    shards.sort_by_key(|s| s.partition.as_ref().map(|p| p.partition.shard));
    let first = shards.first().copied().ok_or("no report to merge")?;
    let missing: Vec<String> = (1..=of)
        .filter(|k| !seen.contains(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!("shards {} of {of} are missing", missing.join(", ")));
    }

    // Families: every block of cases in exactly one shard.
    let mut slices: BTreeMap<&str, Vec<&FamilySlice>> = BTreeMap::new();
    for s in &shards {
        for f in &s.family_slices {
            slices.entry(f.id.as_str()).or_default().push(f);
        }
    }
    let mut results: BTreeMap<&str, VectorResult> = BTreeMap::new();
    let expectations = &record.expectations;
    for (id, parts) in &slices {
        let Some(one) = parts.first() else { continue };
        let mut blocks: Vec<usize> = parts
            .iter()
            .flat_map(|p| p.blocks.iter().copied())
            .collect();
        blocks.sort_unstable();
        let whole: Vec<usize> = (0..crate::engine::blocks(one.count)).collect();
        if blocks != whole || parts.len() != of {
            return Err(format!(
                "{id}: the shards' blocks of cases do not cover the family exactly once"
            ));
        }
        let outcome = judge_slices(parts);
        let mut merged = result_of(
            id,
            &one.op,
            "accumulated",
            outcome,
            first.strict,
            expectations,
        );
        // What describes the family (its seed, count and comment) is the same in every shard.
        if let Some(r) = shards
            .iter()
            .flat_map(|s| s.results.iter())
            .find(|r| r.id == *id)
        {
            merged.args = r.args.clone();
            merged.comment = r.comment.clone();
            merged.cases = r.cases;
        }
        results.insert(id, merged);
    }
    // Vectors: each in exactly one shard.
    for s in &shards {
        for r in &s.results {
            if slices.contains_key(r.id.as_str()) {
                continue;
            }
            if results.insert(&r.id, r.clone()).is_some() {
                return Err(format!("{} is in more than one shard", r.id));
            }
        }
    }
    let mut ordered = Vec::with_capacity(record.ids.len());
    for id in &record.ids {
        match results.remove(id.as_str()) {
            Some(r) => ordered.push(r),
            None => return Err(format!("{id} is in no shard")),
        }
    }
    if let Some(extra) = results.keys().next() {
        return Err(format!("{extra} is not in the run's selection"));
    }
    let mut merged = Report::new(
        first.target.clone(),
        first.implementation.clone(),
        first.strict,
        ordered,
    )
    .with_incidents(shards.iter().flat_map(|s| s.incidents.clone()).collect());
    merged.sealcheck = first.sealcheck.clone();
    merged.restarts = shards.iter().map(|s| s.restarts).sum();
    merged.stderr_tail = first.stderr_tail.clone();
    // The same implementation answered every shard; the run's day is its last shard's.
    merged.hello = first.hello.clone();
    merged.date = shards
        .iter()
        .map(|s| s.date.clone())
        .max()
        .unwrap_or_default();
    Ok(merged)
}
