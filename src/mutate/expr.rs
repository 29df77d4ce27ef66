//! The value expressions edits and catalogue records write: numbers, byte strings, text,
//! field names, `@` references to scenes and calls of scene builders.
//!
//! ```text
//! 0x26042600   12   [00*32]   [02 ff*32]   'XEC2'   p256.n - signature.s   @junk[..4]
//! sign(@a.private, random(100))   @b[..35] + 'f'
//! ```

use rsa::BigUint;
use std::fmt;

/// `[a..b]`, either end optional.
pub type Slice = (Option<usize>, Option<usize>);

/// One expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `@path` or `@path[a..b]`: a scene (or a part of one), optionally sliced.
    Ref {
        /// Dot-separated path: `a.private`, `s.parties.0.seed`.
        path: String,
        /// `[a..b]`, either end optional.
        slice: Option<Slice>,
    },
    /// `[00 ff*3 'ab']`: bytes.
    Bytes(Vec<u8>),
    /// `'text'`.
    Text(String),
    /// A decimal or `0x` number.
    Int(BigUint),
    /// A bare name: a field of the value being edited, or a constant (`p256.n`, `EC_SIGNED`).
    Name(String),
    /// `name(arg, key=arg)`.
    Call {
        /// The builder.
        name: String,
        /// Positional and named arguments, in order.
        args: Vec<Arg>,
    },
    /// `a + b`, `a - b`, `a << b`.
    Binary {
        /// The operator: `+`, `-` or `<<`.
        op: &'static str,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
}

/// A call argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// `key=` when named.
    pub name: Option<String>,
    /// The value.
    pub value: Expr,
}

/// Parses one whole expression.
pub fn parse_expr(text: &str) -> Result<Expr, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let e = p.expr()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("{text:?}: unexpected {:?}", p.rest()));
    }
    Ok(e)
}

/// Parses bindings `name = expr; name = expr`, in order.
pub fn parse_bindings(text: &str) -> Result<Vec<(String, Expr)>, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let mut out = Vec::new();
    loop {
        let name = p
            .name()
            .ok_or_else(|| format!("{text:?}: a name at {:?}", p.rest()))?;
        if !p.eat("=") {
            return Err(format!("{text:?}: '=' after {name}"));
        }
        out.push((name, p.expr().map_err(|e| format!("{text:?}: {e}"))?));
        p.ws();
        if p.i >= p.s.len() {
            return Ok(out);
        }
        if !p.eat(";") {
            return Err(format!("{text:?}: ';' at {:?}", p.rest()));
        }
    }
}

