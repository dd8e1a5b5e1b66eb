//! The builtin functions: `print`, `len`, `sorted`, `isinstance`, `min`, ...

use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};

use super::{add_fn, set_value};
use crate::format;
use crate::runtime::class::Class;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::BinOp;
use crate::vm::iter::{IterState, NativeIter};
use crate::vm::numeric::{as_int, IntRef};
use crate::vm::Vm;
use crate::embed::limits::Ticker;

/// Stable merge sort with a fallible `<` (Python only ever uses `<` to sort).
pub fn sort_values(vm: &Vm, items: &mut Vec<Value>, key: Option<&Value>, reverse: bool) -> PyResult<()> {
    let keys: Vec<Value> = match key {
        Some(k) if !k.is_none() => items.iter().map(|x| vm.call1(k, x.clone())).collect::<PyResult<_>>()?,
        _ => items.clone(),
    };
    let n = items.len();
    // About n·log2(n) comparisons, 16 of which cost about one Python step.
    vm.charge_steps((n as u64).saturating_mul((usize::BITS - n.leading_zeros()) as u64) / 16)?;
    let mut idx: Vec<usize> = (0..n).collect();
    // Fast paths for homogeneous ints or strings.
    if keys.iter().all(|k| matches!(k, Value::Int(_))) {
        let ks: Vec<i64> = keys.iter().map(|k| if let Value::Int(i) = k { *i } else { 0 }).collect();
        if reverse {
            idx.sort_by(|a, b| ks[*b].cmp(&ks[*a]));
        } else {
            idx.sort_by_key(|a| ks[*a]);
        }
    } else if keys.iter().all(|k| matches!(k, Value::Str(_))) {
        let ks: Vec<&str> = keys.iter().map(|k| if let Value::Str(s) = k { s.as_str() } else { "" }).collect();
        if reverse {
            idx.sort_by(|a, b| ks[*b].cmp(ks[*a]));
        } else {
            idx.sort_by(|a, b| ks[*a].cmp(ks[*b]));
        }
    } else {
        let less = |a: usize, b: usize| -> PyResult<bool> {
            if reverse {
                vm.less_than(&keys[b], &keys[a])
            } else {
                vm.less_than(&keys[a], &keys[b])
            }
        };
        merge_sort(&mut idx, &less)?;
    }
    let old = std::mem::take(items);
    let mut slots: Vec<Option<Value>> = old.into_iter().map(Some).collect();
    *items = idx.into_iter().map(|i| slots[i].take().unwrap_or(Value::None)).collect();
    Ok(())
}

