//! `collections.ChainMap`: a view over a list of mappings, searched in order.

use std::rc::Rc;

use crate::builtins::{add_getter, add_method};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::iter::IterState;
use crate::vm::types::make_class;
use crate::vm::Vm;

fn maps(vm: &Vm, s: &Value) -> PyResult<Vec<Value>> {
    match vm.getattr(s, "maps")? {
        Value::List(l) => Ok(l.borrow().clone()),
        other => vm.collect(&other),
    }
}

fn lookup(vm: &Vm, s: &Value, key: &Value) -> PyResult<Option<Value>> {
    for m in maps(vm, s)? {
        if vm.contains(&m, key)? {
            return vm.getitem(&m, key).map(Some);
        }
    }
    Ok(None)
}

/// Keys in CPython's order: the union built from the last map to the first.
fn keys(vm: &Vm, s: &Value) -> PyResult<Vec<Value>> {
    let d = PyDict::new();
    for m in maps(vm, s)?.iter().rev() {
        for k in vm.collect(m)? {
            d.set(vm, k, Value::None)?;
        }
    }
    Ok(d.keys())
}

fn new_chainmap(vm: &Vm, cls: Rc<Class>, maps: Vec<Value>) -> Value {
    let inst = Instance::new(cls, Payload::None);
    inst.attrs.borrow_mut().set(vm.intern("maps"), Value::list(maps));
    Value::Instance(inst)
}

pub fn class(vm: &Vm) -> Rc<Class> {
    let cls = make_class("ChainMap", vec![vm.types.object.clone()], BaseKind::Object, None);
    *cls.module.borrow_mut() = "collections".into();
    add_method(vm, &cls, "__init__", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let mut ms: Vec<Value> = args.pos.iter().skip(1).cloned().collect();
        if ms.is_empty() {
            ms.push(Value::Dict(Rc::new(PyDict::new())));
        }
        vm.setattr(&s, "maps", Value::list(ms))?;
        Ok(Value::None)
    });
    add_method(vm, &cls, "__getitem__", |vm, args: Args| {
        let [s, k] = args.exact::<2>("__getitem__")?;
        match lookup(vm, &s, &k)? {
            Some(v) => Ok(v),
            None => match vm.call_dunder(&s, "__missing__", Args::one(k.clone()))? {
                Some(v) => Ok(v),
                None => Err(Exc::key_error(k)),
            },
        }
    });
    add_method(vm, &cls, "get", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let k = args.pos.get(1).cloned().unwrap_or(Value::None);
        Ok(lookup(vm, &s, &k)?.unwrap_or_else(|| args.pos.get(2).cloned().unwrap_or(Value::None)))
    });
    add_method(vm, &cls, "__contains__", |vm, args: Args| {
        let [s, k] = args.exact::<2>("__contains__")?;
        for m in maps(vm, &s)? {
            if vm.contains(&m, &k)? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    });
    add_method(vm, &cls, "__len__", |vm, args: Args| {
        let [s] = args.exact::<1>("__len__")?;
        Ok(Value::Int(keys(vm, &s)?.len() as i64))
    });
    add_method(vm, &cls, "__iter__", |vm, args: Args| {
        let [s] = args.exact::<1>("__iter__")?;
        Ok(vm.iterator_object(IterState::Values { items: keys(vm, &s)?, idx: 0 }, "dict_keyiterator"))
    });
    add_method(vm, &cls, "keys", |vm, args: Args| {
        let [s] = args.exact::<1>("keys")?;
        Ok(Value::list(keys(vm, &s)?))
    });
    add_method(vm, &cls, "values", |vm, args: Args| {
        let [s] = args.exact::<1>("values")?;
        let mut out = Vec::new();
        for k in keys(vm, &s)? {
            out.push(lookup(vm, &s, &k)?.unwrap_or(Value::None));
        }
        Ok(Value::list(out))
    });
    add_method(vm, &cls, "items", |vm, args: Args| {
        let [s] = args.exact::<1>("items")?;
        let mut out = Vec::new();
        for k in keys(vm, &s)? {
            let v = lookup(vm, &s, &k)?.unwrap_or(Value::None);
            out.push(Value::tuple(vec![k, v]));
        }
        Ok(Value::list(out))
    });
    add_method(vm, &cls, "__setitem__", |vm, args: Args| {
        let [s, k, v] = args.exact::<3>("__setitem__")?;
        let first = maps(vm, &s)?.into_iter().next().unwrap_or(Value::None);
        vm.setitem(&first, k, v)?;
        Ok(Value::None)
    });
    add_method(vm, &cls, "__delitem__", |vm, args: Args| {
        let [s, k] = args.exact::<2>("__delitem__")?;
        let first = maps(vm, &s)?.into_iter().next().unwrap_or(Value::None);
        vm.delitem(&first, &k).map_err(|e| {
            if vm.exc_is(&e, ExcKind::KeyError) {
                Exc::key_error(Value::string(format!("Key not found in the first mapping: {}", vm.repr(&k).unwrap_or_default())))
            } else {
                e
            }
        })?;
        Ok(Value::None)
    });
    add_method(vm, &cls, "new_child", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let m = match args.pos.get(1) {
            Some(m) if !m.is_none() => m.clone(),
            _ => Value::Dict(Rc::new(PyDict::new())),
        };
        let mut ms = vec![m];
        ms.extend(maps(vm, &s)?);
        Ok(new_chainmap(vm, vm.type_of(&s), ms))
    });
    add_getter(vm, &cls, "parents", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let ms: Vec<Value> = maps(vm, &s)?.into_iter().skip(1).collect();
        Ok(new_chainmap(vm, vm.type_of(&s), ms))
    });
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let parts: Vec<String> = maps(vm, &s)?.iter().map(|m| vm.repr(m)).collect::<PyResult<_>>()?;
        Ok(Value::string(format!("{}({})", vm.type_name(&s), parts.join(", "))))
    });
    cls
}
