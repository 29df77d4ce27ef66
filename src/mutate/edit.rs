//! An edit: a place (a field, a byte or a range of it) and what to do there, or a fix-up of
//! the fields that depend on others. Parsed from and printed as one line of text.

use super::expr::{show_bytes, Expr, Parser};
use super::layout::Layout;
use super::{constant, Operand, Resolve};
use crate::themis::{container, der, DerSignature};
use crate::wire::{Codec, FieldKind, Measures};
use rsa::BigUint;
use std::fmt;
use std::ops::Range;

/// Which field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The whole value.
    Input,
    /// A field or part by its dissection name.
    Named(String),
    /// The `i`-th field, modulo their number (how fuzz input picks one); `#i` in text.
    Nth(usize),
}

/// Bytes within a field; negative positions count from the field's end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sel {
    /// `[i]`.
    Byte(i64),
    /// `[a..b]`.
    Range(Option<i64>, Option<i64>),
}

/// Where an edit applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The field.
    pub target: Target,
    /// Bytes within it, or all of it.
    pub sel: Option<Sel>,
}

/// Where `cut` truncates the whole value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutAt {
    /// `cut N`: N bytes after the field's start (N may be negative).
    Start(i64),
    /// `cut end-N`: N bytes before the field's end.
    End(i64),
}

/// A re-encoding of a typed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// A SEC1 point, compressed.
    Compressed,
    /// A SEC1 point, uncompressed.
    Uncompressed,
    /// An ECDSA signature as raw `r ‖ s` instead of DER.
    P1363,
}

/// What to do at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `= v`: a number in the field's width and byte order, or bytes (which may resize it).
    Set(Expr),
    /// `+= v`, wrapping in the field's width.
    Add(Expr),
    /// `-= v`, wrapping in the field's width.
    Sub(Expr),
    /// `^= m` on every selected byte.
    Xor(u8),
    /// `|= m` on every selected byte.
    Or(u8),
    /// `flip b`: bit `b` (modulo the selected bits; bit 0 is the low bit of the first byte).
    Flip(u32),
    /// `fill b`; `zero` and `ones` for 00 and ff.
    Fill(u8),
    /// `write [..]`: bytes over the start of the field, clipped to it.
    Write(Vec<u8>),
    /// `cut ..`: truncate the whole value.
    Cut(CutAt),
    /// `keep n`: only the field's first n bytes remain.
    Keep(usize),
    /// `drop`: the field's bytes are removed.
    Drop,
    /// `insert v`: bytes before the field, as part of it.
    Insert(Expr),
    /// `append v`: bytes after the field, as part of it.
    Append(Expr),
    /// `swap f`: the two fields trade contents (and lengths).
    Swap(Target),
    /// `swap-prefix f`: the fields trade as many leading bytes as the shorter holds.
    SwapPrefix(Target),
    /// `reverse`: the field's bytes in reverse order.
    Reverse,
    /// `as e`: the typed value re-encoded.
    As(Encoding),
    /// `upper`: ASCII letters upper-cased (session ids).
    Upper,
    /// `drop-item i`: an array loses item `i` (modulo its length).
    DropItem(usize),
    /// `dup-item i`: item `i` (modulo the length) is repeated.
    DupItem(usize),
}

/// One step of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Do `op` at a place.
    At(Place, Op),
    /// `fix a b`: recompute the named dependent fields, in order (`crc`, `crc-ieee`,
    /// `crc-payload`, `der`, or any length field).
    Fix(Vec<String>),
}

