//! Constructors of the builtin types: `int(x)`, `str(x)`, `list(it)`, `dict(...)`...
//!
//! Immutable types build their value in `__new__`; mutable ones (list, dict, set,
//! bytearray) start empty in `__new__` and are filled by `__init__`, as in CPython, so
//! subclasses that override `__init__` behave the same.

use std::cell::RefCell;
use std::rc::Rc;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::add_method;
use crate::format;
use crate::runtime::class::{Class, Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::set::PySet;
use crate::runtime::value::{RangeObj, SliceObj};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::numeric::{as_int, IntRef};
use crate::vm::Vm;

/// Split `cls, *args` as received by `__new__`.
fn split_cls(args: Args) -> PyResult<(Rc<Class>, Args)> {
    let mut pos = args.pos.into_iter();
    match pos.next() {
        Some(Value::Class(c)) => Ok((c, Args { pos: pos.collect(), kw: args.kw })),
        _ => Err(Exc::type_error("__new__ requires a type argument")),
    }
}

/// The value for class `cls`: itself for the exact builtin type, an instance wrapping
/// it for a subclass.
fn wrap(cls: &Rc<Class>, exact: &Rc<Class>, v: Value) -> Value {
    if Rc::ptr_eq(cls, exact) {
        v
    } else {
        Value::Instance(Instance::new(cls.clone(), Payload::Builtin(RefCell::new(v))))
    }
}

/// `int(x)` / `int(s, base)`.
pub fn to_int(vm: &Vm, v: &Value, base: Option<&Value>) -> PyResult<Value> {
    if let Some(b) = base {
        let b = vm.index_value(b)?;
        if !(b == 0 || (2..=36).contains(&b)) {
            return Err(Exc::value_error("int() base must be >= 2 and <= 36, or 0"));
        }
        let text = match v {
            Value::Str(s) => s.as_str().to_string(),
            Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            _ => return Err(Exc::type_error("int() can't convert non-string with explicit base")),
        };
        return parse_int_text(&text, b as u32, v, vm);
    }
    match v {
        Value::Int(_) | Value::BigInt(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::Int(*b as i64)),
        Value::Float(f) => {
            format::float_to_int(*f).map(Value::from_bigint).map_err(|_| {
                if f.is_nan() {
                    Exc::value_error("cannot convert float NaN to integer")
                } else {
                    Exc::overflow("cannot convert float infinity to integer")
                }
            })
        }
        Value::Str(s) => parse_int_text(s.as_str(), 10, v, vm),
        Value::Bytes(b) => parse_int_text(&String::from_utf8_lossy(b), 10, v, vm),
        Value::Instance(_) => {
            for m in ["__int__", "__index__", "__trunc__"] {
                if let Some(r) = vm.call_dunder(v, m, Args::empty())? {
                    return Ok(r);
                }
            }
            let u = vm.builtin_value(v);
            if !u.is(v) {
                return to_int(vm, &u, None);
            }
            Err(Exc::type_error(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                vm.type_name(v)
            )))
        }
        _ => Err(Exc::type_error(format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            vm.type_name(v)
        ))),
    }
}

fn parse_int_text(text: &str, base: u32, orig: &Value, vm: &Vm) -> PyResult<Value> {
    format::parse_int(text, base).map(Value::from_bigint).map_err(|_| {
        Exc::value_error(format!(
            "invalid literal for int() with base {}: {}",
            base,
            vm.repr(orig).unwrap_or_default()
        ))
    })
}

/// `float(x)`.
pub fn to_float(vm: &Vm, v: &Value) -> PyResult<f64> {
    match v {
        Value::Float(f) => Ok(*f),
        Value::Int(i) => Ok(*i as f64),
        Value::Bool(b) => Ok(*b as i64 as f64),
        Value::BigInt(b) => format::int_to_float(b).ok_or_else(|| Exc::overflow("int too large to convert to float")),
        Value::Str(s) => format::parse_float(s.as_str())
            .ok_or_else(|| Exc::value_error(format!("could not convert string to float: {}", format::str_repr(s.as_str())))),
        Value::Instance(_) => {
            if let Some(r) = vm.call_dunder(v, "__float__", Args::empty())? {
                return to_float(vm, &r);
            }
            if let Some(r) = vm.call_dunder(v, "__index__", Args::empty())? {
                return to_float(vm, &r);
            }
            let u = vm.builtin_value(v);
            if !u.is(v) {
                return to_float(vm, &u);
            }
            Err(Exc::type_error(format!("float() argument must be a string or a real number, not '{}'", vm.type_name(v))))
        }
        _ => Err(Exc::type_error(format!("float() argument must be a string or a real number, not '{}'", vm.type_name(v)))),
    }
}

