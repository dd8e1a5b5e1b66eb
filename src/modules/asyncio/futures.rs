//! `asyncio.Future`: a result that will be set later, with done callbacks scheduled
//! through the loop in registration order (CPython's `futures.py`).
//!
//! Invariant (as in CPython): callbacks are only ever scheduled, never called directly,
//! when the future completes; `cancel`, `set_result` and `set_exception` each schedule
//! them once.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::event_loop::{Callback, EventLoop};
use crate::runtime::class::{Class, Instance, Payload};
use crate::runtime::exception::ExcKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::{Resume, Vm};

pub enum FutState {
    Pending,
    Cancelled,
    Finished(Value),
    /// The exception instance.
    Failed(Value),
}

/// What kind of future this is, with the extra state tasks and gathers need.
pub enum FutureKind {
    Plain,
    Task(super::tasks::TaskCore),
    /// `gather()`'s outer future: cancelling it cancels the children.
    Gathering { children: Vec<Value>, cancel_requested: Cell<bool> },
}

pub struct FutureCore {
    pub state: RefCell<FutState>,
    pub callbacks: RefCell<Vec<Callback>>,
    /// `_asyncio_future_blocking`: set while a coroutine awaits this future.
    pub blocking: Cell<bool>,
    pub cancel_message: RefCell<Value>,
    /// The CancelledError a task's coroutine raised, re-raised by `result()`.
    pub cancelled_exc: RefCell<Option<Value>>,
    /// `exception()`/`result()` was called (for "never retrieved" warnings).
    pub retrieved: Cell<bool>,
    pub event_loop: Rc<EventLoop>,
    pub kind: FutureKind,
}

pub fn core(v: &Value) -> Option<&FutureCore> {
    match v {
        Value::Instance(i) => i.native::<FutureCore>(),
        _ => None,
    }
}

pub fn core_of<'a>(v: &'a Value) -> PyResult<&'a FutureCore> {
    core(v).ok_or_else(|| Exc::type_error("a Future object is required"))
}

pub fn is_future(v: &Value) -> bool {
    core(v).is_some()
}

pub fn new_future_with(cls: Rc<Class>, event_loop: Rc<EventLoop>, kind: FutureKind) -> Value {
    Value::Instance(Instance::new(
        cls,
        Payload::Native(Box::new(FutureCore {
            state: RefCell::new(FutState::Pending),
            callbacks: RefCell::new(Vec::new()),
            blocking: Cell::new(false),
            cancel_message: RefCell::new(Value::None),
            cancelled_exc: RefCell::new(None),
            retrieved: Cell::new(false),
            event_loop,
            kind,
        })),
    ))
}

pub fn new_future(vm: &Vm, event_loop: Rc<EventLoop>) -> Value {
    new_future_with(super::classes(vm).future.clone(), event_loop, FutureKind::Plain)
}

impl FutureCore {
    pub fn done(&self) -> bool {
        !matches!(&*self.state.borrow(), FutState::Pending)
    }
    pub fn is_cancelled(&self) -> bool {
        matches!(&*self.state.borrow(), FutState::Cancelled)
    }
}

fn schedule_callbacks(fut: &Value, c: &FutureCore) {
    let cbs = std::mem::take(&mut *c.callbacks.borrow_mut());
    for cb in cbs {
        c.event_loop.call_soon(cb, Some(fut.clone()));
    }
}

/// The CancelledError to raise for a cancelled future.
pub fn make_cancelled_error(vm: &Vm, c: &FutureCore) -> Exc {
    if let Some(e) = c.cancelled_exc.borrow_mut().take() {
        if let Value::Instance(i) = e {
            return Exc::from_object(i);
        }
    }
    let msg = c.cancel_message.borrow().clone();
    let _ = vm;
    if msg.is_none() {
        Exc::with_args(ExcKind::CancelledError, vec![])
    } else {
        Exc::with_args(ExcKind::CancelledError, vec![msg])
    }
}

pub fn set_result(vm: &Vm, fut: &Value, v: Value) -> PyResult<()> {
    let c = core_of(fut)?;
    if c.done() {
        return Err(invalid_state(vm, c));
    }
    *c.state.borrow_mut() = FutState::Finished(v);
    schedule_callbacks(fut, c);
    Ok(())
}