impl Edit {
    /// Parses steps separated by `;`.
    pub fn parse_all(text: &str) -> Result<Vec<Edit>, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let mut out = Vec::new();
        loop {
            out.push(step(&mut p).map_err(|e| format!("{text:?}: {e}"))?);
            p.ws();
            if p.i >= p.s.len() {
                return Ok(out);
            }
            if !p.eat(";") {
                return Err(format!("{text:?}: expected ';' at {:?}", p.rest()));
            }
        }
    }

    /// The edit in words, with `#i` replaced by the field it picks in `layout`.
    pub fn describe(&self, layout: &Layout) -> String {
        let name = |t: &Target| match t {
            Target::Nth(i) => Target::Named(
                layout
                    .nth(*i)
                    .map_or_else(|| "input".into(), |p| p.name.clone()),
            ),
            other => other.clone(),
        };
        match self {
            Edit::At(place, op) => {
                let op = match op {
                    Op::Swap(t) => Op::Swap(name(t)),
                    Op::SwapPrefix(t) => Op::SwapPrefix(name(t)),
                    other => other.clone(),
                };
                let place = Place {
                    target: name(&place.target),
                    sel: place.sel.clone(),
                };
                Edit::At(place, op).to_string()
            }
            Edit::Fix(_) => self.to_string(),
        }
    }

    /// Applies the edit to a copy of `bytes` laid out as `layout`, with nothing to resolve;
    /// an edit that cannot apply leaves the bytes as they were (the fuzzers' use).
    pub fn applied(&self, bytes: &[u8], layout: &Layout) -> Vec<u8> {
        let mut out = bytes.to_vec();
        let mut layout = layout.clone();
        match self.apply(&mut out, &mut layout, &mut super::NoRefs) {
            Ok(()) => out,
            Err(_) => bytes.to_vec(),
        }
    }

    /// Applies the edit in place, keeping `layout` in step with the bytes.
    pub fn apply(
        &self,
        bytes: &mut Vec<u8>,
        layout: &mut Layout,
        res: &mut dyn Resolve,
    ) -> Result<(), String> {
        match self {
            Edit::Fix(deps) => deps.iter().try_for_each(|d| fix(d, bytes, layout)),
            Edit::At(place, op) => {
                let (r, owner) = locate(place, bytes, layout)?;
                apply_op(op, place, r, owner, bytes, layout, res)
            }
        }
    }
}

/// Applies steps in order.
pub fn apply_all(
    edits: &[Edit],
    bytes: &mut Vec<u8>,
    layout: &mut Layout,
    res: &mut dyn Resolve,
) -> Result<(), String> {
    for e in edits {
        e.apply(bytes, layout, res)
            .map_err(|why| format!("{e}: {why}"))?;
    }
    Ok(())
}

fn step(p: &mut Parser<'_>) -> Result<Edit, String> {
    p.ws();
    if p.eat("fix ") {
        let deps: Vec<String> = p
            .rest()
            .split(';')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let used: usize = p.rest().split(';').next().unwrap_or("").len();
        p.i += used;
        return if deps.is_empty() {
            Err("fix what?".into())
        } else {
            Ok(Edit::Fix(deps))
        };
    }
    let place = place(p)?;
    let op = op(p)?;
    Ok(Edit::At(place, op))
}

fn target(p: &mut Parser<'_>) -> Result<Target, String> {
    p.ws();
    if p.eat("#") {
        return Ok(Target::Nth(p.usize()?));
    }
    match p.name() {
        Some(n) if n == "input" => Ok(Target::Input),
        Some(n) => Ok(Target::Named(n)),
        None => Err(format!("expected a field at {:?}", p.rest())),
    }
}

fn signed(p: &mut Parser<'_>) -> Result<Option<i64>, String> {
    p.ws();
    let neg = p.eat("-");
    if !p.s.get(p.i).is_some_and(u8::is_ascii_digit) {
        return if neg {
            Err("a number after -".into())
        } else {
            Ok(None)
        };
    }
    let n = i64::try_from(p.usize()?).map_err(|e| e.to_string())?;
    Ok(Some(if neg { -n } else { n }))
}

fn place(p: &mut Parser<'_>) -> Result<Place, String> {
    let target = target(p)?;
    let sel = if p.eat("[") {
        let a = signed(p)?;
        let sel = if p.eat("..") {
            Sel::Range(a, signed(p)?)
        } else {
            Sel::Byte(a.ok_or("an index")?)
        };
        if !p.eat("]") {
            return Err(format!("expected ']' at {:?}", p.rest()));
        }
        Some(sel)
    } else {
        None
    };
    Ok(Place { target, sel })
}

