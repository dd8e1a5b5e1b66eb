//! `int(str, base)` parsing with Python's rules (whitespace, sign, `_`, prefixes, Unicode digits).

use num_bigint::BigInt;
use num_traits::Num;

include!("decimal_table.rs");

/// Why `int(s, base)` failed; the evaluator formats the message
/// (`invalid literal for int() with base 10: 'x'` needs the original repr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntParseError {
    /// Not a valid literal for the base.
    Invalid,
    /// Base outside 0 and 2..=36 (`int() base must be >= 2 and <= 36, or 0`).
    BadBase,
}

/// Python's `str.isspace()` for one character (CPython's Py_UNICODE_ISSPACE).
pub fn is_py_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x1f' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}'
        | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// Decimal value of a Unicode `Nd` digit (Python's `unicodedata.decimal`).
pub fn unicode_decimal(c: char) -> Option<u32> {
    let n = c as u32;
    if c.is_ascii_digit() {
        return Some(n - '0' as u32);
    }
    if n < 0x660 {
        return None;
    }
    let idx = DECIMAL_ZEROS.partition_point(|&z| z <= n);
    if idx == 0 {
        return None;
    }
    let z = DECIMAL_ZEROS[idx - 1];
    if n - z < 10 {
        Some(n - z)
    } else {
        None
    }
}

/// Like CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII` followed by
/// strip: non-ASCII decimal digits become ASCII, spaces are trimmed. Returns
/// `None` if a non-ASCII char remains (it could never parse anyway).
pub(crate) fn normalize_numeric(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    // CPython maps only non-ASCII spaces to ' ' and then strips ASCII
    // whitespace, so '\x1c'..'\x1f' (spaces to str.isspace) are NOT stripped.
    let t = s.trim_matches(|c: char| {
        if c.is_ascii() {
            matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
        } else {
            is_py_space(c)
        }
    });
    if t.is_ascii() {
        return Some(std::borrow::Cow::Borrowed(t));
    }
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if let Some(d) = unicode_decimal(c) {
            out.push((b'0' + d as u8) as char);
        } else {
            return None;
        }
    }
    Some(std::borrow::Cow::Owned(out))
}

/// `int(s, base)`: `base` 0 infers from a 0x/0o/0b prefix (and then rejects
/// non-zero literals with leading zeros like `010`), else 2..=36.
pub fn parse_int(s: &str, base: u32) -> Result<BigInt, IntParseError> {
    if base == 1 || base > 36 {
        return Err(IntParseError::BadBase);
    }
    let t = normalize_numeric(s).ok_or(IntParseError::Invalid)?;
    let b = t.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&c) = b.first() {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i = 1;
        }
    }
    let mut base = base;
    let prefix_of = |c: u8| match c.to_ascii_lowercase() {
        b'x' => Some(16),
        b'o' => Some(8),
        b'b' => Some(2),
        _ => None,
    };
    // A prefix is consumed only when it names the requested base (or base is 0).
    let mut had_prefix = false;
    if b.get(i) == Some(&b'0') {
        if let Some(p) = b.get(i + 1).and_then(|&c| prefix_of(c)) {
            if base == 0 || base == p {
                base = p;
                i += 2;
                had_prefix = true;
            }
        }
    }
    let base0_decimal = base == 0;
    if base == 0 {
        base = 10;
    }
    let body = &b[i..];
    // Validate digits and underscores; an underscore may directly follow a
    // prefix, otherwise it must sit between two digits.
    let mut digits: Vec<u8> = Vec::with_capacity(body.len());
    let mut prev_underscore = !had_prefix; // treat start as "after underscore" to forbid a leading '_'
    let mut first = true;
    for &c in body {
        if c == b'_' {
            if prev_underscore && !(first && had_prefix) {
                return Err(IntParseError::Invalid);
            }
            if first && !had_prefix {
                return Err(IntParseError::Invalid);
            }
            prev_underscore = true;
        } else {
            let d = (c as char).to_digit(36).ok_or(IntParseError::Invalid)?;
            if d >= base {
                return Err(IntParseError::Invalid);
            }
            digits.push(c);
            prev_underscore = false;
        }
        first = false;
    }
    if digits.is_empty() || (prev_underscore && !body.is_empty()) {
        return Err(IntParseError::Invalid);
    }
    if base0_decimal && digits.len() > 1 && digits[0] == b'0' && digits.iter().any(|&d| d != b'0') {
        // `int('010', 0)` is rejected like the literal 010.
        return Err(IntParseError::Invalid);
    }
    // Digits are validated ASCII, so from_utf8 cannot fail.
    let text = std::str::from_utf8(&digits).map_err(|_| IntParseError::Invalid)?;
    let v = if digits.len() <= 18 && base == 10 {
        BigInt::from(text.parse::<i64>().map_err(|_| IntParseError::Invalid)?)
    } else {
        BigInt::from_str_radix(text, base).map_err(|_| IntParseError::Invalid)?
    };
    Ok(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    include!("int_parse_cases.rs");

    #[test]
    fn cases() {
        for (s, base, want) in INT_PARSE_CASES {
            let got = parse_int(s, *base).ok().map(|v| v.to_string());
            assert_eq!(got.as_deref(), *want, "int({:?}, {})", s, base);
        }
    }

    #[test]
    fn bad_base() {
        assert_eq!(parse_int("1", 1), Err(IntParseError::BadBase));
        assert_eq!(parse_int("1", 37), Err(IntParseError::BadBase));
    }
}
