//! Turning values into text: `repr`, `str`, `format`, `%` and `str.format`.
//! The text rules themselves live in `crate::format`; this is the glue to values.

use std::rc::Rc;

use num_bigint::BigInt;

use super::numeric::{as_int, IntRef};
use crate::format::{self, Accessor, ArgRef, AutoNumber, Count, ErrorKind, FormatError, PercentParser, PercentPiece};
use crate::runtime::class::Payload;
use crate::runtime::generator::GenKind;
use crate::runtime::str::PyStr;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::Vm;

pub fn format_error(e: FormatError) -> Exc {
    let kind = match e.kind() {
        ErrorKind::ValueError => ExcKind::ValueError,
        ErrorKind::TypeError => ExcKind::TypeError,
        ErrorKind::OverflowError => ExcKind::OverflowError,
    };
    Exc::new(kind, e.to_string())
}

impl Vm {
    pub fn repr(&self, v: &Value) -> PyResult<String> {
        Ok(match v {
            Value::None => "None".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::BigInt(b) => b.to_string(),
            Value::Float(f) => format::float_repr(*f),
            Value::Str(s) => format::str_repr(s.as_str()),
            Value::Bytes(b) => format::bytes_repr(b),
            Value::ByteArray(b) => format!("bytearray({})", format::bytes_repr(&b.borrow())),
            Value::List(l) => {
                let items = l.borrow().clone();
                self.guarded(v, "[...]", || self.join_reprs("[", &items, "]"))?
            }
            Value::Tuple(t) => {
                if t.len() == 1 {
                    format!("({},)", self.repr(&t[0])?)
                } else {
                    self.guarded(v, "(...)", || self.join_reprs("(", t, ")"))?
                }
            }
            Value::Dict(d) => {
                let items = d.items();
                self.guarded(v, "{...}", || self.dict_repr(&items))?
            }
            Value::Set(s) => {
                if s.is_empty() {
                    "set()".into()
                } else {
                    self.guarded(v, "{...}", || self.join_reprs("{", &s.items(), "}"))?
                }
            }
            Value::FrozenSet(s) => {
                if s.is_empty() {
                    "frozenset()".into()
                } else {
                    format!("frozenset({})", self.join_reprs("{", &s.items(), "}")?)
                }
            }
            Value::Range(r) => {
                if r.step == 1 {
                    format!("range({}, {})", r.start, r.stop)
                } else {
                    format!("range({}, {}, {})", r.start, r.stop, r.step)
                }
            }
            Value::Slice(s) => format!("slice({}, {}, {})", self.repr(&s.start)?, self.repr(&s.stop)?, self.repr(&s.step)?),
            Value::Function(f) => format!("<function {} at {:#x}>", f.qualname.borrow(), v.identity()),
            Value::Builtin(b) => match &b.owner {
                Some(o) => format!("<method '{}' of '{}' objects>", b.name, o),
                None => format!("<built-in function {}>", b.name),
            },
            Value::BoundMethod(m) => {
                let name = match &m.func {
                    Value::Function(f) => f.qualname.borrow().to_string(),
                    Value::Builtin(b) => {
                        return Ok(format!(
                            "<built-in method {} of {} object at {:#x}>",
                            b.name,
                            self.type_name(&m.receiver),
                            m.receiver.identity()
                        ))
                    }
                    other => self.repr(other)?,
                };
                format!("<bound method {} of {}>", name, self.repr(&m.receiver)?)
            }
            Value::Class(c) if c.metaclass.borrow().is_some() && self.meta_dunder(c, "__repr__").is_some() => {
                // A metaclass `__repr__` (`<enum 'Color'>`).
                let m = self.meta_dunder(c, "__repr__").unwrap_or(Value::None);
                match self.call(&m, Args::empty())? {
                    Value::Str(s) => s.as_str().to_string(),
                    other => return Err(Exc::type_error(format!("__repr__ returned non-string (type {})", self.type_name(&other)))),
                }
            }
            Value::Class(c) => {
                let module = c.module.borrow().clone();
                if &*module == "builtins" {
                    format!("<class '{}'>", c.qualname.borrow())
                } else {
                    format!("<class '{}.{}'>", module, c.qualname.borrow())
                }
            }
            Value::Module(m) => match &m.file {
                Some(f) => format!("<module '{}' from '{}'>", m.name, f.name),
                None => format!("<module '{}' (built-in)>", m.name),
            },
            Value::Generator(g) => {
                let kind = match g.kind {
                    GenKind::Generator => "generator",
                    GenKind::Coroutine => "coroutine",
                    GenKind::AsyncGenerator => "async_generator",
                };
                format!("<{} object {} at {:#x}>", kind, g.qualname, v.identity())
            }
            Value::Ellipsis => "Ellipsis".into(),
            Value::NotImplemented => "NotImplemented".into(),
            Value::Instance(_) => {
                let r = match self.call_dunder(v, "__repr__", Args::empty())? {
                    Some(r) => r,
                    None => return Ok(self.default_repr(v)),
                };
                match r {
                    Value::Str(s) => s.as_str().to_string(),
                    other => {
                        return Err(Exc::type_error(format!(
                            "__repr__ returned non-string (type {})",
                            self.type_name(&other)
                        )))
                    }
                }
            }
        })
    }

