//! Subscripting, membership and length: `x[i]`, `x[a:b:c]`, `in`, `len`.

use std::rc::Rc;

use crate::runtime::class::Payload;
use crate::runtime::value::{RangeObj, SliceObj};
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::Vm;
use crate::embed::limits::Ticker;

impl Vm {
    /// Normalise a possibly negative index; `None` when out of range.
    fn norm_index(&self, i: i64, len: usize) -> Option<usize> {
        let i = if i < 0 { i + len as i64 } else { i };
        if i < 0 || i >= len as i64 {
            None
        } else {
            Some(i as usize)
        }
    }

    /// CPython's `PySlice_Unpack` + `PySlice_AdjustIndices`: (start, stop, step, length).
    pub fn slice_indices(&self, s: &SliceObj, len: usize) -> PyResult<(i64, i64, i64, usize)> {
        let step = if s.step.is_none() { 1 } else { self.index_value(&s.step)? };
        if step == 0 {
            return Err(Exc::value_error("slice step cannot be zero"));
        }
        let len = len as i64;
        let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
        let adjust = |v: &Value, default: i64| -> PyResult<i64> {
            if v.is_none() {
                return Ok(default);
            }
            let mut i = self.index_value(v)?;
            if i < 0 {
                i += len;
                if i < lower {
                    i = lower;
                }
            } else if i > upper {
                i = upper;
            }
            Ok(i)
        };
        let start = adjust(&s.start, if step < 0 { upper } else { lower })?;
        let stop = adjust(&s.stop, if step < 0 { lower } else { upper })?;
        let n = if step > 0 {
            if stop > start {
                (stop - start - 1) / step + 1
            } else {
                0
            }
        } else if start > stop {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        };
        Ok((start, stop, step, n as usize))
    }

    fn slice_vec<T: Clone>(&self, items: &[T], s: &SliceObj) -> PyResult<Vec<T>> {
        let (start, _, step, n) = self.slice_indices(s, items.len())?;
        if step == 1 {
            return Ok(items[start as usize..start as usize + n].to_vec());
        }
        Ok((0..n).map(|k| items[(start + k as i64 * step) as usize].clone()).collect())
    }

    fn index_error(&self, what: &str) -> Exc {
        Exc::index_error(format!("{what} index out of range"))
    }

    fn indices_type_error(&self, what: &str, idx: &Value) -> Exc {
        Exc::type_error(format!("{what} indices must be integers or slices, not {}", self.type_name(idx)))
    }

