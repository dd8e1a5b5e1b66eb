//! The `functools` module: partial, reduce, wraps/update_wrapper, lru_cache/cache,
//! cached_property, total_ordering, cmp_to_key.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::builtins::{add_fn, add_getter, add_method, set_value};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::function::BuiltinFunction;
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::{CmpOp, Name};
use crate::vm::types::make_class;
use crate::vm::Vm;
use crate::embed::limits::Ticker;

struct Partial {
    func: Value,
    args: Vec<Value>,
    kw: Vec<(Name, Value)>,
}

struct LruCache {
    func: Value,
    /// Insertion order doubles as recency order (hits are moved to the end).
    cache: PyDict,
    maxsize: Option<usize>,
    hits: Cell<u64>,
    misses: Cell<u64>,
}

struct CachedProperty {
    func: Value,
    name: RefCell<Option<Value>>,
}

struct KeyWrapper {
    cmp: Value,
    obj: Value,
}

fn new_class(vm: &Vm, name: &str) -> Rc<Class> {
    let cls = make_class(name, vec![vm.types.object.clone()], BaseKind::Native, None);
    *cls.module.borrow_mut() = "functools".into();
    cls
}

fn this<T: 'static>(v: Option<&Value>) -> PyResult<&T> {
    match v {
        Some(Value::Instance(i)) => i.native::<T>().ok_or_else(|| Exc::type_error("descriptor applied to the wrong object")),
        _ => Err(Exc::type_error("descriptor requires an argument")),
    }
}

const WRAPPER_ASSIGNMENTS: [&str; 5] = ["__module__", "__name__", "__qualname__", "__doc__", "__annotations__"];

/// `functools.update_wrapper`: copy identity attributes, merge `__dict__`, set `__wrapped__`.
pub fn update_wrapper(vm: &Vm, wrapper: &Value, wrapped: &Value) -> PyResult<()> {
    for name in WRAPPER_ASSIGNMENTS {
        match vm.getattr(wrapped, name) {
            Ok(v) => {
                // Builtin wrappers (lru_cache objects) keep these as plain attributes.
                if let Err(e) = vm.setattr(wrapper, name, v) {
                    if !vm.exc_is(&e, ExcKind::AttributeError) && !vm.exc_is(&e, ExcKind::TypeError) {
                        return Err(e);
                    }
                }
            }
            Err(e) if vm.exc_is(&e, ExcKind::AttributeError) => {}
            Err(e) => return Err(e),
        }
    }
    if let Ok(Value::Dict(d)) = vm.getattr(wrapped, "__dict__") {
        for (k, v) in d.items() {
            if let Value::Str(k) = &k {
                let _ = vm.setattr(wrapper, k.as_str(), v);
            }
        }
    }
    vm.setattr(wrapper, "__wrapped__", wrapped.clone())?;
    Ok(())
}

fn make_key(vm: &Vm, args: &Args) -> PyResult<Value> {
    // A flat tuple: positional args, then a marker and the keyword pairs (as CPython's _make_key).
    let mut parts: Vec<Value> = args.pos.iter().cloned().collect();
    if !args.kw.is_empty() {
        parts.push(Value::str("\u{0}kwd_mark"));
        for (k, v) in &args.kw {
            parts.push(Value::str(k));
            parts.push(v.clone());
        }
    }
    let key = Value::tuple(parts);
    vm.hash(&key)?; // unhashable arguments raise TypeError before calling
    Ok(key)
}

fn lru_call(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let c = this::<LruCache>(Some(me))?;
    if c.maxsize == Some(0) {
        c.misses.set(c.misses.get() + 1);
        return vm.call(&c.func, args);
    }
    let key = make_key(vm, &args)?;
    if let Some(v) = c.cache.get(vm, &key)? {
        c.hits.set(c.hits.get() + 1);
        if c.maxsize.is_some() {
            c.cache.move_to_end(vm, &key, true)?;
        }
        return Ok(v);
    }
    c.misses.set(c.misses.get() + 1);
    let r = vm.call(&c.func, args)?;
    c.cache.set(vm, key, r.clone())?;
    if let Some(max) = c.maxsize {
        while c.cache.len() > max {
            c.cache.pop_first();
        }
    }
    Ok(r)
}

