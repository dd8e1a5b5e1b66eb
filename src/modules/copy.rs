//! The `copy` module: `copy` and `deepcopy` (with a memo dict keyed by `id`, so cycles
//! and shared references are preserved), honouring `__copy__` / `__deepcopy__`.
//!
//! Instances are copied the way CPython's default `__reduce_ex__` does it: a new object
//! of the same class without calling `__init__`, with the attribute dict (and the
//! builtin value of `list`/`dict`/`tuple`... subclasses) copied over.

use std::cell::RefCell;
use std::rc::Rc;

use crate::builtins::add_fn;
use crate::runtime::class::{Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::exception::ExcPayload;
use crate::runtime::module::ModuleObj;
use crate::runtime::set::PySet;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

/// Values `copy`/`deepcopy` return unchanged.
fn is_atomic(v: &Value) -> bool {
    matches!(
        v,
        Value::None
            | Value::Bool(_)
            | Value::Int(_)
            | Value::BigInt(_)
            | Value::Float(_)
            | Value::Str(_)
            | Value::Bytes(_)
            | Value::Range(_)
            | Value::Slice(_)
            | Value::Function(_)
            | Value::Builtin(_)
            | Value::Class(_)
            | Value::Module(_)
            | Value::Ellipsis
            | Value::NotImplemented
    )
}

fn cannot_pickle(vm: &Vm, v: &Value) -> Exc {
    Exc::type_error(format!("cannot pickle '{}' object", vm.type_name(v)))
}

/// A shallow copy of a builtin container value (the payload of builtin subclasses too).
fn shallow_builtin(v: &Value) -> Value {
    match v {
        Value::List(l) => Value::list(l.borrow().clone()),
        Value::Dict(d) => Value::Dict(Rc::new(d.copy())),
        Value::Set(s) => Value::Set(Rc::new(s.copy())),
        Value::ByteArray(b) => Value::ByteArray(Rc::new(RefCell::new(b.borrow().clone()))),
        other => other.clone(),
    }
}

fn copy_exc_payload(p: &ExcPayload, args: Vec<Value>) -> ExcPayload {
    let n = ExcPayload::default();
    *n.args.borrow_mut() = args;
    *n.cause.borrow_mut() = p.cause.borrow().clone();
    *n.context.borrow_mut() = p.context.borrow().clone();
    n.suppress_context.set(p.suppress_context.get());
    n
}

/// Rust-implemented types without `__copy__`: rebuild through the constructor.
fn copy_native(vm: &Vm, x: &Value, items: Option<Value>) -> PyResult<Value> {
    let cls = vm.type_of(x);
    if &*cls.name == "deque" {
        let items = match items {
            Some(i) => i,
            None => Value::list(vm.collect(x)?),
        };
        let maxlen = vm.getattr(x, "maxlen")?;
        return vm.call(&Value::Class(cls), Args::new([items, maxlen]));
    }
    Err(cannot_pickle(vm, x))
}

pub fn shallow_copy(vm: &Vm, x: &Value) -> PyResult<Value> {
    if is_atomic(x) {
        return Ok(x.clone());
    }
    match x {
        Value::Tuple(_) | Value::FrozenSet(_) => Ok(x.clone()),
        Value::List(_) | Value::Dict(_) | Value::Set(_) | Value::ByteArray(_) => Ok(shallow_builtin(x)),
        Value::Instance(inst) => {
            let cls = inst.class();
            if let Some(r) = vm.call_dunder(x, "__copy__", Args::empty())? {
                return Ok(r);
            }
            let payload = match &inst.payload {
                Payload::None => Payload::None,
                Payload::Builtin(b) => {
                    let inner = b.borrow().clone();
                    Payload::Builtin(RefCell::new(shallow_builtin(&inner)))
                }
                Payload::Exception(p) => Payload::Exception(copy_exc_payload(p, p.args.borrow().clone())),
                Payload::Native(_) => return copy_native(vm, x, None),
            };
            let new = Instance::new(cls, payload);
            *new.attrs.borrow_mut() = inst.attrs.borrow().clone();
            Ok(Value::Instance(new))
        }
        _ => Err(cannot_pickle(vm, x)),
    }
}

struct Deep<'a> {
    vm: &'a Vm,
    memo: Rc<PyDict>,
    /// The user-visible memo dict, created lazily for `__deepcopy__` hooks.
    memo_value: Value,
    /// Originals stay alive while copying so their ids are not reused.
    keep: Vec<Value>,
}

