//! The public error type: a Python exception, a syntax error or a tripped limit, with
//! the exception's type, message and traceback, rendered with miette.
//!
//! Host functions return it too: [`Error::new`] picks the Python exception type the
//! script sees (`Error::new("ValueError", "bad port")`).
//!
//! ```
//! let mut interp = coro::Interpreter::builder().build().unwrap();
//! let err = interp.exec("def f():\n    raise KeyError('k')\nf()\n").unwrap_err();
//! assert_eq!(err.exception_type(), "KeyError");
//! assert_eq!(err.message(), "'k'");
//! assert!(err.traceback().contains("line 2, in f"));
//! ```

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::limits::LimitKind;
use crate::runtime::{Exc, ExcKind};
use crate::syntax::SyntaxError;
use crate::vm::Vm;

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The source did not parse (`SyntaxError`, `IndentationError`, `TabError`).
    Syntax,
    /// A Python exception escaped (or a host function failed with one).
    Exception,
    /// A limit set by the host stopped the script; the script could not catch it.
    Limit(LimitKind),
    /// A value could not be converted between Rust and Python.
    Conversion,
}

/// An error from running a script, or one a host function raises into the script.
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    type_name: String,
    message: String,
    traceback: String,
    source: Option<Arc<NamedSource<String>>>,
    span: Option<(usize, usize)>,
    syntax: Option<SyntaxError>,
    /// For [`ErrorKind::Conversion`]: the parts the message is rendered from, so callers
    /// further out can add where the value came from.
    conversion: Option<Conversion>,
}

/// Where a conversion failed and why. Context is added from the inside out (a nested
/// field first, then the list holding it, then the host-function argument), so the
/// message is re-rendered each time rather than formatted once.
#[derive(Clone)]
struct Conversion {
    /// `f() argument 1` or `f() argument 'port'`, once a host-function call adds it.
    subject: Option<String>,
    /// Python subscripts from the converted value to the part that failed: `['servers'][2]`.
    path: String,
    problem: Problem,
}

#[derive(Clone)]
enum Problem {
    /// The value has the wrong type: `must be int, not str`.
    Mismatch { expected: String, got: String },
    /// Anything else (`missing field `port``, `unknown variant ...`).
    Other(String),
}

impl Conversion {
    fn render(&self) -> String {
        let subject = match (&self.subject, self.path.is_empty()) {
            (Some(s), _) => format!("{s}{}", self.path),
            (None, true) => String::new(),
            (None, false) => format!("value{}", self.path),
        };
        match (&self.problem, subject.is_empty()) {
            (Problem::Mismatch { expected, got }, true) => format!("expected {expected}, got {got}"),
            (Problem::Mismatch { expected, got }, false) => format!("{subject} must be {expected}, not {got}"),
            (Problem::Other(m), true) => m.clone(),
            (Problem::Other(m), false) => format!("{subject}: {m}"),
        }
    }
}

impl Error {
    /// An error a host function raises as the Python exception `type_name` (a builtin
    /// exception class name such as `"ValueError"`; unknown names raise `RuntimeError`).
    ///
    /// ```
    /// let e = coro::Error::new("ValueError", "port out of range");
    /// assert_eq!(e.exception_type(), "ValueError");
    /// assert_eq!(e.to_string(), "ValueError: port out of range");
    /// ```
    pub fn new(type_name: &str, message: impl Into<String>) -> Error {
        Error::build(ErrorKind::Exception, type_name, message.into())
    }

    /// A conversion failure (raised into scripts as `TypeError`).
    pub fn conversion(message: impl Into<String>) -> Error {
        Error::from_conversion(Conversion { subject: None, path: String::new(), problem: Problem::Other(message.into()) })
    }

