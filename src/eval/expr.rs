//! The sync evaluator for expressions: every node not marked `suspends`.

use std::rc::Rc;

use super::frame::Frame;
use crate::runtime::exception::ExcKind;
use crate::runtime::function::BoundMethod;
use crate::runtime::str::PyStr;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

impl Vm {
    /// Add this frame's traceback entry to an error leaving node `span`, if no inner node
    /// of the same frame did already.
    #[cold]
    pub fn note(&self, f: &Frame, mut e: Exc, span: Span) -> Exc {
        if !e.0.noted {
            e.0.noted = true;
            if let Some(entry) = f.trace_entry(span) {
                e.push_frame(entry);
            }
        }
        e
    }

    /// Evaluate an operand: bound locals and int literals are read inline by the parent
    /// node, saving a native call for the commonest operands.
    #[inline(always)]
    pub fn eval_operand(&self, f: &mut Frame, e: &Expr) -> PyResult<Value> {
        match &e.kind {
            ExprKind::Name(NameExpr { scope: NameRef::Local(i), .. }) => match f.locals.get(*i as usize) {
                Some(Some(v)) => Ok(v.clone()),
                _ => self.eval(f, e),
            },
            ExprKind::Constant(Constant::Int(i)) => Ok(Value::Int(*i)),
            _ => self.eval(f, e),
        }
    }

    /// Evaluate a condition (`if`, `while`, `elif`): a single comparison is decided
    /// without the generic path when both sides are ints.
    #[inline]
    pub fn eval_cond(&self, f: &mut Frame, e: &Expr) -> PyResult<bool> {
        if let ExprKind::Compare { left, ops, comparators } = &e.kind {
            if let ([op], [rhs]) = (&ops[..], &comparators[..]) {
                let a = self.eval_operand(f, left)?;
                let b = self.eval_operand(f, rhs)?;
                let r = self.compare(*op, &a, &b).map_err(|x| self.note(f, x, e.span))?;
                return self.truthy(&r);
            }
        }
        let v = self.eval(f, e)?;
        self.truthy(&v)
    }

    #[inline]
    pub fn eval(&self, f: &mut Frame, e: &Expr) -> PyResult<Value> {
        match &e.kind {
            ExprKind::Name(n) => self.load_name(f, n).map_err(|x| self.note(f, x, e.span)),
            ExprKind::Constant(c) => Ok(self.constant(c)),
            ExprKind::BinOp { left, op, right } => {
                let a = self.eval_operand(f, left)?;
                let b = self.eval_operand(f, right)?;
                self.binop(*op, &a, &b).map_err(|x| self.note(f, x, e.span))
            }
            ExprKind::Call { func, args } => self.eval_call(f, func, args, e.span).map_err(|x| self.note(f, x, e.span)),
            ExprKind::Attribute { value, attr } => {
                let v = self.eval_operand(f, value)?;
                self.getattr(&v, &attr.name).map_err(|x| self.note(f, x, e.span))
            }
            ExprKind::Subscript { value, index } => {
                let v = self.eval(f, value)?;
                let i = self.eval(f, index)?;
                self.getitem(&v, &i).map_err(|x| self.note(f, x, e.span))
            }
            ExprKind::Compare { left, ops, comparators } => {
                let mut a = self.eval_operand(f, left)?;
                if let ([op], [rhs]) = (&ops[..], &comparators[..]) {
                    let b = self.eval_operand(f, rhs)?;
                    return self.compare(*op, &a, &b).map_err(|x| self.note(f, x, e.span));
                }
                let last = ops.len() - 1;
                for (i, (op, rhs)) in ops.iter().zip(comparators).enumerate() {
                    let b = self.eval(f, rhs)?;
                    let r = self.compare(*op, &a, &b).map_err(|x| self.note(f, x, e.span))?;
                    if i == last {
                        return Ok(r);
                    }
                    if !self.truthy(&r)? {
                        return Ok(r);
                    }
                    a = b;
                }
                Ok(Value::Bool(true))
            }
            ExprKind::BoolOp { op, values } => {
                let mut v = Value::None;
                for (i, x) in values.iter().enumerate() {
                    v = self.eval(f, x)?;
                    if i + 1 < values.len() {
                        let t = self.truthy(&v).map_err(|x| self.note(f, x, e.span))?;
                        if (*op == BoolOp::And) != t {
                            return Ok(v);
                        }
                    }
                }
                Ok(v)
            }
            ExprKind::UnaryOp { op, operand } => {
                let v = self.eval(f, operand)?;
                self.unaryop(*op, &v).map_err(|x| self.note(f, x, e.span))
            }
            _ => self.eval_rare(f, e),
        }
    }

