//! Threads as green threads: `_thread` (locks, idents, starting a thread) under
//! `threading` (written in coro, `prelude/threading.coro`), and the scheduler glue
//! both share with executor jobs.
//!
//! A green thread is a hidden task on an event loop whose function runs through the
//! green evaluator (`green.rs`). Invariant: every running green thread's task is in
//! `Threads::by_task`, so "which thread is running" is "which task is current".
//! Code that cannot suspend (the main script, or a blocking call deep inside a thread)
//! waits by driving the loop itself (`pump_until`), which is how a plain
//! `t.start(); t.join()` program runs its threads without asyncio.

pub mod green;
pub mod lock;
pub mod pool;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use crate::builtins::{add_fn, set_value};
use crate::event_loop::{Callback, EventLoop, Stall};
use crate::modules::asyncio::{self as aio, futures};
use crate::runtime::generator::BodyFuture;
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::Vm;
use green::Blocking;

/// `threading.get_ident()` of the main thread.
pub const MAIN_IDENT: u64 = 1;

/// Who a running green thread is.
#[derive(Clone)]
pub struct Who {
    pub ident: u64,
    /// The `threading.Thread` object, or the worker's name for an executor job.
    pub thread: Value,
}

/// Per-interpreter green-thread state.
#[derive(Default)]
pub struct Threads {
    by_task: RefCell<HashMap<usize, Who>>,
    /// The loop threads started from plain code run on (no loop was running).
    home: RefCell<Option<Rc<EventLoop>>>,
    /// Green threads the program waits for at exit (non-daemon threads, jobs).
    nondaemon: Cell<usize>,
    next_ident: Cell<u64>,
    /// `time.sleep` in a coroutine was reported.
    warned_blocking: Cell<bool>,
}

pub fn state(vm: &Vm) -> Rc<Threads> {
    if let Some(t) = vm.extension::<Threads>() {
        return t;
    }
    let t = Rc::new(Threads { next_ident: Cell::new(MAIN_IDENT), ..Default::default() });
    vm.set_extension(t.clone());
    t
}

pub fn new_ident(vm: &Vm) -> u64 {
    let st = state(vm);
    st.next_ident.set(st.next_ident.get() + 1);
    st.next_ident.get()
}

/// The green thread running now, or `None` in the main thread (the main script and
/// asyncio tasks).
pub fn current(vm: &Vm) -> Option<Who> {
    let st = vm.extension::<Threads>()?;
    let l = vm.running_loop.borrow().clone()?;
    let task = l.current_task.borrow().clone()?;
    let who = st.by_task.borrow().get(&task.identity()).cloned();
    who
}

pub fn current_ident(vm: &Vm) -> u64 {
    current(vm).map(|w| w.ident).unwrap_or(MAIN_IDENT)
}

/// The loop green threads go on: the running one, else the home loop.
pub fn thread_loop(vm: &Vm) -> PyResult<Rc<EventLoop>> {
    if let Some(l) = vm.running_loop.borrow().clone() {
        return Ok(l);
    }
    let st = state(vm);
    if let Some(l) = st.home.borrow().clone() {
        if !l.closed.get() {
            return Ok(l);
        }
    }
    let l = aio::current_loop(vm)?;
    *st.home.borrow_mut() = Some(l.clone());
    Ok(l)
}

/// Start `func(*args)` as a green thread. `done` runs when it ends, with its outcome.
pub fn spawn(
    vm: &Vm,
    who: Who,
    daemon: bool,
    func: Value,
    args: Args,
    started: Option<Rc<Cell<bool>>>,
    done: impl FnOnce(&Vm, PyResult<Value>) -> PyResult<()> + 'static,
) -> PyResult<()> {
    let l = thread_loop(vm)?;
    let st = state(vm);
    let rc = vm.rc();
    let key = Rc::new(Cell::new(0usize));
    let my_key = key.clone();
    let body: BodyFuture = Box::pin(async move {
        let vm = &*rc;
        if let Some(s) = started {
            s.set(true);
        }
        let r = vm.call_green(&func, args).await;
        let st = state(vm);
        st.by_task.borrow_mut().remove(&my_key.get());
        if !daemon {
            st.nondaemon.set(st.nondaemon.get().saturating_sub(1));
        }
        done(vm, r)?;
        Ok(Value::None)
    });
    let coro = aio::native_coroutine(vm, "_green_thread", body);
    let task = aio::tasks::create_task(vm, &l, coro, None)?;
    // A thread is not an asyncio task: keep it out of all_tasks().
    l.tasks.borrow_mut().retain(|t| !t.is(&task));
    key.set(task.identity());
    st.by_task.borrow_mut().insert(task.identity(), who);
    if !daemon {
        st.nondaemon.set(st.nondaemon.get() + 1);
    }
    Ok(())
}

