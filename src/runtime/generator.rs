//! Generators, coroutines and async generators: an async-evaluator future polled by hand.
//!
//! See `eval::suspend` for how `yield` parks a value: the body future returns
//! `Pending` with the value in the interpreter's yield slot; `send`/`throw` put the
//! resume value in the resume slot and poll again.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use super::exception::PyResult;
use super::value::Value;
use crate::syntax::ast::Name;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenKind {
    Generator,
    Coroutine,
    AsyncGenerator,
}

pub type BodyFuture = Pin<Box<dyn Future<Output = PyResult<Value>>>>;

/// The lifecycle of a generator (CPython's `inspect.getgeneratorstate` names).
pub enum GenState {
    /// Created, body not started: the future is built but never polled.
    Created(BodyFuture),
    /// Paused at a `yield`/`await`.
    Suspended(BodyFuture),
    /// Currently executing (re-entry is a ValueError).
    Running,
    Closed,
}

pub struct Generator {
    pub kind: GenKind,
    pub state: RefCell<GenState>,
    pub name: Name,
    pub qualname: Rc<str>,
    /// For async generators: an `athrow`/`asend` is in progress.
    pub running_async: Cell<bool>,
    /// The coroutine was awaited or driven at least once (for "never awaited" warnings).
    pub started: Cell<bool>,
    /// Where the coroutine object was created: (file, span) for warnings.
    pub origin: RefCell<Option<crate::runtime::exception::TraceEntry>>,
    /// What a suspended coroutine waits on (`cr_await`), for deadlock reports.
    pub awaiting: RefCell<Option<Value>>,
    /// Source position of the current suspension point, for reprs and deadlock reports.
    pub suspended_at: RefCell<Option<crate::runtime::exception::TraceEntry>>,
    /// Exceptions being handled inside the body while it is paused.
    pub saved_handled: RefCell<Vec<Value>>,
    /// The interpreter, to close the generator when it is dropped while paused.
    pub vm: std::rc::Weak<crate::vm::Vm>,
    /// A generator made awaitable by `@asyncio.coroutine` (pre-3.5 style coroutines).
    pub legacy: Cell<bool>,
}

impl Generator {
    pub fn is_legacy_coroutine(&self) -> bool {
        self.legacy.get()
    }
}