impl Deep<'_> {
    fn lookup(&self, x: &Value) -> PyResult<Option<Value>> {
        self.memo.get(self.vm, &Value::Int(x.identity() as i64))
    }

    fn remember(&mut self, x: &Value, y: &Value) -> PyResult<()> {
        self.memo.set(self.vm, Value::Int(x.identity() as i64), y.clone())?;
        self.keep.push(x.clone());
        Ok(())
    }

    fn copy(&mut self, x: &Value) -> PyResult<Value> {
        if is_atomic(x) {
            return Ok(x.clone());
        }
        if let Some(y) = self.lookup(x)? {
            return Ok(y);
        }
        let vm = self.vm;
        let y = match x {
            Value::List(l) => {
                let y = Value::list(Vec::new());
                self.remember(x, &y)?;
                let items = l.borrow().clone();
                for it in &items {
                    let c = self.copy(it)?;
                    if let Value::List(yl) = &y {
                        yl.borrow_mut().push(c);
                    }
                }
                return Ok(y);
            }
            Value::Tuple(t) => {
                let mut out = Vec::with_capacity(t.len());
                for it in t.iter() {
                    out.push(self.copy(it)?);
                }
                // A tuple in a cycle may have been copied while copying its items.
                if let Some(y) = self.lookup(x)? {
                    return Ok(y);
                }
                if out.iter().zip(t.iter()).all(|(a, b)| a.is(b)) {
                    x.clone()
                } else {
                    Value::tuple(out)
                }
            }
            Value::Dict(d) => {
                let nd = Rc::new(PyDict::new());
                let y = Value::Dict(nd.clone());
                self.remember(x, &y)?;
                for (k, v) in d.items() {
                    let k = self.copy(&k)?;
                    let v = self.copy(&v)?;
                    nd.set(vm, k, v)?;
                }
                return Ok(y);
            }
            Value::Set(s) | Value::FrozenSet(s) => {
                let ns = PySet::new();
                for it in s.items() {
                    let c = self.copy(&it)?;
                    ns.add(vm, c)?;
                }
                match x {
                    Value::Set(_) => Value::Set(Rc::new(ns)),
                    _ => Value::FrozenSet(Rc::new(ns)),
                }
            }
            Value::ByteArray(_) => shallow_builtin(x),
            Value::Instance(inst) => return self.copy_instance(x, inst),
            _ => return Err(cannot_pickle(vm, x)),
        };
        self.remember(x, &y)?;
        Ok(y)
    }

    fn copy_instance(&mut self, x: &Value, inst: &Rc<Instance>) -> PyResult<Value> {
        let vm = self.vm;
        let cls = inst.class();
        if cls.lookup("__deepcopy__").is_some() {
            let y = vm.call_method(x, &vm.intern("__deepcopy__"), Args::one(self.memo_value.clone()))?;
            self.remember(x, &y)?;
            return Ok(y);
        }
        let payload = match &inst.payload {
            Payload::None => Payload::None,
            Payload::Builtin(b) => {
                let inner = b.borrow().clone();
                match inner {
                    // Immutable payloads (tuple, str, int subclasses) are copied before the
                    // object exists, so they cannot refer back to it.
                    Value::Tuple(_) | Value::FrozenSet(_) => Payload::Builtin(RefCell::new(self.copy(&inner)?)),
                    other => Payload::Builtin(RefCell::new(match other {
                        Value::List(_) => Value::list(vec![]),
                        Value::Dict(_) => Value::Dict(Rc::new(PyDict::new())),
                        Value::Set(_) => Value::Set(Rc::new(PySet::new())),
                        o => shallow_builtin(&o),
                    })),
                }
            }
            Payload::Exception(p) => {
                let args = p.args.borrow().clone();
                let mut nargs = Vec::with_capacity(args.len());
                for a in &args {
                    nargs.push(self.copy(a)?);
                }
                Payload::Exception(copy_exc_payload(p, nargs))
            }
            Payload::Native(_) => {
                if cls.lookup("__copy__").is_some() {
                    return Err(cannot_pickle(vm, x));
                }
                let items = vm.collect(x)?;
                let mut copied = Vec::with_capacity(items.len());
                for it in &items {
                    copied.push(self.copy(it)?);
                }
                let y = copy_native(vm, x, Some(Value::list(copied)))?;
                self.remember(x, &y)?;
                return Ok(y);
            }
        };
        let new = Instance::new(cls, payload);
        let y = Value::Instance(new.clone());
        self.remember(x, &y)?;
        // Mutable builtin payloads are filled after memoising (cycles through them).
        if let Payload::Builtin(b) = &inst.payload {
            let inner = b.borrow().clone();
            let target = vm.builtin_value(&y);
            match (&inner, &target) {
                (Value::List(src), Value::List(dst)) => {
                    let items = src.borrow().clone();
                    for it in &items {
                        let c = self.copy(it)?;
                        dst.borrow_mut().push(c);
                    }
                }
                (Value::Dict(src), Value::Dict(dst)) => {
                    for (k, v) in src.items() {
                        let k = self.copy(&k)?;
                        let v = self.copy(&v)?;
                        dst.set(vm, k, v)?;
                    }
                }
                (Value::Set(src), Value::Set(dst)) => {
                    for it in src.items() {
                        let c = self.copy(&it)?;
                        dst.add(vm, c)?;
                    }
                }
                _ => {}
            }
        }
        let attrs: Vec<_> = inst.attrs.borrow().iter().cloned().collect();
        for (k, v) in attrs {
            let c = self.copy(&v)?;
            new.attrs.borrow_mut().set(k, c);
        }
        Ok(y)
    }
}

pub fn deep_copy(vm: &Vm, x: &Value, memo: Option<Value>) -> PyResult<Value> {
    let memo = match memo {
        Some(Value::Dict(d)) => d,
        Some(Value::None) | None => Rc::new(PyDict::new()),
        Some(other) => {
            return Err(Exc::type_error(format!("memo must be a dict, not {}", vm.type_name(&other))));
        }
    };
    let mut d = Deep { vm, memo_value: Value::Dict(memo.clone()), memo, keep: Vec::new() };
    d.copy(x)
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "copy");
    let g = &m.globals;
    add_fn(vm, g, "copy", |vm, args: Args| {
        let [x] = args.bind("copy", ["x"], 1)?;
        shallow_copy(vm, &x.unwrap_or(Value::None))
    });
    add_fn(vm, g, "deepcopy", |vm, args: Args| {
        let [x, memo, _nil] = args.bind("deepcopy", ["x", "memo", "_nil"], 1)?;
        deep_copy(vm, &x.unwrap_or(Value::None), memo)
    });
    let err = crate::vm::types::make_class(
        "Error",
        vec![vm.types.exception(crate::runtime::ExcKind::Exception).clone()],
        crate::runtime::class::BaseKind::Exception,
        None,
    );
    *err.module.borrow_mut() = "copy".into();
    crate::builtins::set_value(vm, g, "Error", Value::Class(err));
    Ok(m)
}
