//! The dict subclasses of `collections`: `defaultdict`, `OrderedDict`, `Counter`.
//! Instances are `Payload::Builtin(dict)`, so the builtin dict methods apply to them.

use std::cell::RefCell;
use std::rc::Rc;

use crate::builtins::add_method;
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::BinOp;
use crate::vm::iter::IterState;
use crate::vm::types::make_class;
use crate::vm::Vm;

/// The dict inside an instance of a dict subclass (or a plain dict).
pub fn dict_of(vm: &Vm, v: &Value) -> Option<Rc<PyDict>> {
    match vm.builtin_value(v) {
        Value::Dict(d) => Some(d),
        _ => None,
    }
}

fn self_dict(vm: &Vm, args: &Args) -> PyResult<(Value, Rc<PyDict>)> {
    let s = args.pos.first().cloned().unwrap_or(Value::None);
    let d = dict_of(vm, &s).ok_or_else(|| Exc::type_error("descriptor requires a 'dict' object"))?;
    Ok((s, d))
}

fn dict_class(vm: &Vm, name: &str) -> Rc<Class> {
    let cls = make_class(name, vec![vm.types.dict.clone()], BaseKind::Builtin, None);
    *cls.module.borrow_mut() = "collections".into();
    cls
}

/// `dict.update` semantics for positional mapping/iterable and keywords.
fn update_from(vm: &Vm, d: &PyDict, src: Option<&Value>, kw: Vec<(crate::syntax::ast::Name, Value)>) -> PyResult<()> {
    if let Some(src) = src {
        match dict_of(vm, src) {
            Some(o) => {
                for (k, v) in o.items() {
                    d.set(vm, k, v)?;
                }
            }
            None => vm.dict_update(d, src)?,
        }
    }
    for (k, v) in kw {
        d.set(vm, Value::str(&k), v)?;
    }
    Ok(())
}

fn new_like(vm: &Vm, cls: &Rc<Class>, items: Vec<(Value, Value)>) -> PyResult<Value> {
    let d = PyDict::new();
    for (k, v) in items {
        d.set(vm, k, v)?;
    }
    Ok(Value::Instance(Instance::new(cls.clone(), Payload::Builtin(RefCell::new(Value::Dict(Rc::new(d)))))))
}

pub fn defaultdict(vm: &Vm) -> Rc<Class> {
    let cls = dict_class(vm, "defaultdict");
    add_method(vm, &cls, "__init__", |vm, args: Args| {
        let (s, d) = self_dict(vm, &args)?;
        let factory = args.pos.get(1).cloned().unwrap_or(Value::None);
        if !factory.is_none() && !crate::builtins::functions::callable(vm, &factory) {
            return Err(Exc::type_error("first argument must be callable or None"));
        }
        if let Value::Instance(i) = &s {
            i.attrs.borrow_mut().set(vm.intern("default_factory"), factory);
        }
        update_from(vm, &d, args.pos.get(2), args.kw)?;
        Ok(Value::None)
    });
    add_method(vm, &cls, "__missing__", |vm, args: Args| {
        let (s, d) = self_dict(vm, &args)?;
        let key = args.pos.get(1).cloned().unwrap_or(Value::None);
        let factory = vm.getattr(&s, "default_factory").unwrap_or(Value::None);
        if factory.is_none() {
            return Err(Exc::key_error(key));
        }
        let v = vm.call(&factory, Args::empty())?;
        d.set(vm, key, v.clone())?;
        Ok(v)
    });
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let (s, d) = self_dict(vm, &args)?;
        let factory = vm.getattr(&s, "default_factory").unwrap_or(Value::None);
        let f = vm.repr(&factory)?;
        let inner = vm.repr(&Value::Dict(d))?;
        Ok(Value::string(format!("{}({f}, {inner})", vm.type_name(&s))))
    });
    add_method(vm, &cls, "copy", |vm, args: Args| {
        let (s, d) = self_dict(vm, &args)?;
        let c = new_like(vm, &vm.type_of(&s), d.items())?;
        if let Value::Instance(i) = &c {
            i.attrs.borrow_mut().set(vm.intern("default_factory"), vm.getattr(&s, "default_factory").unwrap_or(Value::None));
        }
        Ok(c)
    });
    cls
}