pub(super) struct Parser<'a> {
    pub(super) s: &'a [u8],
    pub(super) i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> u8 {
        self.s.get(self.i).copied().unwrap_or(0)
    }

    pub(super) fn rest(&self) -> String {
        String::from_utf8_lossy(self.s.get(self.i..).unwrap_or(&[])).into_owned()
    }

    pub(super) fn ws(&mut self) {
        while self.peek() == b' ' {
            self.i += 1;
        }
    }

    pub(super) fn eat(&mut self, token: &str) -> bool {
        self.ws();
        let t = token.as_bytes();
        if self.s.get(self.i..self.i + t.len()) == Some(t) {
            self.i += t.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected {token:?} at {:?}", self.rest()))
        }
    }

    pub(super) fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        loop {
            let op = if self.eat("<<") {
                "<<"
            } else if self.eat("+") {
                "+"
            } else if self.peek_minus() {
                self.i += 1;
                "-"
            } else {
                return Ok(left);
            };
            let right = self.term()?;
            left = Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
    }

    /// A `-` that is an operator (not the `-=` of an edit).
    fn peek_minus(&mut self) -> bool {
        self.ws();
        self.peek() == b'-' && self.s.get(self.i + 1) != Some(&b'=')
    }

    /// A name: letters, digits, `_`, `.` and `[digits]` groups (`session[0].id`, `p256.n`).
    pub(super) fn name(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        if !(self.peek().is_ascii_alphabetic() || self.peek() == b'_') {
            return None;
        }
        loop {
            let c = self.peek();
            if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
                self.i += 1;
            } else if c == b'[' {
                // Part of the name only when it is `[digits]` followed by more name.
                let mut j = self.i + 1;
                while self.s.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
                let closes = j > self.i + 1 && self.s.get(j) == Some(&b']');
                let continues = self.s.get(j + 1) == Some(&b'.');
                if closes && continues {
                    self.i = j + 1;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        Some(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn number(&mut self) -> Result<BigUint, String> {
        self.ws();
        let start = self.i;
        let hex = self.s.get(self.i..self.i + 2) == Some(b"0x");
        if hex {
            self.i += 2;
        }
        while self.peek().is_ascii_hexdigit() || self.peek() == b'_' {
            if !hex && !self.peek().is_ascii_digit() {
                break;
            }
            self.i += 1;
        }
        let digits: String = String::from_utf8_lossy(&self.s[start..self.i])
            .trim_start_matches("0x")
            .replace('_', "");
        BigUint::parse_bytes(digits.as_bytes(), if hex { 16 } else { 10 })
            .ok_or_else(|| format!("not a number at {:?}", self.rest()))
    }

    pub(super) fn usize(&mut self) -> Result<usize, String> {
        let n = self.number()?;
        n.to_string()
            .parse()
            .map_err(|_| format!("{n} is too large"))
    }

    fn text(&mut self) -> Result<String, String> {
        self.expect("'")?;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                0 if self.i >= self.s.len() => return Err("unterminated text".into()),
                b'\'' => {
                    self.i += 1;
                    return String::from_utf8(out).map_err(|e| e.to_string());
                }
                b'\\' => {
                    out.push(self.s.get(self.i + 1).copied().unwrap_or(b'\\'));
                    self.i += 2;
                }
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn bytes(&mut self) -> Result<Vec<u8>, String> {
        self.expect("[")?;
        let mut out = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                b']' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\'' => out.extend_from_slice(self.text()?.as_bytes()),
                c if c.is_ascii_hexdigit() => {
                    let start = self.i;
                    while self.peek().is_ascii_hexdigit() {
                        self.i += 1;
                    }
                    let chunk =
                        hex::decode(&self.s[start..self.i]).map_err(|e| format!("bytes: {e}"))?;
                    let times = if self.eat("*") { self.usize()? } else { 1 };
                    for _ in 0..times {
                        out.extend_from_slice(&chunk);
                    }
                }
                _ => return Err(format!("bad bytes at {:?}", self.rest())),
            }
        }
    }

    fn slice(&mut self) -> Result<Option<Slice>, String> {
        let save = self.i;
        if !self.eat("[") {
            return Ok(None);
        }
        self.ws();
        let from = if self.peek().is_ascii_digit() {
            Some(self.usize()?)
        } else {
            None
        };
        if !self.eat("..") {
            self.i = save;
            return Ok(None);
        }
        self.ws();
        let to = if self.peek().is_ascii_digit() {
            Some(self.usize()?)
        } else {
            None
        };
        self.expect("]")?;
        Ok(Some((from, to)))
    }

    fn term(&mut self) -> Result<Expr, String> {
        self.ws();
        match self.peek() {
            b'@' => {
                self.i += 1;
                let path = self.name().ok_or("a name after @")?;
                let slice = self.slice()?;
                Ok(Expr::Ref { path, slice })
            }
            b'[' => Ok(Expr::Bytes(self.bytes()?)),
            b'\'' => Ok(Expr::Text(self.text()?)),
            b'(' => {
                self.i += 1;
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            c if c.is_ascii_digit() => Ok(Expr::Int(self.number()?)),
            _ => {
                let name = self
                    .name()
                    .ok_or_else(|| format!("expected a value at {:?}", self.rest()))?;
                if !self.eat("(") {
                    return Ok(Expr::Name(name));
                }
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        let save = self.i;
                        let key = self.name().filter(|_| self.eat("=") && !self.eat("="));
                        if key.is_none() {
                            self.i = save;
                        }
                        args.push(Arg {
                            name: key,
                            value: self.expr()?,
                        });
                        if self.eat(")") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expr::Call { name, args })
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Ref { path, slice } => {
                write!(f, "@{path}")?;
                if let Some((a, b)) = slice {
                    let show = |x: &Option<usize>| x.map(|v| v.to_string()).unwrap_or_default();
                    write!(f, "[{}..{}]", show(a), show(b))?;
                }
                Ok(())
            }
            Expr::Bytes(b) => write!(f, "[{}]", show_bytes(b)),
            Expr::Text(t) => write!(f, "'{}'", t.replace('\\', "\\\\").replace('\'', "\\'")),
            Expr::Int(n) if n.bits() > 16 => write!(f, "0x{}", n.to_str_radix(16)),
            Expr::Int(n) => write!(f, "{n}"),
            Expr::Name(n) => f.write_str(n),
            Expr::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if let Some(k) = &a.name {
                        write!(f, "{k}=")?;
                    }
                    write!(f, "{}", a.value)?;
                }
                f.write_str(")")
            }
            Expr::Binary { op, left, right } => write!(f, "{left} {op} {right}"),
        }
    }
}

/// Bytes as the literal syntax writes them: hex, with runs of one byte as `xx*n`.
pub fn show_bytes(b: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let run = b[i..].iter().take_while(|&&x| x == b[i]).count();
        if run >= 4 {
            parts.push(format!("{:02x}*{run}", b[i]));
            i += run;
        } else {
            let mut j = i;
            while j < b.len() && b[j..].iter().take_while(|&&x| x == b[j]).count() < 4 {
                j += 1;
            }
            parts.push(hex::encode(&b[i..j]));
            i = j;
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_form() {
        for text in [
            "@junk[..4]",
            "@a.private",
            "[02 ff*32]",
            "'XEC2'",
            "0x26042600",
            "12",
            "p256.n - signature.s",
            "sign(@a.private, random(100))",
            "seal(@shared, @iv, @msg[..10], context=[0a 00*7])",
            "@b[..35] + 'f'",
            "session[1].iv",
            "2 << 520",
        ] {
            let e = parse_expr(text).unwrap();
            assert_eq!(e.to_string(), text, "{e:?}");
        }
        assert_eq!(
            parse_expr("[00 01*2 'A']").unwrap(),
            Expr::Bytes(vec![0, 1, 1, 0x41])
        );
        assert!(matches!(
            parse_expr("f(x = 1)").unwrap(),
            Expr::Call { args, .. } if args[0].name.as_deref() == Some("x")
        ));
        assert!(parse_expr("f(").is_err());
        assert!(parse_expr("[0]").is_err(), "odd hex");
        assert!(parse_expr("'open").is_err());
        assert_eq!(show_bytes(&[0, 0, 0, 0, 0, 1, 2]), "00*5 0102");
        let b = parse_bindings("m = random(40); s = sign(@a.private, @m)").unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].0, "s");
        assert!(parse_bindings("m random(1)").is_err());
    }
}
