//! Methods of the builtin `list` type, plus the small helpers every container/number
//! method file shares (receiver extraction, CPython's argument-count messages).
//!
//! Methods work on plain lists and on instances of list subclasses alike (`list_of`
//! unwraps both), so `list.append(x, 1)` and `super().__getitem__(i)` behave as in
//! CPython. No RefCell borrow of the list is held while Python code runs (`__eq__`,
//! sort keys): items are cloned out first.

use std::cell::RefCell;
use std::rc::Rc;

use super::add_method;
use super::constructors::list_of;
use crate::runtime::class::Class;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::{BinOp, CmpOp};
use crate::vm::Vm;

/// Remove the receiver from a method's arguments (`list.append()` with no list at all
/// gets CPython's "unbound method" message).
pub(crate) fn take_self(args: &mut Args, cls: &str, name: &str) -> PyResult<Value> {
    if args.pos.is_empty() {
        return Err(Exc::type_error(format!("unbound method {cls}.{name}() needs an argument")));
    }
    Ok(args.pos.remove(0))
}

/// CPython's message when a method descriptor is called on the wrong type.
pub(crate) fn wrong_self(vm: &Vm, cls: &str, name: &str, v: &Value) -> Exc {
    Exc::type_error(format!(
        "descriptor '{name}' for '{cls}' objects doesn't apply to a '{}' object",
        vm.type_name(v)
    ))
}

/// Add a method that receives its `self` separately from the other arguments.
pub(crate) fn def(
    vm: &Vm,
    cls: &Rc<Class>,
    name: &'static str,
    f: impl Fn(&Vm, Value, Args) -> PyResult<Value> + 'static,
) {
    let cname = cls.name.clone();
    add_method(vm, cls, name, move |vm, mut args: Args| {
        let this = take_self(&mut args, &cname, name)?;
        f(vm, this, args)
    });
}

/// Positional-only arity check with the wording of CPython's `_PyArg_CheckPositional`
/// ("pop expected at most 1 argument, got 2").
pub(crate) fn arity(args: &Args, name: &str, min: usize, max: usize) -> PyResult<()> {
    if let Some((k, _)) = args.kw.first() {
        let _ = k;
        return Err(Exc::type_error(format!("{name}() takes no keyword arguments")));
    }
    let n = args.pos.len();
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    if min == max && n != min {
        return Err(Exc::type_error(format!("{name} expected {min} {}, got {n}", plural(min))));
    }
    if n < min {
        return Err(Exc::type_error(format!("{name} expected at least {min} {}, got {n}", plural(min))));
    }
    if n > max {
        return Err(Exc::type_error(format!("{name} expected at most {max} {}, got {n}", plural(max))));
    }
    Ok(())
}

/// The one argument of a METH_O method (`list.count(x)`): "list.count() takes exactly
/// one argument (0 given)".
pub(crate) fn one_arg(args: Args, qualname: &str) -> PyResult<Value> {
    let [x] = args.exact::<1>(qualname)?;
    Ok(x)
}

/// No arguments besides self (`list.copy()`).
pub(crate) fn no_args(args: &Args, qualname: &str) -> PyResult<()> {
    if !args.kw.is_empty() {
        return Err(Exc::type_error(format!("{qualname}() takes no keyword arguments")));
    }
    if !args.pos.is_empty() {
        return Err(Exc::type_error(format!("{qualname}() takes no arguments ({} given)", args.pos.len())));
    }
    Ok(())
}

/// Clamp a `start`/`stop` argument of `index()` the way CPython's slice indices do.
pub(crate) fn clamp_index(vm: &Vm, v: Option<&Value>, len: usize, default: usize) -> PyResult<usize> {
    let Some(v) = v else { return Ok(default) };
    let i = match v {
        Value::BigInt(b) => {
            // Huge values saturate, as `_PyEval_SliceIndex` does.
            if num_traits::Signed::is_negative(&**b) {
                i64::MIN
            } else {
                i64::MAX
            }
        }
        _ => vm.index_value(v).map_err(|e| {
            if vm.exc_is(&e, ExcKind::TypeError) {
                Exc::type_error("slice indices must be integers or have an __index__ method")
            } else {
                e
            }
        })?,
    };
    let n = len as i64;
    Ok(if i < 0 { (i.saturating_add(n)).max(0) as usize } else { i.min(n) as usize })
}