fn merge_sort(v: &mut Vec<usize>, less: &dyn Fn(usize, usize) -> PyResult<bool>) -> PyResult<()> {
    let n = v.len();
    if n <= 1 {
        return Ok(());
    }
    // Binary insertion sort on small runs, then bottom-up merges.
    const RUN: usize = 16;
    let mut start = 0;
    while start < n {
        let end = (start + RUN).min(n);
        for i in start + 1..end {
            let x = v[i];
            let (mut lo, mut hi) = (start, i);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if less(x, v[mid])? {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            v.copy_within(lo..i, lo + 1);
            v[lo] = x;
        }
        start = end;
    }
    let mut width = RUN;
    let mut buf = vec![0usize; n];
    while width < n {
        let mut i = 0;
        while i < n {
            let mid = (i + width).min(n);
            let hi = (i + 2 * width).min(n);
            let (mut a, mut b, mut k) = (i, mid, i);
            while a < mid && b < hi {
                if less(v[b], v[a])? {
                    buf[k] = v[b];
                    b += 1;
                } else {
                    buf[k] = v[a];
                    a += 1;
                }
                k += 1;
            }
            buf[k..k + (mid - a)].copy_from_slice(&v[a..mid]);
            k += mid - a;
            buf[k..k + (hi - b)].copy_from_slice(&v[b..hi]);
            i = hi;
        }
        std::mem::swap(v, &mut buf);
        width *= 2;
    }
    Ok(())
}

fn is_subclass_spec(vm: &Vm, cls: &Rc<Class>, spec: &Value, fname: &str) -> PyResult<bool> {
    match spec {
        Value::Class(c) => {
            if cls.is_subclass(c) {
                return Ok(true);
            }
            // A metaclass hook (`ABCMeta.register`ed virtual subclasses).
            if let Some(m) = vm.meta_dunder(c, "__subclasscheck__") {
                let r = vm.call1(&m, Value::Class(cls.clone()))?;
                return vm.truthy(&r);
            }
            Ok(false)
        }
        Value::Instance(_) if vm.type_of(spec).lookup("__subclasscheck__").is_some() => {
            let r = vm.call_dunder(spec, "__subclasscheck__", Args::one(Value::Class(cls.clone())))?.unwrap_or(Value::None);
            vm.truthy(&r)
        }
        Value::Tuple(t) => {
            for s in t.iter() {
                if is_subclass_spec(vm, cls, s, fname)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        _ => Err(Exc::type_error(format!("{fname}() arg 2 must be a type, a tuple of types, or a union"))),
    }
}

pub fn isinstance(vm: &Vm, obj: &Value, spec: &Value) -> PyResult<bool> {
    let cls = vm.type_of(obj);
    if let Value::Class(c) = spec {
        if cls.is_subclass(c) {
            return Ok(true);
        }
        if let Some(m) = vm.meta_dunder(c, "__instancecheck__") {
            let r = vm.call1(&m, obj.clone())?;
            return vm.truthy(&r);
        }
        if let Some(check) = c.lookup("__instancecheck__") {
            // A Rust ABC's structural check (collections.abc). A Python-level
            // `__instancecheck__` only counts on the metaclass (above), as in CPython.
            if matches!(check, Value::Builtin(_)) {
                let f = vm.bind_descriptor_to_class(check, c)?;
                let r = vm.call1(&f, obj.clone())?;
                return vm.truthy(&r);
            }
        }
    }
    // Objects defining `__instancecheck__` (typing's `List`, `Iterable`...).
    if let Value::Instance(_) = spec {
        if let Some(r) = vm.call_dunder(spec, "__instancecheck__", Args::one(obj.clone()))? {
            return vm.truthy(&r);
        }
    }
    is_subclass_spec(vm, &cls, spec, "isinstance")
}

/// Names for `dir(obj)`, sorted.
pub fn dir_of(vm: &Vm, obj: &Value) -> PyResult<Value> {
    let mut names: Vec<String> = Vec::new();
    let add_class = |c: &Rc<Class>, names: &mut Vec<String>| {
        for k in c.mro.borrow().iter() {
            for key in k.dict.borrow().keys() {
                names.push(key.to_string());
            }
        }
    };
    match obj {
        Value::Module(m) => names.extend(m.globals.items().into_iter().map(|(k, _)| k.to_string())),
        Value::Class(c) => add_class(c, &mut names),
        Value::Instance(i) => {
            names.extend(i.attrs.borrow().iter().map(|(k, _)| k.to_string()));
            add_class(&i.class(), &mut names);
        }
        other => add_class(&vm.type_of(other), &mut names),
    }
    names.sort();
    names.dedup();
    Ok(Value::list(names.into_iter().map(|n| Value::string(n)).collect()))
}

struct Enumerate {
    inner: IterState,
    n: i64,
}
impl NativeIter for Enumerate {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        Ok(match vm.iter_next(&mut self.inner)? {
            Some(v) => {
                self.n += 1;
                Some(Value::tuple(vec![Value::Int(self.n - 1), v]))
            }
            None => None,
        })
    }
    fn type_name(&self) -> &'static str {
        "enumerate"
    }
}

struct Zip {
    iters: Vec<IterState>,
    strict: bool,
}
impl NativeIter for Zip {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if self.iters.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(self.iters.len());
        for (i, it) in self.iters.iter_mut().enumerate() {
            match vm.iter_next(it)? {
                Some(v) => out.push(v),
                None => {
                    if self.strict {
                        if i > 0 {
                            return Err(Exc::value_error(format!("zip() argument {} is shorter than argument 1", i + 1)));
                        }
                        for (j, rest) in self.iters.iter_mut().enumerate().skip(1) {
                            if vm.iter_next(rest)?.is_some() {
                                return Err(Exc::value_error(format!("zip() argument {} is longer than argument 1", j + 1)));
                            }
                        }
                    }
                    self.iters.clear();
                    return Ok(None);
                }
            }
        }
        Ok(Some(Value::tuple(out)))
    }
    fn type_name(&self) -> &'static str {
        "zip"
    }
}

