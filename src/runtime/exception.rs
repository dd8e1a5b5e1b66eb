//! Python exceptions as Rust error values.
//!
//! `Exc` is what every fallible evaluator function returns in `Err`. Rust code raises
//! without touching the interpreter (`Exc::type_error("...")`): the exception object is
//! only built when Python code looks at it (`except ... as e`), which keeps internal
//! signalling cheap. The traceback grows as the error unwinds through Python frames.

use std::cell::RefCell;
use std::rc::Rc;

use super::class::Instance;
use super::value::Value;
use crate::syntax::ast::{Name, Span};

/// The builtin exception types, in CPython's hierarchy (see `builtins::exceptions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExcKind {
    BaseException,
    BaseExceptionGroup,
    GeneratorExit,
    KeyboardInterrupt,
    SystemExit,
    Exception,
    ArithmeticError,
    FloatingPointError,
    OverflowError,
    ZeroDivisionError,
    AssertionError,
    AttributeError,
    BufferError,
    EOFError,
    ExceptionGroup,
    ImportError,
    ModuleNotFoundError,
    LookupError,
    IndexError,
    KeyError,
    MemoryError,
    NameError,
    UnboundLocalError,
    OSError,
    BlockingIOError,
    ChildProcessError,
    ConnectionError,
    BrokenPipeError,
    ConnectionAbortedError,
    ConnectionRefusedError,
    ConnectionResetError,
    FileExistsError,
    FileNotFoundError,
    InterruptedError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
    ProcessLookupError,
    TimeoutError,
    ReferenceError,
    RuntimeError,
    NotImplementedError,
    RecursionError,
    StopAsyncIteration,
    StopIteration,
    SyntaxError,
    IndentationError,
    TabError,
    SystemError,
    TypeError,
    ValueError,
    UnicodeError,
    UnicodeDecodeError,
    UnicodeEncodeError,
    Warning,
    DeprecationWarning,
    RuntimeWarning,
    UserWarning,
    // asyncio's own
    CancelledError,
    InvalidStateError,
    QueueEmpty,
    QueueFull,
}

/// One frame of a traceback: where the exception passed through.
#[derive(Clone, Debug)]
pub struct TraceEntry {
    pub file: Rc<SourceFile>,
    pub span: Span,
    pub function: Name,
}

/// A source file, kept for tracebacks and diagnostics.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    /// 1-based line number of a byte offset.
    pub fn line_of(&self, offset: u32) -> usize {
        let off = (offset as usize).min(self.text.len());
        self.text.as_bytes()[..off].iter().filter(|b| **b == b'\n').count() + 1
    }
    /// The text of 1-based line `n`, without its line end.
    pub fn line_text(&self, n: usize) -> &str {
        self.text.lines().nth(n.saturating_sub(1)).unwrap_or("").trim_end_matches('\r')
    }
}

/// The exception state stored in an exception instance.
#[derive(Default)]
pub struct ExcPayload {
    pub args: RefCell<Vec<Value>>,
    pub traceback: RefCell<Vec<TraceEntry>>,
    pub cause: RefCell<Option<Value>>,
    pub context: RefCell<Option<Value>>,
    pub suppress_context: std::cell::Cell<bool>,
}

pub enum ExcValue {
    /// Raised from Rust; the object is built on demand.
    New { kind: ExcKind, args: Vec<Value> },
    Object(Rc<Instance>),
}

pub struct ExcInner {
    pub value: ExcValue,
    /// Frames this exception unwound through since it was last raised (innermost first).
    pub traceback: Vec<TraceEntry>,
    /// The innermost node of the current frame already added its traceback entry.
    pub noted: bool,
}

/// A raised Python exception (boxed: `Result<Value, Exc>` stays two words).
pub struct Exc(pub Box<ExcInner>);

pub type PyResult<T> = Result<T, Exc>;

impl Exc {
    pub fn new(kind: ExcKind, msg: impl Into<String>) -> Exc {
        Exc::with_args(kind, vec![Value::string(msg.into())])
    }
    pub fn with_args(kind: ExcKind, args: Vec<Value>) -> Exc {
        Exc(Box::new(ExcInner { value: ExcValue::New { kind, args }, traceback: Vec::new(), noted: false }))
    }
    pub fn from_object(obj: Rc<Instance>) -> Exc {
        Exc(Box::new(ExcInner { value: ExcValue::Object(obj), traceback: Vec::new(), noted: false }))
    }
    pub fn type_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::TypeError, msg)
    }
    pub fn value_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::ValueError, msg)
    }
    pub fn index_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::IndexError, msg)
    }
    pub fn key_error(key: Value) -> Exc {
        Exc::with_args(ExcKind::KeyError, vec![key])
    }
    pub fn attribute_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::AttributeError, msg)
    }
    pub fn runtime_error(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::RuntimeError, msg)
    }
    pub fn zero_division(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::ZeroDivisionError, msg)
    }
    pub fn overflow(msg: impl Into<String>) -> Exc {
        Exc::new(ExcKind::OverflowError, msg)
    }
    pub fn stop_iteration(value: Value) -> Exc {
        if value.is_none() {
            Exc::with_args(ExcKind::StopIteration, vec![])
        } else {
            Exc::with_args(ExcKind::StopIteration, vec![value])
        }
    }
    pub fn name_error(name: &str) -> Exc {
        Exc::new(ExcKind::NameError, format!("name '{name}' is not defined"))
    }
    /// The builtin kind, if this exception was raised from Rust and not yet materialised.
    pub fn kind(&self) -> Option<ExcKind> {
        match &self.0.value {
            ExcValue::New { kind, .. } => Some(*kind),
            ExcValue::Object(_) => None,
        }
    }
    pub fn push_frame(&mut self, entry: TraceEntry) {
        self.0.traceback.push(entry);
    }
}

impl std::fmt::Debug for Exc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0.value {
            ExcValue::New { kind, args } => write!(f, "{kind:?}{args:?}"),
            ExcValue::Object(o) => write!(f, "<{} object>", o.class().name),
        }
    }
}
