//! `collections.deque`: a double-ended queue with an optional `maxlen`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use crate::builtins::{add_getter, add_method};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::iter::IterState;
use crate::vm::types::make_class;
use crate::vm::Vm;

pub struct Deque {
    pub items: RefCell<VecDeque<Value>>,
    pub maxlen: Option<usize>,
}

impl Deque {
    fn push_back(&self, v: Value) {
        let mut d = self.items.borrow_mut();
        if self.maxlen == Some(0) {
            return;
        }
        d.push_back(v);
        if let Some(m) = self.maxlen {
            while d.len() > m {
                d.pop_front();
            }
        }
    }
    fn push_front(&self, v: Value) {
        let mut d = self.items.borrow_mut();
        if self.maxlen == Some(0) {
            return;
        }
        d.push_front(v);
        if let Some(m) = self.maxlen {
            while d.len() > m {
                d.pop_back();
            }
        }
    }
    fn snapshot(&self) -> Vec<Value> {
        self.items.borrow().iter().cloned().collect()
    }
}

fn me(v: Option<&Value>) -> PyResult<&Deque> {
    match v {
        Some(Value::Instance(i)) => i.native::<Deque>().ok_or_else(|| Exc::type_error("descriptor requires a 'collections.deque' object")),
        _ => Err(Exc::type_error("descriptor requires a 'collections.deque' object")),
    }
}

fn norm(d: &Deque, vm: &Vm, idx: &Value) -> PyResult<usize> {
    let i = vm.index_value(idx)?;
    let n = d.items.borrow().len() as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(Exc::index_error("deque index out of range"));
    }
    Ok(j as usize)
}

pub fn make(vm: &Vm, cls: &Rc<Class>, items: Vec<Value>, maxlen: Option<usize>) -> Value {
    let d = Deque { items: RefCell::new(VecDeque::new()), maxlen };
    for v in items {
        d.push_back(v);
    }
    let _ = vm;
    Value::Instance(Instance::new(cls.clone(), Payload::Native(Box::new(d))))
}