/// Drive the green threads' loop from code that cannot suspend until `done()` holds
/// or the clock reaches `deadline`; `Ok(done())` at the end.
pub fn pump_until(vm: &Vm, deadline: Option<f64>, done: &dyn Fn() -> bool) -> PyResult<bool> {
    if done() {
        return Ok(true);
    }
    let running = vm.running_loop.borrow().clone();
    let (l, borrowed) = match running {
        Some(l) => (l, false),
        None => match state(vm).home.borrow().clone().filter(|l| !l.closed.get() && !l.running.get()) {
            Some(l) => (l, true),
            None => {
                // No thread can run: only time passes.
                return match deadline {
                    Some(d) => {
                        crate::modules::time::sleep(vm, d - vm.clock.now());
                        Ok(done())
                    }
                    None => Err(deadlock(vm)),
                };
            }
        },
    };
    if borrowed {
        l.running.set(true);
        *vm.running_loop.borrow_mut() = Some(l.clone());
    }
    let timer = deadline.map(|d| l.call_at(d, Callback::Native(Rc::new(|_: &Vm, _| Ok(()))), None));
    let r = loop {
        if done() {
            break Ok(true);
        }
        if deadline.map(|d| vm.clock.now() >= d).unwrap_or(false) {
            break Ok(false);
        }
        if let Err(e) = vm.limits.poll() {
            break Err(e);
        }
        match l.run_once(vm) {
            Err(e) => break Err(e),
            Ok(Err(Stall::Deadlock)) => break Err(deadlock(vm)),
            Ok(Ok(())) => {}
        }
    };
    if let Some(t) = timer {
        t.cancel();
    }
    if borrowed {
        l.running.set(false);
        *vm.running_loop.borrow_mut() = None;
    }
    r
}

fn deadlock(vm: &Vm) -> Exc {
    let cls = aio::events::deadlock_class(vm);
    let msg = "no thread can make progress: every thread is waiting, and nothing (no timer, IO or other thread) can wake one";
    match vm.instantiate(&cls, Args::one(Value::str(msg))) {
        Ok(Value::Instance(i)) => Exc::from_object(i),
        _ => Exc::runtime_error("deadlock"),
    }
}

/// Wait at exit for the threads and jobs CPython would wait for (non-daemon).
pub fn shutdown(vm: &Vm) -> PyResult<()> {
    let Some(st) = vm.extension::<Threads>() else { return Ok(()) };
    pump_until(vm, None, &|| st.nondaemon.get() == 0).map(|_| ())
}

/// `time.sleep` from a green thread: a loop timer, so other threads run.
pub async fn green_sleep(vm: &Vm, secs: f64) -> PyResult<()> {
    let Some(l) = vm.running_loop.borrow().clone() else {
        crate::modules::time::sleep(vm, secs);
        return Ok(());
    };
    let fut = futures::new_future(vm, l.clone());
    green::resolve_at(vm, &l, vm.clock.now() + secs, &fut);
    futures::await_future(vm, fut).await.map(|_| ())
}

/// `time.sleep` called from code that cannot suspend. In the main script with
/// threads alive the threads run meanwhile; in a coroutine it blocks the loop (as in
/// CPython), and coro says so once.
pub fn blocking_sleep(vm: &Vm, secs: f64) -> PyResult<()> {
    let in_task = vm.running_loop.borrow().as_ref().map(|l| l.current_task.borrow().is_some()).unwrap_or(false);
    if in_task && current(vm).is_none() {
        warn_blocking_sleep(vm);
    }
    let threads_alive = vm.extension::<Threads>().map(|st| !st.by_task.borrow().is_empty()).unwrap_or(false);
    if !in_task && threads_alive {
        let deadline = vm.clock.now() + secs;
        pump_until(vm, Some(deadline), &|| false)?;
        return Ok(());
    }
    crate::modules::time::sleep(vm, secs);
    Ok(())
}

fn warn_blocking_sleep(vm: &Vm) {
    let st = state(vm);
    if st.warned_blocking.replace(true) {
        return;
    }
    let site = crate::diagnostics::blocking_call_site(vm);
    crate::diagnostics::warn_at(
        vm,
        site.as_ref(),
        "RuntimeWarning",
        "time.sleep() in a coroutine blocks the event loop: no other task runs until it returns",
        "blocks the event loop",
        "use `await asyncio.sleep(...)`, or run blocking work with `await asyncio.to_thread(...)`",
    );
}

