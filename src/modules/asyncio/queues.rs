//! `asyncio.Queue`, `PriorityQueue` and `LifoQueue` in Rust, following CPython 3.11's
//! `asyncio/queues.py`: getters and putters are deques of futures woken one at a time
//! by `_wakeup_next`, and `join()` waits on an internal event.
//!
//! The three classes share one payload; the storage discipline (FIFO, LIFO, heap) is
//! chosen by the class at `__new__`. `put`/`get` return real coroutine objects whose
//! Rust bodies only suspend when the queue is full/empty, so a round trip through a
//! queue costs no Python-level call besides the method call itself.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use super::futures::{self, core};
use super::locks::{remove_waiter, LoopBinding, Waiters};
use crate::builtins::{add_getter, add_method};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::exception::ExcKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;

#[derive(Clone, Copy, PartialEq)]
enum Discipline {
    Fifo,
    Lifo,
    Priority,
}

pub struct QueueState {
    discipline: Discipline,
    /// `maxsize` as given (for the repr and the property) and as a number.
    maxsize_obj: RefCell<Value>,
    maxsize: Cell<i64>,
    items: RefCell<VecDeque<Value>>,
    getters: Waiters,
    putters: Waiters,
    unfinished: Cell<i64>,
    /// The `_finished` event of CPython's queue (`join()` waits on it).
    finished: Cell<bool>,
    finished_waiters: Waiters,
    binding: LoopBinding,
}

fn state(v: &Value) -> PyResult<&QueueState> {
    match v {
        Value::Instance(i) => i.native::<QueueState>(),
        _ => None,
    }
    .ok_or_else(|| Exc::type_error("a Queue object is required"))
}

fn is_done(fut: &Value) -> bool {
    core(fut).map(|c| c.done()).unwrap_or(true)
}

/// `_wakeup_next`: pop waiters until one is not done, and wake that one.
fn wakeup_next(vm: &Vm, waiters: &Waiters) -> PyResult<()> {
    loop {
        let w = waiters.borrow_mut().pop_front();
        let Some(w) = w else { return Ok(()) };
        if !is_done(&w) {
            return futures::set_result(vm, &w, Value::None);
        }
    }
}

// heapq's algorithms on the item deque, comparing only with `<` in the same order as
// CPython's `heapq` (user `__lt__` may observe the comparisons). The items are moved
// out of the RefCell while comparing, since `__lt__` is Python code.

fn sift_down(vm: &Vm, heap: &mut VecDeque<Value>, start: usize, mut pos: usize) -> PyResult<()> {
    let newitem = heap[pos].clone();
    while pos > start {
        let parentpos = (pos - 1) >> 1;
        let parent = heap[parentpos].clone();
        if vm.less_than(&newitem, &parent)? {
            heap[pos] = parent;
            pos = parentpos;
            continue;
        }
        break;
    }
    heap[pos] = newitem;
    Ok(())
}

fn sift_up(vm: &Vm, heap: &mut VecDeque<Value>, mut pos: usize) -> PyResult<()> {
    let end = heap.len();
    let start = pos;
    let newitem = heap[pos].clone();
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end && !vm.less_than(&heap[child], &heap[right])? {
            child = right;
        }
        heap[pos] = heap[child].clone();
        pos = child;
        child = 2 * pos + 1;
    }
    heap[pos] = newitem;
    sift_down(vm, heap, start, pos)
}

impl QueueState {
    fn qsize(&self) -> usize {
        self.items.borrow().len()
    }
    fn empty(&self) -> bool {
        self.items.borrow().is_empty()
    }
    fn full(&self) -> bool {
        let m = self.maxsize.get();
        m > 0 && self.qsize() as i64 >= m
    }

