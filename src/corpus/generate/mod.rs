//! `sealcheck generate`: the generated part of the corpus, rewritten byte for byte from the
//! seed recorded in each file.
//!
//! Each generated file is a catalogue of records (`src/corpus/catalogue/*.jsonl`, interpreted
//! by `catalogue/`) that draws every input from a seeded ChaCha20 stream (`gen.rs`) and asks
//! the reference for every expected output; `family.rs` defines the accumulated families and
//! `random/` their cases. Hand-curated files live in `vectors/curated/` and are never touched.

pub mod catalogue;
pub mod family;
mod gen;
mod random;

pub use gen::{FileSpec, Gen, Generated, GENERATOR_VERSION};

use crate::corpus::evidence::confirms;
use crate::corpus::observation::{FamilySeen, ObservationSet};
use crate::corpus::Provenance;
use crate::corpus::{Accumulated, Check, Generator, Vector, VectorFile, Verdict, SCHEMA_VERSION};
use crate::protocol::Reply;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The twins files (docs/VECTORS.md, "Twins"): (path, inverse op, default seed, the catalogues
/// whose randomised valid vectors they open).
const TWINS: &[(&str, &str, u64, &[&str])] = &[
    (
        "vectors/themis/verify-twins.json",
        "themis.verify",
        31,
        &["themis.sign", "themis.sign-extra"],
    ),
    (
        "vectors/themis/decrypt-twins.json",
        "themis.decrypt",
        32,
        &["themis.encrypt", "themis.encrypt-extra"],
    ),
    (
        "vectors/mixin/decrypt-twins.json",
        "mixin.decrypt",
        33,
        &["mixin.encrypt", "mixin.encrypt-extra"],
    ),
];

/// Every generated file: one per catalogue with a `file` header, in catalogue order, then the
/// twins files.
pub fn files() -> Vec<FileSpec> {
    let mut out = catalogue_files();
    out.extend(TWINS.iter().map(|(path, op, seed, twins_of)| FileSpec {
        path: path.to_string(),
        op: op.to_string(),
        default_seed: *seed,
        catalogue: "",
        twins_of,
    }));
    out
}

fn catalogue_files() -> Vec<FileSpec> {
    catalogue::CATALOGUES
        .iter()
        .filter_map(|(name, text)| match catalogue::header(name, text) {
            Ok(Some((path, op, seed))) => Some(FileSpec {
                path,
                op,
                default_seed: seed,
                catalogue: name,
                twins_of: &[],
            }),
            Ok(None) => None,
            // Building it reports why it does not parse.
            Err(_) => Some(FileSpec {
                path: format!("src/corpus/catalogue/{name}.jsonl"),
                op: String::new(),
                default_seed: 0,
                catalogue: name,
                twins_of: &[],
            }),
        })
        .collect()
}

/// One pseudo-random case of `op` for accumulated vectors: mostly well-formed inputs, the
/// rest single mutations of them.
pub fn accumulated_args(g: &mut Gen, op: &str) -> Result<Value, String> {
    match op.split_once('.') {
        Some(("mixin", _)) => random::mixin::accumulated_args(g, op),
        Some(("themis", _)) => random::themis::accumulated_args(g, op),
        _ => Err(format!("no accumulated cases for {op}")),
    }
}

/// Whether `op` has accumulated cases.
pub fn has_accumulated(op: &str) -> bool {
    accumulated_args(&mut Gen::new(0), op).is_ok()
}

/// Builds one file from its seed.
pub fn build(spec: &FileSpec, seed: u64) -> Result<VectorFile, String> {
    if !spec.twins_of.is_empty() {
        return build_twins(spec, seed);
    }
    let mut gen = Gen::new(seed);
    let g = catalogue::build(spec.catalogue, &mut gen)?;
    let format = spec.op.split('.').next().unwrap_or_default().to_owned();
    // Keep only the notes the tests use, so the file defines exactly its flags.
    let used: std::collections::HashSet<&String> = g.tests.iter().flat_map(|t| &t.flags).collect();
    let notes = g
        .notes
        .into_iter()
        .filter(|(k, _)| used.contains(k))
        .collect();
    let mut accumulated = Vec::new();
    // One family per op, in the op's main file (vectors/<format>/<op>.json).
    let main_file = spec
        .op
        .split_once('.')
        .is_some_and(|(fmt, name)| spec.path == format!("vectors/{fmt}/{name}.json"));
    if main_file && has_accumulated(&spec.op) {
        for (i, (name, subset, count, what)) in family::families_of(&spec.op).iter().enumerate() {
            // A seed of its own, derived from the file's, so adding tests never moves the
            // family; small enough to survive JSON readers that hold numbers as doubles.
            let acc_seed = seed.wrapping_add(1_000_000 * (i as u64 + 1)) % (1 << 53);
            accumulated.push(Accumulated {
                id: format!("{}/accumulated/{name}", spec.op),
                comment: format!(
                    "{count} pseudo-random cases of {}{what}; the digest covers every exact output and every accept/reject decision.",
                    spec.op
                ),
                cases: *subset,
                seed: acc_seed,
                count: *count,
                digest: family::reference_digest(&spec.op, *subset, acc_seed, *count)?,
                provenance: gen.provenance(),
            });
        }
    }
    let mut file = VectorFile {
        schema_version: SCHEMA_VERSION,
        format,
        op: spec.op.clone(),
        description: g.description,
        generator: Some(Generator {
            version: GENERATOR_VERSION.into(),
            seed,
        }),
        notes,
        tests: g.tests,
        accumulated,
    };
    cite_observations(&mut file);
    Ok(file)
}

/// The observation files embedded at build time, parsed once.
fn observations() -> &'static ObservationSet {
    static SET: OnceLock<ObservationSet> = OnceLock::new();
    SET.get_or_init(|| {
        let texts: Vec<(String, String)> = crate::corpus::embedded_evidence()
            .observations
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        ObservationSet::parse(&texts).0
    })
}