fn cache_info_class(vm: &Vm) -> Rc<Class> {
    let cls = make_class("CacheInfo", vec![vm.types.tuple.clone()], BaseKind::Builtin, None);
    *cls.module.borrow_mut() = "functools".into();
    const NAMES: [&str; 4] = ["hits", "misses", "maxsize", "currsize"];
    for (i, name) in NAMES.iter().enumerate() {
        add_getter(vm, &cls, name, move |vm, args: Args| {
            let s = args.pos.first().cloned().unwrap_or(Value::None);
            match vm.builtin_value(&s) {
                Value::Tuple(t) => Ok(t.get(i).cloned().unwrap_or(Value::None)),
                _ => Ok(Value::None),
            }
        });
    }
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let Value::Tuple(t) = vm.builtin_value(&s) else { return Ok(Value::str("CacheInfo()")) };
        let mut parts = Vec::new();
        for (n, v) in NAMES.iter().zip(t.iter()) {
            parts.push(format!("{n}={}", vm.repr(v)?));
        }
        Ok(Value::string(format!("CacheInfo({})", parts.join(", "))))
    });
    cls
}

fn lru_class(vm: &Vm) -> Rc<Class> {
    let cls = new_class(vm, "_lru_cache_wrapper");
    add_method(vm, &cls, "__call__", |vm, mut args: Args| {
        if args.pos.is_empty() {
            return Err(Exc::type_error("descriptor '__call__' needs an argument"));
        }
        let me = args.pos.remove(0);
        lru_call(vm, &me, args)
    });
    let info_cls = cache_info_class(vm);
    add_method(vm, &cls, "cache_info", move |_vm, args: Args| {
        let c = this::<LruCache>(args.pos.first())?;
        let vals = vec![
            Value::Int(c.hits.get() as i64),
            Value::Int(c.misses.get() as i64),
            c.maxsize.map(|m| Value::Int(m as i64)).unwrap_or(Value::None),
            Value::Int(c.cache.len() as i64),
        ];
        Ok(Value::Instance(Instance::new(info_cls.clone(), Payload::Builtin(RefCell::new(Value::tuple(vals))))))
    });
    add_method(vm, &cls, "cache_clear", |_vm, args: Args| {
        let c = this::<LruCache>(args.pos.first())?;
        c.cache.clear();
        c.hits.set(0);
        c.misses.set(0);
        Ok(Value::None)
    });
    add_method(vm, &cls, "cache_parameters", |vm, args: Args| {
        let c = this::<LruCache>(args.pos.first())?;
        let d = PyDict::new();
        d.set(vm, Value::str("maxsize"), c.maxsize.map(|m| Value::Int(m as i64)).unwrap_or(Value::None))?;
        d.set(vm, Value::str("typed"), Value::Bool(false))?;
        Ok(Value::Dict(Rc::new(d)))
    });
    // Methods decorated with lru_cache bind like functions.
    add_method(vm, &cls, "__get__", |vm, args: Args| {
        let me = args.pos.first().cloned().unwrap_or(Value::None);
        match args.pos.get(1) {
            None | Some(Value::None) => Ok(me),
            Some(obj) => Ok(vm.bind_method(me, obj.clone())),
        }
    });
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let me = args.pos.first().cloned().unwrap_or(Value::None);
        Ok(Value::string(vm.default_repr(&me)))
    });
    cls
}

fn make_lru(vm: &Vm, cls: &Rc<Class>, func: Value, maxsize: Option<usize>) -> PyResult<Value> {
    let obj = Value::Instance(Instance::new(
        cls.clone(),
        Payload::Native(Box::new(LruCache { func: func.clone(), cache: PyDict::new(), maxsize, hits: Cell::new(0), misses: Cell::new(0) })),
    ));
    update_wrapper(vm, &obj, &func)?;
    Ok(obj)
}

