//! The Python-visible event loop object, `asyncio.run`, and the deadlock report.

use std::rc::Rc;

use super::futures::{self, core};
use super::tasks;
use crate::builtins::add_method;
use crate::event_loop::{Callback, EventLoop, Handle, Stall};
use crate::runtime::class::{Class, Instance, Payload};
use crate::runtime::exception::ExcKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

/// Payload of the loop object.
pub struct LoopObj(pub Rc<EventLoop>);

/// Payload of `Handle`/`TimerHandle` objects.
pub struct HandleObj(pub Rc<Handle>);

pub fn new_loop(vm: &Vm) -> PyResult<Rc<EventLoop>> {
    let l = EventLoop::new()?;
    let _ = vm;
    Ok(l)
}

pub fn loop_object(vm: &Vm, l: &Rc<EventLoop>) -> Value {
    if let Some(v) = l.py_loop.borrow().clone() {
        return v;
    }
    let v = Value::Instance(Instance::new(super::classes(vm).event_loop.clone(), Payload::Native(Box::new(LoopObj(l.clone())))));
    *l.py_loop.borrow_mut() = Some(v.clone());
    v
}

pub fn loop_of(v: &Value) -> PyResult<Rc<EventLoop>> {
    match v {
        Value::Instance(i) => i.native::<LoopObj>().map(|l| l.0.clone()).ok_or_else(|| Exc::type_error("an event loop is required")),
        _ => Err(Exc::type_error("an event loop is required")),
    }
}

fn handle_object(vm: &Vm, h: Rc<Handle>) -> Value {
    Value::Instance(Instance::new(super::classes(vm).handle.clone(), Payload::Native(Box::new(HandleObj(h)))))
}

/// `loop.run_forever()`.
pub fn run_forever(vm: &Vm, l: &Rc<EventLoop>) -> PyResult<()> {
    if l.closed.get() {
        return Err(Exc::runtime_error("Event loop is closed"));
    }
    if l.running.get() {
        return Err(Exc::runtime_error("This event loop is already running"));
    }
    if vm.running_loop.borrow().is_some() {
        return Err(Exc::runtime_error("Cannot run the event loop while another loop is running"));
    }
    l.running.set(true);
    *vm.running_loop.borrow_mut() = Some(l.clone());
    let r = loop {
        // Host limits (deadline, cancel flag) while the loop sleeps or spins.
        if let Err(e) = vm.limits.poll() {
            break Err(e);
        }
        match l.run_once(vm) {
            Err(e) => break Err(e),
            Ok(Err(Stall::Deadlock)) => break Err(deadlock_error(vm, l)),
            Ok(Ok(())) => {
                if l.stopping.get() {
                    break Ok(());
                }
            }
        }
    };
    l.stopping.set(false);
    l.running.set(false);
    *vm.running_loop.borrow_mut() = None;
    r
}

/// `loop.run_until_complete(aw)`.
pub fn run_until_complete(vm: &Vm, l: &Rc<EventLoop>, aw: Value) -> PyResult<Value> {
    if l.closed.get() {
        return Err(Exc::runtime_error("Event loop is closed"));
    }
    let fut = super::ensure_future(vm, aw, Some(l.clone()))?;
    let stopper: crate::event_loop::NativeCallback = Rc::new(|_vm: &Vm, f: Value| {
        if let Some(c) = core(&f) {
            c.event_loop.stopping.set(true);
        }
        Ok(())
    });
    let cb = Callback::Native(stopper);
    futures::add_done_callback(&fut, cb.clone_cb())?;
    let r = run_forever(vm, l);
    futures::remove_done_callback(&fut, &cb);
    r?;
    let c = futures::core_of(&fut)?;
    if !c.done() {
        return Err(Exc::runtime_error("Event loop stopped before Future completed."));
    }
    futures::result(vm, &fut)
}

/// `asyncio.run(main)`.
pub fn run(vm: &Vm, main: Value, debug: bool) -> PyResult<Value> {
    if vm.running_loop.borrow().is_some() {
        return Err(Exc::runtime_error("asyncio.run() cannot be called from a running event loop"));
    }
    if !tasks::is_coroutine(&main) {
        return Err(Exc::value_error(format!("a coroutine was expected, got {}", vm.repr(&main)?)));
    }
    let l = new_loop(vm)?;
    l.debug.set(debug);
    *vm.event_loop.borrow_mut() = Some(l.clone());
    let task = tasks::create_task(vm, &l, main, None)?;
    let r = run_until_complete(vm, &l, task.clone());
    // Ctrl-C outside the task (the loop was waiting): cancel the main task and let its
    // cleanup run, then report KeyboardInterrupt, as CPython's asyncio.Runner does.
    let r = match r {
        Err(e) if vm.exc_is(&e, ExcKind::KeyboardInterrupt) && !core(&task).map(|c| c.done()).unwrap_or(true) => {
            tasks::cancel(vm, &task, Value::None);
            let _ = run_until_complete(vm, &l, task.clone());
            Err(e)
        }
        other => other,
    };
    let r = match r {
        Err(e) if is_deadlock(vm, &e) => {
            close_loop(vm, &l);
            return Err(e);
        }
        other => other,
    };
    let shutdown = cancel_all_tasks(vm, &l);
    report_unretrieved(vm, &l);
    close_loop(vm, &l);
    let out = r?;
    shutdown?;
    Ok(out)
}