    fn put_item(&self, vm: &Vm, item: Value) -> PyResult<()> {
        match self.discipline {
            Discipline::Fifo | Discipline::Lifo => {
                self.items.borrow_mut().push_back(item);
                Ok(())
            }
            Discipline::Priority => {
                let mut heap = std::mem::take(&mut *self.items.borrow_mut());
                heap.push_back(item);
                let last = heap.len() - 1;
                let r = sift_down(vm, &mut heap, 0, last);
                *self.items.borrow_mut() = heap;
                r
            }
        }
    }

    fn get_item(&self, vm: &Vm) -> PyResult<Value> {
        let empty = || Exc::with_args(ExcKind::QueueEmpty, vec![]);
        match self.discipline {
            Discipline::Fifo => self.items.borrow_mut().pop_front().ok_or_else(empty),
            Discipline::Lifo => self.items.borrow_mut().pop_back().ok_or_else(empty),
            Discipline::Priority => {
                let mut heap = std::mem::take(&mut *self.items.borrow_mut());
                let Some(last) = heap.pop_back() else {
                    return Err(empty());
                };
                let r = if heap.is_empty() {
                    Ok(last)
                } else {
                    let top = std::mem::replace(&mut heap[0], last);
                    sift_up(vm, &mut heap, 0).map(|_| top)
                };
                *self.items.borrow_mut() = heap;
                r
            }
        }
    }

    fn put_nowait(&self, vm: &Vm, item: Value) -> PyResult<()> {
        if self.full() {
            return Err(Exc::with_args(ExcKind::QueueFull, vec![]));
        }
        self.put_item(vm, item)?;
        self.unfinished.set(self.unfinished.get() + 1);
        self.finished.set(false);
        wakeup_next(vm, &self.getters)
    }

    fn get_nowait(&self, vm: &Vm) -> PyResult<Value> {
        if self.empty() {
            return Err(Exc::with_args(ExcKind::QueueEmpty, vec![]));
        }
        let item = self.get_item(vm)?;
        wakeup_next(vm, &self.putters)?;
        Ok(item)
    }

    fn task_done(&self, vm: &Vm) -> PyResult<()> {
        if self.unfinished.get() <= 0 {
            return Err(Exc::value_error("task_done() called too many times"));
        }
        self.unfinished.set(self.unfinished.get() - 1);
        if self.unfinished.get() == 0 && !self.finished.get() {
            // `self._finished.set()`: wake every join() waiter in order.
            self.finished.set(true);
            let ws: Vec<Value> = self.finished_waiters.borrow().iter().cloned().collect();
            for f in ws {
                if !is_done(&f) {
                    futures::set_result(vm, &f, Value::Bool(true))?;
                }
            }
        }
        Ok(())
    }

    /// `_format()`: the part of the repr after the class name.
    fn format(&self, vm: &Vm) -> PyResult<String> {
        let mut s = format!("maxsize={}", vm.repr(&self.maxsize_obj.borrow().clone())?);
        let items: Vec<Value> = self.items.borrow().iter().cloned().collect();
        if !items.is_empty() {
            s.push_str(&format!(" _queue={}", vm.repr(&Value::list(items))?));
        }
        let g = self.getters.borrow().len();
        if g > 0 {
            s.push_str(&format!(" _getters[{g}]"));
        }
        let p = self.putters.borrow().len();
        if p > 0 {
            s.push_str(&format!(" _putters[{p}]"));
        }
        if self.unfinished.get() != 0 {
            s.push_str(&format!(" tasks={}", self.unfinished.get()));
        }
        Ok(s)
    }
}

/// `Queue.put(item)`: wait while the queue is full, then `put_nowait`.
async fn put(vm: &Vm, this: Value, item: Value) -> PyResult<Value> {
    let st = state(&this)?;
    while st.full() {
        let l = st.binding.get_loop(vm, &this)?;
        let putter = futures::new_future(vm, l);
        st.putters.borrow_mut().push_back(putter.clone());
        if let Err(e) = futures::await_future(vm, putter.clone()).await {
            // CPython's bare `except:`: drop our putter and, if a slot is free and we
            // were woken (not cancelled), pass the wake-up to the next putter.
            futures::future_cancel(vm, &putter, Value::None);
            remove_waiter(&st.putters, &putter);
            let cancelled = core(&putter).map(|c| c.is_cancelled()).unwrap_or(false);
            if !st.full() && !cancelled {
                wakeup_next(vm, &st.putters)?;
            }
            return Err(e);
        }
    }
    st.put_nowait(vm, item)?;
    Ok(Value::None)
}

