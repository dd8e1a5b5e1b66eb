//! asyncio's synchronization primitives (`Lock`, `Event`, `Condition`, `Semaphore`,
//! `BoundedSemaphore`) in Rust, following CPython 3.11.7's `asyncio/locks.py` step
//! for step so that wake-up order (and so task interleaving) is the same.
//!
//! Each primitive keeps its state in the instance's native payload: a deque of waiter
//! futures plus a flag or counter. Blocking methods return real coroutine objects
//! whose bodies are Rust async blocks that await a plain future (`await_future`), so
//! the hot path never calls back into Python. No `RefCell` borrow is held across an
//! await or a call into Python: every borrow is scoped to one statement.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use super::futures::{self, core};
use crate::builtins::{add_getter, add_method};
use crate::event_loop::EventLoop;
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::exception::ExcKind;
use crate::runtime::generator::BodyFuture;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;

/// The loop a primitive is bound to (CPython's `mixins._LoopBoundMixin`): bound on the
/// first wait, and using it from another loop is a RuntimeError.
#[derive(Default)]
pub struct LoopBinding(RefCell<Option<Rc<EventLoop>>>);

impl LoopBinding {
    pub fn get_loop(&self, vm: &Vm, this: &Value) -> PyResult<Rc<EventLoop>> {
        let running = super::running_loop(vm)?;
        let bound = self.0.borrow().clone();
        match bound {
            None => {
                *self.0.borrow_mut() = Some(running.clone());
                Ok(running)
            }
            Some(b) if Rc::ptr_eq(&b, &running) => Ok(running),
            Some(_) => Err(Exc::runtime_error(format!("{} is bound to a different event loop", vm.repr(this)?))),
        }
    }
}

/// A deque of waiter futures.
pub type Waiters = RefCell<VecDeque<Value>>;

/// Remove `fut` (by identity, as `deque.remove` does for futures) if present.
pub fn remove_waiter(w: &Waiters, fut: &Value) {
    let mut w = w.borrow_mut();
    if let Some(i) = w.iter().position(|f| f.is(fut)) {
        w.remove(i);
    }
}

fn is_done(fut: &Value) -> bool {
    core(fut).map(|c| c.done()).unwrap_or(true)
}

fn is_cancelled(fut: &Value) -> bool {
    core(fut).map(|c| c.is_cancelled()).unwrap_or(false)
}

/// Create a pending future on the primitive's loop and append it to `waiters`.
fn new_waiter(vm: &Vm, this: &Value, binding: &LoopBinding, waiters: &Waiters) -> PyResult<Value> {
    let l = binding.get_loop(vm, this)?;
    let fut = futures::new_future(vm, l);
    waiters.borrow_mut().push_back(fut.clone());
    Ok(fut)
}

/// `<asyncio.locks.Lock object at 0x... [extra]>`: the default repr with `extra` added.
fn repr_with(vm: &Vm, this: &Value, extra: &str) -> String {
    let base = vm.default_repr(this);
    let inner = base.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(&base);
    format!("<{inner} [{extra}]>")
}

fn waiters_suffix(w: &Waiters) -> String {
    let n = w.borrow().len();
    if n > 0 {
        format!(", waiters:{n}")
    } else {
        String::new()
    }
}

fn coroutine(vm: &Vm, name: &str, body: BodyFuture) -> Value {
    super::native_coroutine(vm, name, body)
}

fn self_arg(args: &Args, fname: &str) -> PyResult<Value> {
    args.pos.first().cloned().ok_or_else(|| Exc::type_error(format!("{fname}() needs an argument")))
}

// ----- Lock ---------------------------------------------------------------------------

#[derive(Default)]
pub struct LockState {
    locked: Cell<bool>,
    waiters: Waiters,
    binding: LoopBinding,
}

fn lock_state(v: &Value) -> PyResult<&LockState> {
    match v {
        Value::Instance(i) => i.native::<LockState>(),
        _ => None,
    }
    .ok_or_else(|| Exc::type_error("a Lock object is required"))
}

impl LockState {
    /// `_wake_up_first`: wake the first waiter unless it is already done (a done
    /// waiter will wake up anyway and either take the lock or pass the turn on).
    fn wake_up_first(&self, vm: &Vm) -> PyResult<()> {
        let first = self.waiters.borrow().front().cloned();
        if let Some(f) = first {
            if !is_done(&f) {
                futures::set_result(vm, &f, Value::Bool(true))?;
            }
        }
        Ok(())
    }