fn close_loop(vm: &Vm, l: &Rc<EventLoop>) {
    l.closed.set(true);
    if vm.event_loop.borrow().as_ref().map(|x| Rc::ptr_eq(x, l)).unwrap_or(false) {
        *vm.event_loop.borrow_mut() = None;
    }
}

/// Cancel what is left when `asyncio.run`'s main task finishes, and wait for it.
fn cancel_all_tasks(vm: &Vm, l: &Rc<EventLoop>) -> PyResult<()> {
    let to_cancel: Vec<Value> = l.tasks.borrow().iter().filter(|t| core(t).map(|c| !c.done()).unwrap_or(false)).cloned().collect();
    finalize_asyncgens(vm, l)?;
    if to_cancel.is_empty() {
        return Ok(());
    }
    for t in &to_cancel {
        tasks::cancel(vm, t, Value::None);
    }
    let gather = vm.call(
        &vm.import_module("_asyncio").and_then(|m| vm.getattr(&m, "gather"))?,
        Args { pos: to_cancel.iter().cloned().collect(), kw: vec![(vm.intern("return_exceptions"), Value::Bool(true))] },
    )?;
    run_until_complete(vm, l, gather)?;
    for t in &to_cancel {
        let c = futures::core_of(t)?;
        if c.is_cancelled() {
            continue;
        }
        let e = futures::exception(vm, t)?;
        if !e.is_none() {
            vm.write_stderr(&format!(
                "unhandled exception during asyncio.run() shutdown\ntask: {}\n{}\n",
                tasks::task_repr(vm, t)?,
                vm.exc_summary(&e)
            ));
        }
    }
    Ok(())
}

/// "Task exception was never retrieved", for failed tasks nobody asked, printed when
/// the loop closes (a deterministic point; CPython prints it when the task is freed).
fn report_unretrieved(vm: &Vm, l: &Rc<EventLoop>) {
    for t in l.tasks.borrow().iter() {
        let Some(c) = core(t) else { continue };
        if c.retrieved.get() {
            continue;
        }
        let failed = match &*c.state.borrow() {
            futures::FutState::Failed(e) => Some(e.clone()),
            _ => None,
        };
        if let Some(e) = failed {
            let repr = tasks::task_repr(vm, t).unwrap_or_default();
            let tb = vm.format_exception(&futures::reraise(&e));
            vm.write_stderr(&format!("Task exception was never retrieved\nfuture: {repr}\n{tb}"));
            c.retrieved.set(true);
        }
    }
}

/// Close async generators still suspended at shutdown (`loop.shutdown_asyncgens()`).
fn finalize_asyncgens(vm: &Vm, l: &Rc<EventLoop>) -> PyResult<()> {
    let gens = std::mem::take(&mut *l.asyncgens.borrow_mut());
    for g in gens {
        if let Value::Generator(gg) = &g {
            if matches!(&*gg.state.borrow(), crate::runtime::generator::GenState::Suspended(_)) {
                if let Ok(aclose) = vm.getattr(&g, "aclose") {
                    let coro = vm.call(&aclose, Args::empty())?;
                    let _ = run_until_complete(vm, l, coro);
                }
            }
        }
    }
    Ok(())
}

fn is_deadlock(vm: &Vm, e: &Exc) -> bool {
    let v = vm.exc_value(e);
    vm.type_of(&v).name.as_ref() == "DeadlockError"
}

/// The report for a loop that can never make progress again.
/// Where each task of a deadlocked loop is stuck, for the CLI's report.
pub struct DeadlockReport(pub Vec<(String, Option<crate::runtime::exception::TraceEntry>, String)>);