/// Cites, on every vector and family of `file`, each real implementation whose observation
/// (embedded at build time) confirms it, so that the file says what lint counts. After
/// `tools/adapters.sh reports` or `tools/native-themis.sh reports`, a rebuild and
/// `sealcheck generate` bring these claims up to date; `generate --check` notices when not.
fn cite_observations(file: &mut VectorFile) {
    let set = observations();
    let observed = |imps: Vec<String>| {
        let imps: BTreeSet<String> = imps.into_iter().collect();
        imps.into_iter().map(|imp| Provenance {
            kind: "observed".into(),
            source: imp,
        })
    };
    for v in &mut file.tests {
        let seen: Vec<String> = set
            .records_of(v)
            .filter(|(_, r)| confirms(v.expected.result, r))
            .map(|(o, _)| o.implementation.clone())
            .collect();
        v.expected.provenance.extend(observed(seen));
    }
    for a in &mut file.accumulated {
        let seen: Vec<String> = set
            .files
            .iter()
            .filter(|(_, o)| {
                o.families.get(&a.id).is_some_and(|f| {
                    f.result == FamilySeen::Reproduced
                        && (f.seed, f.count) == (a.seed, a.count)
                        && f.digest.as_deref() == Some(a.digest.as_str())
                })
            })
            .map(|(_, o)| o.implementation.clone())
            .collect();
        a.provenance.extend(observed(seen));
    }
}

/// A twins file: for every randomised valid vector of the catalogues in `spec.twins_of` (built
/// from their header seeds), a valid vector of the inverse op that carries the reference's own
/// output for the same keys and message. A randomised output cannot be pinned byte for byte, so
/// a real implementation confirms it by opening one the reference made (the evidence rule for
/// randomised vectors, docs/VECTORS.md).
fn build_twins(spec: &FileSpec, seed: u64) -> Result<VectorFile, String> {
    let mut gen = Gen::new(seed);
    let mut tests = Vec::new();
    let mut sources = Vec::new();
    for name in spec.twins_of {
        let source = catalogue_files()
            .into_iter()
            .find(|s| s.catalogue == *name)
            .ok_or_else(|| format!("{}: no catalogue {name} to take twins of", spec.path))?;
        // Only the source's tests, as its file holds them: not its families, which twins
        // never use and which cost most of the file's build.
        let built = catalogue::build(source.catalogue, &mut Gen::new(source.default_seed))?;
        let before = tests.len();
        for v in &built.tests {
            if let (Verdict::Valid, Some(check)) = (v.expected.result, &v.expected.check) {
                tests.push(twin(&mut gen, &source.op, v, check)?);
            }
        }
        if tests.len() > before {
            sources.push(source.path);
        }
    }
    if tests.iter().any(|t| t.expected.check.is_some()) || tests.is_empty() {
        return Err(format!(
            "{}: no twins, or a twin that is itself randomised",
            spec.path
        ));
    }
    let description = format!(
        "Twins of the randomised valid vectors of {}: for each, the reference's own output for \
         the same keys and message, to be opened with {}. A randomised output cannot be pinned \
         byte for byte; a real implementation that opens these confirms those vectors \
         (docs/VECTORS.md, Twins).",
        sources.join(" and "),
        spec.op
    );
    let mut file = user_file(&spec.op, seed, description, tests)?;
    cite_observations(&mut file);
    Ok(file)
}

