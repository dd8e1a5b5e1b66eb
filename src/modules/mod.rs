//! Builtin modules implemented in Rust, created on first import.

pub mod sys;

use std::rc::Rc;

use crate::runtime::module::ModuleObj;
use crate::runtime::PyResult;
use crate::vm::Vm;

/// Create builtin module `name`, or `None` if there is no such builtin module.
pub fn create(vm: &Vm, name: &str) -> Option<PyResult<Rc<ModuleObj>>> {
    Some(match name {
        "sys" => sys::create(vm),
        _ => return None,
    })
}

/// A new, empty builtin module.
pub fn new_builtin_module(vm: &Vm, name: &str) -> Rc<ModuleObj> {
    crate::run::new_module(vm, name, None)
}