    /// The expression kinds that are rarely on a hot path, kept out of `eval` so the
    /// hot recursion has a small native frame.
    #[inline(never)]
    fn eval_rare(&self, f: &mut Frame, e: &Expr) -> PyResult<Value> {
        match &e.kind {
            ExprKind::IfExp { test, body, orelse } => {
                let t = self.eval(f, test)?;
                if self.truthy(&t)? {
                    self.eval(f, body)
                } else {
                    self.eval(f, orelse)
                }
            }
            ExprKind::NamedExpr { target, value } => {
                let v = self.eval(f, value)?;
                self.assign(f, target, v.clone())?;
                Ok(v)
            }
            ExprKind::FString(parts) => {
                let mut out = String::new();
                self.eval_fstring(f, parts, &mut out).map_err(|x| self.note(f, x, e.span))?;
                Ok(Value::string(out))
            }
            ExprKind::List(items) => {
                let v = self.eval_elements(f, items)?;
                Ok(Value::list(v))
            }
            ExprKind::Tuple(items) => {
                let v = self.eval_elements(f, items)?;
                Ok(Value::tuple(v))
            }
            ExprKind::Set(items) => {
                let v = self.eval_elements(f, items)?;
                self.new_set(v).map_err(|x| self.note(f, x, e.span))
            }
            ExprKind::Dict(items) => {
                let d = crate::runtime::dict::PyDict::new();
                for it in items {
                    match it {
                        DictItem::Pair(k, v) => {
                            let k = self.eval(f, k)?;
                            let v = self.eval(f, v)?;
                            d.set(self, k, v).map_err(|x| self.note(f, x, e.span))?;
                        }
                        DictItem::Unpack(m) => {
                            let m = self.eval(f, m)?;
                            self.dict_update(&d, &m).map_err(|x| self.note(f, x, e.span))?;
                        }
                    }
                }
                Ok(Value::Dict(Rc::new(d)))
            }
            ExprKind::Lambda(def) => self.make_function(f, def),
            ExprKind::Comp(c) => self.eval_comprehension(f, c).map_err(|x| self.note(f, x, e.span)),
            ExprKind::Starred(_) => Err(Exc::new(ExcKind::SyntaxError, "can't use starred expression here")),
            ExprKind::Slice { lower, upper, step } => {
                let mut part = |p: &Option<Box<Expr>>| -> PyResult<Value> {
                    match p {
                        Some(x) => self.eval(f, x),
                        None => Ok(Value::None),
                    }
                };
                let start = part(lower)?;
                let stop = part(upper)?;
                let step = part(step)?;
                Ok(Value::Slice(Rc::new(crate::runtime::value::SliceObj { start, stop, step })))
            }
            ExprKind::Await(_) | ExprKind::Yield(_) | ExprKind::YieldFrom(_) => {
                Err(Exc::runtime_error("internal error: suspending expression reached the sync evaluator"))
            }
            _ => unreachable!("hot expression kinds are handled in eval"),
        }
    }

