//! Methods of generator and coroutine objects: `send`, `throw`, `close`, `__next__`.

use std::rc::Rc;

use super::{add_getter, add_method};
use crate::eval::suspend::GenStep;
use crate::runtime::generator::{GenState, Generator};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::{Resume, Vm};

fn gen_of(v: &Value) -> PyResult<Rc<Generator>> {
    match v {
        Value::Generator(g) => Ok(g.clone()),
        _ => Err(Exc::type_error("descriptor requires a generator object")),
    }
}

/// Resume, turning a return into StopIteration(value).
fn step(vm: &Vm, g: &Rc<Generator>, r: Resume) -> PyResult<Value> {
    match vm.resume(g, r)? {
        GenStep::Yielded(v) => Ok(v),
        GenStep::Returned(v) => Err(Exc::stop_iteration(v)),
    }
}

/// The exception for `gen.throw(typ[, val[, tb]])`.
pub fn throw_exc(vm: &Vm, args: &[Value]) -> PyResult<Exc> {
    let typ = args.first().cloned().unwrap_or(Value::None);
    let val = args.get(1).cloned().unwrap_or(Value::None);
    let inst = match (&typ, &val) {
        (Value::Class(c), Value::None) => vm.exception_instance(&Value::Class(c.clone()))?,
        (Value::Class(c), v) if vm.is_instance_of(v, c) => vm.exception_instance(v)?,
        (Value::Class(c), v) => match vm.instantiate(c, Args::one(v.clone()))? {
            Value::Instance(i) => i,
            _ => return Err(Exc::type_error("exceptions must derive from BaseException")),
        },
        (Value::Instance(_), Value::None) => vm.exception_instance(&typ)?,
        (Value::Instance(_), _) => return Err(Exc::type_error("instance exception may not have a separate value")),
        _ => {
            return Err(Exc::type_error(format!(
                "exceptions must be classes or instances deriving from BaseException, not {}",
                vm.type_name(&typ)
            )))
        }
    };
    let mut e = Exc::from_object(inst.clone());
    if let Some(p) = inst.exception() {
        e.0.traceback = p.traceback.borrow().clone();
    }
    Ok(e)
}

pub fn install(vm: &Vm) {
    for cls in [vm.types.generator.clone(), vm.types.coroutine.clone()] {
        add_method(vm, &cls, "send", |vm, args: Args| {
            let [g, v] = args.exact::<2>("send")?;
            step(vm, &gen_of(&g)?, Resume::Send(v))
        });
        add_method(vm, &cls, "throw", |vm, args: Args| {
            let g = gen_of(args.pos.first().unwrap_or(&Value::None))?;
            let e = throw_exc(vm, &args.pos[1..])?;
            step(vm, &g, Resume::Throw(e))
        });
        add_method(vm, &cls, "close", |vm, args: Args| {
            let [g] = args.exact::<1>("close")?;
            vm.generator_close(&gen_of(&g)?)?;
            Ok(Value::None)
        });
        let running = |_vm: &Vm, args: Args| -> PyResult<Value> {
            let [g] = args.exact::<1>("running")?;
            Ok(Value::Bool(matches!(&*gen_of(&g)?.state.borrow(), GenState::Running)))
        };
        let suspended = |_vm: &Vm, args: Args| -> PyResult<Value> {
            let [g] = args.exact::<1>("suspended")?;
            Ok(Value::Bool(matches!(&*gen_of(&g)?.state.borrow(), GenState::Suspended(_))))
        };
        let frame = |_vm: &Vm, args: Args| -> PyResult<Value> {
            let [g] = args.exact::<1>("frame")?;
            // No frame objects; `None` once finished, as CPython reports.
            Ok(if matches!(&*gen_of(&g)?.state.borrow(), GenState::Closed) { Value::None } else { Value::Bool(true) })
        };
        add_getter(vm, &cls, "gi_running", running);
        add_getter(vm, &cls, "cr_running", running);
        add_getter(vm, &cls, "gi_suspended", suspended);
        add_getter(vm, &cls, "cr_suspended", suspended);
        add_getter(vm, &cls, "gi_frame", frame);
        add_getter(vm, &cls, "cr_frame", frame);
        add_getter(vm, &cls, "cr_await", |_vm, args: Args| {
            let [g] = args.exact::<1>("cr_await")?;
            Ok(gen_of(&g)?.awaiting.borrow().clone().unwrap_or(Value::None))
        });
    }
    let gen = vm.types.generator.clone();
    add_method(vm, &gen, "__iter__", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None)));
    add_method(vm, &gen, "__next__", |vm, args: Args| {
        let [g] = args.exact::<1>("__next__")?;
        step(vm, &gen_of(&g)?, Resume::Send(Value::None))
    });
    add_method(vm, &vm.types.coroutine, "__await__", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None)));
}
