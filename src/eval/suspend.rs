//! Suspension: how generator and coroutine bodies pause and resume.
//!
//! A generator body is a future of the async evaluator, polled by hand with a no-op
//! waker. `yield v` is a [`YieldPoint`]: its first poll parks `v` in `Vm::yield_slot`
//! and returns `Pending`, which unwinds straight to whoever polled the body; the next
//! poll takes the resume value (or exception) from `Vm::resume_slot`. Polls nest strictly
//! (a generator resumed from inside another finishes its poll first), so one slot pair
//! per interpreter is enough.
//!
//! `await coro()` and `yield from gen()` on a fresh coroutine/generator run its body
//! future inline: the inner body's yields pass through unchanged, and sends and throws
//! reach the innermost paused `yield` directly, which is exactly PEP 380's delegation
//! without a per-level resume. Coroutines use the same machinery: a task drives its
//! coroutine with `resume`, and awaiting a pending future yields that future to the task.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::runtime::exception::ExcKind;
use crate::runtime::generator::{BodyFuture, GenKind, GenState, Generator};
use crate::runtime::{Exc, PyResult, Value};
use crate::vm::{Resume, Vm};

/// The outcome of resuming a generator once.
pub enum GenStep {
    Yielded(Value),
    Returned(Value),
}

/// A paused `yield`.
pub struct YieldPoint<'a> {
    vm: &'a Vm,
    value: Option<Value>,
}

impl<'a> YieldPoint<'a> {
    pub fn new(vm: &'a Vm, value: Value) -> Self {
        YieldPoint { vm, value: Some(value) }
    }
}

impl Future for YieldPoint<'_> {
    type Output = PyResult<Value>;
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(v) = self.value.take() {
            *self.vm.yield_slot.borrow_mut() = Some(v);
            return Poll::Pending;
        }
        match self.vm.resume_slot.borrow_mut().take() {
            Some(Resume::Send(v)) => Poll::Ready(Ok(v)),
            Some(Resume::Throw(e)) => Poll::Ready(Err(e)),
            None => Poll::Ready(Ok(Value::None)),
        }
    }
}

