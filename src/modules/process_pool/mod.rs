//! `ProcessPoolExecutor`: jobs run in separate interpreters on OS threads, so CPU work
//! runs in parallel on other cores.
//!
//! As CPython's `spawn` start method does, each worker interpreter loads the main
//! script's source as a module named `__mp_main__` (so code under
//! `if __name__ == "__main__":` does not run again) and finds the job's function by
//! module and qualified name. Arguments and results cross as [`plain::Plain`] data
//! (deep copies); an exception crosses as its type name, message and traceback text.
//! A worker thread keeps its interpreter between jobs, as a worker process does.
//!
//! The event loop counts an in-flight job as external work (`begin_external`), so it
//! waits for the completion instead of reporting a deadlock or jumping virtual time.

pub mod plain;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::mpsc;

use crate::builtins::add_fn;
use crate::modules::asyncio::futures;
use crate::runtime::class::{BaseKind, Instance, Payload};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;
use plain::Plain;

/// Where the worker finds the job's function.
struct Target {
    module: String,
    qualname: String,
}

/// What the worker needs to rebuild `__main__` as `__mp_main__`.
#[derive(Clone)]
struct MainSource {
    filename: String,
    text: String,
    dir: Option<std::path::PathBuf>,
    virtual_time: bool,
}

struct JobMsg {
    id: u64,
    target: Target,
    args: Vec<Plain>,
    kwargs: Vec<(String, Plain)>,
    /// Posts the outcome to the submitting interpreter's loop.
    reply: Box<dyn FnOnce(Outcome) + Send>,
}

enum Outcome {
    Value(Plain),
    /// Exception type name, its args (when plain), the message, the traceback text.
    Raised { type_name: String, args: Option<Vec<Plain>>, message: String, traceback: String },
}

struct Worker {
    tx: mpsc::Sender<JobMsg>,
}

struct Pool {
    max_workers: usize,
    workers: RefCell<Vec<Worker>>,
    idle: RefCell<VecDeque<usize>>,
    queue: RefCell<VecDeque<JobMsgPending>>,
}

/// A job waiting for a free worker (still on the interpreter side).
struct JobMsgPending {
    msg: JobMsg,
}

/// Futures of jobs in flight, by id (the completion closure must be `Send`).
#[derive(Default)]
struct InFlight {
    futs: RefCell<HashMap<u64, Value>>,
    next: Cell<u64>,
}

fn pool_of(v: &Value) -> PyResult<&Pool> {
    match v {
        Value::Instance(i) => i.native::<Pool>().ok_or_else(|| Exc::type_error("not a process pool")),
        _ => Err(Exc::type_error("not a process pool")),
    }
}

fn target_of(vm: &Vm, f: &Value) -> PyResult<Target> {
    match f {
        Value::Function(func) => {
            let qualname = func.qualname.borrow().to_string();
            if qualname.contains("<locals>") {
                return Err(Exc::new(ExcKind::AttributeError, format!("Can't pickle local object '{qualname}'")));
            }
            if qualname.contains("<lambda>") {
                let msg = format!("Can't pickle {}: attribute lookup <lambda> on {} failed", vm.repr(f)?, func.module.name);
                return Err(pickling_error(vm, msg));
            }
            Ok(Target { module: func.module.name.to_string(), qualname })
        }
        Value::Builtin(b) if vm.builtin(&b.name).map(|x| x.is(f)).unwrap_or(false) => {
            Ok(Target { module: "builtins".into(), qualname: b.name.to_string() })
        }
        other => Err(Exc::type_error(format!("cannot pickle '{}' object", vm.type_name(other)))),
    }
}

/// `_pickle.PicklingError`, made once per interpreter.
fn pickling_error(vm: &Vm, msg: String) -> Exc {
    let cls = match vm.builtins.get_by_name("_PicklingError") {
        Some(Value::Class(c)) => c,
        _ => {
            let c = make_class("PicklingError", vec![vm.types.exception(ExcKind::Exception).clone()], BaseKind::Exception, None);
            *c.module.borrow_mut() = "_pickle".into();
            vm.builtins.set_by_name(&vm.intern("_PicklingError"), Value::Class(c.clone()));
            c
        }
    };
    match vm.instantiate(&cls, Args::one(Value::string(msg))) {
        Ok(Value::Instance(i)) => Exc::from_object(i),
        _ => Exc::type_error("cannot pickle"),
    }
}