    /// A value of Python type `got` where `expected` was needed (a `TypeError`):
    /// `expected int, got str`, or `f() argument 1 must be int, not str` once
    /// [`Error::in_argument`] names the argument.
    ///
    /// ```
    /// let e = coro::Error::type_mismatch("int", "str");
    /// assert_eq!(e.message(), "expected int, got str");
    /// assert_eq!(e.in_argument("add", 1, None).message(), "add() argument 1 must be int, not str");
    /// ```
    pub fn type_mismatch(expected: impl Into<String>, got: impl Into<String>) -> Error {
        let problem = Problem::Mismatch { expected: expected.into(), got: got.into() };
        Error::from_conversion(Conversion { subject: None, path: String::new(), problem })
    }

    /// A number out of range for the Rust type (an `OverflowError`, as in CPython).
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn overflow(message: impl Into<String>) -> Error {
        let mut e = Error::from_conversion(Conversion { subject: None, path: String::new(), problem: Problem::Other(message.into()) });
        e.0.type_name = "OverflowError".to_string();
        e
    }

    fn from_conversion(c: Conversion) -> Error {
        let mut e = Error::build(ErrorKind::Conversion, "TypeError", c.render());
        e.0.conversion = Some(c);
        e
    }

    /// For a conversion error: the Python subscripts leading from the converted value to
    /// the part that failed (`['servers'][2]['port']`); empty when the value itself failed.
    pub fn path(&self) -> Option<&str> {
        self.0.conversion.as_ref().map(|c| c.path.as_str())
    }

    /// A conversion error one level further out: `segment` (`[2]`, `['port']`) is the
    /// subscript that led to the failing part. Other errors are returned unchanged.
    pub fn at(mut self, segment: &str) -> Error {
        if let Some(c) = &mut self.0.conversion {
            c.path.insert_str(0, segment);
            self.0.message = c.render();
        }
        self
    }

    /// A conversion error of argument `index` (1-based; or the parameter `name`) of the
    /// host function `func`, worded as CPython words argument errors. Other errors are
    /// returned unchanged.
    pub fn in_argument(mut self, func: &str, index: usize, name: Option<&str>) -> Error {
        if let Some(c) = &mut self.0.conversion {
            if c.subject.is_none() {
                c.subject = Some(match name {
                    Some(n) => format!("{func}() argument '{n}'"),
                    None => format!("{func}() argument {index}"),
                });
                self.0.message = c.render();
            }
        }
        self
    }

    /// Name the Python type found, for a mismatch found at this level (no path yet): a
    /// serde visitor only knows serde's coarse kinds ("a sequence"), the caller knows
    /// it was a `tuple`.
    #[cfg_attr(not(feature = "serde"), allow(dead_code))]
    pub(crate) fn with_found_type(mut self, got: &str) -> Error {
        if let Some(c) = &mut self.0.conversion {
            if let (true, Problem::Mismatch { got: g, .. }) = (c.path.is_empty(), &mut c.problem) {
                *g = got.to_string();
                self.0.message = c.render();
            }
        }
        self
    }

    fn build(kind: ErrorKind, type_name: &str, message: String) -> Error {
        Error(Box::new(Inner {
            kind,
            type_name: type_name.to_string(),
            message,
            traceback: String::new(),
            source: None,
            span: None,
            syntax: None,
            conversion: None,
        }))
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }
    /// The Python exception class name (`"ZeroDivisionError"`).
    pub fn exception_type(&self) -> &str {
        &self.0.type_name
    }
    /// `str(exception)`.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// CPython's traceback text (`Traceback (most recent call last): ...`), empty for
    /// errors that never ran through a script.
    pub fn traceback(&self) -> &str {
        &self.0.traceback
    }
    /// The limit that stopped the script, if that is what happened.
    pub fn limit(&self) -> Option<LimitKind> {
        match self.0.kind {
            ErrorKind::Limit(k) => Some(k),
            _ => None,
        }
    }

    pub(crate) fn from_syntax(e: SyntaxError) -> Error {
        let mut err = Error::build(ErrorKind::Syntax, e.kind.python_name(), e.message.clone());
        err.0.traceback = format!("{}\n", e.python_line());
        err.0.syntax = Some(e);
        err
    }