/// The twin of one randomised valid vector `v` of `op`: the reference makes the output, and the
/// inverse op must give back `v`'s message.
fn twin(g: &mut Gen, op: &str, v: &Vector, check: &Check) -> Result<Vector, String> {
    let made = g.ok(op, &v.args)?;
    let field = |name: &str| made.get(name).cloned().unwrap_or_default();
    let (inverse, args, message) = match check {
        Check::ThemisVerify { public_key } => (
            "themis.verify",
            serde_json::json!({"public_key": public_key, "signed": field("signed")}),
            "message",
        ),
        Check::ThemisDecrypt {
            private_key,
            peer_public_key,
        } => (
            "themis.decrypt",
            serde_json::json!({
                "private_key": private_key,
                "peer_public_key": peer_public_key,
                "encrypted": field("encrypted"),
            }),
            "message",
        ),
        Check::MixinDecrypt { recipients } => {
            let r = recipients
                .first()
                .ok_or_else(|| format!("{}: a Mixin check with no recipient", v.id))?;
            (
                "mixin.decrypt",
                serde_json::json!({
                    "private_key": r.private_key,
                    "session_id": r.session_id,
                    "body": field("body"),
                }),
                "plaintext",
            )
        }
    };
    let tail = v.id.split_once('/').map_or(v.id.as_str(), |(_, t)| t);
    let id = format!("{inverse}/twin/{}", tail.replace('/', "-"));
    let comment = format!(
        "The reference's output for {} (its keys and message), opened: giving back the message \
         confirms that randomised vector.",
        v.id
    );
    let t = g.valid(inverse, id, comment, &[], args)?;
    let opened = t.expected.ok.as_ref().and_then(|ok| ok.get(message));
    if opened != v.args.get(message) {
        return Err(format!("{}: the twin opens to another message", t.id));
    }
    Ok(t)
}

/// The canonical text of a vector file: pretty JSON, sorted keys, trailing newline.
pub fn to_text(file: &VectorFile) -> Result<String, String> {
    let mut text = serde_json::to_string_pretty(file).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}

/// The seed recorded in an existing file, if there is one.
fn recorded_seed(path: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v.get("generator")?.get("seed")?.as_u64()
}