    fn release(&self, vm: &Vm) -> PyResult<()> {
        if !self.locked.get() {
            return Err(Exc::runtime_error("Lock is not acquired."));
        }
        self.locked.set(false);
        self.wake_up_first(vm)
    }
}

/// `Lock.acquire()`.
pub async fn lock_acquire(vm: &Vm, this: Value) -> PyResult<Value> {
    let st = lock_state(&this)?;
    if !st.locked.get() && st.waiters.borrow().iter().all(is_cancelled) {
        st.locked.set(true);
        return Ok(Value::Bool(true));
    }
    let fut = new_waiter(vm, &this, &st.binding, &st.waiters)?;
    let r = futures::await_future(vm, fut.clone()).await;
    // The waiter leaves the deque before the CancelledError handling, so that a
    // cancelled waiter does not wake itself up.
    remove_waiter(&st.waiters, &fut);
    if let Err(e) = r {
        if vm.exc_is(&e, ExcKind::CancelledError) && !st.locked.get() {
            st.wake_up_first(vm)?;
        }
        return Err(e);
    }
    st.locked.set(true);
    Ok(Value::Bool(true))
}

fn install_lock(vm: &Vm, cls: &Rc<Class>) {
    add_method(vm, cls, "__new__", |_vm, args: Args| {
        let cls = match args.pos.first() {
            Some(Value::Class(c)) => c.clone(),
            _ => return Err(Exc::type_error("Lock.__new__(X): X is not a type object")),
        };
        Ok(Value::Instance(Instance::new(cls, Payload::Native(Box::new(LockState::default())))))
    });
    add_method(vm, cls, "__init__", |_vm, args: Args| {
        let [s] = args.exact::<1>("Lock")?;
        lock_state(&s)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "locked", |_vm, args: Args| {
        let [s] = args.exact::<1>("locked")?;
        Ok(Value::Bool(lock_state(&s)?.locked.get()))
    });
    add_getter(vm, cls, "_locked", |_vm, args: Args| {
        let [s] = args.exact::<1>("_locked")?;
        Ok(Value::Bool(lock_state(&s)?.locked.get()))
    });
    add_method(vm, cls, "release", |vm, args: Args| {
        let [s] = args.exact::<1>("release")?;
        lock_state(&s)?.release(vm)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "acquire", |vm, args: Args| {
        let [s] = args.exact::<1>("acquire")?;
        lock_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(vm, "Lock.acquire", Box::pin(async move { lock_acquire(&rc, s).await })))
    });
    add_method(vm, cls, "__aenter__", |vm, args: Args| {
        let [s] = args.exact::<1>("__aenter__")?;
        lock_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "_ContextManagerMixin.__aenter__",
            Box::pin(async move {
                lock_acquire(&rc, s).await?;
                Ok(Value::None)
            }),
        ))
    });
    add_method(vm, cls, "__aexit__", |vm, args: Args| {
        let s = self_arg(&args, "__aexit__")?;
        lock_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "_ContextManagerMixin.__aexit__",
            Box::pin(async move {
                lock_state(&s)?.release(&rc)?;
                Ok(Value::None)
            }),
        ))
    });
    add_method(vm, cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let st = lock_state(&s)?;
        let extra = format!("{}{}", if st.locked.get() { "locked" } else { "unlocked" }, waiters_suffix(&st.waiters));
        Ok(Value::string(repr_with(vm, &s, &extra)))
    });
}

// ----- Event --------------------------------------------------------------------------

#[derive(Default)]
pub struct EventState {
    value: Cell<bool>,
    waiters: Waiters,
    binding: LoopBinding,
}

fn event_state(v: &Value) -> PyResult<&EventState> {
    match v {
        Value::Instance(i) => i.native::<EventState>(),
        _ => None,
    }
    .ok_or_else(|| Exc::type_error("an Event object is required"))
}

impl EventState {
    /// `Event.set()`: every waiter not yet done gets True, in the order they waited.
    pub fn set(&self, vm: &Vm) -> PyResult<()> {
        if self.value.get() {
            return Ok(());
        }
        self.value.set(true);
        let ws: Vec<Value> = self.waiters.borrow().iter().cloned().collect();
        for f in ws {
            if !is_done(&f) {
                futures::set_result(vm, &f, Value::Bool(true))?;
            }
        }
        Ok(())
    }

    pub fn clear(&self) {
        self.value.set(false);
    }

    pub fn is_set(&self) -> bool {
        self.value.get()
    }