    /// `<__main__.Foo object at 0x...>`
    pub fn default_repr(&self, v: &Value) -> String {
        let cls = self.type_of(v);
        let module = cls.module.borrow().clone();
        if &*module == "builtins" {
            format!("<{} object at {:#x}>", cls.qualname.borrow(), v.identity())
        } else {
            format!("<{}.{} object at {:#x}>", module, cls.qualname.borrow(), v.identity())
        }
    }

    /// Compute a container's repr, printing `marker` if it is already being printed.
    fn guarded(&self, v: &Value, marker: &str, f: impl FnOnce() -> PyResult<String>) -> PyResult<String> {
        let id = v.identity();
        if self.repr_guard.borrow().contains(&id) {
            return Ok(marker.to_string());
        }
        if self.repr_guard.borrow().len() > 200 {
            return Err(Exc::new(ExcKind::RecursionError, "maximum recursion depth exceeded while getting the repr of an object"));
        }
        self.repr_guard.borrow_mut().push(id);
        let r = f();
        self.repr_guard.borrow_mut().pop();
        r
    }

    fn join_reprs(&self, open: &str, items: &[Value], close: &str) -> PyResult<String> {
        let mut s = String::from(open);
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&self.repr(x)?);
        }
        s.push_str(close);
        Ok(s)
    }

    pub fn dict_repr(&self, items: &[(Value, Value)]) -> PyResult<String> {
        let mut s = String::from("{");
        for (i, (k, v)) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&self.repr(k)?);
            s.push_str(": ");
            s.push_str(&self.repr(v)?);
        }
        s.push('}');
        Ok(s)
    }

    /// `str(v)`.
    pub fn to_str(&self, v: &Value) -> PyResult<Rc<PyStr>> {
        match v {
            Value::Str(s) => Ok(s.clone()),
            Value::Instance(inst) => {
                let cls = inst.class();
                match cls.lookup("__str__") {
                    Some(m) => {
                        let m = self.bind_descriptor(m, v)?;
                        match self.call(&m, Args::empty())? {
                            Value::Str(s) => Ok(s),
                            other => Err(Exc::type_error(format!(
                                "__str__ returned non-string (type {})",
                                self.type_name(&other)
                            ))),
                        }
                    }
                    None => {
                        if let Payload::Builtin(b) = &inst.payload {
                            if cls.lookup("__repr__").map(|r| matches!(r, Value::Builtin(_))).unwrap_or(true) {
                                let inner = b.borrow().clone();
                                return self.to_str(&inner);
                            }
                        }
                        Ok(Rc::new(PyStr::from_string(self.repr(v)?)))
                    }
                }
            }
            _ => Ok(Rc::new(PyStr::from_string(self.repr(v)?))),
        }
    }

    /// `format(v, spec)`.
    pub fn format(&self, v: &Value, spec: &str) -> PyResult<String> {
        match v {
            Value::Int(i) => {
                if spec.is_empty() {
                    return Ok(i.to_string());
                }
                let s = format::parse_spec(spec).map_err(|e| format_error(e.with_type_name("int")))?;
                format::format_i64(*i, &s).map_err(|e| format_error(e.with_type_name("int")))
            }
            Value::BigInt(b) => {
                let s = format::parse_spec(spec).map_err(|e| format_error(e.with_type_name("int")))?;
                format::format_int(b, &s).map_err(|e| format_error(e.with_type_name("int")))
            }
            Value::Bool(b) => {
                if spec.is_empty() {
                    return Ok(if *b { "True" } else { "False" }.into());
                }
                self.format(&Value::Int(*b as i64), spec)
            }
            Value::Float(f) => {
                let s = format::parse_spec(spec).map_err(|e| format_error(e.with_type_name("float")))?;
                format::format_float(*f, &s).map_err(|e| format_error(e.with_type_name("float")))
            }
            Value::Str(s) => {
                if spec.is_empty() {
                    return Ok(s.as_str().to_string());
                }
                let sp = format::parse_spec(spec).map_err(|e| format_error(e.with_type_name("str")))?;
                format::format_str(s.as_str(), &sp).map_err(|e| format_error(e.with_type_name("str")))
            }
            Value::Instance(inst) => {
                let cls = inst.class();
                if let Some(m) = cls.lookup("__format__") {
                    if !matches!(m, Value::Builtin(_)) {
                        let m = self.bind_descriptor(m, v)?;
                        return match self.call1(&m, Value::str(spec))? {
                            Value::Str(s) => Ok(s.as_str().to_string()),
                            other => Err(Exc::type_error(format!(
                                "__format__ must return a str, not {}",
                                self.type_name(&other)
                            ))),
                        };
                    }
                }
                if let Payload::Builtin(b) = &inst.payload {
                    let inner = b.borrow().clone();
                    if spec.is_empty() {
                        return Ok(self.to_str(v)?.as_str().to_string());
                    }
                    return self.format(&inner, spec);
                }
                self.format_default(v, spec)
            }
            _ => self.format_default(v, spec),
        }
    }

    fn format_default(&self, v: &Value, spec: &str) -> PyResult<String> {
        if spec.is_empty() {
            return Ok(self.to_str(v)?.as_str().to_string());
        }
        Err(Exc::type_error(format!(
            "unsupported format string passed to {}.__format__",
            self.type_name(v)
        )))
    }

    /// `fmt % args`.
    pub fn percent_format(&self, fmt: &str, args: &Value) -> PyResult<Value> {
        let is_mapping = matches!(args, Value::Dict(_))
            || matches!(args, Value::Instance(i) if i.class().lookup("__getitem__").is_some() && !matches!(args, Value::Tuple(_)));
        let positional: Vec<Value> = match args {
            Value::Tuple(t) => t.to_vec(),
            other => vec![other.clone()],
        };
        let tuple_args = matches!(args, Value::Tuple(_));
        let mut next = 0usize;
        let mut out = String::new();
        let take = |next: &mut usize| -> PyResult<Value> {
            let v = positional.get(*next).cloned().ok_or_else(|| Exc::type_error("not enough arguments for format string"))?;
            *next += 1;
            Ok(v)
        };
        let mut used_mapping = false;
        for piece in PercentParser::new(fmt).with_mapping(is_mapping) {
            let conv = match piece.map_err(format_error)? {
                PercentPiece::Literal(s) => {
                    out.push_str(&s);
                    continue;
                }
                PercentPiece::Conv(c) => c,
            };
            let count = |c: Option<Count>, next: &mut usize| -> PyResult<Option<usize>> {
                match c {
                    None => Ok(None),
                    Some(Count::Num(n)) => Ok(Some(n)),
                    Some(Count::Star) => {
                        let v = take(next)?;
                        let n = match v {
                            Value::Int(i) => i,
                            _ => return Err(Exc::type_error("* wants int")),
                        };
                        Ok(Some(n.max(0) as usize))
                    }
                }
            };
            let width = count(conv.width, &mut next)?.unwrap_or(0);
            let prec = count(conv.precision, &mut next)?;
            let v = match &conv.key {
                Some(k) => {
                    used_mapping = true;
                    self.getitem(args, &Value::str(k))?
                }
                None => {
                    if !tuple_args && is_mapping {
                        used_mapping = true;
                        args.clone()
                    } else {
                        take(&mut next)?
                    }
                }
            };
            conv.validate().map_err(format_error)?;
            let flags = conv.flags;
            let text = match conv.conv {
                's' => format::format_percent_str(self.to_str(&v)?.as_str(), flags, width, prec),
                'r' => format::format_percent_str(&self.repr(&v)?, flags, width, prec),
                'a' => format::format_percent_str(&format::ascii_escape(&self.repr(&v)?), flags, width, prec),
                'c' => {
                    let c = match &v {
                        Value::Str(s) if s.len_chars() == 1 => s.as_str().chars().next().unwrap_or(' '),
                        Value::Str(_) => return Err(Exc::type_error("%c requires int or char")),
                        other => match as_int(other) {
                            Some(i) => format::percent_char_from_int(&i.to_big()).map_err(format_error)?,
                            None => return Err(Exc::type_error("%c requires int or char")),
                        },
                    };
                    format::format_percent_char(c, flags, width)
                }
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                    let big: BigInt = match (&v, as_int(&v)) {
                        (_, Some(i)) => i.to_big(),
                        (Value::Float(f), None) if matches!(conv.conv, 'd' | 'i' | 'u') => {
                            format::float_to_int(*f).map_err(|_| Exc::overflow("cannot convert float infinity to integer"))?
                        }
                        _ => {
                            let what = if matches!(conv.conv, 'd' | 'i' | 'u') { "a real number" } else { "an integer" };
                            return Err(Exc::type_error(format!(
                                "%{} format: {} is required, not {}",
                                conv.conv,
                                what,
                                self.type_name(&v)
                            )));
                        }
                    };
                    format::format_percent_int(&big, conv.conv, flags, width, prec)
                }
                _ => {
                    let f = match &v {
                        Value::Float(f) => *f,
                        other => match as_int(other) {
                            Some(IntRef::Small(i)) => i as f64,
                            Some(IntRef::Big(b)) => super::numeric::int_to_f64(b)?,
                            None => {
                                return Err(Exc::type_error(format!(
                                    "must be real number, not {}",
                                    self.type_name(other)
                                )))
                            }
                        },
                    };
                    format::format_percent_float(f, conv.conv, flags, width, prec)
                }
            };
            out.push_str(&text);
        }
        if !used_mapping && next < positional.len() && (tuple_args || !is_mapping) {
            return Err(Exc::type_error("not all arguments converted during string formatting"));
        }
        Ok(Value::string(out))
    }

    /// `template.format(*args, **kwargs)`.
    pub fn str_format(&self, template: &str, args: &[Value], kwargs: &[(crate::syntax::ast::Name, Value)]) -> PyResult<String> {
        self.expand_template(template, &mut |arg: &ArgRef| match arg {
            ArgRef::Index(i) => args
                .get(*i)
                .cloned()
                .ok_or_else(|| Exc::index_error(format!("Replacement index {i} out of range for positional args tuple"))),
            ArgRef::Name(n) => kwargs
                .iter()
                .find(|(k, _)| &**k == n.as_str())
                .map(|(_, v)| v.clone())
                .ok_or_else(|| Exc::key_error(Value::str(n))),
        })
    }

    /// Expand a `str.format` template, taking each field's argument from `lookup`
    /// (shared by `str.format` and `str.format_map`), then applying its accessors,
    /// conversion and format spec.
    pub fn expand_template(&self, template: &str, lookup: &mut dyn FnMut(&ArgRef) -> PyResult<Value>) -> PyResult<String> {
        let mut out = String::new();
        let mut auto = AutoNumber::new();
        let mut get = |field: &format::Field, arg: &ArgRef| -> PyResult<Value> {
            let mut v = lookup(arg)?;
            for acc in &field.name.accessors {
                v = match acc {
                    Accessor::Attr(a) => self.getattr(&v, a)?,
                    Accessor::Index(i) => self.getitem(&v, &Value::Int(*i as i64))?,
                    Accessor::Key(k) => self.getitem(&v, &Value::str(k))?,
                };
            }
            if let Some(e) = &field.name.trailing_error {
                return Err(format_error(e.clone()));
            }
            Ok(match field.conversion {
                Some(c) => {
                    format::check_conversion(c).map_err(format_error)?;
                    match c {
                        'r' => Value::string(self.repr(&v)?),
                        'a' => Value::string(format::ascii_escape(&self.repr(&v)?)),
                        _ => Value::Str(self.to_str(&v)?),
                    }
                }
                None => v,
            })
        };
        let mut fmt = |v: Value, spec: &str| -> PyResult<String> { self.format(&v, spec) };
        format::expand_format(template, format::FORMAT_RECURSION_DEPTH, &mut auto, &mut out, &mut get, &mut fmt)?;
        Ok(out)
    }
}

impl From<FormatError> for Exc {
    fn from(e: FormatError) -> Exc {
        format_error(e)
    }
}
