//! The `math` module: CPython's float functions with its domain/range error rules,
//! and the exact integer functions (gcd, factorial, comb, isqrt...) on big ints.

use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::builtins::{add_fn, set_value};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::BinOp;
use crate::vm::numeric::{as_int, int_to_f64};
use crate::vm::Vm;
use crate::embed::limits::Ticker;

fn domain_error() -> Exc {
    Exc::value_error("math domain error")
}

fn range_error() -> Exc {
    Exc::overflow("math range error")
}

/// A float argument: floats, ints (exactly rounded), or objects with `__float__`/`__index__`.
pub fn to_float(vm: &Vm, v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(*b as i64 as f64),
        Value::BigInt(b) => int_to_f64(b),
        _ => {
            if let Some(r) = vm.call_dunder(v, "__float__", Args::empty())? {
                if let Value::Float(f) = r {
                    return Ok(f);
                }
                return Err(Exc::type_error(format!(
                    "{}.__float__ returned non-float (type {})",
                    vm.type_name(v),
                    vm.type_name(&r)
                )));
            }
            if vm.type_of(v).lookup("__index__").is_some() {
                let i = vm.index_value(v)?;
                return Ok(i as f64);
            }
            Err(Exc::type_error(format!("must be real number, not {}", vm.type_name(v))))
        }
    }
}

/// An exact integer argument (ints and `__index__` objects; floats are rejected).
fn to_bigint(vm: &Vm, v: &Value) -> PyResult<BigInt> {
    if let Some(i) = as_int(v) {
        return Ok(i.to_big());
    }
    if let Some(r) = vm.call_dunder(v, "__index__", Args::empty())? {
        if let Some(i) = as_int(&r) {
            return Ok(i.to_big());
        }
    }
    Err(Exc::type_error(format!("'{}' object cannot be interpreted as an integer", vm.type_name(v))))
}

/// CPython's `math_1`: NaN from a non-NaN input is a domain error; an infinite result
/// from a finite input is a range error (or domain error for functions that cannot
/// overflow, like log of 0).
fn math_1(x: f64, r: f64, can_overflow: bool) -> PyResult<f64> {
    if r.is_nan() && !x.is_nan() {
        return Err(domain_error());
    }
    if r.is_infinite() && x.is_finite() {
        return Err(if can_overflow { range_error() } else { domain_error() });
    }
    Ok(r)
}

fn float_to_int_value(f: f64) -> PyResult<Value> {
    if f.is_nan() {
        return Err(Exc::value_error("cannot convert float NaN to integer"));
    }
    if f.is_infinite() {
        return Err(Exc::overflow("cannot convert float infinity to integer"));
    }
    crate::format::float_ops::float_to_int(f)
        .map(Value::from_bigint)
        .map_err(|_| Exc::overflow("cannot convert float infinity to integer"))
}

/// Natural log of any positive number, big ints included (they may not fit a float).
fn log_of(vm: &Vm, v: &Value) -> PyResult<f64> {
    if let Some(i) = as_int(v) {
        let b = i.to_big();
        if !b.is_positive() {
            return Err(domain_error());
        }
        if let Some(f) = b.to_f64().filter(|f| f.is_finite()) {
            return Ok(f.ln());
        }
        // x = m * 2**e with m in float range: log(x) = log(m) + e*log(2).
        let e = b.bits().saturating_sub(64);
        let m: BigInt = &b >> e;
        let mf = m.to_f64().unwrap_or(f64::MAX);
        return Ok(mf.ln() + (e as f64) * std::f64::consts::LN_2);
    }
    let x = to_float(vm, v)?;
    if x.is_nan() {
        return Ok(x);
    }
    if x <= 0.0 {
        return Err(domain_error());
    }
    Ok(x.ln())
}

fn unary(vm: &Vm, g: &crate::runtime::module::Globals, name: &'static str, f: fn(f64) -> f64, can_overflow: bool) {
    add_fn(vm, g, name, move |vm, args: Args| {
        let [x] = args.exact::<1>(name)?;
        let x = to_float(vm, &x)?;
        Ok(Value::Float(math_1(x, f(x), can_overflow)?))
    });
}

