//! The event loop's scheduler: CPython's ready queue and timer heap, on a clock that may
//! be virtual, with tokio as the reactor for waits on the outside world.
//!
//! Order is CPython's: ready handles run FIFO; one iteration runs exactly the handles
//! that were ready when it started (`_run_once`'s `ntodo`); due timers join the ready
//! queue in (deadline, insertion) order before the batch runs. tokio's own scheduler
//! does not promise this order, so it only provides the waiting: sleeping until the
//! next timer, and waking when an executor job or host future completes.

pub mod clock;

use std::cell::{Cell, RefCell};
use std::collections::{BinaryHeap, VecDeque};
use std::rc::Rc;
use std::sync::mpsc;
use std::time::Duration;

use crate::runtime::{Exc, PyResult, Value};
use crate::vm::Vm;

pub use clock::Clock;

/// What a scheduled handle does when it runs.
pub enum Callback {
    /// A Python callable with its arguments (`call_soon(f, *args)`).
    Call(Value, Vec<Value>),
    /// Advance a task (`Task.__step`), optionally throwing an exception into it.
    TaskStep(Value, Option<Exc>),
    /// `Task.__wakeup(future)`: the argument is the future that completed.
    TaskWakeup(Value),
    /// A callback implemented in Rust; receives the handle's argument (for done
    /// callbacks, the future).
    Native(NativeCallback),
}

pub type NativeCallback = Rc<dyn Fn(&Vm, Value) -> PyResult<()>>;