fn invalid_state(_vm: &Vm, c: &FutureCore) -> Exc {
    let what = match &*c.state.borrow() {
        FutState::Pending => "PENDING",
        FutState::Cancelled => "CANCELLED",
        _ => "FINISHED",
    };
    Exc::new(ExcKind::InvalidStateError, format!("invalid state: {what}"))
}

pub fn set_exception(vm: &Vm, fut: &Value, exc: Value) -> PyResult<()> {
    let c = core_of(fut)?;
    if c.done() {
        return Err(invalid_state(vm, c));
    }
    let inst = match &exc {
        Value::Class(_) => Value::Instance(vm.exception_instance(&exc)?),
        Value::Instance(i) if i.exception().is_some() => exc.clone(),
        _ => return Err(Exc::type_error("invalid exception object")),
    };
    if vm.is_instance_of(&inst, vm.types.exception(ExcKind::StopIteration)) {
        return Err(Exc::type_error("StopIteration interacts badly with generators and cannot be raised into a Future"));
    }
    *c.state.borrow_mut() = FutState::Failed(inst);
    schedule_callbacks(fut, c);
    Ok(())
}

/// Record a raised exception as the future's outcome (keeping its traceback).
pub fn set_exception_exc(vm: &Vm, fut: &Value, mut e: Exc) -> PyResult<()> {
    let inst = vm.materialize(&mut e);
    set_exception(vm, fut, Value::Instance(inst))
}

/// `Future.cancel()` (also the base of `Task.cancel`).
pub fn future_cancel(_vm: &Vm, fut: &Value, msg: Value) -> bool {
    let Some(c) = core(fut) else { return false };
    c.retrieved.set(true);
    if c.done() {
        return false;
    }
    *c.state.borrow_mut() = FutState::Cancelled;
    *c.cancel_message.borrow_mut() = msg;
    schedule_callbacks(fut, c);
    true
}

pub fn result(vm: &Vm, fut: &Value) -> PyResult<Value> {
    let c = core_of(fut)?;
    let state = match &*c.state.borrow() {
        FutState::Pending => None,
        FutState::Cancelled => Some(Err(None)),
        FutState::Finished(v) => Some(Ok(v.clone())),
        FutState::Failed(e) => Some(Err(Some(e.clone()))),
    };
    match state {
        None => Err(Exc::new(ExcKind::InvalidStateError, "Result is not set.")),
        Some(Ok(v)) => Ok(v),
        Some(Err(None)) => Err(make_cancelled_error(vm, c)),
        Some(Err(Some(e))) => {
            c.retrieved.set(true);
            Err(reraise(&e))
        }
    }
}

/// Raise a stored exception instance again, keeping its traceback.
pub fn reraise(e: &Value) -> Exc {
    match e {
        Value::Instance(i) => {
            let mut x = Exc::from_object(i.clone());
            if let Some(p) = i.exception() {
                x.0.traceback = p.traceback.borrow().clone();
            }
            x
        }
        _ => Exc::runtime_error("bad exception"),
    }
}

pub fn exception(vm: &Vm, fut: &Value) -> PyResult<Value> {
    let c = core_of(fut)?;
    match &*c.state.borrow() {
        FutState::Pending => Err(Exc::new(ExcKind::InvalidStateError, "Exception is not set.")),
        FutState::Cancelled => Err(make_cancelled_error(vm, c)),
        FutState::Finished(_) => Ok(Value::None),
        FutState::Failed(e) => {
            c.retrieved.set(true);
            Ok(e.clone())
        }
    }
}

pub fn add_done_callback(fut: &Value, cb: Callback) -> PyResult<()> {
    let c = core_of(fut)?;
    if c.done() {
        c.event_loop.call_soon(cb, Some(fut.clone()));
    } else {
        c.callbacks.borrow_mut().push(cb);
    }
    Ok(())
}

pub fn remove_done_callback(fut: &Value, cb: &Callback) -> usize {
    let Some(c) = core(fut) else { return 0 };
    let mut cbs = c.callbacks.borrow_mut();
    let before = cbs.len();
    cbs.retain(|x| !x.same(cb));
    before - cbs.len()
}

/// `await fut`: yield the future to the task until it is done, then its result.
pub async fn await_future(vm: &Vm, fut: Value) -> PyResult<Value> {
    let c = core_of(&fut)?;
    if !c.done() {
        c.blocking.set(true);
        match vm.raw_yield(fut.clone()).await {
            Resume::Send(_) => {}
            Resume::Throw(e) => return Err(e),
        }
    }
    if !c.done() {
        return Err(Exc::runtime_error("await wasn't used with future"));
    }
    result(vm, &fut)
}

