//! Exceptions as Python objects: building them, matching `except` clauses, chaining,
//! and printing tracebacks.

use std::rc::Rc;

use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::exception::{ExcPayload, ExcValue, TraceEntry};
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::Vm;

impl Vm {
    /// The class of a raised exception.
    pub fn exc_class(&self, e: &Exc) -> Rc<Class> {
        match &e.0.value {
            ExcValue::New { kind, .. } => self.types.exception(*kind).clone(),
            ExcValue::Object(o) => o.class(),
        }
    }

    /// The exception object (built now if it was raised from Rust). Repeated calls on
    /// the same `Exc` return the same object once it has been materialised with
    /// [`Vm::materialize`].
    pub fn exc_value(&self, e: &Exc) -> Value {
        match &e.0.value {
            ExcValue::Object(o) => Value::Instance(o.clone()),
            ExcValue::New { kind, args } => {
                let p = ExcPayload::default();
                *p.args.borrow_mut() = args.clone();
                *p.traceback.borrow_mut() = e.0.traceback.clone();
                Value::Instance(Instance::new(self.types.exception(*kind).clone(), Payload::Exception(p)))
            }
        }
    }

    /// Turn a Rust-raised exception into its object in place; the traceback so far is
    /// kept in the object too (for `raise e` later).
    pub fn materialize(&self, e: &mut Exc) -> Rc<Instance> {
        let v = self.exc_value(e);
        let Value::Instance(inst) = v else { unreachable!("exception objects are instances") };
        if let Some(p) = inst.exception() {
            *p.traceback.borrow_mut() = e.0.traceback.clone();
        }
        e.0.value = ExcValue::Object(inst.clone());
        inst
    }