fn main_source(vm: &Vm) -> Option<MainSource> {
    let m = vm.main_module.borrow().clone()?;
    let file = m.file.clone()?;
    Some(MainSource {
        filename: file.name.clone(),
        text: file.text.clone(),
        dir: vm.script_dir.borrow().clone(),
        virtual_time: vm.clock.is_virtual(),
    })
}

/// `_process_submit(pool, fn, args, kwargs)`: an asyncio future for the result.
fn submit(vm: &Vm, pool_v: &Value, func: Value, args: Value, kwargs: Value) -> PyResult<Value> {
    let pool = pool_of(pool_v)?;
    let l = crate::modules::threading::thread_loop(vm)?;
    let fut = futures::new_future(vm, l.clone());
    let prepared = (|| -> PyResult<(Target, Vec<Plain>, Vec<(String, Plain)>)> {
        let target = target_of(vm, &func)?;
        let args = vm.collect(&args)?.iter().map(|a| plain::to_plain(vm, a)).collect::<PyResult<Vec<_>>>()?;
        let mut kw = Vec::new();
        if let Value::Dict(d) = &kwargs {
            for (k, v) in d.items() {
                kw.push((vm.to_str(&k)?.as_str().to_string(), plain::to_plain(vm, &v)?));
            }
        }
        Ok((target, args, kw))
    })();
    let (target, args, kwargs) = match prepared {
        Ok(p) => p,
        Err(e) => {
            // As in CPython, a job that cannot be sent fails its future.
            futures::set_exception_exc(vm, &fut, e)?;
            return Ok(fut);
        }
    };
    let inflight = match vm.extension::<InFlight>() {
        Some(i) => i,
        None => {
            let i = Rc::new(InFlight::default());
            vm.set_extension(i.clone());
            i
        }
    };
    let id = inflight.next.get() + 1;
    inflight.next.set(id);
    inflight.futs.borrow_mut().insert(id, fut.clone());
    l.begin_external();
    let (tx, notify) = l.external_sender();
    let reply = Box::new(move |outcome: Outcome| {
        let done: crate::event_loop::External = Box::new(move |vm: &Vm| complete(vm, id, outcome));
        if tx.send(done).is_ok() {
            notify.notify_one();
        }
    });
    let msg = JobMsg { id, target, args, kwargs, reply };
    let worker = pool.idle.borrow_mut().pop_front();
    match worker {
        Some(w) => send_to(vm, pool_v, w, msg)?,
        None if pool.workers.borrow().len() < pool.max_workers => {
            let w = start_worker(vm)?;
            pool.workers.borrow_mut().push(w);
            let n = pool.workers.borrow().len() - 1;
            send_to(vm, pool_v, n, msg)?;
        }
        None => pool.queue.borrow_mut().push_back(JobMsgPending { msg }),
    }
    Ok(fut)
}

/// Hand `msg` to worker `w`; when its job completes, the worker takes the next queued job.
fn send_to(vm: &Vm, pool_v: &Value, w: usize, msg: JobMsg) -> PyResult<()> {
    let pool = pool_of(pool_v)?;
    let frees = match vm.extension::<Frees>() {
        Some(f) => f,
        None => {
            let f = Rc::new(Frees::default());
            vm.set_extension(f.clone());
            f
        }
    };
    frees.0.borrow_mut().insert(msg.id, (pool_v.clone(), w));
    let sent = pool.workers.borrow().get(w).map(|wk| wk.tx.send(msg).is_ok()).unwrap_or(false);
    if !sent {
        return Err(Exc::new(ExcKind::RuntimeError, "A process in the process pool was terminated abruptly"));
    }
    Ok(())
}

/// Which pool and worker each job in flight runs on, by job id.
#[derive(Default)]
struct Frees(RefCell<HashMap<u64, (Value, usize)>>);

fn worker_free(vm: &Vm, pool_v: &Value, w: usize) {
    let Ok(pool) = pool_of(pool_v) else { return };
    let next = pool.queue.borrow_mut().pop_front();
    match next {
        Some(job) => {
            if let Err(e) = send_to(vm, pool_v, w, job.msg) {
                vm.write_stderr(&format!("{}\n", crate::diagnostics::render_traceback(vm, &e)));
            }
        }
        None => pool.idle.borrow_mut().push_back(w),
    }
}