    /// `Event.wait()`; `this` is the object the waiter futures are bound through.
    pub async fn wait(&self, vm: &Vm, this: &Value) -> PyResult<Value> {
        if self.value.get() {
            return Ok(Value::Bool(true));
        }
        let fut = new_waiter(vm, this, &self.binding, &self.waiters)?;
        let r = futures::await_future(vm, fut.clone()).await;
        remove_waiter(&self.waiters, &fut);
        r.map(|_| Value::Bool(true))
    }
}

fn install_event(vm: &Vm, cls: &Rc<Class>) {
    add_method(vm, cls, "__new__", |_vm, args: Args| {
        let cls = match args.pos.first() {
            Some(Value::Class(c)) => c.clone(),
            _ => return Err(Exc::type_error("Event.__new__(X): X is not a type object")),
        };
        Ok(Value::Instance(Instance::new(cls, Payload::Native(Box::new(EventState::default())))))
    });
    add_method(vm, cls, "__init__", |_vm, args: Args| {
        let [s] = args.exact::<1>("Event")?;
        event_state(&s)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "is_set", |_vm, args: Args| {
        let [s] = args.exact::<1>("is_set")?;
        Ok(Value::Bool(event_state(&s)?.is_set()))
    });
    add_getter(vm, cls, "_value", |_vm, args: Args| {
        let [s] = args.exact::<1>("_value")?;
        Ok(Value::Bool(event_state(&s)?.is_set()))
    });
    add_method(vm, cls, "set", |vm, args: Args| {
        let [s] = args.exact::<1>("set")?;
        event_state(&s)?.set(vm)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "clear", |_vm, args: Args| {
        let [s] = args.exact::<1>("clear")?;
        event_state(&s)?.clear();
        Ok(Value::None)
    });
    add_method(vm, cls, "wait", |vm, args: Args| {
        let [s] = args.exact::<1>("wait")?;
        event_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "Event.wait",
            Box::pin(async move {
                let st = event_state(&s)?;
                st.wait(&rc, &s).await
            }),
        ))
    });
    add_method(vm, cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let st = event_state(&s)?;
        let extra = format!("{}{}", if st.is_set() { "set" } else { "unset" }, waiters_suffix(&st.waiters));
        Ok(Value::string(repr_with(vm, &s, &extra)))
    });
}

// ----- Condition ----------------------------------------------------------------------

pub struct CondState {
    lock: RefCell<Value>,
    waiters: Waiters,
    binding: LoopBinding,
}

fn cond_state(v: &Value) -> PyResult<&CondState> {
    match v {
        Value::Instance(i) => i.native::<CondState>(),
        _ => None,
    }
    .ok_or_else(|| Exc::type_error("a Condition object is required"))
}

impl CondState {
    fn lock(&self) -> Value {
        self.lock.borrow().clone()
    }
}

/// `cond.locked()`: the underlying lock's state (a native Lock directly, any other
/// lock object through its `locked` method).
fn cond_locked(vm: &Vm, st: &CondState) -> PyResult<bool> {
    let l = st.lock();
    if let Ok(ls) = lock_state(&l) {
        return Ok(ls.locked.get());
    }
    let r = vm.call_method(&l, &vm.intern("locked"), Args::empty())?;
    vm.truthy(&r)
}

fn cond_release(vm: &Vm, st: &CondState) -> PyResult<Value> {
    let l = st.lock();
    if let Ok(ls) = lock_state(&l) {
        ls.release(vm)?;
        return Ok(Value::None);
    }
    vm.call_method(&l, &vm.intern("release"), Args::empty())
}

async fn cond_acquire(vm: &Vm, lock: Value) -> PyResult<Value> {
    if lock_state(&lock).is_ok() {
        return lock_acquire(vm, lock).await;
    }
    let aw = vm.call_method(&lock, &vm.intern("acquire"), Args::empty())?;
    vm.await_value(aw).await
}