fn partial_class(vm: &Vm) -> Rc<Class> {
    let cls = new_class(vm, "partial");
    add_method(vm, &cls, "__new__", |vm, args: Args| {
        let Some(Value::Class(c)) = args.pos.first().cloned() else {
            return Err(Exc::type_error("partial.__new__(X): X is not a type object"));
        };
        let Some(func) = args.pos.get(1).cloned() else {
            return Err(Exc::type_error("type 'partial' takes at least one argument"));
        };
        if !crate::builtins::functions::callable(vm, &func) {
            return Err(Exc::type_error("the first argument must be callable"));
        }
        let mut pargs: Vec<Value> = args.pos[2..].to_vec();
        let mut kw = args.kw;
        // partial(partial(f, 1), 2) flattens into partial(f, 1, 2).
        let func = match &func {
            Value::Instance(i) if i.native::<Partial>().is_some() => {
                let inner = i.native::<Partial>().map(|p| (p.func.clone(), p.args.clone(), p.kw.clone()));
                match inner {
                    Some((f, a, k)) => {
                        let mut all = a;
                        all.extend(pargs);
                        pargs = all;
                        let mut merged = k;
                        for (n, v) in kw {
                            merged.retain(|(m, _)| *m != n);
                            merged.push((n, v));
                        }
                        kw = merged;
                        f
                    }
                    None => func.clone(),
                }
            }
            _ => func.clone(),
        };
        Ok(Value::Instance(Instance::new(c, Payload::Native(Box::new(Partial { func, args: pargs, kw })))))
    });
    add_method(vm, &cls, "__init__", |_vm, _args: Args| Ok(Value::None));
    add_method(vm, &cls, "__call__", |vm, args: Args| {
        let p = this::<Partial>(args.pos.first())?;
        let mut pos: Vec<Value> = p.args.clone();
        pos.extend(args.pos.iter().skip(1).cloned());
        let mut kw = p.kw.clone();
        for (n, v) in args.kw {
            kw.retain(|(m, _)| *m != n);
            kw.push((n, v));
        }
        let func = p.func.clone();
        vm.call(&func, Args { pos: pos.into_iter().collect(), kw })
    });
    add_getter(vm, &cls, "func", |_vm, args: Args| Ok(this::<Partial>(args.pos.first())?.func.clone()));
    add_getter(vm, &cls, "args", |_vm, args: Args| Ok(Value::tuple(this::<Partial>(args.pos.first())?.args.clone())));
    add_getter(vm, &cls, "keywords", |vm, args: Args| {
        let p = this::<Partial>(args.pos.first())?;
        let d = PyDict::new();
        for (k, v) in &p.kw {
            d.set(vm, Value::str(k), v.clone())?;
        }
        Ok(Value::Dict(Rc::new(d)))
    });
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let p = this::<Partial>(args.pos.first())?;
        let mut parts = vec![vm.repr(&p.func)?];
        for a in &p.args {
            parts.push(vm.repr(a)?);
        }
        for (k, v) in &p.kw {
            parts.push(format!("{k}={}", vm.repr(v)?));
        }
        Ok(Value::string(format!("functools.partial({})", parts.join(", "))))
    });
    cls
}

fn cached_property_class(vm: &Vm) -> Rc<Class> {
    let cls = new_class(vm, "cached_property");
    add_method(vm, &cls, "__new__", |_vm, args: Args| {
        let (Some(Value::Class(c)), Some(f)) = (args.pos.first().cloned(), args.pos.get(1).cloned()) else {
            return Err(Exc::type_error("cached_property() takes exactly one argument"));
        };
        Ok(Value::Instance(Instance::new(c, Payload::Native(Box::new(CachedProperty { func: f, name: RefCell::new(None) })))))
    });
    add_method(vm, &cls, "__init__", |_vm, _args: Args| Ok(Value::None));
    add_method(vm, &cls, "__set_name__", |_vm, args: Args| {
        let p = this::<CachedProperty>(args.pos.first())?;
        *p.name.borrow_mut() = args.pos.get(2).cloned();
        Ok(Value::None)
    });
    add_method(vm, &cls, "__get__", |vm, args: Args| {
        let me = args.pos.first().cloned().unwrap_or(Value::None);
        let obj = args.pos.get(1).cloned().unwrap_or(Value::None);
        if obj.is_none() {
            return Ok(me);
        }
        let p = this::<CachedProperty>(Some(&me))?;
        let name = p.name.borrow().clone();
        let func = p.func.clone();
        let Some(Value::Str(name)) = name else {
            return Err(Exc::type_error("Cannot use cached_property instance without calling __set_name__ on it."));
        };
        let v = vm.call1(&func, obj.clone())?;
        // Stored in the instance dict: later lookups find it before this non-data descriptor.
        if let Value::Instance(i) = &obj {
            i.attrs.borrow_mut().set(vm.intern(name.as_str()), v.clone());
        }
        Ok(v)
    });
    cls
}

