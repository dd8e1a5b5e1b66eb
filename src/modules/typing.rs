//! The `typing` module, written in coro's own language (`prelude/typing.coro`):
//! printable special forms and aliases, `Generic`/`Protocol`, `NamedTuple` and
//! `TypedDict` class syntax, and the introspection helpers.

use std::rc::Rc;

use crate::runtime::module::ModuleObj;
use crate::runtime::PyResult;
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    crate::run::load_builtin_source(vm, "typing", include_str!("prelude/typing.coro"))
}
