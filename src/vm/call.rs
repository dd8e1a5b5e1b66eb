//! Calling any callable value, instantiating classes, and creating classes.

use std::cell::RefCell;
use std::rc::Rc;

use crate::runtime::class::{c3_mro, BaseKind, Class, Instance, Payload};
use crate::runtime::exception::{ExcKind, ExcPayload};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::Name;
use crate::vm::Vm;

/// State of a `super()` object.
pub struct SuperData {
    /// Search starts after this class in the MRO.
    pub after: Rc<Class>,
    pub obj: Value,
}

impl Vm {
    pub fn call(&self, callee: &Value, args: Args) -> PyResult<Value> {
        match callee {
            Value::Function(f) => self.call_function(f, args),
            Value::Builtin(b) => (b.func)(self, args),
            Value::BoundMethod(m) => {
                let args = args.with_receiver(m.receiver.clone());
                self.call(&m.func, args)
            }
            Value::Class(c) => match self.meta_dunder(c, "__call__") {
                // A metaclass defining `__call__` (singletons, Enum lookups) intercepts instantiation.
                Some(m) => self.call(&m, args),
                None => self.instantiate(c, args),
            },
            _ => {
                let cls = self.type_of(callee);
                match cls.lookup("__call__") {
                    Some(m) => {
                        let m = self.bind_descriptor(m, callee)?;
                        self.call(&m, args)
                    }
                    None => Err(Exc::type_error(format!("'{}' object is not callable", cls.name))),
                }
            }
        }
    }

    /// Call helper for Rust code: positional arguments only.
    pub fn call1(&self, callee: &Value, arg: Value) -> PyResult<Value> {
        self.call(callee, Args::one(arg))
    }

    /// `recv.name(*args)` without materialising a bound method when possible.
    pub fn call_method(&self, recv: &Value, name: &Name, args: Args) -> PyResult<Value> {
        match recv {
            Value::Instance(inst) => {
                let shadow = inst.attrs.borrow().get(name).cloned();
                if let Some(v) = shadow {
                    return self.call(&v, args);
                }
                let cls = inst.class();
                // A `super()` object resolves names through `super_getattr` (the MRO
                // after the class), not through its own type: `super().__init__(x)`
                // must not find `super.__init__`.
                if Rc::ptr_eq(&cls, &self.types.super_) {
                    let m = self.getattr(recv, name)?;
                    return self.call(&m, args);
                }
                match cls.lookup(name) {
                    Some(Value::Function(func)) => return self.call_function(&func, args.with_receiver(recv.clone())),
                    Some(Value::Builtin(b)) => return (b.func)(self, args.with_receiver(recv.clone())),
                    _ => {}
                }
            }
            Value::Class(_) | Value::Module(_) => {}
            _ => {
                let cls = self.type_of(recv);
                if let Some(Value::Builtin(b)) = cls.lookup(name) {
                    return (b.func)(self, args.with_receiver(recv.clone()));
                }
            }
        }
        let m = self.getattr(recv, name)?;
        self.call(&m, args)
    }

    /// Look up a special method on the type (not the instance) and call it.
    pub fn call_dunder(&self, recv: &Value, name: &str, args: Args) -> PyResult<Option<Value>> {
        let cls = self.type_of(recv);
        match cls.lookup(name) {
            Some(Value::None) | None => Ok(None),
            Some(Value::Function(func)) => Ok(Some(self.call_function(&func, args.with_receiver(recv.clone()))?)),
            Some(Value::Builtin(b)) => Ok(Some((b.func)(self, args.with_receiver(recv.clone()))?)),
            Some(m) => {
                let m = self.bind_descriptor(m, recv)?;
                Ok(Some(self.call(&m, args)?))
            }
        }
    }