    pub fn getitem(&self, obj: &Value, idx: &Value) -> PyResult<Value> {
        match obj {
            Value::List(l) => match idx {
                Value::Int(i) => {
                    let l = l.borrow();
                    self.norm_index(*i, l.len()).map(|i| l[i].clone()).ok_or_else(|| self.index_error("list"))
                }
                Value::Slice(s) => Ok(Value::list(self.slice_vec(&l.borrow(), s)?)),
                _ => {
                    let i = self.index_value(idx).map_err(|_| self.indices_type_error("list", idx))?;
                    self.getitem(obj, &Value::Int(i))
                }
            },
            Value::Tuple(t) => match idx {
                Value::Int(i) => self.norm_index(*i, t.len()).map(|i| t[i].clone()).ok_or_else(|| self.index_error("tuple")),
                Value::Slice(s) => Ok(Value::tuple(self.slice_vec(t, s)?)),
                _ => {
                    let i = self.index_value(idx).map_err(|_| self.indices_type_error("tuple", idx))?;
                    self.getitem(obj, &Value::Int(i))
                }
            },
            Value::Str(s) => match idx {
                Value::Slice(sl) => {
                    let (start, _, step, n) = self.slice_indices(sl, s.len_chars())?;
                    if step == 1 {
                        return Ok(Value::str(s.slice_chars(start as usize, start as usize + n)));
                    }
                    let chars: Vec<char> = s.as_str().chars().collect();
                    let out: String = (0..n).map(|k| chars[(start + k as i64 * step) as usize]).collect();
                    Ok(Value::string(out))
                }
                _ => {
                    let i = self.index_value(idx).map_err(|_| {
                        Exc::type_error(format!("string indices must be integers, not '{}'", self.type_name(idx)))
                    })?;
                    let i = self.norm_index(i, s.len_chars()).ok_or_else(|| self.index_error("string"))?;
                    let c = s.char_at(i).unwrap_or(' ');
                    let mut buf = [0u8; 4];
                    Ok(Value::str(c.encode_utf8(&mut buf)))
                }
            },
            Value::Bytes(b) => match idx {
                Value::Slice(s) => Ok(Value::Bytes(Rc::new(self.slice_vec(b, s)?))),
                _ => {
                    let i = self.index_value(idx)?;
                    self.norm_index(i, b.len()).map(|i| Value::Int(b[i] as i64)).ok_or_else(|| self.index_error(""))
                        .map_err(|_| Exc::index_error("index out of range"))
                }
            },
            Value::ByteArray(b) => match idx {
                Value::Slice(s) => Ok(Value::ByteArray(Rc::new(std::cell::RefCell::new(self.slice_vec(&b.borrow(), s)?)))),
                _ => {
                    let i = self.index_value(idx)?;
                    let b = b.borrow();
                    self.norm_index(i, b.len())
                        .map(|i| Value::Int(b[i] as i64))
                        .ok_or_else(|| Exc::index_error("bytearray index out of range"))
                }
            },
            Value::Range(r) => match idx {
                Value::Slice(s) => {
                    let (start, stop, step, _) = self.slice_indices(s, r.len() as usize)?;
                    Ok(Value::Range(Rc::new(RangeObj {
                        start: r.get(start),
                        stop: r.get(stop),
                        step: r.step * step,
                    })))
                }
                _ => {
                    let i = self.index_value(idx)?;
                    self.norm_index(i, r.len() as usize)
                        .map(|i| Value::Int(r.get(i as i64)))
                        .ok_or_else(|| Exc::index_error("range object index out of range"))
                }
            },
            Value::Dict(d) => match d.get(self, idx)? {
                Some(v) => Ok(v),
                None => Err(Exc::key_error(idx.clone())),
            },
            Value::Instance(inst) => {
                if let Some(r) = self.call_dunder(obj, "__getitem__", Args::one(idx.clone()))? {
                    return Ok(r);
                }
                if let Payload::Builtin(b) = &inst.payload {
                    let inner = b.borrow().clone();
                    if let Value::Dict(d) = &inner {
                        if let Some(v) = d.get(self, idx)? {
                            return Ok(v);
                        }
                        if let Some(r) = self.call_dunder(obj, "__missing__", Args::one(idx.clone()))? {
                            return Ok(r);
                        }
                        return Err(Exc::key_error(idx.clone()));
                    }
                    return self.getitem(&inner, idx);
                }
                Err(Exc::type_error(format!("'{}' object is not subscriptable", inst.class().name)))
            }
            Value::Class(c) => {
                // A metaclass `__getitem__` wins over `__class_getitem__` (`Color['RED']`).
                if let Some(m) = self.meta_dunder(c, "__getitem__") {
                    return self.call1(&m, idx.clone());
                }
                // `list[int]` and friends in annotations.
                if let Some(r) = self.call_dunder_class(c, "__class_getitem__", idx)? {
                    return Ok(r);
                }
                if c.builtin.is_some() {
                    return Ok(obj.clone());
                }
                Err(Exc::type_error(format!("type '{}' is not subscriptable", c.name)))
            }
            _ => Err(Exc::type_error(format!("'{}' object is not subscriptable", self.type_name(obj)))),
        }
    }

    fn call_dunder_class(&self, c: &Rc<crate::runtime::class::Class>, name: &str, arg: &Value) -> PyResult<Option<Value>> {
        match c.lookup(name) {
            Some(m) => {
                let m = self.bind_descriptor_to_class(m, c)?;
                Ok(Some(self.call1(&m, arg.clone())?))
            }
            None => Ok(None),
        }
    }

