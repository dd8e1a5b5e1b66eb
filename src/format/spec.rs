//! The format-spec mini-language (`format(x, spec)`, f-string `{x:spec}`) for int, float and str.
//!
//! Mirrors CPython 3.11 Python/formatter_unicode.c: parsing is type-independent
//! (`parse_spec`); each `format_*` resolves defaults for its type, validates in
//! CPython's order (so the same error wins) and lays the number out with
//! `calc_number_widths`-equivalent padding and thousands grouping.

use super::error::FormatError;
use super::float_repr::{digits_from_text, layout, shortest_digits, Mode};
use num_bigint::{BigInt, Sign as BigSign};
use num_traits::{Signed, ToPrimitive};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
    /// `=`: padding between sign/prefix and digits.
    AfterSign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    Plus,
    Minus,
    Space,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    Comma,
    Underscore,
}

impl Grouping {
    fn ch(self) -> char {
        match self {
            Grouping::Comma => ',',
            Grouping::Underscore => '_',
        }
    }
}

/// A parsed spec. `fill`/`align` are `None` when not written, because the
/// defaults (and the effect of the `0` flag) depend on the formatted type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormatSpec {
    pub fill: Option<char>,
    pub align: Option<Align>,
    pub sign: Option<Sign>,
    /// `z` (3.11): coerce negative zero to positive after rounding.
    pub no_neg_zero: bool,
    pub alternate: bool,
    /// The `0` flag (only recognised when no explicit fill was given).
    pub zero: bool,
    pub width: Option<usize>,
    pub grouping: Option<Grouping>,
    pub precision: Option<usize>,
    pub ty: Option<char>,
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '>' => Some(Align::Right),
        '^' => Some(Align::Center),
        '=' => Some(Align::AfterSign),
        _ => None,
    }
}

/// Reads a decimal integer; `Ok(None)` when no digit is present.
fn get_integer(chars: &[char], pos: &mut usize) -> Result<Option<usize>, FormatError> {
    let mut acc: usize = 0;
    let mut any = false;
    while let Some(d) = chars.get(*pos).and_then(|c| c.to_digit(10)) {
        // CPython accepts any Unicode decimal digit here; `to_digit(10)` is
        // ASCII-only, a deliberate simplification.
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(d as usize))
            .filter(|a| *a <= isize::MAX as usize)
            .ok_or(FormatError::TooManyDecimalDigits)?;
        any = true;
        *pos += 1;
    }
    Ok(if any { Some(acc) } else { None })
}

/// Parse a spec string. Errors that need the object type name carry an empty
/// one; the `format_*` functions and `FormatError::with_type_name` fill it.
pub fn parse_spec(spec: &str) -> Result<FormatSpec, FormatError> {
    let mut out = FormatSpec::default();
    if spec.is_empty() {
        return Ok(out);
    }
    // Work on code points: fill may be any character.
    let chars: Vec<char> = spec.chars().collect();
    let end = chars.len();
    let mut pos = 0;
    if end >= 2 {
        if let Some(a) = align_of(chars[1]) {
            out.fill = Some(chars[0]);
            out.align = Some(a);
            pos = 2;
        }
    }
    if pos == 0 {
        if let Some(a) = align_of(chars[0]) {
            out.align = Some(a);
            pos = 1;
        }
    }
    match chars.get(pos) {
        Some('+') => out.sign = Some(Sign::Plus),
        Some('-') => out.sign = Some(Sign::Minus),
        Some(' ') => out.sign = Some(Sign::Space),
        _ => {}
    }
    if out.sign.is_some() {
        pos += 1;
    }
    if chars.get(pos) == Some(&'z') {
        out.no_neg_zero = true;
        pos += 1;
    }
    if chars.get(pos) == Some(&'#') {
        out.alternate = true;
        pos += 1;
    }
    if out.fill.is_none() && chars.get(pos) == Some(&'0') {
        out.zero = true;
        pos += 1;
    }
    out.width = get_integer(&chars, &mut pos)?;
    if chars.get(pos) == Some(&',') {
        out.grouping = Some(Grouping::Comma);
        pos += 1;
    }
    if chars.get(pos) == Some(&'_') {
        if out.grouping.is_some() {
            return Err(FormatError::BothCommaAndUnderscore);
        }
        out.grouping = Some(Grouping::Underscore);
        pos += 1;
    }
    if chars.get(pos) == Some(&',') && out.grouping == Some(Grouping::Underscore) {
        return Err(FormatError::BothCommaAndUnderscore);
    }
    if chars.get(pos) == Some(&'.') {
        pos += 1;
        out.precision = get_integer(&chars, &mut pos)?;
        if out.precision.is_none() {
            return Err(FormatError::MissingPrecision);
        }
    }
    if end - pos > 1 {
        return Err(FormatError::InvalidFormatSpecifier {
            spec: spec.to_string(),
            type_name: String::new(),
        });
    }
    if end - pos == 1 {
        out.ty = Some(chars[pos]);
    }
    Ok(out)
}