struct Map {
    f: Value,
    iters: Vec<IterState>,
}
impl NativeIter for Map {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        let mut args = Args::default();
        for it in self.iters.iter_mut() {
            match vm.iter_next(it)? {
                Some(v) => args.pos.push(v),
                None => return Ok(None),
            }
        }
        vm.call(&self.f, args).map(Some)
    }
    fn type_name(&self) -> &'static str {
        "map"
    }
}

struct Filter {
    f: Value,
    inner: IterState,
}
impl NativeIter for Filter {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        // Skipping can run long without returning: `filter(None, itertools.repeat(0))`.
        let mut ticker = Ticker::default();
        while let Some(v) = vm.iter_next(&mut self.inner)? {
            ticker.tick(vm)?;
            let keep = if self.f.is_none() { vm.truthy(&v)? } else { vm.truthy(&vm.call1(&self.f, v.clone())?)? };
            if keep {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }
    fn type_name(&self) -> &'static str {
        "filter"
    }
}

struct CallableIter {
    f: Value,
    sentinel: Value,
    done: bool,
}
impl NativeIter for CallableIter {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if self.done {
            return Ok(None);
        }
        let v = vm.call(&self.f, Args::empty())?;
        if vm.eq(&v, &self.sentinel)? {
            self.done = true;
            return Ok(None);
        }
        Ok(Some(v))
    }
    fn type_name(&self) -> &'static str {
        "callable_iterator"
    }
}

/// A reversed view of a list that stays live.
struct ListReverse {
    list: Rc<std::cell::RefCell<Vec<Value>>>,
    idx: usize,
}
impl NativeIter for ListReverse {
    fn next(&mut self, _vm: &Vm) -> PyResult<Option<Value>> {
        let l = self.list.borrow();
        if self.idx == 0 || self.idx > l.len() {
            return Ok(None);
        }
        self.idx -= 1;
        Ok(Some(l[self.idx].clone()))
    }
    fn type_name(&self) -> &'static str {
        "list_reverseiterator"
    }
}

fn min_max(vm: &Vm, mut args: Args, is_max: bool) -> PyResult<Value> {
    let name = if is_max { "max" } else { "min" };
    let key = args.take_kw("key").filter(|k| !k.is_none());
    let default = args.take_kw("default");
    if let Some((k, _)) = args.kw.first() {
        return Err(Exc::type_error(format!("{name}() got an unexpected keyword argument '{k}'")));
    }
    let items: Vec<Value> = match args.pos.len() {
        0 => return Err(Exc::type_error(format!("{name} expected at least 1 argument, got 0"))),
        1 => vm.collect(&args.pos[0])?,
        _ => {
            if default.is_some() {
                return Err(Exc::type_error(format!(
                    "Cannot specify a default for {name}() with multiple positional arguments"
                )));
            }
            args.pos.to_vec()
        }
    };
    let mut best: Option<(Value, Value)> = None;
    for it in items {
        let k = match &key {
            Some(f) => vm.call1(f, it.clone())?,
            None => it.clone(),
        };
        best = Some(match best {
            None => (k, it),
            Some((bk, bv)) => {
                let better = if is_max { vm.less_than(&bk, &k)? } else { vm.less_than(&k, &bk)? };
                if better {
                    (k, it)
                } else {
                    (bk, bv)
                }
            }
        });
    }
    match best {
        Some((_, v)) => Ok(v),
        None => default.ok_or_else(|| Exc::value_error(format!("{name}() arg is an empty sequence"))),
    }
}

fn int_text(vm: &Vm, v: &Value, radix: u32, prefix: &str) -> PyResult<Value> {
    let big = match as_int(v) {
        Some(i) => i.to_big(),
        None => match vm.index_value(v) {
            Ok(i) => BigInt::from(i),
            Err(_) => {
                return Err(Exc::type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    vm.type_name(v)
                )))
            }
        },
    };
    let digits = big.abs().to_str_radix(radix);
    Ok(Value::string(format!("{}{}{}", if big.is_negative() { "-" } else { "" }, prefix, digits)))
}

