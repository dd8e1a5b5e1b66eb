//! Methods of the builtin `int` type (inherited by `bool`), and the arithmetic
//! special-method table shared with `float.rs`.
//!
//! The special methods unwrap `self` and the operand (plain values or instances of
//! subclasses) and defer to the vm's own operators, returning `NotImplemented` for
//! operand types the builtin does not handle — so `int.__add__(1, 2)`,
//! `(1).__add__(2.0)` (NotImplemented, as in CPython) and a subclass's
//! `super().__add__(x)` all behave like CPython.

use std::rc::Rc;

use num_bigint::{BigInt, Sign};
use num_traits::{Signed, Zero};

use super::add_getter;
use super::list::{def, no_args, one_arg, wrong_self};
use crate::runtime::class::Class;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::{BinOp, CmpOp, UnaryOp};
use crate::vm::numeric::as_int;
use crate::vm::Vm;

/// The int inside `v` (a plain int/bool or an int-subclass instance).
pub(crate) fn int_value(vm: &Vm, v: &Value) -> Option<Value> {
    let u = vm.builtin_value(v);
    as_int(&u).is_some().then_some(u)
}

/// `u` as a plain `int` (bool becomes 0/1): what `__int__`, `numerator`... return.
fn plain_int(u: &Value) -> Value {
    match u {
        Value::Bool(b) => Value::Int(*b as i64),
        other => other.clone(),
    }
}

fn this_int(vm: &Vm, v: &Value, name: &str) -> PyResult<Value> {
    int_value(vm, v).ok_or_else(|| wrong_self(vm, "int", name, v))
}

fn call_builtin(vm: &Vm, name: &str, args: Vec<Value>) -> PyResult<Value> {
    let f = vm.builtin(name).ok_or_else(|| Exc::runtime_error(format!("builtin {name} is missing")))?;
    vm.call(&f, Args::new(args))
}

/// The binary special methods every number type has: (name, reflected name, operator).
const ARITH: &[(&str, &str, Option<BinOp>)] = &[
    ("__add__", "__radd__", Some(BinOp::Add)),
    ("__sub__", "__rsub__", Some(BinOp::Sub)),
    ("__mul__", "__rmul__", Some(BinOp::Mult)),
    ("__truediv__", "__rtruediv__", Some(BinOp::Div)),
    ("__floordiv__", "__rfloordiv__", Some(BinOp::FloorDiv)),
    ("__mod__", "__rmod__", Some(BinOp::Mod)),
    ("__pow__", "__rpow__", Some(BinOp::Pow)),
    // None: divmod, computed from `//` and `%`.
    ("__divmod__", "__rdivmod__", None),
];

/// Integer-only operators.
const BITWISE: &[(&str, &str, Option<BinOp>)] = &[
    ("__lshift__", "__rlshift__", Some(BinOp::LShift)),
    ("__rshift__", "__rrshift__", Some(BinOp::RShift)),
    ("__and__", "__rand__", Some(BinOp::BitAnd)),
    ("__or__", "__ror__", Some(BinOp::BitOr)),
    ("__xor__", "__rxor__", Some(BinOp::BitXor)),
];

fn apply(vm: &Vm, op: Option<BinOp>, a: &Value, b: &Value) -> PyResult<Value> {
    match op {
        Some(op) => vm.binop(op, a, b),
        None => {
            let q = vm.binop(BinOp::FloorDiv, a, b)?;
            let r = vm.binop(BinOp::Mod, a, b)?;
            Ok(Value::tuple(vec![q, r]))
        }
    }
}