impl FormatSpec {
    /// Resolve fill and alignment for a type whose default alignment is `default`.
    fn fill_align(&self, default: Align) -> (char, Align) {
        let mut fill = self.fill.unwrap_or(' ');
        let mut align = self.align.unwrap_or(default);
        if self.zero {
            fill = '0';
            if self.align.is_none() && default == Align::Right {
                align = Align::AfterSign;
            }
        }
        (fill, align)
    }

    /// CPython validates separators against the (defaulted) type right after parsing.
    fn check_grouping(&self, ty: char) -> Result<(), FormatError> {
        if let Some(g) = self.grouping {
            let ok = match ty {
                'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => true,
                'b' | 'o' | 'x' | 'X' => g == Grouping::Underscore,
                _ => false,
            };
            if !ok {
                return Err(FormatError::CannotSpecifySeparator { sep: g.ch(), ty });
            }
        }
        Ok(())
    }

    fn width_i(&self) -> i64 {
        self.width.map(|w| w as i64).unwrap_or(-1)
    }
}

fn push_fill(out: &mut String, c: char, n: i64) {
    for _ in 0..n.max(0) {
        out.push(c);
    }
}

/// Port of `_PyUnicode_InsertThousandsGrouping` for a constant group size:
/// inserts `sep` every `group` digits and left-pads with '0' up to `min_width`
/// (used by the `0` flag), never starting with a separator.
fn push_grouped(out: &mut String, digits: &[u8], sep: Option<char>, group: i64, min_width: i64) {
    let Some(sep) = sep else {
        // No grouping: zero-pad to min_width then copy.
        push_fill(out, '0', min_width - digits.len() as i64);
        for &b in digits {
            out.push(b as char);
        }
        return;
    };
    // Build right-to-left into a small vector, then append reversed.
    let mut rev: Vec<char> = Vec::with_capacity(digits.len() + digits.len() / 3 + 4);
    let mut remaining = digits.len() as i64;
    let mut min_width = min_width;
    let mut use_sep = false;
    loop {
        let l = group.min(remaining.max(min_width).max(1));
        let n_zeros = (l - remaining).max(0);
        let n_chars = remaining.min(l).max(0);
        if use_sep {
            rev.push(sep);
        }
        for i in 0..n_chars {
            let idx = (remaining - 1 - i) as usize;
            rev.push(digits.get(idx).copied().unwrap_or(b'0') as char);
        }
        rev.extend(std::iter::repeat_n('0', n_zeros as usize));
        use_sep = true;
        remaining -= n_chars;
        min_width -= l;
        if remaining <= 0 && min_width <= 0 {
            break;
        }
        min_width -= 1;
    }
    out.extend(rev.iter().rev());
}

/// The number layout of CPython's `calc_number_widths` + `fill_number`.
/// `digits` are the integer digits (grouped), `remainder` is everything after
/// (decimal point, fraction, exponent, '%'), all ASCII.
#[allow(clippy::too_many_arguments)]
fn write_number(
    out: &mut String,
    negative: bool,
    sign: Option<Sign>,
    prefix: &str,
    digits: &[u8],
    remainder: &str,
    fill: char,
    align: Align,
    width: i64,
    sep: Option<char>,
    group: i64,
) {
    let sign_ch = if negative {
        Some('-')
    } else {
        match sign {
            Some(Sign::Plus) => Some('+'),
            Some(Sign::Space) => Some(' '),
            _ => None,
        }
    };
    let n_sign = sign_ch.is_some() as i64;
    let n_non_digit = n_sign + prefix.len() as i64 + remainder.len() as i64;
    let min_width = if fill == '0' && align == Align::AfterSign {
        width - n_non_digit
    } else {
        0
    };
    let mut grouped = String::new();
    if !digits.is_empty() {
        push_grouped(&mut grouped, digits, sep, group, min_width);
    }
    let n_padding = width - (n_non_digit + grouped.len() as i64);
    let (mut lpad, mut spad, mut rpad) = (0, 0, 0);
    if n_padding > 0 {
        match align {
            Align::Left => rpad = n_padding,
            Align::Center => {
                lpad = n_padding / 2;
                rpad = n_padding - lpad;
            }
            Align::AfterSign => spad = n_padding,
            Align::Right => lpad = n_padding,
        }
    }
    push_fill(out, fill, lpad);
    if let Some(c) = sign_ch {
        out.push(c);
    }
    out.push_str(prefix);
    push_fill(out, fill, spad);
    out.push_str(&grouped);
    out.push_str(remainder);
    push_fill(out, fill, rpad);
}

