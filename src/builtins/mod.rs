//! The `builtins` module: builtin functions, and the methods of the builtin types.
//!
//! One file per builtin type or family; each has an `install` that adds its methods
//! to the type's class. Every builtin has the same signature (`NativeFn`) and binds
//! its arguments with `Args::bind`/`Args::exact`.

pub mod async_generator;
pub mod bytes;
pub mod constructors;
pub mod dict;
pub mod exception_group;
pub mod file;
pub mod float;
pub mod functions;
pub mod generator;
pub mod int;
pub mod io;
pub mod list;
pub mod object;
pub mod range;
pub mod set;
pub mod str;
pub mod tuple;

use std::rc::Rc;

use crate::runtime::class::Class;
use crate::runtime::function::BuiltinFunction;
use crate::runtime::module::Globals;
use crate::runtime::{Args, PyResult, Value};
use crate::vm::Vm;

/// Add a function to a module's globals.
pub fn add_fn(vm: &Vm, g: &Globals, name: &str, f: impl Fn(&Vm, Args) -> PyResult<Value> + 'static) {
    g.set_by_name(&vm.intern(name), BuiltinFunction::new(name, f));
}

/// Add a value to a module's globals.
pub fn set_value(vm: &Vm, g: &Globals, name: &str, v: Value) {
    g.set_by_name(&vm.intern(name), v);
}

/// Add a method to a class; it receives `self` as the first positional argument.
pub fn add_method(vm: &Vm, cls: &Rc<Class>, name: &str, f: impl Fn(&Vm, Args) -> PyResult<Value> + 'static) {
    let b = BuiltinFunction { name: name.into(), func: Rc::new(f), owner: Some(cls.name.clone()) };
    cls.set_attr(vm.intern(name), Value::Builtin(Rc::new(b)));
}

/// Add a read-only attribute computed from the instance (a `property` with a builtin getter).
pub fn add_getter(vm: &Vm, cls: &Rc<Class>, name: &str, f: impl Fn(&Vm, Args) -> PyResult<Value> + 'static) {
    let getter = BuiltinFunction::new(name, f);
    let prop = object::make_property(vm, getter, Value::None, Value::None, Value::None);
    cls.set_attr(vm.intern(name), prop);
}

/// Add a classmethod implemented in Rust (receives the class first).
pub fn add_classmethod(vm: &Vm, cls: &Rc<Class>, name: &str, f: impl Fn(&Vm, Args) -> PyResult<Value> + 'static) {
    let func = BuiltinFunction::new(name, f);
    cls.set_attr(vm.intern(name), vm.wrap_classmethod(func));
}

/// Set up the builtins module of a new interpreter.
pub fn install(vm: &Vm) {
    let g = &vm.builtins;
    let t = &vm.types;
    for (name, cls) in [
        ("object", &t.object),
        ("type", &t.type_),
        ("int", &t.int),
        ("bool", &t.bool_),
        ("float", &t.float),
        ("complex", &t.complex),
        ("str", &t.str_),
        ("bytes", &t.bytes),
        ("bytearray", &t.bytearray),
        ("list", &t.list),
        ("tuple", &t.tuple),
        ("dict", &t.dict),
        ("set", &t.set),
        ("frozenset", &t.frozenset),
        ("range", &t.range),
        ("slice", &t.slice),
        ("property", &t.property),
        ("classmethod", &t.classmethod),
        ("staticmethod", &t.staticmethod),
        ("super", &t.super_),
    ] {
        set_value(vm, g, name, Value::Class(cls.clone()));
    }
    for (name, _kind, cls) in t.exception_classes() {
        if !matches!(name, "CancelledError" | "InvalidStateError" | "QueueEmpty" | "QueueFull") {
            set_value(vm, g, name, Value::Class(cls.clone()));
        }
    }
    set_value(vm, g, "EnvironmentError", Value::Class(t.exception(crate::runtime::ExcKind::OSError).clone()));
    set_value(vm, g, "IOError", Value::Class(t.exception(crate::runtime::ExcKind::OSError).clone()));
    set_value(vm, g, "Ellipsis", Value::Ellipsis);
    set_value(vm, g, "NotImplemented", Value::NotImplemented);
    set_value(vm, g, "__name__", Value::str("builtins"));
    object::install(vm);
    constructors::install(vm);
    functions::install(vm);
    io::install(vm);
    generator::install(vm);
    async_generator::install(vm);
    async_generator::install_builtins(vm);
    str::install(vm);
    bytes::install(vm);
    list::install(vm);
    tuple::install(vm);
    dict::install(vm);
    set::install(vm);
    int::install(vm);
    float::install(vm);
    range::install(vm);
    exception_group::install(vm);
    file::install(vm);
}
