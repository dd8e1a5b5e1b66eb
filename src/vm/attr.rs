//! Attribute access: `getattr`, `setattr`, `delattr`, with Python's descriptor rules
//! (functions bind to instances, `property`, `classmethod`, `staticmethod`, user
//! descriptors with `__get__`/`__set__`, `__getattr__` as the last resort).

use std::rc::Rc;

use super::call::SuperData;
use crate::runtime::class::{Class, Instance, Payload};
use crate::runtime::generator::GenKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

/// A `property` object's functions.
pub struct PropertyData {
    pub fget: Value,
    pub fset: Value,
    pub fdel: Value,
    pub doc: Value,
}

/// The function inside a `classmethod` or `staticmethod` wrapper.
pub struct WrappedFunction(pub Value);

impl Vm {
    pub fn type_of(&self, v: &Value) -> Rc<Class> {
        let t = &self.types;
        match v {
            Value::None => t.none.clone(),
            Value::Bool(_) => t.bool_.clone(),
            Value::Int(_) | Value::BigInt(_) => t.int.clone(),
            Value::Float(_) => t.float.clone(),
            Value::Str(_) => t.str_.clone(),
            Value::Bytes(_) => t.bytes.clone(),
            Value::ByteArray(_) => t.bytearray.clone(),
            Value::List(_) => t.list.clone(),
            Value::Tuple(_) => t.tuple.clone(),
            Value::Dict(_) => t.dict.clone(),
            Value::Set(_) => t.set.clone(),
            Value::FrozenSet(_) => t.frozenset.clone(),
            Value::Range(_) => t.range.clone(),
            Value::Slice(_) => t.slice.clone(),
            Value::Function(_) => t.function.clone(),
            Value::Builtin(_) => t.builtin_function.clone(),
            Value::BoundMethod(m) => match m.func {
                Value::Builtin(_) => t.builtin_function.clone(),
                _ => t.method.clone(),
            },
            Value::Class(c) => c.metaclass.borrow().clone().unwrap_or_else(|| t.type_.clone()),
            Value::Instance(i) => i.class(),
            Value::Module(_) => t.module.clone(),
            Value::Generator(g) => match g.kind {
                GenKind::Generator => t.generator.clone(),
                GenKind::Coroutine => t.coroutine.clone(),
                GenKind::AsyncGenerator => t.async_generator.clone(),
            },
            Value::Ellipsis => t.ellipsis.clone(),
            Value::NotImplemented => t.not_implemented.clone(),
        }
    }

    /// Is `v` the method `object` itself defines under `name` (the default behaviour)?
    pub fn is_object_slot(&self, name: &str, v: &Value) -> bool {
        self.types.object.lookup(name).map_or(false, |o| o.is(v))
    }

    pub fn type_name(&self, v: &Value) -> Rc<str> {
        self.type_of(v).name.clone()
    }

    pub fn is_instance_of(&self, v: &Value, cls: &Class) -> bool {
        self.type_of(v).is_subclass(cls)
    }

    fn kind_of_descriptor(&self, attr: &Value) -> Option<Rc<Class>> {
        match attr {
            Value::Instance(i) => Some(i.class()),
            _ => None,
        }
    }

    /// Bind a class attribute found for instance `obj` (functions become methods, etc.).
    pub fn bind_descriptor(&self, attr: Value, obj: &Value) -> PyResult<Value> {
        match &attr {
            Value::Function(_) | Value::Builtin(_) => Ok(self.bind_method(attr, obj.clone())),
            Value::Instance(i) => {
                let c = i.class();
                if Rc::ptr_eq(&c, &self.types.property) {
                    let p = i.native::<PropertyData>().map(|p| p.fget.clone()).unwrap_or(Value::None);
                    if p.is_none() {
                        return Err(Exc::attribute_error("unreadable attribute"));
                    }
                    return self.call1(&p, obj.clone());
                }
                if Rc::ptr_eq(&c, &self.types.classmethod) {
                    let f = self.unwrap_static(i);
                    return Ok(self.bind_method(f, Value::Class(self.type_of(obj))));
                }
                if Rc::ptr_eq(&c, &self.types.staticmethod) {
                    return Ok(self.unwrap_static(i));
                }
                if let Some(get) = c.lookup("__get__") {
                    if !matches!(i.payload, Payload::Builtin(_)) {
                        let get = self.bind_descriptor(get, &attr)?;
                        return self.call(&get, Args::new([obj.clone(), Value::Class(self.type_of(obj))]));
                    }
                }
                Ok(attr)
            }
            _ => Ok(attr),
        }
    }

