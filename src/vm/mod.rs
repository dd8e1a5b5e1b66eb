//! `Vm`: the state one interpreter instance evaluates against.
//!
//! Passed explicitly (`&Vm`) to the evaluator and every builtin; there is no global
//! state, so several interpreters can live in one process.

pub mod attr;
pub mod call;
pub mod exceptions;
pub mod import;
pub mod interrupt;
pub mod iter;
pub mod numeric;
pub mod ops;
pub mod output;
pub mod repr;
pub mod subscript;
pub mod types;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use crate::compile::Interner;
use crate::runtime::module::{Globals, ModuleObj};
use crate::runtime::{Exc, Value};
use crate::syntax::ast::Name;

pub use output::Output;
pub use types::Types;

/// Installed by the event loop: turns `await fut` into a suspension on that future.
pub type NativeAwaitHook = Rc<dyn for<'a> Fn(&'a Vm, &Value) -> Option<crate::eval::generator::NativeAwait<'a>>>;

/// How a suspended generator is resumed.
pub enum Resume {
    Send(Value),
    Throw(Exc),
}

/// Interned names the evaluator uses often.
pub struct CommonNames {
    pub init: Name,
    pub new: Name,
    pub call: Name,
    pub name: Name,
    pub qualname: Name,
    pub module: Name,
    pub doc: Name,
    pub class: Name,
    pub main: Name,
    pub getattr: Name,
    pub setattr: Name,
}

pub struct Vm {
    pub types: Types,
    pub interner: Interner,
    pub names: CommonNames,
    /// The `builtins` module's table.
    pub builtins: Rc<Globals>,
    /// `sys.modules`.
    pub modules: RefCell<HashMap<Name, Value>>,
    /// Current depth of Python calls, against `recursion_limit`.
    pub depth: Cell<u32>,
    pub recursion_limit: Cell<u32>,
    /// Where a `yield` parks its value for the generator driving it (see `eval::suspend`).
    pub yield_slot: RefCell<Option<Value>>,
    /// Where `send`/`throw` put the value the paused `yield` resumes with.
    pub resume_slot: RefCell<Option<Resume>>,
    /// Exceptions currently being handled (innermost last): bare `raise`, `__context__`,
    /// `sys.exc_info()`.
    pub handled: RefCell<Vec<Value>>,
    pub stdout: RefCell<Output>,
    pub stderr: RefCell<Output>,
    /// Containers whose repr is being computed (to print `[...]` for cycles).
    pub repr_guard: RefCell<Vec<usize>>,
    pub argv: RefCell<Vec<String>>,
    /// Directory of the main script: `.coro` modules are imported from there.
    pub script_dir: RefCell<Option<PathBuf>>,
    /// The `__main__` module once running.
    pub main_module: RefCell<Option<Rc<ModuleObj>>>,
    /// Next id for objects that need a counter (e.g. task names).
    pub counter: Cell<u64>,
    /// Warnings already shown (category + text), so each is printed once.
    pub warned: RefCell<std::collections::HashSet<String>>,
    /// Classes of builtin iterator objects, by name (see `iter::iter_class`).
    pub iter_classes: RefCell<HashMap<&'static str, Rc<crate::runtime::class::Class>>>,
    /// The value carried by the StopIteration that ended the last exhausted iterator
    /// (a generator's return value), for `next()` to re-raise it.
    pub stop_value: RefCell<Option<Value>>,
    /// The one clock (virtual or real) that every time source reads.
    pub clock: crate::event_loop::Clock,
    /// The event loop running right now, if any.
    pub running_loop: RefCell<Option<Rc<crate::event_loop::EventLoop>>>,
    /// The loop `get_event_loop()` returns when none is running (`set_event_loop`).
    pub event_loop: RefCell<Option<Rc<crate::event_loop::EventLoop>>>,
    /// Where the coroutine about to be created is being called from.
    pub call_origin: RefCell<Option<crate::runtime::exception::TraceEntry>>,
    /// The innermost `await` being suspended at (where a task is waiting).
    pub current_await: RefCell<Option<crate::runtime::exception::TraceEntry>>,
    /// Per-interpreter state of native modules (asyncio's classes...), by type.
    extensions: RefCell<HashMap<std::any::TypeId, Rc<dyn std::any::Any>>>,
    /// How `await` handles objects implemented by the event loop (futures, tasks).
    pub native_await: RefCell<Option<NativeAwaitHook>>,
    /// What this interpreter may touch outside itself (all, unless an embedding host
    /// restricts it; see `embed::capabilities`).
    pub capabilities: Cell<crate::embed::Capabilities>,
    /// Step budget, deadline, memory and task limits (see `embed::limits`).
    pub limits: crate::embed::limits::LimitState,
    /// A weak handle to this interpreter, so generator bodies (`'static` futures) can
    /// own a strong one.
    self_ref: RefCell<std::rc::Weak<Vm>>,
}

