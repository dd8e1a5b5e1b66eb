//! Host objects: a Rust struct exposed to scripts as a class, with methods, read/write
//! attributes and an optional constructor.
//!
//! The struct lives inside the Python object (in a `RefCell`); methods get `&mut T`.
//! Hosts pass objects in with [`Host`] and read them back with [`HostRef`].
//!
//! ```
//! use coro::{HostClass, Host, HostRef, Interpreter};
//! struct Counter { n: i64 }
//! let class = HostClass::<Counter>::new("Counter")
//!     .constructor(|start: i64| Ok(Counter { n: start }))
//!     .method("add", |c: &mut Counter, k: i64| { c.n += k; Ok(c.n) })
//!     .getter("n", |c: &Counter| Ok(c.n));
//! let mut interp = Interpreter::builder().class(class).build().unwrap();
//! interp.exec("c = Counter(10)\nc.add(5)\nm = c.n").unwrap();
//! assert_eq!(interp.get::<i64>("m").unwrap(), 15);
//! interp.set("d", Host(Counter { n: 1 })).unwrap();
//! interp.exec("d.add(1)").unwrap();
//! let d: HostRef<Counter> = interp.get("d").unwrap();
//! assert_eq!(d.borrow().n, 2);
//! ```

use std::any::TypeId;
use std::cell::{Ref, RefCell, RefMut};
use std::collections::HashMap;
use std::rc::Rc;

use super::convert::{Ctx, FromValue, IntoValue};
use super::error::Error;
use super::module::{IntoResult, Maker};
use crate::builtins::add_method;
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;

/// The payload of a host object.
struct HostCell<T>(RefCell<T>);

/// The classes of host types, by Rust type (per interpreter).
#[derive(Default)]
struct HostClasses(RefCell<HashMap<TypeId, Rc<Class>>>);

type MethodFn = Box<dyn Fn(&Vm, Value, Vec<Value>) -> PyResult<Value>>;

/// A Rust type `T` described as a script class.
pub struct HostClass<T> {
    pub(crate) name: String,
    methods: Vec<(String, MethodFn)>,
    getters: Vec<(String, MethodFn)>,
    setters: Vec<(String, MethodFn)>,
    constructor: Option<MethodFn>,
    _t: std::marker::PhantomData<fn() -> T>,
}

fn with_mut<T: 'static, R>(vm: &Vm, this: &Value, f: impl FnOnce(&mut T) -> R) -> PyResult<R> {
    let cell = cell_of::<T>(this).ok_or_else(|| Exc::type_error(format!("expected a host object, got {}", vm.type_name(this))))?;
    // A method that calls back into the script which calls a method of the same
    // object would need a second borrow: report it instead of panicking.
    let mut b = cell.0.try_borrow_mut().map_err(|_| Exc::runtime_error("host object is already in use"))?;
    Ok(f(&mut b))
}

fn cell_of<T: 'static>(v: &Value) -> Option<&HostCell<T>> {
    match v {
        Value::Instance(i) => i.native::<HostCell<T>>(),
        _ => None,
    }
}

/// A method closure: `Fn(&mut T, A, B, ...) -> Result<R, Error>`.
pub trait HostMethod<T, Marker>: 'static {
    const ARITY: usize;
    fn call(&self, vm: &Vm, this: Value, args: Vec<Value>) -> PyResult<Value>;
}

macro_rules! method_impl {
    ($n:expr; $($a:ident),*) => {
        impl<T: 'static, Func, Out, $($a: FromValue),*> HostMethod<T, ($($a,)*)> for Func
        where
            Func: Fn(&mut T, $($a),*) -> Out + 'static,
            Out: IntoResult,
        {
            const ARITY: usize = $n;
            #[allow(unused_variables, unused_mut, non_snake_case)]
            fn call(&self, vm: &Vm, this: Value, args: Vec<Value>) -> PyResult<Value> {
                let cx = Ctx::new(vm);
                let mut it = args.into_iter();
                $(let $a = $a::from_value(it.next().unwrap_or(Value::None), cx).map_err(|e| e.to_exc(vm))?;)*
                let out = with_mut::<T, _>(vm, &this, |t| (self)(t, $($a),*))?;
                out.into_result(cx).map_err(|e| e.to_exc(vm))
            }
        }
    };
}
method_impl!(0;);
method_impl!(1; A);
method_impl!(2; A, B);
method_impl!(3; A, B, C);
method_impl!(4; A, B, C, D);