    /// Bind a class attribute accessed on the class itself (`Cls.attr`).
    pub fn bind_descriptor_to_class(&self, attr: Value, cls: &Rc<Class>) -> PyResult<Value> {
        if let Value::Instance(i) = &attr {
            let c = i.class();
            if Rc::ptr_eq(&c, &self.types.classmethod) {
                let f = self.unwrap_static(i);
                return Ok(self.bind_method(f, Value::Class(cls.clone())));
            }
            if Rc::ptr_eq(&c, &self.types.staticmethod) {
                return Ok(self.unwrap_static(i));
            }
            if Rc::ptr_eq(&c, &self.types.property) {
                return Ok(attr);
            }
            if let Some(get) = c.lookup("__get__") {
                let get = self.bind_descriptor(get, &attr)?;
                return self.call(&get, Args::new([Value::None, Value::Class(cls.clone())]));
            }
        }
        Ok(attr)
    }

    pub fn unwrap_static(&self, i: &Instance) -> Value {
        i.native::<WrappedFunction>().map(|w| w.0.clone()).unwrap_or(Value::None)
    }

    pub fn wrap_classmethod(&self, f: Value) -> Value {
        if let Value::Instance(i) = &f {
            if Rc::ptr_eq(&i.class(), &self.types.classmethod) {
                return f;
            }
        }
        Value::Instance(Instance::new(self.types.classmethod.clone(), Payload::Native(Box::new(WrappedFunction(f)))))
    }

    fn is_data_descriptor(&self, attr: &Value) -> bool {
        match self.kind_of_descriptor(attr) {
            Some(c) => Rc::ptr_eq(&c, &self.types.property) || (c.lookup("__set__").is_some() && c.lookup("__get__").is_some()),
            None => false,
        }
    }

    pub fn getattr(&self, v: &Value, name: &str) -> PyResult<Value> {
        match v {
            Value::Instance(inst) => self.instance_getattr(v, inst, name),
            Value::Class(c) => self.class_getattr(c, name),
            Value::Module(m) => match m.globals.get_by_name(name) {
                Some(x) => Ok(x),
                None => match name {
                    "__dict__" => {
                        let d = crate::runtime::dict::PyDict::new();
                        for (k, v) in m.globals.items() {
                            d.set(self, Value::str(&k), v)?;
                        }
                        Ok(Value::Dict(Rc::new(d)))
                    }
                    "__name__" => Ok(Value::str(&m.name)),
                    _ => Err(Exc::attribute_error(format!("module '{}' has no attribute '{}'", m.name, name))),
                },
            },
            Value::Function(f) => {
                if let Some(x) = f.attrs.borrow().get(name) {
                    return Ok(x.clone());
                }
                match name {
                    "__name__" => Ok(Value::str(&f.name.borrow())),
                    "__qualname__" => Ok(Value::str(&f.qualname.borrow())),
                    "__doc__" => Ok(f.doc.borrow().clone()),
                    "__module__" => Ok(Value::str(&f.module.name)),
                    "__defaults__" => Ok(if f.defaults.is_empty() { Value::None } else { Value::tuple(f.defaults.clone()) }),
                    "__dict__" => {
                        let d = crate::runtime::dict::PyDict::new();
                        for (k, v) in f.attrs.borrow().iter() {
                            d.set(self, Value::str(k), v.clone())?;
                        }
                        Ok(Value::Dict(Rc::new(d)))
                    }
                    "__annotations__" => Ok(Value::Dict(Rc::new(crate::runtime::dict::PyDict::new()))),
                    _ => self.generic_getattr(v, name),
                }
            }
            Value::Builtin(b) => match name {
                "__name__" | "__qualname__" => Ok(Value::str(&b.name)),
                "__doc__" => Ok(Value::None),
                "__module__" => Ok(Value::str("builtins")),
                _ => self.generic_getattr(v, name),
            },
            Value::BoundMethod(m) => match name {
                "__self__" => Ok(m.receiver.clone()),
                "__func__" => Ok(m.func.clone()),
                "__name__" | "__qualname__" | "__doc__" | "__module__" => self.getattr(&m.func, name),
                _ => self.generic_getattr(v, name).or_else(|_| self.getattr(&m.func, name)),
            },
            Value::Generator(g) => match name {
                "__name__" => Ok(Value::str(&g.name)),
                "__qualname__" => Ok(Value::str(&g.qualname)),
                _ => self.generic_getattr(v, name),
            },
            _ => self.generic_getattr(v, name),
        }
    }