/// `Condition.wait()`: release the lock, wait for a notify, then re-acquire the lock
/// even if cancelled meanwhile (re-raising CancelledError afterwards), as CPython does.
async fn cond_wait(vm: &Vm, this: Value) -> PyResult<Value> {
    let st = cond_state(&this)?;
    if !cond_locked(vm, st)? {
        return Err(Exc::runtime_error("cannot wait on un-acquired lock"));
    }
    cond_release(vm, st)?;
    let r = match new_waiter(vm, &this, &st.binding, &st.waiters) {
        Ok(fut) => {
            let r = futures::await_future(vm, fut.clone()).await;
            remove_waiter(&st.waiters, &fut);
            r.map(|_| Value::Bool(true))
        }
        Err(e) => Err(e),
    };
    // The `finally:` block: take the lock back whatever happened.
    let mut cancelled = false;
    loop {
        match cond_acquire(vm, st.lock()).await {
            Ok(_) => break,
            Err(e) if vm.exc_is(&e, ExcKind::CancelledError) => cancelled = true,
            Err(e) => return Err(e),
        }
    }
    if cancelled {
        return Err(Exc::with_args(ExcKind::CancelledError, vec![]));
    }
    r
}

fn cond_notify(vm: &Vm, st: &CondState, n: i64) -> PyResult<()> {
    if !cond_locked(vm, st)? {
        return Err(Exc::runtime_error("cannot notify on un-acquired lock"));
    }
    let ws: Vec<Value> = st.waiters.borrow().iter().cloned().collect();
    let mut idx = 0;
    for f in ws {
        if idx >= n {
            break;
        }
        if !is_done(&f) {
            idx += 1;
            futures::set_result(vm, &f, Value::Bool(false))?;
        }
    }
    Ok(())
}

fn install_condition(vm: &Vm, cls: &Rc<Class>, lock_cls: Rc<Class>) {
    add_method(vm, cls, "__new__", |_vm, args: Args| {
        let cls = match args.pos.first() {
            Some(Value::Class(c)) => c.clone(),
            _ => return Err(Exc::type_error("Condition.__new__(X): X is not a type object")),
        };
        let st = CondState { lock: RefCell::new(Value::None), waiters: Waiters::default(), binding: LoopBinding::default() };
        Ok(Value::Instance(Instance::new(cls, Payload::Native(Box::new(st)))))
    });
    add_method(vm, cls, "__init__", move |_vm, args: Args| {
        let [s, lock] = args.bind("Condition", ["self", "lock"], 1)?;
        let s = s.ok_or_else(|| Exc::type_error("Condition() needs self"))?;
        let st = cond_state(&s)?;
        let lock = match lock {
            Some(l) if !l.is_none() => l,
            _ => Value::Instance(Instance::new(lock_cls.clone(), Payload::Native(Box::new(LockState::default())))),
        };
        *st.lock.borrow_mut() = lock;
        Ok(Value::None)
    });
    add_getter(vm, cls, "_lock", |_vm, args: Args| {
        let [s] = args.exact::<1>("_lock")?;
        Ok(cond_state(&s)?.lock())
    });
    add_method(vm, cls, "locked", |vm, args: Args| {
        let [s] = args.exact::<1>("locked")?;
        Ok(Value::Bool(cond_locked(vm, cond_state(&s)?)?))
    });
    add_method(vm, cls, "release", |vm, args: Args| {
        let [s] = args.exact::<1>("release")?;
        cond_release(vm, cond_state(&s)?)
    });
    add_method(vm, cls, "acquire", |vm, args: Args| {
        let [s] = args.exact::<1>("acquire")?;
        let l = cond_state(&s)?.lock();
        if lock_state(&l).is_ok() {
            let rc = vm.rc();
            return Ok(coroutine(vm, "Lock.acquire", Box::pin(async move { lock_acquire(&rc, l).await })));
        }
        vm.call_method(&l, &vm.intern("acquire"), Args::empty())
    });
    add_method(vm, cls, "__aenter__", |vm, args: Args| {
        let [s] = args.exact::<1>("__aenter__")?;
        let l = cond_state(&s)?.lock();
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "_ContextManagerMixin.__aenter__",
            Box::pin(async move {
                cond_acquire(&rc, l).await?;
                Ok(Value::None)
            }),
        ))
    });
    add_method(vm, cls, "__aexit__", |vm, args: Args| {
        let s = self_arg(&args, "__aexit__")?;
        cond_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "_ContextManagerMixin.__aexit__",
            Box::pin(async move {
                cond_release(&rc, cond_state(&s)?)?;
                Ok(Value::None)
            }),
        ))
    });
    add_method(vm, cls, "wait", |vm, args: Args| {
        let [s] = args.exact::<1>("wait")?;
        cond_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(vm, "Condition.wait", Box::pin(async move { cond_wait(&rc, s).await })))
    });
    add_method(vm, cls, "wait_for", |vm, args: Args| {
        let [s, pred] = args.exact::<2>("wait_for")?;
        cond_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "Condition.wait_for",
            Box::pin(async move {
                let vm = &*rc;
                let mut result = vm.call(&pred, Args::empty())?;
                while !vm.truthy(&result)? {
                    // `await self.wait()`: through the method, so a subclass may override it.
                    let w = vm.call_method(&s, &vm.intern("wait"), Args::empty())?;
                    vm.await_value(w).await?;
                    result = vm.call(&pred, Args::empty())?;
                }
                Ok(result)
            }),
        ))
    });
    add_method(vm, cls, "notify", |vm, args: Args| {
        let [s, n] = args.bind("notify", ["self", "n"], 1)?;
        let s = s.ok_or_else(|| Exc::type_error("notify() needs self"))?;
        let n = match n {
            Some(v) => vm.index_value(&v)?,
            None => 1,
        };
        cond_notify(vm, cond_state(&s)?, n)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "notify_all", |vm, args: Args| {
        let [s] = args.exact::<1>("notify_all")?;
        let st = cond_state(&s)?;
        let n = st.waiters.borrow().len() as i64;
        cond_notify(vm, st, n)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let st = cond_state(&s)?;
        let extra = format!("{}{}", if cond_locked(vm, st)? { "locked" } else { "unlocked" }, waiters_suffix(&st.waiters));
        Ok(Value::string(repr_with(vm, &s, &extra)))
    });
}

