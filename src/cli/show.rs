//! `sealcheck show ID`: one vector or family as a person needs it to debug an adapter: what
//! it checks and why, what its flags mean, its args and expected output, and every message
//! and key in them dissected as `sealcheck inspect` does.

use super::fail;
use crate::corpus::generate::family;
use crate::engine;
use crate::iut::Reference;
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `sealcheck show`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "\
Examples:
  sealcheck show mixin.decrypt/session_count/count-256-in-one-session-body
  sealcheck show one-session-body              a unique part of an id is enough
  sealcheck show --json mixin.checksum/go-kat/single     the vector exactly as in its file
  sealcheck show mixin.checksum/accumulated/10000-cases --case 17
                                               one case of a family, with the reference's answer

Exit codes: 0 shown, 2 no such vector (the closest ids are listed).")]
pub struct ShowArgs {
    /// A vector or family id, or a part of one that matches a single id.
    pub id: String,
    /// Print the vector's JSON exactly as its file has it (args in full), and nothing else.
    #[arg(long)]
    pub json: bool,
    /// Of an accumulated family: show this case (numbered from 0) and the reference's answer.
    #[arg(long, value_name = "N")]
    pub case: Option<u64>,
    /// Print at most this many fields of each dissection (then the last three); 0: all.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_fields: usize,
    /// Vector files to look in instead of the embedded corpus (repeatable).
    #[arg(long = "vectors", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `sealcheck show`.
pub fn show(args: &ShowArgs) -> ExitCode {
    let files = match engine::load(&args.files) {
        Ok(f) => f,
        Err(e) => return fail("show", e),
    };
    let mut ids: Vec<(&str, &str)> = Vec::new(); // (id, path)
    for (path, f) in &files {
        ids.extend(f.tests.iter().map(|v| (v.id.as_str(), path.as_str())));
        ids.extend(f.accumulated.iter().map(|a| (a.id.as_str(), path.as_str())));
    }
    let id = match ids.iter().find(|(id, _)| *id == args.id) {
        Some((id, _)) => *id,
        None => {
            let close: Vec<&str> = ids
                .iter()
                .map(|(id, _)| *id)
                .filter(|id| engine::matches(&args.id, id))
                .collect();
            match close.as_slice() {
                [one] => *one,
                [] => {
                    return fail(
                        "show",
                        format!(
                            "no vector id contains {:?}; ids read like \
                             mixin.decrypt/session_count/count-256-in-one-session-body \
                             (`sealcheck run -v` lists them all)",
                            args.id
                        ),
                    )
                }
                many => {
                    let mut text =
                        format!("{} ids match {:?}; give one of them:", many.len(), args.id);
                    for id in many.iter().take(20) {
                        text.push_str(&format!("\n  {id}"));
                    }
                    if many.len() > 20 {
                        text.push_str(&format!("\n  … and {} more", many.len() - 20));
                    }
                    return fail("show", text);
                }
            }
        }
    };
    let max_fields = (args.max_fields > 0).then_some(args.max_fields);
    for (path, f) in &files {
        if let Some(v) = f.tests.iter().find(|v| v.id == id) {
            if args.json {
                return match serde_json::to_string_pretty(v) {
                    Ok(text) => {
                        outln!("{text}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail("show", e),
                };
            }
            if args.case.is_some() {
                return fail(
                    "show",
                    format!("{id} is a vector, not a family: --case is for accumulated families"),
                );
            }
            outln!("{id}");
            outln!("  file        {path} (op {})", f.op);
            let verdict = format!("{:?}", v.expected.result).to_lowercase();
            let meaning = match verdict.as_str() {
                "valid" => "every correct implementation accepts it, with exactly this output",
                "invalid" => "every correct implementation rejects it",
                _ => "real implementations differ and neither answer is wrong: both pass",
            };
            match v.expected.stage {
                Some(stage) => outln!("  expected    {verdict}: {meaning}, at stage {stage}"),
                None => outln!("  expected    {verdict}: {meaning}"),
            }
            outln!("  comment     {}", v.comment);
            for flag in &v.flags {
                match f.notes.get(flag) {
                    Some(n) => {
                        outln!("  flag        {flag} ({}): {}", n.bug_type, n.description);
                        for (imp, what) in &n.implementations {
                            outln!("                {imp}: {what}");
                        }
                        for r in &n.references {
                            outln!("                see {r}");
                        }
                    }
                    None => outln!("  flag        {flag} (not defined in the file's notes)"),
                }
            }
            for p in &v.expected.provenance {
                outln!("  provenance  {}: {}", p.kind, p.source);
            }
            if let Some(check) = &v.expected.check {
                let check = serde_json::to_value(check).unwrap_or_default();
                outln!("  checked by  {}", engine::shorten(&check));
            }
            outln!("  args");
            print_fields(&v.args);
            if let Some(ok) = &v.expected.ok {
                outln!("  expected output");
                print_fields(ok);
            }
            let mut messages: Vec<(String, &Value)> = Vec::new();
            collect(&v.args, String::new(), &mut messages);
            if let Some(ok) = &v.expected.ok {
                collect(ok, "expected ".into(), &mut messages);
            }
            for (name, value) in messages {
                let leaf = name.rsplit(['.', ' ']).next().unwrap_or(&name);
                let bytes = value.as_str().and_then(|s| hex::decode(s).ok());
                if let Some(d) = bytes
                    .as_ref()
                    .and_then(|b| crate::inspect::dissect_arg(&f.op, leaf, b))
                {
                    outln!();
                    out!(
                        "{name}: {}",
                        d.render_cut(bytes.as_deref().unwrap_or_default(), max_fields, false)
                    );
                }
            }
            return ExitCode::SUCCESS;
        }
        if let Some(a) = f.accumulated.iter().find(|a| a.id == id) {
            if args.json {
                return match serde_json::to_string_pretty(a) {
                    Ok(text) => {
                        outln!("{text}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => fail("show", e),
                };
            }
            outln!("{id}");
            outln!("  file        {path} (op {})", f.op);
            outln!(
                "  expected    accumulated: {} cases made from seed {}; the canonical replies \
                 of the reference hash (SHA-256) to the digest",
                a.count,
                a.seed
            );
            outln!("  digest      {}", a.digest);
            outln!("  comment     {}", a.comment);
            for p in &a.provenance {
                outln!("  provenance  {}: {}", p.kind, p.source);
            }
            let n = args.case.unwrap_or(0);
            if n >= a.count {
                return fail(
                    "show",
                    format!("{id} has {} cases: --case 0 to {}", a.count, a.count - 1),
                );
            }
            let cases = match family::cases(&f.op, a.cases, a.seed, n + 1) {
                Ok(c) => c,
                Err(e) => return fail("show", e),
            };
            let Some(case) = cases.last() else {
                return fail("show", "the family has no cases");
            };
            let reply = Reference::default().answer(&f.op, case);
            outln!(
                "  case {n}{}",
                if args.case.is_none() {
                    " (--case N shows another)"
                } else {
                    ""
                }
            );
            print_fields(case);
            outln!("  the reference answers");
            outln!("    {}", family::canonical(&f.op, case, &reply));
            return ExitCode::SUCCESS;
        }
    }
    fail("show", format!("{id} vanished while it was shown"))
}

/// One `name  value` line per top-level field, long values shortened.
fn print_fields(value: &Value) {
    match value {
        Value::Object(map) => {
            let width = map.keys().map(String::len).max().unwrap_or(0);
            for (k, v) in map {
                let shown = match engine::shorten(v) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                outln!("    {k:<width$}  {shown}");
            }
        }
        other => outln!("    {}", engine::shorten(other)),
    }
}

/// Every string leaf with its path (`sessions[0].public_key`), in order.
fn collect<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if path.is_empty() || path.ends_with(' ') {
                    format!("{path}{k}")
                } else {
                    format!("{path}.{k}")
                };
                collect(v, p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect(v, format!("{path}[{i}]"), out);
            }
        }
        Value::String(_) => out.push((path, value)),
        _ => {}
    }
}
