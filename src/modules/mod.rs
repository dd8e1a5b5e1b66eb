//! Builtin modules implemented in Rust, created on first import.

pub mod abc;
pub mod asyncio;
pub mod collections;
pub mod copy;
pub mod dataclasses;
pub mod datetime;
pub mod enum_module;
pub mod functools;
pub mod itertools;
pub mod math;
pub mod operator;
pub mod process_pool;
pub mod random;
pub mod string;
pub mod sys;
pub mod threading;
pub mod time;
pub mod typing;

use std::rc::Rc;

use crate::runtime::module::ModuleObj;
use crate::runtime::PyResult;
use crate::vm::Vm;

/// Create builtin module `name`, or `None` if there is no such builtin module.
pub fn create(vm: &Vm, name: &str) -> Option<PyResult<Rc<ModuleObj>>> {
    Some(match name {
        "sys" => sys::create(vm),
        "_asyncio" => asyncio::create_native(vm),
        "asyncio" => asyncio::create(vm),
        "concurrent" => Ok(new_builtin_module(vm, "concurrent")),
        "concurrent.futures" => crate::run::load_builtin_source(vm, "concurrent.futures", include_str!("prelude/concurrent_futures.coro")),
        "contextlib" => crate::run::load_builtin_source(vm, "contextlib", include_str!("prelude/contextlib.coro")),
        "_process" => process_pool::create_native(vm),
        "_thread" => threading::create_native(vm),
        "threading" => crate::run::load_builtin_source(vm, "threading", include_str!("prelude/threading.coro")),
        "math" => math::create(vm),
        "time" => time::create(vm),
        "random" => random::create(vm),
        "collections" => collections::create(vm),
        "collections.abc" => collections::abc::create(vm),
        "functools" => functools::create(vm),
        "itertools" => itertools::create(vm),
        "dataclasses" => dataclasses::create(vm),
        "datetime" => datetime::create(vm),
        "_datetime" => datetime::create_native(vm),
        "typing" => typing::create(vm),
        "copy" => copy::create(vm),
        "operator" => operator::create(vm),
        "string" => string::create(vm),
        "abc" => abc::create(vm),
        "enum" => enum_module::create(vm),
        _ => return None,
    })
}

/// A new, empty builtin module.
pub fn new_builtin_module(vm: &Vm, name: &str) -> Rc<ModuleObj> {
    crate::run::new_module(vm, name, None)
}