pub fn ordered_dict(vm: &Vm) -> Rc<Class> {
    let cls = dict_class(vm, "OrderedDict");
    add_method(vm, &cls, "__init__", |vm, args: Args| {
        let (_, d) = self_dict(vm, &args)?;
        update_from(vm, &d, args.pos.get(1), args.kw)
            .map(|_| Value::None)
    });
    add_method(vm, &cls, "move_to_end", |vm, mut args: Args| {
        let last = match args.take_kw("last") {
            Some(v) => vm.truthy(&v)?,
            None => match args.pos.get(2) {
                Some(v) => vm.truthy(v)?,
                None => true,
            },
        };
        let (_, d) = self_dict(vm, &args)?;
        let key = args.pos.get(1).cloned().unwrap_or(Value::None);
        if !d.move_to_end(vm, &key, last)? {
            return Err(Exc::key_error(key));
        }
        Ok(Value::None)
    });
    add_method(vm, &cls, "popitem", |vm, mut args: Args| {
        let last = match args.take_kw("last") {
            Some(v) => vm.truthy(&v)?,
            None => match args.pos.get(1) {
                Some(v) => vm.truthy(v)?,
                None => true,
            },
        };
        let (_, d) = self_dict(vm, &args)?;
        let item = if last { d.pop_last() } else { d.pop_first() };
        match item {
            Some((k, v)) => Ok(Value::tuple(vec![k, v])),
            None => Err(Exc::with_args(crate::runtime::ExcKind::KeyError, vec![Value::str("dictionary is empty")])),
        }
    });
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let (s, d) = self_dict(vm, &args)?;
        let name = vm.type_name(&s);
        if d.is_empty() {
            return Ok(Value::string(format!("{name}()")));
        }
        let items: Vec<Value> = d.items().into_iter().map(|(k, v)| Value::tuple(vec![k, v])).collect();
        Ok(Value::string(format!("{name}({})", vm.repr(&Value::list(items))?)))
    });
    add_method(vm, &cls, "__eq__", |vm, args: Args| {
        let (_, a) = self_dict(vm, &args)?;
        let other = args.pos.get(1).cloned().unwrap_or(Value::None);
        let Some(b) = dict_of(vm, &other) else { return Ok(Value::NotImplemented) };
        let ordered = matches!(&other, Value::Instance(i) if i.class().lookup("move_to_end").is_some());
        let (x, y) = (a.items(), b.items());
        if x.len() != y.len() {
            return Ok(Value::Bool(false));
        }
        if ordered {
            for ((k1, v1), (k2, v2)) in x.iter().zip(y.iter()) {
                if !vm.eq(k1, k2)? || !vm.eq(v1, v2)? {
                    return Ok(Value::Bool(false));
                }
            }
            return Ok(Value::Bool(true));
        }
        for (k, v) in x {
            match b.get(vm, &k)? {
                Some(w) if vm.eq(&v, &w)? => {}
                _ => return Ok(Value::Bool(false)),
            }
        }
        Ok(Value::Bool(true))
    });
    cls.set_attr(vm.intern("__hash__"), Value::None);
    cls
}

fn count_of(vm: &Vm, d: &PyDict, k: &Value) -> PyResult<Value> {
    Ok(d.get(vm, k)?.unwrap_or(Value::Int(0)))
}

/// Counter.update / subtract: mappings add their counts, iterables count elements.
fn counter_add(vm: &Vm, d: &PyDict, src: Option<&Value>, kw: Vec<(crate::syntax::ast::Name, Value)>, sign: BinOp) -> PyResult<()> {
    if let Some(src) = src {
        if let Some(o) = dict_of(vm, src) {
            for (k, v) in o.items() {
                let cur = count_of(vm, d, &k)?;
                d.set(vm, k, vm.binop(sign, &cur, &v)?)?;
            }
        } else {
            let mut st = vm.iter_state(src)?;
            while let Some(k) = vm.iter_next(&mut st)? {
                let cur = count_of(vm, d, &k)?;
                d.set(vm, k, vm.binop(sign, &cur, &Value::Int(1))?)?;
            }
        }
    }
    for (k, v) in kw {
        let k = Value::str(&k);
        let cur = count_of(vm, d, &k)?;
        d.set(vm, k, vm.binop(sign, &cur, &v)?)?;
    }
    Ok(())
}

