//! The `enum` module.

use std::rc::Rc;

use crate::runtime::module::ModuleObj;
use crate::runtime::PyResult;
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    Ok(super::new_builtin_module(vm, "enum"))
}
