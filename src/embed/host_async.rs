//! Awaiting host futures: a call to an async host function returns a coroutine whose
//! body creates an asyncio Future, runs the Rust future on the event loop's tokio
//! runtime (a `LocalSet`, so it need not be `Send`), and awaits the asyncio Future.
//!
//! While the Rust future is in flight the loop counts it as external work
//! (`begin_external`/`end_external`), so it sleeps waiting for it instead of reporting a
//! deadlock. When the Rust future finishes it stores its result and posts a completion
//! through the loop's external channel; the completion resolves the asyncio Future on
//! the interpreter thread. When the coroutine is cancelled (or dropped), a guard takes
//! the Rust future out of its slot and drops it right away, before the CancelledError
//! goes on unwinding.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use super::convert::{Ctx, IntoValue};
use super::error::Error;
use crate::event_loop::EventLoop;
use crate::modules::asyncio::{futures, native_coroutine, running_loop};
use crate::runtime::generator::BodyFuture;
use crate::runtime::Value;
use crate::vm::Vm;

type Slot = Rc<RefCell<Option<Pin<Box<dyn Future<Output = ()>>>>>>;

/// Completions waiting for the interpreter thread, by id (per interpreter).
#[derive(Default)]
struct Pending {
    next: Cell<u64>,
    done: RefCell<std::collections::HashMap<u64, Box<dyn FnOnce(&Vm)>>>,
}

/// Drops the Rust future (if still running) and balances `begin_external`.
struct Guard {
    pending: Rc<Pending>,
    id: u64,
    slot: Slot,
    finished: Rc<Cell<bool>>,
    event_loop: Rc<EventLoop>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.finished.get() {
            self.finished.set(true);
            // Dropping the future here is the cancellation the host observes.
            let fut = self.slot.borrow_mut().take();
            drop(fut);
            self.event_loop.end_external();
        }
        let job = self.pending.done.borrow_mut().remove(&self.id);
        drop(job);
    }
}

/// The coroutine a call to an async host function returns.
pub(crate) fn coroutine<Fut, R>(vm: &Vm, name: &str, fut: Fut) -> Value
where
    Fut: Future<Output = Result<R, Error>> + 'static,
    R: IntoValue + 'static,
{
    let rc = vm.rc();
    let body: BodyFuture = Box::pin(async move {
        let vm = &*rc;
        let l = running_loop(vm)?;
        let afut = futures::new_future(vm, l.clone());
        let pending = match vm.extension::<Pending>() {
            Some(p) => p,
            None => {
                let p = Rc::new(Pending::default());
                vm.set_extension(p.clone());
                p
            }
        };
        let id = pending.next.get() + 1;
        pending.next.set(id);
        let finished = Rc::new(Cell::new(false));
        let result: Rc<RefCell<Option<Result<R, Error>>>> = Rc::new(RefCell::new(None));
        let (tx, notify) = l.external_sender();
        // The task that drives the host future on the loop's LocalSet.
        let res = result.clone();
        let wrapped: Pin<Box<dyn Future<Output = ()>>> = Box::pin(async move {
            let r = fut.await;
            *res.borrow_mut() = Some(r);
            // Wake the loop with a completion that names this call.
            let _ = tx.send(Box::new(move |vm: &Vm| complete(vm, id)));
            notify.notify_one();
        });
        let slot: Slot = Rc::new(RefCell::new(Some(wrapped)));
        // Resolve the asyncio future once the completion reaches the interpreter thread.
        {
            let afut = afut.clone();
            let result = result.clone();
            let finished = finished.clone();
            let slot = slot.clone();
            let l2 = l.clone();
            pending.done.borrow_mut().insert(
                id,
                Box::new(move |vm: &Vm| {
                    if finished.get() {
                        return; // cancelled meanwhile: the guard already balanced the count
                    }
                    finished.set(true);
                    slot.borrow_mut().take();
                    l2.end_external();
                    let Some(c) = futures::core(&afut) else { return };
                    if c.done() {
                        return;
                    }
                    let r = result.borrow_mut().take();
                    let outcome = match r {
                        Some(Ok(v)) => v.into_value(Ctx::new(vm)),
                        Some(Err(e)) => Err(e),
                        None => Err(Error::new("RuntimeError", "host future vanished")),
                    };
                    let _ = match outcome {
                        Ok(v) => futures::set_result(vm, &afut, v),
                        Err(e) => futures::set_exception_exc(vm, &afut, e.to_exc(vm)),
                    };
                }),
            );
        }
        l.begin_external();
        let guard = Guard { pending: pending.clone(), id, slot: slot.clone(), finished: finished.clone(), event_loop: l.clone() };
        let driver = slot.clone();
        l.spawn_local(std::future::poll_fn(move |cx| {
            // Poll the host future through its slot; an emptied slot means it was
            // cancelled (and already dropped) or finished.
            let mut s = driver.borrow_mut();
            match s.as_mut() {
                None => Poll::Ready(()),
                Some(f) => match f.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        *s = None;
                        Poll::Ready(())
                    }
                    Poll::Pending => Poll::Pending,
                },
            }
        }));
        let r = futures::await_future(vm, afut).await;
        drop(guard);
        r
    });
    native_coroutine(vm, name, body)
}

/// Run the completion posted for call `id`.
fn complete(vm: &Vm, id: u64) {
    let Some(p) = vm.extension::<Pending>() else { return };
    let job = p.done.borrow_mut().remove(&id);
    if let Some(job) = job {
        job(vm);
    }
}
