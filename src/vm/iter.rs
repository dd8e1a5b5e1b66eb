//! The iteration protocol.
//!
//! `for` loops and builtins iterate through an `IterState` held on the Rust stack, so
//! looping over a list or range allocates nothing. `iter(x)` wraps the same state in an
//! iterator object; Rust-implemented iterators (itertools, map, zip...) implement
//! [`NativeIter`].

use std::cell::RefCell;
use std::rc::Rc;

use crate::runtime::class::{Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::generator::Generator;
use crate::runtime::set::PySet;
use crate::runtime::str::PyStr;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::Vm;
use crate::embed::limits::Ticker;

/// An iterator implemented in Rust.
pub trait NativeIter {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>>;
    /// Python-visible type name (`'map'`, `'zip'`, `'itertools.count'`...).
    fn type_name(&self) -> &'static str;
    /// `__length_hint__`, when cheap.
    fn length_hint(&self) -> Option<usize> {
        None
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DictView {
    Keys,
    Values,
    Items,
}

pub enum IterState {
    Range { next: i64, stop: i64, step: i64 },
    List { list: Rc<RefCell<Vec<Value>>>, idx: usize },
    Tuple { tuple: Rc<Vec<Value>>, idx: usize },
    Str { s: Rc<PyStr>, byte: usize },
    Bytes { b: Rc<Vec<u8>>, idx: usize },
    Dict { d: Rc<PyDict>, pos: usize, version: u64, len: usize, view: DictView },
    Set { s: Rc<PySet>, pos: usize, version: u64 },
    Generator(Rc<Generator>),
    /// A Python object with `__next__`.
    Object(Value),
    /// Old-style sequence protocol: `__getitem__` with 0, 1, 2... until IndexError.
    Sequence { obj: Value, idx: i64 },
    Native(Box<dyn NativeIter>),
    /// Values already materialised.
    Values { items: Vec<Value>, idx: usize },
    /// A shared iterator object (`iter(x)` result); advancing one advances all.
    Shared(Rc<RefCell<IterState>>),
    Exhausted,
}

/// Payload of an iterator object.
pub struct IterObj {
    pub state: Rc<RefCell<IterState>>,
    pub name: &'static str,
}

impl Vm {
    pub fn iter_state(&self, v: &Value) -> PyResult<IterState> {
        Ok(match v {
            Value::Range(r) => IterState::Range { next: r.start, stop: r.stop, step: r.step },
            Value::List(l) => IterState::List { list: l.clone(), idx: 0 },
            Value::Tuple(t) => IterState::Tuple { tuple: t.clone(), idx: 0 },
            Value::Str(s) => IterState::Str { s: s.clone(), byte: 0 },
            Value::Bytes(b) => IterState::Bytes { b: b.clone(), idx: 0 },
            Value::ByteArray(b) => IterState::Bytes { b: Rc::new(b.borrow().clone()), idx: 0 },
            Value::Dict(d) => IterState::Dict { d: d.clone(), pos: 0, version: d.version(), len: d.len(), view: DictView::Keys },
            Value::Set(s) | Value::FrozenSet(s) => IterState::Set { s: s.clone(), pos: 0, version: s.version() },
            Value::Generator(g) => {
                if g.kind != crate::runtime::generator::GenKind::Generator {
                    return Err(Exc::type_error(format!("'{}' object is not iterable", self.type_name(v))));
                }
                IterState::Generator(g.clone())
            }
            Value::Instance(inst) => {
                if let Some(it) = inst.native::<IterObj>() {
                    return Ok(IterState::Shared(it.state.clone()));
                }
                if let Some(view) = inst.native::<DictViewObj>() {
                    return Ok(IterState::Dict {
                        d: view.dict.clone(),
                        pos: 0,
                        version: view.dict.version(),
                        len: view.dict.len(),
                        view: view.view,
                    });
                }
                let cls = inst.class();
                if let Some(m) = cls.lookup("__iter__") {
                    if !m.is_none() {
                        let m = self.bind_descriptor(m, v)?;
                        let it = self.call(&m, Args::empty())?;
                        return self.iterator_from(it);
                    }
                }
                if let Payload::Builtin(b) = &inst.payload {
                    let inner = b.borrow().clone();
                    return self.iter_state(&inner);
                }
                if cls.lookup("__getitem__").is_some() {
                    return Ok(IterState::Sequence { obj: v.clone(), idx: 0 });
                }
                return Err(Exc::type_error(format!("'{}' object is not iterable", cls.name)));
            }
            // A metaclass `__iter__` makes the class iterable (`for c in Color`).
            Value::Class(c) if self.meta_dunder(c, "__iter__").is_some() => {
                let m = self.meta_dunder(c, "__iter__").unwrap_or(Value::None);
                let it = self.call(&m, Args::empty())?;
                return self.iterator_from(it);
            }
            _ => return Err(Exc::type_error(format!("'{}' object is not iterable", self.type_name(v)))),
        })
    }

    /// The state for an object returned by `__iter__`, which must be an iterator.
    fn iterator_from(&self, it: Value) -> PyResult<IterState> {
        match &it {
            Value::Generator(g) => Ok(IterState::Generator(g.clone())),
            Value::Instance(inst) => {
                if let Some(o) = inst.native::<IterObj>() {
                    return Ok(IterState::Shared(o.state.clone()));
                }
                if inst.class().lookup("__next__").is_none() {
                    return Err(Exc::type_error(format!(
                        "iter() returned non-iterator of type '{}'",
                        inst.class().name
                    )));
                }
                Ok(IterState::Object(it))
            }
            _ => Err(Exc::type_error(format!("iter() returned non-iterator of type '{}'", self.type_name(&it)))),
        }
    }

    #[inline]
    pub fn iter_next(&self, st: &mut IterState) -> PyResult<Option<Value>> {
        match st {
            IterState::Range { next, stop, step } => {
                let n = *next;
                if (*step > 0 && n < *stop) || (*step < 0 && n > *stop) {
                    *next = n.saturating_add(*step);
                    Ok(Some(Value::Int(n)))
                } else {
                    Ok(None)
                }
            }
            IterState::List { list, idx } => {
                let l = list.borrow();
                if *idx < l.len() {
                    let v = l[*idx].clone();
                    *idx += 1;
                    Ok(Some(v))
                } else {
                    Ok(None)
                }
            }
            IterState::Tuple { tuple, idx } => {
                if *idx < tuple.len() {
                    let v = tuple[*idx].clone();
                    *idx += 1;
                    Ok(Some(v))
                } else {
                    Ok(None)
                }
            }
            IterState::Str { s, byte } => match s.as_str()[*byte..].chars().next() {
                Some(c) => {
                    *byte += c.len_utf8();
                    let mut buf = [0u8; 4];
                    Ok(Some(Value::str(c.encode_utf8(&mut buf))))
                }
                None => Ok(None),
            },
            IterState::Bytes { b, idx } => {
                if *idx < b.len() {
                    *idx += 1;
                    Ok(Some(Value::Int(b[*idx - 1] as i64)))
                } else {
                    Ok(None)
                }
            }
            IterState::Dict { d, pos, version, len, view } => {
                if d.version() != *version {
                    let msg = if d.len() != *len { "dictionary changed size during iteration" } else { "dictionary keys changed during iteration" };
                    *version = d.version();
                    return Err(Exc::runtime_error(msg));
                }
                match d.entry_from(*pos) {
                    Some((p, k, v)) => {
                        *pos = p;
                        Ok(Some(match view {
                            DictView::Keys => k,
                            DictView::Values => v,
                            DictView::Items => Value::tuple(vec![k, v]),
                        }))
                    }
                    None => Ok(None),
                }
            }
            IterState::Set { s, pos, version } => {
                if s.version() != *version {
                    return Err(Exc::runtime_error("Set changed size during iteration"));
                }
                match s.item_from(*pos) {
                    Some((p, v)) => {
                        *pos = p;
                        Ok(Some(v))
                    }
                    None => Ok(None),
                }
            }
            IterState::Generator(g) => self.generator_next(g),
            IterState::Object(o) => {
                let cls = self.type_of(o);
                let m = cls.lookup("__next__").ok_or_else(|| Exc::type_error("iterator has no __next__"))?;
                let m = self.bind_descriptor(m, o)?;
                match self.call(&m, Args::empty()) {
                    Ok(v) => Ok(Some(v)),
                    Err(e) if self.exc_is(&e, ExcKind::StopIteration) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            IterState::Sequence { obj, idx } => match self.getitem(obj, &Value::Int(*idx)) {
                Ok(v) => {
                    *idx += 1;
                    Ok(Some(v))
                }
                Err(e) if self.exc_is(&e, ExcKind::IndexError) || self.exc_is(&e, ExcKind::StopIteration) => Ok(None),
                Err(e) => Err(e),
            },
            IterState::Native(n) => n.next(self),
            IterState::Values { items, idx } => {
                if *idx < items.len() {
                    *idx += 1;
                    Ok(Some(std::mem::replace(&mut items[*idx - 1], Value::None)))
                } else {
                    Ok(None)
                }
            }
            IterState::Shared(s) => {
                // Take the state out while advancing, so a re-entrant next() on the same
                // iterator sees an exhausted one instead of a RefCell panic.
                let mut inner = std::mem::replace(&mut *s.borrow_mut(), IterState::Exhausted);
                let r = self.iter_next(&mut inner);
                let exhausted = matches!(r, Ok(None));
                *s.borrow_mut() = if exhausted { IterState::Exhausted } else { inner };
                r
            }
            IterState::Exhausted => Ok(None),
        }
    }

    /// `iter(x)`: an iterator object (iterators return themselves).
    pub fn get_iter(&self, v: &Value) -> PyResult<Value> {
        match v {
            Value::Generator(g) if g.kind == crate::runtime::generator::GenKind::Generator => return Ok(v.clone()),
            Value::Class(c) if self.meta_dunder(c, "__iter__").is_some() => {
                let m = self.meta_dunder(c, "__iter__").unwrap_or(Value::None);
                let it = self.call(&m, Args::empty())?;
                self.iterator_from(it.clone())?;
                return Ok(it);
            }
            Value::Instance(inst) => {
                if inst.native::<IterObj>().is_some() {
                    return Ok(v.clone());
                }
                let cls = inst.class();
                if let Some(m) = cls.lookup("__iter__") {
                    if !m.is_none() && inst.native::<DictViewObj>().is_none() {
                        let m = self.bind_descriptor(m, v)?;
                        let it = self.call(&m, Args::empty())?;
                        self.iterator_from(it.clone())?;
                        return Ok(it);
                    }
                }
            }
            _ => {}
        }
        let name = match v {
            Value::List(_) => "list_iterator",
            Value::Tuple(_) => "tuple_iterator",
            Value::Str(_) => "str_ascii_iterator",
            Value::Range(_) => "range_iterator",
            Value::Dict(_) => "dict_keyiterator",
            Value::Set(_) | Value::FrozenSet(_) => "set_iterator",
            Value::Bytes(_) => "bytes_iterator",
            _ => "iterator",
        };
        let st = self.iter_state(v)?;
        Ok(self.iterator_object(st, name))
    }

    pub fn iterator_object(&self, st: IterState, name: &'static str) -> Value {
        let name = match &st {
            IterState::Native(n) => n.type_name(),
            _ => name,
        };
        Value::Instance(Instance::new(
            self.iter_class(name),
            Payload::Native(Box::new(IterObj { state: Rc::new(RefCell::new(st)), name })),
        ))
    }

    /// `next(it)`: `Ok(None)` when exhausted.
    pub fn next(&self, it: &Value) -> PyResult<Option<Value>> {
        match it {
            Value::Generator(g) => self.generator_next(g),
            Value::Instance(inst) => {
                if let Some(o) = inst.native::<IterObj>() {
                    let mut st = IterState::Shared(o.state.clone());
                    return self.iter_next(&mut st);
                }
                let mut st = IterState::Object(it.clone());
                if inst.class().lookup("__next__").is_none() {
                    return Err(Exc::type_error(format!("'{}' object is not an iterator", inst.class().name)));
                }
                self.iter_next(&mut st)
            }
            _ => Err(Exc::type_error(format!("'{}' object is not an iterator", self.type_name(it)))),
        }
    }

    pub fn is_iterable(&self, v: &Value) -> bool {
        match v {
            Value::Range(_)
            | Value::List(_)
            | Value::Tuple(_)
            | Value::Str(_)
            | Value::Bytes(_)
            | Value::ByteArray(_)
            | Value::Dict(_)
            | Value::Set(_)
            | Value::FrozenSet(_) => true,
            Value::Generator(g) => g.kind == crate::runtime::generator::GenKind::Generator,
            Value::Instance(i) => {
                let c = i.class();
                i.native::<IterObj>().is_some()
                    || matches!(i.payload, Payload::Builtin(_))
                    || c.lookup("__iter__").map(|m| !m.is_none()).unwrap_or(false)
                    || c.lookup("__getitem__").is_some()
            }
            _ => false,
        }
    }

    /// Append every item of an iterable.
    pub fn extend_from_iterable(&self, out: &mut Vec<Value>, v: &Value) -> PyResult<()> {
        match v {
            Value::List(l) => out.extend(l.borrow().iter().cloned()),
            Value::Tuple(t) => out.extend(t.iter().cloned()),
            _ => {
                let mut st = self.iter_state(v)?;
                let mut ticker = Ticker::default();
                while let Some(x) = self.iter_next(&mut st)? {
                    ticker.tick(self)?;
                    if out.len() == out.capacity() {
                        // Growing: the host's memory limit sees the new buffer first.
                        self.reserve_memory(out.capacity().max(4) * 2 * std::mem::size_of::<Value>())?;
                    }
                    out.push(x);
                }
            }
        }
        Ok(())
    }

    /// All items of an iterable.
    pub fn collect(&self, v: &Value) -> PyResult<Vec<Value>> {
        let mut out = Vec::new();
        self.extend_from_iterable(&mut out, v)?;
        Ok(out)
    }

    /// (key, value) pairs of a mapping (dict, or an object with `keys()` and `[]`).
    pub fn mapping_items(&self, v: &Value) -> PyResult<Vec<(Value, Value)>> {
        match v {
            Value::Dict(d) => Ok(d.items()),
            Value::Instance(inst) => {
                if let Payload::Builtin(b) = &inst.payload {
                    if let Value::Dict(d) = &*b.borrow() {
                        return Ok(d.items());
                    }
                }
                let keys = self.call_method(v, &self.intern("keys"), Args::empty())?;
                let keys = self.collect(&keys)?;
                keys.into_iter().map(|k| Ok((k.clone(), self.getitem(v, &k)?))).collect()
            }
            _ => Err(Exc::type_error(format!("'{}' object is not a mapping", self.type_name(v)))),
        }
    }

    /// `d.update(other)` for a mapping or an iterable of pairs.
    pub fn dict_update(&self, d: &PyDict, other: &Value) -> PyResult<()> {
        let is_mapping = match other {
            Value::Dict(_) => true,
            Value::Instance(i) => matches!(&i.payload, Payload::Builtin(b) if matches!(&*b.borrow(), Value::Dict(_)))
                || i.class().lookup("keys").is_some(),
            _ => false,
        };
        if is_mapping {
            for (k, v) in self.mapping_items(other)? {
                d.set(self, k, v)?;
            }
            return Ok(());
        }
        let mut st = self.iter_state(other)?;
        let mut i = 0;
        let mut ticker = Ticker::default();
        while let Some(item) = self.iter_next(&mut st)? {
            ticker.tick(self)?;
            let pair = self.collect(&item).map_err(|_| {
                Exc::type_error(format!("cannot convert dictionary update sequence element #{i} to a sequence"))
            })?;
            if pair.len() != 2 {
                return Err(Exc::value_error(format!(
                    "dictionary update sequence element #{i} has length {}; 2 is required",
                    pair.len()
                )));
            }
            let mut it = pair.into_iter();
            if let (Some(k), Some(v)) = (it.next(), it.next()) {
                d.set(self, k, v)?;
            }
            i += 1;
        }
        Ok(())
    }

    pub fn new_set(&self, items: Vec<Value>) -> PyResult<Value> {
        let s = PySet::new();
        s.extend(self, items)?;
        Ok(Value::Set(Rc::new(s)))
    }

    /// The class for builtin iterator objects of a given name (created once).
    pub fn iter_class(&self, name: &'static str) -> Rc<crate::runtime::class::Class> {
        if let Some(c) = self.iter_classes.borrow().get(name) {
            return c.clone();
        }
        let c = crate::vm::types::make_class(
            name,
            vec![self.types.iterator.clone()],
            crate::runtime::class::BaseKind::Native,
            None,
        );
        self.iter_classes.borrow_mut().insert(name, c.clone());
        c
    }
}

/// `dict.keys()`, `.values()`, `.items()`: live views.
pub struct DictViewObj {
    pub dict: Rc<PyDict>,
    pub view: DictView,
}