    /// Describe a Python exception that escaped, with its traceback.
    pub(crate) fn from_exc(vm: &Vm, e: &Exc) -> Error {
        let value = vm.exc_value(e);
        let type_name = vm.type_of(&value).name.to_string();
        let kind = match vm.limits.tripped() {
            Some(k) => ErrorKind::Limit(k),
            None => ErrorKind::Exception,
        };
        let mut err = Error::build(kind, &type_name, vm.exc_message(&value));
        err.0.traceback = vm.format_exception(e);
        if let Some(entry) = e.0.traceback.first() {
            err.0.source = Some(Arc::new(NamedSource::new(entry.file.name.clone(), entry.file.text.clone())));
            let start = (entry.span.start as usize).min(entry.file.text.len());
            let end = (entry.span.end as usize).clamp(start, entry.file.text.len());
            err.0.span = Some((start, end - start));
        }
        err
    }

    /// The exception a host function's error raises in the script.
    pub(crate) fn to_exc(&self, vm: &Vm) -> Exc {
        if let ErrorKind::Limit(k) = self.0.kind {
            return vm.limits.trip(k);
        }
        let cls = vm.builtins.get_by_name(&self.0.type_name);
        match cls {
            Some(crate::runtime::Value::Class(c)) if c.base_kind == crate::runtime::class::BaseKind::Exception => {
                match vm.instantiate(&c, crate::runtime::Args::one(crate::runtime::Value::str(&self.0.message))) {
                    Ok(crate::runtime::Value::Instance(i)) => Exc::from_object(i),
                    _ => Exc::runtime_error(self.0.message.clone()),
                }
            }
            _ => Exc::new(ExcKind::RuntimeError, format!("{}: {}", self.0.type_name, self.0.message)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.message.is_empty() {
            write!(f, "{}", self.0.type_name)
        } else {
            write!(f, "{}: {}", self.0.type_name, self.0.message)
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.traceback.is_empty() {
            write!(f, "{self}")
        } else {
            write!(f, "{}", self.0.traceback.trim_end())
        }
    }
}

impl std::error::Error for Error {}

impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if let Some(s) = &self.0.syntax {
            return s.code();
        }
        Some(Box::new(match self.0.kind {
            ErrorKind::Limit(_) => "coro::limit".to_string(),
            ErrorKind::Conversion => "coro::conversion".to_string(),
            _ => format!("coro::{}", self.0.type_name),
        }))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        if let Some(s) = &self.0.syntax {
            return s.help();
        }
        if self.0.traceback.is_empty() {
            None
        } else {
            Some(Box::new(self.0.traceback.trim_end()))
        }
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        if let Some(s) = &self.0.syntax {
            return s.source_code();
        }
        self.0.source.as_deref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if let Some(s) = &self.0.syntax {
            return s.labels();
        }
        let (start, len) = self.0.span?;
        Some(Box::new(std::iter::once(LabeledSpan::new_primary_with_span(Some("raised here".into()), (start, len)))))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        use std::io::ErrorKind as K;
        let t = match e.kind() {
            K::NotFound => "FileNotFoundError",
            K::PermissionDenied => "PermissionError",
            K::AlreadyExists => "FileExistsError",
            K::TimedOut => "TimeoutError",
            K::ConnectionRefused => "ConnectionRefusedError",
            K::ConnectionReset => "ConnectionResetError",
            K::ConnectionAborted => "ConnectionAbortedError",
            K::BrokenPipe => "BrokenPipeError",
            _ => "OSError",
        };
        Error::new(t, e.to_string())
    }
}

impl From<String> for Error {
    /// A plain message becomes a `RuntimeError`.
    fn from(s: String) -> Error {
        Error::new("RuntimeError", s)
    }
}

impl From<&str> for Error {
    fn from(s: &str) -> Error {
        Error::new("RuntimeError", s)
    }
}
