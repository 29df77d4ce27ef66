//! What catalogue expressions evaluate to, and the environment that evaluates them: scenes
//! by name, the seeded stream, and the reference.

use super::super::gen::Gen;
use crate::mutate::{Expr, Layout, Operand, Resolve};
use rand_chacha::ChaCha20Rng;
use rsa::BigUint;
use serde_json::{json, Value as Json};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A value: bytes, text, a number, a list, a record of named parts (a key pair, a body and
/// what made it), the args of a case, a recipient session, a Secure Cell or a random stream.
#[derive(Debug, Clone)]
pub enum Value {
    /// Bytes (hex in args).
    Bytes(Vec<u8>),
    /// Text (session ids).
    Text(String),
    /// A number.
    Int(BigUint),
    /// A list.
    List(Vec<Value>),
    /// Named parts, in order.
    Record(Vec<(String, Value)>),
    /// The args of a case, by argument name.
    Args(Vec<(String, Value)>),
    /// A Mixin recipient session: its seed when known, id and X25519 public key.
    Session {
        /// The ed25519 seed, for recipients that must decrypt.
        seed: Option<[u8; 32]>,
        /// The session id.
        id: String,
        /// The X25519 public key as given to encrypt.
        public: Vec<u8>,
    },
    /// A Secure Cell.
    Cell(crate::themis::Cell),
    /// A seeded stream of its own, consumed by every use.
    Rng(Rc<RefCell<ChaCha20Rng>>),
}

impl Value {
    /// The bytes of a byte, text, cell or numeric value.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        use crate::wire::Codec;
        match self {
            Value::Bytes(b) => Ok(b.clone()),
            Value::Text(t) => Ok(t.as_bytes().to_vec()),
            Value::Cell(c) => Ok(c.to_bytes()),
            Value::Int(n) => Ok(n.to_bytes_be()),
            other => Err(format!("not bytes: {}", other.kind())),
        }
    }

    /// A number (from a number or big-endian bytes).
    pub fn int(&self) -> Result<BigUint, String> {
        match self {
            Value::Int(n) => Ok(n.clone()),
            Value::Bytes(b) => Ok(BigUint::from_bytes_be(b)),
            other => Err(format!("not a number: {}", other.kind())),
        }
    }

    /// A number that fits a usize.
    pub fn usize(&self) -> Result<usize, String> {
        self.int()?.to_string().parse().map_err(|e| format!("{e}"))
    }

    /// Text (a text value, or bytes that are UTF-8).
    pub fn text(&self) -> Result<String, String> {
        match self {
            Value::Text(t) => Ok(t.clone()),
            Value::Bytes(b) => String::from_utf8(b.clone()).map_err(|e| e.to_string()),
            other => Err(format!("not text: {}", other.kind())),
        }
    }

    /// Exactly `N` bytes.
    pub fn array<const N: usize>(&self) -> Result<[u8; N], String> {
        let b = self.bytes()?;
        b.as_slice()
            .try_into()
            .map_err(|_| format!("{} bytes where {N} are needed", b.len()))
    }

    /// The items of a list.
    pub fn list(&self) -> Result<&[Value], String> {
        match self {
            Value::List(l) => Ok(l),
            other => Err(format!("not a list: {}", other.kind())),
        }
    }

    /// A named part of a record, args or session.
    pub fn part(&self, name: &str) -> Option<Value> {
        match self {
            Value::Record(fields) | Value::Args(fields) => fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone()),
            Value::List(items) => name
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i).cloned()),
            Value::Session { seed, id, public } => match name {
                "seed" => seed.map(|s| Value::Bytes(s.to_vec())),
                "id" => Some(Value::Text(id.clone())),
                "public" => Some(Value::Bytes(public.clone())),
                _ => None,
            },
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Value::Bytes(_) => "bytes",
            Value::Text(_) => "text",
            Value::Int(_) => "a number",
            Value::List(_) => "a list",
            Value::Record(_) => "a record",
            Value::Args(_) => "args",
            Value::Session { .. } => "a session",
            Value::Cell(_) => "a cell",
            Value::Rng(_) => "a random stream",
        }
    }

    /// The value as a PROTOCOL.md argument.
    pub fn to_json(&self) -> Result<Json, String> {
        Ok(match self {
            Value::Bytes(_) | Value::Cell(_) => Json::String(hex::encode(self.bytes()?)),
            Value::Text(t) => Json::String(t.clone()),
            Value::Int(n) => Json::from(n.to_string().parse::<u64>().map_err(|e| e.to_string())?),
            Value::List(items) => {
                Json::Array(items.iter().map(Value::to_json).collect::<Result<_, _>>()?)
            }
            Value::Record(fields) | Value::Args(fields) => {
                let mut m = serde_json::Map::new();
                for (k, v) in fields {
                    m.insert(k.clone(), v.to_json()?);
                }
                Json::Object(m)
            }
            Value::Session { id, public, .. } => {
                json!({"session_id": id, "public_key": hex::encode(public)})
            }
            Value::Rng(_) => return Err("a random stream is not an argument".into()),
        })
    }

    /// Slices bytes, text or a list.
    fn slice(self, from: Option<usize>, to: Option<usize>) -> Result<Value, String> {
        let range = |len: usize| -> Result<std::ops::Range<usize>, String> {
            let (a, b) = (from.unwrap_or(0), to.unwrap_or(len));
            (a <= b && b <= len)
                .then_some(a..b)
                .ok_or_else(|| format!("[{a}..{b}] of {len}"))
        };
        Ok(match self {
            Value::Bytes(b) => Value::Bytes(b[range(b.len())?].to_vec()),
            Value::Text(t) => Value::Text(
                t.get(range(t.len())?)
                    .ok_or("not a char boundary")?
                    .to_string(),
            ),
            Value::List(l) => Value::List(l[range(l.len())?].to_vec()),
            other => return Err(format!("cannot slice {}", other.kind())),
        })
    }
}