    pub fn instantiate(&self, cls: &Rc<Class>, args: Args) -> PyResult<Value> {
        if Rc::ptr_eq(cls, &self.types.type_) && args.pos.len() == 1 && args.kw.is_empty() {
            return Ok(Value::Class(self.type_of(&args.pos[0])));
        }
        let new = cls.lookup("__new__");
        let object_new = self.types.object.lookup("__new__");
        let is_object_new = matches!((&new, &object_new), (Some(a), Some(b)) if a.is(b));
        let init = cls.lookup("__init__");
        let object_init = self.types.object.lookup("__init__");
        let is_object_init = matches!((&init, &object_init), (Some(a), Some(b)) if a.is(b));
        let obj = if is_object_new {
            if is_object_init && !args.is_empty() {
                return Err(Exc::type_error(format!("{}() takes no arguments", cls.name)));
            }
            // Abstract classes (`abc.ABCMeta` sets `__abstractmethods__`) refuse object.__new__.
            if cls.metaclass.borrow().is_some() {
                self.check_abstract(cls)?;
            }
            self.new_instance(cls, &args)?
        } else {
            let new = new.ok_or_else(|| Exc::type_error(format!("cannot create '{}' instances", cls.name)))?;
            let new = match new {
                // __new__ is a static method taking the class first.
                Value::Instance(i) if Rc::ptr_eq(&i.class(), &self.types.staticmethod) => self.unwrap_static(&i),
                other => other,
            };
            let mut a = Args { pos: args.pos.clone(), kw: args.kw.clone() };
            a.pos.insert(0, Value::Class(cls.clone()));
            self.call(&new, a)?
        };
        // __init__ runs only when __new__ returned an instance of cls.
        if !self.type_of(&obj).is_subclass(cls) || is_object_init {
            return Ok(obj);
        }
        let r = match init {
            Some(Value::Function(f)) => self.call_function(&f, args.with_receiver(obj.clone()))?,
            Some(m) => {
                let m = self.bind_descriptor(m, &obj)?;
                self.call(&m, args)?
            }
            None => Value::None,
        };
        if !r.is_none() {
            return Err(Exc::type_error(format!("__init__() should return None, not '{}'", self.type_name(&r))));
        }
        Ok(obj)
    }

    /// CPython's `object_new` check: a non-empty `__abstractmethods__` forbids instances.
    fn check_abstract(&self, cls: &Rc<Class>) -> PyResult<()> {
        let Some(Value::FrozenSet(s)) = cls.lookup("__abstractmethods__") else { return Ok(()) };
        if s.len() == 0 {
            return Ok(());
        }
        let mut names: Vec<String> = s.items().iter().filter_map(|v| match v {
            Value::Str(n) => Some(n.as_str().to_string()),
            _ => None,
        }).collect();
        names.sort();
        Err(Exc::type_error(format!(
            "Can't instantiate abstract class {} with abstract method{} {}",
            cls.name,
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        )))
    }

    /// `object.__new__(cls)`: an empty instance with the payload its bases need.
    pub fn new_instance(&self, cls: &Rc<Class>, args: &Args) -> PyResult<Value> {
        let payload = match cls.base_kind {
            BaseKind::Exception => {
                let p = ExcPayload::default();
                *p.args.borrow_mut() = args.pos.to_vec();
                Payload::Exception(p)
            }
            BaseKind::Builtin => Payload::Builtin(RefCell::new(self.empty_builtin(cls))),
            _ => Payload::None,
        };
        Ok(Value::Instance(Instance::new(cls.clone(), payload)))
    }

    /// The empty value of a mutable builtin base (for `class Stack(list)` instances).
    fn empty_builtin(&self, cls: &Class) -> Value {
        use crate::runtime::class::BuiltinType as B;
        match cls.builtin_base() {
            B::List => Value::list(vec![]),
            B::Dict => Value::Dict(Rc::new(crate::runtime::dict::PyDict::new())),
            B::Set => Value::Set(Rc::new(crate::runtime::set::PySet::new())),
            B::Int | B::Bool => Value::Int(0),
            B::Float => Value::Float(0.0),
            B::Str => Value::str(""),
            B::Tuple => Value::tuple(vec![]),
            _ => Value::None,
        }
    }

