//! `_thread.lock` and `_thread.RLock`: the one blocking primitive threads wait on.
//!
//! `threading`'s `Condition`, `Event`, `Semaphore` and `Thread.join` are written in
//! coro (`prelude/threading.coro`) on top of these, as CPython writes them on
//! `_thread`'s locks, so only `acquire` needs to know how to wait. A green thread waits
//! on an asyncio future in the lock's waiter queue (`release` wakes the first one, which
//! then retries: no hand-off, as with a real lock); code that cannot suspend drives the
//! loop until the lock is free (`super::pump_until`).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use crate::builtins::add_method;
use crate::modules::asyncio::futures;
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;

pub struct LockState {
    locked: Cell<bool>,
    /// For `RLock`: the owning thread's ident and the recursion count.
    reentrant: Option<(Cell<u64>, Cell<u32>)>,
    /// Futures of green threads waiting for a release.
    waiters: RefCell<VecDeque<Value>>,
}

impl LockState {
    /// Take the lock if that does not block.
    fn try_acquire(&self, me: u64) -> bool {
        match &self.reentrant {
            Some((owner, count)) => {
                if self.locked.get() && owner.get() != me {
                    return false;
                }
                self.locked.set(true);
                owner.set(me);
                count.set(count.get() + 1);
                true
            }
            None => {
                if self.locked.get() {
                    return false;
                }
                self.locked.set(true);
                true
            }
        }
    }

    fn release(&self, vm: &Vm, me: u64) -> PyResult<()> {
        match &self.reentrant {
            Some((owner, count)) => {
                if !self.locked.get() || owner.get() != me {
                    return Err(Exc::runtime_error("cannot release un-acquired lock"));
                }
                count.set(count.get() - 1);
                if count.get() > 0 {
                    return Ok(());
                }
                owner.set(0);
            }
            None => {
                if !self.locked.get() {
                    return Err(Exc::runtime_error("release unlocked lock"));
                }
            }
        }
        self.locked.set(false);
        // Wake the first green waiter still waiting; it retries the acquire when it runs.
        loop {
            let Some(w) = self.waiters.borrow_mut().pop_front() else { break };
            if futures::core(&w).map(|c| !c.done()).unwrap_or(false) {
                futures::set_result(vm, &w, Value::None)?;
                break;
            }
        }
        Ok(())
    }
}

pub struct LockClasses {
    pub lock: Rc<Class>,
    pub rlock: Rc<Class>,
}

pub fn classes(vm: &Vm) -> Rc<LockClasses> {
    if let Some(c) = vm.extension::<LockClasses>() {
        return c;
    }
    let lock = make_class("lock", vec![vm.types.object.clone()], BaseKind::Native, None);
    *lock.module.borrow_mut() = "_thread".into();
    let rlock = make_class("RLock", vec![vm.types.object.clone()], BaseKind::Native, None);
    *rlock.module.borrow_mut() = "_thread".into();
    install_methods(vm, &lock, false);
    install_methods(vm, &rlock, true);
    let c = Rc::new(LockClasses { lock, rlock });
    vm.set_extension(c.clone());
    c
}

pub fn new_lock(vm: &Vm, reentrant: bool) -> Value {
    let c = classes(vm);
    let state = LockState {
        locked: Cell::new(false),
        reentrant: reentrant.then(|| (Cell::new(0), Cell::new(0))),
        waiters: RefCell::new(VecDeque::new()),
    };
    let cls = if reentrant { c.rlock.clone() } else { c.lock.clone() };
    Value::Instance(Instance::new(cls, Payload::Native(Box::new(state))))
}

pub fn state(v: &Value) -> Option<&LockState> {
    match v {
        Value::Instance(i) => i.native::<LockState>(),
        _ => None,
    }
}

fn this(args: &Args) -> PyResult<(Value, &LockState)> {
    let v = args.pos.first().ok_or_else(|| Exc::type_error("lock method needs a lock"))?;
    let st = state(v).ok_or_else(|| Exc::type_error("descriptor requires a '_thread.lock' object"))?;
    Ok((v.clone(), st))
}