fn byte(p: &mut Parser<'_>) -> Result<u8, String> {
    let n = p.usize()?;
    u8::try_from(n).map_err(|_| format!("{n} is not a byte"))
}

/// The operand: everything up to the next `;` outside quotes and brackets.
fn operand(p: &mut Parser<'_>) -> Result<Expr, String> {
    p.expr()
}

fn op(p: &mut Parser<'_>) -> Result<Op, String> {
    p.ws();
    let word = |p: &mut Parser<'_>, w: &str| {
        let save = p.i;
        if p.eat(w)
            && !p
                .s
                .get(p.i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            true
        } else {
            p.i = save;
            false
        }
    };
    if p.eat("+=") {
        Ok(Op::Add(operand(p)?))
    } else if p.eat("-=") {
        Ok(Op::Sub(operand(p)?))
    } else if p.eat("^=") {
        Ok(Op::Xor(byte(p)?))
    } else if p.eat("|=") {
        Ok(Op::Or(byte(p)?))
    } else if p.eat("=") {
        Ok(Op::Set(operand(p)?))
    } else if word(p, "flip") {
        let bit = p.usize()?;
        Ok(Op::Flip(u32::try_from(bit).map_err(|e| e.to_string())?))
    } else if word(p, "fill") {
        Ok(Op::Fill(byte(p)?))
    } else if word(p, "zero") {
        Ok(Op::Fill(0))
    } else if word(p, "ones") {
        Ok(Op::Fill(0xff))
    } else if word(p, "write") {
        match operand(p)? {
            Expr::Bytes(b) => Ok(Op::Write(b)),
            other => Err(format!("write takes bytes, not {other}")),
        }
    } else if word(p, "cut") {
        if p.eat("end") {
            let n = signed(p)?.unwrap_or(0);
            if n > 0 {
                return Err("cut end-N".into());
            }
            Ok(Op::Cut(CutAt::End(-n)))
        } else {
            Ok(Op::Cut(CutAt::Start(signed(p)?.unwrap_or(0))))
        }
    } else if word(p, "keep") {
        Ok(Op::Keep(p.usize()?))
    } else if word(p, "drop-item") {
        Ok(Op::DropItem(p.usize()?))
    } else if word(p, "dup-item") {
        Ok(Op::DupItem(p.usize()?))
    } else if word(p, "drop") {
        Ok(Op::Drop)
    } else if word(p, "insert") {
        Ok(Op::Insert(operand(p)?))
    } else if word(p, "append") {
        Ok(Op::Append(operand(p)?))
    } else if word(p, "swap-prefix") {
        Ok(Op::SwapPrefix(target(p)?))
    } else if word(p, "swap") {
        Ok(Op::Swap(target(p)?))
    } else if word(p, "reverse") {
        Ok(Op::Reverse)
    } else if word(p, "upper") {
        Ok(Op::Upper)
    } else if word(p, "as") {
        let enc = match p.name().as_deref() {
            Some("compressed") => Encoding::Compressed,
            Some("uncompressed") => Encoding::Uncompressed,
            Some("p1363") => Encoding::P1363,
            other => return Err(format!("no encoding {other:?}")),
        };
        Ok(Op::As(enc))
    } else {
        Err(format!("expected an operation at {:?}", p.rest()))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Input => f.write_str("input"),
            Target::Named(n) => f.write_str(n),
            Target::Nth(i) => write!(f, "#{i}"),
        }
    }
}