    pub fn setitem(&self, obj: &Value, idx: Value, v: Value) -> PyResult<()> {
        match obj {
            Value::List(l) => match &idx {
                Value::Slice(s) => {
                    let mut new = Vec::new();
                    self.extend_from_iterable(&mut new, &v)?;
                    let len = l.borrow().len();
                    let (start, stop, step, n) = self.slice_indices(s, len)?;
                    let mut l = l.borrow_mut();
                    if step == 1 {
                        let stop = stop.max(start) as usize;
                        l.splice(start as usize..stop, new);
                    } else {
                        if new.len() != n {
                            return Err(Exc::value_error(format!(
                                "attempt to assign sequence of size {} to extended slice of size {}",
                                new.len(),
                                n
                            )));
                        }
                        for (k, x) in new.into_iter().enumerate() {
                            l[(start + k as i64 * step) as usize] = x;
                        }
                    }
                    Ok(())
                }
                _ => {
                    let i = self.index_value(&idx).map_err(|_| self.indices_type_error("list", &idx))?;
                    let mut l = l.borrow_mut();
                    let len = l.len();
                    let i = self.norm_index(i, len).ok_or_else(|| Exc::index_error("list assignment index out of range"))?;
                    l[i] = v;
                    Ok(())
                }
            },
            Value::Dict(d) => d.set(self, idx, v),
            // Ints and slices, with CPython's messages (builtins::bytes).
            Value::ByteArray(b) => crate::builtins::bytes::bytearray_setitem(self, b, &idx, &v),
            Value::Instance(inst) => {
                if self.call_dunder(obj, "__setitem__", Args::new([idx.clone(), v.clone()]))?.is_some() {
                    return Ok(());
                }
                if let Payload::Builtin(b) = &inst.payload {
                    let inner = b.borrow().clone();
                    return self.setitem(&inner, idx, v);
                }
                Err(Exc::type_error(format!("'{}' object does not support item assignment", inst.class().name)))
            }
            _ => Err(Exc::type_error(format!("'{}' object does not support item assignment", self.type_name(obj)))),
        }
    }

    pub fn delitem(&self, obj: &Value, idx: &Value) -> PyResult<()> {
        match obj {
            Value::List(l) => match idx {
                Value::Slice(s) => {
                    let len = l.borrow().len();
                    let (start, _, step, n) = self.slice_indices(s, len)?;
                    let mut idxs: Vec<usize> = (0..n).map(|k| (start + k as i64 * step) as usize).collect();
                    idxs.sort_unstable();
                    let mut l = l.borrow_mut();
                    for i in idxs.into_iter().rev() {
                        l.remove(i);
                    }
                    Ok(())
                }
                _ => {
                    let i = self.index_value(idx)?;
                    let mut l = l.borrow_mut();
                    let len = l.len();
                    let i = self.norm_index(i, len).ok_or_else(|| Exc::index_error("list assignment index out of range"))?;
                    l.remove(i);
                    Ok(())
                }
            },
            Value::Dict(d) => match d.remove(self, idx)? {
                Some(_) => Ok(()),
                None => Err(Exc::key_error(idx.clone())),
            },
            Value::Instance(inst) => {
                if self.call_dunder(obj, "__delitem__", Args::one(idx.clone()))?.is_some() {
                    return Ok(());
                }
                if let Payload::Builtin(b) = &inst.payload {
                    let inner = b.borrow().clone();
                    return self.delitem(&inner, idx);
                }
                Err(Exc::type_error(format!("'{}' object does not support item deletion", inst.class().name)))
            }
            _ => Err(Exc::type_error(format!("'{}' object doesn't support item deletion", self.type_name(obj)))),
        }
    }