    /// The builtin value inside an instance of a builtin subclass, or the value itself.
    pub fn builtin_value(&self, v: &Value) -> Value {
        if let Value::Instance(i) = v {
            if let Payload::Builtin(b) = &i.payload {
                return b.borrow().clone();
            }
        }
        v.clone()
    }

    /// Create a class from its name, the class statement's arguments and its namespace.
    pub fn build_class(&self, name: &Name, mut args: Args, mut ns: Vec<(Name, Value)>) -> PyResult<Value> {
        let explicit = args.take_kw("metaclass");
        // PEP 560: a non-class base with `__mro_entries__` (`Generic[T]`) names its real bases.
        if args.pos.iter().any(|b| !matches!(b, Value::Class(_))) {
            let orig = Value::tuple(args.pos.to_vec());
            let mut resolved = smallvec::SmallVec::new();
            for b in args.pos.iter() {
                let entries = match b {
                    Value::Class(_) => None,
                    _ => self.getattr(b, "__mro_entries__").ok(),
                };
                if let Some(f) = entries {
                    let r = self.call1(&f, orig.clone())?;
                    let Value::Tuple(t) = r else {
                        return Err(Exc::type_error("__mro_entries__ must return a tuple"));
                    };
                    resolved.extend(t.iter().cloned());
                } else {
                    resolved.push(b.clone());
                }
            }
            args.pos = resolved;
            ns.push((self.intern("__orig_bases__"), orig));
        }
        // The metaclass: explicit, else the most derived metaclass of the bases.
        let mut meta = match &explicit {
            Some(Value::Class(m)) => Some(m.clone()),
            _ => None,
        };
        for b in args.pos.iter() {
            if let Value::Class(b) = b {
                if let Some(bm) = b.metaclass.borrow().clone() {
                    match &meta {
                        Some(m) if m.is_subclass(&bm) => {}
                        _ => meta = Some(bm),
                    }
                }
            }
        }
        if let Some(m) = &meta {
            // A metaclass with its own `__new__`/`__init__` builds the class by being called:
            // `meta(name, bases, namespace, **kw)`; its `super().__new__` lands in `type.__new__`.
            let custom = |n: &str| match m.lookup(n) {
                Some(v) => !self.types.type_.dict.borrow().get(n).is_some_and(|t| t.is(&v)) && !self.is_object_slot(n, &v),
                None => false,
            };
            if custom("__new__") || custom("__init__") {
                let d = crate::runtime::dict::PyDict::new();
                for (k, v) in &ns {
                    d.set(self, Value::str(k), v.clone())?;
                }
                let bases = Value::tuple(args.pos.to_vec());
                let margs = Args { pos: [Value::str(name), bases, Value::Dict(Rc::new(d))].into_iter().collect(), kw: args.kw };
                return self.instantiate(m, margs);
            }
        }
        self.create_class(meta, name, args, ns)
    }

    /// The metaclass's own override of special method `name` (not `type`'s or `object`'s),
    /// bound to class `c`.
    pub fn meta_dunder(&self, c: &Rc<Class>, name: &str) -> Option<Value> {
        let meta = c.metaclass.borrow().clone()?;
        let v = meta.lookup(name)?;
        if self.types.type_.dict.borrow().get(name).is_some_and(|t| t.is(&v)) || self.is_object_slot(name, &v) {
            return None;
        }
        self.bind_descriptor(v, &Value::Class(c.clone())).ok()
    }

