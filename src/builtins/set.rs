//! Methods of the builtin `set` and `frozenset` types.
//!
//! Sets print in their hash table's slot order, so every method follows the
//! algorithm of CPython 3.11's `setobject.c` step by step (which set is copied, which
//! one is iterated, when the table is presized or compacted): that is what makes
//! `print(a - b)` show the same order as CPython. The free functions here are the
//! building blocks, shared with the dict views in `dict.rs`.

use std::rc::Rc;

use super::constructors::set_of;
use super::list::{def, no_args, one_arg, wrong_self};
use crate::runtime::class::{Class, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::set::PySet;
use crate::runtime::{Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::BinOp;
use crate::vm::Vm;
use crate::embed::limits::Ticker;

/// The set inside a set, a frozenset, or an instance of a subclass of either.
pub(crate) fn as_anyset(v: &Value) -> Option<Rc<PySet>> {
    set_of(v).ok()
}

/// Whether `v` is a frozenset (or a frozenset subclass instance).
fn is_frozen(v: &Value) -> bool {
    match v {
        Value::FrozenSet(_) => true,
        Value::Instance(i) => match &i.payload {
            Payload::Builtin(b) => matches!(&*b.borrow(), Value::FrozenSet(_)),
            _ => false,
        },
        _ => false,
    }
}

/// A new set of the builtin base type of `like` (`make_new_set_basetype`).
fn wrap_like(like: &Value, s: PySet) -> Value {
    if is_frozen(like) {
        Value::FrozenSet(Rc::new(s))
    } else {
        Value::Set(Rc::new(s))
    }
}

/// `set_copy`: a fresh table filled by `set_merge` (dummies are not copied).
pub(crate) fn set_copy(vm: &Vm, s: &PySet) -> PyResult<PySet> {
    let out = PySet::new();
    out.update_from_set(vm, s)?;
    Ok(out)
}

/// `set_update_internal` for a dict: presize, then add the keys in dict order.
pub(crate) fn update_from_dict(vm: &Vm, s: &PySet, d: &PyDict) -> PyResult<()> {
    s.reserve(d.len());
    for k in d.keys() {
        s.add(vm, k)?;
    }
    Ok(())
}

/// `set_update_internal`: add every element of any iterable.
pub fn set_update(vm: &Vm, s: &PySet, other: &Value) -> PyResult<()> {
    if let Some(o) = as_anyset(other) {
        return s.update_from_set(vm, &o);
    }
    if let Value::Dict(d) = other {
        return update_from_dict(vm, s, d);
    }
    let mut st = vm.iter_state(other)?;
    let mut ticker = Ticker::default();
    while let Some(x) = vm.iter_next(&mut st)? {
        ticker.tick(vm)?;
        s.add(vm, x)?;
    }
    Ok(())
}

/// A new set from any iterable (`make_new_set`).
fn new_set_from(vm: &Vm, v: &Value) -> PyResult<PySet> {
    let s = PySet::new();
    set_update(vm, &s, v)?;
    Ok(s)
}

/// `set_intersection(so, other)`.
pub(crate) fn intersection(vm: &Vm, so: &PySet, other: &Value) -> PyResult<PySet> {
    let result = PySet::new();
    if let Some(o) = as_anyset(other) {
        if std::ptr::eq(so, &*o) {
            return set_copy(vm, so);
        }
        // Iterate the smaller table (the second operand on a tie), probe the larger.
        let (probe, walk): (&PySet, &PySet) = if o.len() > so.len() { (&o, so) } else { (so, &o) };
        for k in walk.items() {
            if probe.contains(vm, &k)? {
                result.add(vm, k)?;
            }
        }
        return Ok(result);
    }
    let mut st = vm.iter_state(other)?;
    let mut ticker = Ticker::default();
    while let Some(x) = vm.iter_next(&mut st)? {
        ticker.tick(vm)?;
        if so.contains(vm, &x)? {
            result.add(vm, x)?;
        }
    }
    Ok(result)
}

/// `set_difference_update_internal`.
pub(crate) fn difference_update(vm: &Vm, so: &PySet, other: &Value) -> PyResult<()> {
    if let Some(o) = as_anyset(other) {
        if std::ptr::eq(so, &*o) {
            so.clear();
            return Ok(());
        }
        // When the other set is much larger, only the common part matters.
        let walk = if (o.len() >> 3) > so.len() {
            let mut common = Vec::new();
            for k in so.items() {
                if o.contains(vm, &k)? {
                    common.push(k);
                }
            }
            common
        } else {
            o.items()
        };
        for k in walk {
            so.remove(vm, &k)?;
        }
    } else {
        let mut st = vm.iter_state(other)?;
        let mut ticker = Ticker::default();
        while let Some(x) = vm.iter_next(&mut st)? {
            ticker.tick(vm)?;
            so.remove(vm, &x)?;
        }
    }
    so.shrink_dummies();
    Ok(())
}

/// `set_difference(so, other)`.
fn difference(vm: &Vm, so: &PySet, other: &Value) -> PyResult<PySet> {
    let other_set = as_anyset(other);
    let other_size = match (&other_set, other) {
        (Some(o), _) => Some(o.len()),
        (None, Value::Dict(d)) => Some(d.len()),
        _ => None,
    };
    let copy_then_remove = match other_size {
        None => true,
        Some(n) => (so.len() >> 2) > n,
    };
    if copy_then_remove {
        let result = set_copy(vm, so)?;
        difference_update(vm, &result, other)?;
        return Ok(result);
    }
    // Walk `so`, probing the other table directly (not through a subclass's `__contains__`).
    let result = PySet::new();
    for k in so.items() {
        let found = match (&other_set, other) {
            (Some(o), _) => o.contains(vm, &k)?,
            (None, Value::Dict(d)) => d.contains(vm, &k)?,
            _ => false,
        };
        if !found {
            result.add(vm, k)?;
        }
    }
    Ok(result)
}

/// `set_symmetric_difference_update(so, other)`.
pub(crate) fn symmetric_difference_update(vm: &Vm, so: &PySet, other: &Value) -> PyResult<()> {
    match (as_anyset(other), other) {
        (Some(o), _) => symmetric_difference_update_set(vm, so, &o),
        (None, Value::Dict(d)) => toggle_all(vm, so, d.keys()),
        _ => toggle_all(vm, so, new_set_from(vm, other)?.items()),
    }
}

fn symmetric_difference_update_set(vm: &Vm, so: &PySet, o: &PySet) -> PyResult<()> {
    if std::ptr::eq(so, o) {
        so.clear();
        return Ok(());
    }
    toggle_all(vm, so, o.items())
}

/// Remove each key that is present, add each that is not.
fn toggle_all(vm: &Vm, so: &PySet, keys: Vec<Value>) -> PyResult<()> {
    for k in keys {
        if !so.remove(vm, &k)? {
            so.add(vm, k)?;
        }
    }
    Ok(())
}

/// `a op b` for two set tables, for the vm's fast path on plain sets (`ops.rs`).
pub fn set_op_tables(vm: &Vm, op: BinOp, a: &PySet, b: &Rc<PySet>) -> PyResult<PySet> {
    let bv = Value::Set(b.clone());
    match op {
        BinOp::BitOr => {
            let r = set_copy(vm, a)?;
            r.update_from_set(vm, b)?;
            Ok(r)
        }
        BinOp::BitAnd => intersection(vm, a, &bv),
        BinOp::Sub => difference(vm, a, &bv),
        _ => {
            let r = set_copy(vm, b)?;
            symmetric_difference_update_set(vm, &r, a)?;
            Ok(r)
        }
    }
}

/// `set_issubset(so, other)`.
fn issubset(vm: &Vm, so: &PySet, other: &Value) -> PyResult<bool> {
    let o = match as_anyset(other) {
        Some(o) => o,
        None => Rc::new(new_set_from(vm, other)?),
    };
    if so.len() > o.len() {
        return Ok(false);
    }
    for k in so.items() {
        if !o.contains(vm, &k)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `set_issuperset(so, other)`.
fn issuperset(vm: &Vm, so: &Rc<PySet>, other: &Value) -> PyResult<bool> {
    if let Some(o) = as_anyset(other) {
        return issubset(vm, &o, &Value::Set(so.clone()));
    }
    let mut st = vm.iter_state(other)?;
    let mut ticker = Ticker::default();
    while let Some(x) = vm.iter_next(&mut st)? {
        ticker.tick(vm)?;
        if !so.contains(vm, &x)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `set_isdisjoint(so, other)`.
fn isdisjoint(vm: &Vm, so: &Rc<PySet>, other: &Value) -> PyResult<bool> {
    if let Some(o) = as_anyset(other) {
        if Rc::ptr_eq(so, &o) {
            return Ok(so.is_empty());
        }
        let (probe, walk) = if o.len() > so.len() { (&o, so) } else { (so, &o) };
        for k in walk.items() {
            if probe.contains(vm, &k)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    let mut st = vm.iter_state(other)?;
    let mut ticker = Ticker::default();
    while let Some(x) = vm.iter_next(&mut st)? {
        ticker.tick(vm)?;
        if so.contains(vm, &x)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Run a key operation; an unhashable `set` key is retried as a frozenset, as CPython's
/// `set_contains`/`set_discard`/`set_remove` do (`{frozenset()}.remove(set())` works).
fn with_frozen_key<T>(vm: &Vm, key: &Value, f: impl Fn(&Value) -> PyResult<T>) -> PyResult<T> {
    match f(key) {
        Err(e) if vm.exc_is(&e, ExcKind::TypeError) && matches!(key, Value::Set(_)) => {
            let Some(s) = as_anyset(key) else { return Err(e) };
            let frozen = Value::FrozenSet(Rc::new(set_copy(vm, &s)?));
            f(&frozen)
        }
        r => r,
    }
}

/// CPython's `set_repr`: `{1, 2}`, `set()`, `frozenset({1})`, `MySet({1})`.
fn set_repr(vm: &Vm, this: &Value, s: &PySet) -> PyResult<String> {
    let tname = vm.type_name(this);
    if s.is_empty() {
        return Ok(format!("{tname}()"));
    }
    let id = this.identity();
    if vm.repr_guard.borrow().contains(&id) {
        return Ok(format!("{tname}(...)"));
    }
    vm.repr_guard.borrow_mut().push(id);
    let mut out = String::from("{");
    let mut result = Ok(());
    for (i, x) in s.items().iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match vm.repr(x) {
            Ok(r) => out.push_str(&r),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    vm.repr_guard.borrow_mut().pop();
    result?;
    out.push('}');
    Ok(if matches!(this, Value::Set(_)) { out } else { format!("{tname}({out})") })
}

fn this_set(vm: &Vm, v: &Value, cls: &str, name: &str) -> PyResult<Rc<PySet>> {
    match as_anyset(v) {
        Some(s) if (cls == "frozenset") == is_frozen(v) => Ok(s),
        _ => Err(wrong_self(vm, cls, name, v)),
    }
}

/// Methods shared by set and frozenset (`tn` is the type name for messages).
fn install_common(vm: &Vm, c: &Rc<Class>, tn: &'static str) {
    def(vm, c, "copy", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "copy")?;
        no_args(&args, &format!("{tn}.copy"))?;
        if matches!(this, Value::FrozenSet(_)) {
            return Ok(this);
        }
        Ok(wrap_like(&this, set_copy(vm, &s)?))
    });
    def(vm, c, "union", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "union")?;
        args.no_kw(&format!("{tn}.union"))?;
        let result = set_copy(vm, &s)?;
        for other in args.pos.iter() {
            if as_anyset(other).map(|o| Rc::ptr_eq(&o, &s)).unwrap_or(false) {
                continue;
            }
            set_update(vm, &result, other)?;
        }
        Ok(wrap_like(&this, result))
    });
    def(vm, c, "intersection", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "intersection")?;
        args.no_kw(&format!("{tn}.intersection"))?;
        Ok(wrap_like(&this, intersection_multi(vm, &s, &args.pos)?))
    });
    def(vm, c, "difference", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "difference")?;
        args.no_kw(&format!("{tn}.difference"))?;
        let Some((first, rest)) = args.pos.split_first() else {
            return Ok(wrap_like(&this, set_copy(vm, &s)?));
        };
        let result = difference(vm, &s, first)?;
        for other in rest {
            difference_update(vm, &result, other)?;
        }
        Ok(wrap_like(&this, result))
    });
    def(vm, c, "symmetric_difference", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "symmetric_difference")?;
        let other = one_arg(args, &format!("{tn}.symmetric_difference"))?;
        let result = new_set_from(vm, &other)?;
        symmetric_difference_update_set(vm, &result, &s)?;
        Ok(wrap_like(&this, result))
    });
    def(vm, c, "issubset", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "issubset")?;
        let other = one_arg(args, &format!("{tn}.issubset"))?;
        Ok(Value::Bool(issubset(vm, &s, &other)?))
    });
    def(vm, c, "issuperset", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "issuperset")?;
        let other = one_arg(args, &format!("{tn}.issuperset"))?;
        Ok(Value::Bool(issuperset(vm, &s, &other)?))
    });
    def(vm, c, "isdisjoint", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "isdisjoint")?;
        let other = one_arg(args, &format!("{tn}.isdisjoint"))?;
        Ok(Value::Bool(isdisjoint(vm, &s, &other)?))
    });
    def(vm, c, "__len__", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "__len__")?;
        no_args(&args, "__len__")?;
        Ok(Value::Int(s.len() as i64))
    });
    def(vm, c, "__contains__", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "__contains__")?;
        let x = one_arg(args, "__contains__")?;
        Ok(Value::Bool(with_frozen_key(vm, &x, |k| s.contains(vm, k))?))
    });
    def(vm, c, "__iter__", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "__iter__")?;
        no_args(&args, "__iter__")?;
        vm.get_iter(&Value::Set(s))
    });
    def(vm, c, "__repr__", move |vm, this, args| {
        let s = this_set(vm, &this, tn, "__repr__")?;
        no_args(&args, "__repr__")?;
        Ok(Value::string(set_repr(vm, &this, &s)?))
    });
    // Binary operators: both operands must be sets (else NotImplemented, so `set & list`
    // is a TypeError but `set & dict.keys()` reaches the view's reflected method).
    for (name, op, reflected) in [
        ("__or__", "or", false),
        ("__ror__", "or", true),
        ("__and__", "and", false),
        ("__rand__", "and", true),
        ("__sub__", "sub", false),
        ("__rsub__", "sub", true),
        ("__xor__", "xor", false),
        ("__rxor__", "xor", true),
    ] {
        def(vm, c, name, move |vm, this, args| {
            this_set(vm, &this, tn, name)?;
            let other = one_arg(args, name)?;
            if as_anyset(&other).is_none() {
                return Ok(Value::NotImplemented);
            }
            let (a, b) = if reflected { (other, this) } else { (this, other) };
            set_binop(vm, op, &a, &b)
        });
    }
    for (name, op) in [("__eq__", "eq"), ("__ne__", "ne"), ("__lt__", "lt"), ("__le__", "le"), ("__gt__", "gt"), ("__ge__", "ge")] {
        def(vm, c, name, move |vm, this, args| {
            let s = this_set(vm, &this, tn, name)?;
            let other = one_arg(args, name)?;
            let Some(o) = as_anyset(&other) else { return Ok(Value::NotImplemented) };
            let r = match op {
                "eq" => s.len() == o.len() && issubset(vm, &s, &other)?,
                "ne" => !(s.len() == o.len() && issubset(vm, &s, &other)?),
                "lt" => s.len() < o.len() && issubset(vm, &s, &other)?,
                "le" => issubset(vm, &s, &other)?,
                "gt" => s.len() > o.len() && issubset(vm, &o, &this)?,
                _ => issubset(vm, &o, &this)?,
            };
            Ok(Value::Bool(r))
        });
    }
}