/// Register arithmetic and comparison special methods on a number class.
/// `this` extracts self's value (or fails), `accepts` the other operand's value
/// (`None` → NotImplemented).
pub(crate) fn install_number_ops(
    vm: &Vm,
    cls: &Rc<Class>,
    ops: &'static [(&'static str, &'static str, Option<BinOp>)],
    this: fn(&Vm, &Value, &str) -> PyResult<Value>,
    accepts: fn(&Vm, &Value) -> Option<Value>,
) {
    for &(name, rname, op) in ops {
        for (mname, reflected) in [(name, false), (rname, true)] {
            def(vm, cls, mname, move |vm, s, args: Args| {
                let a = this(vm, &s, mname)?;
                let is_pow = op == Some(BinOp::Pow);
                let (other, modulo) = if is_pow {
                    let [o, m] = args.bind(mname, ["value", "mod"], 1)?;
                    (o.unwrap_or(Value::None), m.filter(|m| !m.is_none()))
                } else {
                    (one_arg(args, mname)?, None)
                };
                let Some(b) = accepts(vm, &other) else { return Ok(Value::NotImplemented) };
                let (x, y) = if reflected { (b, a) } else { (a, b) };
                match modulo {
                    Some(m) => {
                        if reflected {
                            // CPython's `__rpow__` ignores a third argument it cannot use.
                            return Ok(Value::NotImplemented);
                        }
                        let Some(m) = accepts(vm, &m) else { return Ok(Value::NotImplemented) };
                        call_builtin(vm, "pow", vec![x, y, m])
                    }
                    None => apply(vm, op, &x, &y),
                }
            });
        }
    }
}

pub(crate) fn install_comparisons(
    vm: &Vm,
    cls: &Rc<Class>,
    this: fn(&Vm, &Value, &str) -> PyResult<Value>,
    accepts: fn(&Vm, &Value) -> Option<Value>,
) {
    for (name, op) in [
        ("__eq__", CmpOp::Eq),
        ("__ne__", CmpOp::NotEq),
        ("__lt__", CmpOp::Lt),
        ("__le__", CmpOp::LtE),
        ("__gt__", CmpOp::Gt),
        ("__ge__", CmpOp::GtE),
    ] {
        def(vm, cls, name, move |vm, s, args: Args| {
            let a = this(vm, &s, name)?;
            let other = one_arg(args, name)?;
            match accepts(vm, &other) {
                Some(b) => vm.compare(op, &a, &b),
                None => Ok(Value::NotImplemented),
            }
        });
    }
}

/// The unary special methods shared by int and float.
pub(crate) fn install_unary(vm: &Vm, cls: &Rc<Class>, this: fn(&Vm, &Value, &str) -> PyResult<Value>) {
    for (name, op) in [("__neg__", UnaryOp::USub), ("__pos__", UnaryOp::UAdd)] {
        def(vm, cls, name, move |vm, s, args: Args| {
            let a = this(vm, &s, name)?;
            no_args(&args, name)?;
            vm.unaryop(op, &a)
        });
    }
    def(vm, cls, "__abs__", move |vm, s, args: Args| {
        let a = this(vm, &s, "__abs__")?;
        no_args(&args, "__abs__")?;
        call_builtin(vm, "abs", vec![a])
    });
    def(vm, cls, "__bool__", move |vm, s, args: Args| {
        let a = this(vm, &s, "__bool__")?;
        no_args(&args, "__bool__")?;
        Ok(Value::Bool(vm.truthy(&a)?))
    });
    def(vm, cls, "__hash__", move |vm, s, args: Args| {
        let a = this(vm, &s, "__hash__")?;
        no_args(&args, "__hash__")?;
        Ok(Value::Int(vm.hash(&a)?))
    });
    def(vm, cls, "__repr__", move |vm, s, args: Args| {
        let a = this(vm, &s, "__repr__")?;
        no_args(&args, "__repr__")?;
        Ok(Value::string(vm.repr(&a)?))
    });
    def(vm, cls, "__format__", move |vm, s, args: Args| {
        let a = this(vm, &s, "__format__")?;
        let spec = one_arg(args, "__format__")?;
        let Value::Str(spec) = &spec else {
            return Err(Exc::type_error(format!("__format__() argument must be str, not {}", vm.type_name(&spec))));
        };
        if spec.as_str().is_empty() {
            // `format(x, "")` is `str(x)`, which a subclass may override.
            return Ok(Value::Str(vm.to_str(&s)?));
        }
        Ok(Value::string(vm.format(&a, spec.as_str())?))
    });
    def(vm, cls, "__round__", move |vm, s, args: Args| {
        let a = this(vm, &s, "__round__")?;
        let [nd] = args.bind("__round__", ["ndigits"], 0)?;
        match nd {
            Some(nd) if !nd.is_none() => call_builtin(vm, "round", vec![a, nd]),
            _ => call_builtin(vm, "round", vec![a]),
        }
    });
    def(vm, cls, "conjugate", move |vm, s, args: Args| {
        let a = this(vm, &s, "conjugate")?;
        no_args(&args, "conjugate")?;
        Ok(plain_int(&a))
    });
    add_getter(vm, cls, "real", move |vm, args: Args| {
        let [s] = args.exact::<1>("real")?;
        Ok(plain_int(&this(vm, &s, "real")?))
    });
}