/// The evaluation environment of one catalogue file.
pub struct Env<'g> {
    /// The seeded stream and the reference.
    pub g: &'g mut Gen,
    /// The op of the file.
    pub op: String,
    /// Scenes by name.
    pub scenes: HashMap<String, Value>,
    /// The current case's own bindings.
    pub locals: HashMap<String, Value>,
}

impl Env<'_> {
    /// The value of `@path`: a scene, then parts of it; past a byte value the rest of the
    /// path is a field of its dissection (`@other.session[1].iv`).
    fn reference(&self, path: &str) -> Result<Value, String> {
        if let Some(v) = self.locals.get(path) {
            return Ok(v.clone());
        }
        let mut segments = path.split('.');
        let head = segments.next().unwrap_or("");
        let mut v = self
            .locals
            .get(head)
            .or_else(|| self.scenes.get(head))
            .cloned()
            .ok_or_else(|| format!("no scene {head}"))?;
        let rest: Vec<&str> = segments.collect();
        for (i, seg) in rest.iter().enumerate() {
            if let Value::Bytes(b) = &v {
                let field = rest[i..].join(".");
                let layout = Layout::of(super::format_of(&self.op), b);
                let part = layout
                    .find(&field)
                    .ok_or_else(|| format!("@{path}: no field {field}"))?;
                return Ok(Value::Bytes(b[part.range.clone()].to_vec()));
            }
            v = v
                .part(seg)
                .ok_or_else(|| format!("@{path}: no part {seg}"))?;
        }
        Ok(v)
    }

    /// Evaluates an expression; bare names are constants (curve numbers, message types).
    pub fn eval(&mut self, e: &Expr) -> Result<Value, String> {
        match e {
            Expr::Int(n) => Ok(Value::Int(n.clone())),
            Expr::Bytes(b) => Ok(Value::Bytes(b.clone())),
            Expr::Text(t) => Ok(Value::Text(t.clone())),
            Expr::Name(n) => match crate::mutate::constant(n) {
                Some(Operand::Int(i)) => Ok(Value::Int(i)),
                _ => Ok(Value::Text(n.clone())),
            },
            Expr::Ref { path, slice } => {
                let v = self.reference(path)?;
                match slice {
                    Some((a, b)) => v.slice(*a, *b),
                    None => Ok(v),
                }
            }
            Expr::Binary { op, left, right } => {
                let (l, r) = (self.eval(left)?, self.eval(right)?);
                match (*op, l, r) {
                    ("+", Value::List(mut a), Value::List(b)) => {
                        a.extend(b);
                        Ok(Value::List(a))
                    }
                    ("+", Value::Text(a), b) => Ok(Value::Text(a + &b.text()?)),
                    ("+", Value::Int(a), b) => Ok(Value::Int(a + b.int()?)),
                    ("+", a, b) => Ok(Value::Bytes([a.bytes()?, b.bytes()?].concat())),
                    ("-", a, b) => {
                        let (a, b) = (a.int()?, b.int()?);
                        if b > a {
                            return Err(format!("{e} is negative"));
                        }
                        Ok(Value::Int(a - b))
                    }
                    (_, a, b) => Ok(Value::Int(a.int()? << b.usize()?)),
                }
            }
            Expr::Call { name, args } => super::calls::call(self, name, args),
        }
    }

    /// Evaluates `text` as an expression.
    pub fn eval_text(&mut self, text: &str) -> Result<Value, String> {
        let e = crate::mutate::parse_expr(text)?;
        self.eval(&e)
    }
}

/// Resolves the references and calls inside edits with the environment; a field of the
/// value being edited stands for its bytes inside a call (`pkcs1v15(@k, plaintext)`).
pub struct EditRefs<'e, 'g>(pub &'e mut Env<'g>);

impl Resolve for EditRefs<'_, '_> {
    fn resolve(&mut self, expr: &Expr, current: &[u8], layout: &Layout) -> Result<Operand, String> {
        let saved = self.0.locals.clone();
        for p in &layout.parts {
            let bytes = current.get(p.range.clone()).unwrap_or(&[]).to_vec();
            self.0.locals.insert(p.name.clone(), Value::Bytes(bytes));
        }
        let v = self.0.eval(&with_fields_as_refs(expr, layout));
        self.0.locals = saved;
        let v = v?;
        Ok(match v {
            Value::Int(n) => Operand::Int(n),
            Value::Text(t) => Operand::Text(t),
            other => Operand::Bytes(other.bytes()?),
        })
    }
}

/// Inside a call, a bare name that is a field of the edited value refers to its bytes.
fn with_fields_as_refs(e: &Expr, layout: &Layout) -> Expr {
    match e {
        Expr::Name(n) if layout.find(n).is_some() => Expr::Ref {
            path: n.clone(),
            slice: None,
        },
        Expr::Call { name, args } => Expr::Call {
            name: name.clone(),
            args: args
                .iter()
                .map(|a| crate::mutate::Arg {
                    name: a.name.clone(),
                    value: with_fields_as_refs(&a.value, layout),
                })
                .collect(),
        },
        Expr::Binary { op, left, right } => Expr::Binary {
            op,
            left: Box::new(with_fields_as_refs(left, layout)),
            right: Box::new(with_fields_as_refs(right, layout)),
        },
        other => other.clone(),
    }
}
