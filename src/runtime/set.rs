//! `PySet`: Python's set and frozenset, with CPython's table layout.
//!
//! Sets are unordered, but programs print them (`print({3, 1, 2})` shows `{1, 2, 3}`),
//! and the order CPython shows is its hash table's slot order. So this is CPython's
//! `setobject.c` algorithm: open addressing with linear probes then perturbed probing,
//! the same resize rule and the same merge strategy, giving the same iteration order
//! for ints, floats and tuples of them.

use std::cell::{Cell, RefCell};

use super::dict::{fast_key_eq, KeyOps};
use super::exception::PyResult;
use super::value::Value;

const MIN_SIZE: usize = 8;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;

#[derive(Clone)]
enum Slot {
    Empty,
    Dummy,
    Active(i64, Value),
}

#[derive(Clone)]
struct Table {
    slots: Vec<Slot>,
    fill: usize,
    used: usize,
    finger: usize,
}

impl Default for Table {
    fn default() -> Self {
        Table { slots: vec![Slot::Empty; MIN_SIZE], fill: 0, used: 0, finger: 0 }
    }
}

#[derive(Default)]
pub struct PySet {
    table: RefCell<Table>,
    version: Cell<u64>,
}

impl PySet {
    pub fn new() -> PySet {
        PySet::default()
    }
    pub fn len(&self) -> usize {
        self.table.borrow().used
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn version(&self) -> u64 {
        self.version.get()
    }
    /// Slot index of `key`, if present.
    fn find(&self, ops: &dyn KeyOps, hash: i64, key: &Value) -> PyResult<Option<usize>> {
        let mask = self.table.borrow().slots.len() - 1;
        let mut i = (hash as u64 as usize) & mask;
        let mut perturb = hash as u64;
        loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            for j in i..=i + probes {
                let candidate = match &self.table.borrow().slots[j] {
                    Slot::Empty => return Ok(None),
                    Slot::Active(h, k) if *h == hash => Some(k.clone()),
                    _ => None,
                };
                if let Some(k) = candidate {
                    let eq = match fast_key_eq(&k, key) {
                        Some(eq) => eq,
                        None => k.is(key) || ops.keys_equal(&k, key)?,
                    };
                    if eq {
                        return Ok(Some(j));
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }
    pub fn contains(&self, ops: &dyn KeyOps, key: &Value) -> PyResult<bool> {
        let hash = ops.hash_key(key)?;
        Ok(self.find(ops, hash, key)?.is_some())
    }
    /// Add `key`; returns false if it was already present.
    pub fn add(&self, ops: &dyn KeyOps, key: Value) -> PyResult<bool> {
        let hash = ops.hash_key(&key)?;
        self.add_hashed(ops, hash, key)
    }
    fn add_hashed(&self, ops: &dyn KeyOps, hash: i64, key: Value) -> PyResult<bool> {
        if self.find(ops, hash, &key)?.is_some() {
            return Ok(false);
        }
        let mut t = self.table.borrow_mut();
        let mask = t.slots.len() - 1;
        let mut i = (hash as u64 as usize) & mask;
        let mut perturb = hash as u64;
        let mut freeslot: Option<usize> = None;
        let target = 'probe: loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            for j in i..=i + probes {
                match &t.slots[j] {
                    Slot::Empty => break 'probe j,
                    Slot::Dummy => {
                        if freeslot.is_none() {
                            freeslot = Some(j);
                        }
                    }
                    Slot::Active(..) => {}
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        };
        self.version.set(self.version.get() + 1);
        if let Some(f) = freeslot {
            t.slots[f] = Slot::Active(hash, key);
            t.used += 1;
            return Ok(true);
        }
        t.slots[target] = Slot::Active(hash, key);
        t.fill += 1;
        t.used += 1;
        if t.fill * 5 >= mask * 3 {
            let minused = if t.used > 50000 { t.used * 2 } else { t.used * 4 };
            Self::resize(&mut t, minused);
        }
        Ok(true)
    }
    fn insert_clean(slots: &mut [Slot], hash: i64, key: Value) {
        let mask = slots.len() - 1;
        let mut i = (hash as u64 as usize) & mask;
        let mut perturb = hash as u64;
        loop {
            if matches!(slots[i], Slot::Empty) {
                slots[i] = Slot::Active(hash, key);
                return;
            }
            if i + LINEAR_PROBES <= mask {
                for j in i + 1..=i + LINEAR_PROBES {
                    if matches!(slots[j], Slot::Empty) {
                        slots[j] = Slot::Active(hash, key);
                        return;
                    }
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }
    fn resize(t: &mut Table, minused: usize) {
        let mut newsize = MIN_SIZE;
        while newsize <= minused {
            newsize <<= 1;
        }
        let old = std::mem::replace(&mut t.slots, vec![Slot::Empty; newsize]);
        for s in old {
            if let Slot::Active(h, k) = s {
                Self::insert_clean(&mut t.slots, h, k);
            }
        }
        t.fill = t.used;
    }
    pub fn remove(&self, ops: &dyn KeyOps, key: &Value) -> PyResult<bool> {
        let hash = ops.hash_key(key)?;
        let Some(i) = self.find(ops, hash, key)? else { return Ok(false) };
        let mut t = self.table.borrow_mut();
        t.slots[i] = Slot::Dummy;
        t.used -= 1;
        self.version.set(self.version.get() + 1);
        Ok(true)
    }
    /// Remove an arbitrary element the way CPython's `set.pop` chooses it.
    pub fn pop(&self) -> Option<Value> {
        let mut t = self.table.borrow_mut();
        if t.used == 0 {
            return None;
        }
        let n = t.slots.len();
        let mut i = t.finger & (n - 1);
        loop {
            if let Slot::Active(..) = t.slots[i] {
                break;
            }
            i = (i + 1) % n;
        }
        let s = std::mem::replace(&mut t.slots[i], Slot::Dummy);
        t.used -= 1;
        t.finger = i + 1;
        self.version.set(self.version.get() + 1);
        match s {
            Slot::Active(_, k) => Some(k),
            _ => None,
        }
    }
    pub fn clear(&self) {
        *self.table.borrow_mut() = Table::default();
        self.version.set(self.version.get() + 1);
    }
    /// Elements in slot order (CPython's iteration order).
    pub fn items(&self) -> Vec<Value> {
        self.table
            .borrow()
            .slots
            .iter()
            .filter_map(|s| match s {
                Slot::Active(_, k) => Some(k.clone()),
                _ => None,
            })
            .collect()
    }
    fn hashed_items(&self) -> Vec<(i64, Value)> {
        self.table
            .borrow()
            .slots
            .iter()
            .filter_map(|s| match s {
                Slot::Active(h, k) => Some((*h, k.clone())),
                _ => None,
            })
            .collect()
    }
    /// The element at slot `pos` or later: (next position, element).
    pub fn item_from(&self, pos: usize) -> Option<(usize, Value)> {
        let t = self.table.borrow();
        let mut p = pos;
        while p < t.slots.len() {
            if let Slot::Active(_, k) = &t.slots[p] {
                return Some((p + 1, k.clone()));
            }
            p += 1;
        }
        None
    }
    /// `self |= other` with CPython's `set_merge` strategy.
    pub fn update_from_set(&self, ops: &dyn KeyOps, other: &PySet) -> PyResult<()> {
        if std::ptr::eq(self, other) || other.is_empty() {
            return Ok(());
        }
        {
            let mut t = self.table.borrow_mut();
            let o = other.table.borrow();
            if t.fill == 0 && t.slots.len() == o.slots.len() && o.fill == o.used {
                t.slots = o.slots.clone();
                t.fill = o.fill;
                t.used = o.used;
                self.version.set(self.version.get() + 1);
                return Ok(());
            }
            let mask = t.slots.len() - 1;
            if (t.fill + o.used) * 5 >= mask * 3 {
                let minused = (t.used + o.used) * 2;
                Self::resize(&mut t, minused);
            }
            if t.fill == 0 {
                // Empty target: insert without comparisons, as CPython does.
                for s in o.slots.iter() {
                    if let Slot::Active(h, k) = s {
                        Self::insert_clean(&mut t.slots, *h, k.clone());
                        t.fill += 1;
                        t.used += 1;
                    }
                }
                self.version.set(self.version.get() + 1);
                return Ok(());
            }
        }
        for (h, k) in other.hashed_items() {
            self.add_hashed(ops, h, k)?;
        }
        Ok(())
    }
    /// Add every element of an iterator of already-hashable values.
    pub fn extend(&self, ops: &dyn KeyOps, items: impl IntoIterator<Item = Value>) -> PyResult<()> {
        for v in items {
            self.add(ops, v)?;
        }
        Ok(())
    }
    pub fn copy(&self) -> PySet {
        PySet { table: RefCell::new(self.table.borrow().clone()), version: Cell::new(0) }
    }
    /// CPython's pre-resize before merging `n` entries from a dict
    /// (`set_update_internal`), which decides the table size and so the order.
    pub fn reserve(&self, n: usize) {
        let mut t = self.table.borrow_mut();
        let mask = t.slots.len() - 1;
        if (t.fill + n) * 5 >= mask * 3 {
            let minused = (t.used + n) * 2;
            Self::resize(&mut t, minused);
        }
    }
    /// Take over `other`'s table as is (CPython's `set_swap_bodies`, used by
    /// `intersection_update`).
    pub fn replace_with(&self, other: PySet) {
        *self.table.borrow_mut() = other.table.into_inner();
        self.version.set(self.version.get() + 1);
    }
    /// After a bulk removal, rebuild the table if more than a quarter of it is dummies
    /// (the end of CPython's `set_difference_update_internal`).
    pub fn shrink_dummies(&self) {
        let mut t = self.table.borrow_mut();
        let mask = t.slots.len() - 1;
        if t.fill - t.used <= mask / 4 {
            return;
        }
        let minused = if t.used > 50000 { t.used * 2 } else { t.used * 4 };
        Self::resize(&mut t, minused);
    }
    pub fn hashed(&self) -> Vec<(i64, Value)> {
        self.hashed_items()
    }
}