/// Pad a string per fill/align/width (strings and `c`).
fn pad_str(out: &mut String, s: &str, nchars: usize, fill: char, align: Align, width: i64) {
    let n_padding = width - nchars as i64;
    let (l, r) = if n_padding <= 0 {
        (0, 0)
    } else {
        match align {
            Align::Left => (0, n_padding),
            Align::Center => (n_padding / 2, n_padding - n_padding / 2),
            _ => (n_padding, 0),
        }
    };
    push_fill(out, fill, l);
    out.push_str(s);
    push_fill(out, fill, r);
}

fn unknown(code: char, ty: &str) -> FormatError {
    FormatError::UnknownFormatCode { code, type_name: ty.to_string() }
}

/// `format(s, spec)` for a str.
pub fn format_str(s: &str, spec: &FormatSpec) -> Result<String, FormatError> {
    let ty = spec.ty.unwrap_or('s');
    spec.check_grouping(ty)?;
    if ty != 's' {
        return Err(unknown(ty, "str"));
    }
    match spec.sign {
        Some(Sign::Space) => return Err(FormatError::SpaceNotAllowedStr),
        Some(_) => return Err(FormatError::SignNotAllowedStr),
        None => {}
    }
    if spec.no_neg_zero {
        return Err(FormatError::NegZeroNotAllowed { what: "string" });
    }
    if spec.alternate {
        return Err(FormatError::AltNotAllowedStr);
    }
    let (fill, align) = spec.fill_align(Align::Left);
    if align == Align::AfterSign {
        return Err(FormatError::EqAlignNotAllowedStr);
    }
    // Truncate by code points; char_indices keeps the cut on a boundary.
    let (body, nchars) = match spec.precision {
        Some(p) => match s.char_indices().nth(p) {
            Some((i, _)) => (&s[..i], p),
            None => (s, s.chars().count()),
        },
        None => (s, if spec.width.is_some() { s.chars().count() } else { 0 }),
    };
    if spec.width.is_none() {
        return Ok(body.to_string());
    }
    let mut out = String::with_capacity(body.len() + spec.width.unwrap_or(0));
    pad_str(&mut out, body, nchars, fill, align, spec.width_i());
    Ok(out)
}

/// Shared int validation; returns the effective presentation type.
fn int_checks(spec: &FormatSpec) -> Result<char, FormatError> {
    let ty = spec.ty.unwrap_or('d');
    spec.check_grouping(ty)?;
    Ok(ty)
}

