//! The async evaluator for statements: only statements marked `suspends` come here;
//! everything else is handed to the sync evaluator.

use async_recursion::async_recursion;

use super::async_expr::MaybeReady;
use super::frame::Frame;
use super::stmt::Flow;
use crate::runtime::exception::ExcKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

/// A statement whose only suspending part is its value: `await f(x)`, `v = yield`,
/// `return await g() + 1`. (assignment target, value, is a `return`).
type ValueStmt<'a> = (Option<&'a Expr>, &'a Expr, bool);

fn value_statement(s: &Stmt) -> Option<ValueStmt<'_>> {
    match &s.kind {
        StmtKind::Expr(e) => Some((None, e, false)),
        StmtKind::Assign { targets, value } if targets.len() == 1 && !targets[0].suspends => {
            Some((Some(&targets[0]), value, false))
        }
        StmtKind::Return(Some(e)) => Some((None, e, true)),
        _ => None,
    }
}

impl Vm {
    /// Run a block in the async evaluator. Not boxed itself: the recursion cycle is
    /// broken at `exec_async`, so loops do not allocate a future per iteration.
    pub async fn exec_block_async(&self, f: &mut Frame, body: &[Stmt]) -> PyResult<Flow> {
        for s in body {
            let flow = if !s.suspends {
                self.exec(f, s)?
            } else if let Some(vs) = value_statement(s) {
                match self.exec_value_statement(f, vs).await {
                    Ok(flow) => flow,
                    Err(e) => return Err(self.note(f, e, s.span)),
                }
            } else {
                self.exec_async(f, s).await?
            };
            match flow {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    /// The commonest suspending statements, run without boxing a future for the
    /// statement (see `eval_async_operand` for the value).
    async fn exec_value_statement(&self, f: &mut Frame, s: ValueStmt<'_>) -> PyResult<Flow> {
        let (target, value, is_return) = s;
        let v = self.eval_async_operand(f, value).await?;
        if is_return {
            return Ok(Flow::Return(v));
        }
        if let Some(t) = target {
            self.assign(f, t, v)?;
        }
        Ok(Flow::Normal)
    }

    /// Execute a statement in the async evaluator; one that does not suspend runs in
    /// the sync evaluator without allocating a future.
    pub fn exec_async<'a>(&'a self, f: &'a mut Frame, s: &'a Stmt) -> MaybeReady<'a, PyResult<Flow>> {
        if !s.suspends {
            return MaybeReady::Ready(Some(self.exec(f, s)));
        }
        MaybeReady::Boxed(self.exec_async_boxed(f, s))
    }

    #[async_recursion(?Send)]
    async fn exec_async_boxed(&self, f: &mut Frame, s: &Stmt) -> PyResult<Flow> {
        match self.exec_async_inner(f, s).await {
            Ok(flow) => Ok(flow),
            Err(e) => Err(self.note(f, e, s.span)),
        }
    }

    async fn exec_async_inner(&self, f: &mut Frame, s: &Stmt) -> PyResult<Flow> {
        match &s.kind {
            StmtKind::Expr(e) => {
                self.eval_async(f, e).await?;
            }
            StmtKind::Assign { targets, value } => {
                let v = self.eval_async(f, value).await?;
                for t in targets {
                    self.assign_async(f, t, v.clone()).await?;
                }
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign_async(f, target, *op, value).await?,
            StmtKind::AnnAssign { target, value, .. } => {
                if let Some(v) = value {
                    let v = self.eval_async(f, v).await?;
                    self.assign_async(f, target, v).await?;
                }
            }
            StmtKind::Return(v) => {
                let v = match v {
                    Some(e) => self.eval_async(f, e).await?,
                    None => Value::None,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Raise { exc, cause } => {
                let exc = match exc {
                    Some(e) => Some(self.eval_async(f, e).await?),
                    None => None,
                };
                let cause = match cause {
                    Some(c) => Some(self.eval_async(f, c).await?),
                    None => None,
                };
                return Err(self.make_raise(exc, cause));
            }
            StmtKind::Assert { test, msg } => {
                let t = self.eval_async(f, test).await?;
                if !self.truthy(&t)? {
                    let args = match msg {
                        Some(m) => vec![self.eval_async(f, m).await?],
                        None => vec![],
                    };
                    return Err(Exc::with_args(ExcKind::AssertionError, args));
                }
            }
            StmtKind::If { test, body, orelse } => {
                let t = self.eval_async(f, test).await?;
                return if self.truthy(&t)? {
                    self.exec_block_async(f, body).await
                } else {
                    self.exec_block_async(f, orelse).await
                };
            }
            StmtKind::While { test, body, orelse } => loop {
                self.check_budget()?;
                let t = self.eval_async(f, test).await?;
                if !self.truthy(&t)? {
                    return self.exec_block_async(f, orelse).await;
                }
                match self.exec_block_async(f, body).await? {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Normal | Flow::Continue => {}
                }
            },
            StmtKind::For { is_async: false, target, iter, body, orelse } => {
                let it = self.eval_async(f, iter).await?;
                let mut state = self.iter_state(&it)?;
                loop {
                    self.check_budget()?;
                    let Some(item) = self.iter_next(&mut state).map_err(|e| self.note(f, e, iter.span))? else {
                        return self.exec_block_async(f, orelse).await;
                    };
                    self.assign_async(f, target, item).await?;
                    match self.exec_block_async(f, body).await? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
            }
            StmtKind::For { is_async: true, target, iter, body, orelse } => {
                let it = self.eval_async(f, iter).await?;
                let aiter = self.aiter(&it)?;
                loop {
                    self.check_budget()?;
                    let Some(item) = self.anext_value(&aiter).await.map_err(|e| self.note(f, e, iter.span))? else {
                        return self.exec_block_async(f, orelse).await;
                    };
                    self.assign_async(f, target, item).await?;
                    match self.exec_block_async(f, body).await? {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
            }
            StmtKind::Try { body, handlers, orelse, finalbody, is_star } => {
                let outcome = match self.exec_block_async(f, body).await {
                    Ok(Flow::Normal) => self.exec_block_async(f, orelse).await,
                    Ok(flow) => Ok(flow),
                    Err(exc) if *is_star => self.handle_star_async(f, exc, handlers).await,
                    Err(exc) => self.handle_exception_async(f, exc, handlers).await,
                };
                if finalbody.is_empty() {
                    return outcome;
                }
                return match outcome {
                    Ok(flow) => match self.exec_block_async(f, finalbody).await? {
                        Flow::Normal => Ok(flow),
                        other => Ok(other),
                    },
                    Err(mut exc) => {
                        let obj = Value::Instance(self.materialize(&mut exc));
                        self.handled.borrow_mut().push(obj.clone());
                        let r = self.exec_block_async(f, finalbody).await.map_err(|e2| self.chain_context(e2, &obj));
                        self.handled.borrow_mut().pop();
                        match r? {
                            Flow::Normal => Err(exc),
                            other => Ok(other),
                        }
                    }
                };
            }
            StmtKind::With { is_async, items, body } => return self.exec_with_async(f, *is_async, items, body).await,
            _ => return self.exec(f, s),
        }
        Ok(Flow::Normal)
    }

    async fn handle_star_async(&self, f: &mut Frame, exc: Exc, handlers: &[ExceptHandler]) -> PyResult<Flow> {
        let mut st = super::except_star::StarState::new(self, exc)?;
        for h in handlers {
            if st.done() {
                break;
            }
            let spec = match &h.typ {
                Some(t) => self.eval_async(f, t).await?,
                None => Value::Class(self.types.exception(ExcKind::BaseException).clone()),
            };
            let Some(m) = st.take_match(self, &spec)? else { continue };
            if let Some(name) = &h.name {
                self.store_name(f, &NameExpr { id: name.name.clone(), scope: h.name_ref.clone() }, m.clone());
            }
            self.handled.borrow_mut().push(m.clone());
            let r = self.exec_block_async(f, &h.body).await;
            self.handled.borrow_mut().pop();
            st.handler_result(self, &m, r)?;
        }
        st.finish(self)
    }

    async fn handle_exception_async(&self, f: &mut Frame, exc: Exc, handlers: &[ExceptHandler]) -> PyResult<Flow> {
        let mut exc = exc;
        let mut found = None;
        for h in handlers {
            let matches = match &h.typ {
                None => !self.limit_tripped(),
                Some(t) => {
                    let t = self.eval_async(f, t).await?;
                    self.exc_matches(&exc, &t)?
                }
            };
            if matches {
                found = Some(h);
                break;
            }
        }
        let Some(h) = found else { return Err(exc) };
        let obj = Value::Instance(self.materialize(&mut exc));
        if let Some(name) = &h.name {
            self.store_name(f, &NameExpr { id: name.name.clone(), scope: h.name_ref.clone() }, obj.clone());
        }
        self.handled.borrow_mut().push(obj.clone());
        let r = self.exec_block_async(f, &h.body).await.map_err(|e2| self.chain_context(e2, &obj));
        self.handled.borrow_mut().pop();
        if let Some(name) = &h.name {
            self.unbind_name(f, &NameExpr { id: name.name.clone(), scope: h.name_ref.clone() });
        }
        r
    }

    #[async_recursion(?Send)]
    async fn exec_with_async(&self, f: &mut Frame, is_async: bool, items: &[WithItem], body: &[Stmt]) -> PyResult<Flow> {
        let Some((item, rest)) = items.split_first() else {
            return self.exec_block_async(f, body).await;
        };
        let mgr = self.eval_async(f, &item.context_expr).await?;
        let (enter, exit) = self.context_methods(&mgr, is_async)?;
        let mut entered = self.call(&enter, Args::empty())?;
        if is_async {
            entered = self.await_value(entered).await?;
        }
        if let Some(t) = &item.optional_vars {
            if let Err(e) = self.assign_async(f, t, entered).await {
                return self.with_exit_error(&exit, is_async, e).await;
            }
        }
        match self.exec_with_async(f, is_async, rest, body).await {
            Ok(flow) => {
                let r = self.call(&exit, Args::new([Value::None, Value::None, Value::None]))?;
                if is_async {
                    self.await_value(r).await?;
                }
                Ok(flow)
            }
            Err(e) => self.with_exit_error(&exit, is_async, e).await,
        }
    }

    async fn with_exit_error(&self, exit: &Value, is_async: bool, mut e: Exc) -> PyResult<Flow> {
        self.materialize(&mut e);
        let (t, v, tb) = self.exc_triple(&e);
        self.handled.borrow_mut().push(v.clone());
        let r = match self.call(exit, Args::new([t, v, tb])) {
            Ok(r) if is_async => self.await_value(r).await,
            other => other,
        };
        self.handled.borrow_mut().pop();
        if self.truthy(&r?)? && !self.limit_tripped() {
            Ok(Flow::Normal)
        } else {
            Err(e)
        }
    }

    #[async_recursion(?Send)]
    pub async fn assign_async(&self, f: &mut Frame, target: &Expr, v: Value) -> PyResult<()> {
        if !target.suspends {
            return self.assign(f, target, v);
        }
        match &target.kind {
            ExprKind::Attribute { value, attr } => {
                let obj = self.eval_async(f, value).await?;
                self.setattr(&obj, &attr.name, v)
            }
            ExprKind::Subscript { value, index } => {
                let obj = self.eval_async(f, value).await?;
                let idx = self.eval_async(f, index).await?;
                self.setitem(&obj, idx, v)
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let values = self.unpack(&v, items)?;
                for (t, v) in items.iter().zip(values) {
                    match &t.kind {
                        ExprKind::Starred(inner) => self.assign_async(f, inner, v).await?,
                        _ => self.assign_async(f, t, v).await?,
                    }
                }
                Ok(())
            }
            _ => self.assign(f, target, v),
        }
    }

    async fn aug_assign_async(&self, f: &mut Frame, target: &Expr, op: BinOp, value: &Expr) -> PyResult<()> {
        match &target.kind {
            ExprKind::Name(n) => {
                let cur = self.load_name(f, n)?;
                let rhs = self.eval_async(f, value).await?;
                let r = self.inplace_binop(op, &cur, &rhs)?;
                self.store_name(f, n, r);
                Ok(())
            }
            ExprKind::Attribute { value: obj, attr } => {
                let o = self.eval_async(f, obj).await?;
                let cur = self.getattr(&o, &attr.name)?;
                let rhs = self.eval_async(f, value).await?;
                let r = self.inplace_binop(op, &cur, &rhs)?;
                self.setattr(&o, &attr.name, r)
            }
            ExprKind::Subscript { value: obj, index } => {
                let o = self.eval_async(f, obj).await?;
                let i = self.eval_async(f, index).await?;
                let cur = self.getitem(&o, &i)?;
                let rhs = self.eval_async(f, value).await?;
                let r = self.inplace_binop(op, &cur, &rhs)?;
                self.setitem(&o, i, r)
            }
            _ => Err(Exc::new(ExcKind::SyntaxError, "illegal expression for augmented assignment")),
        }
    }
}