impl fmt::Display for Edit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (place, op) = match self {
            Edit::Fix(deps) => return write!(f, "fix {}", deps.join(" ")),
            Edit::At(place, op) => (place, op),
        };
        write!(f, "{}", place.target)?;
        let show = |x: &Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
        match &place.sel {
            Some(Sel::Byte(i)) => write!(f, "[{i}]")?,
            Some(Sel::Range(a, b)) => write!(f, "[{}..{}]", show(a), show(b))?,
            None => {}
        }
        match op {
            Op::Set(e) => write!(f, " = {e}"),
            Op::Add(e) => write!(f, " += {e}"),
            Op::Sub(e) => write!(f, " -= {e}"),
            Op::Xor(m) => write!(f, " ^= {m:#04x}"),
            Op::Or(m) => write!(f, " |= {m:#04x}"),
            Op::Flip(b) => write!(f, " flip {b}"),
            Op::Fill(0) => write!(f, " zero"),
            Op::Fill(0xff) => write!(f, " ones"),
            Op::Fill(b) => write!(f, " fill {b:#04x}"),
            Op::Write(b) => write!(f, " write [{}]", show_bytes(b)),
            Op::Cut(CutAt::Start(n)) => write!(f, " cut {n}"),
            Op::Cut(CutAt::End(0)) => write!(f, " cut end"),
            Op::Cut(CutAt::End(n)) => write!(f, " cut end-{n}"),
            Op::Keep(n) => write!(f, " keep {n}"),
            Op::Drop => write!(f, " drop"),
            Op::Insert(e) => write!(f, " insert {e}"),
            Op::Append(e) => write!(f, " append {e}"),
            Op::Swap(t) => write!(f, " swap {t}"),
            Op::SwapPrefix(t) => write!(f, " swap-prefix {t}"),
            Op::Reverse => write!(f, " reverse"),
            Op::As(Encoding::Compressed) => write!(f, " as compressed"),
            Op::As(Encoding::Uncompressed) => write!(f, " as uncompressed"),
            Op::As(Encoding::P1363) => write!(f, " as p1363"),
            Op::Upper => write!(f, " upper"),
            Op::DropItem(i) => write!(f, " drop-item {i}"),
            Op::DupItem(i) => write!(f, " dup-item {i}"),
        }
    }
}

/// The byte range a target names now, and the part it belongs to.
fn target_range(
    t: &Target,
    len: usize,
    layout: &Layout,
) -> Result<(Range<usize>, Option<usize>), String> {
    let clamp = |r: &Range<usize>| r.start.min(len)..r.end.min(len);
    match t {
        Target::Input => Ok((0..len, None)),
        Target::Named(n) => layout
            .parts
            .iter()
            .position(|p| &p.name == n)
            .map(|i| (clamp(&layout.parts[i].range), Some(i)))
            .ok_or_else(|| format!("no field {n}")),
        Target::Nth(i) if layout.parts.is_empty() => {
            let _ = i;
            Ok((0..len, None))
        }
        Target::Nth(i) => {
            let i = i % layout.parts.len();
            Ok((clamp(&layout.parts[i].range), Some(i)))
        }
    }
}

fn locate(
    place: &Place,
    bytes: &[u8],
    layout: &Layout,
) -> Result<(Range<usize>, Option<usize>), String> {
    let (r, owner) = target_range(&place.target, bytes.len(), layout)?;
    let at = |i: i64| -> Result<usize, String> {
        let pos = if i < 0 {
            r.end
                .checked_sub(usize::try_from(-i).map_err(|e| e.to_string())?)
        } else {
            r.start
                .checked_add(usize::try_from(i).map_err(|e| e.to_string())?)
        };
        pos.filter(|p| (r.start..=r.end).contains(p))
            .ok_or_else(|| format!("{i} is outside the field ({} bytes)", r.len()))
    };
    let r = match &place.sel {
        None => r,
        Some(Sel::Byte(i)) => {
            let s = at(*i)?;
            if s >= r.end {
                return Err(format!("byte {i} is outside the field ({} bytes)", r.len()));
            }
            s..s + 1
        }
        Some(Sel::Range(a, b)) => {
            let s = a.map_or(Ok(r.start), at)?;
            let e = b.map_or(Ok(r.end), at)?;
            s..e.max(s)
        }
    };
    Ok((r, owner))
}

/// Replaces `r` with `new`, keeping the layout in step.
fn splice(
    bytes: &mut Vec<u8>,
    layout: &mut Layout,
    r: Range<usize>,
    new: &[u8],
    owner: Option<usize>,
) {
    layout.splice(r.clone(), new.len(), owner);
    bytes.splice(r, new.iter().copied());
}