/// Is `callee(args)` a blocking builtin the green evaluator should suspend on?
pub fn blocking_call(vm: &Vm, callee: &Value, args: &Args) -> PyResult<Option<Blocking>> {
    match callee {
        Value::Builtin(b) if &*b.name == "sleep" => {
            let sleep = vm.import_module("time").and_then(|m| vm.getattr(&m, "sleep"))?;
            if !callee.is(&sleep) {
                return Ok(None);
            }
            let [secs] = Args { pos: args.pos.clone(), kw: args.kw.clone() }.exact::<1>("sleep")?;
            Ok(Some(Blocking::Sleep(green::sleep_secs(vm, &secs)?)))
        }
        Value::BoundMethod(m) if lock::state(&m.receiver).is_some() => {
            let Value::Builtin(b) = &m.func else { return Ok(None) };
            match &*b.name {
                "acquire" => {
                    let (lk, blocking, timeout) = lock::acquire_args(vm, Args { pos: args.pos.clone(), kw: args.kw.clone() }.with_receiver(m.receiver.clone()))?;
                    Ok(Some(Blocking::Acquire { lock: lk, blocking, timeout }))
                }
                "__enter__" => Ok(Some(Blocking::Acquire { lock: m.receiver.clone(), blocking: true, timeout: None })),
                _ => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// The `_thread` module: the native core under `threading`.
pub fn create_native(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "_thread");
    let g = &m.globals;
    let lc = lock::classes(vm);
    set_value(vm, g, "LockType", Value::Class(lc.lock.clone()));
    set_value(vm, g, "RLock", Value::Class(lc.rlock.clone()));
    add_fn(vm, g, "allocate_lock", |vm, args: Args| {
        args.exact::<0>("allocate_lock")?;
        Ok(lock::new_lock(vm, false))
    });
    add_fn(vm, g, "_rlock", |vm, args: Args| {
        args.exact::<0>("RLock")?;
        Ok(lock::new_lock(vm, true))
    });
    add_fn(vm, g, "get_ident", |vm, args: Args| {
        args.exact::<0>("get_ident")?;
        Ok(Value::Int(current_ident(vm) as i64))
    });
    add_fn(vm, g, "_new_ident", |vm, _args: Args| Ok(Value::Int(new_ident(vm) as i64)));
    // The running thread's object (a worker's name for executor jobs), None in main.
    add_fn(vm, g, "_current", |vm, _args: Args| Ok(current(vm).map(|w| w.thread).unwrap_or(Value::None)));
    add_fn(vm, g, "_start", |vm, args: Args| {
        let [thread, ident, daemon] = args.exact::<3>("_start")?;
        start_thread(vm, thread, vm.index_value(&ident)? as u64, vm.truthy(&daemon)?)?;
        Ok(Value::None)
    });
    add_fn(vm, g, "_pump_until", |vm, args: Args| {
        // Used by `threading` where a wait is written as "until this flag is set".
        let [check, timeout] = args.exact::<2>("_pump_until")?;
        let deadline = if timeout.is_none() { None } else { Some(vm.clock.now() + crate::modules::math::to_float(vm, &timeout)?) };
        let failed = RefCell::new(None);
        let done = || match vm.call(&check, Args::empty()).and_then(|v| vm.truthy(&v)) {
            Ok(b) => b,
            Err(e) => {
                *failed.borrow_mut() = Some(e);
                true
            }
        };
        let r = pump_until(vm, deadline, &done)?;
        if let Some(e) = failed.into_inner() {
            return Err(e);
        }
        Ok(Value::Bool(r))
    });
    pool::install(vm, g);
    Ok(m)
}

/// `Thread.start()`: run `thread.run()` green; when it ends, report an escaped
/// exception as CPython's `threading.excepthook` does and call `thread._stopped()`.
fn start_thread(vm: &Vm, thread: Value, ident: u64, daemon: bool) -> PyResult<()> {
    let run = vm.getattr(&thread, "run")?;
    let started = Rc::new(Cell::new(false));
    let who = Who { ident, thread: thread.clone() };
    spawn(vm, who, daemon, run, Args::empty(), Some(started.clone()), move |vm, r| {
        if let Err(e) = r {
            if !vm.exc_is(&e, ExcKind::SystemExit) {
                let name = vm.getattr(&thread, "name").and_then(|n| vm.to_str(&n).map(|s| s.as_str().to_string()))?;
                let text = crate::diagnostics::render_traceback(vm, &e);
                vm.write_stderr(&format!("Exception in thread {name}:\n{text}"));
            }
        }
        vm.call_method(&thread, &vm.intern("_stopped"), Args::empty())?;
        Ok(())
    })?;
    // CPython's start() returns once the new thread runs, and the new thread usually
    // keeps running until it first blocks: do the same when nothing else drives the loop.
    if vm.running_loop.borrow().is_none() {
        pump_until(vm, None, &|| started.get())?;
    }
    Ok(())
}
