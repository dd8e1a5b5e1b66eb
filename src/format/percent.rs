//! printf-style `str % args`: template parser and per-conversion renderers (CPython 3.11 unicodeobject.c).
//!
//! CPython parses lazily, interleaved with fetching arguments, so error order
//! matters (`'%y' % ()` is "not enough arguments", not "unsupported format
//! character"). `PercentParser` therefore yields conversions *unvalidated*; the
//! evaluator fetches the argument and then calls `PercentConv::validate`.
//! `parse_percent` is the eager convenience form.

use super::error::FormatError;
use super::spec::float_body;
use num_bigint::BigInt;
use num_traits::Signed;

/// A width or precision: a literal number or `*` (taken from the arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Num(usize),
    Star,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PercentFlags {
    /// `-`
    pub left: bool,
    /// `+`
    pub plus: bool,
    /// ` `
    pub space: bool,
    /// `#`
    pub alt: bool,
    /// `0`
    pub zero: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentConv {
    /// `%(name)s` mapping key.
    pub key: Option<String>,
    pub flags: PercentFlags,
    pub width: Option<Count>,
    pub precision: Option<Count>,
    /// One of `d i u o x X e E f F g G c r s a`, or anything else (invalid,
    /// reported by `validate` after the argument is fetched).
    pub conv: char,
    /// Code-point index of `conv` in the template (for the error message).
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PercentPiece {
    /// Literal text (`%%` already unescaped).
    Literal(String),
    Conv(PercentConv),
}

impl PercentConv {
    /// "unsupported format character" unless `conv` is a known conversion.
    pub fn validate(&self) -> Result<(), FormatError> {
        if is_known_conv(self.conv) {
            Ok(())
        } else {
            Err(FormatError::UnsupportedFormatChar { ch: self.conv, index: self.index })
        }
    }
}

fn is_known_conv(c: char) -> bool {
    matches!(c, 'd' | 'i' | 'u' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'c' | 'r' | 's' | 'a')
}

/// Lazy parser over a template; yields pieces in order.
pub struct PercentParser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    src: &'a str,
    /// Code-point index of the next char.
    cp: usize,
    failed: bool,
    mapping: bool,
}

impl<'a> PercentParser<'a> {
    pub fn new(src: &'a str) -> Self {
        PercentParser { chars: src.char_indices().peekable(), src, cp: 0, failed: false, mapping: true }
    }

    /// Tell the parser whether the right operand is a mapping: CPython raises
    /// "format requires a mapping" on `%(` before reading the key.
    pub fn with_mapping(mut self, is_mapping: bool) -> Self {
        self.mapping = is_mapping;
        self
    }

    fn next_char(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        self.cp += 1;
        Some(c)
    }

    fn read_count(&mut self, c: &mut Option<char>) -> Result<Option<Count>, FormatError> {
        match *c {
            Some('*') => {
                *c = self.next_char();
                Ok(Some(Count::Star))
            }
            Some(d) if d.is_ascii_digit() => {
                let mut n: usize = 0;
                while let Some(d) = c.and_then(|d| d.to_digit(10)) {
                    n = n
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(d as usize))
                        .filter(|v| *v <= i32::MAX as usize)
                        .ok_or(FormatError::TooManyDecimalDigits)?;
                    *c = self.next_char();
                }
                Ok(Some(Count::Num(n)))
            }
            _ => Ok(None),
        }
    }

    fn parse_conv(&mut self) -> Result<PercentConv, FormatError> {
        let mut c = self.next_char();
        let mut key = None;
        if c == Some('(') {
            if !self.mapping {
                return Err(FormatError::FormatRequiresMapping);
            }
            // Key runs to the matching ')', counting nested parens.
            let mut depth = 1;
            let mut k = String::new();
            loop {
                match self.next_char() {
                    None => return Err(FormatError::IncompleteFormatKey),
                    Some('(') => {
                        depth += 1;
                        k.push('(');
                    }
                    Some(')') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                        k.push(')');
                    }
                    Some(ch) => k.push(ch),
                }
            }
            key = Some(k);
            c = self.next_char();
        }
        let mut flags = PercentFlags::default();
        loop {
            match c {
                Some('-') => flags.left = true,
                Some('+') => flags.plus = true,
                Some(' ') => flags.space = true,
                Some('#') => flags.alt = true,
                Some('0') => flags.zero = true,
                _ => break,
            }
            c = self.next_char();
        }
        let width = self.read_count(&mut c)?;
        let mut precision = None;
        if c == Some('.') {
            c = self.next_char();
            precision = Some(self.read_count(&mut c)?.unwrap_or(Count::Num(0)));
        }
        // Length modifiers are accepted and ignored ("%ld").
        if matches!(c, Some('h' | 'l' | 'L')) {
            c = self.next_char();
        }
        let conv = c.ok_or(FormatError::IncompleteFormat)?;
        Ok(PercentConv { key, flags, width, precision, conv, index: self.cp - 1 })
    }
}

