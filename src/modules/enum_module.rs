//! The `enum` module, written in coro's own language (`prelude/enum.coro`): the
//! `EnumType` metaclass builds members from the class body (metaclass support lives
//! in `Vm::build_class` / `Vm::meta_dunder`).

use std::rc::Rc;

use crate::runtime::module::ModuleObj;
use crate::runtime::PyResult;
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    crate::run::load_builtin_source(vm, "enum", include_str!("prelude/enum.coro"))
}