// ----- Semaphore / BoundedSemaphore ---------------------------------------------------

#[derive(Default)]
pub struct SemState {
    value: Cell<i64>,
    /// `BoundedSemaphore`'s initial value.
    bound: Cell<Option<i64>>,
    waiters: Waiters,
    binding: LoopBinding,
}

fn sem_state(v: &Value) -> PyResult<&SemState> {
    match v {
        Value::Instance(i) => i.native::<SemState>(),
        _ => None,
    }
    .ok_or_else(|| Exc::type_error("a Semaphore object is required"))
}

impl SemState {
    /// True if `acquire()` would block: no value left, or a live waiter is queued
    /// ahead (3.11.7: newcomers do not overtake waiters).
    fn locked(&self) -> bool {
        self.value.get() == 0 || self.waiters.borrow().iter().any(|w| !is_cancelled(w))
    }

    /// `_wake_up_next`: hand one unit to the first waiter that is not done.
    fn wake_up_next(&self, vm: &Vm) -> PyResult<()> {
        let ws: Vec<Value> = self.waiters.borrow().iter().cloned().collect();
        for f in ws {
            if !is_done(&f) {
                self.value.set(self.value.get() - 1);
                futures::set_result(vm, &f, Value::Bool(true))?;
                return Ok(());
            }
        }
        Ok(())
    }

    fn release(&self, vm: &Vm) -> PyResult<()> {
        if let Some(b) = self.bound.get() {
            if self.value.get() >= b {
                return Err(Exc::value_error("BoundedSemaphore released too many times"));
            }
        }
        self.value.set(self.value.get() + 1);
        self.wake_up_next(vm)
    }
}

async fn sem_acquire(vm: &Vm, this: Value) -> PyResult<Value> {
    let st = sem_state(&this)?;
    if !st.locked() {
        st.value.set(st.value.get() - 1);
        return Ok(Value::Bool(true));
    }
    let fut = new_waiter(vm, &this, &st.binding, &st.waiters)?;
    let r = futures::await_future(vm, fut.clone()).await;
    remove_waiter(&st.waiters, &fut);
    if let Err(e) = r {
        if vm.exc_is(&e, ExcKind::CancelledError) && !is_cancelled(&fut) {
            // We were handed a unit (the future got its result) but were cancelled
            // before running: give the unit back and pass the turn on.
            st.value.set(st.value.get() + 1);
            st.wake_up_next(vm)?;
        }
        return Err(e);
    }
    if st.value.get() > 0 {
        st.wake_up_next(vm)?;
    }
    Ok(Value::Bool(true))
}