impl<'a> Iterator for PercentParser<'a> {
    type Item = Result<PercentPiece, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        self.chars.peek()?;
        let mut lit = String::new();
        while let Some(&(i, ch)) = self.chars.peek() {
            if ch == '%' {
                // "%%" is a literal percent; anything else starts a conversion.
                let rest = &self.src[i..];
                if rest.starts_with("%%") {
                    self.next_char();
                    self.next_char();
                    lit.push('%');
                    continue;
                }
                if !lit.is_empty() {
                    // Emit pending text first; the '%' is handled on the next call.
                    return Some(Ok(PercentPiece::Literal(lit)));
                }
                self.next_char();
                let r = self.parse_conv().map(PercentPiece::Conv);
                if r.is_err() {
                    self.failed = true;
                }
                return Some(r);
            }
            lit.push(ch);
            self.next_char();
        }
        Some(Ok(PercentPiece::Literal(lit)))
    }
}

/// Eager parse; unknown conversion characters are reported immediately.
pub fn parse_percent(fmt: &str) -> Result<Vec<PercentPiece>, FormatError> {
    let mut v = Vec::new();
    for p in PercentParser::new(fmt) {
        let p = p?;
        if let PercentPiece::Conv(c) = &p {
            c.validate()?;
        }
        v.push(p);
    }
    Ok(v)
}

/// Port of CPython's `unicode_format_arg_output` for a numeric body that may
/// start with '-' and (for `#` with o/x/X) a two-char prefix.
fn output_numeric(out: &mut String, body: &str, conv: char, flags: PercentFlags, width: usize) {
    let fill = if flags.zero { '0' } else { ' ' };
    let mut rest = body;
    let mut sign = None;
    if let Some(c @ ('-' | '+' | ' ')) = rest.chars().next() {
        sign = Some(c);
        rest = &rest[1..];
    } else if flags.plus {
        sign = Some('+');
    } else if flags.space {
        sign = Some(' ');
    }
    let mut len = rest.len() + sign.is_some() as usize; // bodies are ASCII
    let mut width = width.max(len);
    let has_prefix = flags.alt && matches!(conv, 'x' | 'X' | 'o') && rest.len() >= 2;
    if let Some(s) = sign {
        if fill != ' ' {
            out.push(s);
        }
        len -= 1;
        if width > len {
            width -= 1;
        }
    }
    let mut prefix = "";
    if has_prefix {
        prefix = &rest[..2];
        rest = &rest[2..];
        if fill != ' ' {
            out.push_str(prefix);
        }
        width = width.saturating_sub(2);
        len -= 2;
    }
    if width > len && !flags.left {
        for _ in 0..width - len {
            out.push(fill);
        }
        width = len;
    }
    if fill == ' ' {
        if let Some(s) = sign {
            out.push(s);
        }
        out.push_str(prefix);
    }
    out.push_str(rest);
    if width > len {
        for _ in 0..width - len {
            out.push(' ');
        }
    }
}