    /// Does `e` match an `except` clause's class (or tuple of classes)?
    pub fn exc_matches(&self, e: &Exc, spec: &Value) -> PyResult<bool> {
        // A host limit tripped: nothing may catch anything any more.
        if self.limit_tripped() {
            return Ok(false);
        }
        let cls = self.exc_class(e);
        match spec {
            Value::Class(c) => {
                if c.base_kind != BaseKind::Exception {
                    return Err(Exc::type_error("catching classes that do not inherit from BaseException is not allowed"));
                }
                Ok(cls.is_subclass(c))
            }
            Value::Tuple(t) => {
                for s in t.iter() {
                    if self.exc_matches(e, s)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(Exc::type_error("catching classes that do not inherit from BaseException is not allowed")),
        }
    }

    /// (type, value, traceback) for `__exit__`.
    pub fn exc_triple(&self, e: &Exc) -> (Value, Value, Value) {
        let v = self.exc_value(e);
        (Value::Class(self.exc_class(e)), v, Value::None)
    }

    /// The exception a `raise` statement raises.
    pub fn make_raise(&self, exc: Option<Value>, cause: Option<Value>) -> Exc {
        let Some(exc) = exc else {
            return match self.current_handled() {
                Some(Value::Instance(i)) => {
                    let mut e = Exc::from_object(i.clone());
                    if let Some(p) = i.exception() {
                        e.0.traceback = p.traceback.borrow().clone();
                    }
                    e
                }
                _ => Exc::runtime_error("No active exception to reraise"),
            };
        };
        let inst = match self.exception_instance(&exc) {
            Ok(i) => i,
            Err(e) => return e,
        };
        if let Some(cause) = cause {
            let c = if cause.is_none() {
                Ok(None)
            } else {
                match self.exception_instance(&cause) {
                    Ok(ci) => Ok(Some(Value::Instance(ci))),
                    Err(_) => Err(Exc::type_error("exception causes must derive from BaseException")),
                }
            };
            match c {
                Ok(c) => {
                    if let Some(p) = inst.exception() {
                        *p.cause.borrow_mut() = c;
                        p.suppress_context.set(true);
                    }
                }
                Err(e) => return e,
            }
        }
        let mut e = Exc::from_object(inst.clone());
        if let Some(p) = inst.exception() {
            e.0.traceback = p.traceback.borrow().clone();
        }
        if let Some(ctx) = self.current_handled() {
            self.set_context(&inst, ctx);
        }
        e
    }

    fn set_context(&self, inst: &Rc<Instance>, ctx: Value) {
        if let Value::Instance(c) = &ctx {
            if Rc::ptr_eq(c, inst) {
                return;
            }
        }
        if let Some(p) = inst.exception() {
            if p.context.borrow().is_none() {
                *p.context.borrow_mut() = Some(ctx);
            }
        }
    }

    /// Record that `e` was raised while `handled` was being handled (`__context__`).
    pub fn chain_context(&self, mut e: Exc, handled: &Value) -> Exc {
        let inst = self.materialize(&mut e);
        self.set_context(&inst, handled.clone());
        e
    }

    /// An exception instance from a `raise` operand (a class is instantiated).
    pub fn exception_instance(&self, v: &Value) -> PyResult<Rc<Instance>> {
        match v {
            Value::Class(c) if c.base_kind == BaseKind::Exception => match self.instantiate(c, Args::empty())? {
                Value::Instance(i) => Ok(i),
                _ => Err(Exc::type_error("exceptions must derive from BaseException")),
            },
            Value::Instance(i) if i.exception().is_some() => Ok(i.clone()),
            _ => Err(Exc::type_error("exceptions must derive from BaseException")),
        }
    }

    /// `str(exception)`.
    pub fn exc_message(&self, v: &Value) -> String {
        self.to_str(v).map(|s| s.as_str().to_string()).unwrap_or_else(|_| "<exception str() failed>".into())
    }

    /// The last line of a traceback: `KeyError: 'x'`, `__main__.MyError: boom`.
    pub fn exc_summary(&self, v: &Value) -> String {
        let cls = self.type_of(v);
        let module = cls.module.borrow().clone();
        let name = if &*module == "builtins" || &*module == "__main__" {
            cls.qualname.borrow().to_string()
        } else {
            format!("{}.{}", module, cls.qualname.borrow())
        };
        let msg = self.exc_message(v);
        if msg.is_empty() {
            name
        } else {
            format!("{name}: {msg}")
        }
    }

    /// The whole traceback text for an uncaught exception, CPython's layout, with
    /// chained causes and contexts first.
    pub fn format_exception(&self, e: &Exc) -> String {
        let mut out = String::new();
        let v = self.exc_value(e);
        let mut seen = Vec::new();
        self.format_chain(&v, &e.0.traceback, &mut out, &mut seen);
        out
    }

    fn format_chain(&self, v: &Value, tb: &[TraceEntry], out: &mut String, seen: &mut Vec<usize>) {
        seen.push(v.identity());
        if let Value::Instance(i) = v {
            if let Some(p) = i.exception() {
                let cause = p.cause.borrow().clone();
                let context = p.context.borrow().clone();
                if let Some(c) = cause {
                    if !seen.contains(&c.identity()) {
                        let ctb = self.saved_traceback(&c);
                        self.format_chain(&c, &ctb, out, seen);
                        out.push_str("\nThe above exception was the direct cause of the following exception:\n\n");
                    }
                } else if let Some(c) = context {
                    if !p.suppress_context.get() && !seen.contains(&c.identity()) {
                        let ctb = self.saved_traceback(&c);
                        self.format_chain(&c, &ctb, out, seen);
                        out.push_str("\nDuring handling of the above exception, another exception occurred:\n\n");
                    }
                }
            }
        }
        if !tb.is_empty() {
            out.push_str("Traceback (most recent call last):\n");
            for entry in tb.iter().rev() {
                let line = entry.file.line_of(entry.span.start);
                out.push_str(&format!("  File \"{}\", line {}, in {}\n", entry.file.name, line, entry.function));
                let text = entry.file.line_text(line).trim();
                if !text.is_empty() {
                    out.push_str(&format!("    {text}\n"));
                }
            }
        }
        out.push_str(&self.exc_summary(v));
        out.push('\n');
    }

    fn saved_traceback(&self, v: &Value) -> Vec<TraceEntry> {
        match v {
            Value::Instance(i) => i.exception().map(|p| p.traceback.borrow().clone()).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Is this exception a `SystemExit`? Returns the exit code it asks for.
    pub fn system_exit_code(&self, e: &Exc) -> Option<i32> {
        if !self.exc_is(e, ExcKind::SystemExit) {
            return None;
        }
        let v = self.exc_value(e);
        let args = match &v {
            Value::Instance(i) => i.exception().map(|p| p.args.borrow().clone()).unwrap_or_default(),
            _ => vec![],
        };
        Some(match args.first() {
            None | Some(Value::None) => 0,
            Some(Value::Int(i)) => *i as i32,
            Some(Value::Bool(b)) => *b as i32,
            Some(other) => {
                let msg = self.to_str(other).map(|s| s.as_str().to_string()).unwrap_or_default();
                self.write_stderr(&format!("{msg}\n"));
                1
            }
        })
    }
}