pub fn deadlock_error(vm: &Vm, l: &Rc<EventLoop>) -> Exc {
    let mut report = Vec::new();
    for t in l.tasks.borrow().iter() {
        let Some((c, tc)) = tasks::task_core(t) else { continue };
        if c.done() {
            continue;
        }
        let coro = match &tc.coro {
            Value::Generator(g) => g.qualname.to_string(),
            _ => "?".into(),
        };
        let waits = match &*tc.fut_waiter.borrow() {
            Some(w) => vm.repr(w).unwrap_or_default(),
            None => "nothing".into(),
        };
        report.push((format!("task {:?} ({coro}())", tc.name.borrow()), tc.suspended_at.borrow().clone(), waits));
    }
    vm.set_extension(Rc::new(DeadlockReport(report)));
    let mut lines = vec!["no task can make progress: nothing is ready, no timer is pending, and nothing outside the program can wake a task".to_string()];
    for t in l.tasks.borrow().iter() {
        let Some((c, tc)) = tasks::task_core(t) else { continue };
        if c.done() {
            continue;
        }
        let at = match &*tc.suspended_at.borrow() {
            Some(e) => format!("{}:{}", e.file.name, e.file.line_of(e.span.start)),
            None => "<not started>".into(),
        };
        let waits = match &*tc.fut_waiter.borrow() {
            Some(w) => vm.repr(w).unwrap_or_default(),
            None => "nothing".into(),
        };
        let coro = match &tc.coro {
            Value::Generator(g) => g.qualname.to_string(),
            _ => "?".into(),
        };
        lines.push(format!("  task {:?} ({coro}) is suspended at {at}, awaiting {waits}", tc.name.borrow()));
        if let Some(e) = &*tc.suspended_at.borrow() {
            let line = e.file.line_of(e.span.start);
            lines.push(format!("      {}", e.file.line_text(line).trim()));
        }
    }
    let cls = deadlock_class(vm);
    match vm.instantiate(&cls, Args::one(Value::string(lines.join("\n")))) {
        Ok(Value::Instance(i)) => Exc::from_object(i),
        _ => Exc::runtime_error("deadlock"),
    }
}

/// `DeadlockError`: a BaseException, so `except Exception` in the program cannot hide it.
pub fn deadlock_class(vm: &Vm) -> Rc<Class> {
    if let Some(Value::Class(c)) = vm.builtins.get_by_name("_DeadlockError") {
        return c;
    }
    let c = crate::vm::types::make_class(
        "DeadlockError",
        vec![vm.types.exception(ExcKind::BaseException).clone()],
        crate::runtime::class::BaseKind::Exception,
        None,
    );
    *c.module.borrow_mut() = "coro".into();
    vm.builtins.set_by_name(&vm.intern("_DeadlockError"), Value::Class(c.clone()));
    c
}

fn this_loop(args: &Args) -> PyResult<Rc<EventLoop>> {
    loop_of(args.pos.first().unwrap_or(&Value::None))
}

fn callback_args(args: &Args, skip: usize) -> (Value, Vec<Value>) {
    let f = args.pos.get(skip).cloned().unwrap_or(Value::None);
    (f, args.pos.iter().skip(skip + 1).cloned().collect())
}

