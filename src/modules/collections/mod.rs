//! The `collections` module (deque, defaultdict, OrderedDict, Counter, namedtuple,
//! ChainMap) and `collections.abc`.

pub mod abc;
pub mod chainmap;
pub mod deque;
pub mod dicts;
pub mod namedtuple;

use std::rc::Rc;

use crate::builtins::{add_fn, set_value};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, PyResult, Value};
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = crate::modules::new_builtin_module(vm, "collections");
    let g = &m.globals;
    set_value(vm, g, "deque", Value::Class(deque::class(vm)));
    set_value(vm, g, "defaultdict", Value::Class(dicts::defaultdict(vm)));
    set_value(vm, g, "OrderedDict", Value::Class(dicts::ordered_dict(vm)));
    set_value(vm, g, "Counter", Value::Class(dicts::counter(vm)));
    set_value(vm, g, "ChainMap", Value::Class(chainmap::class(vm)));
    add_fn(vm, g, "namedtuple", |vm, args: Args| namedtuple::namedtuple(vm, args));
    Ok(m)
}
