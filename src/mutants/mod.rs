//! The mutant zoo: deliberately broken twins of the reference, each reproducing one realistic
//! bug of a real (or plausible) implementation, to measure how many bugs the corpus catches.
//!
//! Compiled only with the `mutants` feature. A mutant is an [`Implementation`] that answers
//! every op as the reference does, except the ops its one bug touches; those it answers with a
//! "quirky twin" built in this module from the reference's public pieces (Mixin `keys`,
//! `Body`, the Themis public API) and the RustCrypto crates, never by editing the reference.
//!
//! A mutant is **caught** when the embedded corpus, run in non-strict mode, is not conforming
//! against it (some vector fails, crashes or times out). Stage mismatches alone do not count,
//! as in `sealcheck run`; the table reports them separately as "strict-only", so a mutant
//! whose only symptom is rejecting at another stage shows up as missed and needs a vector.
//!
//! Some mutants reproduce leniencies that the corpus deliberately marks `acceptable` (real
//! implementations differ and the protocol allows both); they are **tolerated**: expected to
//! survive, listed apart, and not counted in the kill rate. They check the other direction:
//! that the corpus does not flag a known, documented leniency as a failure.

mod mixin;
mod themis;

use crate::corpus::{Vector, VectorFile};
use crate::engine::{self, Expectations, Selection, VectorResult};
use crate::iut::{Implementation, Reference};
use crate::protocol::{Failure, Hello, Reply};
use serde_json::Value;

/// What the zoo says about one mutant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutantInfo {
    /// Kebab-case name, `mixin-…` or `themis-…`.
    pub name: &'static str,
    /// The one bug, in a sentence.
    pub bug: &'static str,
    /// The real implementation known (from the specs) or likely to have it.
    pub real: &'static str,
    /// Whether the corpus deliberately tolerates this behaviour (an `acceptable` leniency):
    /// such a mutant is expected to survive and is not counted in the kill rate.
    pub tolerated: bool,
}

/// One op's twin: `Some(reply)` to answer differently from the reference, `None` to defer.
type Twin = fn(&mut Reference, &str, &Value) -> Option<Reply>;

/// A registry entry.
struct Entry {
    info: MutantInfo,
    twin: Twin,
}

fn registry() -> Vec<Entry> {
    let mut all = mixin::entries();
    all.extend(themis::entries());
    all
}

/// Every mutant, Mixin first.
pub fn all() -> Vec<MutantInfo> {
    registry().into_iter().map(|e| e.info).collect()
}

/// The mutant called `name`, ready to run in process.
pub fn build(name: &str) -> Option<Box<dyn Implementation>> {
    registry()
        .into_iter()
        .find(|e| e.info.name == name)
        .map(|e| {
            Box::new(Mutant {
                info: e.info,
                twin: e.twin,
                reference: Reference::default(),
            }) as Box<dyn Implementation>
        })
}

/// A mutant as an [`Implementation`]: the reference with one twin in front.
struct Mutant {
    info: MutantInfo,
    twin: Twin,
    reference: Reference,
}

impl Implementation for Mutant {
    fn hello(&mut self) -> Result<Hello, String> {
        let mut h = self.reference.hello()?;
        h.name = format!("sealcheck-mutant-{}", self.info.name);
        Ok(h)
    }

    fn call(&mut self, op: &str, args: &Value) -> Result<Reply, Failure> {
        let reply = (self.twin)(&mut self.reference, op, args)
            .unwrap_or_else(|| self.reference.answer(op, args));
        Ok(reply)
    }
}

/// What running the corpus against one implementation found.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Mutant name, or `reference` for the unmutated reference.
    pub name: String,
    /// Whether some vector failed the run in non-strict mode.
    pub caught: bool,
    /// Whether a strict run would fail it (stage mismatches count too).
    pub caught_strict: bool,
    /// The first (up to 3) vectors that failed it, with their outcome labels.
    pub first: Vec<String>,
    /// How many vectors failed it (non-strict).
    pub failures: usize,
}

/// Runs the selected vectors against `imp` and judges the run.
pub fn assess(
    name: &str,
    imp: &mut dyn Implementation,
    selected: &[(&str, &Vector)],
) -> Result<Verdict, String> {
    let results = engine::execute(imp, selected, false, &Expectations::default(), &mut |_| {})?;
    Ok(verdict(name, &results))
}

fn verdict(name: &str, results: &[VectorResult]) -> Verdict {
    let failing: Vec<&VectorResult> = results
        .iter()
        .filter(|r| {
            !matches!(
                r.outcome.as_str(),
                "pass" | "acceptable" | "skipped" | "stage-mismatch"
            )
        })
        .collect();
    let mismatched = results.iter().filter(|r| r.outcome == "stage-mismatch");
    let mut first: Vec<String> = failing
        .iter()
        .take(3)
        .map(|r| format!("{} ({})", r.id, r.outcome))
        .collect();
    if failing.is_empty() {
        first = mismatched
            .clone()
            .take(3)
            .map(|r| format!("{} (stage-mismatch)", r.id))
            .collect();
    }
    Verdict {
        name: name.to_owned(),
        caught: !failing.is_empty(),
        caught_strict: !failing.is_empty() || mismatched.count() > 0,
        first,
        failures: failing.len(),
    }
}