fn key_wrapper_class(vm: &Vm) -> Rc<Class> {
    let cls = new_class(vm, "KeyWrapper");
    for (name, op) in [
        ("__lt__", CmpOp::Lt),
        ("__gt__", CmpOp::Gt),
        ("__le__", CmpOp::LtE),
        ("__ge__", CmpOp::GtE),
        ("__eq__", CmpOp::Eq),
        ("__ne__", CmpOp::NotEq),
    ] {
        add_method(vm, &cls, name, move |vm, args: Args| {
            let a = this::<KeyWrapper>(args.pos.first())?;
            let b = match args.pos.get(1) {
                Some(Value::Instance(i)) => match i.native::<KeyWrapper>() {
                    Some(k) => k.obj.clone(),
                    None => return Err(Exc::type_error("other argument must be K instance")),
                },
                _ => return Err(Exc::type_error("other argument must be K instance")),
            };
            let (cmp, x) = (a.cmp.clone(), a.obj.clone());
            let r = vm.call(&cmp, Args::new([x, b]))?;
            vm.compare(op, &r, &Value::Int(0))
        });
    }
    set_hash_none(vm, &cls);
    add_getter(vm, &cls, "obj", |_vm, args: Args| Ok(this::<KeyWrapper>(args.pos.first())?.obj.clone()));
    cls
}

fn set_hash_none(vm: &Vm, cls: &Rc<Class>) {
    cls.set_attr(vm.intern("__hash__"), Value::None);
}

