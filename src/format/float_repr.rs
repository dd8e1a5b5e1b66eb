//! `repr(float)` exactly as CPython prints it, plus the digit layout shared by float formatting.
//!
//! Digits come from `ryu` (shortest round-trip) or from Rust's correctly rounded
//! fixed-precision formatting; the layout is a port of CPython's
//! `format_float_short` (Python/pystrtod.c) so every corner (exponent
//! thresholds, `.0` suffix, `#` alternate form) matches.

/// At most 17 significant digits are needed for a round-trip; precision modes
/// may need many more, so the digit buffer is a small-vector-like enum.
pub(crate) struct Digits {
    /// ASCII digits without leading/trailing zeros (at least one digit; "0" for zero).
    pub buf: Vec<u8>,
    /// Position of the decimal point: value = 0.DIGITS * 10**decpt.
    pub decpt: i32,
}

/// Parse Rust/ryu float text like "123.45", "0.001", "1.5e-7", "1e16" into
/// digits and decimal-point position, stripping leading and trailing zeros.
fn parse_digits_into(s: &[u8], buf: &mut Vec<u8>) -> i32 {
    let mut decpt: i32 = 0;
    let mut seen_point = false;
    let mut i = 0;
    while i < s.len() && s[i] != b'e' && s[i] != b'E' {
        let b = s[i];
        if b == b'.' {
            seen_point = true;
        } else if b.is_ascii_digit() {
            if buf.is_empty() && b == b'0' {
                // Leading zero: only fractional ones move the point.
                if seen_point {
                    decpt -= 1;
                }
            } else {
                buf.push(b);
                if !seen_point {
                    decpt += 1;
                }
            }
        }
        i += 1;
    }
    if i < s.len() {
        // Exponent part.
        i += 1;
        let mut neg = false;
        if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
            neg = s[i] == b'-';
            i += 1;
        }
        let mut e: i32 = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            e = e.saturating_mul(10).saturating_add((s[i] - b'0') as i32);
            i += 1;
        }
        decpt += if neg { -e } else { e };
    }
    while buf.len() > 1 && buf[buf.len() - 1] == b'0' {
        buf.pop();
    }
    if buf.is_empty() {
        // Zero: dtoa returns "0" with decpt 1.
        buf.push(b'0');
        decpt = 1;
    }
    decpt
}

pub(crate) fn digits_from_text(s: &str) -> Digits {
    let mut buf = Vec::with_capacity(24);
    let decpt = parse_digits_into(s.as_bytes(), &mut buf);
    Digits { buf, decpt }
}

/// Layout modes of CPython's `format_float_short`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    E,
    F,
    G,
    R,
}

/// Port of CPython's `format_float_short` layout stage (sign handled by caller).
/// `precision` follows CPython's convention *after* PyOS_double_to_string's
/// adjustment (for 'e' it is the number of significant digits).
#[allow(clippy::too_many_arguments)]
pub(crate) fn layout(
    out: &mut String,
    digits: &[u8],
    decpt_in: i32,
    mode: Mode,
    precision: i32,
    add_dot_0: bool,
    alt: bool,
    upper: bool,
) {
    let digits_len = digits.len() as i64;
    let mut decpt = decpt_in as i64;
    let precision = precision as i64;
    let mut use_exp = false;
    let mut vdigits_end = digits_len;
    match mode {
        Mode::E => {
            use_exp = true;
            vdigits_end = precision;
        }
        Mode::F => vdigits_end = decpt + precision,
        Mode::G => {
            let lim = if add_dot_0 { precision - 1 } else { precision };
            if decpt <= -4 || decpt > lim {
                use_exp = true;
            }
            if alt {
                vdigits_end = precision;
            }
        }
        Mode::R => {
            if decpt <= -4 || decpt > 16 {
                use_exp = true;
            }
        }
    }
    let mut exp = 0i64;
    if use_exp {
        exp = decpt - 1;
        decpt = 1;
    }
    let vdigits_start = if decpt <= 0 { decpt - 1 } else { 0 };
    if !use_exp && add_dot_0 {
        vdigits_end = vdigits_end.max(decpt + 1);
    } else {
        vdigits_end = vdigits_end.max(decpt);
    }
    let start_len = out.len();
    let push_zeros = |out: &mut String, n: i64| {
        for _ in 0..n.max(0) {
            out.push('0');
        }
    };
    // All slices below are of ASCII digit bytes, so from_utf8 cannot fail;
    // we push byte-by-byte as chars to stay panic-free.
    let push_digits = |out: &mut String, d: &[u8]| {
        for &b in d {
            out.push(b as char);
        }
    };
    if decpt <= 0 {
        push_zeros(out, decpt - vdigits_start);
        out.push('.');
        push_zeros(out, -decpt);
    } else {
        push_zeros(out, -vdigits_start);
    }
    if 0 < decpt && decpt <= digits_len {
        let d = decpt as usize;
        push_digits(out, &digits[..d]);
        out.push('.');
        push_digits(out, &digits[d..]);
    } else {
        push_digits(out, digits);
    }
    if digits_len < decpt {
        push_zeros(out, decpt - digits_len);
        out.push('.');
        push_zeros(out, vdigits_end - decpt);
    } else {
        push_zeros(out, vdigits_end - digits_len);
    }
    if out.len() > start_len && out.ends_with('.') && !alt {
        out.pop();
    }
    if use_exp {
        out.push(if upper { 'E' } else { 'e' });
        // "%+.02d": sign always, at least two digits.
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push('0');
        }
        push_u64(out, a);
    }
}