/// Every vector of `files`, in corpus order.
pub fn everything(files: &[(String, VectorFile)]) -> Vec<(&str, &Vector)> {
    engine::select(files, &Selection::default())
}

// ---- helpers shared by the twins -------------------------------------------------------

/// A hex argument, or `None` if it is missing or malformed (the reference then answers).
fn hex_arg(args: &Value, name: &str) -> Option<Vec<u8>> {
    crate::wire::from_hex(args.get(name)?.as_str()?).ok()
}

/// A successful reply with one hex field.
fn ok_hex(field: &str, bytes: &[u8]) -> Reply {
    Reply::Ok(serde_json::json!({ field: hex::encode(bytes) }))
}

/// A reply's hex field, if it is a success.
fn reply_hex(reply: &Reply, field: &str) -> Option<Vec<u8>> {
    match reply {
        Reply::Ok(v) => crate::wire::from_hex(v.get(field)?.as_str()?).ok(),
        _ => None,
    }
}

/// An error reply at a stage.
fn reject(message: impl Into<String>, stage: crate::wire::Stage) -> Reply {
    Reply::error(message, None, Some(stage))
}

/// Args with one hex field replaced.
fn with_hex(args: &Value, name: &str, bytes: &[u8]) -> Value {
    let mut a = args.clone();
    if let Some(o) = a.as_object_mut() {
        o.insert(name.into(), Value::String(hex::encode(bytes)));
    }
    a
}

/// Runs the embedded corpus against the reference and every mutant (in process, or with
/// `protocol` = the path of a `sealcheck` built with this feature, each through
/// `sealcheck serve --mutant NAME`), gives `out` a Markdown table line by line as each mutant
/// is judged, and returns whether the reference conforms and every counted mutant is caught.
///
/// The table also says whether the corpus without the `*-extra.json` files (the vectors added
/// for surviving mutants) catches each mutant.
///
/// `vector_files` replaces the embedded corpus when not empty.
pub fn zoo(
    protocol: Option<&str>,
    only: &[String],
    vector_files: &[std::path::PathBuf],
    out: &mut dyn FnMut(&str),
) -> Result<bool, String> {
    let files = if vector_files.is_empty() {
        crate::corpus::load_embedded()?
    } else {
        crate::corpus::load_paths(vector_files)?
    };
    let base_files: Vec<(String, VectorFile)> = files
        .iter()
        .filter(|(path, _)| !path.ends_with("-extra.json"))
        .cloned()
        .collect();
    let selected = everything(&files);
    let base = everything(&base_files);
    let reference = assess("reference", &mut Reference::default(), &selected)?;
    out(&format!(
        "reference: {} ({} vectors)\n",
        if reference.caught || reference.caught_strict {
            "NOT CONFORMING"
        } else {
            "conforming"
        },
        selected.len()
    ));
    let run_one = |name: &str, sel: &[(&str, &Vector)]| -> Result<Verdict, String> {
        match protocol {
            Some(exe) => {
                let cmd = format!("{exe} serve --mutant {name}");
                let mut sub = crate::iut::subprocess::Subprocess::spawn(&cmd)?;
                assess(name, &mut sub, sel)
            }
            None => {
                let mut imp = build(name).ok_or_else(|| format!("no mutant {name:?}"))?;
                assess(name, imp.as_mut(), sel)
            }
        }
    };
    let mut all_caught = true;
    let (mut counted, mut killed, mut killed_base) = (0usize, 0usize, 0usize);
    out("| mutant | bug | real implementation | caught | strict | without extra vectors | first catching vectors |");
    out("|---|---|---|---|---|---|---|");
    for info in all() {
        if !only.is_empty() && !only.iter().any(|o| o == info.name) {
            continue;
        }
        let v = run_one(info.name, &selected)?;
        let b = run_one(info.name, &base)?;
        if !info.tolerated {
            counted += 1;
            killed += usize::from(v.caught);
            killed_base += usize::from(b.caught);
            all_caught &= v.caught;
        }
        let cell = |text: &str| text.replace('|', "\\|");
        let word = |caught: bool| if caught { "caught" } else { "missed" };
        out(&format!(
            "| {}{} | {} | {} | {} | {} | {} | {} |",
            info.name,
            if info.tolerated { " (tolerated)" } else { "" },
            cell(info.bug),
            cell(info.real),
            if v.caught { "**caught**" } else { "MISSED" },
            word(v.caught_strict),
            word(b.caught),
            v.first.join("<br>")
        ));
    }
    let pct = |k: usize| {
        if counted == 0 {
            100.0
        } else {
            100.0 * k as f64 / counted as f64
        }
    };
    out(&format!(
        "\nkill rate: {killed}/{counted} counted mutants caught ({:.0}%); without the extra vectors {killed_base}/{counted} ({:.0}%)",
        pct(killed),
        pct(killed_base)
    ));
    Ok(!reference.caught && !reference.caught_strict && all_caught)
}
