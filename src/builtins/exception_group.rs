//! `BaseExceptionGroup` / `ExceptionGroup`, and the splitting `except*` uses.

use std::rc::Rc;

use super::{add_getter, add_method};
use crate::runtime::class::{Class, Instance, Payload};
use crate::runtime::exception::{ExcKind, ExcPayload};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

/// (message, sub-exceptions) of a group instance.
pub fn group_parts(v: &Value) -> Option<(Value, Vec<Value>)> {
    let Value::Instance(i) = v else { return None };
    let p = i.exception()?;
    let args = p.args.borrow();
    match (args.first(), args.get(1)) {
        (Some(m), Some(Value::Tuple(t))) => Some((m.clone(), t.to_vec())),
        (Some(m), Some(Value::List(l))) => Some((m.clone(), l.borrow().clone())),
        _ => None,
    }
}

pub fn is_group(vm: &Vm, v: &Value) -> bool {
    vm.is_instance_of(v, vm.types.exception(ExcKind::BaseExceptionGroup))
}

/// A new group of the same class as `like` (CPython's `derive`), keeping its message.
pub fn derive(vm: &Vm, like: &Value, excs: Vec<Value>) -> PyResult<Value> {
    let (msg, _) = group_parts(like).unwrap_or((Value::str(""), vec![]));
    new_group(vm, msg, excs)
}

/// `BaseExceptionGroup(msg, excs)`: an `ExceptionGroup` when every member is an Exception.
pub fn new_group(vm: &Vm, msg: Value, excs: Vec<Value>) -> PyResult<Value> {
    let all_exceptions = excs.iter().all(|e| vm.is_instance_of(e, vm.types.exception(ExcKind::Exception)));
    let cls = if all_exceptions {
        vm.types.exception(ExcKind::ExceptionGroup).clone()
    } else {
        vm.types.exception(ExcKind::BaseExceptionGroup).clone()
    };
    Ok(make(&cls, msg, excs))
}

fn make(cls: &Rc<Class>, msg: Value, excs: Vec<Value>) -> Value {
    let p = ExcPayload::default();
    *p.args.borrow_mut() = vec![msg, Value::tuple(excs)];
    Value::Instance(Instance::new(cls.clone(), Payload::Exception(p)))
}

/// Split a group by a predicate on leaf exceptions: (matching, rest), keeping nesting.
pub fn split(vm: &Vm, eg: &Value, pred: &dyn Fn(&Value) -> PyResult<bool>) -> PyResult<(Option<Value>, Option<Value>)> {
    if pred(eg)? {
        return Ok((Some(eg.clone()), None));
    }
    let Some((_, excs)) = group_parts(eg) else {
        return Ok((None, Some(eg.clone())));
    };
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for e in excs {
        if is_group(vm, &e) {
            let (m, r) = split(vm, &e, pred)?;
            yes.extend(m);
            no.extend(r);
        } else if pred(&e)? {
            yes.push(e);
        } else {
            no.push(e);
        }
    }
    let m = if yes.is_empty() { None } else { Some(derive(vm, eg, yes)?) };
    let r = if no.is_empty() { None } else { Some(derive(vm, eg, no)?) };
    Ok((m, r))
}

fn matcher<'a>(vm: &'a Vm, spec: &'a Value) -> impl Fn(&Value) -> PyResult<bool> + 'a {
    move |e: &Value| match spec {
        Value::Class(_) | Value::Tuple(_) => super::functions::isinstance(vm, e, spec),
        f => {
            let r = vm.call1(f, e.clone())?;
            vm.truthy(&r)
        }
    }
}

pub fn install(vm: &Vm) {
    let base = vm.types.exception(ExcKind::BaseExceptionGroup).clone();
    add_method(vm, &base, "__new__", |vm, args: Args| {
        let mut pos = args.pos.into_iter();
        let Some(Value::Class(cls)) = pos.next() else { return Err(Exc::type_error("__new__ requires a type")) };
        let (Some(msg), Some(excs)) = (pos.next(), pos.next()) else {
            return Err(Exc::type_error("BaseExceptionGroup.__new__() takes exactly 2 arguments"));
        };
        if !matches!(msg, Value::Str(_)) {
            return Err(Exc::type_error("argument 1 must be str, not ".to_string() + &vm.type_name(&msg)));
        }
        let excs = vm.collect(&excs).map_err(|_| Exc::type_error("second argument (exceptions) must be a sequence"))?;
        if excs.is_empty() {
            return Err(Exc::value_error("second argument (exceptions) must be a non-empty sequence"));
        }
        for (i, e) in excs.iter().enumerate() {
            if !vm.is_instance_of(e, vm.types.exception(ExcKind::BaseException)) {
                return Err(Exc::value_error(format!("Item {i} of second argument (exceptions) is not an exception")));
            }
        }
        let all_exceptions = excs.iter().all(|e| vm.is_instance_of(e, vm.types.exception(ExcKind::Exception)));
        let is_base = Rc::ptr_eq(&cls, vm.types.exception(ExcKind::BaseExceptionGroup));
        let eg = vm.types.exception(ExcKind::ExceptionGroup);
        if cls.is_subclass(eg) && !all_exceptions {
            return Err(Exc::type_error("Cannot nest BaseExceptions in an ExceptionGroup"));
        }
        let cls: Rc<Class> = if is_base && all_exceptions { eg.clone() } else { cls };
        Ok(make(&cls, msg, excs))
    });
    add_method(vm, &base, "__init__", |_vm, _args: Args| Ok(Value::None));
    add_getter(vm, &base, "message", |_vm, args: Args| Ok(group_parts(&args.pos[0]).map(|p| p.0).unwrap_or(Value::None)));
    add_getter(vm, &base, "exceptions", |_vm, args: Args| {
        Ok(group_parts(&args.pos[0]).map(|p| Value::tuple(p.1)).unwrap_or(Value::tuple(vec![])))
    });
    add_method(vm, &base, "__str__", |vm, args: Args| {
        let [e] = args.exact::<1>("__str__")?;
        let (msg, excs) = group_parts(&e).unwrap_or((Value::str(""), vec![]));
        let n = excs.len();
        Ok(Value::string(format!(
            "{} ({} sub-exception{})",
            vm.to_str(&msg)?.as_str(),
            n,
            if n == 1 { "" } else { "s" }
        )))
    });
    add_method(vm, &base, "__repr__", |vm, args: Args| {
        let [e] = args.exact::<1>("__repr__")?;
        let (msg, excs) = group_parts(&e).unwrap_or((Value::str(""), vec![]));
        Ok(Value::string(format!("{}({}, {})", vm.type_name(&e), vm.repr(&msg)?, vm.repr(&Value::list(excs))?)))
    });
    add_method(vm, &base, "split", |vm, args: Args| {
        let [e, spec] = args.exact::<2>("split")?;
        let pred = matcher(vm, &spec);
        let (m, r) = split(vm, &e, &pred)?;
        Ok(Value::tuple(vec![m.unwrap_or(Value::None), r.unwrap_or(Value::None)]))
    });
    add_method(vm, &base, "subgroup", |vm, args: Args| {
        let [e, spec] = args.exact::<2>("subgroup")?;
        let pred = matcher(vm, &spec);
        let (m, _) = split(vm, &e, &pred)?;
        Ok(m.unwrap_or(Value::None))
    });
    add_method(vm, &base, "derive", |vm, args: Args| {
        let [e, excs] = args.exact::<2>("derive")?;
        let excs = vm.collect(&excs)?;
        derive(vm, &e, excs)
    });
}
