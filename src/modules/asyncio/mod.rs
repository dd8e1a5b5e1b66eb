//! asyncio. As in CPython, a native core (`_asyncio`: futures, tasks, the loop,
//! `sleep`, `gather`, `run`) under a module written in the language itself
//! (`asyncio.coro`: timeouts, task groups, `wait`, `wait_for`, `shield`,
//! `as_completed`), which composes the core and so inherits its exact ordering.

pub mod events;
pub mod futures;
pub mod locks;
pub mod queues;
pub mod tasks;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::builtins::{add_fn, set_value};
use crate::event_loop::{Callback, EventLoop};
use crate::runtime::class::{BaseKind, Class};
use crate::runtime::exception::ExcKind;
use crate::runtime::generator::{BodyFuture, GenKind};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;
use futures::{core, FutureKind};

/// The asyncio classes of one interpreter.
pub struct AsyncioClasses {
    pub future: Rc<Class>,
    pub task: Rc<Class>,
    pub event_loop: Rc<Class>,
    pub handle: Rc<Class>,
    task_counter: Cell<u64>,
}

pub fn classes(vm: &Vm) -> Rc<AsyncioClasses> {
    if let Some(c) = vm.extension::<AsyncioClasses>() {
        return c;
    }
    let object = vm.types.object.clone();
    let future = make_class("Future", vec![object.clone()], BaseKind::Native, None);
    *future.module.borrow_mut() = "asyncio".into();
    let task = make_class("Task", vec![future.clone()], BaseKind::Native, None);
    *task.module.borrow_mut() = "asyncio".into();
    let event_loop = make_class("_UnixSelectorEventLoop", vec![object.clone()], BaseKind::Native, None);
    *event_loop.module.borrow_mut() = "asyncio".into();
    let handle = make_class("TimerHandle", vec![object], BaseKind::Native, None);
    *handle.module.borrow_mut() = "asyncio".into();
    let c = Rc::new(AsyncioClasses { future, task, event_loop, handle, task_counter: Cell::new(0) });
    futures::install_methods(vm, &c.future);
    tasks::install_methods(vm, &c.task);
    events::install_methods(vm, &c.event_loop, &c.handle);
    vm.set_extension(c.clone());
    install_await_hook(vm);
    c
}

pub fn next_task_number(vm: &Vm) -> u64 {
    let c = classes(vm);
    let n = c.task_counter.get() + 1;
    c.task_counter.set(n);
    n
}

