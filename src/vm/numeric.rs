//! Arithmetic on ints (i64 promoted to big integers on overflow) and floats, with
//! Python's semantics: floor division and modulo round toward negative infinity,
//! `/` is true division, ints are unbounded.

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use crate::runtime::{Exc, PyResult, Value};
use crate::syntax::ast::BinOp;

/// An int operand, borrowed from a Value.
pub enum IntRef<'a> {
    Small(i64),
    Big(&'a BigInt),
}

impl IntRef<'_> {
    pub fn to_big(&self) -> BigInt {
        match self {
            IntRef::Small(i) => BigInt::from(*i),
            IntRef::Big(b) => (*b).clone(),
        }
    }
    pub fn to_f64(&self) -> PyResult<f64> {
        match self {
            IntRef::Small(i) => Ok(*i as f64),
            IntRef::Big(b) => int_to_f64(b),
        }
    }
}

pub fn int_to_f64(b: &BigInt) -> PyResult<f64> {
    match b.to_f64() {
        Some(f) if f.is_finite() => Ok(f),
        _ => Err(Exc::overflow("int too large to convert to float")),
    }
}

pub fn as_int(v: &Value) -> Option<IntRef<'_>> {
    match v {
        Value::Int(i) => Some(IntRef::Small(*i)),
        Value::Bool(b) => Some(IntRef::Small(*b as i64)),
        Value::BigInt(b) => Some(IntRef::Big(b)),
        _ => None,
    }
}

pub fn as_float(v: &Value) -> Option<PyResult<f64>> {
    match v {
        Value::Float(f) => Some(Ok(*f)),
        _ => as_int(v).map(|i| i.to_f64()),
    }
}

pub fn floor_div_i64(a: i64, b: i64) -> i64 {
    let q = a.wrapping_div(b);
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

pub fn mod_i64(a: i64, b: i64) -> i64 {
    let r = a.wrapping_rem(b);
    if r != 0 && ((r < 0) != (b < 0)) {
        r + b
    } else {
        r
    }
}

/// Binary arithmetic on two ints. `None` for operators ints do not support.
pub fn int_binop(op: BinOp, a: IntRef, b: IntRef) -> Option<PyResult<Value>> {
    if let (IntRef::Small(x), IntRef::Small(y)) = (&a, &b) {
        let (x, y) = (*x, *y);
        let fast = match op {
            BinOp::Add => x.checked_add(y).map(Value::Int),
            BinOp::Sub => x.checked_sub(y).map(Value::Int),
            BinOp::Mult => x.checked_mul(y).map(Value::Int),
            BinOp::FloorDiv => {
                if y == 0 {
                    return Some(Err(Exc::zero_division("integer division or modulo by zero")));
                }
                if x == i64::MIN && y == -1 {
                    None
                } else {
                    Some(Value::Int(floor_div_i64(x, y)))
                }
            }
            BinOp::Mod => {
                if y == 0 {
                    return Some(Err(Exc::zero_division("integer modulo by zero")));
                }
                if y == -1 {
                    Some(Value::Int(0))
                } else {
                    Some(Value::Int(mod_i64(x, y)))
                }
            }
            BinOp::Div => {
                if y == 0 {
                    return Some(Err(Exc::zero_division("division by zero")));
                }
                return Some(Ok(Value::Float(true_div_ints(&BigInt::from(x), &BigInt::from(y)))));
            }
            BinOp::BitAnd => Some(Value::Int(x & y)),
            BinOp::BitOr => Some(Value::Int(x | y)),
            BinOp::BitXor => Some(Value::Int(x ^ y)),
            BinOp::LShift => {
                if y < 0 {
                    return Some(Err(Exc::value_error("negative shift count")));
                }
                if y < 63 && (x.abs() >> (62 - y)) == 0 {
                    Some(Value::Int(x << y))
                } else {
                    None
                }
            }
            BinOp::RShift => {
                if y < 0 {
                    return Some(Err(Exc::value_error("negative shift count")));
                }
                Some(Value::Int(if y >= 64 { if x < 0 { -1 } else { 0 } } else { x >> y }))
            }
            BinOp::Pow => {
                if y < 0 {
                    return Some(float_pow(x as f64, y as f64));
                }
                if y <= u32::MAX as i64 {
                    x.checked_pow(y as u32).map(Value::Int)
                } else {
                    None
                }
            }
            BinOp::MatMult => return None,
        };
        if let Some(v) = fast {
            return Some(Ok(v));
        }
    }
    let x = a.to_big();
    let y = b.to_big();
    Some(Ok(Value::from_bigint(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mult => x * y,
        BinOp::FloorDiv => {
            if y.is_zero() {
                return Some(Err(Exc::zero_division("integer division or modulo by zero")));
            }
            x.div_floor(&y)
        }
        BinOp::Mod => {
            if y.is_zero() {
                return Some(Err(Exc::zero_division("integer modulo by zero")));
            }
            x.mod_floor(&y)
        }
        BinOp::Div => {
            if y.is_zero() {
                return Some(Err(Exc::zero_division("division by zero")));
            }
            return Some(Ok(Value::Float(true_div_ints(&x, &y))));
        }
        BinOp::BitAnd => x & y,
        BinOp::BitOr => x | y,
        BinOp::BitXor => x ^ y,
        BinOp::LShift => {
            if y.is_negative() {
                return Some(Err(Exc::value_error("negative shift count")));
            }
            match y.to_usize() {
                Some(s) if s < 1 << 32 => x << s,
                _ => return Some(Err(Exc::overflow("too many digits in integer"))),
            }
        }
        BinOp::RShift => {
            if y.is_negative() {
                return Some(Err(Exc::value_error("negative shift count")));
            }
            match y.to_usize() {
                Some(s) => {
                    // Python's >> floors; BigInt's >> on negatives rounds toward -inf too.
                    x >> s
                }
                None => BigInt::from(if x.is_negative() { -1 } else { 0 }),
            }
        }
        BinOp::Pow => {
            if y.is_negative() {
                return Some(match (x.to_f64(), y.to_f64()) {
                    (Some(a), Some(b)) => float_pow(a, b),
                    _ => Err(Exc::overflow("int too large to convert to float")),
                });
            }
            match y.to_u32() {
                Some(e) => {
                    if x.bits() as u128 * e as u128 > 100_000_000 {
                        return Some(Err(Exc::overflow("exponent too large")));
                    }
                    num_traits::pow::Pow::pow(x, e)
                }
                None => return Some(Err(Exc::overflow("exponent too large"))),
            }
        }
        BinOp::MatMult => return None,
    })))
}

