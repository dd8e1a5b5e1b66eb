//! Async generators: `asend`, `athrow`, `aclose`, `__anext__`.
//!
//! An async generator's body yields two kinds of things up the same channel: futures
//! it awaits (which must reach the task) and the values of its `yield` expressions
//! (which complete the pending `__anext__()`). As in CPython, the latter are wrapped
//! in a marker object; the awaitable returned by `asend` unwraps them and forwards
//! everything else to its own driver.

use std::rc::Rc;

use super::{add_getter, add_method};
use crate::eval::suspend::GenStep;
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::exception::ExcKind;
use crate::runtime::generator::{BodyFuture, GenKind, GenState, Generator};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::{Resume, Vm};

/// The marker around a value yielded by an async generator's `yield`.
pub struct AsyncGenValue(pub Value);

struct MarkerClass(Rc<Class>);

fn marker_class(vm: &Vm) -> Rc<Class> {
    if let Some(c) = vm.extension::<MarkerClass>() {
        return c.0.clone();
    }
    let c = crate::vm::types::make_class("async_generator_wrapped_value", vec![vm.types.object.clone()], BaseKind::Native, None);
    vm.set_extension(Rc::new(MarkerClass(c.clone())));
    c
}

/// Wrap a value yielded by an async generator body.
pub fn wrap(vm: &Vm, v: Value) -> Value {
    Value::Instance(Instance::new(marker_class(vm), Payload::Native(Box::new(AsyncGenValue(v)))))
}

fn unwrap(v: &Value) -> Option<Value> {
    match v {
        Value::Instance(i) => i.native::<AsyncGenValue>().map(|w| w.0.clone()),
        _ => None,
    }
}

fn agen_of(v: &Value) -> PyResult<Rc<Generator>> {
    match v {
        Value::Generator(g) if g.kind == GenKind::AsyncGenerator => Ok(g.clone()),
        _ => Err(Exc::type_error("descriptor requires an 'async_generator' object")),
    }
}

/// What an `asend`/`athrow`/`aclose` awaitable does first.
enum Start {
    Send(Value),
    Throw(Exc),
    Close,
}

/// Register an async generator with the running loop on first use, so
/// `asyncio.run` can finalise it at shutdown.
fn first_iter(vm: &Vm, g: &Rc<Generator>) {
    if g.started.get() {
        return;
    }
    if let Some(l) = vm.running_loop.borrow().as_ref() {
        l.asyncgens.borrow_mut().push(Value::Generator(g.clone()));
    }
}

fn awaitable(vm: &Vm, g: Rc<Generator>, start: Start, name: &str) -> Value {
    let rc = vm.rc();
    first_iter(vm, &g);
    let body: BodyFuture = Box::pin(async move {
        let vm = &*rc;
        if g.running_async.get() {
            return Err(Exc::runtime_error(match start {
                Start::Close => "aclose(): asynchronous generator is already running",
                Start::Throw(_) => "athrow(): asynchronous generator is already running",
                Start::Send(_) => "anext(): asynchronous generator is already running",
            }));
        }
        let closing = matches!(start, Start::Close);
        if closing && matches!(&*g.state.borrow(), GenState::Created(_) | GenState::Closed) {
            *g.state.borrow_mut() = GenState::Closed;
            return Ok(Value::None);
        }
        if matches!(&*g.state.borrow(), GenState::Closed) {
            return match start {
                Start::Throw(e) => Err(e),
                _ => Err(Exc::with_args(ExcKind::StopAsyncIteration, vec![])),
            };
        }
        let mut resume = match start {
            Start::Send(v) => Resume::Send(v),
            Start::Throw(e) => Resume::Throw(e),
            Start::Close => Resume::Throw(Exc::with_args(ExcKind::GeneratorExit, vec![])),
        };
        g.running_async.set(true);
        let out = loop {
            let step = vm.resume(&g, resume);
            match step {
                Ok(GenStep::Yielded(y)) => match unwrap(&y) {
                    Some(v) => {
                        if closing {
                            break Err(Exc::runtime_error("async generator ignored GeneratorExit"));
                        }
                        break Ok(v);
                    }
                    None => {
                        g.running_async.set(false);
                        resume = vm.raw_yield(y).await;
                        g.running_async.set(true);
                    }
                },
                Ok(GenStep::Returned(_)) => {
                    break if closing { Ok(Value::None) } else { Err(Exc::with_args(ExcKind::StopAsyncIteration, vec![])) };
                }
                Err(e) => {
                    if closing && (vm.exc_is(&e, ExcKind::GeneratorExit) || vm.exc_is(&e, ExcKind::StopAsyncIteration)) {
                        break Ok(Value::None);
                    }
                    break Err(e);
                }
            }
        };
        g.running_async.set(false);
        out
    });
    vm.new_generator(GenKind::Coroutine, vm.intern(name), format!("async_generator_{name}").into(), body)
}