fn noop_raw_waker() -> RawWaker {
    fn clone(_: *const ()) -> RawWaker {
        noop_raw_waker()
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    RawWaker::new(std::ptr::null(), &VTABLE)
}

/// A waker that does nothing: generator bodies are resumed explicitly, never woken.
pub fn noop_waker() -> Waker {
    // SAFETY: the vtable functions ignore the data pointer and never dereference it.
    unsafe { Waker::from_raw(noop_raw_waker()) }
}

impl Vm {
    /// Resume a generator or coroutine once with a value or an exception.
    pub fn resume(&self, g: &Rc<Generator>, resume: Resume) -> PyResult<GenStep> {
        let state = std::mem::replace(&mut *g.state.borrow_mut(), GenState::Running);
        let mut fut = match state {
            GenState::Created(f) => match resume {
                Resume::Send(v) if !v.is_none() => {
                    *g.state.borrow_mut() = GenState::Created(f);
                    return Err(Exc::type_error(format!(
                        "can't send non-None value to a just-started {}",
                        kind_name(g.kind)
                    )));
                }
                Resume::Throw(e) => {
                    // Thrown into a generator that never started: it finishes at once.
                    *g.state.borrow_mut() = GenState::Closed;
                    return Err(e);
                }
                Resume::Send(_) => {
                    *self.resume_slot.borrow_mut() = None;
                    f
                }
            },
            GenState::Suspended(f) => {
                *self.resume_slot.borrow_mut() = Some(resume);
                f
            }
            GenState::Running => {
                return Err(Exc::value_error(format!("{} already executing", kind_name(g.kind))));
            }
            GenState::Closed => {
                *g.state.borrow_mut() = GenState::Closed;
                return match resume {
                    Resume::Throw(e) => Err(e),
                    Resume::Send(_) => {
                        if g.kind == GenKind::Coroutine {
                            Err(Exc::runtime_error("cannot reuse already awaited coroutine"))
                        } else {
                            Ok(GenStep::Returned(Value::None))
                        }
                    }
                };
            }
        };
        g.started.set(true);
        // The generator's own "exception being handled" entries live with it while it
        // is paused (CPython keeps exc_info per frame).
        let base = self.handled.borrow().len();
        if !g.saved_handled.borrow().is_empty() {
            self.handled.borrow_mut().extend(g.saved_handled.borrow_mut().drain(..));
        }
        let depth = self.depth.get();
        if depth >= self.recursion_limit.get() {
            *g.state.borrow_mut() = GenState::Suspended(fut);
            return Err(Exc::new(ExcKind::RecursionError, "maximum recursion depth exceeded"));
        }
        self.depth.set(depth + 1);
        let waker = noop_waker();
        let poll = super::functions::with_stack(|| {
            let mut cx = Context::from_waker(&waker);
            fut.as_mut().poll(&mut cx)
        });
        self.depth.set(depth);
        match poll {
            Poll::Pending => {
                let mut h = self.handled.borrow_mut();
                if h.len() > base {
                    *g.saved_handled.borrow_mut() = h.split_off(base);
                }
                drop(h);
                *g.state.borrow_mut() = GenState::Suspended(fut);
                let v = self.yield_slot.borrow_mut().take().unwrap_or(Value::None);
                Ok(GenStep::Yielded(v))
            }
            Poll::Ready(r) => {
                self.handled.borrow_mut().truncate(base);
                *g.state.borrow_mut() = GenState::Closed;
                *g.awaiting.borrow_mut() = None;
                match r {
                    Ok(v) => Ok(GenStep::Returned(v)),
                    Err(mut e) => {
                        e.0.noted = false;
                        Err(self.pep479(g.kind, e))
                    }
                }
            }
        }
    }

    /// PEP 479: a StopIteration escaping a generator body becomes RuntimeError.
    fn pep479(&self, kind: GenKind, e: Exc) -> Exc {
        let (what, escaped) = match kind {
            GenKind::AsyncGenerator if self.exc_is(&e, ExcKind::StopAsyncIteration) => ("async generator raised StopAsyncIteration", true),
            _ if self.exc_is(&e, ExcKind::StopIteration) => (
                match kind {
                    GenKind::Generator => "generator raised StopIteration",
                    GenKind::Coroutine => "coroutine raised StopIteration",
                    GenKind::AsyncGenerator => "async generator raised StopIteration",
                },
                true,
            ),
            _ => ("", false),
        };
        if !escaped {
            return e;
        }
        let mut e = e;
        let cause = Value::Instance(self.materialize(&mut e));
        let mut new = Exc::runtime_error(what);
        let inst = self.materialize(&mut new);
        if let Some(p) = inst.exception() {
            *p.cause.borrow_mut() = Some(cause.clone());
            *p.context.borrow_mut() = Some(cause);
            p.suppress_context.set(true);
        }
        new.0.traceback = e.0.traceback;
        new
    }

    /// `next(gen)`: `Ok(None)` when it returns (its value kept for StopIteration).
    pub fn generator_next(&self, g: &Rc<Generator>) -> PyResult<Option<Value>> {
        match self.resume(g, Resume::Send(Value::None))? {
            GenStep::Yielded(v) => Ok(Some(v)),
            GenStep::Returned(v) => {
                *self.stop_value.borrow_mut() = if v.is_none() { None } else { Some(v) };
                Ok(None)
            }
        }
    }

    /// `gen.close()`.
    pub fn generator_close(&self, g: &Rc<Generator>) -> PyResult<()> {
        let (suspended, running) = {
            let st = g.state.borrow();
            (matches!(&*st, GenState::Suspended(_)), matches!(&*st, GenState::Running))
        };
        if running {
            return Err(Exc::value_error(format!("{} already executing", kind_name(g.kind))));
        }
        if !suspended {
            drop_state(g);
            return Ok(());
        }
        let exit = Exc::with_args(ExcKind::GeneratorExit, vec![]);
        match self.resume(g, Resume::Throw(exit)) {
            Ok(GenStep::Yielded(_)) => {
                Err(Exc::runtime_error(format!("{} ignored GeneratorExit", kind_name(g.kind))))
            }
            Ok(GenStep::Returned(_)) => Ok(()),
            Err(e) if self.exc_is(&e, ExcKind::GeneratorExit) || self.exc_is(&e, ExcKind::StopIteration) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Run the body of a fresh generator/coroutine inline (`await coro()`,
    /// `yield from gen()`); `None` if it is not fresh.
    pub fn take_fresh_body(&self, g: &Rc<Generator>) -> Option<BodyFuture> {
        let mut st = g.state.borrow_mut();
        if !matches!(&*st, GenState::Created(_)) {
            return None;
        }
        match std::mem::replace(&mut *st, GenState::Running) {
            GenState::Created(f) => {
                g.started.set(true);
                Some(f)
            }
            _ => None,
        }
    }

    /// Make a generator/coroutine object around a body future.
    pub fn new_generator(&self, kind: GenKind, name: crate::syntax::ast::Name, qualname: Rc<str>, body: BodyFuture) -> Value {
        Value::Generator(Rc::new(Generator {
            kind,
            state: std::cell::RefCell::new(GenState::Created(body)),
            name,
            qualname,
            running_async: std::cell::Cell::new(false),
            started: std::cell::Cell::new(false),
            origin: std::cell::RefCell::new(None),
            awaiting: std::cell::RefCell::new(None),
            suspended_at: std::cell::RefCell::new(None),
            saved_handled: std::cell::RefCell::new(Vec::new()),
            vm: self.weak(),
            legacy: std::cell::Cell::new(false),
        }))
    }
}

impl Vm {
    /// `RuntimeWarning: coroutine 'f' was never awaited`, pointing at where it was made.
    pub fn warn_never_awaited(&self, qualname: &str, origin: Option<&crate::runtime::exception::TraceEntry>) {
        let msg = format!("RuntimeWarning: coroutine '{qualname}' was never awaited");
        let text = match origin {
            Some(o) => {
                let line = o.file.line_of(o.span.start);
                format!(
                    "{}:{}: {}\n  {}\n",
                    o.file.name,
                    line,
                    msg,
                    o.file.line_text(line).trim()
                )
            }
            None => format!("{msg}\n"),
        };
        self.write_stderr(&text);
    }
}

fn drop_state(g: &Generator) {
    *g.state.borrow_mut() = GenState::Closed;
}

pub fn kind_name(k: GenKind) -> &'static str {
    match k {
        GenKind::Generator => "generator",
        GenKind::Coroutine => "coroutine",
        GenKind::AsyncGenerator => "async generator",
    }
}

impl Drop for Generator {
    /// An abandoned, paused generator is closed so its `finally` blocks run; a
    /// coroutine that never ran gets CPython's "never awaited" warning.
    fn drop(&mut self) {
        if self.kind == GenKind::Coroutine && !self.started.get() && !self.legacy.get() {
            if let Some(vm) = self.vm.upgrade() {
                if matches!(&*self.state.borrow(), GenState::Created(_)) {
                    vm.warn_never_awaited(&self.qualname, self.origin.borrow().as_ref());
                }
            }
        }
        let paused = matches!(&*self.state.borrow(), GenState::Suspended(_));
        if !paused || self.kind != GenKind::Generator {
            return;
        }
        let Some(vm) = self.vm.upgrade() else { return };
        let GenState::Suspended(mut fut) = std::mem::replace(&mut *self.state.borrow_mut(), GenState::Closed) else {
            return;
        };
        *vm.resume_slot.borrow_mut() = Some(Resume::Throw(Exc::with_args(ExcKind::GeneratorExit, vec![])));
        let waker = noop_waker();
        let mut cx = Context::from_waker(&waker);
        let base = vm.handled.borrow().len();
        if fut.as_mut().poll(&mut cx).is_pending() {
            vm.yield_slot.borrow_mut().take();
        }
        vm.handled.borrow_mut().truncate(base);
    }
}
