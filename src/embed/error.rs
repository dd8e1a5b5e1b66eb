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
        Error::build(ErrorKind::Conversion, "TypeError", message.into())
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