fn is_float_type(t: char) -> bool {
    matches!(t, 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%')
}

/// `format(v, spec)` for an int (`bool` callers: map errors with `with_type_name("bool")`).
pub fn format_int(v: &BigInt, spec: &FormatSpec) -> Result<String, FormatError> {
    if let Some(small) = v.to_i64() {
        return format_i64(small, spec);
    }
    let ty = int_checks(spec)?;
    if is_float_type(ty) {
        let f = v.to_f64().filter(|f| f.is_finite()).ok_or(FormatError::IntTooLargeForFloat)?;
        return format_float(f, spec);
    }
    int_body_checks(spec, ty)?;
    if ty == 'c' {
        // CPython's PyLong_AsLong fails first for anything outside a C long.
        return Err(FormatError::IntTooLargeForCLong);
    }
    let (radix, upper) = radix_of(ty);
    let mut s = v.abs().to_str_radix(radix);
    if upper {
        s.make_ascii_uppercase();
    }
    Ok(finish_int(v.sign() == BigSign::Minus, s.as_bytes(), ty, spec))
}

fn radix_of(ty: char) -> (u32, bool) {
    match ty {
        'b' => (2, false),
        'o' => (8, false),
        'x' => (16, false),
        'X' => (16, true),
        _ => (10, false),
    }
}

/// Checks shared by both int paths after type dispatch (CPython's order).
fn int_body_checks(spec: &FormatSpec, ty: char) -> Result<(), FormatError> {
    match ty {
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        _ => return Err(unknown(ty, "int")),
    }
    if spec.precision.is_some() {
        return Err(FormatError::PrecisionNotAllowedInt);
    }
    if spec.no_neg_zero {
        return Err(FormatError::NegZeroNotAllowed { what: "integer" });
    }
    if ty == 'c' {
        if spec.sign.is_some() {
            return Err(FormatError::SignNotAllowedWithC);
        }
        if spec.alternate {
            return Err(FormatError::AltNotAllowedWithC);
        }
    }
    Ok(())
}

fn finish_int(negative: bool, digits: &[u8], ty: char, spec: &FormatSpec) -> String {
    let prefix = if spec.alternate {
        match ty {
            'b' => "0b",
            'o' => "0o",
            'x' => "0x",
            'X' => "0X",
            _ => "",
        }
    } else {
        ""
    };
    let (fill, align) = spec.fill_align(Align::Right);
    let (sep, group) = match spec.grouping {
        None => (None, 3),
        Some(g) => (Some(g.ch()), if matches!(ty, 'b' | 'o' | 'x' | 'X') { 4 } else { 3 }),
    };
    // Fast path: the overwhelmingly common `{n}` / `{n:d}` with no decoration.
    if !negative && prefix.is_empty() && sep.is_none() && spec.width.is_none() && spec.sign.is_none() {
        return digits.iter().map(|&b| b as char).collect();
    }
    let mut out = String::with_capacity(digits.len() + 8 + spec.width.unwrap_or(0));
    write_number(&mut out, negative, spec.sign, prefix, digits, "", fill, align, spec.width_i(), sep, group);
    out
}

/// Fast path of `format_int` for machine-sized ints (no heap bignum work).
pub fn format_i64(v: i64, spec: &FormatSpec) -> Result<String, FormatError> {
    let ty = int_checks(spec)?;
    if is_float_type(ty) {
        return format_float(v as f64, spec);
    }
    int_body_checks(spec, ty)?;
    if ty == 'c' {
        if !(0..=0x10ffff).contains(&v) {
            return Err(FormatError::CharOutOfRange);
        }
        // Surrogates are valid Python str chars but not Rust chars; map to U+FFFD
        // (documented gap: coro strings are UTF-8).
        let c = char::from_u32(v as u32).unwrap_or('\u{fffd}');
        let (fill, align) = spec.fill_align(Align::Right);
        let mut out = String::new();
        let mut b = [0u8; 4];
        // '=' on 'c' pads like '>' (no sign/prefix exist).
        let align = if align == Align::AfterSign { Align::Right } else { align };
        pad_str(&mut out, c.encode_utf8(&mut b), 1, fill, align, spec.width_i());
        return Ok(out);
    }
    let (radix, upper) = radix_of(ty);
    let mut buf = [0u8; 64];
    let mut i = buf.len();
    let mut m = v.unsigned_abs();
    let table: &[u8; 16] = if upper { b"0123456789ABCDEF" } else { b"0123456789abcdef" };
    loop {
        i -= 1;
        buf[i] = table[(m % radix as u64) as usize];
        m /= radix as u64;
        if m == 0 {
            break;
        }
    }
    Ok(finish_int(v < 0, &buf[i..], ty, spec))
}

/// `format(v, spec)` for a float.
pub fn format_float(v: f64, spec: &FormatSpec) -> Result<String, FormatError> {
    let ty0 = spec.ty.unwrap_or('\0');
    spec.check_grouping(ty0)?;
    if !matches!(ty0, '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%') {
        return Err(unknown(ty0, "float"));
    }
    if let Some(p) = spec.precision {
        if p > i32::MAX as usize {
            return Err(FormatError::PrecisionTooBig);
        }
    }
    let mut body = String::with_capacity(24);
    let negative = float_body(&mut body, v, ty0, spec.precision, spec.alternate, spec.no_neg_zero);
    let (fill, align) = spec.fill_align(Align::Right);
    // Split the integer digits (grouped) from the remainder, like CPython's parse_number.
    let bytes = body.as_bytes();
    let n_digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    let (digits, remainder) = body.split_at(n_digits);
    if spec.width.is_none() && spec.grouping.is_none() && spec.sign.is_none() && !negative {
        return Ok(body);
    }
    let mut out = String::with_capacity(body.len() + 8 + spec.width.unwrap_or(0));
    write_number(
        &mut out,
        negative,
        spec.sign,
        "",
        digits.as_bytes(),
        remainder,
        fill,
        align,
        spec.width_i(),
        spec.grouping.map(|g| g.ch()),
        3,
    );
    Ok(out)
}

/// Render |v| per presentation type into `out` (no sign, no padding);
/// returns whether a '-' sign is needed. Shared with printf-style `%`.
pub(crate) fn float_body(
    out: &mut String,
    v: f64,
    ty0: char,
    precision: Option<usize>,
    alt: bool,
    no_neg_zero: bool,
) -> bool {
    let upper = matches!(ty0, 'E' | 'F' | 'G');
    // Map to CPython's PyOS_double_to_string modes.
    let (mode, add_dot_0, default_prec) = match ty0 {
        '\0' => (if precision.is_some() { Mode::G } else { Mode::R }, true, 0),
        'e' | 'E' => (Mode::E, false, 6),
        'f' | 'F' | '%' => (Mode::F, false, 6),
        _ => (Mode::G, false, 6), // g G n
    };
    let prec = precision.unwrap_or(default_prec) as i32;
    let val = if ty0 == '%' { v * 100.0 } else { v };
    let mut negative = val.is_sign_negative() && !val.is_nan();
    if val.is_nan() || val.is_infinite() {
        out.push_str(match (val.is_nan(), upper) {
            (true, false) => "nan",
            (true, true) => "NAN",
            (false, false) => "inf",
            (false, true) => "INF",
        });
        if ty0 == '%' {
            out.push('%');
        }
        return negative;
    }
    let a = val.abs();
    let start = out.len();
    match mode {
        Mode::R => {
            let d = shortest_digits(a);
            layout(out, &d.buf, d.decpt, Mode::R, 0, true, alt, false);
        }
        Mode::F => {
            use std::fmt::Write;
            let _ = write!(out, "{:.*}", prec as usize, a);
            if alt && prec == 0 {
                out.push('.');
            }
        }
        Mode::E => {
            let d = digits_from_text(&format!("{:.*e}", prec as usize, a));
            layout(out, &d.buf, d.decpt, Mode::E, prec + 1, false, alt, upper);
        }
        Mode::G => {
            let p = if prec == 0 { 1 } else { prec };
            let d = digits_from_text(&format!("{:.*e}", (p - 1) as usize, a));
            layout(out, &d.buf, d.decpt, Mode::G, p, add_dot_0, alt, upper);
        }
    }
    if ty0 == '%' {
        out.push('%');
    }
    if negative && no_neg_zero {
        // `z`: drop the sign if the rounded result is zero.
        let body = &out[start..];
        let all_zero = body
            .bytes()
            .take_while(|b| *b != b'e' && *b != b'E')
            .all(|b| b == b'0' || b == b'.' || b == b'%');
        if all_zero {
            negative = false;
        }
    }
    negative
}

/// Parse `spec` and format an int, filling the type name into errors.
pub fn format_int_spec(v: &BigInt, spec: &str, type_name: &str) -> Result<String, FormatError> {
    parse_spec(spec)
        .and_then(|s| format_int(v, &s))
        .map_err(|e| e.with_type_name(type_name))
}

/// Parse `spec` and format a float.
pub fn format_float_spec(v: f64, spec: &str) -> Result<String, FormatError> {
    parse_spec(spec).and_then(|s| format_float(v, &s)).map_err(|e| e.with_type_name("float"))
}

/// Parse `spec` and format a str.
pub fn format_str_spec(v: &str, spec: &str) -> Result<String, FormatError> {
    parse_spec(spec).and_then(|s| format_str(v, &s)).map_err(|e| e.with_type_name("str"))
}

#[cfg(test)]
mod tests {
    use super::*;

    include!("spec_cases.rs");

    fn run_int(v: &str, spec: &str) -> String {
        let b: BigInt = v.parse().unwrap();
        match format_int_spec(&b, spec, "int") {
            Ok(s) => s,
            Err(e) => format!("!{}", e),
        }
    }

    #[test]
    fn int_cases() {
        for (v, spec, want) in INT_CASES {
            assert_eq!(run_int(v, spec), *want, "format({}, {:?})", v, spec);
        }
    }

    #[test]
    fn float_cases() {
        for (bits, spec, want) in FLOAT_CASES {
            let v = f64::from_bits(*bits);
            let got = match format_float_spec(v, spec) {
                Ok(s) => s,
                Err(e) => format!("!{}", e),
            };
            assert_eq!(got, *want, "format({:e}, {:?})", v, spec);
        }
    }

    #[test]
    fn str_cases() {
        for (v, spec, want) in STR_CASES {
            let got = match format_str_spec(v, spec) {
                Ok(s) => s,
                Err(e) => format!("!{}", e),
            };
            assert_eq!(got, *want, "format({:?}, {:?})", v, spec);
        }
    }

    #[test]
    fn bool_type_name() {
        let e = format_int_spec(&BigInt::from(1), "s", "bool").unwrap_err();
        assert_eq!(e.to_string(), "Unknown format code 's' for object of type 'bool'");
    }
}
