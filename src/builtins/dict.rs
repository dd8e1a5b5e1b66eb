//! Methods of the builtin `dict` type and of its live views `dict_keys`,
//! `dict_values`, `dict_items`.
//!
//! A view is an `Instance` of one of the three view classes with a `DictViewObj`
//! payload pointing at the dict itself, so it sees later mutation. The vm already
//! iterates views natively (`IterState::Dict`); `len`, `in`, `repr`, `reversed` and
//! the set operators reach the special methods defined here. Set operations follow
//! CPython's `dictviews_*` functions so the resulting sets print in the same order.

use std::rc::Rc;

use super::constructors::dict_of;
use super::list::{arity, def, no_args, one_arg, wrong_self};
use super::{add_classmethod, add_getter};
use crate::runtime::class::{BaseKind, Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::set::PySet;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::CmpOp;
use crate::vm::iter::{DictView, DictViewObj, IterState};
use crate::vm::Vm;
use crate::embed::limits::Ticker;

fn this_dict(vm: &Vm, v: &Value, name: &str) -> PyResult<Rc<PyDict>> {
    dict_of(v).map_err(|_| wrong_self(vm, "dict", name, v))
}

fn view_name(view: DictView) -> &'static str {
    match view {
        DictView::Keys => "dict_keys",
        DictView::Values => "dict_values",
        DictView::Items => "dict_items",
    }
}

/// A live view of `d`. The view classes are registered once (in `install`) in the
/// vm's table of native helper classes, so other modules can make views too.
pub fn make_view(vm: &Vm, d: Rc<PyDict>, view: DictView) -> Value {
    let cls = vm.iter_class(view_name(view));
    Value::Instance(Instance::new(cls, Payload::Native(Box::new(DictViewObj { dict: d, view }))))
}

/// The dict and kind of a view value.
fn as_view(v: &Value) -> Option<(Rc<PyDict>, DictView)> {
    match v {
        Value::Instance(i) => i.native::<DictViewObj>().map(|o| (o.dict.clone(), o.view)),
        _ => None,
    }
}

fn this_view(vm: &Vm, v: &Value, name: &str, kind: DictView) -> PyResult<Rc<PyDict>> {
    match as_view(v) {
        Some((d, k)) if k == kind => Ok(d),
        _ => Err(wrong_self(vm, view_name(kind), name, v)),
    }
}

/// What a view yields, materialised (for repr, reversed, set operations).
fn view_items(d: &PyDict, view: DictView) -> Vec<Value> {
    match view {
        DictView::Keys => d.keys(),
        DictView::Values => d.values(),
        DictView::Items => d.items().into_iter().map(|(k, v)| Value::tuple(vec![k, v])).collect(),
    }
}

