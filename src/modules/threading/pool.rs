//! Thread pools (`ThreadPoolExecutor`, the loop's default executor behind
//! `run_in_executor(None, ...)` and `to_thread`): jobs are green threads named as
//! CPython names pool threads (`asyncio_0`, `ThreadPoolExecutor-0_1`), at most
//! `max_workers` at a time; an idle worker's name is reused before a new one is made,
//! and further jobs queue until a worker is free.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use super::Who;
use crate::modules::asyncio::{self as aio, futures};
use crate::runtime::class::{BaseKind, Instance, Payload};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;

struct Job {
    func: Value,
    args: Args,
    fut: Value,
}

pub struct Pool {
    prefix: String,
    max_workers: usize,
    /// Workers made so far (the next one is `prefix_N`).
    made: Cell<usize>,
    /// Names and idents of workers with nothing to do, oldest first.
    idle: RefCell<VecDeque<(String, u64)>>,
    busy: Cell<usize>,
    queue: RefCell<VecDeque<Job>>,
}

/// `min(32, cpu_count + 4)`, CPython's default `max_workers`.
pub fn default_workers() -> usize {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    (cpus + 4).min(32)
}

pub fn new_pool(vm: &Vm, prefix: String, max_workers: usize) -> Value {
    let cls = make_class("_Pool", vec![vm.types.object.clone()], BaseKind::Native, None);
    let p = Pool {
        prefix,
        max_workers: max_workers.max(1),
        made: Cell::new(0),
        idle: RefCell::new(VecDeque::new()),
        busy: Cell::new(0),
        queue: RefCell::new(VecDeque::new()),
    };
    Value::Instance(Instance::new(cls, Payload::Native(Box::new(p))))
}

fn pool_of(v: &Value) -> PyResult<&Pool> {
    match v {
        Value::Instance(i) => i.native::<Pool>().ok_or_else(|| Exc::type_error("not a thread pool")),
        _ => Err(Exc::type_error("not a thread pool")),
    }
}

/// The default executor of the running (or current) loop, made on first use.
pub fn default_pool(vm: &Vm) -> PyResult<Value> {
    struct Defaults(RefCell<Vec<(std::rc::Weak<crate::event_loop::EventLoop>, Value)>>);
    let l = super::thread_loop(vm)?;
    let d = match vm.extension::<Defaults>() {
        Some(d) => d,
        None => {
            let d = Rc::new(Defaults(RefCell::new(Vec::new())));
            vm.set_extension(d.clone());
            d
        }
    };
    d.0.borrow_mut().retain(|(w, _)| w.strong_count() > 0);
    if let Some((_, p)) = d.0.borrow().iter().find(|(w, _)| w.upgrade().map(|x| Rc::ptr_eq(&x, &l)).unwrap_or(false)) {
        return Ok(p.clone());
    }
    let p = new_pool(vm, "asyncio".into(), default_workers());
    d.0.borrow_mut().push((Rc::downgrade(&l), p.clone()));
    Ok(p)
}

/// Submit `func(*args)`; returns an asyncio Future for its result.
pub fn submit(vm: &Vm, pool: &Value, func: Value, args: Args) -> PyResult<Value> {
    let p = pool_of(pool)?;
    let l = super::thread_loop(vm)?;
    let fut = futures::new_future(vm, l);
    let job = Job { func, args, fut: fut.clone() };
    if p.busy.get() < p.max_workers {
        let worker = match p.idle.borrow_mut().pop_front() {
            Some(w) => w,
            None => {
                let n = p.made.get();
                p.made.set(n + 1);
                (format!("{}_{n}", p.prefix), super::new_ident(vm))
            }
        };
        p.busy.set(p.busy.get() + 1);
        run_job(vm, pool.clone(), worker, job)?;
    } else {
        p.queue.borrow_mut().push_back(job);
    }
    Ok(fut)
}

/// Run one job on `worker`; when it ends, the worker takes the next queued job.
fn run_job(vm: &Vm, pool: Value, worker: (String, u64), job: Job) -> PyResult<()> {
    let who = Who { ident: worker.1, thread: Value::str(&worker.0) };
    let Job { func, args, fut } = job;
    super::spawn(vm, who, false, func, args, None, move |vm, r| {
        if futures::core(&fut).map(|c| !c.done()).unwrap_or(false) {
            match r {
                Ok(v) => futures::set_result(vm, &fut, v)?,
                Err(e) => futures::set_exception_exc(vm, &fut, e)?,
            }
        }
        let p = pool_of(&pool)?;
        let next = p.queue.borrow_mut().pop_front();
        match next {
            Some(job) => run_job(vm, pool.clone(), worker, job),
            None => {
                p.busy.set(p.busy.get().saturating_sub(1));
                p.idle.borrow_mut().push_back(worker);
                Ok(())
            }
        }
    })
}

/// `_thread._pool_submit(pool, fn, *args, **kwargs)`; `pool` None is the default executor.
pub fn submit_builtin(vm: &Vm, args: Args) -> PyResult<Value> {
    let mut pos = args.pos.into_iter();
    let pool = pos.next().unwrap_or(Value::None);
    let func = pos.next().ok_or_else(|| Exc::type_error("submit expected a callable"))?;
    let pool = if pool.is_none() { default_pool(vm)? } else { pool };
    submit(vm, &pool, func, Args { pos: pos.collect(), kw: args.kw })
}

/// Wait (from any code) until an asyncio future is done or `timeout` passes.
pub fn wait_done(vm: &Vm, fut: &Value, timeout: Option<f64>) -> PyResult<bool> {
    let c = futures::core_of(fut)?;
    if c.done() {
        return Ok(true);
    }
    let deadline = timeout.map(|t| vm.clock.now() + t);
    super::pump_until(vm, deadline, &|| c.done())
}

pub fn install(vm: &Vm, g: &crate::runtime::module::Globals) {
    use crate::builtins::add_fn;
    let _ = aio::classes(vm);
    add_fn(vm, g, "_pool", |vm, args: Args| {
        let [prefix, workers] = args.exact::<2>("_pool")?;
        let prefix = vm.to_str(&prefix)?.as_str().to_string();
        let n = if workers.is_none() { default_workers() } else { vm.index_value(&workers)?.max(1) as usize };
        Ok(new_pool(vm, prefix, n))
    });
    add_fn(vm, g, "_pool_submit", submit_builtin);
    add_fn(vm, g, "_wait_done", |vm, args: Args| {
        let [fut, timeout] = args.exact::<2>("_wait_done")?;
        let t = if timeout.is_none() { None } else { Some(crate::modules::math::to_float(vm, &timeout)?) };
        wait_done(vm, &fut, t).map(Value::Bool)
    });
}
