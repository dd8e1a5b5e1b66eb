//! Float arithmetic helpers with CPython semantics: round, float(), //, %, divmod, int(), hex.

use super::int_parse::normalize_numeric;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{FromPrimitive, One, Signed, Zero};

/// `round(x)` with no ndigits: round half to even (the caller converts to int).
pub fn round_half_even(v: f64) -> f64 {
    v.round_ties_even()
}

/// Error of `round(x, n)`: OverflowError "rounded value too large to represent".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundOverflow;

impl std::fmt::Display for RoundOverflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("rounded value too large to represent")
    }
}

/// `round(x, ndigits)` exactly as CPython's `double_round`: the exact binary
/// value is correctly rounded (half-even) to `ndigits` decimal places and the
/// decimal result is converted back with correct rounding, so
/// `round(2.675, 2) == 2.67`.
pub fn round_float(v: f64, ndigits: i64) -> Result<f64, RoundOverflow> {
    // CPython's NDIGITS_MAX / NDIGITS_MIN for IEEE doubles.
    if !v.is_finite() || ndigits > 323 {
        return Ok(v);
    }
    if ndigits < -308 {
        return Ok(0.0 * v);
    }
    if v == 0.0 {
        return Ok(v);
    }
    let text = if ndigits >= 0 {
        // Rust's fixed-precision formatting is exact and rounds ties to even,
        // matching dtoa mode 3.
        format!("{:.*}", ndigits as usize, v)
    } else {
        // Negative ndigits: exact rational arithmetic on mantissa * 2^exp.
        let (mant, exp, sign) = integer_decode(v);
        let mut num = BigInt::from(mant);
        let mut den = BigInt::one();
        if exp >= 0 {
            num <<= exp as usize;
        } else {
            den <<= (-exp) as usize;
        }
        let scale = BigInt::from(10u32).pow((-ndigits) as u32);
        den *= &scale;
        let (mut q, r) = num.div_rem(&den);
        let twice = &r * 2u32;
        if twice > den || (twice == den && q.is_odd()) {
            q += 1u32;
        }
        let s = if sign < 0 { "-" } else { "" };
        format!("{}{}e{}", s, q, -ndigits)
    };
    let r: f64 = text.parse().unwrap_or(f64::NAN);
    if r.is_infinite() {
        return Err(RoundOverflow);
    }
    Ok(r)
}

/// (mantissa, exponent, sign) with v = sign * mantissa * 2^exponent.
fn integer_decode(v: f64) -> (u64, i32, i8) {
    let bits = v.to_bits();
    let sign: i8 = if bits >> 63 == 0 { 1 } else { -1 };
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = if exponent == 0 {
        (bits & 0xf_ffff_ffff_ffff) << 1
    } else {
        (bits & 0xf_ffff_ffff_ffff) | 0x10_0000_0000_0000
    };
    (mantissa, exponent - 1075, sign)
}