/// `Queue.get()`: wait while the queue is empty, then `get_nowait`.
async fn get(vm: &Vm, this: Value) -> PyResult<Value> {
    let st = state(&this)?;
    while st.empty() {
        let l = st.binding.get_loop(vm, &this)?;
        let getter = futures::new_future(vm, l);
        st.getters.borrow_mut().push_back(getter.clone());
        if let Err(e) = futures::await_future(vm, getter.clone()).await {
            futures::future_cancel(vm, &getter, Value::None);
            remove_waiter(&st.getters, &getter);
            let cancelled = core(&getter).map(|c| c.is_cancelled()).unwrap_or(false);
            if !st.empty() && !cancelled {
                wakeup_next(vm, &st.getters)?;
            }
            return Err(e);
        }
    }
    st.get_nowait(vm)
}

/// `Queue.join()`: `await self._finished.wait()` when tasks are unfinished.
async fn join(vm: &Vm, this: Value) -> PyResult<Value> {
    let st = state(&this)?;
    if st.unfinished.get() > 0 && !st.finished.get() {
        let l = st.binding.get_loop(vm, &this)?;
        let fut = futures::new_future(vm, l);
        st.finished_waiters.borrow_mut().push_back(fut.clone());
        let r = futures::await_future(vm, fut.clone()).await;
        remove_waiter(&st.finished_waiters, &fut);
        r?;
    }
    Ok(Value::None)
}