/// `acquire(blocking=True, timeout=-1)`'s arguments, checked as CPython checks them.
pub fn acquire_args(vm: &Vm, args: Args) -> PyResult<(Value, bool, Option<f64>)> {
    let [me, blocking, timeout] = args.bind("acquire", ["self", "blocking", "timeout"], 1)?;
    let me = me.unwrap_or(Value::None);
    let blocking = match blocking {
        Some(b) => vm.truthy(&b)?,
        None => true,
    };
    let timeout = match timeout {
        Some(t) => crate::modules::math::to_float(vm, &t)?,
        None => -1.0,
    };
    if !blocking && timeout != -1.0 {
        return Err(Exc::value_error("can't specify a timeout for a non-blocking call"));
    }
    if timeout < 0.0 && timeout != -1.0 {
        return Err(Exc::value_error("timeout value must be a non-negative number"));
    }
    Ok((me, blocking, (timeout >= 0.0).then_some(timeout)))
}

/// Acquire from code that cannot suspend: drive the loop until the lock is free.
fn sync_acquire(vm: &Vm, lock: &Value, blocking: bool, timeout: Option<f64>) -> PyResult<bool> {
    let st = state(lock).ok_or_else(|| Exc::type_error("not a lock"))?;
    let me = super::current_ident(vm);
    if st.try_acquire(me) {
        return Ok(true);
    }
    if !blocking {
        return Ok(false);
    }
    let deadline = timeout.map(|t| vm.clock.now() + t);
    super::pump_until(vm, deadline, &|| !st.locked.get() || st.reentrant.as_ref().map(|(o, _)| o.get() == me).unwrap_or(false))?;
    Ok(st.try_acquire(me))
}

/// Acquire from a green thread: wait in the lock's queue, so other threads run.
pub async fn green_acquire(vm: &Vm, lock: &Value, blocking: bool, timeout: Option<f64>) -> PyResult<bool> {
    let st = state(lock).ok_or_else(|| Exc::type_error("not a lock"))?;
    let me = super::current_ident(vm);
    if st.try_acquire(me) {
        return Ok(true);
    }
    if !blocking {
        return Ok(false);
    }
    let Some(l) = vm.running_loop.borrow().clone() else {
        return sync_acquire(vm, lock, blocking, timeout);
    };
    let deadline = timeout.map(|t| vm.clock.now() + t);
    loop {
        let fut = futures::new_future(vm, l.clone());
        st.waiters.borrow_mut().push_back(fut.clone());
        let timer = deadline.map(|d| super::green::resolve_at(vm, &l, d, &fut));
        let r = futures::await_future(vm, fut.clone()).await;
        if let Some(t) = timer {
            t.cancel();
        }
        {
            let mut w = st.waiters.borrow_mut();
            if let Some(i) = w.iter().position(|x| x.is(&fut)) {
                w.remove(i);
            }
        }
        r?;
        if st.try_acquire(me) {
            return Ok(true);
        }
        if deadline.map(|d| vm.clock.now() >= d).unwrap_or(false) {
            return Ok(false);
        }
    }
}

fn install_methods(vm: &Vm, cls: &Rc<Class>, reentrant: bool) {
    add_method(vm, cls, "acquire", |vm, args: Args| {
        let (me, blocking, timeout) = acquire_args(vm, args)?;
        sync_acquire(vm, &me, blocking, timeout).map(Value::Bool)
    });
    add_method(vm, cls, "__enter__", |vm, args: Args| {
        let (me, _) = this(&args)?;
        sync_acquire(vm, &me, true, None).map(Value::Bool)
    });
    add_method(vm, cls, "release", |vm, args: Args| {
        let (_, st) = this(&args)?;
        st.release(vm, super::current_ident(vm))?;
        Ok(Value::None)
    });
    add_method(vm, cls, "__exit__", |vm, args: Args| {
        let (_, st) = this(&args)?;
        st.release(vm, super::current_ident(vm))?;
        Ok(Value::None)
    });
    add_method(vm, cls, "locked", |_vm, args: Args| {
        let (_, st) = this(&args)?;
        Ok(Value::Bool(st.locked.get()))
    });
    if reentrant {
        add_method(vm, cls, "_is_owned", |vm, args: Args| {
            let (_, st) = this(&args)?;
            let owned = st.locked.get() && st.reentrant.as_ref().map(|(o, _)| o.get() == super::current_ident(vm)).unwrap_or(false);
            Ok(Value::Bool(owned))
        });
    }
    add_method(vm, cls, "__repr__", move |_vm, args: Args| {
        let (me, st) = this(&args)?;
        let state = if st.locked.get() { "locked" } else { "unlocked" };
        Ok(Value::string(match &st.reentrant {
            Some((owner, count)) => format!(
                "<{state} _thread.RLock object owner={} count={} at {:#x}>",
                owner.get(),
                count.get(),
                me.identity()
            ),
            None => format!("<{state} _thread.lock object at {:#x}>", me.identity()),
        }))
    });
}
