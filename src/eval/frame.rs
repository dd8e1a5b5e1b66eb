//! `Frame`: the variables of one executing scope.

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;

use crate::runtime::function::CellRef;
use crate::runtime::module::ModuleObj;
use crate::runtime::Value;
use crate::syntax::ast::{Name, ScopeInfo};

/// A class body's namespace while its statements run.
pub type ClassNamespace = RefCell<IndexMap<Name, Value, ahash::RandomState>>;

pub struct Frame {
    /// Local slots; `None` is an unbound local.
    pub locals: Vec<Option<Value>>,
    /// Owned cells, then free variables (see `ScopeInfo::cell_names`).
    pub cells: Vec<CellRef>,
    pub module: Rc<ModuleObj>,
    pub class_ns: Option<Rc<ClassNamespace>>,
    /// The function's name, for tracebacks.
    pub name: Name,
    /// Prefix for the `__qualname__` of functions and classes defined here
    /// (`""`, `"outer.<locals>."`, `"Class."`).
    pub qual: Rc<str>,
    /// Names of locals and cells, for error messages; borrowed from the code's
    /// `ScopeInfo` through an `Rc` held by the caller.
    pub scope: ScopeRef,
}

/// Which code a frame runs, to reach its `ScopeInfo`.
#[derive(Clone)]
pub enum ScopeRef {
    Module,
    Function(Rc<crate::syntax::ast::FunctionDef>),
    Class(Rc<crate::syntax::ast::ClassDef>),
    Comprehension(Rc<crate::syntax::ast::Comprehension>),
}

impl ScopeRef {
    pub fn info(&self) -> Option<&ScopeInfo> {
        match self {
            ScopeRef::Module => None,
            ScopeRef::Function(d) => Some(&d.scope),
            ScopeRef::Class(c) => Some(&c.scope),
            ScopeRef::Comprehension(c) => Some(&c.scope),
        }
    }
}

impl Frame {
    pub fn module_frame(module: Rc<ModuleObj>) -> Frame {
        Frame {
            locals: Vec::new(),
            cells: Vec::new(),
            name: "<module>".into(),
            qual: "".into(),
            module,
            class_ns: None,
            scope: ScopeRef::Module,
        }
    }
    pub fn local_name(&self, i: u32) -> Name {
        self.scope.info().and_then(|s| s.local_names.get(i as usize).cloned()).unwrap_or_else(|| "?".into())
    }
    pub fn cell_name(&self, i: u32) -> Name {
        self.scope.info().and_then(|s| s.cell_names.get(i as usize).cloned()).unwrap_or_else(|| "?".into())
    }
    pub fn is_free_cell(&self, i: u32) -> bool {
        self.scope.info().map(|s| i >= s.n_owned_cells).unwrap_or(false)
    }
}