/// Correctly rounded int / int, as CPython does for big operands.
fn true_div_ints(x: &BigInt, y: &BigInt) -> f64 {
    if let (Some(a), Some(b)) = (x.to_i64(), y.to_i64()) {
        if a.unsigned_abs() < (1 << 53) && b.unsigned_abs() < (1 << 53) {
            return a as f64 / b as f64;
        }
    }
    match (x.to_f64(), y.to_f64()) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => a / b,
        _ => {
            // Scale down to keep within range.
            let shift = x.bits().max(y.bits()).saturating_sub(1000);
            let a = (x >> shift).to_f64().unwrap_or(f64::INFINITY);
            let b = (y >> shift).to_f64().unwrap_or(f64::INFINITY);
            a / b
        }
    }
}

pub fn float_pow(a: f64, b: f64) -> PyResult<Value> {
    if a == 0.0 && b < 0.0 {
        return Err(Exc::zero_division("0.0 cannot be raised to a negative power"));
    }
    if a < 0.0 && b.fract() != 0.0 && b.is_finite() {
        return Err(Exc::value_error("math domain error"));
    }
    let r = a.powf(b);
    if r.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(Exc::overflow("(34, 'Numerical result out of range')"));
    }
    Ok(Value::Float(r))
}

pub fn float_binop(op: BinOp, x: f64, y: f64) -> Option<PyResult<Value>> {
    Some(Ok(Value::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mult => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Some(Err(Exc::zero_division("float division by zero")));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Some(Err(Exc::zero_division("float floor division by zero")));
            }
            float_divmod(x, y).0
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Some(Err(Exc::zero_division("float modulo")));
            }
            float_divmod(x, y).1
        }
        BinOp::Pow => return Some(float_pow(x, y)),
        _ => return None,
    })))
}

/// CPython's float divmod (the divisor is known to be non-zero here).
fn float_divmod(x: f64, y: f64) -> (f64, f64) {
    crate::format::float_divmod(x, y).unwrap_or((f64::NAN, f64::NAN))
}

/// CPython's hash of an int: reduction modulo the Mersenne prime 2**61 - 1.
pub const HASH_MODULUS: i64 = (1 << 61) - 1;

pub fn hash_i64(i: i64) -> i64 {
    let h = if i.unsigned_abs() < HASH_MODULUS as u64 {
        i
    } else {
        let r = (i.unsigned_abs() % HASH_MODULUS as u64) as i64;
        if i < 0 {
            -r
        } else {
            r
        }
    };
    if h == -1 {
        -2
    } else {
        h
    }
}

pub fn hash_bigint(b: &BigInt) -> i64 {
    let m = BigInt::from(HASH_MODULUS);
    let r = (b.abs() % m).to_i64().unwrap_or(0);
    let h = if b.is_negative() { -r } else { r };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// CPython's `_Py_HashDouble` (without the NaN identity part).
pub fn hash_f64(v: f64) -> i64 {
    if v.is_infinite() {
        return if v > 0.0 { 314159 } else { -314159 };
    }
    if v.is_nan() {
        return 0;
    }
    if v.fract() == 0.0 && v.abs() < 9.2e18 {
        return hash_i64(v as i64);
    }
    let (mut m, mut e) = frexp(v);
    let mut sign = 1i64;
    if m < 0.0 {
        sign = -1;
        m = -m;
    }
    let mut x: u64 = 0;
    const BITS: i32 = 61;
    while m != 0.0 {
        x = ((x << 28) & HASH_MODULUS as u64) | x >> (BITS - 28);
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= HASH_MODULUS as u64 {
            x -= HASH_MODULUS as u64;
        }
    }
    let e = if e >= 0 { e % BITS } else { BITS - 1 - ((-1 - e) % BITS) };
    x = ((x << e) & HASH_MODULUS as u64) | x >> (BITS - e);
    let h = x as i64 * sign;
    if h == -1 {
        -2
    } else {
        h
    }
}

fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(v * 2f64.powi(54));
        return (m, e - 54);
    }
    let e = exp - 1022;
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, e)
}