impl Callback {
    /// Identity for `remove_done_callback`.
    pub fn same(&self, other: &Callback) -> bool {
        match (self, other) {
            (Callback::Call(a, _), Callback::Call(b, _)) => a.is(b) || matches!((a, b), (Value::BoundMethod(x), Value::BoundMethod(y)) if x.func.is(&y.func) && x.receiver.is(&y.receiver)),
            (Callback::TaskWakeup(a), Callback::TaskWakeup(b)) => a.is(b),
            (Callback::Native(a), Callback::Native(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
    pub fn clone_cb(&self) -> Callback {
        match self {
            Callback::Call(f, a) => Callback::Call(f.clone(), a.clone()),
            Callback::TaskStep(t, _) => Callback::TaskStep(t.clone(), None),
            Callback::TaskWakeup(t) => Callback::TaskWakeup(t.clone()),
            Callback::Native(n) => Callback::Native(n.clone()),
        }
    }
}

/// A scheduled callback (`asyncio.Handle` / `TimerHandle`).
pub struct Handle {
    pub callback: RefCell<Option<Callback>>,
    /// Extra argument appended when the callback runs (the future, for done callbacks).
    pub arg: RefCell<Option<Value>>,
    pub cancelled: Cell<bool>,
    /// Deadline for timer handles.
    pub when: Option<f64>,
}

impl Handle {
    pub fn cancel(&self) {
        self.cancelled.set(true);
        self.callback.borrow_mut().take();
        self.arg.borrow_mut().take();
    }
}

struct Timer {
    when: f64,
    seq: u64,
    handle: Rc<Handle>,
}

impl PartialEq for Timer {
    fn eq(&self, o: &Self) -> bool {
        self.when == o.when && self.seq == o.seq
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timer {
    // Reversed: BinaryHeap is a max-heap and we want the earliest deadline first.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.when.total_cmp(&self.when).then(o.seq.cmp(&self.seq))
    }
}

/// A completion sent from another thread (executor job, host future).
pub type External = Box<dyn FnOnce(&Vm) + Send>;

pub struct EventLoop {
    ready: RefCell<VecDeque<Rc<Handle>>>,
    timers: RefCell<BinaryHeap<Timer>>,
    seq: Cell<u64>,
    pub stopping: Cell<bool>,
    pub running: Cell<bool>,
    pub closed: Cell<bool>,
    pub debug: Cell<bool>,
    /// Every task created on this loop, for `all_tasks()` and deadlock reports.
    pub tasks: RefCell<Vec<Value>>,
    pub current_task: RefCell<Option<Value>>,
    /// Operations running outside the interpreter that will post a completion.
    pub external_pending: Cell<usize>,
    ext_tx: mpsc::Sender<External>,
    ext_rx: mpsc::Receiver<External>,
    /// Wakes the loop's wait when a completion is posted.
    notify: std::sync::Arc<tokio::sync::Notify>,
    rt: tokio::runtime::Runtime,
    /// Host futures (async host functions) run here, on this thread, while the loop waits.
    local: tokio::task::LocalSet,
    /// The Python-visible loop object.
    pub py_loop: RefCell<Option<Value>>,
    /// Async generators started on this loop, finalised at shutdown.
    pub asyncgens: RefCell<Vec<Value>>,
}

/// Why `run_once` could not make progress.
pub enum Stall {
    /// Nothing is ready, no timer is pending and nothing outside can wake a task.
    Deadlock,
}

impl EventLoop {
    pub fn new() -> PyResult<Rc<EventLoop>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Exc::runtime_error(format!("cannot start the event loop: {e}")))?;
        let (ext_tx, ext_rx) = mpsc::channel();
        Ok(Rc::new(EventLoop {
            ready: RefCell::new(VecDeque::new()),
            timers: RefCell::new(BinaryHeap::new()),
            seq: Cell::new(0),
            stopping: Cell::new(false),
            running: Cell::new(false),
            closed: Cell::new(false),
            debug: Cell::new(false),
            tasks: RefCell::new(Vec::new()),
            current_task: RefCell::new(None),
            external_pending: Cell::new(0),
            ext_tx,
            ext_rx,
            notify: std::sync::Arc::new(tokio::sync::Notify::new()),
            rt,
            local: tokio::task::LocalSet::new(),
            py_loop: RefCell::new(None),
            asyncgens: RefCell::new(Vec::new()),
        }))
    }

    pub fn call_soon(&self, callback: Callback, arg: Option<Value>) -> Rc<Handle> {
        let h = Rc::new(Handle {
            callback: RefCell::new(Some(callback)),
            arg: RefCell::new(arg),
            cancelled: Cell::new(false),
            when: None,
        });
        self.ready.borrow_mut().push_back(h.clone());
        h
    }

    pub fn call_at(&self, when: f64, callback: Callback, arg: Option<Value>) -> Rc<Handle> {
        let h = Rc::new(Handle {
            callback: RefCell::new(Some(callback)),
            arg: RefCell::new(arg),
            cancelled: Cell::new(false),
            when: Some(when),
        });
        let seq = self.seq.get() + 1;
        self.seq.set(seq);
        self.timers.borrow_mut().push(Timer { when, seq, handle: h.clone() });
        h
    }

    /// A handle for posting completions from other threads. The caller must have
    /// called `begin_external` first and the completion must call `end_external`.
    pub fn external_sender(&self) -> (mpsc::Sender<External>, std::sync::Arc<tokio::sync::Notify>) {
        (self.ext_tx.clone(), self.notify.clone())
    }

    pub fn begin_external(&self) {
        self.external_pending.set(self.external_pending.get() + 1);
    }

    pub fn end_external(&self) {
        self.external_pending.set(self.external_pending.get().saturating_sub(1));
    }

    /// Run tokio work (IO, host futures) to completion on this loop's reactor.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }

    /// Run a future on this loop's thread (it need not be `Send`). It makes progress
    /// while the loop waits; pair it with `begin_external` so the loop does wait.
    pub fn spawn_local<F: std::future::Future<Output = ()> + 'static>(&self, f: F) {
        drop(self.local.spawn_local(f));
    }

    /// Give host futures a turn without blocking (while Python code keeps the loop busy).
    fn poll_local(&self) {
        if self.external_pending.get() > 0 {
            self.rt.block_on(self.local.run_until(tokio::task::yield_now()));
        }
    }

    /// One iteration (CPython's `_run_once`).
    pub fn run_once(&self, vm: &Vm) -> PyResult<Result<(), Stall>> {
        crate::vm::interrupt::check_interrupt()?;
        // Drop cancelled timers at the top of the heap.
        {
            let mut t = self.timers.borrow_mut();
            while t.peek().map(|x| x.handle.cancelled.get()).unwrap_or(false) {
                t.pop();
            }
        }
        let has_ready = !self.ready.borrow().is_empty() || self.stopping.get();
        let next_timer = self.timers.borrow().peek().map(|t| t.when);
        if !has_ready {
            let now = vm.clock.now();
            match next_timer {
                Some(when) if when <= now => {}
                Some(when) => {
                    if vm.clock.is_virtual() && self.external_pending.get() == 0 {
                        self.drain_external(vm);
                        if self.ready.borrow().is_empty() {
                            vm.clock.advance_to(when);
                        }
                    } else {
                        let wait = if vm.clock.is_virtual() { None } else { Some(when - now) };
                        self.wait_external(vm, wait);
                        if vm.clock.is_virtual() && self.ready.borrow().is_empty() && self.external_pending.get() == 0 {
                            vm.clock.advance_to(when);
                        }
                    }
                }
                None => {
                    if self.external_pending.get() == 0 {
                        self.drain_external(vm);
                        if self.ready.borrow().is_empty() {
                            return Ok(Err(Stall::Deadlock));
                        }
                    } else {
                        self.wait_external(vm, None);
                    }
                }
            }
        } else {
            self.poll_local();
            self.drain_external(vm);
        }
        // Due timers join the ready queue.
        let end = vm.clock.now() + 1e-9;
        loop {
            let due = {
                let t = self.timers.borrow();
                match t.peek() {
                    Some(top) => top.when < end || top.handle.cancelled.get(),
                    None => false,
                }
            };
            if !due {
                break;
            }
            if let Some(t) = self.timers.borrow_mut().pop() {
                if !t.handle.cancelled.get() {
                    self.ready.borrow_mut().push_back(t.handle);
                }
            }
        }
        let n = self.ready.borrow().len();
        for _ in 0..n {
            let Some(h) = self.ready.borrow_mut().pop_front() else { break };
            if h.cancelled.get() {
                continue;
            }
            let cb = h.callback.borrow_mut().take();
            let arg = h.arg.borrow_mut().take();
            if let Some(cb) = cb {
                self.run_callback(vm, cb, arg)?;
            }
        }
        Ok(Ok(()))
    }

    fn run_callback(&self, vm: &Vm, cb: Callback, arg: Option<Value>) -> PyResult<()> {
        let r = match cb {
            Callback::Call(f, mut args) => {
                if let Some(a) = arg {
                    args.push(a);
                }
                vm.call(&f, crate::runtime::Args::new(args)).map(|_| ())
            }
            Callback::TaskStep(task, exc) => crate::modules::asyncio::tasks::task_step(vm, &task, exc),
            Callback::TaskWakeup(task) => {
                crate::modules::asyncio::tasks::task_wakeup(vm, &task, arg.unwrap_or(Value::None))
            }
            Callback::Native(f) => f(vm, arg.unwrap_or(Value::None)),
        };
        match r {
            Ok(()) => Ok(()),
            Err(e) => {
                if vm.exc_is(&e, crate::runtime::ExcKind::KeyboardInterrupt) || vm.exc_is(&e, crate::runtime::ExcKind::SystemExit) {
                    return Err(e);
                }
                // CPython logs errors from callbacks through the loop's exception handler.
                let text = crate::diagnostics::render_traceback(vm, &e);
                vm.write_stderr(&format!("Exception in callback\n{text}"));
                Ok(())
            }
        }
    }

    fn drain_external(&self, vm: &Vm) {
        while let Ok(job) = self.ext_rx.try_recv() {
            job(vm);
        }
    }

    /// Sleep until a completion arrives or `timeout` passes (forever if `None`).
    fn wait_external(&self, vm: &Vm, timeout: Option<f64>) {
        if let Ok(job) = self.ext_rx.try_recv() {
            job(vm);
            self.drain_external(vm);
            return;
        }
        let notify = self.notify.clone();
        // With host limits active, wake up now and then to look at the deadline and
        // the cancel flag.
        let timeout = match (timeout, vm.limits.max_wait()) {
            (Some(t), Some(m)) => Some(t.min(m)),
            (None, Some(m)) => Some(m),
            (t, None) => t,
        };
        match timeout {
            Some(t) if t > 0.0 => {
                let d = Duration::from_secs_f64(t.min(1e6));
                self.rt.block_on(self.local.run_until(async {
                    let _ = tokio::time::timeout(d, wake(&notify)).await;
                }));
            }
            Some(_) => {}
            None => self.rt.block_on(self.local.run_until(wake(&notify))),
        }
        self.drain_external(vm);
    }

    pub fn has_pending_work(&self) -> bool {
        !self.ready.borrow().is_empty() || !self.timers.borrow().is_empty() || self.external_pending.get() > 0
    }
}

/// Resolves when a completion is posted or Ctrl-C is pressed.
async fn wake(notify: &tokio::sync::Notify) {
    if crate::vm::interrupt::INTERRUPT.load(std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    tokio::select! {
        _ = notify.notified() => {}
        _ = crate::vm::interrupt::INTERRUPT_WAKE.notified() => {}
    }
}
