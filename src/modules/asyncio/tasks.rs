//! `asyncio.Task`: drives a coroutine on the loop (CPython's `tasks.py`).
//!
//! Invariant (CPython's): either `fut_waiter` is None and a step is scheduled, or
//! `fut_waiter` is a future whose callbacks include this task's wakeup.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::futures::{self, core, core_of, FutState, FutureCore, FutureKind};
use crate::eval::suspend::GenStep;
use crate::event_loop::{Callback, EventLoop};
use crate::runtime::exception::{ExcKind, TraceEntry};
use crate::runtime::generator::GenKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::{Resume, Vm};

pub struct TaskCore {
    pub coro: Value,
    pub must_cancel: Cell<bool>,
    pub fut_waiter: RefCell<Option<Value>>,
    pub name: RefCell<String>,
    pub num_cancels_requested: Cell<u32>,
    /// Where the coroutine is suspended (for deadlock reports and reprs).
    pub suspended_at: RefCell<Option<TraceEntry>>,
}

pub fn task_core(v: &Value) -> Option<(&FutureCore, &TaskCore)> {
    let c = core(v)?;
    match &c.kind {
        FutureKind::Task(t) => Some((c, t)),
        _ => None,
    }
}

pub fn is_coroutine(v: &Value) -> bool {
    matches!(v, Value::Generator(g) if g.kind == GenKind::Coroutine || g.is_legacy_coroutine())
}

/// `loop.create_task(coro, name=...)`.
pub fn create_task(vm: &Vm, event_loop: &Rc<EventLoop>, coro: Value, name: Option<String>) -> PyResult<Value> {
    if !is_coroutine(&coro) {
        return Err(Exc::type_error(format!("a coroutine was expected, got {}", vm.repr(&coro)?)));
    }
    // The host's live-task limit.
    vm.limits.check_tasks(|| event_loop.tasks.borrow().iter().filter(|t| futures::core(t).map(|c| !c.done()).unwrap_or(false)).count())?;
    let name = name.unwrap_or_else(|| format!("Task-{}", super::next_task_number(vm)));
    let task = futures::new_future_with(
        super::classes(vm).task.clone(),
        event_loop.clone(),
        FutureKind::Task(TaskCore {
            coro,
            must_cancel: Cell::new(false),
            fut_waiter: RefCell::new(None),
            name: RefCell::new(name),
            num_cancels_requested: Cell::new(0),
            suspended_at: RefCell::new(None),
        }),
    );
    event_loop.call_soon(Callback::TaskStep(task.clone(), None), None);
    event_loop.tasks.borrow_mut().push(task.clone());
    Ok(task)
}

/// `Task.__step`.
pub fn task_step(vm: &Vm, task: &Value, exc: Option<Exc>) -> PyResult<()> {
    let Some((c, t)) = task_core(task) else { return Ok(()) };
    if c.done() {
        return Err(Exc::new(ExcKind::InvalidStateError, "_step(): already done"));
    }
    let mut exc = exc;
    if t.must_cancel.get() {
        exc = Some(futures::make_cancelled_error(vm, c));
        t.must_cancel.set(false);
    }
    *t.fut_waiter.borrow_mut() = None;
    let Value::Generator(g) = &t.coro else { return Ok(()) };
    let prev = c.event_loop.current_task.borrow_mut().replace(task.clone());
    *vm.current_await.borrow_mut() = None;
    let r = match exc {
        None => vm.resume(g, Resume::Send(Value::None)),
        Some(e) => vm.resume(g, Resume::Throw(e)),
    };
    *c.event_loop.current_task.borrow_mut() = prev;
    match r {
        Ok(GenStep::Returned(v)) => {
            if t.must_cancel.get() {
                t.must_cancel.set(false);
                let msg = c.cancel_message.borrow().clone();
                futures::future_cancel(vm, task, msg);
            } else {
                futures::set_result(vm, task, v)?;
            }
        }
        Err(mut e) => {
            if vm.exc_is(&e, ExcKind::CancelledError) {
                let inst = vm.materialize(&mut e);
                *c.cancelled_exc.borrow_mut() = Some(Value::Instance(inst));
                let msg = c.cancel_message.borrow().clone();
                futures::future_cancel(vm, task, msg);
                c.retrieved.set(false);
            } else if vm.exc_is(&e, ExcKind::KeyboardInterrupt) || vm.exc_is(&e, ExcKind::SystemExit) {
                let inst = vm.materialize(&mut e);
                futures::set_exception(vm, task, Value::Instance(inst))?;
                return Err(e);
            } else {
                futures::set_exception_exc(vm, task, e)?;
            }
        }
        Ok(GenStep::Yielded(y)) => {
            *t.suspended_at.borrow_mut() = vm.current_await.borrow_mut().take();
            if let Some(yc) = core(&y) {
                if !yc.blocking.get() {
                    let e = Exc::runtime_error(format!(
                        "yield was used instead of yield from in task {} with {}",
                        vm.repr(task)?,
                        vm.repr(&y)?
                    ));
                    c.event_loop.call_soon(Callback::TaskStep(task.clone(), Some(e)), None);
                } else if y.is(task) {
                    let e = Exc::runtime_error(format!("Task cannot await on itself: {}", vm.repr(task)?));
                    c.event_loop.call_soon(Callback::TaskStep(task.clone(), Some(e)), None);
                } else {
                    yc.blocking.set(false);
                    futures::add_done_callback(&y, Callback::TaskWakeup(task.clone()))?;
                    *t.fut_waiter.borrow_mut() = Some(y.clone());
                    if t.must_cancel.get() {
                        let msg = c.cancel_message.borrow().clone();
                        if cancel(vm, &y, msg) {
                            t.must_cancel.set(false);
                        }
                    }
                }
            } else if y.is_none() {
                c.event_loop.call_soon(Callback::TaskStep(task.clone(), None), None);
            } else {
                let e = Exc::runtime_error(format!("Task got bad yield: {}", vm.repr(&y)?));
                c.event_loop.call_soon(Callback::TaskStep(task.clone(), Some(e)), None);
            }
        }
    }
    Ok(())
}