impl<T: 'static> HostClass<T> {
    /// A class named `name` with no methods yet.
    pub fn new(name: &str) -> HostClass<T> {
        HostClass {
            name: name.to_string(),
            methods: vec![],
            getters: vec![],
            setters: vec![],
            constructor: None,
            _t: std::marker::PhantomData,
        }
    }

    /// A method; the closure receives `&mut T` then the converted arguments.
    pub fn method<F, M>(mut self, name: &str, f: F) -> Self
    where
        F: HostMethod<T, M>,
    {
        let n = name.to_string();
        self.methods.push((
            name.to_string(),
            Box::new(move |vm, this, args| {
                if args.len() > F::ARITY {
                    return Err(Exc::type_error(format!("{n}() takes {} arguments but {} were given", F::ARITY, args.len())));
                }
                f.call(vm, this, args)
            }),
        ));
        self
    }

    /// A read-only attribute (`obj.name`).
    pub fn getter<R: IntoValue>(mut self, name: &str, f: impl Fn(&T) -> Result<R, Error> + 'static) -> Self {
        self.getters.push((
            name.to_string(),
            Box::new(move |vm, this, _| {
                let r = with_mut::<T, _>(vm, &this, |t| f(t))?;
                r.and_then(|r| r.into_value(Ctx::new(vm))).map_err(|e| e.to_exc(vm))
            }),
        ));
        self
    }

    /// A writable attribute (`obj.name = v`); pair it with [`HostClass::getter`].
    pub fn setter<A: FromValue>(mut self, name: &str, f: impl Fn(&mut T, A) -> Result<(), Error> + 'static) -> Self {
        self.setters.push((
            name.to_string(),
            Box::new(move |vm, this, args| {
                let v = args.into_iter().next().unwrap_or(Value::None);
                let a = A::from_value(v, Ctx::new(vm)).map_err(|e| e.to_exc(vm))?;
                with_mut::<T, _>(vm, &this, |t| f(t, a))?.map_err(|e| e.to_exc(vm))?;
                Ok(Value::None)
            }),
        ));
        self
    }

    /// Let scripts create objects: `Name(args...)` calls `f`.
    pub fn constructor<F, M>(mut self, f: F) -> Self
    where
        F: super::convert::HostFn<M, Output = Result<T, Error>>,
    {
        let name = self.name.clone();
        self.constructor = Some(Box::new(move |vm, cls, args| {
            let site = super::convert::CallSite { func: &name, params: None };
            let t = f.call_with(args, Ctx::new(vm), &site).and_then(|r| r).map_err(|e| e.to_exc(vm))?;
            let Value::Class(c) = cls else { return Err(Exc::type_error("not a class")) };
            Ok(wrap_in(c, t))
        }));
        self
    }

    /// Create the class in `vm` (and remember it for [`Host`] conversions).
    pub(crate) fn build(self, vm: &Vm) -> Value {
        let cls = make_class(&self.name, vec![vm.types.object.clone()], BaseKind::Native, None);
        *cls.module.borrow_mut() = "host".into();
        let name = self.name.clone();
        match self.constructor {
            Some(ctor) => add_method(vm, &cls, "__new__", move |vm, args: Args| {
                if !args.kw.is_empty() {
                    return Err(Exc::type_error(format!("{name}() takes no keyword arguments")));
                }
                let mut pos: Vec<Value> = args.pos.into_iter().collect();
                let cls = if pos.is_empty() { Value::None } else { pos.remove(0) };
                ctor(vm, cls, pos)
            }),
            None => add_method(vm, &cls, "__new__", move |_vm, _args: Args| {
                Err(Exc::type_error(format!("cannot create '{name}' instances")))
            }),
        }
        add_method(vm, &cls, "__init__", |_vm, _args: Args| Ok(Value::None));
        for (n, m) in self.methods {
            let name = n.clone();
            add_method(vm, &cls, &n, move |vm, args: Args| {
                // Methods bind positionally; dropping keywords silently would pass None.
                if !args.kw.is_empty() {
                    return Err(Exc::type_error(format!("{name}() takes no keyword arguments")));
                }
                let mut pos: Vec<Value> = args.pos.into_iter().collect();
                if pos.is_empty() {
                    return Err(Exc::type_error("method needs self"));
                }
                let this = pos.remove(0);
                m(vm, this, pos)
            });
        }
        let mut setters: HashMap<String, MethodFn> = self.setters.into_iter().collect();
        for (n, g) in self.getters {
            let getter = crate::runtime::function::BuiltinFunction::new(&n, move |vm, args: Args| {
                let this = args.pos.first().cloned().unwrap_or(Value::None);
                g(vm, this, vec![])
            });
            let setter = match setters.remove(&n) {
                Some(s) => crate::runtime::function::BuiltinFunction::new(&n, move |vm, args: Args| {
                    let mut pos: Vec<Value> = args.pos.into_iter().collect();
                    if pos.len() != 2 {
                        return Err(Exc::type_error("setter takes one value"));
                    }
                    let this = pos.remove(0);
                    s(vm, this, pos)
                }),
                None => Value::None,
            };
            let prop = crate::builtins::object::make_property(vm, getter, setter, Value::None, Value::None);
            cls.set_attr(vm.intern(&n), prop);
        }
        let classes = match vm.extension::<HostClasses>() {
            Some(c) => c,
            None => {
                let c = Rc::new(HostClasses::default());
                vm.set_extension(c.clone());
                c
            }
        };
        classes.0.borrow_mut().insert(TypeId::of::<T>(), cls.clone());
        Value::Class(cls)
    }

    /// Add this class to the interpreter's globals or a module (see the builder).
    pub(crate) fn into_maker(self) -> Maker {
        Box::new(move |vm: &Vm| Ok(self.build(vm)))
    }
}