/// Regenerates every generated file under `root` (or only those whose path contains `only`);
/// with `check`, writes nothing and returns the paths that would change.
pub fn generate_all(root: &Path, check: bool, only: Option<&str>) -> Result<Vec<PathBuf>, String> {
    let mut changed = Vec::new();
    for spec in files() {
        if only.is_some_and(|o| !spec.path.contains(o)) {
            continue;
        }
        let path = root.join(&spec.path);
        let seed = recorded_seed(&path).unwrap_or(spec.default_seed);
        let text = to_text(&build(&spec, seed)?)?;
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != text {
            changed.push(path.clone());
            if !check {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                }
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(changed)
}

/// Vectors a user asks for: `count` random valid cases of `op` from `seed`, written in the
/// corpus format so `sealcheck run --vectors` takes them.
pub fn random_file(op: &str, count: usize, seed: u64) -> Result<VectorFile, String> {
    let mut g = Gen::new(seed);
    let mut tests = Vec::with_capacity(count);
    for i in 0..count {
        let args = match op.split_once('.') {
            Some(("mixin", _)) => random::mixin::random_args(&mut g, op)?,
            Some(("themis", _)) => random::themis::random_args(&mut g, op)?,
            _ => return Err(format!("unknown op {op}")),
        };
        tests.push(user_vector(
            &mut g,
            op,
            format!("{op}/user/seed-{seed}-{i}"),
            args,
        )?);
    }
    user_file(
        op,
        seed,
        format!("{count} random cases of {op} from seed {seed}."),
        tests,
    )
}

/// Vectors for inputs a user gives (their own keys, session ids, plaintexts): one args object
/// per case, exactly as PROTOCOL.md's args for `op`; the reference supplies the expectation
/// (valid with its output, or invalid with its stage). An encrypt without `random` gets
/// randomness drawn from `seed`, so the expected output is exact.
pub fn inputs_file(op: &str, inputs: &[Value], seed: u64) -> Result<VectorFile, String> {
    if !crate::protocol::OPS.contains(&op) {
        return Err(format!("unknown op {op}"));
    }
    let mut g = Gen::new(seed);
    let mut tests = Vec::with_capacity(inputs.len());
    for (i, args) in inputs.iter().enumerate() {
        let mut args = args.clone();
        if !args.is_object() {
            return Err(format!("input {i} is not a JSON object"));
        }
        if args.get("random").is_none() {
            if let Some(random) = injected_randomness(&mut g, op, &args) {
                args["random"] = random;
            }
        }
        tests.push(user_vector(
            &mut g,
            op,
            format!("{op}/user/input-{i}"),
            args,
        )?);
    }
    user_file(
        op,
        seed,
        format!(
            "{} cases of {op} for inputs given by the user.",
            inputs.len()
        ),
        tests,
    )
}

fn injected_randomness(g: &mut Gen, op: &str, args: &Value) -> Option<Value> {
    match op {
        "mixin.encrypt" => {
            let n = args.get("sessions")?.as_array()?.len();
            let ivs: Vec<String> = (0..n).map(|_| hex::encode(g.array::<16>())).collect();
            Some(
                serde_json::json!({"message_key": hex::encode(g.array::<16>()), "nonce": hex::encode(g.array::<12>()), "ivs": ivs}),
            )
        }
        "themis.encrypt" => Some(
            serde_json::json!({"iv": hex::encode(g.array::<12>()), "secret": hex::encode(g.bytes(70)), "oaep_seed": hex::encode(g.array::<20>())}),
        ),
        _ => None,
    }
}

fn user_vector(g: &mut Gen, op: &str, id: String, args: Value) -> Result<Vector, String> {
    match g.answer(op, &args) {
        Reply::Ok(_) if op == "themis.sign" => {
            let key = args
                .get("private_key")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let public = random::themis::public_for(key)?;
            g.valid_checked(
                op,
                id,
                "Given by the user; the signature is checked by verifying it.",
                &[],
                args,
                Check::ThemisVerify { public_key: public },
            )
        }
        Reply::Ok(_) => g.valid(
            op,
            id,
            "Given by the user; the output is the reference's.",
            &[],
            args,
        ),
        Reply::Error {
            stage: Some(stage),
            message,
            ..
        } => g.invalid(
            op,
            id,
            format!("Given by the user; the reference rejects it: {message}"),
            &[],
            args,
            stage,
        ),
        Reply::Error { message, code, .. } => Err(format!(
            "{id}: the reference cannot use these args: {message}{}; {op} takes args such as \
             {} (docs/PROTOCOL.md)",
            code.map(|c| format!(" ({c})")).unwrap_or_default(),
            args_example(op)
        )),
        Reply::Unsupported(why) => Err(format!("{id}: {why}")),
    }
}

/// A generated file of plain vectors: no notes, no families.
fn user_file(
    op: &str,
    seed: u64,
    description: String,
    tests: Vec<Vector>,
) -> Result<VectorFile, String> {
    Ok(VectorFile {
        schema_version: SCHEMA_VERSION,
        format: op.split('.').next().unwrap_or_default().to_owned(),
        op: op.to_owned(),
        description,
        generator: Some(Generator {
            version: GENERATOR_VERSION.into(),
            seed,
        }),
        notes: BTreeMap::new(),
        tests,
        accumulated: Vec::new(),
    })
}

/// The shape of one args object of `op`, for messages about bad `--inputs`.
fn args_example(op: &str) -> &'static str {
    match op {
        "mixin.encrypt" => {
            r#"{"private_key": "<32-byte seed hex>", "sessions": [{"session_id": "<uuid>", "public_key": "<32-byte X25519 hex>"}], "plaintext": "<hex>"}"#
        }
        "mixin.decrypt" => {
            r#"{"private_key": "<32-byte seed hex>", "session_id": "<uuid>", "body": "<hex>"}"#
        }
        "mixin.checksum" => r#"{"session_ids": ["<uuid>", "<uuid>"]}"#,
        "mixin.convert_public_key" => r#"{"public_key": "<32-byte ed25519 hex>"}"#,
        "mixin.convert_private_key" => r#"{"private_key": "<32-byte seed hex>"}"#,
        "themis.key.check" => r#"{"key": "<key container hex>"}"#,
        "themis.sign" => r#"{"private_key": "<key container hex>", "message": "<hex>"}"#,
        "themis.verify" => r#"{"public_key": "<key container hex>", "signed": "<hex>"}"#,
        "themis.encrypt" => {
            r#"{"private_key": "<key container hex>", "peer_public_key": "<key container hex>", "message": "<hex>"}"#
        }
        "themis.decrypt" => {
            r#"{"private_key": "<key container hex>", "peer_public_key": "<key container hex>", "encrypted": "<hex>"}"#
        }
        _ => "{...}",
    }
}

/// What a user's vector file is made of.
#[derive(Debug, Clone, Copy)]
pub enum UserCases<'a> {
    /// This many random valid cases.
    Random(usize),
    /// The args objects in this JSON file.
    Inputs(&'a Path),
}

/// Writes the vector file for `op` made of `cases` to `out`; returns how many vectors it holds.
pub fn write_user_file(
    op: &str,
    cases: UserCases<'_>,
    seed: u64,
    out: &Path,
) -> Result<usize, String> {
    let file = match cases {
        UserCases::Random(n) => random_file(op, n, seed)?,
        UserCases::Inputs(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let example = args_example(op);
            let inputs: Vec<Value> = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{}: --inputs takes a JSON array of args objects of {op}, such as \
                     [{example}] ({e})",
                    path.display()
                )
            })?;
            inputs_file(op, &inputs, seed)?
        }
    };
    let text = to_text(&file)?;
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(file.tests.len())
}
