//! A cache of attribute lookups along a class's MRO, as CPython's type method cache.
//!
//! `obj.method(...)`, `self.x` and `cls()` look names up in the class and every base
//! (a hash probe per class). Each class remembers recent results, found or not, in a
//! small direct-mapped table. Any change to a class dictionary or MRO advances one
//! per-thread epoch that invalidates every entry: classes change rarely once a program
//! runs, so a global epoch is simpler than CPython's per-type version tags and as
//! effective.

use std::cell::{Cell, RefCell};

use super::value::Value;
use crate::syntax::ast::Name;

const BITS: u32 = 5;
const SIZE: usize = 1 << BITS;

struct Entry {
    epoch: u64,
    /// Kept alive by the entry, so its address cannot be reused by another string while
    /// the entry exists: equal addresses mean equal names.
    name: Name,
    value: Option<Value>,
}

thread_local! {
    // No destructor, so reading it is a plain thread-local load.
    static EPOCH: Cell<u64> = const { Cell::new(1) };
}

/// Invalidate every cached lookup: call after changing any class's dict or MRO.
pub fn invalidate() {
    EPOCH.with(|e| e.set(e.get() + 1));
}

/// One class's cache (allocated on first use).
#[derive(Default)]
pub struct ClassCache {
    entries: RefCell<Vec<Option<Entry>>>,
}

#[inline]
fn slot(name: &str) -> usize {
    let h = ((name.as_ptr() as usize as u64) >> 3) ^ (name.len() as u64).rotate_left(17);
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize
}

/// String equality with an address fast path, inline for the short names attributes have.
#[inline]
pub fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a.as_ptr() == b.as_ptr() || a.bytes().zip(b.bytes()).all(|(x, y)| x == y))
}

impl ClassCache {
    /// The cached result of looking `name` up, or `compute()`'s (then cached).
    /// `interned` is the name as an `Rc` when the caller has one: storing it lets
    /// later lookups with the same interned name match by address.
    #[inline]
    pub fn lookup(&self, name: &str, interned: Option<&Name>, compute: impl FnOnce() -> Option<Value>) -> Option<Value> {
        let i = slot(name);
        let epoch = EPOCH.with(|e| e.get());
        if let Some(Some(e)) = self.entries.borrow().get(i) {
            if e.epoch == epoch && same_name(&e.name, name) {
                return e.value.clone();
            }
        }
        let value = compute();
        let name = interned.cloned().unwrap_or_else(|| name.into());
        let mut entries = self.entries.borrow_mut();
        if entries.is_empty() {
            entries.resize_with(SIZE, || None);
        }
        entries[i] = Some(Entry { epoch, name, value: value.clone() });
        value
    }
}