/// The list inside `self` for list methods (a list or an instance of a list subclass).
pub fn list_of(v: &Value) -> PyResult<Rc<RefCell<Vec<Value>>>> {
    match v {
        Value::List(l) => Ok(l.clone()),
        Value::Instance(i) => match &i.payload {
            Payload::Builtin(b) => match &*b.borrow() {
                Value::List(l) => Ok(l.clone()),
                _ => Err(Exc::type_error("descriptor requires a 'list' object")),
            },
            _ => Err(Exc::type_error("descriptor requires a 'list' object")),
        },
        _ => Err(Exc::type_error("descriptor requires a 'list' object")),
    }
}

pub fn dict_of(v: &Value) -> PyResult<Rc<PyDict>> {
    match v {
        Value::Dict(d) => Ok(d.clone()),
        Value::Instance(i) => match &i.payload {
            Payload::Builtin(b) => match &*b.borrow() {
                Value::Dict(d) => Ok(d.clone()),
                _ => Err(Exc::type_error("descriptor requires a 'dict' object")),
            },
            _ => Err(Exc::type_error("descriptor requires a 'dict' object")),
        },
        _ => Err(Exc::type_error("descriptor requires a 'dict' object")),
    }
}

pub fn set_of(v: &Value) -> PyResult<Rc<PySet>> {
    match v {
        Value::Set(s) | Value::FrozenSet(s) => Ok(s.clone()),
        Value::Instance(i) => match &i.payload {
            Payload::Builtin(b) => match &*b.borrow() {
                Value::Set(s) | Value::FrozenSet(s) => Ok(s.clone()),
                _ => Err(Exc::type_error("descriptor requires a 'set' object")),
            },
            _ => Err(Exc::type_error("descriptor requires a 'set' object")),
        },
        _ => Err(Exc::type_error("descriptor requires a 'set' object")),
    }
}

pub fn range_arg(vm: &Vm, v: &Value) -> PyResult<i64> {
    match as_int(v) {
        Some(IntRef::Small(i)) => Ok(i),
        Some(IntRef::Big(_)) => Err(Exc::overflow("Python int too large to convert to C ssize_t")),
        None => match v {
            Value::Instance(_) => vm.index_value(v),
            _ => Err(Exc::type_error(format!("'{}' object cannot be interpreted as an integer", vm.type_name(v)))),
        },
    }
}