pub fn install(vm: &Vm) {
    let cls = vm.types.async_generator.clone();
    add_method(vm, &cls, "__aiter__", |_vm, args: Args| Ok(args.pos.first().cloned().unwrap_or(Value::None)));
    add_method(vm, &cls, "__anext__", |vm, args: Args| {
        let [g] = args.exact::<1>("__anext__")?;
        Ok(awaitable(vm, agen_of(&g)?, Start::Send(Value::None), "asend"))
    });
    add_method(vm, &cls, "asend", |vm, args: Args| {
        let [g, v] = args.exact::<2>("asend")?;
        let gen = agen_of(&g)?;
        if !v.is_none() && matches!(&*gen.state.borrow(), GenState::Created(_)) {
            return Err(Exc::type_error("can't send non-None value to a just-started async generator"));
        }
        Ok(awaitable(vm, gen, Start::Send(v), "asend"))
    });
    add_method(vm, &cls, "athrow", |vm, args: Args| {
        let g = agen_of(args.pos.first().unwrap_or(&Value::None))?;
        let e = super::generator::throw_exc(vm, &args.pos[1..])?;
        Ok(awaitable(vm, g, Start::Throw(e), "athrow"))
    });
    add_method(vm, &cls, "aclose", |vm, args: Args| {
        let [g] = args.exact::<1>("aclose")?;
        Ok(awaitable(vm, agen_of(&g)?, Start::Close, "aclose"))
    });
    add_getter(vm, &cls, "ag_running", |_vm, args: Args| {
        let [g] = args.exact::<1>("ag_running")?;
        Ok(Value::Bool(agen_of(&g)?.running_async.get()))
    });
    add_getter(vm, &cls, "ag_frame", |_vm, args: Args| {
        let [g] = args.exact::<1>("ag_frame")?;
        Ok(if matches!(&*agen_of(&g)?.state.borrow(), GenState::Closed) { Value::None } else { Value::Bool(true) })
    });
    marker_class(vm);
}

/// `aiter(x)` / `anext(it[, default])` builtins.
pub fn install_builtins(vm: &Vm) {
    let g = &vm.builtins;
    super::add_fn(vm, g, "aiter", |vm, args: Args| {
        let [v] = args.exact::<1>("aiter")?;
        vm.aiter(&v)
    });
    super::add_fn(vm, g, "anext", |vm, args: Args| {
        args.no_kw("anext")?;
        let it = args.pos.first().cloned().ok_or_else(|| Exc::type_error("anext expected at least 1 argument, got 0"))?;
        let cls = vm.type_of(&it);
        let m = cls
            .lookup("__anext__")
            .ok_or_else(|| Exc::type_error(format!("'{}' object is not an async iterator", cls.name)))?;
        let m = vm.bind_descriptor(m, &it)?;
        let aw = vm.call(&m, Args::empty())?;
        let Some(default) = args.pos.get(1).cloned() else { return Ok(aw) };
        let rc = vm.rc();
        let body: BodyFuture = Box::pin(async move {
            match rc.await_value(aw).await {
                Err(e) if rc.exc_is(&e, ExcKind::StopAsyncIteration) => Ok(default),
                other => other,
            }
        });
        Ok(vm.new_generator(GenKind::Coroutine, vm.intern("anext"), "anext_awaitable".into(), body))
    });
}