fn install(vm: &Vm, cls: &Rc<Class>) {
    add_method(vm, cls, "__new__", |vm, args: Args| {
        let cls = match args.pos.first() {
            Some(Value::Class(c)) => c.clone(),
            _ => return Err(Exc::type_error("Queue.__new__(X): X is not a type object")),
        };
        let qc = classes(vm);
        let discipline = if cls.is_subclass(&qc.priority) {
            Discipline::Priority
        } else if cls.is_subclass(&qc.lifo) {
            Discipline::Lifo
        } else {
            Discipline::Fifo
        };
        let st = QueueState {
            discipline,
            maxsize_obj: RefCell::new(Value::Int(0)),
            maxsize: Cell::new(0),
            items: RefCell::new(VecDeque::new()),
            getters: Waiters::default(),
            putters: Waiters::default(),
            unfinished: Cell::new(0),
            finished: Cell::new(true),
            finished_waiters: Waiters::default(),
            binding: LoopBinding::default(),
        };
        Ok(Value::Instance(Instance::new(cls, Payload::Native(Box::new(st)))))
    });
    add_method(vm, cls, "__init__", |vm, args: Args| {
        let [s, maxsize] = args.bind("Queue", ["self", "maxsize"], 1)?;
        let s = s.ok_or_else(|| Exc::type_error("Queue() needs self"))?;
        let st = state(&s)?;
        let m = maxsize.unwrap_or(Value::Int(0));
        let n = match &m {
            Value::Int(i) => *i,
            Value::Bool(b) => *b as i64,
            Value::Float(f) => {
                if *f > 0.0 {
                    f.ceil().min(i64::MAX as f64) as i64
                } else {
                    0
                }
            }
            other => vm.index_value(other)?,
        };
        st.maxsize.set(n);
        *st.maxsize_obj.borrow_mut() = m;
        Ok(Value::None)
    });
    add_method(vm, cls, "qsize", |_vm, args: Args| {
        let [s] = args.exact::<1>("qsize")?;
        Ok(Value::Int(state(&s)?.qsize() as i64))
    });
    add_getter(vm, cls, "maxsize", |_vm, args: Args| {
        let [s] = args.exact::<1>("maxsize")?;
        let m = state(&s)?.maxsize_obj.borrow().clone();
        Ok(m)
    });
    add_getter(vm, cls, "_maxsize", |_vm, args: Args| {
        let [s] = args.exact::<1>("_maxsize")?;
        let m = state(&s)?.maxsize_obj.borrow().clone();
        Ok(m)
    });
    add_getter(vm, cls, "_unfinished_tasks", |_vm, args: Args| {
        let [s] = args.exact::<1>("_unfinished_tasks")?;
        Ok(Value::Int(state(&s)?.unfinished.get()))
    });
    add_method(vm, cls, "empty", |_vm, args: Args| {
        let [s] = args.exact::<1>("empty")?;
        Ok(Value::Bool(state(&s)?.empty()))
    });
    add_method(vm, cls, "full", |_vm, args: Args| {
        let [s] = args.exact::<1>("full")?;
        Ok(Value::Bool(state(&s)?.full()))
    });
    add_method(vm, cls, "put_nowait", |vm, args: Args| {
        let [s, item] = args.exact::<2>("put_nowait")?;
        state(&s)?.put_nowait(vm, item)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "get_nowait", |vm, args: Args| {
        let [s] = args.exact::<1>("get_nowait")?;
        state(&s)?.get_nowait(vm)
    });
    add_method(vm, cls, "put", |vm, args: Args| {
        let [s, item] = args.exact::<2>("put")?;
        state(&s)?;
        let rc = vm.rc();
        Ok(super::native_coroutine(vm, "Queue.put", Box::pin(async move { put(&rc, s, item).await })))
    });
    add_method(vm, cls, "get", |vm, args: Args| {
        let [s] = args.exact::<1>("get")?;
        state(&s)?;
        let rc = vm.rc();
        Ok(super::native_coroutine(vm, "Queue.get", Box::pin(async move { get(&rc, s).await })))
    });
    add_method(vm, cls, "task_done", |vm, args: Args| {
        let [s] = args.exact::<1>("task_done")?;
        state(&s)?.task_done(vm)?;
        Ok(Value::None)
    });
    add_method(vm, cls, "join", |vm, args: Args| {
        let [s] = args.exact::<1>("join")?;
        state(&s)?;
        let rc = vm.rc();
        Ok(super::native_coroutine(vm, "Queue.join", Box::pin(async move { join(&rc, s).await })))
    });
    add_method(vm, cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let f = state(&s)?.format(vm)?;
        Ok(Value::string(format!("<{} at {:#x} {}>", vm.type_name(&s), s.identity(), f)))
    });
    add_method(vm, cls, "__str__", |vm, args: Args| {
        let [s] = args.exact::<1>("__str__")?;
        let f = state(&s)?.format(vm)?;
        Ok(Value::string(format!("<{} {}>", vm.type_name(&s), f)))
    });
}

/// The queue classes, made once per interpreter.
pub struct QueueClasses {
    pub queue: Rc<Class>,
    pub priority: Rc<Class>,
    pub lifo: Rc<Class>,
}

pub fn classes(vm: &Vm) -> Rc<QueueClasses> {
    if let Some(c) = vm.extension::<QueueClasses>() {
        return c;
    }
    let mk = |name: &str, base: &Rc<Class>| {
        let c = make_class(name, vec![base.clone()], BaseKind::Native, None);
        *c.module.borrow_mut() = "asyncio.queues".into();
        c
    };
    let queue = mk("Queue", &vm.types.object);
    let priority = mk("PriorityQueue", &queue);
    let lifo = mk("LifoQueue", &queue);
    let c = Rc::new(QueueClasses { queue: queue.clone(), priority, lifo });
    // Registered before the methods so that `__new__` finds the subclasses.
    vm.set_extension(c.clone());
    install(vm, &queue);
    c
}