pub fn install(vm: &Vm) {
    let t = &vm.types;

    let int_cls = t.int.clone();
    add_method(vm, &t.int, "__new__", move |vm, args: Args| {
        let (cls, args) = split_cls(args)?;
        let [x, base] = args.bind("int", ["x", "base"], 0)?;
        let v = match x {
            None => Value::Int(0),
            Some(x) => to_int(vm, &x, base.as_ref())?,
        };
        Ok(wrap(&cls, &int_cls, v))
    });
    let float_cls = t.float.clone();
    add_method(vm, &t.float, "__new__", move |vm, args: Args| {
        let (cls, args) = split_cls(args)?;
        let [x] = args.bind("float", ["x"], 0)?;
        let v = match x {
            None => 0.0,
            Some(x) => to_float(vm, &x)?,
        };
        Ok(wrap(&cls, &float_cls, Value::Float(v)))
    });
    add_method(vm, &t.bool_, "__new__", |vm, args: Args| {
        let (_, args) = split_cls(args)?;
        let [x] = args.bind("bool", ["x"], 0)?;
        Ok(Value::Bool(match x {
            None => false,
            Some(x) => vm.truthy(&x)?,
        }))
    });
    let str_cls = t.str_.clone();
    add_method(vm, &t.str_, "__new__", move |vm, args: Args| {
        let (cls, args) = split_cls(args)?;
        let [obj, encoding, errors] = args.bind("str", ["object", "encoding", "errors"], 0)?;
        let v = match (obj, encoding.is_some() || errors.is_some()) {
            (None, _) => Value::str(""),
            (Some(Value::Bytes(b)), true) => Value::string(String::from_utf8_lossy(&b).into_owned()),
            (Some(Value::ByteArray(b)), true) => Value::string(String::from_utf8_lossy(&b.borrow()).into_owned()),
            (Some(o), _) => Value::Str(vm.to_str(&o)?),
        };
        Ok(wrap(&cls, &str_cls, v))
    });
    let tuple_cls = t.tuple.clone();
    add_method(vm, &t.tuple, "__new__", move |vm, args: Args| {
        let (cls, args) = split_cls(args)?;
        let [it] = args.bind("tuple", ["iterable"], 0)?;
        let v = match it {
            None => Value::tuple(vec![]),
            Some(Value::Tuple(t)) if Rc::ptr_eq(&cls, &tuple_cls) => Value::Tuple(t),
            Some(it) => Value::tuple(vm.collect(&it)?),
        };
        Ok(wrap(&cls, &tuple_cls, v))
    });
    let fs_cls = t.frozenset.clone();
    add_method(vm, &t.frozenset, "__new__", move |vm, args: Args| {
        let (cls, args) = split_cls(args)?;
        let [it] = args.bind("frozenset", ["iterable"], 0)?;
        let s = PySet::new();
        if let Some(it) = it {
            // CPython's `set_update_internal` (presizes for dicts, merges sets).
            super::set::set_update(vm, &s, &it)?;
        }
        Ok(wrap(&cls, &fs_cls, Value::FrozenSet(Rc::new(s))))
    });
    let bytes_cls = t.bytes.clone();
    add_method(vm, &t.bytes, "__new__", move |vm, args: Args| {
        let (cls, args) = split_cls(args)?;
        let [src, encoding, _errors] = args.bind("bytes", ["source", "encoding", "errors"], 0)?;
        let v = match src {
            None => vec![],
            Some(s) => bytes_from(vm, &s, encoding.is_some())?,
        };
        Ok(wrap(&cls, &bytes_cls, Value::Bytes(Rc::new(v))))
    });
    let ba_cls = t.bytearray.clone();
    add_method(vm, &t.bytearray, "__new__", move |vm, args: Args| {
        let (cls, args) = split_cls(args)?;
        let [src, encoding, _errors] = args.bind("bytearray", ["source", "encoding", "errors"], 0)?;
        let v = match src {
            None => vec![],
            Some(s) => bytes_from(vm, &s, encoding.is_some())?,
        };
        Ok(wrap(&cls, &ba_cls, Value::ByteArray(Rc::new(RefCell::new(v)))))
    });

    // Mutable containers: empty in __new__, filled by __init__.
    let list_cls = t.list.clone();
    add_method(vm, &t.list, "__new__", move |_vm, args: Args| {
        let (cls, _) = split_cls(args)?;
        Ok(wrap(&cls, &list_cls, Value::list(vec![])))
    });
    add_method(vm, &t.list, "__init__", |vm, args: Args| {
        let mut pos = args.pos.into_iter();
        let this = pos.next().unwrap_or(Value::None);
        let rest = Args { pos: pos.collect(), kw: args.kw };
        let [it] = rest.bind("list", ["iterable"], 0)?;
        let l = list_of(&this)?;
        let items = match it {
            Some(it) => vm.collect(&it)?,
            None => vec![],
        };
        *l.borrow_mut() = items;
        Ok(Value::None)
    });
    let dict_cls = t.dict.clone();
    add_method(vm, &t.dict, "__new__", move |_vm, args: Args| {
        let (cls, _) = split_cls(args)?;
        Ok(wrap(&cls, &dict_cls, Value::Dict(Rc::new(PyDict::new()))))
    });
    add_method(vm, &t.dict, "__init__", |vm, args: Args| {
        let mut pos = args.pos.into_iter();
        let this = pos.next().unwrap_or(Value::None);
        let rest: Vec<Value> = pos.collect();
        if rest.len() > 1 {
            return Err(Exc::type_error(format!("dict expected at most 1 argument, got {}", rest.len())));
        }
        let d = dict_of(&this)?;
        if let Some(src) = rest.first() {
            vm.dict_update(&d, src)?;
        }
        for (k, v) in args.kw {
            d.set(vm, Value::str(&k), v)?;
        }
        Ok(Value::None)
    });
    let set_cls = t.set.clone();
    add_method(vm, &t.set, "__new__", move |_vm, args: Args| {
        let (cls, _) = split_cls(args)?;
        Ok(wrap(&cls, &set_cls, Value::Set(Rc::new(PySet::new()))))
    });
    add_method(vm, &t.set, "__init__", |vm, args: Args| {
        let mut pos = args.pos.into_iter();
        let this = pos.next().unwrap_or(Value::None);
        let rest = Args { pos: pos.collect(), kw: args.kw };
        let [it] = rest.bind("set", ["iterable"], 0)?;
        let s = set_of(&this)?;
        s.clear();
        if let Some(it) = it {
            // CPython's `set_update_internal` (presizes for dicts, merges sets).
            super::set::set_update(vm, &s, &it)?;
        }
        Ok(Value::None)
    });

    add_method(vm, &t.range, "__new__", |vm, args: Args| {
        let (_, args) = split_cls(args)?;
        args.no_kw("range")?;
        let p: Vec<i64> = args.pos.iter().map(|v| range_arg(vm, v)).collect::<PyResult<_>>()?;
        let (start, stop, step) = match p[..] {
            [stop] => (0, stop, 1),
            [start, stop] => (start, stop, 1),
            [start, stop, step] => (start, stop, step),
            [] => return Err(Exc::type_error("range expected at least 1 argument, got 0")),
            _ => return Err(Exc::type_error(format!("range expected at most 3 arguments, got {}", p.len()))),
        };
        if step == 0 {
            return Err(Exc::value_error("range() arg 3 must not be zero"));
        }
        Ok(Value::Range(Rc::new(RangeObj { start, stop, step })))
    });
    add_method(vm, &t.slice, "__new__", |_vm, args: Args| {
        let (_, args) = split_cls(args)?;
        let p: Vec<Value> = args.pos.to_vec();
        let (start, stop, step) = match p.len() {
            1 => (Value::None, p[0].clone(), Value::None),
            2 => (p[0].clone(), p[1].clone(), Value::None),
            3 => (p[0].clone(), p[1].clone(), p[2].clone()),
            n => return Err(Exc::type_error(format!("slice expected at most 3 arguments, got {n}"))),
        };
        Ok(Value::Slice(Rc::new(SliceObj { start, stop, step })))
    });
    add_method(vm, &t.type_, "__new__", |vm, args: Args| {
        let (meta, args) = split_cls(args)?;
        match args.pos.len() {
            1 => Ok(Value::Class(vm.type_of(&args.pos[0]))),
            3 => {
                let Value::Str(name) = &args.pos[0] else { return Err(Exc::type_error("type.__new__() argument 1 must be str")) };
                let bases = vm.collect(&args.pos[1])?;
                let ns = vm.mapping_items(&args.pos[2])?;
                let mut items = Vec::new();
                for (k, v) in ns {
                    if let Value::Str(k) = k {
                        items.push((vm.intern(k.as_str()), v));
                    }
                }
                let name = vm.intern(name.as_str());
                vm.create_class(Some(meta), &name, Args { pos: bases.into_iter().collect(), kw: args.kw }, items)
            }
            _ => Err(Exc::type_error("type() takes 1 or 3 arguments")),
        }
    });
    add_method(vm, &t.complex, "__new__", |_vm, _args: Args| Err(Exc::type_error("complex numbers are not supported yet")));
    add_method(vm, &t.object, "__class_getitem__", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None)));
}

