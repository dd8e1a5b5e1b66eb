//! Methods of the builtin `float` type.
//!
//! Arithmetic and comparison special methods come from the shared table in `int.rs`
//! (a float operand accepts ints and floats; anything else is NotImplemented). The
//! text helpers (`hex`, `as_integer_ratio`, rounding) live in `crate::format`.

use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::{One, ToPrimitive, Zero};

use super::add_getter;
use super::int::{install_comparisons, install_number_ops, install_unary};
use super::list::{def, no_args, one_arg, wrong_self};
use crate::format;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::BinOp;
use crate::vm::numeric::as_int;
use crate::vm::Vm;

const FLOAT_OPS: &[(&str, &str, Option<BinOp>)] = &[
    ("__add__", "__radd__", Some(BinOp::Add)),
    ("__sub__", "__rsub__", Some(BinOp::Sub)),
    ("__mul__", "__rmul__", Some(BinOp::Mult)),
    ("__truediv__", "__rtruediv__", Some(BinOp::Div)),
    ("__floordiv__", "__rfloordiv__", Some(BinOp::FloorDiv)),
    ("__mod__", "__rmod__", Some(BinOp::Mod)),
    ("__pow__", "__rpow__", Some(BinOp::Pow)),
    ("__divmod__", "__rdivmod__", None),
];

fn float_of(vm: &Vm, v: &Value) -> Option<f64> {
    match vm.builtin_value(v) {
        Value::Float(f) => Some(f),
        _ => None,
    }
}

fn this_float(vm: &Vm, v: &Value, name: &str) -> PyResult<Value> {
    float_of(vm, v).map(Value::Float).ok_or_else(|| wrong_self(vm, "float", name, v))
}

fn this_f64(vm: &Vm, v: &Value, name: &str) -> PyResult<f64> {
    float_of(vm, v).ok_or_else(|| wrong_self(vm, "float", name, v))
}

/// A float method's other operand: a float or an int (plain or subclass instance).
fn accept_number(vm: &Vm, v: &Value) -> Option<Value> {
    let u = vm.builtin_value(v);
    (matches!(u, Value::Float(_)) || as_int(&u).is_some()).then_some(u)
}

/// `int(f)` for `__int__`/`__trunc__`/`__floor__`/`__ceil__`, with CPython's errors.
fn float_to_int_value(f: f64) -> PyResult<Value> {
    if f.is_nan() {
        return Err(Exc::value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Exc::overflow("cannot convert float infinity to integer"));
    }
    format::float_to_int(f).map(Value::from_bigint).map_err(|_| Exc::overflow("cannot convert float infinity to integer"))
}

fn invalid_hex() -> Exc {
    Exc::value_error("invalid hexadecimal floating-point string")
}

/// `float.fromhex(s)`: `[sign] ['0x'] hexdigits ['.' hexdigits] ['p' [sign] digits]`,
/// or inf/infinity/nan; correctly rounded (half to even), subnormals included.
pub fn float_fromhex(text: &str) -> PyResult<f64> {
    let s = text.trim_matches(|c: char| c.is_whitespace());
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return Ok(if neg { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if lower == "nan" {
        return Ok(f64::NAN);
    }
    let rest = lower.strip_prefix("0x").unwrap_or(&lower);
    let (mant, exp_text) = match rest.find('p') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int_part, frac_part) = match mant.find('.') {
        Some(i) => (&mant[..i], &mant[i + 1..]),
        None => (mant, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(invalid_hex());
    }
    let mut m = BigInt::zero();
    for ch in int_part.chars().chain(frac_part.chars()) {
        let d = ch.to_digit(16).ok_or_else(invalid_hex)?;
        m = m * 16 + d;
    }
    let mut e: i64 = match exp_text {
        None => 0,
        Some(t) => {
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid_hex());
            }
            // Saturate absurd exponents: the result is 0 or an overflow either way.
            let v: i64 = digits.parse().unwrap_or(i64::MAX / 4);
            let v = v.min(i64::MAX / 4);
            if t.starts_with('-') {
                -v
            } else {
                v
            }
        }
    };
    e -= 4 * frac_part.len() as i64;
    let sign = if neg { -1.0 } else { 1.0 };
    if m.is_zero() {
        return Ok(sign * 0.0);
    }
    let nbits = m.bits() as i64;
    let top = nbits - 1 + e;
    if top > 1023 {
        return Err(Exc::overflow("hexadecimal value too large to represent as a float"));
    }
    // Exponent of the last kept bit: 53 significant bits, but not below 2**-1074.
    let mut lsb = (top - 52).max(-1074);
    let shift = lsb - e;
    let mut q = if shift > 0 {
        let shift = shift as u64;
        if shift > nbits as u64 + 1 {
            BigInt::zero()
        } else {
            let q: BigInt = &m >> shift;
            let rem: BigInt = &m - (&q << shift);
            let half = BigInt::one() << (shift - 1);
            if rem > half || (rem == half && (&q % 2u32) == BigInt::one()) {
                q + 1
            } else {
                q
            }
        }
    } else {
        &m << ((-shift) as u64)
    };
    if q.bits() > 53 {
        q >>= 1u32;
        lsb += 1;
    }
    if q.is_zero() {
        return Ok(sign * 0.0);
    }
    if lsb + q.bits() as i64 - 1 > 1023 {
        return Err(Exc::overflow("hexadecimal value too large to represent as a float"));
    }
    let qm = q.to_u64().unwrap_or(0);
    let bits = if qm >= 1 << 52 {
        (((lsb + 52 + 1023) as u64) << 52) | (qm - (1 << 52))
    } else {
        // Subnormal: lsb is -1074 and the biased exponent is 0.
        qm
    };
    Ok(sign * f64::from_bits(bits))
}

