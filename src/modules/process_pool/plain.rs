//! Plain data: what crosses between interpreters (values are `Rc` and stay on their
//! thread). The subset of pickle a process pool needs for ordinary arguments and
//! results; anything else is refused with CPython's pickling error.

use std::rc::Rc;

use num_bigint::BigInt;

use crate::runtime::dict::PyDict;
use crate::runtime::{Exc, PyResult, Value};
use crate::vm::Vm;

pub enum Plain {
    None,
    Bool(bool),
    Int(i64),
    BigInt(BigInt),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Plain>),
    List(Vec<Plain>),
    Dict(Vec<(Plain, Plain)>),
    Set(Vec<Plain>),
    FrozenSet(Vec<Plain>),
}

/// Deep-copy `v` into plain data.
pub fn to_plain(vm: &Vm, v: &Value) -> PyResult<Plain> {
    let all = |items: &[Value]| items.iter().map(|x| to_plain(vm, x)).collect::<PyResult<Vec<_>>>();
    Ok(match v {
        Value::None => Plain::None,
        Value::Bool(b) => Plain::Bool(*b),
        Value::Int(i) => Plain::Int(*i),
        Value::BigInt(b) => Plain::BigInt((**b).clone()),
        Value::Float(f) => Plain::Float(*f),
        Value::Str(s) => Plain::Str(s.as_str().to_string()),
        Value::Bytes(b) => Plain::Bytes((**b).clone()),
        Value::Tuple(t) => Plain::Tuple(all(t)?),
        Value::List(l) => {
            let items = l.borrow().clone();
            Plain::List(all(&items)?)
        }
        Value::Dict(d) => {
            let mut out = Vec::new();
            for (k, x) in d.items() {
                out.push((to_plain(vm, &k)?, to_plain(vm, &x)?));
            }
            Plain::Dict(out)
        }
        Value::Set(s) => Plain::Set(all(&s.items())?),
        Value::FrozenSet(s) => Plain::FrozenSet(all(&s.items())?),
        other => {
            let cls = vm.type_of(other);
            let module = cls.module.borrow().to_string();
            let name = if module.is_empty() || module == "builtins" { cls.name.to_string() } else { format!("{module}.{}", cls.name) };
            return Err(Exc::type_error(format!("cannot pickle '{name}' object")));
        }
    })
}

/// Rebuild a value in (another) interpreter.
pub fn from_plain(vm: &Vm, p: Plain) -> PyResult<Value> {
    let all = |items: Vec<Plain>| items.into_iter().map(|x| from_plain(vm, x)).collect::<PyResult<Vec<_>>>();
    Ok(match p {
        Plain::None => Value::None,
        Plain::Bool(b) => Value::Bool(b),
        Plain::Int(i) => Value::Int(i),
        Plain::BigInt(b) => Value::from_bigint(b),
        Plain::Float(f) => Value::Float(f),
        Plain::Str(s) => Value::string(s),
        Plain::Bytes(b) => Value::Bytes(Rc::new(b)),
        Plain::Tuple(t) => Value::tuple(all(t)?),
        Plain::List(l) => Value::list(all(l)?),
        Plain::Dict(items) => {
            let d = Value::Dict(Rc::new(PyDict::new()));
            for (k, x) in items {
                vm.setitem(&d, from_plain(vm, k)?, from_plain(vm, x)?)?;
            }
            d
        }
        Plain::Set(s) => vm.new_set(all(s)?)?,
        Plain::FrozenSet(s) => {
            let set = vm.new_set(all(s)?)?;
            vm.call(&Value::Class(vm.types.frozenset.clone()), crate::runtime::Args::one(set))?
        }
    })
}
