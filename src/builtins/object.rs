//! `object`, `type`, `property`, `classmethod`, `staticmethod`, `super`,
//! `BaseException` and the builtin iterator type: the methods the object model needs.

use std::rc::Rc;

use super::{add_getter, add_method};
use crate::runtime::class::{Instance, Payload};
use crate::runtime::exception::ExcKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::attr::{PropertyData, WrappedFunction};
use crate::vm::Vm;

pub fn make_property(vm: &Vm, fget: Value, fset: Value, fdel: Value, doc: Value) -> Value {
    Value::Instance(Instance::new(
        vm.types.property.clone(),
        Payload::Native(Box::new(PropertyData { fget, fset, fdel, doc })),
    ))
}

fn property_data(vm: &Vm, v: &Value) -> PyResult<(Value, Value, Value, Value)> {
    match v {
        Value::Instance(i) => match i.native::<PropertyData>() {
            Some(p) => Ok((p.fget.clone(), p.fset.clone(), p.fdel.clone(), p.doc.clone())),
            None => Err(Exc::type_error(format!("descriptor requires a 'property' object but received '{}'", vm.type_name(v)))),
        },
        _ => Err(Exc::type_error("descriptor requires a 'property' object")),
    }
}

fn exc_args(v: &Value) -> Vec<Value> {
    match v {
        Value::Instance(i) => i.exception().map(|p| p.args.borrow().clone()).unwrap_or_default(),
        _ => vec![],
    }
}