/// `bytes(x)`: from an int (zeros), an iterable of ints, or a str with an encoding.
pub fn bytes_from(vm: &Vm, v: &Value, has_encoding: bool) -> PyResult<Vec<u8>> {
    match v {
        Value::Str(s) => {
            if !has_encoding {
                return Err(Exc::type_error("string argument without an encoding"));
            }
            Ok(s.as_str().as_bytes().to_vec())
        }
        Value::Int(n) => {
            if *n < 0 {
                return Err(Exc::value_error("negative count"));
            }
            // Zeroed pages cost little to get, but the bytes count against the limits.
            vm.reserve_memory(*n as usize)?;
            vm.charge_steps(*n as u64 / crate::embed::limits::BYTES_PER_STEP as u64)?;
            Ok(vec![0; *n as usize])
        }
        Value::Bytes(b) => Ok(b.to_vec()),
        Value::ByteArray(b) => Ok(b.borrow().clone()),
        _ => {
            let items = vm.collect(v)?;
            items
                .iter()
                .map(|x| {
                    let i = vm.index_value(x)?;
                    if !(0..256).contains(&i) {
                        return Err(Exc::value_error("bytes must be in range(0, 256)"));
                    }
                    Ok(i as u8)
                })
                .collect()
        }
    }
}

/// Used by `round()` and friends: a big int to i64 when it fits.
pub fn small(b: &BigInt) -> Option<i64> {
    b.to_i64()
}
