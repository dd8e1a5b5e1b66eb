//! The `abc` module, written in coro's own language (`prelude/abc.coro`): `ABCMeta`
//! computes `__abstractmethods__`; `Vm::instantiate` refuses abstract classes.

use std::rc::Rc;

use crate::runtime::module::ModuleObj;
use crate::runtime::PyResult;
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    crate::run::load_builtin_source(vm, "abc", include_str!("prelude/abc.coro"))
}