fn pow3(vm: &Vm, base: &Value, exp: &Value, m: &Value) -> PyResult<Value> {
    let (Some(b), Some(e), Some(m)) = (as_int(base), as_int(exp), as_int(m)) else {
        return Err(Exc::type_error("pow() 3rd argument not allowed unless all arguments are integers"));
    };
    let (b, e, m) = (b.to_big(), e.to_big(), m.to_big());
    if m.is_zero() {
        return Err(Exc::value_error("pow() 3rd argument cannot be 0"));
    }
    let r = if e.is_negative() {
        // Modular inverse (Python 3.8+).
        let g = b.mod_floor(&m).extended_gcd(&m);
        if g.gcd != BigInt::from(1) && g.gcd != BigInt::from(-1) {
            return Err(Exc::value_error("base is not invertible for the given modulus"));
        }
        let inv = g.x.mod_floor(&m);
        inv.modpow(&(-e), &m.abs())
    } else {
        b.modpow(&e, &m.abs())
    };
    let mut r = r.mod_floor(&m);
    if m.is_negative() && !r.is_zero() && r.is_positive() {
        r += &m;
    }
    let _ = vm;
    Ok(Value::from_bigint(r))
}

fn round_value(vm: &Vm, x: &Value, nd: Option<&Value>) -> PyResult<Value> {
    let nd = match nd {
        None | Some(Value::None) => None,
        Some(v) => Some(vm.index_value(v)?),
    };
    match x {
        Value::Float(f) => match nd {
            None => {
                if f.is_nan() {
                    return Err(Exc::value_error("cannot convert float NaN to integer"));
                }
                if f.is_infinite() {
                    return Err(Exc::overflow("cannot convert float infinity to integer"));
                }
                let r = format::round_half_even(*f);
                format::float_to_int(r).map(Value::from_bigint).map_err(|_| Exc::overflow("cannot convert float infinity to integer"))
            }
            Some(n) => format::round_float(*f, n).map(Value::Float).map_err(|_| Exc::overflow("rounded value too large to represent")),
        },
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) => {
            let i = as_int(x).map(|i| i.to_big()).unwrap_or_default();
            match nd {
                None => Ok(Value::from_bigint(i)),
                Some(n) if n >= 0 => Ok(Value::from_bigint(i)),
                Some(n) => {
                    let p = num_traits::pow::Pow::pow(BigInt::from(10), (-n) as u32);
                    let (q, r) = i.div_mod_floor(&p);
                    let twice = &r * 2;
                    let q = if twice > p || (twice == p && q.is_odd()) { q + 1 } else { q };
                    Ok(Value::from_bigint(q * p))
                }
            }
        }
        _ => {
            let args = match nd {
                Some(n) => Args::one(Value::Int(n)),
                None => Args::empty(),
            };
            match vm.call_dunder(x, "__round__", args)? {
                Some(r) => Ok(r),
                None => Err(Exc::type_error(format!("type {} doesn't define __round__ method", vm.type_name(x)))),
            }
        }
    }
}

