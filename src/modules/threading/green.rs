//! The green-thread evaluator: runs a thread's (or executor job's) function so that its
//! blocking calls suspend the thread instead of the whole interpreter.
//!
//! The interpreter is single-threaded (values are `Rc`), so a thread cannot run on
//! another OS thread. It runs as a hidden task on the event loop, and the statements of
//! its function go through [`Vm::exec_green`]. A call in statement position
//! (`f(x)`, `y = f(x)`, `return f(x)`, `with m:`) is dispatched here: `time.sleep`
//! becomes a loop timer, `Lock.acquire` a wait on the lock's waiter queue, and a call
//! of a plain Python function runs that function green too, so blocking calls in
//! helpers (and in `threading`'s own Python code: `join`, `Event.wait`,
//! `Condition.wait`) suspend as well. Everything else runs in the sync evaluator;
//! a blocking call there (inside an expression, a `try` block, a comprehension) drives
//! the loop from where it is instead (`super::pump_until`), which is correct but
//! nests: the outer thread resumes only after the inner wait ends.

use std::rc::Rc;

use crate::eval::{Flow, Frame};
use crate::modules::asyncio::futures;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

/// A blocking builtin the green evaluator turns into a suspension.
pub enum Blocking {
    Sleep(f64),
    /// `lock.acquire(blocking, timeout)` (also `with lock:`).
    Acquire { lock: Value, blocking: bool, timeout: Option<f64> },
}

impl Vm {
    /// Call a function as a green thread: Python functions run through the green
    /// evaluator, anything else is called normally.
    pub async fn call_green(&self, func: &Value, args: Args) -> PyResult<Value> {
        self.call_green_at(func, args, 0).await
    }

    #[async_recursion::async_recursion(?Send)]
    async fn call_green_at(&self, func: &Value, args: Args, depth: u32) -> PyResult<Value> {
        let (f, args) = match func {
            Value::Function(f) => (f.clone(), args),
            Value::BoundMethod(m) => match &m.func {
                Value::Function(f) => (f.clone(), args.with_receiver(m.receiver.clone())),
                _ => return self.call(func, args),
            },
            _ => return self.call(func, args),
        };
        if f.def.is_async || f.def.scope.is_generator {
            return self.call(func, args);
        }
        // Green calls nest on the heap, not the native stack: bound them by the same limit.
        if depth + self.depth.get() >= self.recursion_limit.get() {
            return Err(self.recursion_error());
        }
        crate::vm::interrupt::check_interrupt()?;
        self.check_budget()?;
        let mut frame = self.function_frame(&f, args)?;
        crate::eval::functions::body_result(self.exec_green_block(&mut frame, &f.def.body, depth + 1).await)
    }