/// `set_intersection_multi`: intersect with each argument in turn.
fn intersection_multi(vm: &Vm, s: &PySet, others: &[Value]) -> PyResult<PySet> {
    let mut result: Option<PySet> = None;
    for other in others {
        let cur = result.as_ref().unwrap_or(s);
        result = Some(intersection(vm, cur, other)?);
    }
    match result {
        Some(r) => Ok(r),
        None => set_copy(vm, s),
    }
}

/// `a op b` for two sets (`op` is "or", "and", "sub" or "xor"); the result has the
/// type of `a`, as CPython's number slots give.
pub(crate) fn set_binop(vm: &Vm, op: &str, a: &Value, b: &Value) -> PyResult<Value> {
    let Some(sa) = as_anyset(a) else { return Ok(Value::NotImplemented) };
    let result = match op {
        "or" => {
            let r = set_copy(vm, &sa)?;
            set_update(vm, &r, b)?;
            r
        }
        "and" => intersection(vm, &sa, b)?,
        "sub" => difference(vm, &sa, b)?,
        _ => {
            let r = new_set_from(vm, b)?;
            symmetric_difference_update_set(vm, &r, &sa)?;
            r
        }
    };
    Ok(wrap_like(a, result))
}

/// `a op= b` for a mutable set `a` and a set `b`, in place as CPython does it.
pub fn set_inplace(vm: &Vm, op: &str, a: &PySet, b: &Value) -> PyResult<()> {
    match op {
        "or" => set_update(vm, a, b),
        "and" => {
            let r = intersection(vm, a, b)?;
            a.replace_with(r);
            Ok(())
        }
        "sub" => difference_update(vm, a, b),
        _ => symmetric_difference_update(vm, a, b),
    }
}