    /// Attribute lookup on the type only, binding what it finds.
    pub fn generic_getattr(&self, v: &Value, name: &str) -> PyResult<Value> {
        let cls = self.type_of(v);
        match cls.lookup(name) {
            Some(attr) => self.bind_descriptor(attr, v),
            None => {
                if name == "__class__" {
                    return Ok(Value::Class(cls));
                }
                if name == "__doc__" {
                    return Ok(Value::None);
                }
                Err(Exc::attribute_error(format!("'{}' object has no attribute '{}'", cls.name, name)))
            }
        }
    }

    fn instance_getattr(&self, v: &Value, inst: &Rc<Instance>, name: &str) -> PyResult<Value> {
        let cls = inst.class();
        if Rc::ptr_eq(&cls, &self.types.super_) {
            return self.super_getattr(inst, name);
        }
        let class_attr = cls.lookup(name);
        if let Some(a) = &class_attr {
            if matches!(a, Value::Instance(_)) && self.is_data_descriptor(a) {
                return self.bind_descriptor(a.clone(), v);
            }
        }
        if let Some(x) = inst.attrs.borrow().get(name) {
            return Ok(x.clone());
        }
        if let Some(a) = class_attr {
            return self.bind_descriptor(a, v);
        }
        match name {
            "__class__" => return Ok(Value::Class(cls)),
            "__dict__" => {
                let d = crate::runtime::dict::PyDict::new();
                for (k, x) in inst.attrs.borrow().iter() {
                    d.set(self, Value::str(k), x.clone())?;
                }
                return Ok(Value::Dict(Rc::new(d)));
            }
            _ => {}
        }
        if let Some(e) = inst.exception() {
            match name {
                "args" => return Ok(Value::tuple(e.args.borrow().clone())),
                "__cause__" => return Ok(e.cause.borrow().clone().unwrap_or(Value::None)),
                "__context__" => return Ok(e.context.borrow().clone().unwrap_or(Value::None)),
                "__suppress_context__" => return Ok(Value::Bool(e.suppress_context.get())),
                "__traceback__" => return Ok(Value::None),
                "__notes__" => {}
                _ => {}
            }
        }
        if let Some(ga) = cls.lookup("__getattr__") {
            let ga = self.bind_descriptor(ga, v)?;
            return self.call1(&ga, Value::str(name));
        }
        Err(Exc::attribute_error(format!("'{}' object has no attribute '{}'", cls.name, name)))
    }

