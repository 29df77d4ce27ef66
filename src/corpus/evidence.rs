//! The evidence behind verdicts, as lint checks it (docs/VECTORS.md, "Verdict rules"): the
//! observation files of real implementations, the upstream data and the reference's policy,
//! each claim of a vector's provenance resolved against them, and the counts of what stands
//! behind each verdict.

use super::observation::{names, ObservationSet, Observations, Output, Record, Seen};
use super::{Claim, Evidence, Vector, VectorFile, Verdict};
use crate::wire::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The format version of vectors/policy.json.
pub const POLICY_VERSION: u32 = 1;

/// vectors/policy.json: the reference's own rules where the formats leave a choice or where a
/// stage is a matter of decoding order, each with its reason. Provenance of kind
/// `reference-policy` cites a rule by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Always [`POLICY_VERSION`].
    pub policy_version: u32,
    /// What the file is.
    pub description: String,
    /// The rules, by id.
    pub rules: BTreeMap<String, Rule>,
}

/// One rule of the reference's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// What the reference does, in a sentence.
    pub rule: String,
    /// Why: the spec, the upstream behaviour or the argument behind it.
    pub reason: String,
    /// For a rule that decides where a defect is caught: every stage a careful decoder may
    /// name, the reference's first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
}

/// The records of vectors/upstream/: every JSON object with a string `id`, by id.
#[derive(Debug, Clone, Default)]
pub struct Upstream {
    records: BTreeMap<String, (String, Value)>,
}

impl Upstream {
    /// Indexes upstream files given as (path, text); problems are unreadable files and ids
    /// that two records share.
    pub fn parse(texts: &[(String, String)]) -> (Self, Vec<String>) {
        let mut up = Upstream::default();
        let mut problems = Vec::new();
        for (path, text) in texts {
            let value: Value = match serde_json::from_str(text) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{path}: not JSON: {e}"));
                    continue;
                }
            };
            let mut found = Vec::new();
            collect_records(&value, &mut found);
            for record in found {
                let Some(id) = record.get("id").and_then(Value::as_str) else {
                    continue;
                };
                if let Some((other, _)) = up.records.get(id) {
                    problems.push(format!("{path}: upstream id {id} is also in {other}"));
                } else {
                    up.records
                        .insert(id.to_owned(), (path.clone(), record.clone()));
                }
            }
        }
        (up, problems)
    }

    /// The record `id`.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.records.get(id).map(|(_, v)| v)
    }

    /// Every byte string in a record: each string value as text, and as hex or base64 where
    /// it reads as either.
    fn bytes(record: &Value) -> HashSet<Vec<u8>> {
        let mut out = HashSet::new();
        let mut strings = Vec::new();
        collect_strings(record, &mut strings);
        for s in strings {
            out.insert(s.as_bytes().to_vec());
            if let Ok(b) = crate::wire::from_hex(s) {
                out.insert(b);
            }
            if let Ok(b) = crate::wire::from_base64_any(s) {
                out.insert(b);
            }
        }
        out
    }
}

fn collect_records<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            if map.get("id").is_some_and(Value::is_string) {
                out.push(v);
            } else {
                map.values().for_each(|x| collect_records(x, out));
            }
        }
        Value::Array(items) => items.iter().for_each(|x| collect_records(x, out)),
        _ => {}
    }
}

fn collect_strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Object(map) => map.values().for_each(|x| collect_strings(x, out)),
        Value::Array(items) => items.iter().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// The byte strings of a value that are hex: the args and outputs that an upstream record
/// must hold (session ids, kinds and other words are not bytes).
fn hex_values(v: &Value) -> Vec<Vec<u8>> {
    let mut strings = Vec::new();
    collect_strings(v, &mut strings);
    strings
        .into_iter()
        .filter(|s| !s.is_empty())
        .filter_map(|s| crate::wire::from_hex(s).ok())
        .collect()
}

fn short_hex(b: &[u8]) -> String {
    let h = hex::encode(b);
    if h.len() > 24 {
        let head: String = h.chars().take(24).collect();
        format!("{head}… ({} bytes)", b.len())
    } else {
        h
    }
}