/// `float(s)` for a str: surrounding whitespace, sign, `_` between digits,
/// `inf`/`infinity`/`nan` in any case, Unicode decimal digits. `None` means
/// ValueError "could not convert string to float: <repr>".
pub fn parse_float(s: &str) -> Option<f64> {
    let t = normalize_numeric(s)?;
    let b = t.as_bytes();
    let (neg, rest) = match b.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, &t[..]),
    };
    let special = if rest.eq_ignore_ascii_case("inf") || rest.eq_ignore_ascii_case("infinity") {
        Some(f64::INFINITY)
    } else if rest.eq_ignore_ascii_case("nan") {
        Some(f64::NAN)
    } else {
        None
    };
    if let Some(x) = special {
        return Some(if neg { -x } else { x });
    }
    // Validate the grammar ourselves (Rust's parser has different rules for
    // '_' and accepts things like "infinity" we already handled), then feed
    // the underscore-free text to Rust's correctly rounded parser.
    let rb = rest.as_bytes();
    let mut clean = String::with_capacity(rb.len() + 1);
    if neg {
        clean.push('-');
    }
    let mut i = 0;
    // Reads digits with single underscores strictly between digits.
    let read_digits = |i: &mut usize, clean: &mut String| -> Option<usize> {
        let mut n = 0;
        while *i < rb.len() {
            let c = rb[*i];
            if c.is_ascii_digit() {
                clean.push(c as char);
                n += 1;
                *i += 1;
            } else if c == b'_' && n > 0 && rb.get(*i + 1).is_some_and(|d| d.is_ascii_digit()) {
                *i += 1;
            } else {
                break;
            }
        }
        Some(n)
    };
    let int_digits = read_digits(&mut i, &mut clean)?;
    let mut frac_digits = 0;
    if rb.get(i) == Some(&b'.') {
        clean.push('.');
        i += 1;
        frac_digits = read_digits(&mut i, &mut clean)?;
    }
    if int_digits == 0 && frac_digits == 0 {
        return None;
    }
    if matches!(rb.get(i), Some(b'e') | Some(b'E')) {
        clean.push('e');
        i += 1;
        if let Some(&c) = rb.get(i) {
            if c == b'+' || c == b'-' {
                clean.push(c as char);
                i += 1;
            }
        }
        if read_digits(&mut i, &mut clean)? == 0 {
            return None;
        }
    }
    if i != rb.len() {
        return None;
    }
    clean.parse::<f64>().ok()
}

/// Why a float cannot become an int.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatToIntError {
    /// OverflowError "cannot convert float infinity to integer".
    Infinity,
    /// ValueError "cannot convert float NaN to integer".
    NaN,
}

impl std::fmt::Display for FloatToIntError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FloatToIntError::Infinity => "cannot convert float infinity to integer",
            FloatToIntError::NaN => "cannot convert float NaN to integer",
        })
    }
}

/// `int(x)` for a float: exact truncation toward zero (`int(1e20)` is
/// 100000000000000000000).
pub fn float_to_int(v: f64) -> Result<BigInt, FloatToIntError> {
    if v.is_nan() {
        return Err(FloatToIntError::NaN);
    }
    if v.is_infinite() {
        return Err(FloatToIntError::Infinity);
    }
    let t = v.trunc();
    if t.abs() < 9.0e18 {
        return Ok(BigInt::from(t as i64));
    }
    BigInt::from_f64(t).ok_or(FloatToIntError::Infinity)
}

/// Convert an int to float like CPython's `int.__float__` (correctly rounded,
/// half-even); `None` means OverflowError "int too large to convert to float".
pub fn int_to_float(v: &BigInt) -> Option<f64> {
    // Decimal text -> f64 parse is correctly rounded; cheap path for small ints.
    if v.bits() <= 53 {
        return num_traits::ToPrimitive::to_f64(v);
    }
    let r: f64 = v.to_string().parse().ok()?;
    if r.is_finite() {
        Some(r)
    } else {
        None
    }
}

/// ZeroDivisionError messages of float `%`, `//`, `divmod`.
pub const ZERO_MOD: &str = "float modulo";
pub const ZERO_FLOORDIV: &str = "float floor division by zero";
pub const ZERO_DIVMOD: &str = "float divmod()";
pub const ZERO_DIV: &str = "float division by zero";

/// `x % y` for floats (result takes the sign of y), CPython's `float_rem`.
pub fn float_mod(vx: f64, wx: f64) -> Result<f64, &'static str> {
    if wx == 0.0 {
        return Err(ZERO_MOD);
    }
    let mut m = vx % wx; // fmod
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    Ok(m)
}

/// `divmod(x, y)` for floats, CPython's `_float_div_mod`.
pub fn float_divmod(vx: f64, wx: f64) -> Result<(f64, f64), &'static str> {
    if wx == 0.0 {
        return Err(ZERO_DIVMOD);
    }
    Ok(divmod_inner(vx, wx))
}

fn divmod_inner(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(vx / wx)
    };
    (floordiv, m)
}

/// `x // y` for floats.
pub fn float_floordiv(vx: f64, wx: f64) -> Result<f64, &'static str> {
    if wx == 0.0 {
        return Err(ZERO_FLOORDIV);
    }
    Ok(divmod_inner(vx, wx).0)
}