/// CPython's `math.fsum`: Shewchuk's exact partial sums, then a correctly rounded total.
fn fsum(vm: &Vm, it: &Value) -> PyResult<f64> {
    let mut partials: Vec<f64> = Vec::new();
    let mut special_sum = 0.0f64;
    let mut inf_sum = 0.0f64;
    let mut st = vm.iter_state(it)?;
    let mut ticker = Ticker::default();
    while let Some(v) = vm.iter_next(&mut st)? {
        ticker.tick(vm)?;
        let mut x = to_float(vm, &v)?;
        let xsave = x;
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        if x != 0.0 {
            if !x.is_finite() {
                // A non-finite result: either an input was inf/nan or the sum overflowed.
                if xsave.is_finite() {
                    return Err(Exc::overflow("intermediate overflow in fsum"));
                }
                if xsave.is_infinite() {
                    inf_sum += xsave;
                }
                special_sum += xsave;
                partials.clear();
            } else {
                partials.push(x);
            }
        }
    }
    if special_sum != 0.0 {
        if inf_sum.is_nan() {
            return Err(Exc::value_error("-inf + inf in fsum"));
        }
        return Ok(special_sum);
    }
    let mut n = partials.len();
    let mut hi = 0.0f64;
    if n > 0 {
        n -= 1;
        hi = partials[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = partials[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Half-even rounding across the remaining partials.
        if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
    }
    Ok(hi)
}

fn factorial(n: u64) -> BigInt {
    // Product of a range by binary splitting keeps the multiplications balanced.
    fn prod(lo: u64, hi: u64) -> BigInt {
        if hi - lo < 16 {
            let mut r = BigInt::one();
            for k in lo..=hi {
                r *= k;
            }
            return r;
        }
        let mid = (lo + hi) / 2;
        prod(lo, mid) * prod(mid + 1, hi)
    }
    if n < 2 {
        return BigInt::one();
    }
    prod(2, n)
}

/// n! / (n-k)!
fn perm_big(n: &BigInt, k: u64) -> BigInt {
    let mut r = BigInt::one();
    let mut f = n.clone();
    for _ in 0..k {
        r *= &f;
        f -= 1;
    }
    r
}

fn comb_big(n: &BigInt, k: u64) -> BigInt {
    let mut r = BigInt::one();
    for i in 0..k {
        r = r * (n - i) / (i + 1);
    }
    r
}

fn nonneg_k(vm: &Vm, v: &Value, n: &BigInt) -> PyResult<Option<u64>> {
    let k = to_bigint(vm, v)?;
    if k.is_negative() {
        return Err(Exc::value_error("k must be a non-negative integer"));
    }
    if &k > n {
        return Ok(None);
    }
    k.to_u64().map(Some).ok_or_else(|| Exc::overflow("k must not exceed 9223372036854775807"))
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "math");
    let g = &m.globals;
    set_value(vm, g, "pi", Value::Float(std::f64::consts::PI));
    set_value(vm, g, "e", Value::Float(std::f64::consts::E));
    set_value(vm, g, "tau", Value::Float(std::f64::consts::TAU));
    set_value(vm, g, "inf", Value::Float(f64::INFINITY));
    set_value(vm, g, "nan", Value::Float(f64::NAN));

    unary(vm, g, "sqrt", f64::sqrt, false);
    unary(vm, g, "exp", f64::exp, true);
    unary(vm, g, "expm1", f64::exp_m1, true);
    unary(vm, g, "sin", f64::sin, false);
    unary(vm, g, "cos", f64::cos, false);
    unary(vm, g, "tan", f64::tan, false);
    unary(vm, g, "asin", f64::asin, false);
    unary(vm, g, "acos", f64::acos, false);
    unary(vm, g, "atan", f64::atan, false);
    unary(vm, g, "sinh", f64::sinh, true);
    unary(vm, g, "cosh", f64::cosh, true);
    unary(vm, g, "tanh", f64::tanh, false);
    unary(vm, g, "asinh", f64::asinh, false);
    unary(vm, g, "acosh", f64::acosh, false);
    unary(vm, g, "atanh", f64::atanh, false);
    unary(vm, g, "fabs", f64::abs, false);
    unary(vm, g, "log1p", f64::ln_1p, false);
    unary(vm, g, "cbrt", f64::cbrt, false);
    unary(vm, g, "exp2", f64::exp2, true);
    unary(vm, g, "degrees", f64::to_degrees, true);
    unary(vm, g, "radians", f64::to_radians, false);

    for (name, is_ceil) in [("floor", false), ("ceil", true)] {
        add_fn(vm, g, name, move |vm, args: Args| {
            let [x] = args.exact::<1>(name)?;
            match &x {
                Value::Float(f) => float_to_int_value(if is_ceil { f.ceil() } else { f.floor() }),
                Value::Int(_) | Value::BigInt(_) => Ok(x),
                Value::Bool(b) => Ok(Value::Int(*b as i64)),
                _ => {
                    let dunder = if is_ceil { "__ceil__" } else { "__floor__" };
                    if let Some(r) = vm.call_dunder(&x, dunder, Args::empty())? {
                        return Ok(r);
                    }
                    let f = to_float(vm, &x)?;
                    float_to_int_value(if is_ceil { f.ceil() } else { f.floor() })
                }
            }
        });
    }
    add_fn(vm, g, "trunc", |vm, args: Args| {
        let [x] = args.exact::<1>("trunc")?;
        match &x {
            Value::Float(f) => float_to_int_value(f.trunc()),
            Value::Int(_) | Value::BigInt(_) => Ok(x),
            Value::Bool(b) => Ok(Value::Int(*b as i64)),
            _ => match vm.call_dunder(&x, "__trunc__", Args::empty())? {
                Some(r) => Ok(r),
                None => Err(Exc::type_error(format!(
                    "type {} doesn't define __trunc__ method",
                    vm.type_name(&x)
                ))),
            },
        }
    });
    add_fn(vm, g, "pow", |vm, args: Args| {
        let [x, y] = args.exact::<2>("pow")?;
        let (x, y) = (to_float(vm, &x)?, to_float(vm, &y)?);
        // CPython special-cases: pow(1, nan) = 1, pow(nan, 0) = 1, 0**negative is an error.
        if x == 1.0 || y == 0.0 {
            return Ok(Value::Float(1.0));
        }
        if x.is_finite() && y.is_finite() {
            if x == 0.0 && y < 0.0 {
                return Err(domain_error());
            }
            if x < 0.0 && y.fract() != 0.0 {
                return Err(domain_error());
            }
            let r = x.powf(y);
            if r.is_infinite() {
                return Err(range_error());
            }
            return Ok(Value::Float(r));
        }
        Ok(Value::Float(x.powf(y)))
    });
    add_fn(vm, g, "log", |vm, args: Args| {
        args.no_kw("log")?;
        match &args.pos[..] {
            [x] => Ok(Value::Float(log_of(vm, x)?)),
            [x, base] => {
                let num = log_of(vm, x)?;
                let den = log_of(vm, base)?;
                if den == 0.0 {
                    return Err(Exc::zero_division("float division by zero"));
                }
                Ok(Value::Float(num / den))
            }
            a => Err(Exc::type_error(format!("log expected at least 1 argument, got {}", a.len()))),
        }
    });
    add_fn(vm, g, "log2", |vm, args: Args| {
        let [x] = args.exact::<1>("log2")?;
        if let Some(i) = as_int(&x) {
            let b = i.to_big();
            // Exact for powers of two, which `ln(x)/ln(2)` would not always be.
            if b.is_positive() && (&b & (&b - 1u32)).is_zero() {
                return Ok(Value::Float((b.bits() - 1) as f64));
            }
            return Ok(Value::Float(log_of(vm, &x)? / std::f64::consts::LN_2));
        }
        let f = to_float(vm, &x)?;
        if f.is_nan() {
            return Ok(Value::Float(f));
        }
        if f <= 0.0 {
            return Err(domain_error());
        }
        Ok(Value::Float(f.log2()))
    });
    add_fn(vm, g, "log10", |vm, args: Args| {
        let [x] = args.exact::<1>("log10")?;
        if let Some(i) = as_int(&x) {
            if i.to_big().to_f64().map_or(false, |f| f.is_finite() && f > 0.0) {
                return Ok(Value::Float(i.to_f64()?.log10()));
            }
            return Ok(Value::Float(log_of(vm, &x)? / std::f64::consts::LN_10));
        }
        let f = to_float(vm, &x)?;
        if f.is_nan() {
            return Ok(Value::Float(f));
        }
        if f <= 0.0 {
            return Err(domain_error());
        }
        Ok(Value::Float(f.log10()))
    });
    add_fn(vm, g, "atan2", |vm, args: Args| {
        let [y, x] = args.exact::<2>("atan2")?;
        Ok(Value::Float(to_float(vm, &y)?.atan2(to_float(vm, &x)?)))
    });
    add_fn(vm, g, "copysign", |vm, args: Args| {
        let [x, y] = args.exact::<2>("copysign")?;
        Ok(Value::Float(to_float(vm, &x)?.copysign(to_float(vm, &y)?)))
    });
    add_fn(vm, g, "fmod", |vm, args: Args| {
        let [x, y] = args.exact::<2>("fmod")?;
        let (x, y) = (to_float(vm, &x)?, to_float(vm, &y)?);
        if y.is_infinite() && x.is_finite() {
            return Ok(Value::Float(x));
        }
        let r = x % y;
        if r.is_nan() && !x.is_nan() && !y.is_nan() {
            return Err(domain_error());
        }
        Ok(Value::Float(r))
    });
    add_fn(vm, g, "remainder", |vm, args: Args| {
        let [x, y] = args.exact::<2>("remainder")?;
        let (x, y) = (to_float(vm, &x)?, to_float(vm, &y)?);
        if x.is_nan() || y.is_nan() {
            return Ok(Value::Float(f64::NAN));
        }
        if x.is_infinite() || y == 0.0 {
            return Err(domain_error());
        }
        if y.is_infinite() {
            return Ok(Value::Float(x));
        }
        // IEEE remainder: x - n*y with n the nearest integer to x/y, ties to even.
        let n = crate::format::float_ops::round_half_even(x / y);
        Ok(Value::Float(x - n * y))
    });
    add_fn(vm, g, "modf", |vm, args: Args| {
        let [x] = args.exact::<1>("modf")?;
        let x = to_float(vm, &x)?;
        if x.is_infinite() {
            return Ok(Value::tuple(vec![Value::Float(0.0f64.copysign(x)), Value::Float(x)]));
        }
        let i = x.trunc();
        Ok(Value::tuple(vec![Value::Float((x - i).copysign(x)), Value::Float(i)]))
    });
    add_fn(vm, g, "frexp", |vm, args: Args| {
        let [x] = args.exact::<1>("frexp")?;
        let x = to_float(vm, &x)?;
        if x == 0.0 || !x.is_finite() {
            return Ok(Value::tuple(vec![Value::Float(x), Value::Int(0)]));
        }
        let (m, e) = frexp(x);
        Ok(Value::tuple(vec![Value::Float(m), Value::Int(e as i64)]))
    });
    add_fn(vm, g, "ldexp", |vm, args: Args| {
        let [x, i] = args.exact::<2>("ldexp")?;
        let x = to_float(vm, &x)?;
        let e = match as_int(&i) {
            Some(e) => e.to_big().to_i64().unwrap_or(if e.to_big().is_negative() { i64::MIN } else { i64::MAX }),
            None => return Err(Exc::type_error("Expected an int as second argument to ldexp.")),
        };
        if x == 0.0 || !x.is_finite() {
            return Ok(Value::Float(x));
        }
        let r = ldexp(x, e.clamp(-100_000, 100_000) as i32);
        if r.is_infinite() {
            return Err(range_error());
        }
        Ok(Value::Float(r))
    });
    add_fn(vm, g, "hypot", |vm, args: Args| {
        args.no_kw("hypot")?;
        let mut acc = 0.0f64;
        let mut has_inf = false;
        let mut has_nan = false;
        let mut vals = Vec::with_capacity(args.pos.len());
        for a in args.pos.iter() {
            let f = to_float(vm, a)?.abs();
            has_inf |= f.is_infinite();
            has_nan |= f.is_nan();
            vals.push(f);
        }
        if has_inf {
            return Ok(Value::Float(f64::INFINITY));
        }
        if has_nan {
            return Ok(Value::Float(f64::NAN));
        }
        // Scale by the largest value to avoid overflow / underflow.
        let max = vals.iter().cloned().fold(0.0, f64::max);
        if max == 0.0 {
            return Ok(Value::Float(0.0));
        }
        if vals.len() == 2 {
            return Ok(Value::Float(vals[0].hypot(vals[1])));
        }
        for v in &vals {
            let s = v / max;
            acc += s * s;
        }
        Ok(Value::Float(max * acc.sqrt()))
    });
    add_fn(vm, g, "dist", |vm, args: Args| {
        let [p, q] = args.exact::<2>("dist")?;
        let (p, q) = (vm.collect(&p)?, vm.collect(&q)?);
        if p.len() != q.len() {
            return Err(Exc::value_error("both points must have the same number of dimensions"));
        }
        let mut acc = 0.0;
        for (a, b) in p.iter().zip(q.iter()) {
            let d = to_float(vm, a)? - to_float(vm, b)?;
            acc += d * d;
        }
        Ok(Value::Float(acc.sqrt()))
    });
    add_fn(vm, g, "isclose", |vm, mut args: Args| {
        let rel = args.take_kw("rel_tol");
        let abs_ = args.take_kw("abs_tol");
        let [a, b] = args.bind("isclose", ["a", "b"], 2)?;
        let a = to_float(vm, &a.unwrap_or(Value::None))?;
        let b = to_float(vm, &b.unwrap_or(Value::None))?;
        let rel = match rel {
            Some(r) => to_float(vm, &r)?,
            None => 1e-9,
        };
        let abs_ = match abs_ {
            Some(r) => to_float(vm, &r)?,
            None => 0.0,
        };
        if rel < 0.0 || abs_ < 0.0 {
            return Err(Exc::value_error("tolerances must be non-negative"));
        }
        if a == b {
            return Ok(Value::Bool(true));
        }
        if a.is_infinite() || b.is_infinite() {
            return Ok(Value::Bool(false));
        }
        let diff = (b - a).abs();
        Ok(Value::Bool(diff <= (rel * b).abs() || diff <= (rel * a).abs() || diff <= abs_))
    });
    for (name, f) in [
        ("isfinite", f64::is_finite as fn(f64) -> bool),
        ("isinf", f64::is_infinite),
        ("isnan", f64::is_nan),
    ] {
        add_fn(vm, g, name, move |vm, args: Args| {
            let [x] = args.exact::<1>(name)?;
            Ok(Value::Bool(f(to_float(vm, &x)?)))
        });
    }
    add_fn(vm, g, "gcd", |vm, args: Args| {
        args.no_kw("gcd")?;
        let mut acc = BigInt::zero();
        for a in args.pos.iter() {
            acc = acc.gcd(&to_bigint(vm, a)?);
        }
        Ok(Value::from_bigint(acc))
    });
    add_fn(vm, g, "lcm", |vm, args: Args| {
        args.no_kw("lcm")?;
        let mut acc = BigInt::one();
        for a in args.pos.iter() {
            let b = to_bigint(vm, a)?;
            if b.is_zero() || acc.is_zero() {
                acc = BigInt::zero();
                continue;
            }
            acc = acc.lcm(&b).abs();
        }
        Ok(Value::from_bigint(acc))
    });
    add_fn(vm, g, "factorial", |vm, args: Args| {
        let [n] = args.exact::<1>("factorial")?;
        if let Value::Float(_) = n {
            return Err(Exc::type_error("'float' object cannot be interpreted as an integer"));
        }
        let n = to_bigint(vm, &n)?;
        if n.is_negative() {
            return Err(Exc::value_error("factorial() not defined for negative values"));
        }
        let n = n.to_u64().filter(|n| *n <= 1_000_000).ok_or_else(|| Exc::overflow("factorial() argument should not exceed 9223372036854775807"))?;
        Ok(Value::from_bigint(factorial(n)))
    });
    add_fn(vm, g, "comb", |vm, args: Args| {
        let [n, k] = args.exact::<2>("comb")?;
        let n = to_bigint(vm, &n)?;
        if n.is_negative() {
            return Err(Exc::value_error("n must be a non-negative integer"));
        }
        let Some(k) = nonneg_k(vm, &k, &n)? else { return Ok(Value::Int(0)) };
        // C(n, k) == C(n, n-k): use the smaller.
        let k2 = (&n - k).to_u64().map_or(k, |nk| nk.min(k));
        Ok(Value::from_bigint(comb_big(&n, k2)))
    });
    add_fn(vm, g, "perm", |vm, args: Args| {
        let [n, k] = args.bind("perm", ["n", "k"], 1)?;
        let n = to_bigint(vm, &n.unwrap_or(Value::None))?;
        if n.is_negative() {
            return Err(Exc::value_error("n must be a non-negative integer"));
        }
        let k = match k {
            None | Some(Value::None) => match n.to_u64() {
                Some(k) => k,
                None => return Err(Exc::overflow("n too large")),
            },
            Some(k) => match nonneg_k(vm, &k, &n)? {
                Some(k) => k,
                None => return Ok(Value::Int(0)),
            },
        };
        Ok(Value::from_bigint(perm_big(&n, k)))
    });
    add_fn(vm, g, "isqrt", |vm, args: Args| {
        let [n] = args.exact::<1>("isqrt")?;
        let n = to_bigint(vm, &n)?;
        if n.is_negative() {
            return Err(Exc::value_error("isqrt() argument must be nonnegative"));
        }
        Ok(Value::from_bigint(n.sqrt()))
    });
    add_fn(vm, g, "prod", |vm, mut args: Args| {
        let start = args.take_kw("start").unwrap_or(Value::Int(1));
        let [it] = args.exact::<1>("prod")?;
        let mut acc = start;
        let mut st = vm.iter_state(&it)?;
        let mut ticker = Ticker::default();
        while let Some(x) = vm.iter_next(&mut st)? {
            ticker.tick(vm)?;
            acc = vm.binop(BinOp::Mult, &acc, &x)?;
        }
        Ok(acc)
    });
    add_fn(vm, g, "fsum", |vm, args: Args| {
        let [it] = args.exact::<1>("fsum")?;
        Ok(Value::Float(fsum(vm, &it)?))
    });
    add_fn(vm, g, "erf", |vm, args: Args| {
        let [x] = args.exact::<1>("erf")?;
        Ok(Value::Float(erf(to_float(vm, &x)?)))
    });
    add_fn(vm, g, "erfc", |vm, args: Args| {
        let [x] = args.exact::<1>("erfc")?;
        Ok(Value::Float(1.0 - erf(to_float(vm, &x)?)))
    });
    add_fn(vm, g, "gamma", |vm, args: Args| {
        let [x] = args.exact::<1>("gamma")?;
        let x = to_float(vm, &x)?;
        if x.is_finite() && x <= 0.0 && x.fract() == 0.0 {
            return Err(domain_error());
        }
        Ok(Value::Float(math_1(x, gamma(x), true)?))
    });
    let _ = ExcKind::ValueError;
    Ok(m)
}

fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: normalise first.
        let (m, e) = frexp(x * (1u64 << 54) as f64);
        return (m, e - 54);
    }
    let e = exp - 1022;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, e)
}