/// Everything claims are resolved against.
#[derive(Debug, Clone, Default)]
pub struct EvidenceSet {
    /// One file per real implementation.
    pub observations: ObservationSet,
    /// vectors/upstream/.
    pub upstream: Upstream,
    /// vectors/policy.json.
    pub policy: Policy,
}

impl EvidenceSet {
    /// Reads the evidence files; problems are files that do not parse or break the schema.
    pub fn parse(evidence: &Evidence) -> (Self, Vec<String>) {
        let own = |files: &[(&str, &str)]| -> Vec<(String, String)> {
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect()
        };
        let mut problems = Vec::new();
        let observation_texts = own(evidence.observations);
        for (path, text) in &observation_texts {
            problems.extend(
                super::observation_schema_errors(text)
                    .into_iter()
                    .take(20)
                    .map(|e| format!("{path}: schema: {e}")),
            );
        }
        let (observations, p) = ObservationSet::parse(&observation_texts);
        problems.extend(p);
        let (upstream, p) = Upstream::parse(&own(evidence.upstream));
        problems.extend(p);
        let mut policy = Policy::default();
        for (path, text) in evidence.policy {
            match serde_json::from_str::<Policy>(text) {
                Ok(p) if p.policy_version == POLICY_VERSION => policy = p,
                Ok(p) => problems.push(format!(
                    "{path}: policy_version {} (this sealcheck reads {POLICY_VERSION})",
                    p.policy_version
                )),
                Err(e) => problems.push(format!("{path}: not a policy file: {e}")),
            }
        }
        (
            EvidenceSet {
                observations,
                upstream,
                policy,
            },
            problems,
        )
    }
}

/// What stands behind a verdict, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backing {
    /// An upstream record holds the bytes and the expectation.
    Upstream,
    /// A real implementation was observed agreeing (valid: its exact output; invalid:
    /// rejecting it; acceptable: accepting it).
    Observed,
    /// Neither: the reference alone.
    ReferenceOnly,
}

impl Backing {
    /// The label lint prints.
    pub fn label(self) -> &'static str {
        match self {
            Backing::Upstream => "upstream",
            Backing::Observed => "real implementations",
            Backing::ReferenceOnly => "reference only",
        }
    }
}

/// Whether `record` confirms `verdict` (for `acceptable`: whether it shows the leniency).
pub fn confirms(verdict: Verdict, record: &Record) -> bool {
    match verdict {
        Verdict::Valid => {
            record.result == Seen::Accepted && record.output == Some(Output::Expected)
        }
        Verdict::Invalid => record.result == Seen::Rejected,
        Verdict::Acceptable => record.result == Seen::Accepted,
    }
}

/// Whether a claim `observed` by `record` is consistent with `verdict`.
fn claim_holds(verdict: Verdict, record: &Record) -> bool {
    match verdict {
        Verdict::Acceptable => matches!(record.result, Seen::Accepted | Seen::Rejected),
        _ => confirms(verdict, record),
    }
}

fn describe(record: &Record) -> String {
    let mut s = match (record.result, record.output) {
        (Seen::Accepted, Some(Output::Expected)) => "accepted it with the expected output".into(),
        (Seen::Accepted, _) => format!(
            "accepted it, answering {}",
            record.short.as_deref().unwrap_or("a long output")
        ),
        (Seen::Rejected, _) => format!(
            "rejected it{}",
            record.stage.map(|s| format!(" at {s}")).unwrap_or_default()
        ),
        (other, _) => format!("{other:?}").to_lowercase(),
    };
    if let Some(m) = &record.message {
        s.push_str(&format!(" ({m})"));
    }
    s
}

/// The evidence side of lint over a whole corpus: claim by claim, and the counts.
#[derive(Debug, Default)]
pub struct EvidenceReport {
    /// One sentence per problem.
    pub problems: Vec<String>,
    /// (verdict, backing) → vectors.
    pub counts: BTreeMap<(String, Backing), usize>,
    /// Families reproduced by at least one real implementation, and all families.
    pub families: (usize, usize),
    /// Ids of the vectors each backing holds, for reports.
    pub reference_only: Vec<String>,
}