fn accept_int(vm: &Vm, v: &Value) -> Option<Value> {
    int_value(vm, v)
}

fn to_big(u: &Value) -> BigInt {
    as_int(u).map(|i| i.to_big()).unwrap_or_default()
}

/// `int.to_bytes(length=1, byteorder='big', *, signed=False)`.
fn to_bytes(vm: &Vm, n: &Value, mut args: Args) -> PyResult<Value> {
    let signed = match args.take_kw("signed") {
        Some(s) => vm.truthy(&s)?,
        None => false,
    };
    let [length, byteorder] = args.bind("to_bytes", ["length", "byteorder"], 0)?;
    let length = match length {
        Some(l) => vm.index_value(&l)?,
        None => 1,
    };
    if length < 0 {
        return Err(Exc::value_error("length argument must be non-negative"));
    }
    let little = byteorder_arg(vm, byteorder, "to_bytes")?;
    let v = to_big(n);
    if !signed && v.is_negative() {
        return Err(Exc::overflow("can't convert negative int to unsigned"));
    }
    let mut bytes = if signed { v.to_signed_bytes_be() } else { v.to_bytes_be().1 };
    // num-bigint gives [0] for zero; CPython needs no bytes for it.
    if v.is_zero() {
        bytes.clear();
    }
    let len = length as usize;
    if bytes.len() > len {
        return Err(Exc::overflow("int too big to convert"));
    }
    let fill = if v.is_negative() { 0xff } else { 0 };
    let mut out = vec![fill; len - bytes.len()];
    out.extend(bytes);
    if little {
        out.reverse();
    }
    Ok(Value::Bytes(Rc::new(out)))
}

fn byteorder_arg(vm: &Vm, v: Option<Value>, fname: &str) -> PyResult<bool> {
    match v {
        None => Ok(false),
        Some(Value::Str(s)) => match s.as_str() {
            "little" => Ok(true),
            "big" => Ok(false),
            _ => Err(Exc::value_error("byteorder must be either 'little' or 'big'")),
        },
        Some(o) => Err(Exc::type_error(format!(
            "{fname}() argument 'byteorder' must be str, not {}",
            vm.type_name(&o)
        ))),
    }
}

/// `int.from_bytes(bytes, byteorder='big', *, signed=False)` (a classmethod).
fn from_bytes(vm: &Vm, int_cls: &Rc<Class>, args: Args) -> PyResult<Value> {
    let mut pos = args.pos.into_iter();
    let cls = pos.next().unwrap_or(Value::None);
    let mut rest = Args { pos: pos.collect(), kw: args.kw };
    let signed = match rest.take_kw("signed") {
        Some(s) => vm.truthy(&s)?,
        None => false,
    };
    let [data, byteorder] = rest.bind("from_bytes", ["bytes", "byteorder"], 1)?;
    let data = data.unwrap_or(Value::None);
    let little = byteorder_arg(vm, byteorder, "from_bytes")?;
    let mut bytes = match &data {
        Value::Bytes(b) => b.to_vec(),
        Value::ByteArray(b) => b.borrow().clone(),
        _ if !vm.is_iterable(&data) || matches!(data, Value::Str(_)) => {
            return Err(Exc::type_error(format!("cannot convert '{}' object to bytes", vm.type_name(&data))))
        }
        _ => super::constructors::bytes_from(vm, &data, false)?,
    };
    if little {
        bytes.reverse();
    }
    let v = if signed { BigInt::from_signed_bytes_be(&bytes) } else { BigInt::from_bytes_be(Sign::Plus, &bytes) };
    let v = Value::from_bigint(v);
    match &cls {
        Value::Class(c) if !Rc::ptr_eq(c, int_cls) => vm.call(&cls, Args::one(v)),
        _ => Ok(v),
    }
}