/// `total_ordering`: derive the missing comparisons from the one the class defines.
fn total_ordering(vm: &Vm, cls: &Value) -> PyResult<Value> {
    let Value::Class(c) = cls else { return Err(Exc::type_error("total_ordering() argument must be a class")) };
    let defined = |n: &str| -> bool {
        match c.lookup(n) {
            None | Some(Value::None) => false,
            Some(v) => match vm.types.object.lookup(n) {
                Some(o) => !o.is(&v),
                None => true,
            },
        }
    };
    // CPython picks max() of the defined names: __lt__ > __le__ > __gt__ > __ge__.
    let root = ["__lt__", "__le__", "__gt__", "__ge__"].into_iter().find(|n| defined(n));
    let Some(root) = root else {
        return Err(Exc::value_error("must define at least one ordering operation: < > <= >="));
    };
    // (derived name, negate root result, combine with eq: 0 none, 1 "or eq", 2 "and not eq")
    let derived: &[(&str, bool, u8)] = match root {
        "__lt__" => &[("__gt__", true, 2), ("__le__", false, 1), ("__ge__", true, 0)],
        "__le__" => &[("__ge__", true, 1), ("__lt__", false, 2), ("__gt__", true, 0)],
        "__gt__" => &[("__lt__", true, 2), ("__ge__", false, 1), ("__le__", true, 0)],
        _ => &[("__le__", true, 1), ("__gt__", false, 2), ("__lt__", true, 0)],
    };
    for &(name, negate, combine) in derived {
        if defined(name) {
            continue;
        }
        let root_name = root;
        let f = BuiltinFunction::new(name, move |vm, args: Args| {
            let [a, b] = args.exact::<2>(name)?;
            let cls = vm.type_of(&a);
            let m = cls.lookup(root_name).ok_or_else(|| Exc::type_error("missing root comparison"))?;
            let r = vm.call(&m, Args::new([a.clone(), b.clone()]))?;
            if matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
            let mut res = vm.truthy(&r)?;
            if negate {
                res = !res;
            }
            match combine {
                1 if !res => res = vm.eq(&a, &b)?,
                2 if res => res = !vm.eq(&a, &b)?,
                _ => {}
            }
            Ok(Value::Bool(res))
        });
        c.set_attr(vm.intern(name), f);
    }
    Ok(cls.clone())
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "functools");
    let g = &m.globals;
    set_value(vm, g, "partial", Value::Class(partial_class(vm)));
    set_value(vm, g, "cached_property", Value::Class(cached_property_class(vm)));
    set_value(vm, g, "WRAPPER_ASSIGNMENTS", Value::tuple(WRAPPER_ASSIGNMENTS.iter().map(|s| Value::str(s)).collect()));
    set_value(vm, g, "WRAPPER_UPDATES", Value::tuple(vec![Value::str("__dict__")]));
    add_fn(vm, g, "reduce", |vm, args: Args| {
        args.no_kw("reduce")?;
        let (f, it, init) = match &args.pos[..] {
            [f, it] => (f.clone(), it.clone(), None),
            [f, it, init] => (f.clone(), it.clone(), Some(init.clone())),
            a => return Err(Exc::type_error(format!("reduce expected at least 2 arguments, got {}", a.len()))),
        };
        let mut st = vm.iter_state(&it)?;
        let mut acc = match init {
            Some(v) => v,
            None => match vm.iter_next(&mut st)? {
                Some(v) => v,
                None => return Err(Exc::type_error("reduce() of empty iterable with no initial value")),
            },
        };
        let mut ticker = Ticker::default();
        while let Some(x) = vm.iter_next(&mut st)? {
            ticker.tick(vm)?;
            acc = vm.call(&f, Args::new([acc, x]))?;
        }
        Ok(acc)
    });
    add_fn(vm, g, "update_wrapper", |vm, mut args: Args| {
        let _ = args.take_kw("assigned");
        let _ = args.take_kw("updated");
        let [wrapper, wrapped] = args.exact::<2>("update_wrapper")?;
        update_wrapper(vm, &wrapper, &wrapped)?;
        Ok(wrapper)
    });
    add_fn(vm, g, "wraps", |_vm, mut args: Args| {
        let _ = args.take_kw("assigned");
        let _ = args.take_kw("updated");
        let [wrapped] = args.exact::<1>("wraps")?;
        Ok(BuiltinFunction::new("wraps", move |vm, args: Args| {
            let [wrapper] = args.exact::<1>("wraps")?;
            update_wrapper(vm, &wrapper, &wrapped)?;
            Ok(wrapper)
        }))
    });
    let lru = lru_class(vm);
    let l2 = lru.clone();
    add_fn(vm, g, "lru_cache", move |vm, mut args: Args| {
        let _ = args.take_kw("typed");
        let maxsize_kw = args.take_kw("maxsize");
        args.no_kw("lru_cache")?;
        let first = args.pos.first().cloned().or(maxsize_kw).unwrap_or(Value::Int(128));
        let maxsize = match &first {
            Value::None => None,
            Value::Int(n) => Some((*n).max(0) as usize),
            Value::Bool(b) => Some(*b as usize),
            f if crate::builtins::functions::callable(vm, f) => {
                // Used bare: @lru_cache
                return make_lru(vm, &l2, f.clone(), Some(128));
            }
            _ => return Err(Exc::type_error("Expected first argument to be an integer, a callable, or None")),
        };
        let cls = l2.clone();
        Ok(BuiltinFunction::new("decorating_function", move |vm, args: Args| {
            let [f] = args.exact::<1>("decorating_function")?;
            make_lru(vm, &cls, f, maxsize)
        }))
    });
    add_fn(vm, g, "cache", move |vm, args: Args| {
        let [f] = args.exact::<1>("cache")?;
        make_lru(vm, &lru, f, None)
    });
    add_fn(vm, g, "total_ordering", |vm, args: Args| {
        let [c] = args.exact::<1>("total_ordering")?;
        total_ordering(vm, &c)
    });
    let kw_cls = key_wrapper_class(vm);
    add_fn(vm, g, "cmp_to_key", move |_vm, args: Args| {
        let [cmp] = args.bind("cmp_to_key", ["mycmp"], 1)?;
        let cmp = cmp.unwrap_or(Value::None);
        let cls = kw_cls.clone();
        Ok(BuiltinFunction::new("K", move |_vm, args: Args| {
            let [obj] = args.exact::<1>("K")?;
            Ok(Value::Instance(Instance::new(cls.clone(), Payload::Native(Box::new(KeyWrapper { cmp: cmp.clone(), obj })))))
        }))
    });
    Ok(m)
}