/// On the interpreter thread: resolve the job's future.
fn complete(vm: &Vm, id: u64, outcome: Outcome) {
    let fut = vm.extension::<InFlight>().and_then(|i| i.futs.borrow_mut().remove(&id));
    let free = vm.extension::<Frees>().and_then(|f| f.0.borrow_mut().remove(&id));
    let Some(fut) = fut else { return };
    if let Some(c) = futures::core(&fut) {
        c.event_loop.end_external();
    }
    if let Some((pool_v, w)) = free {
        worker_free(vm, &pool_v, w);
    }
    let r = match outcome {
        Outcome::Value(p) => plain::from_plain(vm, p),
        Outcome::Raised { type_name, args, message, traceback } => Err(rebuild_exception(vm, &type_name, args, &message, &traceback)),
    };
    if futures::core(&fut).map(|c| c.done()).unwrap_or(true) {
        return;
    }
    let _ = match r {
        Ok(v) => futures::set_result(vm, &fut, v),
        Err(e) => futures::set_exception_exc(vm, &fut, e),
    };
}

/// The worker's exception as the same class here (a builtin, or a class of the main
/// script), with the remote traceback as its `__cause__`, as CPython shows it.
fn rebuild_exception(vm: &Vm, type_name: &str, args: Option<Vec<Plain>>, message: &str, traceback: &str) -> Exc {
    let cls = vm.builtin(type_name).or_else(|| {
        vm.main_module.borrow().as_ref().and_then(|m| m.globals.get_by_name(type_name))
    });
    let args = match args {
        Some(a) => a.into_iter().map(|p| plain::from_plain(vm, p)).collect::<PyResult<Vec<_>>>().ok(),
        None => None,
    }
    .unwrap_or_else(|| vec![Value::str(message)]);
    let exc = match cls {
        Some(c @ Value::Class(_)) => vm.call(&c, Args::new(args)),
        _ => vm.call(&Value::Class(vm.types.exception(ExcKind::RuntimeError).clone()), Args::one(Value::string(format!("{type_name}: {message}")))),
    };
    let mut e = match exc {
        Ok(Value::Instance(i)) => Exc::from_object(i),
        Ok(_) => Exc::runtime_error(format!("{type_name}: {message}")),
        Err(e) => e,
    };
    let remote = Exc::runtime_error(format!("\n\"\"\"\n{traceback}\"\"\""));
    let mut remote = remote;
    let cause = Value::Instance(vm.materialize(&mut remote));
    let inst = vm.materialize(&mut e);
    let _ = vm.setattr(&Value::Instance(inst), "__cause__", cause);
    e
}

