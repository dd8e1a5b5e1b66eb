//! Callable objects: Python functions, Rust-native functions and bound methods.

use std::cell::RefCell;
use std::rc::Rc;

use super::args::Args;
use super::class::AttrMap;
use super::exception::PyResult;
use super::module::ModuleObj;
use super::value::Value;
use crate::syntax::ast::{FunctionDef, Name};
use crate::vm::Vm;

/// A closure cell: a variable shared between a scope and the functions nested in it.
/// `None` means unbound.
pub type CellRef = Rc<RefCell<Option<Value>>>;

pub fn new_cell(v: Option<Value>) -> CellRef {
    Rc::new(RefCell::new(v))
}

/// A function defined in Python (`def`, `lambda`).
pub struct Function {
    pub def: Rc<FunctionDef>,
    /// The module whose globals the body reads.
    pub module: Rc<ModuleObj>,
    pub name: RefCell<Name>,
    pub qualname: RefCell<Rc<str>>,
    /// Defaults of the trailing positional parameters, evaluated once at definition.
    pub defaults: Vec<Value>,
    /// One entry per keyword-only parameter.
    pub kwdefaults: Vec<Option<Value>>,
    /// Cells for the free variables, in `def.scope.cell_names[n_owned_cells..]` order.
    pub closure: Vec<CellRef>,
    /// `__dict__`: attributes set on the function (`__wrapped__`, `cache_info`...).
    pub attrs: RefCell<AttrMap>,
    pub doc: RefCell<Value>,
}

/// The signature every Rust-implemented callable has: the interpreter and the bound
/// arguments. Methods receive `self` as the first positional argument.
pub type NativeFn = Rc<dyn Fn(&Vm, Args) -> PyResult<Value>>;

pub struct BuiltinFunction {
    pub name: Name,
    pub func: NativeFn,
    /// For methods: the class that owns it (for reprs like `<method 'append' of 'list' objects>`).
    pub owner: Option<Name>,
}

impl BuiltinFunction {
    pub fn new(name: &str, func: impl Fn(&Vm, Args) -> PyResult<Value> + 'static) -> Value {
        Value::Builtin(Rc::new(BuiltinFunction { name: name.into(), func: Rc::new(func), owner: None }))
    }
}

pub struct BoundMethod {
    pub receiver: Value,
    pub func: Value,
}
