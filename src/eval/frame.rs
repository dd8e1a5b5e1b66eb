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

/// Local slots; `None` is an unbound local. Small frames keep them inline, so a call
/// to a function with few locals allocates nothing for them.
pub type Locals = smallvec::SmallVec<[Option<Value>; 6]>;

pub struct Frame {
    pub locals: Locals,
    /// Owned cells, then free variables (see `ScopeInfo::cell_names`).
    pub cells: Vec<CellRef>,
    pub module: Rc<ModuleObj>,
    pub class_ns: Option<Rc<ClassNamespace>>,
    /// The code this frame runs (its name, qualified name and scope come from it).
    pub code: FrameCode,
}

/// The code a frame runs. One `Rc` per call: a function frame reaches its name,
/// qualified name and `ScopeInfo` through its function.
#[derive(Clone)]
pub enum FrameCode {
    Module,
    Function(Rc<crate::runtime::function::Function>),
    Class { def: Rc<crate::syntax::ast::ClassDef>, qualname: Rc<str> },
    Comprehension { comp: Rc<crate::syntax::ast::Comprehension>, name: Name, qual: Qual },
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

impl Frame {
    pub fn module_frame(module: Rc<ModuleObj>) -> Frame {
        Frame {
            locals: Locals::new(),
            cells: Vec::new(),
            module,
            class_ns: None,
            code: FrameCode::Module,
        }
    }
    /// The function name shown in tracebacks.
    pub fn name(&self) -> Name {
        match &self.code {
            FrameCode::Module => "<module>".into(),
            FrameCode::Function(f) => f.name.borrow().clone(),
            FrameCode::Class { def, .. } => def.name.name.clone(),
            FrameCode::Comprehension { name, .. } => name.clone(),
        }
    }
    /// A traceback / source-position entry for `span` in this frame (none for code
    /// without a source file).
    pub fn trace_entry(&self, span: crate::syntax::ast::Span) -> Option<crate::runtime::exception::TraceEntry> {
        let file = self.module.file.as_ref()?;
        Some(crate::runtime::exception::TraceEntry { file: file.clone(), span, function: self.name() })
    }
    /// Where qualified names of things defined in this frame start.
    pub fn qual(&self) -> Qual {
        match &self.code {
            FrameCode::Module => Qual::Module,
            FrameCode::Function(f) => Qual::Function(f.qualname.borrow().clone()),
            FrameCode::Class { qualname, .. } => Qual::Class(qualname.clone()),
            FrameCode::Comprehension { qual, .. } => qual.clone(),
        }
    }
    pub fn scope_info(&self) -> Option<&ScopeInfo> {
        match &self.code {
            FrameCode::Module => None,
            FrameCode::Function(f) => Some(&f.def.scope),
            FrameCode::Class { def, .. } => Some(&def.scope),
            FrameCode::Comprehension { comp, .. } => Some(&comp.scope),
        }
    }
    pub fn local_name(&self, i: u32) -> Name {
        self.scope_info().and_then(|s| s.local_names.get(i as usize).cloned()).unwrap_or_else(|| "?".into())
    }
    pub fn cell_name(&self, i: u32) -> Name {
        self.scope_info().and_then(|s| s.cell_names.get(i as usize).cloned()).unwrap_or_else(|| "?".into())
    }
    pub fn is_free_cell(&self, i: u32) -> bool {
        self.scope_info().map(|s| i >= s.n_owned_cells).unwrap_or(false)
    }
}