    /// `type.__new__(meta, name, bases, ns)`: create the class object itself.
    pub fn create_class(&self, metaclass: Option<Rc<Class>>, name: &Name, mut args: Args, ns: Vec<(Name, Value)>) -> PyResult<Value> {
        // The most derived of the requested metaclass and the bases' metaclasses.
        let mut metaclass = metaclass;
        for b in args.pos.iter() {
            if let Value::Class(b) = b {
                if let Some(bm) = b.metaclass.borrow().clone() {
                    match &metaclass {
                        Some(m) if m.is_subclass(&bm) => {}
                        _ => metaclass = Some(bm),
                    }
                }
            }
        }
        let metaclass = metaclass.filter(|m| !Rc::ptr_eq(m, &self.types.type_)).map(Value::Class);
        let mut bases = Vec::new();
        for b in args.pos.iter() {
            match b {
                Value::Class(c) => bases.push(c.clone()),
                other => {
                    return Err(Exc::type_error(format!(
                        "bases must be types, not {}",
                        self.type_name(other)
                    )))
                }
            }
        }
        if bases.is_empty() {
            bases.push(self.types.object.clone());
        }
        let kind = bases
            .iter()
            .map(|b| b.base_kind)
            .max_by_key(|k| match k {
                BaseKind::Object => 0,
                BaseKind::Native => 1,
                BaseKind::Builtin => 2,
                BaseKind::Exception => 3,
            })
            .unwrap_or(BaseKind::Object);
        let cls = Class::new(name.clone(), bases, kind, None);
        match c3_mro(&cls) {
            Some(mro) => cls.set_mro(mro),
            None => {
                let names: Vec<String> = cls.bases.iter().map(|b| b.name.to_string()).collect();
                return Err(Exc::type_error(format!(
                    "Cannot create a consistent method resolution order (MRO) for bases {}",
                    names.join(", ")
                )));
            }
        }
        let mut has_eq = false;
        let mut has_hash = false;
        for (k, v) in &ns {
            match &**k {
                "__module__" => {
                    if let Value::Str(s) = v {
                        *cls.module.borrow_mut() = s.as_str().into();
                    }
                }
                "__qualname__" => {
                    if let Value::Str(s) = v {
                        *cls.qualname.borrow_mut() = s.as_str().into();
                    }
                    continue;
                }
                "__eq__" => has_eq = true,
                "__hash__" => has_hash = true,
                _ => {}
            }
            // `__new__` and `__init_subclass__` are implicitly static / class methods.
            let v = if &**k == "__init_subclass__" || &**k == "__class_getitem__" {
                self.wrap_classmethod(v.clone())
            } else {
                v.clone()
            };
            cls.set_attr(k.clone(), v);
        }
        if has_eq && !has_hash {
            cls.set_attr(self.intern("__hash__"), Value::None);
        }
        if let Some(Value::Class(m)) = &metaclass {
            *cls.metaclass.borrow_mut() = Some(m.clone());
        }
        let clsv = Value::Class(cls.clone());
        // __set_name__ on descriptors, then the parent's __init_subclass__.
        for (k, v) in &ns {
            if let Value::Instance(_) = v {
                if let Some(r) = self.call_dunder(v, "__set_name__", Args::new([clsv.clone(), Value::str(k)])).transpose() {
                    r?;
                }
            }
        }
        let parent_init = cls.mro.borrow().iter().skip(1).find_map(|c| c.dict.borrow().get("__init_subclass__").cloned());
        if let Some(init) = parent_init {
            let f = self.bind_descriptor_to_class(init, &cls)?;
            let kw = std::mem::take(&mut args.kw);
            self.call(&f, Args { pos: Default::default(), kw })?;
        } else if let Some((k, _)) = args.kw.first() {
            return Err(Exc::type_error(format!("{}.__init_subclass__() takes no keyword arguments", name)))
                .map_err(|e| {
                    let _ = k;
                    e
                });
        }
        Ok(clsv)
    }

    pub fn make_super(&self, after: Rc<Class>, obj: Value) -> Value {
        Value::Instance(Instance::new(self.types.super_.clone(), Payload::Native(Box::new(SuperData { after, obj }))))
    }

    /// Raise if a Python call nests deeper than the recursion limit.
    pub fn check_recursion(&self) -> PyResult<()> {
        if self.depth.get() >= self.recursion_limit.get() {
            return Err(Exc::new(ExcKind::RecursionError, "maximum recursion depth exceeded"));
        }
        Ok(())
    }
}