pub fn install(vm: &Vm) {
    let cls = vm.types.float.clone();
    let c = &cls;
    install_number_ops(vm, c, FLOAT_OPS, this_float, accept_number);
    install_comparisons(vm, c, this_float, accept_number);
    install_unary(vm, c, this_float);

    def(vm, c, "__float__", |vm, s, args: Args| {
        let f = this_f64(vm, &s, "__float__")?;
        no_args(&args, "__float__")?;
        Ok(Value::Float(f))
    });
    for name in ["__int__", "__trunc__"] {
        def(vm, c, name, move |vm, s, args: Args| {
            let f = this_f64(vm, &s, name)?;
            no_args(&args, name)?;
            float_to_int_value(f)
        });
    }
    def(vm, c, "__floor__", |vm, s, args: Args| {
        let f = this_f64(vm, &s, "__floor__")?;
        no_args(&args, "__floor__")?;
        float_to_int_value(f.floor())
    });
    def(vm, c, "__ceil__", |vm, s, args: Args| {
        let f = this_f64(vm, &s, "__ceil__")?;
        no_args(&args, "__ceil__")?;
        float_to_int_value(f.ceil())
    });
    def(vm, c, "__getnewargs__", |vm, s, args: Args| {
        let f = this_f64(vm, &s, "__getnewargs__")?;
        no_args(&args, "__getnewargs__")?;
        Ok(Value::tuple(vec![Value::Float(f)]))
    });
    def(vm, c, "is_integer", |vm, s, args: Args| {
        let f = this_f64(vm, &s, "is_integer")?;
        no_args(&args, "float.is_integer")?;
        Ok(Value::Bool(format::float_is_integer(f)))
    });
    def(vm, c, "as_integer_ratio", |vm, s, args: Args| {
        let f = this_f64(vm, &s, "as_integer_ratio")?;
        no_args(&args, "float.as_integer_ratio")?;
        if f.is_nan() {
            return Err(Exc::value_error("cannot convert NaN to integer ratio"));
        }
        match format::float_as_integer_ratio(f) {
            Some((n, d)) => Ok(Value::tuple(vec![Value::from_bigint(n), Value::from_bigint(d)])),
            None => Err(Exc::overflow("cannot convert Infinity to integer ratio")),
        }
    });
    def(vm, c, "hex", |vm, s, args: Args| {
        let f = this_f64(vm, &s, "hex")?;
        no_args(&args, "float.hex")?;
        Ok(Value::string(format::float_hex(f)))
    });
    let float_cls = cls.clone();
    super::add_classmethod(vm, c, "fromhex", move |vm, args: Args| {
        let mut pos = args.pos.into_iter();
        let target = pos.next().unwrap_or(Value::None);
        let s = one_arg(Args { pos: pos.collect(), kw: args.kw }, "float.fromhex")?;
        let Value::Str(text) = &s else {
            return Err(Exc::type_error(format!("fromhex() argument must be str, not {}", vm.type_name(&s))));
        };
        let v = Value::Float(float_fromhex(text.as_str())?);
        match &target {
            Value::Class(k) if !Rc::ptr_eq(k, &float_cls) => vm.call(&target, Args::one(v)),
            _ => Ok(v),
        }
    });
    add_getter(vm, c, "imag", |vm, args: Args| {
        let [s] = args.exact::<1>("imag")?;
        this_f64(vm, &s, "imag")?;
        Ok(Value::Float(0.0))
    });
}

#[cfg(test)]
mod tests {
    use super::float_fromhex;

    #[test]
    fn fromhex_cases() {
        assert_eq!(float_fromhex("0x1.8p1").ok(), Some(3.0));
        assert_eq!(float_fromhex("0x1.8000000000000p+0").ok(), Some(1.5));
        assert_eq!(float_fromhex(" -0x1p-1074 ").ok(), Some(-5e-324));
        assert_eq!(float_fromhex("0x1p-1075").ok(), Some(0.0));
        assert_eq!(float_fromhex("0x3p-1076").ok(), Some(5e-324));
        assert_eq!(float_fromhex("0x1.fffffffffffffp1023").ok(), Some(f64::MAX));
        assert!(float_fromhex("0x1p1024").is_err());
        assert!(float_fromhex("zz").is_err());
        assert_eq!(float_fromhex("1.").ok(), Some(1.0));
        assert_eq!(float_fromhex(".8").ok(), Some(0.5));
        assert_eq!(float_fromhex("0x1.00000000000008p0").ok(), Some(1.0));
        assert_eq!(float_fromhex("0x1.00000000000018p0").ok(), Some(1.0 + 2.0 * f64::EPSILON));
    }
}