fn install_semaphore(vm: &Vm, cls: &Rc<Class>) {
    add_method(vm, cls, "__new__", |_vm, args: Args| {
        let cls = match args.pos.first() {
            Some(Value::Class(c)) => c.clone(),
            _ => return Err(Exc::type_error("Semaphore.__new__(X): X is not a type object")),
        };
        let st = SemState::default();
        st.value.set(1);
        Ok(Value::Instance(Instance::new(cls, Payload::Native(Box::new(st)))))
    });
    add_method(vm, cls, "__init__", |vm, args: Args| {
        let [s, value] = args.bind("Semaphore", ["self", "value"], 1)?;
        let s = s.ok_or_else(|| Exc::type_error("Semaphore() needs self"))?;
        let st = sem_state(&s)?;
        let v = match value {
            Some(v) => vm.index_value(&v)?,
            None => 1,
        };
        if v < 0 {
            return Err(Exc::value_error("Semaphore initial value must be >= 0"));
        }
        st.value.set(v);
        Ok(Value::None)
    });
    add_getter(vm, cls, "_value", |_vm, args: Args| {
        let [s] = args.exact::<1>("_value")?;
        Ok(Value::Int(sem_state(&s)?.value.get()))
    });
    add_method(vm, cls, "locked", |_vm, args: Args| {
        let [s] = args.exact::<1>("locked")?;
        Ok(Value::Bool(sem_state(&s)?.locked()))
    });
    add_method(vm, cls, "release", |vm, args: Args| {
        let [s] = args.exact::<1>("release")?;
        sem_state(&s)?.release(vm)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "acquire", |vm, args: Args| {
        let [s] = args.exact::<1>("acquire")?;
        sem_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(vm, "Semaphore.acquire", Box::pin(async move { sem_acquire(&rc, s).await })))
    });
    add_method(vm, cls, "__aenter__", |vm, args: Args| {
        let [s] = args.exact::<1>("__aenter__")?;
        sem_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "_ContextManagerMixin.__aenter__",
            Box::pin(async move {
                sem_acquire(&rc, s).await?;
                Ok(Value::None)
            }),
        ))
    });
    add_method(vm, cls, "__aexit__", |vm, args: Args| {
        let s = self_arg(&args, "__aexit__")?;
        sem_state(&s)?;
        let rc = vm.rc();
        Ok(coroutine(
            vm,
            "_ContextManagerMixin.__aexit__",
            Box::pin(async move {
                sem_state(&s)?.release(&rc)?;
                Ok(Value::None)
            }),
        ))
    });
    add_method(vm, cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let st = sem_state(&s)?;
        let base = if st.locked() { "locked".to_string() } else { format!("unlocked, value:{}", st.value.get()) };
        let extra = format!("{base}{}", waiters_suffix(&st.waiters));
        Ok(Value::string(repr_with(vm, &s, &extra)))
    });
}

fn install_bounded(vm: &Vm, cls: &Rc<Class>) {
    add_method(vm, cls, "__init__", |vm, args: Args| {
        let [s, value] = args.bind("BoundedSemaphore", ["self", "value"], 1)?;
        let s = s.ok_or_else(|| Exc::type_error("BoundedSemaphore() needs self"))?;
        let st = sem_state(&s)?;
        let v = match value {
            Some(v) => vm.index_value(&v)?,
            None => 1,
        };
        st.bound.set(Some(v));
        if v < 0 {
            return Err(Exc::value_error("Semaphore initial value must be >= 0"));
        }
        st.value.set(v);
        Ok(Value::None)
    });
    add_getter(vm, cls, "_bound_value", |_vm, args: Args| {
        let [s] = args.exact::<1>("_bound_value")?;
        Ok(sem_state(&s)?.bound.get().map(Value::Int).unwrap_or(Value::None))
    });
}

/// The lock classes, made once per interpreter.
pub struct LockClasses {
    pub lock: Rc<Class>,
    pub event: Rc<Class>,
    pub condition: Rc<Class>,
    pub semaphore: Rc<Class>,
    pub bounded_semaphore: Rc<Class>,
}

pub fn classes(vm: &Vm) -> Rc<LockClasses> {
    if let Some(c) = vm.extension::<LockClasses>() {
        return c;
    }
    let object = vm.types.object.clone();
    let mk = |name: &str, base: &Rc<Class>| {
        let c = make_class(name, vec![base.clone()], BaseKind::Native, None);
        *c.module.borrow_mut() = "asyncio.locks".into();
        c
    };
    let lock = mk("Lock", &object);
    let event = mk("Event", &object);
    let condition = mk("Condition", &object);
    let semaphore = mk("Semaphore", &object);
    let bounded_semaphore = mk("BoundedSemaphore", &semaphore);
    install_lock(vm, &lock);
    install_event(vm, &event);
    install_condition(vm, &condition, lock.clone());
    install_semaphore(vm, &semaphore);
    install_bounded(vm, &bounded_semaphore);
    let c = Rc::new(LockClasses { lock, event, condition, semaphore, bounded_semaphore });
    vm.set_extension(c.clone());
    c
}