fn ldexp(mut x: f64, mut e: i32) -> f64 {
    // Multiply in steps so intermediate powers of two stay representable.
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
        if x.is_infinite() {
            return x;
        }
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
        if x == 0.0 {
            return x;
        }
    }
    x * 2f64.powi(e)
}

/// Lanczos approximation (g=7), accurate to ~1e-15.
fn gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    if x == x.floor() && x <= 23.0 {
        // Exact for small integers: (x-1)!
        let mut r = 1.0;
        let mut k = 2.0;
        while k < x {
            r *= k;
            k += 1.0;
        }
        return r;
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
}

/// Abramowitz-Stegun 7.1.26 refined by series for small |x|.
fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x.abs() < 2.0 {
        // Taylor series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
        let mut sum = 0.0;
        let mut term = x;
        let mut n = 0.0;
        loop {
            let t = term / (2.0 * n + 1.0);
            sum += t;
            if t.abs() < 1e-17 * sum.abs() {
                break;
            }
            n += 1.0;
            term *= -x * x / n;
            if n > 200.0 {
                break;
            }
        }
        return sum * 2.0 / std::f64::consts::PI.sqrt();
    }
    // Continued fraction for erfc at larger |x|.
    let ax = x.abs();
    let mut f = 0.0;
    let mut k = 60.0;
    while k > 0.0 {
        f = k / 2.0 / (ax + f);
        k -= 1.0;
    }
    let erfc = (-ax * ax).exp() / std::f64::consts::PI.sqrt() / (ax + f);
    if x > 0.0 {
        1.0 - erfc
    } else {
        erfc - 1.0
    }
}
