//! `repr(str)`, `ascii()`, `repr(bytes)` and `str.isprintable` exactly as CPython 3.11.
//!
//! Printability uses a range table generated from CPython 3.11 itself
//! (Unicode 14.0), so it matches the oracle even where newer Unicode versions
//! (as shipped by general-category crates) assign new characters.

include!("printable_table.rs");

/// Python's `str.isprintable()` for one code point.
pub fn is_printable(c: char) -> bool {
    let n = c as u32;
    if n < 0x7f {
        return n >= 0x20;
    }
    // Binary search for the last range starting at or before n.
    let idx = PRINTABLE_RANGES.partition_point(|&(lo, _)| lo <= n);
    idx > 0 && PRINTABLE_RANGES[idx - 1].1 >= n
}

/// Python's `str.isprintable()` for a whole string (true for "").
pub fn str_is_printable(s: &str) -> bool {
    s.chars().all(is_printable)
}

fn choose_quote(has_single: bool, has_double: bool) -> char {
    if has_single && !has_double {
        '"'
    } else {
        '\''
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_hex(out: &mut String, prefix: &str, n: u32, width: u32) {
    out.push_str(prefix);
    for i in (0..width).rev() {
        out.push(HEX[((n >> (i * 4)) & 0xf) as usize] as char);
    }
}

fn escape_non_ascii(out: &mut String, n: u32) {
    if n <= 0xff {
        push_hex(out, "\\x", n, 2);
    } else if n <= 0xffff {
        push_hex(out, "\\u", n, 4);
    } else {
        push_hex(out, "\\U", n, 8);
    }
}

fn repr_impl(s: &str, ascii_only: bool) -> String {
    let quote = choose_quote(s.contains('\''), s.contains('"'));
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let n = c as u32;
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            _ if n < 0x20 || n == 0x7f => push_hex(&mut out, "\\x", n, 2),
            _ if n < 0x7f => out.push(c),
            _ if !ascii_only && is_printable(c) => out.push(c),
            _ => escape_non_ascii(&mut out, n),
        }
    }
    out.push(quote);
    out
}

/// `repr(s)` for a Python str.
pub fn str_repr(s: &str) -> String {
    repr_impl(s, false)
}

/// `ascii(s)` / `!a` for a str: like repr, with every non-ASCII char escaped.
pub fn ascii_repr(s: &str) -> String {
    repr_impl(s, true)
}

/// Escape non-ASCII characters of an already-built repr (what `ascii(obj)` does
/// to `repr(obj)` for non-str objects, e.g. lists).
pub fn ascii_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if (c as u32) < 0x80 {
            out.push(c);
        } else {
            escape_non_ascii(&mut out, c as u32);
        }
    }
    out
}

/// `repr(b)` for bytes (`b'...'`); bytearray callers wrap it as `bytearray(...)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = choose_quote(b.contains(&b'\''), b.contains(&b'"')) as u8;
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            _ => push_hex(&mut out, "\\x", c as u32, 2),
        }
    }
    out.push(quote as char);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    include!("str_repr_cases.rs");

    #[test]
    fn repr_cases() {
        for (s, r, a) in STR_REPR_CASES {
            assert_eq!(str_repr(s), *r, "repr({:?})", s);
            assert_eq!(ascii_repr(s), *a, "ascii({:?})", s);
        }
    }

    #[test]
    fn bytes_cases() {
        for (b, r) in BYTES_REPR_CASES {
            assert_eq!(bytes_repr(b), *r);
        }
    }

    #[test]
    fn printable_samples() {
        for (cp, want) in PRINTABLE_SAMPLES {
            if let Some(c) = char::from_u32(*cp) {
                assert_eq!(is_printable(c), *want, "U+{:04X}", cp);
            }
        }
    }

    #[test]
    fn printable_exhaustive_range_consistency() {
        // Ranges must be sorted and disjoint for the binary search to be valid.
        for w in PRINTABLE_RANGES.windows(2) {
            assert!(w[0].1 < w[1].0);
        }
        assert!(!is_printable('\u{2028}'));
        assert!(!is_printable('\u{a0}'));
        assert!(is_printable(' '));
        assert!(!is_printable('\u{3000}'));
    }
}