pub fn install(vm: &Vm) {
    let cls = vm.types.int.clone();
    let c = &cls;
    install_number_ops(vm, c, ARITH, this_int, accept_int);
    install_number_ops(vm, c, BITWISE, this_int, accept_int);
    install_comparisons(vm, c, this_int, accept_int);
    install_unary(vm, c, this_int);

    def(vm, c, "__invert__", |vm, s, args: Args| {
        let a = this_int(vm, &s, "__invert__")?;
        no_args(&args, "__invert__")?;
        vm.unaryop(UnaryOp::Invert, &a)
    });
    for name in ["__int__", "__index__", "__trunc__", "__floor__", "__ceil__"] {
        def(vm, c, name, move |vm, s, args: Args| {
            let a = this_int(vm, &s, name)?;
            no_args(&args, name)?;
            Ok(plain_int(&a))
        });
    }
    def(vm, c, "__float__", |vm, s, args: Args| {
        let a = this_int(vm, &s, "__float__")?;
        no_args(&args, "__float__")?;
        let f = as_int(&a).map(|i| i.to_f64()).unwrap_or(Ok(0.0))?;
        Ok(Value::Float(f))
    });
    def(vm, c, "__getnewargs__", |vm, s, args: Args| {
        let a = this_int(vm, &s, "__getnewargs__")?;
        no_args(&args, "__getnewargs__")?;
        Ok(Value::tuple(vec![plain_int(&a)]))
    });
    def(vm, c, "bit_length", |vm, s, args: Args| {
        let a = this_int(vm, &s, "bit_length")?;
        no_args(&args, "int.bit_length")?;
        Ok(Value::Int(match &a {
            Value::BigInt(b) => b.bits() as i64,
            other => {
                let i = as_int(other).map(|i| i.to_big()).unwrap_or_default();
                i.bits() as i64
            }
        }))
    });
    def(vm, c, "bit_count", |vm, s, args: Args| {
        let a = this_int(vm, &s, "bit_count")?;
        no_args(&args, "int.bit_count")?;
        let mag = to_big(&a).magnitude().clone();
        let ones: u64 = mag.to_u64_digits().iter().map(|d| d.count_ones() as u64).sum();
        Ok(Value::Int(ones as i64))
    });
    def(vm, c, "as_integer_ratio", |vm, s, args: Args| {
        let a = this_int(vm, &s, "as_integer_ratio")?;
        no_args(&args, "int.as_integer_ratio")?;
        Ok(Value::tuple(vec![plain_int(&a), Value::Int(1)]))
    });
    def(vm, c, "to_bytes", |vm, s, args: Args| {
        let a = this_int(vm, &s, "to_bytes")?;
        to_bytes(vm, &a, args)
    });
    let int_cls = cls.clone();
    super::add_classmethod(vm, c, "from_bytes", move |vm, args: Args| from_bytes(vm, &int_cls, args));
    add_getter(vm, c, "imag", |vm, args: Args| {
        let [s] = args.exact::<1>("imag")?;
        this_int(vm, &s, "imag")?;
        Ok(Value::Int(0))
    });
    add_getter(vm, c, "numerator", |vm, args: Args| {
        let [s] = args.exact::<1>("numerator")?;
        Ok(plain_int(&this_int(vm, &s, "numerator")?))
    });
    add_getter(vm, c, "denominator", |vm, args: Args| {
        let [s] = args.exact::<1>("denominator")?;
        this_int(vm, &s, "denominator")?;
        Ok(Value::Int(1))
    });
}
