//! `collections.abc`: the container ABCs. Each class answers `isinstance` structurally
//! (builtin types by kind, other objects by the special methods their type defines),
//! and subclasses of an ABC are instances as usual.

use std::rc::Rc;

use crate::builtins::set_value;
use crate::runtime::class::{BaseKind, BuiltinType as B, Class};
use crate::runtime::function::BuiltinFunction;
use crate::runtime::generator::GenKind;
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;

fn has(vm: &Vm, v: &Value, names: &[&str]) -> bool {
    let cls = vm.type_of(v);
    names.iter().all(|n| matches!(cls.lookup(n), Some(x) if !x.is_none()))
}

fn builtin_kind(vm: &Vm, v: &Value) -> B {
    vm.type_of(v).builtin_base()
}

/// Does `v` structurally implement ABC `name`?
fn check(vm: &Vm, name: &str, v: &Value) -> bool {
    let k = builtin_kind(vm, v);
    let is_iter_obj = matches!(v, Value::Instance(i) if i.native::<crate::vm::iter::IterObj>().is_some());
    let gen_kind = match v {
        Value::Generator(g) => Some(g.kind),
        _ => None,
    };
    let seq = matches!(k, B::List | B::Tuple | B::Str | B::Range | B::Bytes | B::ByteArray);
    let mapping = matches!(k, B::Dict);
    let set = matches!(k, B::Set | B::FrozenSet);
    match name {
        "Hashable" => vm.hash(v).is_ok(),
        "Callable" => crate::builtins::functions::callable(vm, v),
        "Iterable" => seq || mapping || set || is_iter_obj || gen_kind == Some(GenKind::Generator) || has(vm, v, &["__iter__"]),
        "Iterator" => is_iter_obj || gen_kind == Some(GenKind::Generator) || has(vm, v, &["__iter__", "__next__"]),
        "Generator" => gen_kind == Some(GenKind::Generator) || has(vm, v, &["__iter__", "__next__", "send", "throw"]),
        "Reversible" => seq || mapping || has(vm, v, &["__reversed__", "__iter__"]),
        "Sized" => seq || mapping || set || has(vm, v, &["__len__"]),
        "Container" => seq || mapping || set || has(vm, v, &["__contains__"]),
        "Collection" => seq || mapping || set || has(vm, v, &["__len__", "__iter__", "__contains__"]),
        "Sequence" => seq,
        "MutableSequence" => matches!(k, B::List | B::ByteArray),
        "Mapping" => mapping,
        "MutableMapping" => mapping,
        "Set" => set,
        "MutableSet" => matches!(k, B::Set),
        "MappingView" | "KeysView" | "ItemsView" | "ValuesView" => false,
        "Awaitable" => gen_kind == Some(GenKind::Coroutine) || has(vm, v, &["__await__"]),
        "Coroutine" => gen_kind == Some(GenKind::Coroutine) || has(vm, v, &["__await__", "send", "throw", "close"]),
        "AsyncIterable" => gen_kind == Some(GenKind::AsyncGenerator) || has(vm, v, &["__aiter__"]),
        "AsyncIterator" => gen_kind == Some(GenKind::AsyncGenerator) || has(vm, v, &["__aiter__", "__anext__"]),
        "AsyncGenerator" => gen_kind == Some(GenKind::AsyncGenerator) || has(vm, v, &["__aiter__", "__anext__", "asend", "athrow"]),
        _ => false,
    }
}

pub const NAMES: &[&str] = &[
    "Hashable", "Callable", "Iterable", "Iterator", "Generator", "Reversible", "Sized", "Container", "Collection",
    "Sequence", "MutableSequence", "Mapping", "MutableMapping", "Set", "MutableSet", "MappingView", "KeysView",
    "ItemsView", "ValuesView", "Awaitable", "Coroutine", "AsyncIterable", "AsyncIterator", "AsyncGenerator",
];

/// One ABC class named `name`.
pub fn abc_class(vm: &Vm, name: &'static str, module: &str, bases: Vec<Rc<Class>>) -> Rc<Class> {
    let bases = if bases.is_empty() { vec![vm.types.object.clone()] } else { bases };
    let cls = make_class(name, bases, BaseKind::Object, None);
    *cls.module.borrow_mut() = module.into();
    let weak = Rc::downgrade(&cls);
    let check_fn = BuiltinFunction::new("__instancecheck__", move |vm, args: Args| {
        let v = args.pos.last().cloned().unwrap_or(Value::None);
        if let Some(c) = weak.upgrade() {
            if vm.type_of(&v).is_subclass(&c) {
                return Ok(Value::Bool(true));
            }
        }
        Ok(Value::Bool(check(vm, name, &v)))
    });
    cls.set_attr(vm.intern("__instancecheck__"), check_fn);
    // `Iterable[int]` in annotations.
    let gi = BuiltinFunction::new("__class_getitem__", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None)));
    cls.set_attr(vm.intern("__class_getitem__"), vm.wrap_classmethod(gi));
    cls
}

/// The ABCs with CPython's inheritance (`Sequence` is a `Reversible` `Collection`...).
pub fn all_classes(vm: &Vm, module: &str) -> Vec<(&'static str, Rc<Class>)> {
    const BASES: &[(&str, &[&str])] = &[
        ("Iterator", &["Iterable"]),
        ("Generator", &["Iterator"]),
        ("Reversible", &["Iterable"]),
        ("Collection", &["Sized", "Iterable", "Container"]),
        ("Sequence", &["Reversible", "Collection"]),
        ("MutableSequence", &["Sequence"]),
        ("Mapping", &["Collection"]),
        ("MutableMapping", &["Mapping"]),
        ("Set", &["Collection"]),
        ("MutableSet", &["Set"]),
        ("MappingView", &["Sized"]),
        ("KeysView", &["MappingView", "Set"]),
        ("ItemsView", &["MappingView", "Set"]),
        ("ValuesView", &["MappingView", "Collection"]),
        ("Coroutine", &["Awaitable"]),
        ("AsyncIterator", &["AsyncIterable"]),
        ("AsyncGenerator", &["AsyncIterator"]),
    ];
    let mut out: Vec<(&'static str, Rc<Class>)> = Vec::new();
    // NAMES lists every base before the classes deriving from it.
    for name in NAMES {
        let bases: Vec<Rc<Class>> = BASES
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, bs)| bs.iter().filter_map(|b| out.iter().find(|(n, _)| n == b).map(|(_, c)| c.clone())).collect())
            .unwrap_or_default();
        let cls = abc_class(vm, name, module, bases);
        if *name == "Iterator" {
            // The mixin: an Iterator subclass only needs __next__.
            cls.set_attr(vm.intern("__iter__"), BuiltinFunction::new("__iter__", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None))));
        }
        out.push((name, cls));
    }
    out
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = crate::modules::new_builtin_module(vm, "collections.abc");
    for (name, cls) in all_classes(vm, "collections.abc") {
        set_value(vm, &m.globals, name, Value::Class(cls));
    }
    Ok(m)
}