    fn class_getattr(&self, c: &Rc<Class>, name: &str) -> PyResult<Value> {
        if let Some(a) = c.lookup(name) {
            return self.bind_descriptor_to_class(a, c);
        }
        match name {
            "__name__" => return Ok(Value::str(&c.name)),
            "__qualname__" => return Ok(Value::str(&c.qualname.borrow())),
            "__module__" => return Ok(Value::str(&c.module.borrow())),
            "__doc__" => return Ok(Value::None),
            "__mro__" => return Ok(Value::tuple(c.mro.borrow().iter().map(|k| Value::Class(k.clone())).collect())),
            "__bases__" => return Ok(Value::tuple(c.bases.iter().map(|k| Value::Class(k.clone())).collect())),
            "__base__" => return Ok(c.bases.first().map(|b| Value::Class(b.clone())).unwrap_or(Value::None)),
            "__class__" => return Ok(Value::Class(self.type_of(&Value::Class(c.clone())))),
            "__dict__" => {
                let d = crate::runtime::dict::PyDict::new();
                for (k, v) in c.dict.borrow().iter() {
                    d.set(self, Value::str(k), v.clone())?;
                }
                return Ok(Value::Dict(Rc::new(d)));
            }
            _ => {}
        }
        // Methods of the metaclass (`type.mro`, user metaclass methods).
        let meta = self.type_of(&Value::Class(c.clone()));
        if let Some(a) = meta.lookup(name) {
            return self.bind_descriptor(a, &Value::Class(c.clone()));
        }
        Err(Exc::attribute_error(format!("type object '{}' has no attribute '{}'", c.name, name)))
    }

    fn super_getattr(&self, inst: &Instance, name: &str) -> PyResult<Value> {
        let Some(sd) = inst.native::<SuperData>() else {
            return Err(Exc::runtime_error("super(): bad state"));
        };
        let start = match &sd.obj {
            Value::Class(c) if c.is_subclass(&sd.after) => c.clone(),
            other => self.type_of(other),
        };
        let mro = start.mro.borrow().clone();
        let pos = mro.iter().position(|c| Rc::ptr_eq(c, &sd.after)).map(|p| p + 1).unwrap_or(mro.len());
        for c in &mro[pos..] {
            let found = c.dict.borrow().get(name).cloned();
            if let Some(a) = found {
                return match &sd.obj {
                    Value::Class(cls) if cls.is_subclass(&sd.after) => self.bind_descriptor_to_class(a, cls),
                    obj => self.bind_descriptor(a, obj),
                };
            }
        }
        Err(Exc::attribute_error(format!("'super' object has no attribute '{name}'")))
    }

    pub fn setattr(&self, obj: &Value, name: &str, v: Value) -> PyResult<()> {
        match obj {
            Value::Instance(inst) => {
                let cls = inst.class();
                if let Some(sa) = cls.lookup("__setattr__") {
                    // Rust-defined __setattr__ (frozen dataclasses) runs too; only object's is skipped.
                    if !self.is_object_slot("__setattr__", &sa) {
                        let sa = self.bind_descriptor(sa, obj)?;
                        self.call(&sa, Args::new([Value::str(name), v]))?;
                        return Ok(());
                    }
                }
                self.object_setattr(obj, inst, name, v)
            }
            Value::Class(c) => {
                c.set_attr(self.intern(name), v);
                Ok(())
            }
            Value::Module(m) => {
                m.globals.set_by_name(&self.intern(name), v);
                Ok(())
            }
            Value::Function(f) => {
                match name {
                    "__name__" => {
                        if let Value::Str(s) = &v {
                            *f.name.borrow_mut() = s.as_str().into();
                        }
                    }
                    "__qualname__" => {
                        if let Value::Str(s) = &v {
                            *f.qualname.borrow_mut() = s.as_str().into();
                        }
                    }
                    "__doc__" => *f.doc.borrow_mut() = v,
                    _ => f.attrs.borrow_mut().set(self.intern(name), v),
                }
                Ok(())
            }
            _ => Err(Exc::attribute_error(format!(
                "'{}' object has no attribute '{}'",
                self.type_name(obj),
                name
            ))),
        }
    }

