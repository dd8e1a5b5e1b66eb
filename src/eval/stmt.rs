//! The sync evaluator for statements.

use super::frame::Frame;
use crate::runtime::exception::ExcKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

/// How a statement finished, other than by raising.
pub enum Flow {
    Normal,
    Break,
    Continue,
    Return(Value),
}

impl Vm {
    pub fn exec_block(&self, f: &mut Frame, body: &[Stmt]) -> PyResult<Flow> {
        for s in body {
            match self.exec(f, s)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    pub fn exec(&self, f: &mut Frame, s: &Stmt) -> PyResult<Flow> {
        self.exec_inner(f, s).map_err(|e| self.note(f, e, s.span))
    }

    fn exec_inner(&self, f: &mut Frame, s: &Stmt) -> PyResult<Flow> {
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval(f, e)?;
            }
            StmtKind::Assign { targets, value } => {
                let v = self.eval(f, value)?;
                if let [t] = &targets[..] {
                    self.assign(f, t, v)?;
                } else {
                    for t in targets {
                        self.assign(f, t, v.clone())?;
                    }
                }
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(f, target, *op, value)?,
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(v) => {
                let v = match v {
                    Some(e) => self.eval(f, e)?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::If { test, body, orelse } => {
                return if self.eval_cond(f, test)? { self.exec_block(f, body) } else { self.exec_block(f, orelse) };
            }
            StmtKind::While { test, body, orelse } => {
                loop {
                    self.check_budget()?;
                    if !self.eval_cond(f, test)? {
                        return self.exec_block(f, orelse);
                    }
                    match self.exec_block(f, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                    // Loop back-edge: a safe point for Ctrl-C.
                    crate::vm::interrupt::check_interrupt()?;
                }
            }
            StmtKind::For { target, iter, body, orelse, .. } => {
                let it = self.eval(f, iter)?;
                let mut state = self.iter_state(&it)?;
                loop {
                    self.check_budget()?;
                    let Some(item) = self.iter_next(&mut state).map_err(|e| self.note(f, e, iter.span))? else {
                        return self.exec_block(f, orelse);
                    };
                    self.assign(f, target, item)?;
                    match self.exec_block(f, body)? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                    // Loop back-edge: a safe point for Ctrl-C.
                    crate::vm::interrupt::check_interrupt()?;
                }
            }
            _ => return self.exec_rare(f, s),
        }
        Ok(Flow::Normal)
    }

    /// Statement kinds that are rarely on a hot path, kept out of `exec_inner` so the
    /// hot recursion has a small native frame.
    #[inline(never)]
    fn exec_rare(&self, f: &mut Frame, s: &Stmt) -> PyResult<Flow> {
        match &s.kind {
            StmtKind::AnnAssign { target, annotation, value, simple } => {
                // In a class body, `x: T` records T in `__annotations__` (in order), which
                // dataclasses and NamedTuple read.
                if let (Some(ns), true, crate::syntax::ast::ExprKind::Name(n)) = (f.class_ns.clone(), *simple, &target.kind) {
                    let ann = self.eval(f, annotation)?;
                    let key = self.intern("__annotations__");
                    let existing = ns.borrow().get(&key).cloned();
                    let d = match existing {
                        Some(Value::Dict(d)) => d,
                        _ => {
                            let d = std::rc::Rc::new(crate::runtime::dict::PyDict::new());
                            ns.borrow_mut().insert(key, Value::Dict(d.clone()));
                            d
                        }
                    };
                    d.set(self, Value::str(&n.id), ann)?;
                }
                if let Some(v) = value {
                    let v = self.eval(f, v)?;
                    self.assign(f, target, v)?;
                }
            }
            StmtKind::Raise { exc, cause } => {
                let exc = match exc {
                    Some(e) => Some(self.eval(f, e)?),
                    None => None,
                };
                let cause = match cause {
                    Some(c) => Some(self.eval(f, c)?),
                    None => None,
                };
                return Err(self.make_raise(exc, cause));
            }
            StmtKind::Delete(targets) => {
                for t in targets {
                    self.delete(f, t)?;
                }
            }
            StmtKind::Assert { test, msg } => {
                let t = self.eval(f, test)?;
                if !self.truthy(&t)? {
                    let args = match msg {
                        Some(m) => vec![self.eval(f, m)?],
                        None => vec![],
                    };
                    return Err(Exc::with_args(ExcKind::AssertionError, args));
                }
            }
            StmtKind::Import(aliases) => {
                for a in aliases {
                    self.exec_import(f, a)?;
                }
            }
            StmtKind::ImportFrom { module, names, level } => self.exec_import_from(f, module.as_deref(), names, *level)?,
            StmtKind::Try { body, handlers, orelse, finalbody, is_star } => {
                if *is_star {
                    let outcome = match self.exec_block(f, body) {
                        Ok(Flow::Normal) => self.exec_block(f, orelse),
                        Ok(flow) => Ok(flow),
                        Err(exc) => self.handle_star(f, exc, handlers),
                    };
                    return if finalbody.is_empty() { outcome } else { self.run_finally(f, outcome, finalbody) };
                }
                return self.exec_try(f, body, handlers, orelse, finalbody);
            }
            StmtKind::With { items, body, .. } => return self.exec_with(f, items, body),
            StmtKind::FunctionDef(def) => {
                let func = self.make_function(f, def)?;
                let func = self.apply_decorators(f, &def.decorators, func)?;
                self.store_ident(f, &def.name, func);
            }
            StmtKind::ClassDef(cd) => {
                let cls = self.make_class(f, cd)?;
                let cls = self.apply_decorators(f, &cd.decorators, cls)?;
                self.store_ident(f, &cd.name, cls);
            }
            _ => unreachable!("hot statement kinds are handled in exec_inner"),
        }
        Ok(Flow::Normal)
    }

    /// Store to a name bound by `def`/`class`/`import` (resolved like any other name).
    pub fn store_ident(&self, f: &mut Frame, id: &Ident, v: Value) {
        let scope = self.ident_ref(f, &id.name);
        self.store_name(f, &NameExpr { id: id.name.clone(), scope }, v);
    }

    /// Where a `def`/`class` name is stored: the same place the resolver gave other
    /// uses of that name in this scope.
    fn ident_ref(&self, f: &Frame, name: &Name) -> NameRef {
        if let Some(info) = f.scope_info() {
            if let Some(c) = info.cell_names.iter().position(|n| n == name) {
                return NameRef::Cell(c as u32);
            }
            if f.class_ns.is_some() {
                return NameRef::ClassBody(f.module.globals.slot(name));
            }
            if let Some(l) = info.local_names.iter().position(|n| n == name) {
                return NameRef::Local(l as u32);
            }
        }
        NameRef::Global(f.module.globals.slot(name))
    }

    pub fn apply_decorators(&self, f: &mut Frame, decorators: &[Expr], mut v: Value) -> PyResult<Value> {
        let decs: Vec<Value> = decorators.iter().map(|d| self.eval(f, d)).collect::<PyResult<_>>()?;
        for d in decs.iter().rev() {
            v = self.call(d, Args::one(v))?;
        }
        Ok(v)
    }

    /// try/except/else/finally with CPython's ordering.
    pub fn exec_try(
        &self,
        f: &mut Frame,
        body: &[Stmt],
        handlers: &[ExceptHandler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
    ) -> PyResult<Flow> {
        let outcome = match self.exec_block(f, body) {
            Ok(Flow::Normal) => self.exec_block(f, orelse),
            Ok(flow) => Ok(flow),
            Err(exc) => self.handle_exception(f, exc, handlers),
        };
        if finalbody.is_empty() {
            return outcome;
        }
        self.run_finally(f, outcome, finalbody)
    }

    /// Run a `finally` block after `outcome`; a `return`/`break`/`continue` or a new
    /// exception in the block replaces the outcome.
    pub fn run_finally(&self, f: &mut Frame, outcome: PyResult<Flow>, finalbody: &[Stmt]) -> PyResult<Flow> {
        match outcome {
            Ok(flow) => match self.exec_block(f, finalbody)? {
                Flow::Normal => Ok(flow),
                other => Ok(other),
            },
            Err(mut exc) => {
                let obj = Value::Instance(self.materialize(&mut exc));
                self.handled.borrow_mut().push(obj.clone());
                let r = self.exec_block(f, finalbody).map_err(|e2| self.chain_context(e2, &obj));
                self.handled.borrow_mut().pop();
                match r? {
                    Flow::Normal => Err(exc),
                    other => Ok(other),
                }
            }
        }
    }

    /// Find the `except` clause matching `exc` and run it.
    pub fn handle_exception(&self, f: &mut Frame, exc: Exc, handlers: &[ExceptHandler]) -> PyResult<Flow> {
        let (h, mut exc) = match self.match_handler(f, exc, handlers)? {
            Ok(found) => found,
            Err(unmatched) => return Err(unmatched),
        };
        let obj = Value::Instance(self.materialize(&mut exc));
        if let Some(name) = &h.name {
            self.store_name(f, &NameExpr { id: name.name.clone(), scope: h.name_ref.clone() }, obj.clone());
        }
        self.handled.borrow_mut().push(obj.clone());
        let r = self.exec_block(f, &h.body).map_err(|e2| self.chain_context(e2, &obj));
        self.handled.borrow_mut().pop();
        if let Some(name) = &h.name {
            // `except E as e` unbinds e afterwards (it would keep the traceback alive).
            self.unbind_name(f, &NameExpr { id: name.name.clone(), scope: h.name_ref.clone() });
        }
        r
    }

    /// Run the `except*` clauses for `exc`.
    fn handle_star(&self, f: &mut Frame, exc: Exc, handlers: &[ExceptHandler]) -> PyResult<Flow> {
        let mut st = super::except_star::StarState::new(self, exc)?;
        for h in handlers {
            if st.done() {
                break;
            }
            let spec = match &h.typ {
                Some(t) => self.eval(f, t)?,
                None => Value::Class(self.types.exception(ExcKind::BaseException).clone()),
            };
            let Some(m) = st.take_match(self, &spec)? else { continue };
            if let Some(name) = &h.name {
                self.store_name(f, &NameExpr { id: name.name.clone(), scope: h.name_ref.clone() }, m.clone());
            }
            self.handled.borrow_mut().push(m.clone());
            let r = self.exec_block(f, &h.body);
            self.handled.borrow_mut().pop();
            st.handler_result(self, &m, r)?;
        }
        st.finish(self)
    }

    /// The handler for `exc` (`Ok(Ok)`), or the exception back when none matches.
    #[allow(clippy::type_complexity)]
    pub fn match_handler<'h>(
        &self,
        f: &mut Frame,
        exc: Exc,
        handlers: &'h [ExceptHandler],
    ) -> PyResult<Result<(&'h ExceptHandler, Exc), Exc>> {
        for h in handlers {
            let matches = match &h.typ {
                None => !self.limit_tripped(),
                Some(t) => {
                    let t = self.eval(f, t)?;
                    self.exc_matches(&exc, &t)?
                }
            };
            if matches {
                return Ok(Ok((h, exc)));
            }
        }
        Ok(Err(exc))
    }

    pub fn unbind_name(&self, f: &mut Frame, n: &NameExpr) {
        match n.scope {
            NameRef::Local(i) => f.locals[i as usize] = None,
            NameRef::Cell(i) => *f.cells[i as usize].borrow_mut() = None,
            NameRef::Global(i) => {
                f.module.globals.clear_slot(i);
            }
            NameRef::ClassBody(i) => match &f.class_ns {
                Some(ns) => {
                    ns.borrow_mut().shift_remove(&n.id);
                }
                None => {
                    f.module.globals.clear_slot(i);
                }
            },
            NameRef::Unresolved => {}
        }
    }

    fn exec_with(&self, f: &mut Frame, items: &[WithItem], body: &[Stmt]) -> PyResult<Flow> {
        let Some((item, rest)) = items.split_first() else {
            return self.exec_block(f, body);
        };
        let mgr = self.eval(f, &item.context_expr)?;
        let (enter, exit) = self.context_methods(&mgr, false)?;
        let entered = self.call(&enter, Args::empty())?;
        if let Some(t) = &item.optional_vars {
            if let Err(e) = self.assign(f, t, entered) {
                return self.exit_with_error(&exit, e);
            }
        }
        match self.exec_with(f, rest, body) {
            Ok(flow) => {
                self.call(&exit, Args::new([Value::None, Value::None, Value::None]))?;
                Ok(flow)
            }
            Err(e) => self.exit_with_error(&exit, e).map(|_| Flow::Normal),
        }
    }

    /// Call `__exit__` with the exception; a true result swallows it.
    pub fn exit_with_error(&self, exit: &Value, mut e: Exc) -> PyResult<Flow> {
        self.materialize(&mut e);
        let (t, v, tb) = self.exc_triple(&e);
        self.handled.borrow_mut().push(v.clone());
        let r = self.call(exit, Args::new([t, v, tb]));
        self.handled.borrow_mut().pop();
        if self.truthy(&r?)? && !self.limit_tripped() {
            Ok(Flow::Normal)
        } else {
            Err(e)
        }
    }

    /// The bound `__enter__`/`__exit__` (or `__aenter__`/`__aexit__`) of a manager.
    pub fn context_methods(&self, mgr: &Value, is_async: bool) -> PyResult<(Value, Value)> {
        let (en, ex) = if is_async { ("__aenter__", "__aexit__") } else { ("__enter__", "__exit__") };
        let cls = self.type_of(mgr);
        let missing = |what: &str| {
            Exc::type_error(format!(
                "'{}' object does not support the {}context manager protocol{}",
                cls.name,
                if is_async { "asynchronous " } else { "" },
                what
            ))
        };
        let enter = cls.lookup(en).ok_or_else(|| missing(""))?;
        let exit = cls.lookup(ex).ok_or_else(|| missing(" (missed __exit__ method)"))?;
        Ok((self.bind_descriptor(enter, mgr)?, self.bind_descriptor(exit, mgr)?))
    }
}

impl Vm {
    /// The current exception being handled, for bare `raise` and implicit chaining.
    pub fn current_handled(&self) -> Option<Value> {
        self.handled.borrow().last().cloned()
    }
}