/// `%d %i %u %o %x %X` of an int (the evaluator converts floats with int() for
/// d/i/u and rejects them for o/x/X).
pub fn format_percent_int(v: &BigInt, conv: char, flags: PercentFlags, width: usize, prec: Option<usize>) -> String {
    let (radix, prefix) = match conv {
        'o' => (8, "0o"),
        'x' | 'X' => (16, "0x"),
        _ => (10, ""),
    };
    let digits = v.abs().to_str_radix(radix);
    let mut body = String::with_capacity(digits.len() + 4);
    if v.is_negative() {
        body.push('-');
    }
    if flags.alt {
        body.push_str(prefix);
    }
    if let Some(p) = prec {
        for _ in digits.len()..p {
            body.push('0');
        }
    }
    body.push_str(&digits);
    if conv == 'X' {
        body.make_ascii_uppercase();
    }
    let mut out = String::with_capacity(body.len() + width);
    output_numeric(&mut out, &body, conv, flags, width);
    out
}

/// `%e %E %f %F %g %G` of a float (default precision 6).
pub fn format_percent_float(v: f64, conv: char, flags: PercentFlags, width: usize, prec: Option<usize>) -> String {
    let mut body = String::with_capacity(24);
    let mut digits = String::with_capacity(24);
    let prec = Some(prec.unwrap_or(6));
    let neg = float_body(&mut digits, v, conv, prec, flags.alt, false);
    if neg {
        body.push('-');
    }
    body.push_str(&digits);
    let mut out = String::with_capacity(body.len() + width);
    output_numeric(&mut out, &body, conv, flags, width);
    out
}

/// `%s %r %a` of an already-converted string: precision truncates (by code
/// point), width pads with spaces (left if `-`).
pub fn format_percent_str(s: &str, flags: PercentFlags, width: usize, prec: Option<usize>) -> String {
    let (body, n) = match prec.and_then(|p| s.char_indices().nth(p).map(|(i, _)| (i, p))) {
        Some((i, p)) => (&s[..i], p),
        None => (s, s.chars().count()),
    };
    pad_plain(body, n, flags.left, width)
}

/// `%c` of a character (the evaluator maps int/1-char str and range errors).
pub fn format_percent_char(c: char, flags: PercentFlags, width: usize) -> String {
    let mut b = [0u8; 4];
    pad_plain(c.encode_utf8(&mut b), 1, flags.left, width)
}

fn pad_plain(body: &str, nchars: usize, left: bool, width: usize) -> String {
    let pad = width.saturating_sub(nchars);
    let mut out = String::with_capacity(body.len() + pad);
    if !left {
        out.extend(std::iter::repeat_n(' ', pad));
    }
    out.push_str(body);
    if left {
        out.extend(std::iter::repeat_n(' ', pad));
    }
    out
}

/// `%c` argument check: int code point in range, else OverflowError.
pub fn percent_char_from_int(v: &BigInt) -> Result<char, FormatError> {
    let n: i64 = num_traits::ToPrimitive::to_i64(v).ok_or(FormatError::CharOutOfRange)?;
    if !(0..=0x10ffff).contains(&n) {
        return Err(FormatError::CharOutOfRange);
    }
    // Surrogates cannot be Rust chars; U+FFFD is the documented stand-in.
    Ok(char::from_u32(n as u32).unwrap_or('\u{fffd}'))
}

#[cfg(test)]
mod tests {
    use super::*;
    include!("percent_cases.rs");

    /// Minimal driver over positional args for the tests: ints, floats, strs.
    #[derive(Debug)]
    enum A {
        I(i64),
        F(f64),
        S(&'static str),
    }