/// Items sorted by count, largest first; ties keep insertion order.
fn most_common(vm: &Vm, d: &PyDict) -> PyResult<Vec<Value>> {
    let mut items: Vec<Value> = d.items().into_iter().map(|(k, v)| Value::tuple(vec![k, v])).collect();
    let key = crate::runtime::function::BuiltinFunction::new("count", |_vm, args: Args| match args.pos.first() {
        Some(Value::Tuple(t)) => Ok(t.get(1).cloned().unwrap_or(Value::None)),
        _ => Ok(Value::None),
    });
    crate::builtins::functions::sort_values(vm, &mut items, Some(&key), true)?;
    Ok(items)
}

pub fn counter(vm: &Vm) -> Rc<Class> {
    let cls = dict_class(vm, "Counter");
    add_method(vm, &cls, "__init__", |vm, args: Args| {
        let (_, d) = self_dict(vm, &args)?;
        counter_add(vm, &d, args.pos.get(1), args.kw, BinOp::Add)?;
        Ok(Value::None)
    });
    add_method(vm, &cls, "update", |vm, args: Args| {
        let (_, d) = self_dict(vm, &args)?;
        counter_add(vm, &d, args.pos.get(1), args.kw, BinOp::Add)?;
        Ok(Value::None)
    });
    add_method(vm, &cls, "subtract", |vm, args: Args| {
        let (_, d) = self_dict(vm, &args)?;
        counter_add(vm, &d, args.pos.get(1), args.kw, BinOp::Sub)?;
        Ok(Value::None)
    });
    add_method(vm, &cls, "__missing__", |_vm, _args: Args| Ok(Value::Int(0)));
    add_method(vm, &cls, "most_common", |vm, args: Args| {
        let (_, d) = self_dict(vm, &args)?;
        let mut items = most_common(vm, &d)?;
        if let Some(n) = args.pos.get(1).filter(|n| !n.is_none()) {
            let n = vm.index_value(n)?.max(0) as usize;
            items.truncate(n);
        }
        Ok(Value::list(items))
    });
    add_method(vm, &cls, "elements", |vm, args: Args| {
        let (_, d) = self_dict(vm, &args)?;
        let mut out = Vec::new();
        for (k, v) in d.items() {
            let n = match v {
                Value::Int(n) => n,
                _ => 0,
            };
            for _ in 0..n.max(0) {
                out.push(k.clone());
            }
        }
        Ok(vm.iterator_object(IterState::Values { items: out, idx: 0 }, "itertools.chain"))
    });
    add_method(vm, &cls, "total", |vm, args: Args| {
        let (_, d) = self_dict(vm, &args)?;
        let mut acc = Value::Int(0);
        for v in d.values() {
            acc = vm.binop(BinOp::Add, &acc, &v)?;
        }
        Ok(acc)
    });
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let (s, d) = self_dict(vm, &args)?;
        let name = vm.type_name(&s);
        if d.is_empty() {
            return Ok(Value::string(format!("{name}()")));
        }
        let mut parts = Vec::new();
        for it in most_common(vm, &d)? {
            if let Value::Tuple(t) = it {
                if let [k, v] = &t[..] {
                    parts.push(format!("{}: {}", vm.repr(k)?, vm.repr(v)?));
                }
            }
        }
        Ok(Value::string(format!("{name}({{{}}})", parts.join(", "))))
    });
    // Multiset arithmetic: results keep only positive counts.
    for (name, op) in [("__add__", 0u8), ("__sub__", 1), ("__or__", 2), ("__and__", 3)] {
        add_method(vm, &cls, name, move |vm, args: Args| {
            let (s, a) = self_dict(vm, &args)?;
            let other = args.pos.get(1).cloned().unwrap_or(Value::None);
            let Some(b) = dict_of(vm, &other) else { return Ok(Value::NotImplemented) };
            let mut out = Vec::new();
            let zero = Value::Int(0);
            for (k, x) in a.items() {
                let y = b.get(vm, &k)?.unwrap_or(Value::Int(0));
                let r = match op {
                    0 => vm.binop(BinOp::Add, &x, &y)?,
                    1 => vm.binop(BinOp::Sub, &x, &y)?,
                    2 => if vm.less_than(&x, &y)? { y } else { x },
                    _ => if vm.less_than(&x, &y)? { x } else { y },
                };
                if vm.less_than(&zero, &r)? {
                    out.push((k, r));
                }
            }
            if op == 0 || op == 2 {
                for (k, y) in b.items() {
                    if a.get(vm, &k)?.is_none() && vm.less_than(&zero, &y)? {
                        out.push((k, y));
                    }
                }
            }
            new_like(vm, &vm.type_of(&s), out)
        });
    }
    cls
}