    /// `object.__setattr__`: descriptors first, then the instance's own attributes.
    pub fn object_setattr(&self, obj: &Value, inst: &Instance, name: &str, v: Value) -> PyResult<()> {
        let cls = inst.class();
        if let Some(Value::Instance(d)) = cls.lookup(name) {
            let dc = d.class();
            if Rc::ptr_eq(&dc, &self.types.property) {
                let fset = d.native::<PropertyData>().map(|p| p.fset.clone()).unwrap_or(Value::None);
                if fset.is_none() {
                    return Err(Exc::attribute_error(format!(
                        "property '{}' of '{}' object has no setter",
                        name, cls.name
                    )));
                }
                self.call(&fset, Args::new([obj.clone(), v]))?;
                return Ok(());
            }
            if let Some(set) = dc.lookup("__set__") {
                let set = self.bind_descriptor(set, &Value::Instance(d.clone()))?;
                self.call(&set, Args::new([obj.clone(), v]))?;
                return Ok(());
            }
        }
        if let Some(e) = inst.exception() {
            match name {
                "__cause__" => {
                    *e.cause.borrow_mut() = if v.is_none() { None } else { Some(v) };
                    e.suppress_context.set(true);
                    return Ok(());
                }
                "__context__" => {
                    *e.context.borrow_mut() = if v.is_none() { None } else { Some(v) };
                    return Ok(());
                }
                "__suppress_context__" => {
                    e.suppress_context.set(self.truthy(&v)?);
                    return Ok(());
                }
                "args" => {
                    *e.args.borrow_mut() = self.collect(&v)?;
                    return Ok(());
                }
                _ => {}
            }
        }
        // Updating an attribute needs no interning; only a new one does.
        let old = inst.attrs.borrow_mut().replace_existing(name, v);
        if let Err(v) = old {
            inst.attrs.borrow_mut().set(self.intern(name), v);
        }
        Ok(())
    }

    pub fn delattr(&self, obj: &Value, name: &str) -> PyResult<()> {
        match obj {
            Value::Instance(inst) => {
                let cls = inst.class();
                if let Some(da) = cls.lookup("__delattr__") {
                    if !self.is_object_slot("__delattr__", &da) {
                        let da = self.bind_descriptor(da, obj)?;
                        self.call1(&da, Value::str(name))?;
                        return Ok(());
                    }
                }
                if let Some(Value::Instance(d)) = cls.lookup(name) {
                    if Rc::ptr_eq(&d.class(), &self.types.property) {
                        let fdel = d.native::<PropertyData>().map(|p| p.fdel.clone()).unwrap_or(Value::None);
                        if fdel.is_none() {
                            return Err(Exc::attribute_error(format!(
                                "property '{}' of '{}' object has no deleter",
                                name, cls.name
                            )));
                        }
                        self.call1(&fdel, obj.clone())?;
                        return Ok(());
                    }
                }
                if inst.attrs.borrow_mut().remove(name).is_none() {
                    return Err(Exc::attribute_error(format!("'{}' object has no attribute '{}'", cls.name, name)));
                }
                Ok(())
            }
            Value::Class(c) => {
                if !c.remove_attr(name) {
                    return Err(Exc::attribute_error(format!("type object '{}' has no attribute '{}'", c.name, name)));
                }
                Ok(())
            }
            Value::Module(m) => {
                if !m.globals.remove_by_name(name) {
                    return Err(Exc::attribute_error(format!("module '{}' has no attribute '{}'", m.name, name)));
                }
                Ok(())
            }
            Value::Function(f) => {
                f.attrs.borrow_mut().remove(name);
                Ok(())
            }
            _ => Err(Exc::attribute_error(format!("'{}' object has no attribute '{}'", self.type_name(obj), name))),
        }
    }

    pub fn hasattr(&self, obj: &Value, name: &str) -> PyResult<bool> {
        match self.getattr(obj, name) {
            Ok(_) => Ok(true),
            Err(e) if self.exc_is(&e, crate::runtime::ExcKind::AttributeError) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