/// `x in view` (CPython's `dictkeys_contains` / `dictitems_contains` / values scan).
fn view_contains(vm: &Vm, d: &PyDict, view: DictView, x: &Value) -> PyResult<bool> {
    match view {
        DictView::Keys => d.contains(vm, x),
        DictView::Items => {
            let Value::Tuple(t) = x else { return Ok(false) };
            let [k, v] = &t[..] else { return Ok(false) };
            match d.get(vm, k)? {
                Some(found) => vm.eq_or_same(&found, v),
                None => Ok(false),
            }
        }
        DictView::Values => {
            for v in d.values() {
                if vm.eq_or_same(&v, x)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

/// `x in other` for the right operand of a view operation (a view, or anything `in` works on).
fn contains_any(vm: &Vm, container: &Value, x: &Value) -> PyResult<bool> {
    match as_view(container) {
        Some((d, k)) => view_contains(vm, &d, k, x),
        None => vm.contains(container, x),
    }
}

fn len_any(vm: &Vm, v: &Value) -> PyResult<usize> {
    match as_view(v) {
        Some((d, _)) => Ok(d.len()),
        None => vm.len(v),
    }
}

/// `dictviews_to_set`: a new set holding a view's (or any iterable's) items.
fn to_set(vm: &Vm, v: &Value) -> PyResult<PySet> {
    let s = PySet::new();
    match as_view(v) {
        // CPython builds the set from the dict itself for keys views (presized).
        Some((d, DictView::Keys)) => super::set::update_from_dict(vm, &s, &d)?,
        _ => super::set::set_update(vm, &s, v)?,
    }
    Ok(s)
}

fn is_set_like(v: &Value) -> bool {
    super::set::as_anyset(v).is_some() || matches!(as_view(v), Some((_, DictView::Keys | DictView::Items)))
}

/// `_PyDictView_Intersect`.
fn view_and(vm: &Vm, a: &Value, b: &Value) -> PyResult<Value> {
    // Python swaps the operands when the view is on the right of `&`.
    let (mut this, mut other) = if as_view(a).is_some() { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) };
    let len_self = len_any(vm, &this)?;
    if let Value::Set(s) = &other {
        if len_self <= s.len() {
            let out = super::set::intersection(vm, s, &this)?;
            return Ok(Value::Set(Rc::new(out)));
        }
    }
    if let Some((od, _)) = as_view(&other) {
        if od.len() > len_self {
            std::mem::swap(&mut this, &mut other);
        }
    }
    let result = PySet::new();
    let mut st = vm.iter_state(&other)?;
    let mut ticker = Ticker::default();
    while let Some(x) = vm.iter_next(&mut st)? {
        ticker.tick(vm)?;
        if contains_any(vm, &this, &x)? {
            result.add(vm, x)?;
        }
    }
    Ok(Value::Set(Rc::new(result)))
}

fn view_binop(vm: &Vm, name: &str, a: &Value, b: &Value) -> PyResult<Value> {
    match name {
        "and" => view_and(vm, a, b),
        "or" => {
            let s = to_set(vm, a)?;
            super::set::set_update(vm, &s, b)?;
            Ok(Value::Set(Rc::new(s)))
        }
        "sub" => {
            let s = to_set(vm, a)?;
            super::set::difference_update(vm, &s, b)?;
            Ok(Value::Set(Rc::new(s)))
        }
        _ => {
            let s = to_set(vm, a)?;
            super::set::symmetric_difference_update(vm, &s, b)?;
            Ok(Value::Set(Rc::new(s)))
        }
    }
}

/// Every item of `a` is in `b` (CPython's `all_contained_in`).
fn all_contained_in(vm: &Vm, a: &Value, b: &Value) -> PyResult<bool> {
    let mut st = vm.iter_state(a)?;
    let mut ticker = Ticker::default();
    while let Some(x) = vm.iter_next(&mut st)? {
        ticker.tick(vm)?;
        if !contains_any(vm, b, &x)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `dictview_richcompare`: views of keys and items compare like sets.
fn view_compare(vm: &Vm, op: CmpOp, a: &Value, b: &Value) -> PyResult<Value> {
    if !is_set_like(b) {
        return Ok(Value::NotImplemented);
    }
    let (la, lb) = (len_any(vm, a)?, len_any(vm, b)?);
    let r = match op {
        CmpOp::Eq | CmpOp::NotEq => {
            let eq = la == lb && all_contained_in(vm, a, b)?;
            if op == CmpOp::Eq {
                eq
            } else {
                !eq
            }
        }
        CmpOp::Lt => la < lb && all_contained_in(vm, a, b)?,
        CmpOp::LtE => la <= lb && all_contained_in(vm, a, b)?,
        CmpOp::Gt => la > lb && all_contained_in(vm, b, a)?,
        _ => la >= lb && all_contained_in(vm, b, a)?,
    };
    Ok(Value::Bool(r))
}

fn view_repr(vm: &Vm, this: &Value, d: &PyDict, view: DictView) -> PyResult<String> {
    // Guard against a view nested inside its own dict (`{1: dict_values([...])}`).
    let id = this.identity();
    if vm.repr_guard.borrow().contains(&id) {
        return Ok("...".into());
    }
    vm.repr_guard.borrow_mut().push(id);
    let items = view_items(d, view);
    let r = vm.repr(&Value::list(items));
    vm.repr_guard.borrow_mut().pop();
    Ok(format!("{}({})", view_name(view), r?))
}

fn install_view(vm: &Vm, view: DictView) {
    let name = view_name(view);
    let cls = crate::vm::types::make_class(name, vec![vm.types.object.clone()], BaseKind::Native, None);
    vm.iter_classes.borrow_mut().insert(name, cls.clone());
    let c = &cls;
    def(vm, c, "__len__", move |vm, this, args| {
        let d = this_view(vm, &this, "__len__", view)?;
        no_args(&args, "__len__")?;
        Ok(Value::Int(d.len() as i64))
    });
    def(vm, c, "__iter__", move |vm, this, args| {
        let d = this_view(vm, &this, "__iter__", view)?;
        no_args(&args, "__iter__")?;
        let it_name = match view {
            DictView::Keys => "dict_keyiterator",
            DictView::Values => "dict_valueiterator",
            DictView::Items => "dict_itemiterator",
        };
        let st = IterState::Dict { pos: 0, version: d.version(), len: d.len(), view, d };
        Ok(vm.iterator_object(st, it_name))
    });
    def(vm, c, "__reversed__", move |vm, this, args| {
        let d = this_view(vm, &this, "__reversed__", view)?;
        no_args(&args, "__reversed__")?;
        let mut items = view_items(&d, view);
        items.reverse();
        let it_name = match view {
            DictView::Keys => "dict_reversekeyiterator",
            DictView::Values => "dict_reversevalueiterator",
            DictView::Items => "dict_reverseitemiterator",
        };
        Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, it_name))
    });
    def(vm, c, "__contains__", move |vm, this, args| {
        let d = this_view(vm, &this, "__contains__", view)?;
        let x = one_arg(args, "__contains__")?;
        Ok(Value::Bool(view_contains(vm, &d, view, &x)?))
    });
    def(vm, c, "__repr__", move |vm, this, args| {
        let d = this_view(vm, &this, "__repr__", view)?;
        no_args(&args, "__repr__")?;
        Ok(Value::string(view_repr(vm, &this, &d, view)?))
    });
    add_getter(vm, c, "mapping", move |vm, args: Args| {
        let [this] = args.exact::<1>("mapping")?;
        let d = this_view(vm, &this, "mapping", view)?;
        Ok(Value::Dict(d))
    });
    if view == DictView::Values {
        return;
    }
    // Keys and items views are set-like.
    cls.set_attr(vm.intern("__hash__"), Value::None);
    for (mname, op) in [
        ("__eq__", CmpOp::Eq),
        ("__ne__", CmpOp::NotEq),
        ("__lt__", CmpOp::Lt),
        ("__le__", CmpOp::LtE),
        ("__gt__", CmpOp::Gt),
        ("__ge__", CmpOp::GtE),
    ] {
        def(vm, c, mname, move |vm, this, args| {
            this_view(vm, &this, mname, view)?;
            let other = one_arg(args, mname)?;
            view_compare(vm, op, &this, &other)
        });
    }
    for (mname, opname, reflected) in [
        ("__and__", "and", false),
        ("__rand__", "and", true),
        ("__or__", "or", false),
        ("__ror__", "or", true),
        ("__sub__", "sub", false),
        ("__rsub__", "sub", true),
        ("__xor__", "xor", false),
        ("__rxor__", "xor", true),
    ] {
        def(vm, c, mname, move |vm, this, args| {
            this_view(vm, &this, mname, view)?;
            let other = one_arg(args, mname)?;
            if !vm.is_iterable(&other) {
                return Ok(Value::NotImplemented);
            }
            if reflected {
                view_binop(vm, opname, &other, &this)
            } else {
                view_binop(vm, opname, &this, &other)
            }
        });
    }
    def(vm, c, "isdisjoint", move |vm, this, args| {
        let d = this_view(vm, &this, "isdisjoint", view)?;
        let other = one_arg(args, "isdisjoint")?;
        // Iterate the smaller side when both sizes are known (as CPython does).
        let other_len = if is_set_like(&other) { Some(len_any(vm, &other)?) } else { None };
        match other_len {
            Some(n) if d.len() <= n => {
                for x in view_items(&d, view) {
                    if contains_any(vm, &other, &x)? {
                        return Ok(Value::Bool(false));
                    }
                }
            }
            _ => {
                let mut st = vm.iter_state(&other)?;
                let mut ticker = Ticker::default();
                while let Some(x) = vm.iter_next(&mut st)? {
                    ticker.tick(vm)?;
                    if view_contains(vm, &d, view, &x)? {
                        return Ok(Value::Bool(false));
                    }
                }
            }
        }
        Ok(Value::Bool(true))
    });
}

/// The dict inside `v` if it is a dict or a dict subclass instance.
fn as_dict(v: &Value) -> Option<Rc<PyDict>> {
    dict_of(v).ok()
}

pub fn install(vm: &Vm) {
    install_view(vm, DictView::Keys);
    install_view(vm, DictView::Values);
    install_view(vm, DictView::Items);

    let cls = vm.types.dict.clone();
    let c = &cls;

    def(vm, c, "get", |vm, this, args| {
        let d = this_dict(vm, &this, "get")?;
        arity(&args, "get", 1, 2)?;
        Ok(d.get(vm, &args.pos[0])?.unwrap_or_else(|| args.pos.get(1).cloned().unwrap_or(Value::None)))
    });
    def(vm, c, "setdefault", |vm, this, args| {
        let d = this_dict(vm, &this, "setdefault")?;
        arity(&args, "setdefault", 1, 2)?;
        let k = args.pos[0].clone();
        if let Some(v) = d.get(vm, &k)? {
            return Ok(v);
        }
        let default = args.pos.get(1).cloned().unwrap_or(Value::None);
        d.set(vm, k, default.clone())?;
        Ok(default)
    });
    def(vm, c, "pop", |vm, this, args| {
        let d = this_dict(vm, &this, "pop")?;
        arity(&args, "pop", 1, 2)?;
        match d.remove(vm, &args.pos[0])? {
            Some(v) => Ok(v),
            None => match args.pos.get(1) {
                Some(default) => Ok(default.clone()),
                None => Err(Exc::key_error(args.pos[0].clone())),
            },
        }
    });
    def(vm, c, "popitem", |vm, this, args| {
        let d = this_dict(vm, &this, "popitem")?;
        no_args(&args, "dict.popitem")?;
        match d.pop_last() {
            Some((k, v)) => Ok(Value::tuple(vec![k, v])),
            None => Err(Exc::key_error(Value::str("popitem(): dictionary is empty"))),
        }
    });
    def(vm, c, "update", |vm, this, args| {
        let d = this_dict(vm, &this, "update")?;
        if args.pos.len() > 1 {
            return Err(Exc::type_error(format!("update expected at most 1 argument, got {}", args.pos.len())));
        }
        if let Some(src) = args.pos.first() {
            vm.dict_update(&d, src)?;
        }
        for (k, v) in args.kw {
            d.set(vm, Value::str(&k), v)?;
        }
        Ok(Value::None)
    });
    def(vm, c, "copy", |vm, this, args| {
        let d = this_dict(vm, &this, "copy")?;
        no_args(&args, "dict.copy")?;
        // A plain dict even for subclasses, as CPython's `PyDict_Copy`.
        Ok(Value::Dict(Rc::new(d.copy())))
    });
    def(vm, c, "clear", |vm, this, args| {
        let d = this_dict(vm, &this, "clear")?;
        no_args(&args, "dict.clear")?;
        d.clear();
        Ok(Value::None)
    });
    for (name, view) in [("keys", DictView::Keys), ("values", DictView::Values), ("items", DictView::Items)] {
        def(vm, c, name, move |vm, this, args| {
            let d = this_dict(vm, &this, name)?;
            no_args(&args, &format!("dict.{name}"))?;
            Ok(make_view(vm, d, view))
        });
    }
    let dict_cls = cls.clone();
    add_classmethod(vm, c, "fromkeys", move |vm, args: Args| {
        let mut pos = args.pos.into_iter();
        let target = pos.next().unwrap_or(Value::None);
        let rest = Args { pos: pos.collect(), kw: args.kw };
        arity(&rest, "fromkeys", 1, 2)?;
        let value = rest.pos.get(1).cloned().unwrap_or(Value::None);
        let keys = vm.collect(&rest.pos[0])?;
        match &target {
            Value::Class(k) if Rc::ptr_eq(k, &dict_cls) => {
                let d = PyDict::new();
                for key in keys {
                    d.set(vm, key, value.clone())?;
                }
                Ok(Value::Dict(Rc::new(d)))
            }
            _ => {
                // A subclass: instantiate it and go through its `__setitem__`.
                let obj = vm.call(&target, Args::empty())?;
                for key in keys {
                    vm.setitem(&obj, key, value.clone())?;
                }
                Ok(obj)
            }
        }
    });

    def(vm, c, "__getitem__", |vm, this, args| {
        let d = this_dict(vm, &this, "__getitem__")?;
        let k = one_arg(args, "dict.__getitem__")?;
        if let Some(v) = d.get(vm, &k)? {
            return Ok(v);
        }
        // Subclasses may define `__missing__` (defaultdict-style).
        if matches!(this, Value::Instance(_)) {
            if let Some(r) = vm.call_dunder(&this, "__missing__", Args::one(k.clone()))? {
                return Ok(r);
            }
        }
        Err(Exc::key_error(k))
    });
    def(vm, c, "__setitem__", |vm, this, args| {
        let d = this_dict(vm, &this, "__setitem__")?;
        let [k, v] = args.exact::<2>("__setitem__")?;
        d.set(vm, k, v)?;
        Ok(Value::None)
    });
    def(vm, c, "__delitem__", |vm, this, args| {
        let d = this_dict(vm, &this, "__delitem__")?;
        let k = one_arg(args, "dict.__delitem__")?;
        match d.remove(vm, &k)? {
            Some(_) => Ok(Value::None),
            None => Err(Exc::key_error(k)),
        }
    });
    def(vm, c, "__contains__", |vm, this, args| {
        let d = this_dict(vm, &this, "__contains__")?;
        let k = one_arg(args, "dict.__contains__")?;
        Ok(Value::Bool(d.contains(vm, &k)?))
    });
    def(vm, c, "__len__", |vm, this, args| {
        let d = this_dict(vm, &this, "__len__")?;
        no_args(&args, "dict.__len__")?;
        Ok(Value::Int(d.len() as i64))
    });
    def(vm, c, "__iter__", |vm, this, args| {
        let d = this_dict(vm, &this, "__iter__")?;
        no_args(&args, "dict.__iter__")?;
        vm.get_iter(&Value::Dict(d))
    });
    def(vm, c, "__reversed__", |vm, this, args| {
        let d = this_dict(vm, &this, "__reversed__")?;
        no_args(&args, "dict.__reversed__")?;
        let mut items = d.keys();
        items.reverse();
        Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, "dict_reversekeyiterator"))
    });
    def(vm, c, "__or__", |vm, this, args| {
        let d = this_dict(vm, &this, "__or__")?;
        let other = one_arg(args, "dict.__or__")?;
        let Some(o) = as_dict(&other) else { return Ok(Value::NotImplemented) };
        let out = d.copy();
        vm.dict_update(&out, &Value::Dict(o))?;
        Ok(Value::Dict(Rc::new(out)))
    });
    def(vm, c, "__ror__", |vm, this, args| {
        let d = this_dict(vm, &this, "__ror__")?;
        let other = one_arg(args, "dict.__ror__")?;
        let Some(o) = as_dict(&other) else { return Ok(Value::NotImplemented) };
        let out = o.copy();
        vm.dict_update(&out, &Value::Dict(d))?;
        Ok(Value::Dict(Rc::new(out)))
    });
    def(vm, c, "__ior__", |vm, this, args| {
        let d = this_dict(vm, &this, "__ior__")?;
        let other = one_arg(args, "dict.__ior__")?;
        vm.dict_update(&d, &other)?;
        Ok(this)
    });
    for (name, op) in [("__eq__", CmpOp::Eq), ("__ne__", CmpOp::NotEq)] {
        def(vm, c, name, move |vm, this, args| {
            let d = this_dict(vm, &this, name)?;
            let other = one_arg(args, name)?;
            let Some(o) = as_dict(&other) else { return Ok(Value::NotImplemented) };
            vm.compare(op, &Value::Dict(d), &Value::Dict(o))
        });
    }
    def(vm, c, "__repr__", |vm, this, args| {
        let d = this_dict(vm, &this, "__repr__")?;
        no_args(&args, "dict.__repr__")?;
        Ok(Value::string(vm.repr(&Value::Dict(d))?))
    });
    // Dicts are unhashable, subclasses included.
    cls.set_attr(vm.intern("__hash__"), Value::None);
}