    pub fn contains(&self, container: &Value, item: &Value) -> PyResult<bool> {
        match container {
            Value::List(l) => {
                let items = l.borrow().clone();
                for x in &items {
                    if self.eq_or_same(x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Tuple(t) => {
                for x in t.iter() {
                    if self.eq_or_same(x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Str(s) => match item {
                Value::Str(sub) => Ok(s.as_str().contains(sub.as_str())),
                _ => Err(Exc::type_error(format!(
                    "'in <string>' requires string as left operand, not {}",
                    self.type_name(item)
                ))),
            },
            Value::Dict(d) => d.contains(self, item),
            Value::Set(s) | Value::FrozenSet(s) => s.contains(self, item),
            Value::Range(r) => {
                let Some(x) = (match item {
                    Value::Int(i) => Some(*i),
                    Value::Bool(b) => Some(*b as i64),
                    Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
                    _ => None,
                }) else {
                    return Ok(false);
                };
                let ok = if r.step > 0 { x >= r.start && x < r.stop } else { x <= r.start && x > r.stop };
                Ok(ok && (x - r.start) % r.step == 0)
            }
            // An int byte or a bytes-like subsequence, with CPython's errors (builtins::bytes).
            Value::Bytes(b) => crate::builtins::bytes::bytes_contains(self, b, item),
            Value::ByteArray(b) => {
                let data = b.borrow().clone();
                crate::builtins::bytes::bytes_contains(self, &data, item)
            }
            Value::Instance(inst) => {
                if let Some(r) = self.call_dunder(container, "__contains__", Args::one(item.clone()))? {
                    return self.truthy(&r);
                }
                if let Payload::Builtin(b) = &inst.payload {
                    let inner = b.borrow().clone();
                    return self.contains(&inner, item);
                }
                if self.is_iterable(container) {
                    let mut st = self.iter_state(container)?;
                    let mut ticker = Ticker::default();
                    while let Some(x) = self.iter_next(&mut st)? {
                        ticker.tick(self)?;
                        if self.eq_or_same(&x, item)? {
                            return Ok(true);
                        }
                    }
                    return Ok(false);
                }
                Err(Exc::type_error(format!("argument of type '{}' is not iterable", inst.class().name)))
            }
            Value::Generator(_) => {
                let mut st = self.iter_state(container)?;
                let mut ticker = Ticker::default();
                while let Some(x) = self.iter_next(&mut st)? {
                    ticker.tick(self)?;
                    if self.eq_or_same(&x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Value::Class(c) if self.meta_dunder(c, "__contains__").is_some() || self.meta_dunder(c, "__iter__").is_some() => {
                if let Some(m) = self.meta_dunder(c, "__contains__") {
                    let r = self.call1(&m, item.clone())?;
                    return self.truthy(&r);
                }
                let mut st = self.iter_state(container)?;
                let mut ticker = Ticker::default();
                while let Some(x) = self.iter_next(&mut st)? {
                    ticker.tick(self)?;
                    if self.eq_or_same(&x, item)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(Exc::type_error(format!("argument of type '{}' is not iterable", self.type_name(container)))),
        }
    }

    pub fn len(&self, v: &Value) -> PyResult<usize> {
        Ok(match v {
            Value::Str(s) => s.len_chars(),
            Value::List(l) => l.borrow().len(),
            Value::Tuple(t) => t.len(),
            Value::Dict(d) => d.len(),
            Value::Set(s) | Value::FrozenSet(s) => s.len(),
            Value::Bytes(b) => b.len(),
            Value::ByteArray(b) => b.borrow().len(),
            Value::Range(r) => r.len() as usize,
            Value::Instance(inst) => {
                if let Some(r) = self.call_dunder(v, "__len__", Args::empty())? {
                    let n = self.index_value(&r).map_err(|_| {
                        Exc::type_error(format!("'{}' object cannot be interpreted as an integer", self.type_name(&r)))
                    })?;
                    if n < 0 {
                        return Err(Exc::value_error("__len__() should return >= 0"));
                    }
                    return Ok(n as usize);
                }
                if let Payload::Builtin(b) = &inst.payload {
                    let inner = b.borrow().clone();
                    return self.len(&inner);
                }
                return Err(Exc::type_error(format!("object of type '{}' has no len()", inst.class().name)));
            }
            Value::Class(c) if self.meta_dunder(c, "__len__").is_some() => {
                let m = self.meta_dunder(c, "__len__").unwrap_or(Value::None);
                let r = self.call(&m, Args::empty())?;
                let n = self.index_value(&r)?;
                if n < 0 {
                    return Err(Exc::value_error("__len__() should return >= 0"));
                }
                n as usize
            }
            _ => return Err(Exc::type_error(format!("object of type '{}' has no len()", self.type_name(v)))),
        })
    }

    /// The bytes of a bytes-like value.
    pub fn bytes_like(&self, v: &Value) -> PyResult<Vec<u8>> {
        match v {
            Value::Bytes(b) => Ok(b.to_vec()),
            Value::ByteArray(b) => Ok(b.borrow().clone()),
            _ => Err(Exc::type_error(format!("can't concat {} to bytes", self.type_name(v)))),
        }
    }

    pub fn exc_is(&self, e: &Exc, kind: ExcKind) -> bool {
        let cls = self.exc_class(e);
        cls.is_subclass(self.types.exception(kind))
    }
}