/// Checks every claim of every vector and family of `files` against `evidence`, the
/// observation files against the corpus, and counts what backs each verdict. With `whole`
/// false, `files` is a part of the corpus: records and rules that belong to the rest are not
/// stale.
pub fn check(
    files: &[(String, VectorFile)],
    evidence: &EvidenceSet,
    whole: bool,
) -> EvidenceReport {
    let mut out = EvidenceReport::default();
    let opened = opened_by_real_implementations(files, evidence);
    let mut cited_rules: BTreeSet<&str> = BTreeSet::new();
    let mut vectors: HashMap<&str, &Vector> = HashMap::new();
    let mut families: HashMap<&str, (u64, u64)> = HashMap::new();
    for (path, file) in files {
        for v in &file.tests {
            vectors.insert(&v.id, v);
            check_vector(path, file, v, evidence, &opened, &mut cited_rules, &mut out);
        }
        for a in &file.accumulated {
            families.insert(&a.id, (a.seed, a.count));
            out.families.1 += 1;
            let reproduced = evidence.observations.files.iter().any(|(_, o)| {
                o.families.get(&a.id).is_some_and(|f| {
                    f.seed == a.seed
                        && f.count == a.count
                        && f.result == super::observation::FamilySeen::Reproduced
                })
            });
            if reproduced {
                out.families.0 += 1;
            }
            for p in &a.provenance {
                if let Claim::Observed(imp) = p.claim() {
                    let ok = evidence
                        .observations
                        .get(imp)
                        .and_then(|o| o.families.get(&a.id));
                    match ok {
                        Some(f)
                            if f.result == super::observation::FamilySeen::Reproduced
                                && (f.seed, f.count) == (a.seed, a.count) => {}
                        Some(f) => out.problems.push(format!(
                            "{path}: {}: claims {imp} reproduced it, but its observation says {:?}",
                            a.id, f.result
                        )),
                        None => out.problems.push(format!(
                            "{path}: {}: claims {imp} reproduced it, but no observation of {imp} records it",
                            a.id
                        )),
                    }
                }
            }
        }
    }
    for (path, o) in &evidence.observations.files {
        check_observation_file(path, o, &vectors, &families, whole, &mut out);
    }
    let mut seen = HashSet::new();
    for (path, o) in &evidence.observations.files {
        if !seen.insert(o.implementation.as_str()) {
            out.problems.push(format!(
                "{path}: a second observation file of {}",
                o.implementation
            ));
        }
    }
    for id in evidence.policy.rules.keys() {
        if whole && !cited_rules.contains(id.as_str()) {
            out.problems.push(format!(
                "vectors/policy.json: rule {id} is cited by no vector"
            ));
        }
    }
    out
}

fn check_observation_file(
    path: &str,
    o: &Observations,
    vectors: &HashMap<&str, &Vector>,
    families: &HashMap<&str, (u64, u64)>,
    whole: bool,
    out: &mut EvidenceReport,
) {
    if o.name.starts_with("sealcheck") {
        out.problems.push(format!(
            "{path}: {} is not a real implementation; observation files are of real implementations only",
            o.name
        ));
    }
    if o.implementation != format!("{} {}", o.name, o.version) {
        out.problems.push(format!(
            "{path}: implementation {:?} is not name and version {:?} {:?}",
            o.implementation, o.name, o.version
        ));
    }
    let mut stale = Vec::new();
    for (id, r) in &o.records {
        match vectors.get(id.as_str()) {
            None if whole => stale.push(format!("{id} (no such vector)")),
            None => {}
            Some(v) if super::observation::args_digest(&v.args) != r.args => {
                stale.push(format!("{id} (its args changed)"))
            }
            Some(_) => {}
        }
    }
    for (id, f) in &o.families {
        match families.get(id.as_str()) {
            None if whole => stale.push(format!("{id} (no such family)")),
            None => {}
            Some(sc) if *sc != (f.seed, f.count) => stale.push(format!("{id} (its seed changed)")),
            Some(_) => {}
        }
    }
    if !stale.is_empty() {
        let n = stale.len();
        stale.truncate(5);
        out.problems.push(format!(
            "{path}: {n} stale records, e.g. {}: run the implementation again (tools/adapters.sh reports)",
            stale.join(", ")
        ));
    }
}