/// `await fut` for native futures and tasks.
fn install_await_hook(vm: &Vm) {
    let hook: crate::vm::NativeAwaitHook = Rc::new(|vm: &Vm, v: &Value| {
        if futures::is_future(v) {
            let fut = v.clone();
            Some(Box::pin(futures::await_future(vm, fut)) as crate::eval::generator::NativeAwait<'_>)
        } else {
            None
        }
    });
    *vm.native_await.borrow_mut() = Some(hook);
}

/// The running loop, or RuntimeError("no running event loop").
pub fn running_loop(vm: &Vm) -> PyResult<Rc<EventLoop>> {
    vm.running_loop.borrow().clone().ok_or_else(|| Exc::runtime_error("no running event loop"))
}

/// The loop `get_event_loop()` returns: the running one, else the current one (made
/// on first use, as CPython's default policy does in the main thread).
pub fn current_loop(vm: &Vm) -> PyResult<Rc<EventLoop>> {
    if let Some(l) = vm.running_loop.borrow().clone() {
        return Ok(l);
    }
    if let Some(l) = vm.event_loop.borrow().clone() {
        if !l.closed.get() {
            return Ok(l);
        }
    }
    let l = events::new_loop(vm)?;
    *vm.event_loop.borrow_mut() = Some(l.clone());
    Ok(l)
}

/// A coroutine object whose body is Rust code (`asyncio.sleep(1)` is a real coroutine).
pub fn native_coroutine(vm: &Vm, name: &str, body: BodyFuture) -> Value {
    vm.new_generator(GenKind::Coroutine, vm.intern(name), name.into(), body)
}

/// `ensure_future(x)`: futures as they are, coroutines wrapped in tasks, awaitables
/// through a wrapper coroutine.
pub fn ensure_future(vm: &Vm, v: Value, event_loop: Option<Rc<EventLoop>>) -> PyResult<Value> {
    if futures::is_future(&v) {
        return Ok(v);
    }
    let l = match event_loop {
        Some(l) => l,
        None => current_loop(vm)?,
    };
    if tasks::is_coroutine(&v) {
        return tasks::create_task(vm, &l, v, None);
    }
    if vm.type_of(&v).lookup("__await__").is_some() {
        let rc = vm.rc();
        let aw = v.clone();
        let body: BodyFuture = Box::pin(async move { rc.await_value(aw).await });
        let coro = native_coroutine(vm, "_wrap_awaitable", body);
        return tasks::create_task(vm, &l, coro, None);
    }
    Err(Exc::type_error("An asyncio.Future, a coroutine or an awaitable is required"))
}

/// `asyncio.sleep(delay, result=None)`.
fn sleep(vm: &Vm, delay: f64, result: Value) -> PyResult<Value> {
    let rc = vm.rc();
    let body: BodyFuture = Box::pin(async move {
        let vm = &*rc;
        if delay <= 0.0 {
            // A bare yield: the task goes to the back of the ready queue.
            vm.raw_yield_result(Value::None).await?;
            return Ok(result);
        }
        let l = running_loop(vm)?;
        let fut = futures::new_future(vm, l.clone());
        let target = fut.clone();
        let res = result.clone();
        let cb: crate::event_loop::NativeCallback = Rc::new(move |vm: &Vm, _arg: Value| {
            if let Some(c) = core(&target) {
                if !c.done() {
                    futures::set_result(vm, &target, res.clone())?;
                }
            }
            Ok(())
        });
        let h = l.call_at(vm.clock.now() + delay, Callback::Native(cb), None);
        let r = futures::await_future(vm, fut).await;
        h.cancel();
        r
    });
    Ok(native_coroutine(vm, "sleep", body))
}

/// `asyncio.gather(*aws, return_exceptions=False)`.
fn gather(vm: &Vm, aws: Vec<Value>, return_exceptions: bool) -> PyResult<Value> {
    if aws.is_empty() {
        let l = current_loop(vm)?;
        let outer = futures::new_future(vm, l);
        futures::set_result(vm, &outer, Value::list(vec![]))?;
        return Ok(outer);
    }
    struct State {
        nfinished: usize,
        nfuts: usize,
        outer: Option<Value>,
        children: Vec<Value>,
    }
    let state = Rc::new(RefCell::new(State { nfinished: 0, nfuts: 0, outer: None, children: vec![] }));
    let st = state.clone();
    let done_cb: crate::event_loop::NativeCallback = Rc::new(move |vm: &Vm, fut: Value| {
        let (outer, all_done) = {
            let mut s = st.borrow_mut();
            s.nfinished += 1;
            (s.outer.clone(), s.nfinished == s.nfuts)
        };
        let Some(outer) = outer else { return Ok(()) };
        let oc = core(&outer).ok_or_else(|| Exc::runtime_error("gather: lost outer future"))?;
        let fc = core(&fut).ok_or_else(|| Exc::runtime_error("gather: lost child future"))?;
        if oc.done() {
            if !fc.is_cancelled() {
                let _ = futures::exception(vm, &fut);
            }
            return Ok(());
        }
        if !return_exceptions {
            if fc.is_cancelled() {
                let e = futures::make_cancelled_error(vm, fc);
                futures::set_exception_exc(vm, &outer, e)?;
                return Ok(());
            }
            let e = futures::exception(vm, &fut)?;
            if !e.is_none() {
                futures::set_exception(vm, &outer, e)?;
                return Ok(());
            }
        }
        if all_done {
            // Only the last completion needs the children (cloning them on every
            // completion made gathering n tasks quadratic).
            let children = st.borrow().children.clone();
            let mut results = Vec::with_capacity(children.len());
            for ch in &children {
                let cc = core(ch).ok_or_else(|| Exc::runtime_error("gather: lost child future"))?;
                if cc.is_cancelled() {
                    let msg = cc.cancel_message.borrow().clone();
                    let args = if msg.is_none() { vec![Value::str("")] } else { vec![msg] };
                    let mut e = Exc::with_args(ExcKind::CancelledError, args);
                    results.push(Value::Instance(vm.materialize(&mut e)));
                } else {
                    let e = futures::exception(vm, ch)?;
                    results.push(if e.is_none() { futures::result(vm, ch)? } else { e });
                }
            }
            let cancel_requested = matches!(&oc.kind, FutureKind::Gathering { cancel_requested, .. } if cancel_requested.get());
            if cancel_requested {
                let e = futures::make_cancelled_error(vm, fc);
                futures::set_exception_exc(vm, &outer, e)?;
            } else {
                futures::set_result(vm, &outer, Value::list(results))?;
            }
        }
        Ok(())
    });
    let mut children = Vec::new();
    // The same awaitable passed twice is awaited once (CPython keys a dict by it).
    let mut seen: std::collections::HashMap<usize, Value> = std::collections::HashMap::new();
    let mut event_loop: Option<Rc<EventLoop>> = None;
    for arg in aws {
        if let Some(f) = seen.get(&arg.identity()) {
            children.push(f.clone());
            continue;
        }
        let fut = ensure_future(vm, arg.clone(), event_loop.clone())?;
        if event_loop.is_none() {
            event_loop = core(&fut).map(|c| c.event_loop.clone());
        }
        state.borrow_mut().nfuts += 1;
        futures::add_done_callback(&fut, Callback::Native(done_cb.clone()))?;
        seen.insert(arg.identity(), fut.clone());
        children.push(fut);
    }
    let l = match event_loop {
        Some(l) => l,
        None => current_loop(vm)?,
    };
    let outer = futures::new_future_with(
        classes(vm).future.clone(),
        l,
        FutureKind::Gathering { children: children.clone(), cancel_requested: Cell::new(false) },
    );
    {
        let mut s = state.borrow_mut();
        s.outer = Some(outer.clone());
        s.children = children;
    }
    Ok(outer)
}

fn current_task(vm: &Vm) -> Value {
    vm.running_loop.borrow().as_ref().and_then(|l| l.current_task.borrow().clone()).unwrap_or(Value::None)
}

/// Create the `_asyncio` module (the native core).
pub fn create_native(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "_asyncio");
    let g = &m.globals;
    let c = classes(vm);
    set_value(vm, g, "Future", Value::Class(c.future.clone()));
    set_value(vm, g, "Task", Value::Class(c.task.clone()));
    set_value(vm, g, "AbstractEventLoop", Value::Class(c.event_loop.clone()));
    set_value(vm, g, "TimerHandle", Value::Class(c.handle.clone()));
    set_value(vm, g, "Handle", Value::Class(c.handle.clone()));
    let lc = locks::classes(vm);
    for cls in [&lc.lock, &lc.event, &lc.condition, &lc.semaphore, &lc.bounded_semaphore] {
        set_value(vm, g, &cls.name.clone(), Value::Class(cls.clone()));
    }
    let qc = queues::classes(vm);
    for cls in [&qc.queue, &qc.priority, &qc.lifo] {
        set_value(vm, g, &cls.name.clone(), Value::Class(cls.clone()));
    }
    for k in [ExcKind::CancelledError, ExcKind::InvalidStateError, ExcKind::QueueEmpty, ExcKind::QueueFull] {
        let cls = vm.types.exception(k).clone();
        set_value(vm, g, &cls.name.clone(), Value::Class(cls));
    }
    set_value(vm, g, "TimeoutError", Value::Class(vm.types.exception(ExcKind::TimeoutError).clone()));
    add_fn(vm, g, "sleep", |vm, args: Args| {
        let [delay, result] = args.bind("sleep", ["delay", "result"], 1)?;
        let d = crate::builtins::constructors::to_float(vm, &delay.unwrap_or(Value::Int(0)))?;
        sleep(vm, d, result.unwrap_or(Value::None))
    });
    add_fn(vm, g, "create_task", |vm, mut args: Args| {
        let name = args.take_kw("name");
        args.take_kw("context");
        let [coro] = args.exact::<1>("create_task")?;
        let l = running_loop(vm)?;
        let name = match name {
            Some(n) if !n.is_none() => Some(vm.to_str(&n)?.as_str().to_string()),
            _ => None,
        };
        tasks::create_task(vm, &l, coro, name)
    });
    add_fn(vm, g, "ensure_future", |vm, mut args: Args| {
        let l = args.take_kw("loop");
        let [v] = args.exact::<1>("ensure_future")?;
        let l = match l {
            Some(lv) if !lv.is_none() => Some(events::loop_of(&lv)?),
            _ => None,
        };
        ensure_future(vm, v, l)
    });
    add_fn(vm, g, "gather", |vm, mut args: Args| {
        let re = match args.take_kw("return_exceptions") {
            Some(v) => vm.truthy(&v)?,
            None => false,
        };
        args.no_kw("gather")?;
        gather(vm, args.pos.into_iter().collect(), re)
    });
    add_fn(vm, g, "current_task", |vm, args: Args| {
        let [_l] = args.bind("current_task", ["loop"], 0)?;
        if vm.running_loop.borrow().is_none() {
            return Err(Exc::runtime_error("no running event loop"));
        }
        Ok(current_task(vm))
    });
    add_fn(vm, g, "all_tasks", |vm, args: Args| {
        let [_l] = args.bind("all_tasks", ["loop"], 0)?;
        let l = running_loop(vm)?;
        let live: Vec<Value> = l.tasks.borrow().iter().filter(|t| core(t).map(|c| !c.done()).unwrap_or(false)).cloned().collect();
        vm.new_set(live)
    });
    add_fn(vm, g, "get_running_loop", |vm, args: Args| {
        args.exact::<0>("get_running_loop")?;
        let l = running_loop(vm)?;
        Ok(events::loop_object(vm, &l))
    });
    add_fn(vm, g, "_get_running_loop", |vm, _args: Args| {
        Ok(match vm.running_loop.borrow().clone() {
            Some(l) => events::loop_object(vm, &l),
            None => Value::None,
        })
    });
    add_fn(vm, g, "get_event_loop", |vm, args: Args| {
        args.exact::<0>("get_event_loop")?;
        let l = current_loop(vm)?;
        Ok(events::loop_object(vm, &l))
    });
    add_fn(vm, g, "new_event_loop", |vm, args: Args| {
        args.exact::<0>("new_event_loop")?;
        let l = events::new_loop(vm)?;
        Ok(events::loop_object(vm, &l))
    });
    add_fn(vm, g, "set_event_loop", |vm, args: Args| {
        let [lv] = args.exact::<1>("set_event_loop")?;
        *vm.event_loop.borrow_mut() = if lv.is_none() { None } else { Some(events::loop_of(&lv)?) };
        Ok(Value::None)
    });
    add_fn(vm, g, "iscoroutine", |_vm, args: Args| {
        let [v] = args.exact::<1>("iscoroutine")?;
        Ok(Value::Bool(tasks::is_coroutine(&v)))
    });
    add_fn(vm, g, "_iscoroutinefunction", |_vm, args: Args| {
        let [f] = args.exact::<1>("iscoroutinefunction")?;
        let f = match &f {
            Value::BoundMethod(m) => m.func.clone(),
            other => other.clone(),
        };
        Ok(Value::Bool(matches!(&f, Value::Function(func) if func.def.is_async && !func.def.scope.is_generator)))
    });
    add_fn(vm, g, "isfuture", |_vm, args: Args| {
        let [v] = args.exact::<1>("isfuture")?;
        Ok(Value::Bool(futures::is_future(&v)))
    });
    add_fn(vm, g, "_release_waiter", |vm, args: Args| {
        let w = args.pos.first().cloned().unwrap_or(Value::None);
        if let Some(c) = core(&w) {
            if !c.done() {
                futures::set_result(vm, &w, Value::None)?;
            }
        }
        Ok(Value::None)
    });
    add_fn(vm, g, "_mark_legacy", |_vm, args: Args| {
        let [g] = args.exact::<1>("_mark_legacy")?;
        if let Value::Generator(gen) = &g {
            gen.legacy.set(true);
        }
        Ok(g)
    });
    add_fn(vm, g, "_warn_once", |vm, args: Args| {
        let [msg] = args.exact::<1>("_warn_once")?;
        let text = vm.to_str(&msg)?.as_str().to_string();
        if vm.warned.borrow_mut().insert(text.clone()) {
            vm.write_stderr(&format!("DeprecationWarning: {text}\n"));
        }
        Ok(Value::None)
    });
    add_fn(vm, g, "_submit", |vm, args: Args| {
        // `to_thread`: the default executor.
        crate::modules::threading::pool::submit_builtin(vm, Args { pos: std::iter::once(Value::None).chain(args.pos).collect(), kw: args.kw })
    });
    add_fn(vm, g, "run", |vm, mut args: Args| {
        let debug = args.take_kw("debug");
        let [main] = args.exact::<1>("run")?;
        events::run(vm, main, debug.map(|d| vm.truthy(&d)).transpose()?.unwrap_or(false))
    });
    Ok(m)
}

/// The `asyncio` module: the native core plus `asyncio.coro`.
pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    vm.import_module("_asyncio")?;
    crate::run::load_builtin_source(vm, "asyncio", include_str!("asyncio.coro"))
}
