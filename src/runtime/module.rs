//! Modules and their globals table.
//!
//! The resolver gives every global name of a module a fixed index, so reading a
//! global is a vector access; the name map serves dynamic access (`getattr(module,
//! name)`, `from m import *`, `globals()`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::exception::SourceFile;
use super::value::Value;
use crate::syntax::ast::Name;

#[derive(Default)]
pub struct Globals {
    values: RefCell<Vec<Option<Value>>>,
    names: RefCell<Vec<Name>>,
    index: RefCell<HashMap<Name, u32, ahash::RandomState>>,
    /// For global slots that fell back to a builtin: that builtin's slot in the
    /// builtins table, so the next read skips the by-name lookup (`u32::MAX`: unknown).
    builtin_slots: RefCell<Vec<u32>>,
}

impl Globals {
    pub fn new() -> Rc<Globals> {
        Rc::new(Globals::default())
    }
    /// The index of `name`, adding an empty slot if it has none yet.
    pub fn slot(&self, name: &Name) -> u32 {
        if let Some(i) = self.index.borrow().get(name) {
            return *i;
        }
        let i = self.names.borrow().len() as u32;
        self.names.borrow_mut().push(name.clone());
        self.values.borrow_mut().push(None);
        self.index.borrow_mut().insert(name.clone(), i);
        i
    }
    #[inline]
    pub fn get(&self, i: u32) -> Option<Value> {
        self.values.borrow().get(i as usize).and_then(|v| v.clone())
    }
    #[inline]
    pub fn set(&self, i: u32, v: Value) {
        if let Some(s) = self.values.borrow_mut().get_mut(i as usize) {
            *s = Some(v);
        }
    }
    pub fn clear_slot(&self, i: u32) -> bool {
        self.values.borrow_mut().get_mut(i as usize).map(|s| s.take().is_some()).unwrap_or(false)
    }
    pub fn name(&self, i: u32) -> Name {
        self.names.borrow()[i as usize].clone()
    }
    /// The slot of `name`, if it has one.
    pub fn index_of(&self, name: &str) -> Option<u32> {
        self.index.borrow().get(name).copied()
    }
    /// The builtins-table slot remembered for global slot `i` (see `builtin_slots`).
    #[inline]
    pub fn builtin_slot(&self, i: u32) -> Option<u32> {
        self.builtin_slots.borrow().get(i as usize).copied().filter(|&b| b != u32::MAX)
    }
    pub fn set_builtin_slot(&self, i: u32, b: u32) {
        let mut slots = self.builtin_slots.borrow_mut();
        if slots.len() <= i as usize {
            slots.resize(i as usize + 1, u32::MAX);
        }
        slots[i as usize] = b;
    }
    pub fn get_by_name(&self, name: &str) -> Option<Value> {
        let i = *self.index.borrow().get(name)?;
        self.get(i)
    }
    pub fn set_by_name(&self, name: &Name, v: Value) {
        let i = self.slot(name);
        self.set(i, v);
    }
    pub fn remove_by_name(&self, name: &str) -> bool {
        let i = match self.index.borrow().get(name) {
            Some(i) => *i,
            None => return false,
        };
        self.clear_slot(i)
    }
    /// Bound names with their values, in first-assignment order.
    pub fn items(&self) -> Vec<(Name, Value)> {
        let names = self.names.borrow();
        self.values
            .borrow()
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_ref().map(|v| (names[i].clone(), v.clone())))
            .collect()
    }
}

pub struct ModuleObj {
    pub name: Name,
    pub globals: Rc<Globals>,
    /// The source, for modules defined by a `.coro` file.
    pub file: Option<Rc<SourceFile>>,
}
