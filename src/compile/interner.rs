//! Interning of identifiers, so equal names share one allocation and attribute lookups
//! can compare pointers first.

use std::cell::RefCell;
use std::collections::HashSet;

use crate::syntax::ast::Name;

#[derive(Default)]
pub struct Interner {
    names: RefCell<HashSet<Name, ahash::RandomState>>,
}

impl Interner {
    pub fn intern(&self, s: &str) -> Name {
        if let Some(n) = self.names.borrow().get(s) {
            return n.clone();
        }
        let n: Name = s.into();
        self.names.borrow_mut().insert(n.clone());
        n
    }
}