    pub fn constant(&self, c: &Constant) -> Value {
        match c {
            Constant::None => Value::None,
            Constant::True => Value::Bool(true),
            Constant::False => Value::Bool(false),
            Constant::Ellipsis => Value::Ellipsis,
            Constant::Int(i) => Value::Int(*i),
            Constant::BigInt(b) => Value::BigInt(b.clone()),
            Constant::Float(x) => Value::Float(*x),
            Constant::Imaginary(x) => Value::Float(*x),
            Constant::Str(s) => Value::Str(s.clone()),
            Constant::Bytes(b) => Value::Bytes(b.clone()),
        }
    }

    /// Read a name: bound locals and set globals inline, everything else out of line.
    #[inline(always)]
    pub fn load_name(&self, f: &Frame, n: &NameExpr) -> PyResult<Value> {
        match n.scope {
            NameRef::Local(i) => {
                if let Some(Some(v)) = f.locals.get(i as usize) {
                    return Ok(v.clone());
                }
            }
            NameRef::Global(i) => {
                if let Some(v) = f.module.globals.get(i) {
                    return Ok(v);
                }
            }
            _ => {}
        }
        self.load_name_slow(f, n)
    }

    #[inline(never)]
    fn load_name_slow(&self, f: &Frame, n: &NameExpr) -> PyResult<Value> {
        match n.scope {
            NameRef::Local(i) => match &f.locals[i as usize] {
                Some(v) => Ok(v.clone()),
                None => Err(Exc::new(
                    ExcKind::UnboundLocalError,
                    format!("cannot access local variable '{}' where it is not associated with a value", n.id),
                )),
            },
            NameRef::Cell(i) => match &*f.cells[i as usize].borrow() {
                Some(v) => Ok(v.clone()),
                None => Err(if f.is_free_cell(i) {
                    Exc::new(
                        ExcKind::NameError,
                        format!("cannot access free variable '{}' where it is not associated with a value in enclosing scope", n.id),
                    )
                } else {
                    Exc::new(
                        ExcKind::UnboundLocalError,
                        format!("cannot access local variable '{}' where it is not associated with a value", n.id),
                    )
                }),
            },
            NameRef::Global(i) => match f.module.globals.get(i) {
                Some(v) => Ok(v),
                None => self.load_builtin(&f.module.globals, i, &n.id),
            },
            NameRef::ClassBody(i) => {
                if let Some(ns) = &f.class_ns {
                    if let Some(v) = ns.borrow().get(&n.id) {
                        return Ok(v.clone());
                    }
                }
                match f.module.globals.get(i) {
                    Some(v) => Ok(v),
                    None => self.builtins.get_by_name(&n.id).ok_or_else(|| Exc::name_error(&n.id)),
                }
            }
            NameRef::Unresolved => Err(Exc::runtime_error(format!("internal error: unresolved name '{}'", n.id))),
        }
    }

    /// A global name that is not set in the module: the builtin of that name, found by
    /// name once per global slot and then by the remembered builtins slot.
    #[inline(never)]
    fn load_builtin(&self, globals: &crate::runtime::module::Globals, i: u32, name: &Name) -> PyResult<Value> {
        let slot = match globals.builtin_slot(i) {
            Some(b) => Some(b),
            None => {
                let b = self.builtins.index_of(name);
                if let Some(b) = b {
                    globals.set_builtin_slot(i, b);
                }
                b
            }
        };
        slot.and_then(|b| self.builtins.get(b)).ok_or_else(|| Exc::name_error(name))
    }

    pub fn store_name(&self, f: &mut Frame, n: &NameExpr, v: Value) {
        match n.scope {
            NameRef::Local(i) => f.locals[i as usize] = Some(v),
            NameRef::Cell(i) => *f.cells[i as usize].borrow_mut() = Some(v),
            NameRef::Global(i) => f.module.globals.set(i, v),
            NameRef::ClassBody(i) => match &f.class_ns {
                Some(ns) => {
                    ns.borrow_mut().insert(n.id.clone(), v);
                }
                None => f.module.globals.set(i, v),
            },
            NameRef::Unresolved => {}
        }
    }