/// The value of an operand.
fn eval(e: &Expr, bytes: &[u8], layout: &Layout, res: &mut dyn Resolve) -> Result<Operand, String> {
    let int = |o: Operand| match o {
        Operand::Int(n) => n,
        Operand::Bytes(b) => BigUint::from_bytes_be(&b),
        Operand::Text(t) => BigUint::from_bytes_be(t.as_bytes()),
    };
    match e {
        Expr::Int(n) => Ok(Operand::Int(n.clone())),
        Expr::Bytes(b) => Ok(Operand::Bytes(b.clone())),
        Expr::Text(t) => Ok(Operand::Text(t.clone())),
        Expr::Name(n) => constant(n)
            .or_else(|| {
                layout
                    .find(n)
                    .and_then(|p| bytes.get(p.range.clone()))
                    .map(|b| Operand::Bytes(b.to_vec()))
            })
            .ok_or_else(|| format!("{n} is neither a field nor a constant")),
        Expr::Binary { op, left, right } => {
            let l = eval(left, bytes, layout, res)?;
            let r = eval(right, bytes, layout, res)?;
            match (*op, l, r) {
                ("+", a @ Operand::Int(_), b) | ("+", b, a @ Operand::Int(_)) => {
                    Ok(Operand::Int(int(a) + int(b)))
                }
                ("+", a, b) => {
                    let (a, b) = (a.bytes().unwrap_or_default(), b.bytes().unwrap_or_default());
                    Ok(Operand::Bytes([a, b].concat()))
                }
                ("-", a, b) => {
                    let (a, b) = (int(a), int(b));
                    if b > a {
                        return Err(format!("{e} is negative"));
                    }
                    Ok(Operand::Int(a - b))
                }
                (_, a, b) => {
                    let shift = int(b)
                        .to_string()
                        .parse::<usize>()
                        .map_err(|x| x.to_string())?;
                    Ok(Operand::Int(int(a) << shift))
                }
            }
        }
        Expr::Ref { .. } | Expr::Call { .. } => res.resolve(e, bytes, layout),
    }
}

/// `n` as `width` bytes, wrapping.
fn fixed(n: &BigUint, width: usize, big_endian: bool) -> Vec<u8> {
    let mut le = n.to_bytes_le();
    le.resize(width, 0);
    if big_endian {
        le.reverse();
    }
    le
}

fn read_uint(b: &[u8], big_endian: bool) -> BigUint {
    if big_endian {
        BigUint::from_bytes_be(b)
    } else {
        BigUint::from_bytes_le(b)
    }
}

/// How a number is written in a place: width and byte order, or a DER form.
fn number_bytes(
    n: &BigUint,
    kind: &FieldKind,
    r: &Range<usize>,
    selected: bool,
) -> Result<Vec<u8>, String> {
    let fits = |b: &[u8], w: usize| {
        if n.bits() > w * 8 {
            Err(format!("{n} does not fit {w} bytes"))
        } else {
            Ok(b.to_vec())
        }
    };
    match kind {
        _ if selected => fits(&fixed(n, r.len(), true), r.len()),
        FieldKind::Uint { width, big_endian }
        | FieldKind::Length {
            width, big_endian, ..
        } => {
            let w = usize::from(*width);
            fits(&fixed(n, w, *big_endian), w)
        }
        FieldKind::DerInt => Ok(der::integer(n)),
        FieldKind::DerLength { .. } => {
            let v = n.to_string().parse::<usize>().map_err(|e| e.to_string())?;
            Ok(der::length(v))
        }
        FieldKind::Bytes | FieldKind::Checksum => fits(&fixed(n, r.len(), true), r.len()),
    }
}