fn check_vector<'a>(
    path: &str,
    file: &VectorFile,
    v: &Vector,
    evidence: &'a EvidenceSet,
    opened: &HashSet<Opening>,
    cited_rules: &mut BTreeSet<&'a str>,
    out: &mut EvidenceReport,
) {
    let verdict = v.expected.result;
    let mut problem = |s: String| out.problems.push(format!("{path}: {}: {s}", v.id));
    let mut upstream_backs = false;
    for p in &v.expected.provenance {
        match p.claim() {
            Claim::Reference(source) if source.trim().is_empty() => {
                problem("a reference claim names no source".into())
            }
            Claim::Reference(_) => {}
            Claim::Observed(imp) => match evidence.observations.get(imp) {
                None => problem(format!("claims {imp}, which has no observation file")),
                Some(o) => match o.records.get(&v.id) {
                    None => problem(format!(
                        "claims {imp}, whose observation has no record of it"
                    )),
                    Some(r) if r.args != super::observation::args_digest(&v.args) => {
                        problem(format!("claims {imp}, whose record is of other args"))
                    }
                    Some(r) if !claim_holds(verdict, r) => problem(format!(
                        "{verdict:?} and claims {imp}, but {imp} {}",
                        describe(r)
                    )),
                    Some(_) => {}
                },
            },
            Claim::Upstream(id) => {
                match evidence.upstream.get(id) {
                    None => problem(format!(
                        "cites upstream record {id}, which vectors/upstream/ does not have"
                    )),
                    Some(record) if record.get("behaviour").is_some() => {
                        // A documented behaviour backs a leniency or a rejection, never bytes.
                        if verdict == Verdict::Valid {
                            problem(format!("cites the documented behaviour {id}, which cannot confirm exact bytes"));
                        } else {
                            upstream_backs = true;
                        }
                    }
                    Some(record) => match upstream_mismatch(v, record) {
                        Some(why) => problem(format!("cites upstream record {id}, but {why}")),
                        None => upstream_backs = true,
                    },
                }
            }
            Claim::ReferencePolicy(rule) => match evidence.policy.rules.get_key_value(rule) {
                None => problem(format!(
                    "cites policy rule {rule}, which vectors/policy.json does not have"
                )),
                Some((key, r)) => {
                    cited_rules.insert(key.as_str());
                    let set = v.expected.stage_set();
                    let names = |s: &[Stage]| {
                        s.iter()
                            .map(|x| x.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    if !r.stages.is_empty() && !set.is_empty() {
                        // An invalid vector carries its rule's whole set; an acceptable one
                        // names the reference's stage, which must be in it.
                        let fits = match verdict {
                            Verdict::Invalid => set == r.stages,
                            _ => set.iter().all(|s| r.stages.contains(s)),
                        };
                        if !fits {
                            problem(format!(
                                "stages {{{}}}, but its policy rule {rule} gives {{{}}}",
                                names(&set),
                                names(&r.stages)
                            ));
                        }
                    }
                }
            },
            Claim::Unknown(kind) => problem(format!("unknown provenance kind {kind}")),
        }
    }
    // What the real implementations did, claimed or not.
    let mut observed_backs = false;
    for (o, r) in evidence.observations.records_of(v) {
        observed_backs |= confirms(verdict, r);
        let accepted = r.result == Seen::Accepted;
        if accepted && verdict != Verdict::Valid && !flag_names(file, v, o, false) {
            problem(format!(
                "{verdict:?}, and {} {}; no flag of the vector names {} and says why",
                o.implementation,
                describe(r),
                o.name
            ));
        } else if accepted && verdict == Verdict::Invalid && !flag_names(file, v, o, true) {
            problem(format!(
                "invalid, and {} {}; the flag naming {} has no defect sentence saying why accepting is a defect",
                o.implementation,
                describe(r),
                o.name
            ));
        }
    }
    // A randomised output is backed only both ways: the reference checked the implementation's
    // output (the record), and a real implementation opened a reference-made one for the same
    // keys and message (a valid vector of the inverse op).
    if let Some(check) = &v.expected.check {
        observed_backs &= openings(check, &v.args).iter().any(|o| opened.contains(o));
    }
    let backing = if upstream_backs {
        Backing::Upstream
    } else if observed_backs {
        Backing::Observed
    } else {
        Backing::ReferenceOnly
    };
    if backing == Backing::ReferenceOnly {
        out.reference_only.push(v.id.clone());
        if verdict != Verdict::Acceptable && v.expected.unconfirmed.is_none() {
            problem(format!(
                "{verdict:?} on the reference alone: no upstream record or real implementation \
                 backs it, and it does not say why in unconfirmed"
            ));
        }
    } else if let Some(why) = &v.expected.unconfirmed {
        problem(format!(
            "says unconfirmed ({why}), but {} backs it",
            backing.label()
        ));
    }
    let verdict_label = format!("{verdict:?}").to_lowercase();
    *out.counts.entry((verdict_label, backing)).or_default() += 1;
}

/// What opening a reference-made output proves: that a real implementation verified or
/// decrypted, with these keys (hex, in the inverse op's argument order), to this message.
type Opening = (&'static str, Vec<String>, String);

fn text(v: &Value, name: &str) -> String {
    v.get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Every opening some real implementation was observed doing on a valid vector of
/// themis.verify, themis.decrypt or mixin.decrypt.
fn opened_by_real_implementations(
    files: &[(String, VectorFile)],
    evidence: &EvidenceSet,
) -> HashSet<Opening> {
    let mut out = HashSet::new();
    for (_, f) in files {
        for v in &f.tests {
            let confirmed = v.expected.result == Verdict::Valid
                && evidence
                    .observations
                    .records_of(v)
                    .any(|(_, r)| confirms(Verdict::Valid, r));
            let (Some(ok), true) = (&v.expected.ok, confirmed) else {
                continue;
            };
            let a = &v.args;
            let opening = match f.op.as_str() {
                "themis.verify" => (
                    "themis.sign",
                    vec![text(a, "public_key")],
                    text(ok, "message"),
                ),
                "themis.decrypt" => (
                    "themis.encrypt",
                    vec![text(a, "private_key"), text(a, "peer_public_key")],
                    text(ok, "message"),
                ),
                "mixin.decrypt" => (
                    "mixin.encrypt",
                    vec![text(a, "private_key"), text(a, "session_id").to_lowercase()],
                    text(ok, "plaintext"),
                ),
                _ => continue,
            };
            out.insert(opening);
        }
    }
    out
}

/// The openings that would back a randomised vector: any one suffices.
fn openings(check: &super::Check, args: &Value) -> Vec<Opening> {
    match check {
        super::Check::ThemisVerify { public_key } => {
            vec![(
                "themis.sign",
                vec![public_key.clone()],
                text(args, "message"),
            )]
        }
        super::Check::ThemisDecrypt {
            private_key,
            peer_public_key,
        } => vec![(
            "themis.encrypt",
            vec![private_key.clone(), peer_public_key.clone()],
            text(args, "message"),
        )],
        super::Check::MixinDecrypt { recipients } => recipients
            .iter()
            .map(|r| {
                (
                    "mixin.encrypt",
                    vec![r.private_key.clone(), r.session_id.to_lowercase()],
                    text(args, "plaintext"),
                )
            })
            .collect(),
    }
}

/// Whether one of `v`'s flags has a note whose `implementations` names `o` (and, with
/// `defect`, that says why accepting is a defect).
fn flag_names(file: &VectorFile, v: &Vector, o: &Observations, defect: bool) -> bool {
    v.flags.iter().any(|f| {
        file.notes.get(f).is_some_and(|n| {
            n.implementations.keys().any(|k| names(k, &o.name))
                && (!defect || n.defect.as_deref().is_some_and(|d| !d.trim().is_empty()))
        })
    })
}

/// Why an upstream record does not back `v`, if it does not: bytes of the args or the
/// output that the record does not hold, or a verdict its `expect` contradicts.
fn upstream_mismatch(v: &Vector, record: &Value) -> Option<String> {
    let held = Upstream::bytes(record);
    let mut wanted = hex_values(&v.args);
    if let Some(ok) = &v.expected.ok {
        wanted.extend(hex_values(ok));
    }
    if let Some(missing) = wanted.iter().find(|b| !held.contains(*b)) {
        return Some(format!("the record does not hold {}", short_hex(missing)));
    }
    if let Some(expect) = record.get("expect").and_then(Value::as_str) {
        let success = expect.ends_with("SUCCESS");
        if success != (v.expected.result == Verdict::Valid) {
            return Some(format!("the upstream test expects {expect}"));
        }
    }
    None
}