    /// Evaluate list/tuple/set display elements, expanding `*x`.
    pub fn eval_elements(&self, f: &mut Frame, items: &[Expr]) -> PyResult<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if let ExprKind::Starred(inner) = &it.kind {
                let v = self.eval(f, inner)?;
                self.extend_from_iterable(&mut out, &v).map_err(|x| self.note(f, x, it.span))?;
            } else {
                out.push(self.eval(f, it)?);
            }
        }
        Ok(out)
    }

    pub fn eval_fstring(&self, f: &mut Frame, parts: &[FStringPart], out: &mut String) -> PyResult<()> {
        for p in parts {
            match p {
                FStringPart::Literal(s) => out.push_str(s),
                FStringPart::Field(field) => {
                    let v = self.eval(f, &field.expr)?;
                    let spec = match &field.format_spec {
                        Some(spec) => {
                            let mut s = String::new();
                            self.eval_fstring(f, spec, &mut s)?;
                            Some(s)
                        }
                        None => None,
                    };
                    self.format_field(&v, field, spec.as_deref(), out)?;
                }
            }
        }
        Ok(())
    }

    /// Render one f-string field (conversion, then format spec) onto `out`.
    pub fn format_field(&self, v: &Value, field: &FStringField, spec: Option<&str>, out: &mut String) -> PyResult<()> {
        if let Some(dbg) = &field.debug_text {
            out.push_str(dbg);
        }
        let conv = match field.conversion {
            Some('r') => Some(Value::string(self.repr(v)?)),
            Some('s') => Some(Value::Str(self.to_str(v)?)),
            Some('a') => Some(Value::string(crate::format::ascii_escape(&self.repr(v)?))),
            _ => None,
        };
        let v = conv.as_ref().unwrap_or(v);
        match (v, spec) {
            (Value::Str(s), None | Some("")) => out.push_str(s.as_str()),
            (Value::Int(i), None | Some("")) => {
                use std::fmt::Write;
                let _ = write!(out, "{i}");
            }
            (_, None) => out.push_str(self.to_str(v)?.as_str()),
            (_, Some(spec)) => out.push_str(&self.format(v, spec)?),
        }
        Ok(())
    }

    // ----- calls ---------------------------------------------------------------------

    fn eval_call(&self, f: &mut Frame, func: &Expr, args: &[Arg], span: Span) -> PyResult<Value> {
        // `obj.method(...)`: look the method up without building a bound method.
        if let ExprKind::Attribute { value, attr } = &func.kind {
            let recv = self.eval_operand(f, value)?;
            // A Python method found on the instance's class (not shadowed by an
            // instance attribute): call it without a bound method or `Args`.
            if let Value::Instance(inst) = &recv {
                if inst.attrs.borrow().get(&attr.name).is_none() {
                    let cls = inst.class();
                    if !Rc::ptr_eq(&cls, &self.types.super_) {
                        if let Some(Value::Function(func)) = cls.lookup_name(&attr.name) {
                            if let Some(r) = self.call_positional_direct(f, &func, Some(&recv), args) {
                                return r;
                            }
                        }
                    }
                }
            }
            let args = self.eval_args(f, args)?;
            return self.call_method(&recv, &attr.name, args);
        }
        if let ExprKind::Name(n) = &func.kind {
            if &*n.id == "super" && args.is_empty() {
                let callee = self.load_name(f, n)?;
                if callee.is(&self.builtin("super").unwrap_or(Value::None)) {
                    return self.zero_arg_super(f);
                }
            }
        }
        let callee = self.eval(f, func)?;
        if let Value::Function(func) = &callee {
            if let Some(r) = self.call_positional_direct(f, func, None, args) {
                return r;
            }
        }
        if let Value::Class(cls) = &callee {
            if let Some(r) = self.instantiate_positional_direct(f, cls, args) {
                return r;
            }
        }
        let args = self.eval_args(f, args)?;
        if let Value::Function(func) = &callee {
            if func.def.is_async {
                // Remember where the coroutine object is made, for "never awaited".
                if let Some(entry) = f.trace_entry(span) {
                    *self.call_origin.borrow_mut() = Some(entry);
                }
            }
        }
        self.call(&callee, args)
    }

    pub fn eval_args(&self, f: &mut Frame, args: &[Arg]) -> PyResult<Args> {
        let mut out = Args::default();
        for a in args {
            match a {
                Arg::Positional(e) => {
                    let v = self.eval_operand(f, e)?;
                    out.pos.push(v);
                }
                Arg::Starred(e) => {
                    let v = self.eval(f, e)?;
                    self.push_star_args(&mut out, &v)?;
                }
                Arg::Keyword(k, e) => {
                    let v = self.eval(f, e)?;
                    out.kw.push((k.name.clone(), v));
                }
                Arg::DoubleStarred(e) => {
                    let v = self.eval(f, e)?;
                    self.push_kwargs(&mut out, &v)?;
                }
            }
        }
        Ok(out)
    }

    pub fn push_star_args(&self, out: &mut Args, v: &Value) -> PyResult<()> {
        match v {
            Value::Tuple(t) => out.pos.extend(t.iter().cloned()),
            Value::List(l) => out.pos.extend(l.borrow().iter().cloned()),
            _ => {
                let mut tmp = Vec::new();
                self.extend_from_iterable(&mut tmp, v).map_err(|e| {
                    if e.kind() == Some(ExcKind::TypeError) {
                        Exc::type_error(format!(
                            "Value after * must be an iterable, not {}",
                            self.type_name(v)
                        ))
                    } else {
                        e
                    }
                })?;
                out.pos.extend(tmp);
            }
        }
        Ok(())
    }

    pub fn push_kwargs(&self, out: &mut Args, v: &Value) -> PyResult<()> {
        let items = self.mapping_items(v)?;
        for (k, val) in items {
            let Value::Str(s) = &k else {
                return Err(Exc::type_error("keywords must be strings"));
            };
            let name = self.intern(s.as_str());
            if out.kw.iter().any(|(n, _)| *n == name) {
                return Err(Exc::type_error(format!("got multiple values for keyword argument '{name}'")));
            }
            out.kw.push((name, val));
        }
        Ok(())
    }

    /// `super()` inside a method: the class from the `__class__` cell and the first argument.
    fn zero_arg_super(&self, f: &Frame) -> PyResult<Value> {
        let info = f.scope_info().ok_or_else(|| Exc::runtime_error("super(): no arguments"))?;
        let idx = info.cell_names.iter().position(|n| &**n == "__class__");
        let cls = idx.and_then(|i| f.cells.get(i)).and_then(|c| c.borrow().clone());
        let Some(Value::Class(cls)) = cls else {
            return Err(Exc::runtime_error("super(): __class__ cell not found"));
        };
        // The first parameter may itself live in a cell (captured by an inner function).
        let first = match info.cell_params.iter().find(|(_, p)| *p == 0) {
            Some((c, _)) => f.cells[*c as usize].borrow().clone(),
            None => f.locals.first().cloned().flatten(),
        };
        let Some(obj) = first else {
            return Err(Exc::runtime_error("super(): no arguments"));
        };
        Ok(self.make_super(cls, obj))
    }

    /// Build a bound method value.
    pub fn bind_method(&self, func: Value, receiver: Value) -> Value {
        Value::BoundMethod(Rc::new(BoundMethod { receiver, func }))
    }

    pub fn new_str(&self, s: &str) -> Value {
        Value::Str(Rc::new(PyStr::new(s)))
    }
}