#[allow(clippy::too_many_arguments)]
fn apply_op(
    op: &Op,
    place: &Place,
    r: Range<usize>,
    owner: Option<usize>,
    bytes: &mut Vec<u8>,
    layout: &mut Layout,
    res: &mut dyn Resolve,
) -> Result<(), String> {
    let selected = place.sel.is_some();
    let kind = owner
        .and_then(|i| layout.parts.get(i))
        .map_or(FieldKind::Bytes, |p| p.kind.clone());
    let little = matches!(
        kind,
        FieldKind::Uint {
            big_endian: false,
            ..
        } | FieldKind::Length {
            big_endian: false,
            ..
        }
    ) && !selected;
    match op {
        Op::Set(e) => {
            let new = match eval(e, bytes, layout, res)? {
                Operand::Int(n) => number_bytes(&n, &kind, &r, selected)?,
                other => other.bytes().unwrap_or_default(),
            };
            splice(bytes, layout, r, &new, owner);
        }
        Op::Add(e) | Op::Sub(e) => {
            let Operand::Int(n) = eval(e, bytes, layout, res)? else {
                return Err(format!("{e} is not a number"));
            };
            let width = r.len();
            let modulus = BigUint::from(1u32) << (8 * width);
            let cur = read_uint(&bytes[r.clone()], !little);
            let n = n % &modulus;
            let new = if matches!(op, Op::Add(_)) {
                (cur + n) % &modulus
            } else {
                (cur + &modulus - n) % &modulus
            };
            let new = fixed(&new, width, !little);
            bytes[r].copy_from_slice(&new);
        }
        Op::Xor(m) => bytes[r].iter_mut().for_each(|b| *b ^= m),
        Op::Or(m) => bytes[r].iter_mut().for_each(|b| *b |= m),
        Op::Flip(bit) => {
            if !r.is_empty() {
                let bit = usize::try_from(*bit).unwrap_or(0) % (r.len() * 8);
                bytes[r.start + bit / 8] ^= 1 << (bit % 8);
            }
        }
        Op::Fill(b) => bytes[r].iter_mut().for_each(|x| *x = *b),
        Op::Write(w) => bytes[r].iter_mut().zip(w).for_each(|(o, v)| *o = *v),
        Op::Cut(at) => {
            let len = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            let base = |x: usize| i64::try_from(x).unwrap_or(i64::MAX);
            let pos = match at {
                CutAt::Start(d) => base(r.start) + d,
                CutAt::End(d) => base(r.end) - d,
            };
            let pos = usize::try_from(pos.clamp(0, len)).unwrap_or(0);
            bytes.truncate(pos);
            layout.cut(pos);
        }
        Op::Keep(n) => {
            if *n < r.len() {
                splice(bytes, layout, r.start + n..r.end, &[], owner);
            }
        }
        Op::Drop => splice(bytes, layout, r, &[], owner),
        Op::Insert(e) | Op::Append(e) => {
            let new = match eval(e, bytes, layout, res)? {
                Operand::Int(n) => number_bytes(&n, &FieldKind::Bytes, &(0..1), false)?,
                other => other.bytes().unwrap_or_default(),
            };
            let at = if matches!(op, Op::Insert(_)) {
                r.start
            } else {
                r.end
            };
            splice(bytes, layout, at..at, &new, owner);
        }
        Op::Swap(other) => {
            let (r2, owner2) = target_range(other, bytes.len(), layout)?;
            if r.start < r2.end && r2.start < r.end {
                return Err("the fields overlap".into());
            }
            let (a, b) = (bytes[r.clone()].to_vec(), bytes[r2.clone()].to_vec());
            // The later range first, so the earlier one has not moved.
            if r.start > r2.start {
                splice(bytes, layout, r, &b, owner);
                splice(bytes, layout, r2, &a, owner2);
            } else {
                splice(bytes, layout, r2, &a, owner2);
                splice(bytes, layout, r, &b, owner);
            }
        }
        Op::SwapPrefix(other) => {
            let (r2, _) = target_range(other, bytes.len(), layout)?;
            for i in 0..r.len().min(r2.len()) {
                bytes.swap(r.start + i, r2.start + i);
            }
        }
        Op::Reverse => bytes[r].reverse(),
        Op::Upper if place.target == Target::Input && place.sel.is_none() => {
            let upper = String::from_utf8_lossy(bytes).to_uppercase().into_bytes();
            *bytes = upper;
            *layout = Layout::raw();
        }
        Op::Upper => bytes[r].make_ascii_uppercase(),
        Op::As(Encoding::P1363) => {
            let sig = DerSignature::read(&bytes[r.clone()]).map_err(|e| e.to_string())?;
            let width = [32, 48, 66]
                .into_iter()
                .find(|w| sig.r_number().bits() <= w * 8 && sig.s_number().bits() <= w * 8)
                .unwrap_or(66);
            splice(bytes, layout, r, &sig.to_p1363(width), owner);
        }
        Op::As(enc) => {
            let point = crate::themis::ec_point(bytes, *enc == Encoding::Compressed)
                .map_err(|e| e.to_string())?;
            splice(bytes, layout, r, &point, owner);
            *layout = Layout::of(layout.format, bytes);
        }
        Op::DropItem(_) | Op::DupItem(_) => return Err("an array edit on bytes".into()),
    }
    Ok(())
}