pub fn install_methods(vm: &Vm, cls: &Rc<Class>, handle: &Rc<Class>) {
    add_method(vm, cls, "run_until_complete", |vm, args: Args| {
        let l = this_loop(&args)?;
        let [_, aw] = args.exact::<2>("run_until_complete")?;
        run_until_complete(vm, &l, aw)
    });
    add_method(vm, cls, "run_forever", |vm, args: Args| {
        let l = this_loop(&args)?;
        run_forever(vm, &l)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "stop", |_vm, args: Args| {
        this_loop(&args)?.stopping.set(true);
        Ok(Value::None)
    });
    add_method(vm, cls, "close", |vm, args: Args| {
        let l = this_loop(&args)?;
        if l.running.get() {
            return Err(Exc::runtime_error("Cannot close a running event loop"));
        }
        close_loop(vm, &l);
        Ok(Value::None)
    });
    add_method(vm, cls, "is_running", |_vm, args: Args| Ok(Value::Bool(this_loop(&args)?.running.get())));
    add_method(vm, cls, "is_closed", |_vm, args: Args| Ok(Value::Bool(this_loop(&args)?.closed.get())));
    add_method(vm, cls, "get_debug", |_vm, args: Args| Ok(Value::Bool(this_loop(&args)?.debug.get())));
    add_method(vm, cls, "set_debug", |vm, args: Args| {
        let l = this_loop(&args)?;
        l.debug.set(vm.truthy(args.pos.get(1).unwrap_or(&Value::None))?);
        Ok(Value::None)
    });
    add_method(vm, cls, "time", |vm, _args: Args| Ok(Value::Float(vm.clock.now())));
    for name in ["call_soon", "call_soon_threadsafe"] {
        add_method(vm, cls, name, move |vm, mut args: Args| {
            args.take_kw("context");
            let l = this_loop(&args)?;
            let (f, rest) = callback_args(&args, 1);
            check_callable(vm, &f, name)?;
            Ok(handle_object(vm, l.call_soon(Callback::Call(f, rest), None)))
        });
    }
    add_method(vm, cls, "call_later", |vm, mut args: Args| {
        args.take_kw("context");
        let l = this_loop(&args)?;
        let delay = crate::builtins::constructors::to_float(vm, args.pos.get(1).unwrap_or(&Value::None))?;
        let (f, rest) = callback_args(&args, 2);
        check_callable(vm, &f, "call_later")?;
        Ok(handle_object(vm, l.call_at(vm.clock.now() + delay, Callback::Call(f, rest), None)))
    });
    add_method(vm, cls, "call_at", |vm, mut args: Args| {
        args.take_kw("context");
        let l = this_loop(&args)?;
        let when = crate::builtins::constructors::to_float(vm, args.pos.get(1).unwrap_or(&Value::None))?;
        let (f, rest) = callback_args(&args, 2);
        check_callable(vm, &f, "call_at")?;
        Ok(handle_object(vm, l.call_at(when, Callback::Call(f, rest), None)))
    });
    add_method(vm, cls, "create_future", |vm, args: Args| {
        let l = this_loop(&args)?;
        Ok(futures::new_future(vm, l))
    });
    add_method(vm, cls, "create_task", |vm, mut args: Args| {
        let name = args.take_kw("name");
        args.take_kw("context");
        let l = this_loop(&args)?;
        let [_, coro] = args.exact::<2>("create_task")?;
        let name = match name {
            Some(n) if !n.is_none() => Some(vm.to_str(&n)?.as_str().to_string()),
            _ => None,
        };
        tasks::create_task(vm, &l, coro, name)
    });
    add_method(vm, cls, "run_in_executor", |vm, args: Args| {
        args.no_kw("run_in_executor")?;
        let executor = args.pos.get(1).cloned().unwrap_or(Value::None);
        let func = args.pos.get(2).cloned().ok_or_else(|| Exc::type_error("run_in_executor() missing the function"))?;
        let rest: Vec<Value> = args.pos.iter().skip(3).cloned().collect();
        if executor.is_none() {
            let pool = crate::modules::threading::pool::default_pool(vm)?;
            return crate::modules::threading::pool::submit(vm, &pool, func, Args::new(rest));
        }
        // An executor object: its submit() gives a concurrent Future wrapping ours.
        let cf = vm.call_method(&executor, &vm.intern("submit"), Args::new(std::iter::once(func).chain(rest)))?;
        match vm.getattr(&cf, "_asyncio_future") {
            Ok(f) => Ok(f),
            Err(_) => Ok(cf),
        }
    });
    add_method(vm, cls, "call_exception_handler", |vm, args: Args| {
        let ctx = args.pos.get(1).cloned().unwrap_or(Value::None);
        let msg = vm.getitem(&ctx, &Value::str("message")).map(|m| vm.to_str(&m).map(|s| s.as_str().to_string())).unwrap_or(Ok(String::new()))?;
        vm.write_stderr(&format!("{msg}\n"));
        Ok(Value::None)
    });
    add_method(vm, cls, "__repr__", |_vm, args: Args| {
        let l = this_loop(&args)?;
        Ok(Value::string(format!(
            "<_UnixSelectorEventLoop running={} closed={} debug={}>",
            py_bool(l.running.get()),
            py_bool(l.closed.get()),
            py_bool(l.debug.get())
        )))
    });
    for name in ["shutdown_asyncgens", "shutdown_default_executor"] {
        add_method(vm, cls, name, |vm, _args: Args| {
            let body: crate::runtime::generator::BodyFuture = Box::pin(async { Ok(Value::None) });
            Ok(super::native_coroutine(vm, "shutdown", body))
        });
    }

    let handle_of = |args: &Args| -> PyResult<Rc<Handle>> {
        match args.pos.first() {
            Some(Value::Instance(i)) => i.native::<HandleObj>().map(|h| h.0.clone()).ok_or_else(|| Exc::type_error("not a handle")),
            _ => Err(Exc::type_error("not a handle")),
        }
    };
    add_method(vm, handle, "cancel", move |_vm, args: Args| {
        handle_of(&args)?.cancel();
        Ok(Value::None)
    });
    add_method(vm, handle, "cancelled", move |_vm, args: Args| Ok(Value::Bool(handle_of(&args)?.cancelled.get())));
    add_method(vm, handle, "when", move |_vm, args: Args| Ok(handle_of(&args)?.when.map(Value::Float).unwrap_or(Value::None)));
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

fn check_callable(vm: &Vm, f: &Value, what: &str) -> PyResult<()> {
    if crate::builtins::functions::callable(vm, f) {
        Ok(())
    } else {
        Err(Exc::type_error(format!("a callable object was expected by {what}(), got {}", vm.repr(f)?)))
    }
}