    #[async_recursion::async_recursion(?Send)]
    async fn exec_green_block(&self, f: &mut Frame, body: &[Stmt], depth: u32) -> PyResult<Flow> {
        for s in body {
            let flow = self.exec_green(f, s, depth).await.map_err(|e| self.note(f, e, s.span))?;
            if !matches!(flow, Flow::Normal) {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    async fn exec_green(&self, f: &mut Frame, s: &Stmt, depth: u32) -> PyResult<Flow> {
        match &s.kind {
            StmtKind::Expr(e @ Expr { kind: ExprKind::Call { .. }, .. }) => {
                self.green_call(f, e, depth).await?;
                Ok(Flow::Normal)
            }
            StmtKind::Assign { targets, value: v @ Expr { kind: ExprKind::Call { .. }, .. } } if targets.len() == 1 => {
                let r = self.green_call(f, v, depth).await?;
                self.assign(f, &targets[0], r)?;
                Ok(Flow::Normal)
            }
            StmtKind::Return(Some(e @ Expr { kind: ExprKind::Call { .. }, .. })) => {
                Ok(Flow::Return(self.green_call(f, e, depth).await?))
            }
            StmtKind::If { test, body, orelse } => {
                let t = self.eval(f, test)?;
                if self.truthy(&t)? {
                    self.exec_green_block(f, body, depth).await
                } else {
                    self.exec_green_block(f, orelse, depth).await
                }
            }
            StmtKind::While { test, body, orelse } => loop {
                self.check_budget()?;
                let t = self.eval(f, test)?;
                if !self.truthy(&t)? {
                    return self.exec_green_block(f, orelse, depth).await;
                }
                match self.exec_green_block(f, body, depth).await? {
                    Flow::Break => return Ok(Flow::Normal),
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    _ => {}
                }
            },
            StmtKind::For { is_async: false, target, iter, body, orelse } => {
                let it = self.eval(f, iter)?;
                let mut st = self.iter_state(&it)?;
                while let Some(item) = self.iter_next(&mut st)? {
                    self.check_budget()?;
                    self.assign(f, target, item)?;
                    match self.exec_green_block(f, body, depth).await? {
                        Flow::Break => return Ok(Flow::Normal),
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                self.exec_green_block(f, orelse, depth).await
            }
            StmtKind::With { is_async: false, items, body } if items.len() == 1 => {
                self.green_with(f, &items[0], body, depth).await
            }
            _ => self.exec(f, s),
        }
    }

    /// `with m: body` where entering may block (`with lock:`) or the body may.
    async fn green_with(&self, f: &mut Frame, item: &WithItem, body: &[Stmt], depth: u32) -> PyResult<Flow> {
        let mgr = self.eval(f, &item.context_expr)?;
        let (enter, exit) = self.context_methods(&mgr, false)?;
        let entered = self.green_dispatch(&enter, Args::empty(), depth).await?;
        if let Some(t) = &item.optional_vars {
            if let Err(e) = self.assign(f, t, entered) {
                return self.exit_with_error(&exit, e);
            }
        }
        match self.exec_green_block(f, body, depth).await {
            Ok(flow) => {
                self.call(&exit, Args::new([Value::None, Value::None, Value::None]))?;
                Ok(flow)
            }
            Err(e) => self.exit_with_error(&exit, e).map(|_| Flow::Normal),
        }
    }

    /// Evaluate a call expression's callee and arguments (once, in the sync
    /// evaluator's order), then make the call green if it can block.
    async fn green_call(&self, f: &mut Frame, e: &Expr, depth: u32) -> PyResult<Value> {
        let ExprKind::Call { func, args } = &e.kind else { return self.eval(f, e) };
        let callee = self.eval(f, func)?;
        let args = self.eval_args(f, args)?;
        if let Value::Function(fun) = &callee {
            if fun.def.is_async {
                // As the sync evaluator does: where the coroutine is made, for "never awaited".
                if let Some(entry) = f.trace_entry(e.span) {
                    *self.call_origin.borrow_mut() = Some(entry);
                }
            }
        }
        self.green_dispatch(&callee, args, depth).await
    }

    async fn green_dispatch(&self, callee: &Value, args: Args, depth: u32) -> PyResult<Value> {
        match super::blocking_call(self, callee, &args)? {
            Some(Blocking::Sleep(secs)) => {
                super::green_sleep(self, secs).await?;
                Ok(Value::None)
            }
            Some(Blocking::Acquire { lock, blocking, timeout }) => {
                super::lock::green_acquire(self, &lock, blocking, timeout).await.map(Value::Bool)
            }
            None => match callee {
                Value::Function(_) | Value::BoundMethod(_) => self.call_green_at(callee, args, depth).await,
                _ => self.call(callee, args),
            },
        }
    }
}

/// Resolve an asyncio future `fut` when the loop's clock reaches `when`.
pub fn resolve_at(vm: &Vm, l: &crate::event_loop::EventLoop, when: f64, fut: &Value) -> Rc<crate::event_loop::Handle> {
    let target = fut.clone();
    let cb: crate::event_loop::NativeCallback = Rc::new(move |vm: &Vm, _| {
        if futures::core(&target).map(|c| !c.done()).unwrap_or(false) {
            futures::set_result(vm, &target, Value::None)?;
        }
        Ok(())
    });
    let _ = vm;
    l.call_at(when, crate::event_loop::Callback::Native(cb), None)
}

/// A sleep length as `time.sleep` checks it.
pub fn sleep_secs(vm: &Vm, s: &Value) -> PyResult<f64> {
    let secs = match s {
        Value::Int(_) | Value::BigInt(_) | Value::Bool(_) | Value::Float(_) => crate::modules::math::to_float(vm, s)?,
        _ => return Err(Exc::type_error(format!("'{}' object cannot be interpreted as an integer", vm.type_name(s)))),
    };
    if secs.is_nan() {
        return Err(Exc::value_error("Invalid value NaN (not a number)"));
    }
    if secs < 0.0 {
        return Err(Exc::value_error("sleep length must be non-negative"));
    }
    Ok(secs)
}