/// `repr(future)`, CPython's format.
pub fn future_repr(vm: &Vm, fut: &Value, class_name: &str) -> PyResult<String> {
    let c = core_of(fut)?;
    let mut info = vec![match &*c.state.borrow() {
        FutState::Pending => "pending".to_string(),
        FutState::Cancelled => "cancelled".to_string(),
        _ => "finished".to_string(),
    }];
    match &*c.state.borrow() {
        FutState::Finished(v) => info.push(format!("result={}", vm.repr(v)?)),
        FutState::Failed(e) => info.push(format!("exception={}", vm.repr(e)?)),
        _ => {}
    }
    Ok(format!("<{} {}>", class_name, info.join(" ")))
}

/// Install the Python methods of `Future` on its class.
pub fn install_methods(vm: &Vm, cls: &Rc<Class>) {
    use crate::builtins::add_method;
    add_method(vm, cls, "result", |vm, args: Args| {
        let [f] = args.exact::<1>("result")?;
        result(vm, &f)
    });
    add_method(vm, cls, "exception", |vm, args: Args| {
        let [f] = args.exact::<1>("exception")?;
        exception(vm, &f)
    });
    add_method(vm, cls, "done", |_vm, args: Args| {
        let [f] = args.exact::<1>("done")?;
        Ok(Value::Bool(core_of(&f)?.done()))
    });
    add_method(vm, cls, "cancelled", |_vm, args: Args| {
        let [f] = args.exact::<1>("cancelled")?;
        Ok(Value::Bool(core_of(&f)?.is_cancelled()))
    });
    add_method(vm, cls, "cancel", |vm, args: Args| {
        let mut args = args;
        let msg = args.take_kw("msg");
        let f = args.pos.first().cloned().unwrap_or(Value::None);
        let msg = msg.or_else(|| args.pos.get(1).cloned()).unwrap_or(Value::None);
        Ok(Value::Bool(super::tasks::cancel(vm, &f, msg)))
    });
    add_method(vm, cls, "set_result", |vm, args: Args| {
        let [f, v] = args.exact::<2>("set_result")?;
        set_result(vm, &f, v)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "set_exception", |vm, args: Args| {
        let [f, e] = args.exact::<2>("set_exception")?;
        set_exception(vm, &f, e)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "add_done_callback", |_vm, mut args: Args| {
        args.take_kw("context");
        let [f, cb] = args.exact::<2>("add_done_callback")?;
        add_done_callback(&f, Callback::Call(cb, vec![]))?;
        Ok(Value::None)
    });
    add_method(vm, cls, "remove_done_callback", |_vm, args: Args| {
        let [f, cb] = args.exact::<2>("remove_done_callback")?;
        Ok(Value::Int(remove_done_callback(&f, &Callback::Call(cb, vec![])) as i64))
    });
    add_method(vm, cls, "get_loop", |vm, args: Args| {
        let [f] = args.exact::<1>("get_loop")?;
        let l = core_of(&f)?.event_loop.clone();
        Ok(super::events::loop_object(vm, &l))
    });
    add_method(vm, cls, "__await__", |vm, args: Args| {
        let [f] = args.exact::<1>("__await__")?;
        Ok(await_wrapper(vm, f))
    });
    add_method(vm, cls, "__iter__", |vm, args: Args| {
        let [f] = args.exact::<1>("__iter__")?;
        Ok(await_wrapper(vm, f))
    });
    add_method(vm, cls, "__repr__", |vm, args: Args| {
        let [f] = args.exact::<1>("__repr__")?;
        let name = vm.type_name(&f);
        Ok(Value::string(future_repr(vm, &f, &name)?))
    });
    crate::builtins::add_getter(vm, cls, "_asyncio_future_blocking", |_vm, args: Args| {
        let [f] = args.exact::<1>("_asyncio_future_blocking")?;
        Ok(Value::Bool(core_of(&f)?.blocking.get()))
    });
}

/// `fut.__await__()`: an iterator (a native coroutine) that waits for the future.
fn await_wrapper(vm: &Vm, fut: Value) -> Value {
    let rc = vm.rc();
    let body: crate::runtime::generator::BodyFuture = Box::pin(async move { await_future(&rc, fut).await });
    vm.new_generator(crate::runtime::generator::GenKind::Generator, vm.intern("__await__"), "Future.__await__".into(), body)
}