    fn run(fmt: &str, args: &[A]) -> String {
        let mut out = String::new();
        let mut it = args.iter();
        for p in PercentParser::new(fmt).with_mapping(false) {
            let p = match p {
                Ok(p) => p,
                Err(e) => return format!("!{}", e),
            };
            match p {
                PercentPiece::Literal(s) => out.push_str(&s),
                PercentPiece::Conv(c) => {
                    let mut flags = c.flags;
                    let mut width = 0;
                    match c.width {
                        Some(Count::Num(n)) => width = n,
                        Some(Count::Star) => match it.next() {
                            Some(A::I(n)) => {
                                if *n < 0 {
                                    flags.left = true;
                                }
                                width = n.unsigned_abs() as usize;
                            }
                            Some(_) => return "!* wants int".into(),
                            None => return format!("!{}", FormatError::NotEnoughArguments),
                        },
                        None => {}
                    }
                    let prec = match c.precision {
                        Some(Count::Num(n)) => Some(n),
                        Some(Count::Star) => match it.next() {
                            Some(A::I(n)) => Some((*n).max(0) as usize),
                            Some(_) => return "!* wants int".into(),
                            None => return format!("!{}", FormatError::NotEnoughArguments),
                        },
                        None => None,
                    };
                    let Some(a) = it.next() else {
                        return format!("!{}", FormatError::NotEnoughArguments);
                    };
                    if let Err(e) = c.validate() {
                        return format!("!{}", e);
                    }
                    let s = match (c.conv, a) {
                        ('d' | 'i' | 'u' | 'o' | 'x' | 'X', A::I(v)) => {
                            format_percent_int(&BigInt::from(*v), c.conv, flags, width, prec)
                        }
                        ('d' | 'i' | 'u', A::F(v)) => {
                            format_percent_int(&BigInt::from(v.trunc() as i64), c.conv, flags, width, prec)
                        }
                        ('e' | 'E' | 'f' | 'F' | 'g' | 'G', A::F(v)) => format_percent_float(*v, c.conv, flags, width, prec),
                        ('e' | 'E' | 'f' | 'F' | 'g' | 'G', A::I(v)) => {
                            format_percent_float(*v as f64, c.conv, flags, width, prec)
                        }
                        ('s', A::S(v)) => format_percent_str(v, flags, width, prec),
                        ('r', A::S(v)) => format_percent_str(&super::super::str_repr::str_repr(v), flags, width, prec),
                        ('a', A::S(v)) => format_percent_str(&super::super::str_repr::ascii_repr(v), flags, width, prec),
                        ('s' | 'r', A::I(v)) => format_percent_str(&v.to_string(), flags, width, prec),
                        ('s' | 'r', A::F(v)) => format_percent_str(&super::super::float_repr::float_repr(*v), flags, width, prec),
                        ('c', A::I(v)) => match percent_char_from_int(&BigInt::from(*v)) {
                            Ok(ch) => format_percent_char(ch, flags, width),
                            Err(e) => return format!("!{}", e),
                        },
                        ('c', A::S(v)) => format_percent_char(v.chars().next().unwrap_or(' '), flags, width),
                        _ => return "!type".into(),
                    };
                    out.push_str(&s);
                }
            }
        }
        if it.next().is_some() {
            return format!("!{}", FormatError::NotAllConverted);
        }
        out
    }

    #[test]
    fn cases() {
        for (fmt, args, want) in PERCENT_CASES {
            assert_eq!(run(fmt, args), *want, "{:?} % {:?}", fmt, args);
        }
    }

    #[test]
    fn eager_parse() {
        let e = parse_percent("ab %y").unwrap_err();
        assert_eq!(e.to_string(), "unsupported format character 'y' (0x79) at index 4");
        let e = parse_percent("%(a").unwrap_err();
        assert_eq!(e.to_string(), "incomplete format key");
        let v = parse_percent("%(x)-5s%%").unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(
            parse_percent("%\u{e9}").unwrap_err().to_string(),
            "unsupported format character '?' (0xe9) at index 1"
        );
    }
}