pub fn class(vm: &Vm) -> Rc<Class> {
    let cls = make_class("deque", vec![vm.types.object.clone()], BaseKind::Native, None);
    *cls.module.borrow_mut() = "collections".into();
    add_method(vm, &cls, "__new__", |vm, args: Args| {
        let Some(Value::Class(c)) = args.pos.first().cloned() else { return Err(Exc::type_error("deque.__new__(X): X is not a type object")) };
        let rest = Args { pos: args.pos[1..].iter().cloned().collect(), kw: args.kw };
        let [it, maxlen] = rest.bind("deque", ["iterable", "maxlen"], 0)?;
        let maxlen = match maxlen {
            None | Some(Value::None) => None,
            Some(m) => {
                let m = vm.index_value(&m)?;
                if m < 0 {
                    return Err(Exc::value_error("maxlen must be non-negative"));
                }
                Some(m as usize)
            }
        };
        let items = match it {
            Some(it) => vm.collect(&it)?,
            None => vec![],
        };
        Ok(make(vm, &c, items, maxlen))
    });
    add_method(vm, &cls, "__init__", |_vm, _args: Args| Ok(Value::None));
    add_getter(vm, &cls, "maxlen", |_vm, args: Args| Ok(me(args.pos.first())?.maxlen.map(|m| Value::Int(m as i64)).unwrap_or(Value::None)));
    add_method(vm, &cls, "append", |_vm, args: Args| {
        let [s, v] = args.exact::<2>("append")?;
        me(Some(&s))?.push_back(v);
        Ok(Value::None)
    });
    add_method(vm, &cls, "appendleft", |_vm, args: Args| {
        let [s, v] = args.exact::<2>("appendleft")?;
        me(Some(&s))?.push_front(v);
        Ok(Value::None)
    });
    add_method(vm, &cls, "pop", |_vm, args: Args| {
        let [s] = args.exact::<1>("pop")?;
        let r = me(Some(&s))?.items.borrow_mut().pop_back();
        r.ok_or_else(|| Exc::index_error("pop from an empty deque"))
    });
    add_method(vm, &cls, "popleft", |_vm, args: Args| {
        let [s] = args.exact::<1>("popleft")?;
        let r = me(Some(&s))?.items.borrow_mut().pop_front();
        r.ok_or_else(|| Exc::index_error("pop from an empty deque"))
    });
    for (name, left) in [("extend", false), ("extendleft", true)] {
        add_method(vm, &cls, name, move |vm, args: Args| {
            let [s, it] = args.exact::<2>(name)?;
            // Collect first: extending a deque with itself must not loop forever.
            let items = vm.collect(&it)?;
            let d = me(Some(&s))?;
            for v in items {
                if left {
                    d.push_front(v);
                } else {
                    d.push_back(v);
                }
            }
            Ok(Value::None)
        });
    }
    add_method(vm, &cls, "__iadd__", |vm, args: Args| {
        let [s, it] = args.exact::<2>("__iadd__")?;
        let items = vm.collect(&it)?;
        let d = me(Some(&s))?;
        for v in items {
            d.push_back(v);
        }
        Ok(s)
    });
    add_method(vm, &cls, "rotate", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let n = match args.pos.get(1) {
            Some(n) => vm.index_value(n)?,
            None => 1,
        };
        let d = me(Some(&s))?;
        let mut items = d.items.borrow_mut();
        let len = items.len() as i64;
        if len > 1 {
            let k = n.rem_euclid(len) as usize;
            items.rotate_right(k);
        }
        Ok(Value::None)
    });
    add_method(vm, &cls, "clear", |_vm, args: Args| {
        me(args.pos.first())?.items.borrow_mut().clear();
        Ok(Value::None)
    });
    add_method(vm, &cls, "copy", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let d = me(Some(&s))?;
        Ok(make(vm, &vm.type_of(&s), d.snapshot(), d.maxlen))
    });
    add_method(vm, &cls, "count", |vm, args: Args| {
        let [s, x] = args.exact::<2>("count")?;
        let mut n = 0;
        for v in me(Some(&s))?.snapshot() {
            if vm.eq(&v, &x)? {
                n += 1;
            }
        }
        Ok(Value::Int(n))
    });
    add_method(vm, &cls, "index", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let x = args.pos.get(1).cloned().ok_or_else(|| Exc::type_error("index expected at least 1 argument, got 0"))?;
        let items = me(Some(&s))?.snapshot();
        let n = items.len() as i64;
        let clamp = |v: i64| if v < 0 { (v + n).max(0) } else { v.min(n) } as usize;
        let start = match args.pos.get(2) { Some(v) => clamp(vm.index_value(v)?), None => 0 };
        let stop = match args.pos.get(3) { Some(v) => clamp(vm.index_value(v)?), None => n as usize };
        for (i, v) in items.iter().enumerate().take(stop).skip(start) {
            if vm.eq(v, &x)? {
                return Ok(Value::Int(i as i64));
            }
        }
        Err(Exc::value_error(format!("{} is not in deque", vm.repr(&x)?)))
    });
    add_method(vm, &cls, "remove", |vm, args: Args| {
        let [s, x] = args.exact::<2>("remove")?;
        let d = me(Some(&s))?;
        for (i, v) in d.snapshot().iter().enumerate() {
            if vm.eq(v, &x)? {
                d.items.borrow_mut().remove(i);
                return Ok(Value::None);
            }
        }
        Err(Exc::value_error(format!("{} is not in deque", vm.repr(&x)?)))
    });
    add_method(vm, &cls, "insert", |vm, args: Args| {
        let [s, i, x] = args.exact::<3>("insert")?;
        let d = me(Some(&s))?;
        let n = d.items.borrow().len() as i64;
        if d.maxlen == Some(n as usize) {
            return Err(Exc::index_error("deque already at its maximum size"));
        }
        let i = vm.index_value(&i)?;
        let j = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
        d.items.borrow_mut().insert(j, x);
        Ok(Value::None)
    });
    add_method(vm, &cls, "reverse", |_vm, args: Args| {
        let d = me(args.pos.first())?;
        let mut items = d.items.borrow_mut();
        let v: Vec<Value> = items.drain(..).rev().collect();
        items.extend(v);
        Ok(Value::None)
    });
    add_method(vm, &cls, "__len__", |_vm, args: Args| Ok(Value::Int(me(args.pos.first())?.items.borrow().len() as i64)));
    add_method(vm, &cls, "__bool__", |_vm, args: Args| Ok(Value::Bool(!me(args.pos.first())?.items.borrow().is_empty())));
    add_method(vm, &cls, "__getitem__", |vm, args: Args| {
        let [s, i] = args.exact::<2>("__getitem__")?;
        let d = me(Some(&s))?;
        if let Value::Slice(_) = i {
            return Err(Exc::type_error("sequence index must be integer, not 'slice'"));
        }
        let j = norm(d, vm, &i)?;
        let r = d.items.borrow().get(j).cloned().unwrap_or(Value::None);
        Ok(r)
    });
    add_method(vm, &cls, "__setitem__", |vm, args: Args| {
        let [s, i, v] = args.exact::<3>("__setitem__")?;
        let d = me(Some(&s))?;
        let j = norm(d, vm, &i)?;
        if let Some(slot) = d.items.borrow_mut().get_mut(j) {
            *slot = v;
        }
        Ok(Value::None)
    });
    add_method(vm, &cls, "__delitem__", |vm, args: Args| {
        let [s, i] = args.exact::<2>("__delitem__")?;
        let d = me(Some(&s))?;
        let j = norm(d, vm, &i)?;
        d.items.borrow_mut().remove(j);
        Ok(Value::None)
    });
    add_method(vm, &cls, "__contains__", |vm, args: Args| {
        let [s, x] = args.exact::<2>("__contains__")?;
        for v in me(Some(&s))?.snapshot() {
            if vm.eq(&v, &x)? {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(false))
    });
    add_method(vm, &cls, "__iter__", |vm, args: Args| {
        let items = me(args.pos.first())?.snapshot();
        Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, "_collections._deque_iterator"))
    });
    add_method(vm, &cls, "__reversed__", |vm, args: Args| {
        let mut items = me(args.pos.first())?.snapshot();
        items.reverse();
        Ok(vm.iterator_object(IterState::Values { items, idx: 0 }, "_collections._deque_reverse_iterator"))
    });
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let d = me(Some(&s))?;
        let name = vm.type_of(&s).name.clone();
        if vm.repr_guard.borrow().contains(&s.identity()) {
            return Ok(Value::str("[...]"));
        }
        vm.repr_guard.borrow_mut().push(s.identity());
        let inner = vm.repr(&Value::list(d.snapshot()));
        vm.repr_guard.borrow_mut().pop();
        let inner = inner?;
        Ok(Value::string(match d.maxlen {
            Some(m) => format!("{name}({inner}, maxlen={m})"),
            None => format!("{name}({inner})"),
        }))
    });
    add_method(vm, &cls, "__eq__", |vm, args: Args| {
        let [a, b] = args.exact::<2>("__eq__")?;
        let Ok(db) = me(Some(&b)) else { return Ok(Value::NotImplemented) };
        let (x, y) = (me(Some(&a))?.snapshot(), db.snapshot());
        if x.len() != y.len() {
            return Ok(Value::Bool(false));
        }
        for (p, q) in x.iter().zip(y.iter()) {
            if !vm.eq(p, q)? {
                return Ok(Value::Bool(false));
            }
        }
        Ok(Value::Bool(true))
    });
    cls.set_attr(vm.intern("__hash__"), Value::None);
    cls
}