/// `float.is_integer()`.
pub fn float_is_integer(v: f64) -> bool {
    v.is_finite() && v.fract() == 0.0
}

/// `float.hex()`, e.g. `0x1.8000000000000p+0`.
pub fn float_hex(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v == 0.0 {
        return format!("{}0x0.0p+0", sign);
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & 0xf_ffff_ffff_ffff;
    let (lead, exp) = if biased == 0 { (0, -1022) } else { (1, biased - 1023) };
    format!("{}0x{}.{:013x}p{:+}", sign, lead, frac, exp)
}

/// `float.as_integer_ratio()` numerator/denominator (denominator a power of two),
/// `None` for inf/nan (the evaluator raises OverflowError / ValueError).
pub fn float_as_integer_ratio(v: f64) -> Option<(BigInt, BigInt)> {
    if !v.is_finite() {
        return None;
    }
    if v == 0.0 {
        return Some((BigInt::zero(), BigInt::one()));
    }
    let (mut mant, mut exp, sign) = integer_decode(v);
    while mant & 1 == 0 {
        mant >>= 1;
        exp += 1;
    }
    let mut num = BigInt::from(mant);
    let mut den = BigInt::one();
    if exp >= 0 {
        num <<= exp as usize;
    } else {
        den <<= (-exp) as usize;
    }
    if sign < 0 {
        num = -num;
    }
    debug_assert!(den.is_positive());
    Some((num, den))
}

#[cfg(test)]
mod tests {
    use super::*;
    include!("float_ops_cases.rs");

    fn same(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a.to_bits() == b.to_bits())
    }

    #[test]
    fn round_cases() {
        for (x, n, want) in ROUND_CASES {
            let x = f64::from_bits(*x);
            let got = round_float(x, *n).map(f64::to_bits).ok();
            assert_eq!(got, *want, "round({:e}, {})", x, n);
        }
        assert_eq!(round_half_even(0.5), 0.0);
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(-1.5), -2.0);
    }

    #[test]
    fn parse_float_cases() {
        for (s, want) in PARSE_FLOAT_CASES {
            let got = parse_float(s);
            match (got, want) {
                (Some(g), Some(w)) => assert!(same(g, f64::from_bits(*w)), "float({:?}) = {:e}", s, g),
                (None, None) => {}
                _ => panic!("float({:?}) = {:?}, want {:?}", s, got, want),
            }
        }
    }

    #[test]
    fn divmod_cases() {
        for (x, y, fd, m) in DIVMOD_CASES {
            let (x, y) = (f64::from_bits(*x), f64::from_bits(*y));
            let (gfd, gm) = float_divmod(x, y).unwrap();
            assert!(same(gfd, f64::from_bits(*fd)), "{:e} // {:e} = {:e}", x, y, gfd);
            assert!(same(gm, f64::from_bits(*m)), "{:e} % {:e} = {:e}", x, y, gm);
            assert!(same(float_mod(x, y).unwrap(), gm));
            assert!(same(float_floordiv(x, y).unwrap(), gfd));
        }
        assert_eq!(float_mod(1.0, 0.0), Err("float modulo"));
    }

    #[test]
    fn hex_and_int() {
        for (x, h, i) in HEX_INT_CASES {
            let x = f64::from_bits(*x);
            assert_eq!(float_hex(x), *h);
            assert_eq!(float_to_int(x).ok().map(|v| v.to_string()).as_deref(), *i);
        }
    }

    #[test]
    fn int_to_float_rounding() {
        let big: BigInt = "9007199254740993".parse().unwrap(); // 2**53 + 1 -> ties to even
        assert_eq!(int_to_float(&big), Some(9007199254740992.0));
        let huge = BigInt::from(10u32).pow(400);
        assert_eq!(int_to_float(&huge), None);
        let (n, d) = float_as_integer_ratio(0.75).unwrap();
        assert_eq!((n.to_string(), d.to_string()), ("3".into(), "4".into()));
    }
}
