//! `PyDict`: Python's insertion-ordered dict.
//!
//! Entries live in a vector in insertion order (deleted ones leave a tombstone until the
//! next compaction); a `hashbrown::HashTable` maps hashes to entry indices. Hashing and
//! equality of keys can call back into Python (`__hash__`, `__eq__`), so they go through
//! [`KeyOps`] and the table is never borrowed while Python code runs.

use std::cell::RefCell;

use hashbrown::HashTable;

use super::exception::PyResult;
use super::value::Value;

/// Hashing and equality of keys, provided by the interpreter.
pub trait KeyOps {
    fn hash_key(&self, key: &Value) -> PyResult<i64>;
    fn keys_equal(&self, a: &Value, b: &Value) -> PyResult<bool>;
}

/// Equality of two keys when it can be decided without running Python code.
pub fn fast_key_eq(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    Some(match (a, b) {
        (Str(x), Str(y)) => std::rc::Rc::ptr_eq(x, y) || x.as_str() == y.as_str(),
        (Int(x), Int(y)) => x == y,
        (Int(x), Float(y)) | (Float(y), Int(x)) => int_float_eq(*x, *y),
        (BigInt(x), Float(y)) | (Float(y), BigInt(x)) => {
            use num_traits::FromPrimitive;
            y.fract() == 0.0 && y.is_finite() && num_bigint::BigInt::from_f64(*y).map(|b| &b == &**x).unwrap_or(false)
        }
        (Float(x), Float(y)) => x == y,
        (Bool(x), Bool(y)) => x == y,
        (Bool(x), Int(y)) | (Int(y), Bool(x)) => (*x as i64) == *y,
        (None, None) => true,
        (BigInt(x), BigInt(y)) => x == y,
        (Bytes(x), Bytes(y)) => x == y,
        (Tuple(x), Tuple(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            for (p, q) in x.iter().zip(y.iter()) {
                // Identity first, as CPython's containers compare (a NaN equals itself).
                if p.is(q) {
                    continue;
                }
                if !fast_key_eq(p, q)? {
                    return Some(false);
                }
            }
            true
        }
        (Str(_), Int(_) | Float(_) | None | Tuple(_) | Bool(_)) => false,
        (Int(_) | Float(_) | None | Tuple(_) | Bool(_), Str(_)) => false,
        (Instance(x), Instance(y)) if std::rc::Rc::ptr_eq(x, y) => true,
        (Class(x), Class(y)) => std::rc::Rc::ptr_eq(x, y),
        (Function(x), Function(y)) => std::rc::Rc::ptr_eq(x, y),
        _ => return Option::None,
    })
}

/// Exact int == float (no rounding of the int through f64).
fn int_float_eq(i: i64, f: f64) -> bool {
    if f.fract() != 0.0 || !f.is_finite() || f < -9.223372036854776e18 || f >= 9.223372036854776e18 {
        return false;
    }
    f as i64 == i
}

#[derive(Clone)]
struct Entry {
    hash: i64,
    key: Value,
    value: Value,
}

#[derive(Default, Clone)]
struct Inner {
    table: HashTable<usize>,
    entries: Vec<Option<Entry>>,
    live: usize,
}

#[derive(Default)]
pub struct PyDict {
    inner: RefCell<Inner>,
    /// Bumped on every insertion or removal of a key, so iterators can detect
    /// "dictionary changed size during iteration".
    version: std::cell::Cell<u64>,
}

impl PyDict {
    pub fn new() -> PyDict {
        PyDict::default()
    }
    pub fn len(&self) -> usize {
        self.inner.borrow().live
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn version(&self) -> u64 {
        self.version.get()
    }

    fn find(&self, ops: &dyn KeyOps, hash: i64, key: &Value) -> PyResult<Option<usize>> {
        let mut undecided: Vec<usize> = Vec::new();
        {
            let inner = self.inner.borrow();
            let entries = &inner.entries;
            let found = inner.table.find(hash as u64, |&i| match &entries[i] {
                Some(e) if e.hash == hash => match fast_key_eq(&e.key, key) {
                    Some(eq) => eq,
                    None => {
                        undecided.push(i);
                        false
                    }
                },
                _ => false,
            });
            if let Some(i) = found {
                return Ok(Some(*i));
            }
        }
        for i in undecided {
            let k = match &self.inner.borrow().entries.get(i) {
                Some(Some(e)) => e.key.clone(),
                _ => continue,
            };
            if k.is(key) || ops.keys_equal(&k, key)? {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    pub fn get(&self, ops: &dyn KeyOps, key: &Value) -> PyResult<Option<Value>> {
        let hash = ops.hash_key(key)?;
        Ok(self.find(ops, hash, key)?.and_then(|i| self.inner.borrow().entries[i].as_ref().map(|e| e.value.clone())))
    }
    pub fn contains(&self, ops: &dyn KeyOps, key: &Value) -> PyResult<bool> {
        let hash = ops.hash_key(key)?;
        Ok(self.find(ops, hash, key)?.is_some())
    }
    /// Fast path for string keys (attribute dicts, `**kwargs`).
    pub fn get_str(&self, ops: &dyn KeyOps, key: &str) -> Option<Value> {
        self.get(ops, &Value::str(key)).ok().flatten()
    }
    pub fn set(&self, ops: &dyn KeyOps, key: Value, value: Value) -> PyResult<()> {
        let hash = ops.hash_key(&key)?;
        if let Some(i) = self.find(ops, hash, &key)? {
            if let Some(e) = self.inner.borrow_mut().entries[i].as_mut() {
                e.value = value;
            }
            return Ok(());
        }
        let mut inner = self.inner.borrow_mut();
        let idx = inner.entries.len();
        inner.entries.push(Some(Entry { hash, key, value }));
        let Inner { table, entries, .. } = &mut *inner;
        table.insert_unique(hash as u64, idx, |&i| entries[i].as_ref().map(|e| e.hash as u64).unwrap_or(0));
        inner.live += 1;
        self.version.set(self.version.get() + 1);
        Ok(())
    }
    pub fn remove(&self, ops: &dyn KeyOps, key: &Value) -> PyResult<Option<Value>> {
        let hash = ops.hash_key(key)?;
        let Some(i) = self.find(ops, hash, key)? else { return Ok(None) };
        Ok(Some(self.remove_index(i, hash)))
    }
    fn remove_index(&self, i: usize, hash: i64) -> Value {
        let mut inner = self.inner.borrow_mut();
        if let Ok(entry) = inner.table.find_entry(hash as u64, |&j| j == i) {
            entry.remove();
        }
        let e = inner.entries[i].take();
        inner.live -= 1;
        self.version.set(self.version.get() + 1);
        if inner.entries.len() > 16 && inner.live * 2 < inner.entries.len() {
            Self::compact(&mut inner);
        }
        e.map(|e| e.value).unwrap_or(Value::None)
    }
    fn compact(inner: &mut Inner) {
        let entries: Vec<Option<Entry>> = inner.entries.drain(..).filter(|e| e.is_some()).collect();
        let hashes: Vec<u64> = entries.iter().map(|e| e.as_ref().map(|e| e.hash as u64).unwrap_or(0)).collect();
        inner.table = HashTable::with_capacity(entries.len());
        for (i, h) in hashes.iter().enumerate() {
            inner.table.insert_unique(*h, i, |&j| hashes[j]);
        }
        inner.entries = entries;
    }
    /// Remove and return the last inserted item.
    pub fn pop_last(&self) -> Option<(Value, Value)> {
        let (i, hash) = {
            let inner = self.inner.borrow();
            let i = inner.entries.iter().rposition(|e| e.is_some())?;
            (i, inner.entries[i].as_ref()?.hash)
        };
        let key = self.inner.borrow().entries[i].as_ref()?.key.clone();
        let v = self.remove_index(i, hash);
        Some((key, v))
    }
    pub fn pop_first(&self) -> Option<(Value, Value)> {
        let (i, hash) = {
            let inner = self.inner.borrow();
            let i = inner.entries.iter().position(|e| e.is_some())?;
            (i, inner.entries[i].as_ref()?.hash)
        };
        let key = self.inner.borrow().entries[i].as_ref()?.key.clone();
        let v = self.remove_index(i, hash);
        Some((key, v))
    }
    /// Move an existing key to the end (for `OrderedDict.move_to_end`).
    pub fn move_to_end(&self, ops: &dyn KeyOps, key: &Value, last: bool) -> PyResult<bool> {
        let Some(v) = self.remove(ops, key)? else { return Ok(false) };
        if last {
            self.set(ops, key.clone(), v)?;
        } else {
            let items = self.items();
            self.clear();
            self.set(ops, key.clone(), v)?;
            for (k, v) in items {
                self.set(ops, k, v)?;
            }
        }
        Ok(true)
    }
    pub fn clear(&self) {
        let mut inner = self.inner.borrow_mut();
        *inner = Inner::default();
        self.version.set(self.version.get() + 1);
    }
    pub fn keys(&self) -> Vec<Value> {
        self.inner.borrow().entries.iter().flatten().map(|e| e.key.clone()).collect()
    }
    pub fn values(&self) -> Vec<Value> {
        self.inner.borrow().entries.iter().flatten().map(|e| e.value.clone()).collect()
    }
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.inner.borrow().entries.iter().flatten().map(|e| (e.key.clone(), e.value.clone())).collect()
    }
    /// The entry at raw position `pos` or later: (next position, key, value). For
    /// iterators that must see mutation.
    pub fn entry_from(&self, pos: usize) -> Option<(usize, Value, Value)> {
        let inner = self.inner.borrow();
        let mut p = pos;
        while p < inner.entries.len() {
            if let Some(e) = &inner.entries[p] {
                return Some((p + 1, e.key.clone(), e.value.clone()));
            }
            p += 1;
        }
        None
    }
    pub fn copy(&self) -> PyDict {
        PyDict { inner: RefCell::new(self.inner.borrow().clone()), version: std::cell::Cell::new(0) }
    }
}