pub fn install(vm: &Vm) {
    let g = &vm.builtins;
    add_fn(vm, g, "print", |vm, mut args: Args| {
        let sep = args.take_kw("sep");
        let end = args.take_kw("end");
        let file = args.take_kw("file");
        let flush = args.take_kw("flush");
        if let Some((k, _)) = args.kw.first() {
            return Err(Exc::type_error(format!("'{k}' is an invalid keyword argument for print()")));
        }
        let text_of = |v: Option<Value>, default: &str, what: &str| -> PyResult<String> {
            match v {
                None | Some(Value::None) => Ok(default.to_string()),
                Some(Value::Str(s)) => Ok(s.as_str().to_string()),
                Some(other) => Err(Exc::type_error(format!("{what} must be None or a string, not {}", vm.type_name(&other)))),
            }
        };
        let sep = text_of(sep, " ", "sep")?;
        let end = text_of(end, "\n", "end")?;
        let mut out = String::new();
        for (i, a) in args.pos.iter().enumerate() {
            if i > 0 {
                out.push_str(&sep);
            }
            match a {
                Value::Str(s) => out.push_str(s.as_str()),
                other => out.push_str(vm.to_str(other)?.as_str()),
            }
        }
        out.push_str(&end);
        super::io::write_to(vm, file.as_ref(), &out)?;
        if let Some(f) = flush {
            if vm.truthy(&f)? {
                vm.flush();
            }
        }
        Ok(Value::None)
    });
    add_fn(vm, g, "len", |vm, args: Args| {
        let [v] = args.exact::<1>("len")?;
        Ok(Value::Int(vm.len(&v)? as i64))
    });
    add_fn(vm, g, "repr", |vm, args: Args| {
        let [v] = args.exact::<1>("repr")?;
        Ok(Value::string(vm.repr(&v)?))
    });
    add_fn(vm, g, "ascii", |vm, args: Args| {
        let [v] = args.exact::<1>("ascii")?;
        Ok(Value::string(format::ascii_escape(&vm.repr(&v)?)))
    });
    add_fn(vm, g, "abs", |vm, args: Args| {
        let [v] = args.exact::<1>("abs")?;
        match &v {
            Value::Int(i) => Ok(match i.checked_abs() {
                Some(a) => Value::Int(a),
                None => Value::from_bigint(BigInt::from(*i).abs()),
            }),
            Value::Bool(b) => Ok(Value::Int(*b as i64)),
            Value::BigInt(b) => Ok(Value::from_bigint(b.abs())),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            _ => match vm.call_dunder(&v, "__abs__", Args::empty())? {
                Some(r) => Ok(r),
                None => Err(Exc::type_error(format!("bad operand type for abs(): '{}'", vm.type_name(&v)))),
            },
        }
    });
    add_fn(vm, g, "min", |vm, args: Args| min_max(vm, args, false));
    add_fn(vm, g, "max", |vm, args: Args| min_max(vm, args, true));
    add_fn(vm, g, "sum", |vm, args: Args| {
        let [it, start] = args.bind("sum", ["iterable", "start"], 1)?;
        let mut acc = start.unwrap_or(Value::Int(0));
        if matches!(acc, Value::Str(_)) {
            return Err(Exc::type_error("sum() can't sum strings [use ''.join(seq) instead]"));
        }
        let mut st = vm.iter_state(&it.unwrap_or(Value::None))?;
        let mut ticker = Ticker::default();
        while let Some(x) = vm.iter_next(&mut st)? {
            ticker.tick(vm)?;
            acc = vm.binop(BinOp::Add, &acc, &x)?;
        }
        Ok(acc)
    });
    add_fn(vm, g, "any", |vm, args: Args| {
        let [it] = args.exact::<1>("any")?;
        let mut st = vm.iter_state(&it)?;
        let mut ticker = Ticker::default();
        while let Some(x) = vm.iter_next(&mut st)? {
            ticker.tick(vm)?;
            if vm.truthy(&x)? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    });
    add_fn(vm, g, "all", |vm, args: Args| {
        let [it] = args.exact::<1>("all")?;
        let mut st = vm.iter_state(&it)?;
        let mut ticker = Ticker::default();
        while let Some(x) = vm.iter_next(&mut st)? {
            ticker.tick(vm)?;
            if !vm.truthy(&x)? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    });
    add_fn(vm, g, "sorted", |vm, mut args: Args| {
        let key = args.take_kw("key");
        let reverse = args.take_kw("reverse");
        let [it] = args.exact::<1>("sorted")?;
        let mut items = vm.collect(&it)?;
        let rev = match reverse {
            Some(r) => vm.truthy(&r)?,
            None => false,
        };
        sort_values(vm, &mut items, key.as_ref(), rev)?;
        Ok(Value::list(items))
    });
    add_fn(vm, g, "reversed", |vm, args: Args| {
        let [v] = args.exact::<1>("reversed")?;
        match &v {
            Value::List(l) => {
                let n = l.borrow().len();
                Ok(vm.iterator_object(IterState::Native(Box::new(ListReverse { list: l.clone(), idx: n })), "list_reverseiterator"))
            }
            Value::Tuple(_) | Value::Str(_) | Value::Range(_) | Value::Bytes(_) => {
                let mut items = vm.collect(&v)?;
                items.reverse();
                Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, "reversed"))
            }
            Value::Dict(d) => {
                let mut items = d.keys();
                items.reverse();
                Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, "dict_reversekeyiterator"))
            }
            _ => {
                if let Some(r) = vm.call_dunder(&v, "__reversed__", Args::empty())? {
                    return Ok(r);
                }
                if vm.type_of(&v).lookup("__len__").is_some() && vm.type_of(&v).lookup("__getitem__").is_some() {
                    let n = vm.len(&v)?;
                    let mut items = Vec::with_capacity(n);
                    for i in (0..n).rev() {
                        items.push(vm.getitem(&v, &Value::Int(i as i64))?);
                    }
                    return Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, "reversed"));
                }
                let u = vm.builtin_value(&v);
                if !u.is(&v) {
                    let mut items = vm.collect(&u)?;
                    items.reverse();
                    return Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, "reversed"));
                }
                Err(Exc::type_error(format!("'{}' object is not reversible", vm.type_name(&v))))
            }
        }
    });
    add_fn(vm, g, "enumerate", |vm, args: Args| {
        let [it, start] = args.bind("enumerate", ["iterable", "start"], 1)?;
        let inner = vm.iter_state(&it.unwrap_or(Value::None))?;
        let n = match start {
            Some(s) => vm.index_value(&s)?,
            None => 0,
        };
        Ok(vm.iterator_object(IterState::Native(Box::new(Enumerate { inner, n })), "enumerate"))
    });
    add_fn(vm, g, "zip", |vm, mut args: Args| {
        let strict = match args.take_kw("strict") {
            Some(s) => vm.truthy(&s)?,
            None => false,
        };
        args.no_kw("zip")?;
        let iters = args
            .pos
            .iter()
            .enumerate()
            .map(|(i, a)| {
                vm.iter_state(a).map_err(|_| {
                    Exc::type_error(format!("zip argument #{} must support iteration", i + 1))
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(vm.iterator_object(IterState::Native(Box::new(Zip { iters, strict })), "zip"))
    });
    add_fn(vm, g, "map", |vm, args: Args| {
        if args.pos.len() < 2 {
            return Err(Exc::type_error("map() must have at least two arguments."));
        }
        let f = args.pos[0].clone();
        let iters = args.pos[1..].iter().map(|a| vm.iter_state(a)).collect::<PyResult<Vec<_>>>()?;
        Ok(vm.iterator_object(IterState::Native(Box::new(Map { f, iters })), "map"))
    });
    add_fn(vm, g, "filter", |vm, args: Args| {
        let [f, it] = args.exact::<2>("filter")?;
        let inner = vm.iter_state(&it)?;
        Ok(vm.iterator_object(IterState::Native(Box::new(Filter { f, inner })), "filter"))
    });
    add_fn(vm, g, "iter", |vm, args: Args| {
        args.no_kw("iter")?;
        match args.pos.len() {
            1 => vm.get_iter(&args.pos[0]),
            2 => {
                let f = args.pos[0].clone();
                if !callable(vm, &f) {
                    return Err(Exc::type_error("iter(v, w): v must be callable"));
                }
                Ok(vm.iterator_object(
                    IterState::Native(Box::new(CallableIter { f, sentinel: args.pos[1].clone(), done: false })),
                    "callable_iterator",
                ))
            }
            n => Err(Exc::type_error(format!("iter expected at most 2 arguments, got {n}"))),
        }
    });
    add_fn(vm, g, "next", |vm, args: Args| {
        args.no_kw("next")?;
        let it = args.pos.first().cloned().ok_or_else(|| Exc::type_error("next expected at least 1 argument, got 0"))?;
        match vm.next(&it) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => match args.pos.get(1) {
                Some(d) => Ok(d.clone()),
                None => Err(vm.take_stop_iteration()),
            },
            Err(e) => Err(e),
        }
    });
    add_fn(vm, g, "hash", |vm, args: Args| {
        let [v] = args.exact::<1>("hash")?;
        Ok(Value::Int(vm.hash(&v)?))
    });
    add_fn(vm, g, "id", |_vm, args: Args| {
        let [v] = args.exact::<1>("id")?;
        Ok(Value::Int(v.identity() as i64))
    });
    add_fn(vm, g, "getattr", |vm, args: Args| {
        args.no_kw("getattr")?;
        let (obj, name) = match &args.pos[..] {
            [o, n] | [o, n, _] => (o.clone(), n.clone()),
            _ => return Err(Exc::type_error(format!("getattr expected 2 or 3 arguments, got {}", args.pos.len()))),
        };
        let Value::Str(n) = &name else {
            return Err(Exc::type_error("attribute name must be string"));
        };
        match vm.getattr(&obj, n.as_str()) {
            Ok(v) => Ok(v),
            Err(e) if args.pos.len() == 3 && vm.exc_is(&e, ExcKind::AttributeError) => Ok(args.pos[2].clone()),
            Err(e) => Err(e),
        }
    });
    add_fn(vm, g, "setattr", |vm, args: Args| {
        let [obj, name, v] = args.exact::<3>("setattr")?;
        let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
        vm.setattr(&obj, n.as_str(), v)?;
        Ok(Value::None)
    });
    add_fn(vm, g, "hasattr", |vm, args: Args| {
        let [obj, name] = args.exact::<2>("hasattr")?;
        let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
        Ok(Value::Bool(vm.hasattr(&obj, n.as_str())?))
    });
    add_fn(vm, g, "delattr", |vm, args: Args| {
        let [obj, name] = args.exact::<2>("delattr")?;
        let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
        vm.delattr(&obj, n.as_str())?;
        Ok(Value::None)
    });
    add_fn(vm, g, "callable", |vm, args: Args| {
        let [v] = args.exact::<1>("callable")?;
        Ok(Value::Bool(callable(vm, &v)))
    });
    add_fn(vm, g, "isinstance", |vm, args: Args| {
        let [o, c] = args.exact::<2>("isinstance")?;
        Ok(Value::Bool(isinstance(vm, &o, &c)?))
    });
    add_fn(vm, g, "issubclass", |vm, args: Args| {
        let [c, spec] = args.exact::<2>("issubclass")?;
        let Value::Class(c) = &c else { return Err(Exc::type_error("issubclass() arg 1 must be a class")) };
        Ok(Value::Bool(is_subclass_spec(vm, c, &spec, "issubclass")?))
    });
    add_fn(vm, g, "ord", |vm, args: Args| {
        let [v] = args.exact::<1>("ord")?;
        match &v {
            Value::Str(s) if s.len_chars() == 1 => Ok(Value::Int(s.as_str().chars().next().map(|c| c as i64).unwrap_or(0))),
            Value::Str(s) => Err(Exc::type_error(format!("ord() expected a character, but string of length {} found", s.len_chars()))),
            Value::Bytes(b) if b.len() == 1 => Ok(Value::Int(b[0] as i64)),
            _ => Err(Exc::type_error(format!("ord() expected string of length 1, but {} found", vm.type_name(&v)))),
        }
    });
    add_fn(vm, g, "chr", |vm, args: Args| {
        let [v] = args.exact::<1>("chr")?;
        let i = vm.index_value(&v)?;
        match u32::try_from(i).ok().and_then(char::from_u32) {
            Some(c) => Ok(Value::string(c.to_string())),
            None if (0..0x110000).contains(&i) => Ok(Value::str("\u{fffd}")),
            None => Err(Exc::value_error("chr() arg not in range(0x110000)")),
        }
    });
    add_fn(vm, g, "hex", |vm, args: Args| {
        let [v] = args.exact::<1>("hex")?;
        int_text(vm, &v, 16, "0x")
    });
    add_fn(vm, g, "oct", |vm, args: Args| {
        let [v] = args.exact::<1>("oct")?;
        int_text(vm, &v, 8, "0o")
    });
    add_fn(vm, g, "bin", |vm, args: Args| {
        let [v] = args.exact::<1>("bin")?;
        int_text(vm, &v, 2, "0b")
    });
    add_fn(vm, g, "format", |vm, args: Args| {
        let [v, spec] = args.bind("format", ["value", "format_spec"], 1)?;
        let spec = match spec {
            Some(Value::Str(s)) => s.as_str().to_string(),
            None => String::new(),
            Some(o) => return Err(Exc::type_error(format!("format() argument 2 must be str, not {}", vm.type_name(&o)))),
        };
        Ok(Value::string(vm.format(&v.unwrap_or(Value::None), &spec)?))
    });
    add_fn(vm, g, "divmod", |vm, args: Args| {
        let [a, b] = args.exact::<2>("divmod")?;
        if let (Some(x), Some(y)) = (as_int(&a), as_int(&b)) {
            let q = vm.binop(BinOp::FloorDiv, &a, &b)?;
            let r = vm.binop(BinOp::Mod, &a, &b)?;
            let _ = (x, y);
            return Ok(Value::tuple(vec![q, r]));
        }
        if let (Value::Float(_) | Value::Int(_), Value::Float(_) | Value::Int(_)) = (&a, &b) {
            let q = vm.binop(BinOp::FloorDiv, &a, &b)?;
            let r = vm.binop(BinOp::Mod, &a, &b)?;
            return Ok(Value::tuple(vec![q, r]));
        }
        match vm.call_dunder(&a, "__divmod__", Args::one(b.clone()))? {
            Some(r) if !matches!(r, Value::NotImplemented) => Ok(r),
            _ => Err(Exc::type_error(format!(
                "unsupported operand type(s) for divmod(): '{}' and '{}'",
                vm.type_name(&a),
                vm.type_name(&b)
            ))),
        }
    });
    add_fn(vm, g, "pow", |vm, args: Args| {
        let [b, e, m] = args.bind("pow", ["base", "exp", "mod"], 2)?;
        let (b, e) = (b.unwrap_or(Value::None), e.unwrap_or(Value::None));
        match m {
            Some(m) if !m.is_none() => pow3(vm, &b, &e, &m),
            _ => vm.binop(BinOp::Pow, &b, &e),
        }
    });
    add_fn(vm, g, "round", |vm, args: Args| {
        let [x, nd] = args.bind("round", ["number", "ndigits"], 1)?;
        round_value(vm, &x.unwrap_or(Value::None), nd.as_ref())
    });
    add_fn(vm, g, "input", |vm, args: Args| {
        let [prompt] = args.bind("input", ["prompt"], 0)?;
        if let Some(p) = prompt {
            vm.write_stdout(vm.to_str(&p)?.as_str());
        }
        vm.flush();
        let mut line = String::new();
        match std::io::stdin().read_line(&mut line) {
            Ok(0) => Err(Exc::new(ExcKind::EOFError, "EOF when reading a line")),
            Ok(_) => {
                if line.ends_with('\n') {
                    line.pop();
                    if line.ends_with('\r') {
                        line.pop();
                    }
                }
                Ok(Value::string(line))
            }
            Err(e) => Err(Exc::new(ExcKind::OSError, e.to_string())),
        }
    });
    add_fn(vm, g, "vars", |vm, args: Args| {
        let [o] = args.bind("vars", ["object"], 0)?;
        match o {
            Some(o) => vm.getattr(&o, "__dict__").map_err(|_| Exc::type_error("vars() argument must have __dict__ attribute")),
            None => globals_dict(vm),
        }
    });
    add_fn(vm, g, "dir", |vm, args: Args| {
        let [o] = args.bind("dir", ["object"], 0)?;
        match o {
            Some(o) => dir_of(vm, &o),
            None => {
                let d = globals_dict(vm)?;
                let mut keys = vm.collect(&d)?;
                sort_values(vm, &mut keys, None, false)?;
                Ok(Value::list(keys))
            }
        }
    });
    add_fn(vm, g, "globals", |vm, _args: Args| globals_dict(vm));
    add_fn(vm, g, "locals", |vm, _args: Args| globals_dict(vm));
    for name in ["exit", "quit"] {
        add_fn(vm, g, name, |_vm, args: Args| {
            Err(Exc::with_args(ExcKind::SystemExit, args.pos.first().cloned().into_iter().collect()))
        });
    }
    set_value(vm, g, "__debug__", Value::Bool(true));
}

fn globals_dict(vm: &Vm) -> PyResult<Value> {
    let d = crate::runtime::dict::PyDict::new();
    if let Some(m) = vm.main_module.borrow().as_ref() {
        for (k, v) in m.globals.items() {
            d.set(vm, Value::str(&k), v)?;
        }
    }
    Ok(Value::Dict(Rc::new(d)))
}

pub fn callable(vm: &Vm, v: &Value) -> bool {
    match v {
        Value::Function(_) | Value::Builtin(_) | Value::BoundMethod(_) | Value::Class(_) => true,
        Value::Instance(i) => i.class().lookup("__call__").is_some(),
        _ => {
            let _ = vm;
            false
        }
    }
}

/// Small helper for modules: an i64 from an int value.
pub fn int_arg(v: &Value) -> Option<i64> {
    match as_int(v) {
        Some(IntRef::Small(i)) => Some(i),
        Some(IntRef::Big(b)) => b.to_i64(),
        None => None,
    }
}