fn push_u64(out: &mut String, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &b in &tmp[i..] {
        out.push(b as char);
    }
}

/// Shortest round-trip digits of a finite, non-zero, positive double via ryu,
/// written into a fixed stack buffer (no heap allocation).
fn shortest(v: f64, buf: &mut [u8; 24]) -> (usize, i32) {
    let mut rb = ryu::Buffer::new();
    let s = rb.format_finite(v).as_bytes();
    let mut n = 0usize;
    let mut decpt: i32 = 0;
    let mut seen_point = false;
    let mut i = 0;
    while i < s.len() && s[i] != b'e' && s[i] != b'E' {
        let b = s[i];
        if b == b'.' {
            seen_point = true;
        } else if b.is_ascii_digit() {
            if n == 0 && b == b'0' {
                if seen_point {
                    decpt -= 1;
                }
            } else {
                if n < buf.len() {
                    buf[n] = b;
                    n += 1;
                }
                if !seen_point {
                    decpt += 1;
                }
            }
        }
        i += 1;
    }
    if i < s.len() {
        i += 1;
        let mut neg = false;
        if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
            neg = s[i] == b'-';
            i += 1;
        }
        let mut e: i32 = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            e = e * 10 + (s[i] - b'0') as i32;
            i += 1;
        }
        decpt += if neg { -e } else { e };
    }
    while n > 1 && buf[n - 1] == b'0' {
        n -= 1;
    }
    if n == 0 {
        buf[0] = b'0';
        n = 1;
        decpt = 1;
    }
    (n, decpt)
}

/// Shortest digits as an owned `Digits` (used by the format-spec code).
pub(crate) fn shortest_digits(v: f64) -> Digits {
    let mut b = [0u8; 24];
    let (n, decpt) = shortest(v.abs(), &mut b);
    Digits { buf: b[..n].to_vec(), decpt }
}

/// Append `repr(v)` to `out` (lets hot loops reuse one buffer).
pub fn write_float_repr(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("nan");
        return;
    }
    if v.is_sign_negative() {
        out.push('-');
    }
    if v.is_infinite() {
        out.push_str("inf");
        return;
    }
    if v == 0.0 {
        out.push_str("0.0");
        return;
    }
    let mut b = [0u8; 24];
    let (n, decpt) = shortest(v.abs(), &mut b);
    layout(out, &b[..n], decpt, Mode::R, 0, true, false, false);
}

/// `repr(v)` / `str(v)` for a Python float, byte-identical to CPython 3.11.
pub fn float_repr(v: f64) -> String {
    let mut s = String::with_capacity(24);
    write_float_repr(&mut s, v);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_cases() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123456789012345.6, "123456789012345.6"),
            (1.2345678901234568e16, "1.2345678901234568e+16"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e15, "1000000000000000.0"),
            (9999999999999998.0, "9999999999999998.0"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (2e16 + 8.0, "2.000000000000001e+16"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (-1.5, "-1.5"),
            (100.0, "100.0"),
            (1e22, "1e+22"),
            (1.1e-4, "0.00011"),
            (0.3, "0.3"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (2.0f64.powi(60), "1.152921504606847e+18"),
        ];
        for (v, want) in cases {
            assert_eq!(float_repr(*v), *want, "repr({:e})", v);
        }
    }

    // Generated with CPython 3.11: random doubles from random bit patterns,
    // random decimals at many scales; (bits, repr).
    include!("float_repr_cases.rs");

    #[test]
    fn generated_cases() {
        for (bits, want) in FLOAT_REPR_CASES {
            let v = f64::from_bits(*bits);
            assert_eq!(float_repr(v), *want, "bits {:#x}", bits);
        }
    }
}
