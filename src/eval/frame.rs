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
    /// Where the `__qualname__` of functions and classes defined here starts.
    pub qual: Qual,
    /// Names of locals and cells, for error messages; borrowed from the code's
    /// `ScopeInfo` through an `Rc` held by the caller.
    pub scope: ScopeRef,
}

/// The qualified-name prefix of a scope, computed only when something is defined in
/// it (building the string on every call would cost an allocation per call).
#[derive(Clone)]
pub enum Qual {
    Module,
    /// Inside function `qualname`: prefix `qualname.<locals>.`
    Function(Rc<str>),
    /// Inside class `qualname`: prefix `qualname.`
    Class(Rc<str>),
}

impl Qual {
    pub fn prefix(&self) -> String {
        match self {
            Qual::Module => String::new(),
            Qual::Function(q) => format!("{q}.<locals>."),
            Qual::Class(q) => format!("{q}."),
        }
    }
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
            qual: Qual::Module,
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