/// `Task.__wakeup(future)`.
pub fn task_wakeup(vm: &Vm, task: &Value, fut: Value) -> PyResult<()> {
    match futures::result(vm, &fut) {
        Ok(_) => task_step(vm, task, None),
        Err(e) => task_step(vm, task, Some(e)),
    }
}

/// `fut.cancel(msg)` for any future kind (plain, task, gathering).
pub fn cancel(vm: &Vm, fut: &Value, msg: Value) -> bool {
    let Some(c) = core(fut) else { return false };
    match &c.kind {
        FutureKind::Plain => futures::future_cancel(vm, fut, msg),
        FutureKind::Task(t) => {
            c.retrieved.set(true);
            if c.done() {
                return false;
            }
            t.num_cancels_requested.set(t.num_cancels_requested.get() + 1);
            let waiter = t.fut_waiter.borrow().clone();
            if let Some(w) = waiter {
                if cancel(vm, &w, msg.clone()) {
                    return true;
                }
            }
            t.must_cancel.set(true);
            *c.cancel_message.borrow_mut() = msg;
            true
        }
        FutureKind::Gathering { children, cancel_requested } => {
            c.retrieved.set(true);
            if c.done() {
                return false;
            }
            let mut ret = false;
            for ch in children {
                if cancel(vm, ch, msg.clone()) {
                    ret = true;
                }
            }
            if ret {
                cancel_requested.set(true);
            }
            ret
        }
    }
}

/// `repr(task)`: `<Task pending name='Task-2' coro=<worker() running at app.coro:5>>`.
pub fn task_repr(vm: &Vm, task: &Value) -> PyResult<String> {
    let (c, t) = task_core(task).ok_or_else(|| Exc::type_error("not a task"))?;
    let mut info = vec![];
    info.push(match &*c.state.borrow() {
        FutState::Pending => "pending".to_string(),
        FutState::Cancelled => "cancelled".to_string(),
        _ => "finished".to_string(),
    });
    info.push(format!("name={}", crate::format::str_repr(&t.name.borrow())));
    if let Value::Generator(g) = &t.coro {
        let state = if c.done() { "done" } else { "running" };
        let at = match &*t.suspended_at.borrow() {
            Some(e) => format!(" at {}:{}", e.file.name, e.file.line_of(e.span.start)),
            None => String::new(),
        };
        info.push(format!("coro=<{}() {}{}>", g.qualname, state, at));
    }
    match &*c.state.borrow() {
        FutState::Finished(v) => info.push(format!("result={}", vm.repr(v)?)),
        FutState::Failed(e) => info.push(format!("exception={}", vm.repr(e)?)),
        _ => {}
    }
    if let Some(w) = &*t.fut_waiter.borrow() {
        if !c.done() {
            info.push(format!("wait_for={}", vm.repr(w)?));
        }
    }
    Ok(format!("<{} {}>", vm.type_name(task), info.join(" ")))
}

pub fn install_methods(vm: &Vm, cls: &Rc<crate::runtime::class::Class>) {
    use crate::builtins::add_method;
    add_method(vm, cls, "get_name", |_vm, args: Args| {
        let [t] = args.exact::<1>("get_name")?;
        let (_, tc) = task_core(&t).ok_or_else(|| Exc::type_error("not a task"))?;
        let n = tc.name.borrow().clone();
        Ok(Value::string(n))
    });
    add_method(vm, cls, "set_name", |vm, args: Args| {
        let [t, n] = args.exact::<2>("set_name")?;
        let (_, tc) = task_core(&t).ok_or_else(|| Exc::type_error("not a task"))?;
        *tc.name.borrow_mut() = vm.to_str(&n)?.as_str().to_string();
        Ok(Value::None)
    });
    add_method(vm, cls, "get_coro", |_vm, args: Args| {
        let [t] = args.exact::<1>("get_coro")?;
        Ok(task_core(&t).map(|(_, tc)| tc.coro.clone()).unwrap_or(Value::None))
    });
    add_method(vm, cls, "cancelling", |_vm, args: Args| {
        let [t] = args.exact::<1>("cancelling")?;
        Ok(Value::Int(task_core(&t).map(|(_, tc)| tc.num_cancels_requested.get() as i64).unwrap_or(0)))
    });
    add_method(vm, cls, "uncancel", |_vm, args: Args| {
        let [t] = args.exact::<1>("uncancel")?;
        let (_, tc) = task_core(&t).ok_or_else(|| Exc::type_error("not a task"))?;
        let n = tc.num_cancels_requested.get();
        if n > 0 {
            tc.num_cancels_requested.set(n - 1);
        }
        Ok(Value::Int(tc.num_cancels_requested.get() as i64))
    });
    add_method(vm, cls, "__repr__", |vm, args: Args| {
        let [t] = args.exact::<1>("__repr__")?;
        Ok(Value::string(task_repr(vm, &t)?))
    });
    add_method(vm, cls, "get_stack", |_vm, _args: Args| Ok(Value::list(vec![])));
    let _ = core_of;
}