fn this_list(vm: &Vm, v: &Value, name: &str) -> PyResult<Rc<RefCell<Vec<Value>>>> {
    list_of(v).map_err(|_| wrong_self(vm, "list", name, v))
}

/// The list inside `v` if it is a list or a list subclass instance (for operands).
fn as_list(v: &Value) -> Option<Rc<RefCell<Vec<Value>>>> {
    list_of(v).ok()
}

fn list_compare(name: &'static str, op: CmpOp) -> impl Fn(&Vm, Value, Args) -> PyResult<Value> {
    move |vm, this, args| {
        let a = this_list(vm, &this, name)?;
        let other = one_arg(args, name)?;
        match as_list(&other) {
            Some(b) => vm.compare(op, &Value::List(a), &Value::List(b)),
            None => Ok(Value::NotImplemented),
        }
    }
}

pub fn install(vm: &Vm) {
    let cls = vm.types.list.clone();
    let c = &cls;

    def(vm, c, "append", |vm, this, args| {
        let l = this_list(vm, &this, "append")?;
        let x = one_arg(args, "list.append")?;
        {
            let (len, cap) = { let b = l.borrow(); (b.len(), b.capacity()) };
            if len == cap {
                // The list is about to grow: check the host's memory limit first.
                vm.reserve_memory(cap.max(4) * 2 * std::mem::size_of::<Value>())?;
            }
        }
        l.borrow_mut().push(x);
        Ok(Value::None)
    });
    def(vm, c, "extend", |vm, this, args| {
        let l = this_list(vm, &this, "extend")?;
        let it = one_arg(args, "list.extend")?;
        // Collect first: `l.extend(l)` and generators reading `l` must not see a
        // half-extended list (and no borrow is held while the iterable runs).
        let items = vm.collect(&it)?;
        vm.reserve_memory((l.borrow().len() + items.len()) * std::mem::size_of::<Value>())?;
        l.borrow_mut().extend(items);
        Ok(Value::None)
    });
    def(vm, c, "insert", |vm, this, args| {
        let l = this_list(vm, &this, "insert")?;
        arity(&args, "insert", 2, 2)?;
        let i = vm.index_value(&args.pos[0])?;
        let x = args.pos[1].clone();
        let mut l = l.borrow_mut();
        let n = l.len() as i64;
        let i = if i < 0 { (i + n).max(0) } else { i.min(n) };
        l.insert(i as usize, x);
        Ok(Value::None)
    });
    def(vm, c, "remove", |vm, this, args| {
        let l = this_list(vm, &this, "remove")?;
        let x = one_arg(args, "list.remove")?;
        let mut i = 0;
        loop {
            // Re-read each item: a user `__eq__` may mutate the list.
            let item = match l.borrow().get(i) {
                Some(v) => v.clone(),
                None => break,
            };
            if vm.eq_or_same(&item, &x)? {
                let mut lb = l.borrow_mut();
                if i < lb.len() {
                    lb.remove(i);
                }
                return Ok(Value::None);
            }
            i += 1;
        }
        Err(Exc::value_error("list.remove(x): x not in list"))
    });
    def(vm, c, "pop", |vm, this, args| {
        let l = this_list(vm, &this, "pop")?;
        arity(&args, "pop", 0, 1)?;
        let idx = match args.pos.first() {
            Some(v) => vm.index_value(v)?,
            None => -1,
        };
        let mut l = l.borrow_mut();
        if l.is_empty() {
            return Err(Exc::index_error("pop from empty list"));
        }
        let n = l.len() as i64;
        let i = if idx < 0 { idx + n } else { idx };
        if i < 0 || i >= n {
            return Err(Exc::index_error("pop index out of range"));
        }
        Ok(l.remove(i as usize))
    });
    def(vm, c, "clear", |vm, this, args| {
        let l = this_list(vm, &this, "clear")?;
        no_args(&args, "list.clear")?;
        // Drop the old items after releasing the borrow (their destructors are inert,
        // but keep the pattern uniform).
        let old = std::mem::take(&mut *l.borrow_mut());
        drop(old);
        Ok(Value::None)
    });
    def(vm, c, "index", |vm, this, args| {
        let l = this_list(vm, &this, "index")?;
        arity(&args, "index", 1, 3)?;
        let x = args.pos[0].clone();
        let len = l.borrow().len();
        let start = clamp_index(vm, args.pos.get(1), len, 0)?;
        let stop = clamp_index(vm, args.pos.get(2), len, len)?;
        let mut i = start;
        while i < stop {
            let item = match l.borrow().get(i) {
                Some(v) => v.clone(),
                None => break,
            };
            if vm.eq_or_same(&item, &x)? {
                return Ok(Value::Int(i as i64));
            }
            i += 1;
        }
        Err(Exc::value_error(format!("{} is not in list", vm.repr(&x)?)))
    });
    def(vm, c, "count", |vm, this, args| {
        let l = this_list(vm, &this, "count")?;
        let x = one_arg(args, "list.count")?;
        let items = l.borrow().clone();
        let mut n = 0;
        for item in &items {
            if vm.eq_or_same(item, &x)? {
                n += 1;
            }
        }
        Ok(Value::Int(n))
    });
    def(vm, c, "sort", |vm, this, mut args| {
        let l = this_list(vm, &this, "sort")?;
        if !args.pos.is_empty() {
            return Err(Exc::type_error("sort() takes no positional arguments"));
        }
        let key = args.take_kw("key");
        let reverse = match args.take_kw("reverse") {
            Some(r) => vm.index_value(&r)? != 0,
            None => false,
        };
        if let Some((k, _)) = args.kw.first() {
            return Err(Exc::type_error(format!("'{k}' is an invalid keyword argument for sort()")));
        }
        // As in CPython, the list looks empty while it is being sorted; if the key or a
        // comparison puts items back, that is "list modified during sort".
        let mut items = std::mem::take(&mut *l.borrow_mut());
        let r = super::functions::sort_values(vm, &mut items, key.as_ref(), reverse);
        let modified = !l.borrow().is_empty();
        let discarded = std::mem::replace(&mut *l.borrow_mut(), items);
        drop(discarded);
        r?;
        if modified {
            return Err(Exc::value_error("list modified during sort"));
        }
        Ok(Value::None)
    });
    def(vm, c, "reverse", |vm, this, args| {
        let l = this_list(vm, &this, "reverse")?;
        no_args(&args, "list.reverse")?;
        l.borrow_mut().reverse();
        Ok(Value::None)
    });
    def(vm, c, "copy", |vm, this, args| {
        let l = this_list(vm, &this, "copy")?;
        no_args(&args, "list.copy")?;
        let items = l.borrow().clone();
        Ok(Value::list(items))
    });

    // Special methods: delegate to the vm's operations on the unwrapped list, so a
    // subclass's `super().__getitem__(i)` gets exactly the builtin behaviour.
    def(vm, c, "__len__", |vm, this, args| {
        let l = this_list(vm, &this, "__len__")?;
        no_args(&args, "list.__len__")?;
        let n = l.borrow().len();
        Ok(Value::Int(n as i64))
    });
    def(vm, c, "__getitem__", |vm, this, args| {
        let l = this_list(vm, &this, "__getitem__")?;
        let i = one_arg(args, "list.__getitem__")?;
        vm.getitem(&Value::List(l), &i)
    });
    def(vm, c, "__setitem__", |vm, this, args| {
        let l = this_list(vm, &this, "__setitem__")?;
        let [i, v] = args.exact::<2>("__setitem__")?;
        vm.setitem(&Value::List(l), i, v)?;
        Ok(Value::None)
    });
    def(vm, c, "__delitem__", |vm, this, args| {
        let l = this_list(vm, &this, "__delitem__")?;
        let i = one_arg(args, "list.__delitem__")?;
        vm.delitem(&Value::List(l), &i)?;
        Ok(Value::None)
    });
    def(vm, c, "__contains__", |vm, this, args| {
        let l = this_list(vm, &this, "__contains__")?;
        let x = one_arg(args, "list.__contains__")?;
        Ok(Value::Bool(vm.contains(&Value::List(l), &x)?))
    });
    def(vm, c, "__iter__", |vm, this, args| {
        let l = this_list(vm, &this, "__iter__")?;
        no_args(&args, "list.__iter__")?;
        vm.get_iter(&Value::List(l))
    });
    def(vm, c, "__reversed__", |vm, this, args| {
        let l = this_list(vm, &this, "__reversed__")?;
        no_args(&args, "list.__reversed__")?;
        let rev = vm.builtin("reversed").ok_or_else(|| Exc::runtime_error("reversed is missing"))?;
        vm.call1(&rev, Value::List(l))
    });
    def(vm, c, "__add__", |vm, this, args| {
        let l = this_list(vm, &this, "__add__")?;
        let other = one_arg(args, "list.__add__")?;
        // NotImplemented (not CPython's immediate TypeError) so the other operand's
        // `__radd__` still gets its turn when this is reached through `+`.
        match as_list(&other) {
            Some(o) => {
                let mut v = l.borrow().clone();
                v.extend(o.borrow().iter().cloned());
                Ok(Value::list(v))
            }
            None => Ok(Value::NotImplemented),
        }
    });
    def(vm, c, "__iadd__", |vm, this, args| {
        let l = this_list(vm, &this, "__iadd__")?;
        let other = one_arg(args, "list.__iadd__")?;
        let items = vm.collect(&other)?;
        l.borrow_mut().extend(items);
        Ok(this)
    });
    for name in ["__mul__", "__rmul__"] {
        def(vm, c, name, move |vm, this, args| {
            let l = this_list(vm, &this, name)?;
            let n = one_arg(args, name)?;
            if !is_index_like(vm, &n) {
                return Ok(Value::NotImplemented);
            }
            let n = vm.index_value(&n)?;
            vm.binop(BinOp::Mult, &Value::List(l), &Value::Int(n))
        });
    }
    def(vm, c, "__imul__", |vm, this, args| {
        let l = this_list(vm, &this, "__imul__")?;
        let n = one_arg(args, "list.__imul__")?;
        if !is_index_like(vm, &n) {
            return Ok(Value::NotImplemented);
        }
        let n = vm.index_value(&n)?;
        let r = vm.binop(BinOp::Mult, &Value::List(l.clone()), &Value::Int(n))?;
        if let Value::List(r) = r {
            let items = std::mem::take(&mut *r.borrow_mut());
            *l.borrow_mut() = items;
        }
        Ok(this)
    });
    for (name, op) in [
        ("__eq__", CmpOp::Eq),
        ("__ne__", CmpOp::NotEq),
        ("__lt__", CmpOp::Lt),
        ("__le__", CmpOp::LtE),
        ("__gt__", CmpOp::Gt),
        ("__ge__", CmpOp::GtE),
    ] {
        def(vm, c, name, list_compare(name, op));
    }
    def(vm, c, "__repr__", |vm, this, args| {
        let l = this_list(vm, &this, "__repr__")?;
        no_args(&args, "list.__repr__")?;
        Ok(Value::string(vm.repr(&Value::List(l))?))
    });
    // Lists are unhashable, subclasses included.
    cls.set_attr(vm.intern("__hash__"), Value::None);
}

/// Whether `v` can be a repeat count (an int, or has `__index__`).
pub(crate) fn is_index_like(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => true,
        Value::Instance(_) => vm.type_of(v).lookup("__index__").is_some(),
        _ => false,
    }
}