/// Recomputes one dependent field.
fn fix(dep: &str, bytes: &mut Vec<u8>, layout: &mut Layout) -> Result<(), String> {
    let checksum = match dep {
        "crc" => Some(container::checksum as fn(&[u8]) -> u32),
        "crc-ieee" => Some(container::ieee_checksum as fn(&[u8]) -> u32),
        "crc-payload" => Some(container::payload_checksum as fn(&[u8]) -> u32),
        _ => None,
    };
    if let Some(f) = checksum {
        let part = layout
            .parts
            .iter()
            .find(|p| p.kind == FieldKind::Checksum)
            .ok_or("no checksum field")?;
        let value = f(bytes).to_le_bytes();
        let r = part.range.clone();
        if r.len() != 4 || r.end > bytes.len() {
            return Err("the checksum field is cut".into());
        }
        bytes[r].copy_from_slice(&value);
        return Ok(());
    }
    if dep == "der" {
        for name in ["signature.r_len", "signature.s_len", "signature.seq_len"] {
            if layout.find(name).is_some() {
                fix(name, bytes, layout)?;
            }
        }
        return Ok(());
    }
    let i = layout
        .parts
        .iter()
        .position(|p| p.name == dep)
        .ok_or_else(|| format!("no field {dep}"))?;
    let part = layout.parts[i].clone();
    let measured = |of: &Measures| -> Result<usize, String> {
        match of {
            Measures::Input => Ok(bytes.len()),
            Measures::Field(f) => layout
                .find(f)
                .map(|p| p.range.len())
                .ok_or_else(|| format!("no field {f}")),
            Measures::RestOf(f) => layout
                .find(f)
                .map(|p| p.range.end.saturating_sub(part.range.end))
                .ok_or_else(|| format!("no field {f}")),
        }
    };
    let new = match &part.kind {
        FieldKind::Length {
            width,
            big_endian,
            of,
        } => {
            let v = BigUint::from(measured(of)?);
            fixed(&v, usize::from(*width), *big_endian)
        }
        FieldKind::DerLength { of } => der::length(measured(of)?),
        _ => return Err(format!("{dep} is not a length")),
    };
    splice(bytes, layout, part.range, &new, Some(i));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::layout::Format;
    use super::*;

    fn run(base: &[u8], format: Format, text: &str) -> Vec<u8> {
        let mut b = base.to_vec();
        let mut l = Layout::of(format, &b);
        apply_all(
            &Edit::parse_all(text).unwrap(),
            &mut b,
            &mut l,
            &mut super::super::NoRefs,
        )
        .unwrap();
        b
    }

    #[test]
    fn text_round_trips() {
        for text in [
            "tag[0] ^= 0x20; fix crc",
            "size = 0; fix crc",
            "input cut 7",
            "input cut end-1",
            "cell.iv append [01020304]; cell.iv_length = 16; fix total_length",
            "signature.s = p256.n - signature.s; fix der signature_length",
            "point as uncompressed; point.y[-1] ^= 0x01; fix size crc",
            "#3 flip 17",
            "scalar ones",
            "p swap q",
            "payload[1..] fill 0x07",
            "session_id upper",
            "/sessions drop-item 2",
        ] {
            let parsed = Edit::parse_all(text);
            if text.starts_with('/') {
                assert!(parsed.is_err());
                continue;
            }
            let shown: Vec<String> = parsed.unwrap().iter().map(ToString::to_string).collect();
            assert_eq!(shown.join("; "), text);
        }
        assert!(Edit::parse_all("tag frobnicate").is_err());
    }

    #[test]
    fn key_edits_with_fixups_match_the_writer() {
        let key = container::write(*b"REC2", &[0, 7, 7]).unwrap();
        // Retag and fix: the writer's bytes for the new tag.
        assert_eq!(
            run(&key, Format::Themis, "tag = 'REC3'; fix crc"),
            container::write(*b"REC3", &[0, 7, 7]).unwrap()
        );
        let p256 = crate::themis::generate_ec_keypair(&mut rand_core::OsRng).0;
        let edited = run(&p256, Format::Themis, "pad drop; fix size crc");
        assert_eq!(edited, container::write(*b"REC2", &p256[13..]).unwrap());
        let edited = run(&p256, Format::Themis, "scalar = p256.n - 1; fix crc");
        assert_eq!(
            hex::encode(&edited[13..]),
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"
        );
        assert!(crate::themis::key_check(&edited).is_ok());
        let ieee = run(&p256, Format::Themis, "fix crc-ieee");
        assert_eq!(ieee[8..12], container::ieee_checksum(&p256).to_le_bytes());
        let mut l = Layout::of(Format::Themis, &p256);
        let mut b = p256.clone();
        let e = Edit::parse_all("size += 1; crc[1] ^= 0x10").unwrap();
        apply_all(&e, &mut b, &mut l, &mut super::super::NoRefs).unwrap();
        assert_eq!(b[7], p256[7] + 1);
        assert_eq!(b[9], p256[9] ^ 0x10);
    }

    #[test]
    fn message_edits_keep_later_fields_in_place() {
        let (private, public) = crate::themis::generate_ec_keypair(&mut rand_core::OsRng);
        let random = crate::themis::EncryptRandom::from_rng(&mut rand_core::OsRng);
        let m = crate::themis::encrypt(&private, &public, b"hello", &random).unwrap();
        let out = run(
            &m,
            Format::Themis,
            "cell.iv append [aabbccdd]; cell.iv_length = 16; fix total_length",
        );
        assert_eq!(out.len(), m.len() + 4);
        assert_eq!(&out[4..8], &(m.len() as u32 + 4).to_le_bytes());
        assert_eq!(&out[12..16], &16u32.to_le_bytes());
        assert_eq!(&out[36..40], &[0xaa, 0xbb, 0xcc, 0xdd]);
        assert_eq!(&out[40..], &m[36..], "the tag and ciphertext moved along");
        let signed = crate::themis::sign(&private, b"abc", &mut rand_core::OsRng).unwrap();
        let twin = run(
            &signed,
            Format::Themis,
            "signature.s = p256.n - signature.s; fix der signature_length",
        );
        assert_eq!(crate::themis::verify(&public, &twin).unwrap(), b"abc");
        assert_ne!(twin, signed);
        let raw = run(
            &signed,
            Format::Themis,
            "signature as p1363; fix signature_length",
        );
        assert_eq!(raw.len(), 12 + 3 + 64);
        let swapped = run(&signed, Format::Themis, "signature.r swap signature.s");
        assert!(crate::themis::verify(&public, &swapped).is_err());
    }

    #[test]
    fn fuzz_style_edits_never_fail() {
        let l = Layout::raw();
        let e = Edit::At(
            Place {
                target: Target::Nth(5),
                sel: None,
            },
            Op::Cut(CutAt::Start(-3)),
        );
        assert_eq!(e.applied(&[1, 2, 3], &l), Vec::<u8>::new());
        assert_eq!(e.describe(&l), "input cut -3");
        let w = Edit::At(
            Place {
                target: Target::Input,
                sel: None,
            },
            Op::Write(vec![9, 9, 9, 9]),
        );
        assert_eq!(w.applied(&[1, 2], &l), [9, 9]);
    }
}