pub fn install(vm: &Vm) {
    let t = &vm.types;
    let object = &t.object;

    add_method(vm, object, "__new__", |vm, args: Args| {
        let cls = match args.pos.first() {
            Some(Value::Class(c)) => c.clone(),
            _ => return Err(Exc::type_error("object.__new__(X): X is not a type object")),
        };
        let rest = Args { pos: args.pos[1..].iter().cloned().collect(), kw: args.kw };
        vm.new_instance(&cls, &rest)
    });
    add_method(vm, object, "__init__", |_vm, args: Args| {
        if args.pos.len() > 1 || !args.kw.is_empty() {
            return Err(Exc::type_error("object.__init__() takes exactly one argument (the instance to initialize)"));
        }
        Ok(Value::None)
    });
    add_method(vm, object, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        Ok(Value::string(vm.default_repr(&s)))
    });
    add_method(vm, object, "__str__", |vm, args: Args| {
        let [s] = args.exact::<1>("__str__")?;
        Ok(Value::string(vm.repr(&s)?))
    });
    add_method(vm, object, "__format__", |vm, args: Args| {
        let [s, spec] = args.exact::<2>("__format__")?;
        match &spec {
            Value::Str(sp) if sp.as_str().is_empty() => Ok(Value::Str(vm.to_str(&s)?)),
            _ => Err(Exc::type_error(format!("unsupported format string passed to {}.__format__", vm.type_name(&s)))),
        }
    });
    add_method(vm, object, "__eq__", |_vm, args: Args| {
        let [a, b] = args.exact::<2>("__eq__")?;
        Ok(if a.is(&b) { Value::Bool(true) } else { Value::NotImplemented })
    });
    add_method(vm, object, "__ne__", |vm, args: Args| {
        let [a, b] = args.exact::<2>("__ne__")?;
        let r = vm.compare(crate::syntax::ast::CmpOp::Eq, &a, &b)?;
        Ok(Value::Bool(!vm.truthy(&r)?))
    });
    add_method(vm, object, "__hash__", |vm, args: Args| {
        let [a] = args.exact::<1>("__hash__")?;
        Ok(Value::Int(vm.hash(&a)?))
    });
    add_method(vm, object, "__setattr__", |vm, args: Args| {
        let [obj, name, v] = args.exact::<3>("__setattr__")?;
        let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
        match &obj {
            Value::Instance(i) => vm.object_setattr(&obj, i, n.as_str(), v)?,
            _ => vm.setattr(&obj, n.as_str(), v)?,
        }
        Ok(Value::None)
    });
    add_method(vm, object, "__delattr__", |vm, args: Args| {
        let [obj, name] = args.exact::<2>("__delattr__")?;
        let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
        if let Value::Instance(i) = &obj {
            if i.attrs.borrow_mut().remove(n.as_str()).is_none() {
                return Err(Exc::attribute_error(format!("'{}' object has no attribute '{}'", i.class().name, n.as_str())));
            }
            return Ok(Value::None);
        }
        vm.delattr(&obj, n.as_str())?;
        Ok(Value::None)
    });
    add_method(vm, object, "__getattribute__", |vm, args: Args| {
        let [obj, name] = args.exact::<2>("__getattribute__")?;
        let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
        vm.getattr(&obj, n.as_str())
    });
    super::add_classmethod(vm, object, "__init_subclass__", |_vm, _args: Args| Ok(Value::None));
    add_method(vm, object, "__dir__", |vm, args: Args| {
        let [obj] = args.exact::<1>("__dir__")?;
        super::functions::dir_of(vm, &obj)
    });
    add_method(vm, object, "__reduce_ex__", |_vm, _args: Args| Err(Exc::type_error("cannot pickle object")));

    // type
    add_method(vm, &t.type_, "mro", |_vm, args: Args| {
        let [c] = args.exact::<1>("mro")?;
        match c {
            Value::Class(c) => Ok(Value::list(c.mro.borrow().iter().map(|k| Value::Class(k.clone())).collect())),
            _ => Err(Exc::type_error("descriptor 'mro' requires a 'type' object")),
        }
    });
    // `type.__call__`: what a metaclass's `super().__call__(*args)` reaches.
    add_method(vm, &t.type_, "__call__", |vm, mut args: Args| {
        if args.pos.is_empty() {
            return Err(Exc::type_error("descriptor '__call__' of 'type' object needs an argument"));
        }
        match args.pos.remove(0) {
            Value::Class(c) => vm.instantiate(&c, args),
            other => Err(Exc::type_error(format!(
                "descriptor '__call__' requires a 'type' object but received a '{}'",
                vm.type_name(&other)
            ))),
        }
    });
    // `type.__init__` ignores its arguments (a metaclass's `super().__init__(name, bases, ns)`).
    add_method(vm, &t.type_, "__init__", |_vm, _args: Args| Ok(Value::None));
    add_method(vm, &t.type_, "__subclasses__", |_vm, _args: Args| Ok(Value::list(vec![])));

    // property
    add_method(vm, &t.property, "__new__", |vm, args: Args| {
        let rest = Args { pos: args.pos[1..].iter().cloned().collect(), kw: args.kw };
        let [fget, fset, fdel, doc] = rest.bind("property", ["fget", "fset", "fdel", "doc"], 0)?;
        let fget = fget.unwrap_or(Value::None);
        let doc = match doc {
            Some(d) => d,
            None => {
                if fget.is_none() {
                    Value::None
                } else {
                    vm.getattr(&fget, "__doc__").unwrap_or(Value::None)
                }
            }
        };
        Ok(make_property(vm, fget, fset.unwrap_or(Value::None), fdel.unwrap_or(Value::None), doc))
    });
    add_method(vm, &t.property, "__init__", |_vm, _args: Args| Ok(Value::None));
    // `prop.fget` & co. (abc reads them to find abstract properties).
    for (i, name) in ["fget", "fset", "fdel"].into_iter().enumerate() {
        super::add_getter(vm, &t.property, name, move |vm, args: Args| {
            let p = args.pos.first().cloned().unwrap_or(Value::None);
            let (g, s, d, _) = property_data(vm, &p)?;
            Ok([g, s, d].into_iter().nth(i).unwrap_or(Value::None))
        });
    }
    add_method(vm, &t.property, "getter", |vm, args: Args| {
        let [p, f] = args.exact::<2>("getter")?;
        let (_, s, d, doc) = property_data(vm, &p)?;
        Ok(make_property(vm, f, s, d, doc))
    });
    add_method(vm, &t.property, "setter", |vm, args: Args| {
        let [p, f] = args.exact::<2>("setter")?;
        let (g, _, d, doc) = property_data(vm, &p)?;
        Ok(make_property(vm, g, f, d, doc))
    });
    add_method(vm, &t.property, "deleter", |vm, args: Args| {
        let [p, f] = args.exact::<2>("deleter")?;
        let (g, s, _, doc) = property_data(vm, &p)?;
        Ok(make_property(vm, g, s, f, doc))
    });
    add_method(vm, &t.property, "__get__", |vm, args: Args| {
        let [p, obj, _cls] = args.exact::<3>("__get__")?;
        if obj.is_none() {
            return Ok(p);
        }
        let (g, ..) = property_data(vm, &p)?;
        vm.call1(&g, obj)
    });

    for (cls, name) in [(&t.classmethod, "classmethod"), (&t.staticmethod, "staticmethod")] {
        let c = cls.clone();
        add_method(vm, cls, "__new__", move |_vm, args: Args| {
            if args.pos.len() != 2 {
                return Err(Exc::type_error(format!("{name} expected 1 argument, got {}", args.pos.len().saturating_sub(1))));
            }
            Ok(Value::Instance(Instance::new(c.clone(), Payload::Native(Box::new(WrappedFunction(args.pos[1].clone()))))))
        });
        add_method(vm, cls, "__init__", |_vm, _args: Args| Ok(Value::None));
        add_getter(vm, cls, "__func__", |vm, args: Args| {
            let [s] = args.exact::<1>("__func__")?;
            match &s {
                Value::Instance(i) => Ok(vm.unwrap_static(i)),
                _ => Ok(Value::None),
            }
        });
    }

    add_method(vm, &t.super_, "__new__", |vm, args: Args| {
        let pos = &args.pos[1..];
        match pos {
            [Value::Class(c), obj] => Ok(vm.make_super(c.clone(), obj.clone())),
            [Value::Class(_)] => Err(Exc::runtime_error("super(): unbound super objects are not supported")),
            [] => Err(Exc::runtime_error("super(): no arguments")),
            _ => Err(Exc::type_error("super() argument 1 must be a type")),
        }
    });
    add_method(vm, &t.super_, "__init__", |_vm, _args: Args| Ok(Value::None));

    // BaseException
    let base = t.exception(ExcKind::BaseException).clone();
    add_method(vm, &base, "__init__", |_vm, args: Args| {
        if let Some(Value::Instance(i)) = args.pos.first() {
            if let Some(p) = i.exception() {
                *p.args.borrow_mut() = args.pos[1..].to_vec();
            }
        }
        Ok(Value::None)
    });
    add_method(vm, &base, "__str__", |vm, args: Args| {
        let [e] = args.exact::<1>("__str__")?;
        let a = exc_args(&e);
        let is_key_error = vm.type_of(&e).is_subclass(vm.types.exception(ExcKind::KeyError));
        Ok(match a.len() {
            0 => Value::str(""),
            1 if is_key_error => Value::string(vm.repr(&a[0])?),
            1 => Value::Str(vm.to_str(&a[0])?),
            _ => Value::string(vm.repr(&Value::tuple(a))?),
        })
    });
    add_method(vm, &base, "__repr__", |vm, args: Args| {
        let [e] = args.exact::<1>("__repr__")?;
        let a = exc_args(&e);
        let name = vm.type_of(&e).name.clone();
        Ok(Value::string(if a.len() == 1 {
            format!("{}({})", name, vm.repr(&a[0])?)
        } else {
            let inner = vm.repr(&Value::tuple(a))?;
            if inner == "()" {
                format!("{name}()")
            } else {
                format!("{name}{inner}")
            }
        }))
    });
    add_method(vm, &base, "with_traceback", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None)));
    add_method(vm, &base, "add_note", |vm, args: Args| {
        let [e, note] = args.exact::<2>("add_note")?;
        let notes = match vm.getattr(&e, "__notes__") {
            Ok(Value::List(l)) => l,
            _ => {
                let l = Rc::new(std::cell::RefCell::new(vec![]));
                vm.setattr(&e, "__notes__", Value::List(l.clone()))?;
                l
            }
        };
        notes.borrow_mut().push(note);
        Ok(Value::None)
    });
    // OSError(errno, strerror[, filename]): "[Errno 2] No such file or directory: 'x'"
    let os = t.exception(ExcKind::OSError).clone();
    add_method(vm, &os, "__str__", |vm, args: Args| {
        let [e] = args.exact::<1>("__str__")?;
        let a = exc_args(&e);
        Ok(match a.len() {
            2 => Value::string(format!("[Errno {}] {}", vm.to_str(&a[0])?.as_str(), vm.to_str(&a[1])?.as_str())),
            3 => Value::string(format!(
                "[Errno {}] {}: {}",
                vm.to_str(&a[0])?.as_str(),
                vm.to_str(&a[1])?.as_str(),
                vm.repr(&a[2])?
            )),
            0 => Value::str(""),
            1 => Value::Str(vm.to_str(&a[0])?),
            _ => Value::string(vm.repr(&Value::tuple(a))?),
        })
    });
    for (name, idx) in [("errno", 0usize), ("strerror", 1), ("filename", 2)] {
        add_getter(vm, &os, name, move |_vm, args: Args| {
            let a = exc_args(&args.pos[0]);
            Ok(if (2..=3).contains(&a.len()) { a.get(idx).cloned().unwrap_or(Value::None) } else { Value::None })
        });
    }
    // StopIteration.value
    add_getter(vm, t.exception(ExcKind::StopIteration), "value", |_vm, args: Args| {
        let e = args.pos.first().cloned().unwrap_or(Value::None);
        Ok(exc_args(&e).into_iter().next().unwrap_or(Value::None))
    });
    add_getter(vm, t.exception(ExcKind::SystemExit), "code", |_vm, args: Args| {
        let e = args.pos.first().cloned().unwrap_or(Value::None);
        let a = exc_args(&e);
        Ok(match a.len() {
            0 => Value::None,
            1 => a[0].clone(),
            _ => Value::tuple(a),
        })
    });

    // builtin iterators
    let it = &t.iterator;
    add_method(vm, it, "__iter__", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None)));
    add_method(vm, it, "__next__", |vm, args: Args| {
        let [s] = args.exact::<1>("__next__")?;
        match vm.next(&s)? {
            Some(v) => Ok(v),
            None => Err(Exc::stop_iteration(Value::None)),
        }
    });
}