pub fn install(vm: &Vm) {
    let set_cls = vm.types.set.clone();
    let fs_cls = vm.types.frozenset.clone();
    install_common(vm, &set_cls, "set");
    install_common(vm, &fs_cls, "frozenset");
    let c = &set_cls;
    const TN: &str = "set";

    def(vm, c, "add", |vm, this, args| {
        let s = this_set(vm, &this, TN, "add")?;
        let x = one_arg(args, "set.add")?;
        s.add(vm, x)?;
        Ok(Value::None)
    });
    def(vm, c, "discard", |vm, this, args| {
        let s = this_set(vm, &this, TN, "discard")?;
        let x = one_arg(args, "set.discard")?;
        with_frozen_key(vm, &x, |k| s.remove(vm, k))?;
        Ok(Value::None)
    });
    def(vm, c, "remove", |vm, this, args| {
        let s = this_set(vm, &this, TN, "remove")?;
        let x = one_arg(args, "set.remove")?;
        if with_frozen_key(vm, &x, |k| s.remove(vm, k))? {
            Ok(Value::None)
        } else {
            Err(Exc::key_error(x))
        }
    });
    def(vm, c, "pop", |vm, this, args| {
        let s = this_set(vm, &this, TN, "pop")?;
        no_args(&args, "set.pop")?;
        s.pop().ok_or_else(|| Exc::key_error(Value::str("pop from an empty set")))
    });
    def(vm, c, "clear", |vm, this, args| {
        let s = this_set(vm, &this, TN, "clear")?;
        no_args(&args, "set.clear")?;
        s.clear();
        Ok(Value::None)
    });
    def(vm, c, "update", |vm, this, args| {
        let s = this_set(vm, &this, TN, "update")?;
        args.no_kw("set.update")?;
        for other in args.pos.iter() {
            set_update(vm, &s, other)?;
        }
        Ok(Value::None)
    });
    def(vm, c, "intersection_update", |vm, this, args| {
        let s = this_set(vm, &this, TN, "intersection_update")?;
        args.no_kw("set.intersection_update")?;
        let r = intersection_multi(vm, &s, &args.pos)?;
        s.replace_with(r);
        Ok(Value::None)
    });
    def(vm, c, "difference_update", |vm, this, args| {
        let s = this_set(vm, &this, TN, "difference_update")?;
        args.no_kw("set.difference_update")?;
        for other in args.pos.iter() {
            difference_update(vm, &s, other)?;
        }
        Ok(Value::None)
    });
    def(vm, c, "symmetric_difference_update", |vm, this, args| {
        let s = this_set(vm, &this, TN, "symmetric_difference_update")?;
        let other = one_arg(args, "set.symmetric_difference_update")?;
        symmetric_difference_update(vm, &s, &other)?;
        Ok(Value::None)
    });
    for (name, op) in [("__ior__", "or"), ("__iand__", "and"), ("__isub__", "sub"), ("__ixor__", "xor")] {
        def(vm, c, name, move |vm, this, args| {
            let s = this_set(vm, &this, TN, name)?;
            let other = one_arg(args, name)?;
            if as_anyset(&other).is_none() {
                return Ok(Value::NotImplemented);
            }
            set_inplace(vm, op, &s, &other)?;
            Ok(this)
        });
    }
    // Sets are unhashable; frozensets hash by content.
    set_cls.set_attr(vm.intern("__hash__"), Value::None);
    def(vm, &fs_cls, "__hash__", |vm, this, args| {
        let s = this_set(vm, &this, "frozenset", "__hash__")?;
        no_args(&args, "frozenset.__hash__")?;
        Ok(Value::Int(vm.hash(&Value::FrozenSet(s))?))
    });
}