fn wrap_in<T: 'static>(cls: Rc<Class>, t: T) -> Value {
    Value::Instance(Instance::new(cls, Payload::Native(Box::new(HostCell(RefCell::new(t))))))
}

/// Pass a Rust value to a script as an instance of its registered [`HostClass`].
pub struct Host<T>(pub T);

impl<T: 'static> IntoValue for Host<T> {
    fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error> {
        let cls = cx
            .vm
            .extension::<HostClasses>()
            .and_then(|c| c.0.borrow().get(&TypeId::of::<T>()).cloned())
            .ok_or_else(|| Error::conversion(format!("no HostClass registered for {}", std::any::type_name::<T>())))?;
        Ok(wrap_in(cls, self.0))
    }
}

/// A script's host object, read from Rust (`interp.get::<HostRef<T>>("x")`, or as a
/// host function argument).
pub struct HostRef<T> {
    value: Value,
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<T: 'static> HostRef<T> {
    fn cell(&self) -> &HostCell<T> {
        // The constructor checked the payload type, and `value` never changes.
        match &self.value {
            Value::Instance(i) => match i.native::<HostCell<T>>() {
                Some(c) => c,
                None => unreachable!("HostRef holds a checked host object"),
            },
            _ => unreachable!("HostRef holds a checked host object"),
        }
    }
    /// Borrow the Rust value (panics if a method of it is running, as `RefCell` does).
    pub fn borrow(&self) -> Ref<'_, T> {
        self.cell().0.borrow()
    }
    /// Borrow the Rust value mutably.
    pub fn borrow_mut(&self) -> RefMut<'_, T> {
        self.cell().0.borrow_mut()
    }
    /// The Python object.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

impl<T: 'static> FromValue for HostRef<T> {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        if cell_of::<T>(&v).is_none() {
            return Err(Error::new("TypeError", format!("expected a {} object, got {}", std::any::type_name::<T>(), cx.type_name(&v))));
        }
        Ok(HostRef { value: v, _t: std::marker::PhantomData })
    }
}

impl<T: 'static> IntoValue for HostRef<T> {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(self.value)
    }
}