/// A worker: an OS thread with its own interpreter, built on its first job.
fn start_worker(vm: &Vm) -> PyResult<Worker> {
    let src = main_source(vm);
    let (tx, rx) = mpsc::channel::<JobMsg>();
    std::thread::Builder::new()
        .name("coro-process-worker".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(move || worker_main(src, rx))
        .map_err(|e| Exc::runtime_error(format!("cannot start a worker: {e}")))?;
    Ok(Worker { tx })
}

fn worker_main(src: Option<MainSource>, rx: mpsc::Receiver<JobMsg>) {
    let vm = Vm::new();
    let mut main_err: Option<Outcome> = None;
    if let Some(src) = &src {
        vm.clock.set_virtual(src.virtual_time);
        *vm.script_dir.borrow_mut() = src.dir.clone();
        // CPython on Linux forks its workers, so the main script's top-level output is
        // not seen again; loading it here is only to find the functions, so hide it.
        let stdout = std::mem::replace(&mut *vm.stdout.borrow_mut(), crate::vm::Output::to_writer(Box::new(std::io::sink())));
        let loaded = crate::run::load_module(&vm, "__mp_main__", &src.filename, src.text.clone());
        *vm.stdout.borrow_mut() = stdout;
        match loaded {
            Ok(m) => {
                vm.modules.borrow_mut().insert(vm.intern("__main__"), Value::Module(m.clone()));
                *vm.main_module.borrow_mut() = Some(m);
            }
            Err(e) => main_err = Some(outcome_of_error(&vm, e)),
        }
    }
    while let Ok(job) = rx.recv() {
        let outcome = match &main_err {
            Some(Outcome::Raised { type_name, args: _, message, traceback }) => Outcome::Raised {
                type_name: type_name.clone(),
                args: None,
                message: message.clone(),
                traceback: traceback.clone(),
            },
            _ => run_job(&vm, &job),
        };
        vm.flush();
        (job.reply)(outcome);
    }
    vm.flush();
}

fn run_job(vm: &Vm, job: &JobMsg) -> Outcome {
    let r = (|| -> PyResult<Value> {
        let module_name = if job.target.module == "__main__" { "__mp_main__" } else { job.target.module.as_str() };
        let mut f = if module_name == "builtins" {
            vm.builtin(&job.target.qualname).ok_or_else(|| Exc::new(ExcKind::AttributeError, format!("no builtin {}", job.target.qualname)))?
        } else {
            let m = vm.import_module(module_name)?;
            let mut f = m;
            for part in job.target.qualname.split('.') {
                f = vm.getattr(&f, part)?;
            }
            f
        };
        let args = job.args.iter().map(|p| plain::from_plain(vm, clone_plain(p))).collect::<PyResult<Vec<_>>>()?;
        let mut call_args = Args::new(args);
        for (k, p) in &job.kwargs {
            call_args.kw.push((vm.intern(k), plain::from_plain(vm, clone_plain(p))?));
        }
        let r = vm.call(&f, call_args)?;
        f = Value::None;
        let _ = f;
        Ok(r)
    })();
    match r.and_then(|v| plain::to_plain(vm, &v)) {
        Ok(p) => Outcome::Value(p),
        Err(e) => outcome_of_error(vm, e),
    }
}

fn clone_plain(p: &Plain) -> Plain {
    match p {
        Plain::None => Plain::None,
        Plain::Bool(b) => Plain::Bool(*b),
        Plain::Int(i) => Plain::Int(*i),
        Plain::BigInt(b) => Plain::BigInt(b.clone()),
        Plain::Float(f) => Plain::Float(*f),
        Plain::Str(s) => Plain::Str(s.clone()),
        Plain::Bytes(b) => Plain::Bytes(b.clone()),
        Plain::Tuple(t) => Plain::Tuple(t.iter().map(clone_plain).collect()),
        Plain::List(t) => Plain::List(t.iter().map(clone_plain).collect()),
        Plain::Dict(d) => Plain::Dict(d.iter().map(|(k, v)| (clone_plain(k), clone_plain(v))).collect()),
        Plain::Set(t) => Plain::Set(t.iter().map(clone_plain).collect()),
        Plain::FrozenSet(t) => Plain::FrozenSet(t.iter().map(clone_plain).collect()),
    }
}

fn outcome_of_error(vm: &Vm, e: Exc) -> Outcome {
    let value = vm.exc_value(&e);
    let type_name = vm.type_of(&value).name.to_string();
    let message = vm.to_str(&value).map(|s| s.as_str().to_string()).unwrap_or_default();
    let args = vm.getattr(&value, "args").ok().and_then(|a| match plain::to_plain(vm, &a) {
        Ok(Plain::Tuple(t)) => Some(t),
        _ => None,
    });
    Outcome::Raised { type_name, args, message, traceback: vm.format_exception(&e) }
}

/// The `_process` module.
pub fn create_native(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "_process");
    let g = &m.globals;
    add_fn(vm, g, "_process_pool", |vm, args: Args| {
        let [workers] = args.exact::<1>("_process_pool")?;
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let n = if workers.is_none() { cpus } else { vm.index_value(&workers)?.max(1) as usize };
        let cls = make_class("_ProcessPool", vec![vm.types.object.clone()], BaseKind::Native, None);
        let p = Pool { max_workers: n, workers: RefCell::new(Vec::new()), idle: RefCell::new(VecDeque::new()), queue: RefCell::new(VecDeque::new()) };
        Ok(Value::Instance(Instance::new(cls, Payload::Native(Box::new(p)))))
    });
    add_fn(vm, g, "_process_submit", |vm, args: Args| {
        let [pool, func, fargs, kwargs] = args.exact::<4>("_process_submit")?;
        submit(vm, &pool, func, fargs, kwargs)
    });
    Ok(m)
}