impl Vm {
    pub fn new() -> Rc<Vm> {
        let interner = Interner::default();
        let n = |s: &str| interner.intern(s);
        let names = CommonNames {
            init: n("__init__"),
            new: n("__new__"),
            call: n("__call__"),
            name: n("__name__"),
            qualname: n("__qualname__"),
            module: n("__module__"),
            doc: n("__doc__"),
            class: n("__class__"),
            main: n("__main__"),
            getattr: n("__getattr__"),
            setattr: n("__setattr__"),
        };
        let vm = Rc::new(Vm {
            types: Types::new(),
            interner,
            names,
            builtins: Globals::new(),
            modules: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
            recursion_limit: Cell::new(1000),
            yield_slot: RefCell::new(None),
            resume_slot: RefCell::new(None),
            handled: RefCell::new(Vec::new()),
            stdout: RefCell::new(Output::stdout()),
            stderr: RefCell::new(Output::stderr()),
            repr_guard: RefCell::new(Vec::new()),
            argv: RefCell::new(Vec::new()),
            script_dir: RefCell::new(None),
            main_module: RefCell::new(None),
            counter: Cell::new(0),
            warned: RefCell::new(Default::default()),
            iter_classes: RefCell::new(HashMap::new()),
            stop_value: RefCell::new(None),
            native_await: RefCell::new(None),
            clock: crate::event_loop::Clock::new(false),
            running_loop: RefCell::new(None),
            event_loop: RefCell::new(None),
            current_await: RefCell::new(None),
            call_origin: RefCell::new(None),
            extensions: RefCell::new(HashMap::new()),
            capabilities: Cell::new(crate::embed::Capabilities::all()),
            limits: Default::default(),
            self_ref: RefCell::new(std::rc::Weak::new()),
        });
        *vm.self_ref.borrow_mut() = Rc::downgrade(&vm);
        crate::builtins::install(&vm);
        vm
    }

    /// A strong handle to this interpreter.
    pub fn rc(&self) -> Rc<Vm> {
        self.self_ref.borrow().upgrade().expect("the Vm is alive while it runs code")
    }

    pub fn weak(&self) -> std::rc::Weak<Vm> {
        self.self_ref.borrow().clone()
    }

    pub fn intern(&self, s: &str) -> Name {
        self.interner.intern(s)
    }

    pub fn next_id(&self) -> u64 {
        let c = self.counter.get() + 1;
        self.counter.set(c);
        c
    }

    /// Flush both output streams (before exit, before reading input).
    pub fn flush(&self) {
        self.stdout.borrow_mut().flush();
        self.stderr.borrow_mut().flush();
    }

    /// Write text to stdout, as `print` does.
    pub fn write_stdout(&self, s: &str) {
        self.stdout.borrow_mut().write(s);
    }

    /// Write text to stderr (stdout is flushed first so a terminal shows them in order).
    pub fn write_stderr(&self, s: &str) {
        self.stdout.borrow_mut().flush();
        let mut e = self.stderr.borrow_mut();
        e.write(s);
        e.flush();
    }

    /// The StopIteration to raise for an exhausted iterator (with the value it ended with).
    pub fn take_stop_iteration(&self) -> Exc {
        Exc::stop_iteration(self.stop_value.borrow_mut().take().unwrap_or(Value::None))
    }

    /// Per-interpreter state a native module keeps (one value per type).
    pub fn extension<T: 'static>(&self) -> Option<Rc<T>> {
        let e = self.extensions.borrow().get(&std::any::TypeId::of::<T>()).cloned()?;
        e.downcast::<T>().ok()
    }

    pub fn set_extension<T: 'static>(&self, v: Rc<T>) {
        self.extensions.borrow_mut().insert(std::any::TypeId::of::<T>(), v);
    }

    /// A value from the builtins module.
    pub fn builtin(&self, name: &str) -> Option<Value> {
        self.builtins.get_by_name(name)
    }
}
