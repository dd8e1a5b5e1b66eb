//! `run_in_executor` / `to_thread` / thread pools, as green threads on the loop.
//!
//! The interpreter is single-threaded (values are `Rc`), so a thread-pool job cannot
//! run on another OS thread. Instead it runs as a hidden task on the same loop, and
//! the job function's statements go through [`Vm::exec_green`]: a direct call of
//! `time.sleep(s)` in the job's body becomes a wait on a loop timer, so other tasks
//! (and other jobs) run meanwhile, as they would with real threads. Blocking calls
//! nested deeper than the job function's own body still block the loop; that is the
//! documented limit of this design until the evaluator can suspend anywhere.

use std::rc::Rc;

use super::futures;
use crate::eval::{Flow, Frame};
use crate::runtime::generator::BodyFuture;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

/// Start `func(*args)` as a green thread; returns an asyncio Future for its result.
pub fn submit(vm: &Vm, func: Value, args: Args) -> PyResult<Value> {
    let l = super::current_loop(vm)?;
    let fut = futures::new_future(vm, l.clone());
    if vm.running_loop.borrow().is_none() {
        // No loop running (e.g. a ThreadPoolExecutor used from plain code): run now.
        match vm.call(&func, args) {
            Ok(v) => futures::set_result(vm, &fut, v)?,
            Err(e) => futures::set_exception_exc(vm, &fut, e)?,
        }
        return Ok(fut);
    }
    let rc = vm.rc();
    let target = fut.clone();
    let body: BodyFuture = Box::pin(async move {
        let vm = &*rc;
        let r = vm.call_green(&func, args).await;
        if let Some(c) = futures::core(&target) {
            if !c.done() {
                match r {
                    Ok(v) => futures::set_result(vm, &target, v)?,
                    Err(e) => futures::set_exception_exc(vm, &target, e)?,
                }
            }
        }
        Ok(Value::None)
    });
    let coro = super::native_coroutine(vm, "_executor_job", body);
    let task = super::tasks::create_task(vm, &l, coro, None)?;
    // A worker thread is not an asyncio task: keep it out of all_tasks().
    l.tasks.borrow_mut().retain(|t| !t.is(&task));
    Ok(fut)
}

impl Vm {
    /// Call a function as a green-thread job.
    pub async fn call_green(&self, func: &Value, args: Args) -> PyResult<Value> {
        let Value::Function(f) = func else {
            return self.call(func, args);
        };
        if f.def.is_async || f.def.scope.is_generator {
            return self.call(func, args);
        }
        let mut frame = self.function_frame(f, args)?;
        match self.exec_green_block(&mut frame, &f.def.body).await {
            Ok(Flow::Return(v)) => Ok(v),
            Ok(_) => Ok(Value::None),
            Err(mut e) => {
                e.0.noted = false;
                Err(e)
            }
        }
    }

    #[async_recursion::async_recursion(?Send)]
    async fn exec_green_block(&self, f: &mut Frame, body: &[Stmt]) -> PyResult<Flow> {
        for s in body {
            let flow = self.exec_green(f, s).await.map_err(|e| self.note(f, e, s.span))?;
            if !matches!(flow, Flow::Normal) {
                return Ok(flow);
            }
        }
        Ok(Flow::Normal)
    }

    async fn exec_green(&self, f: &mut Frame, s: &Stmt) -> PyResult<Flow> {
        match &s.kind {
            StmtKind::Expr(e) => {
                if let Some(secs) = self.blocking_sleep(f, e)? {
                    self.green_sleep(secs).await?;
                    return Ok(Flow::Normal);
                }
                self.exec(f, s)
            }
            StmtKind::If { test, body, orelse } => {
                let t = self.eval(f, test)?;
                if self.truthy(&t)? {
                    self.exec_green_block(f, body).await
                } else {
                    self.exec_green_block(f, orelse).await
                }
            }
            StmtKind::While { test, body, orelse } => loop {
                let t = self.eval(f, test)?;
                if !self.truthy(&t)? {
                    return self.exec_green_block(f, orelse).await;
                }
                match self.exec_green_block(f, body).await? {
                    Flow::Break => return Ok(Flow::Normal),
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    _ => {}
                }
            },
            StmtKind::For { is_async: false, target, iter, body, orelse } => {
                let it = self.eval(f, iter)?;
                let mut st = self.iter_state(&it)?;
                while let Some(item) = self.iter_next(&mut st)? {
                    self.assign(f, target, item)?;
                    match self.exec_green_block(f, body).await? {
                        Flow::Break => return Ok(Flow::Normal),
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        _ => {}
                    }
                }
                self.exec_green_block(f, orelse).await
            }
            _ => self.exec(f, s),
        }
    }

    /// `time.sleep(secs)` written directly as a statement: the seconds, else `None`.
    fn blocking_sleep(&self, f: &mut Frame, e: &Expr) -> PyResult<Option<f64>> {
        let ExprKind::Call { func, args } = &e.kind else { return Ok(None) };
        // Only plain names (`sleep`, `time.sleep`): evaluating the callee twice must
        // have no side effects.
        let plain = match &func.kind {
            ExprKind::Name(_) => true,
            ExprKind::Attribute { value, .. } => matches!(value.kind, ExprKind::Name(_)),
            _ => false,
        };
        if !plain {
            return Ok(None);
        }
        let callee = self.eval(f, func)?;
        let sleep = self.import_module("time").and_then(|m| self.getattr(&m, "sleep"))?;
        if !callee.is(&sleep) {
            return Ok(None);
        }
        let a = self.eval_args(f, args)?;
        let [secs] = a.exact::<1>("sleep")?;
        let secs = crate::builtins::constructors::to_float(self, &secs)?;
        if secs < 0.0 {
            return Err(Exc::value_error("sleep length must be non-negative"));
        }
        Ok(Some(secs))
    }

    async fn green_sleep(&self, secs: f64) -> PyResult<()> {
        let l = super::running_loop(self)?;
        let fut = futures::new_future(self, l.clone());
        let target = fut.clone();
        let cb: crate::event_loop::NativeCallback = Rc::new(move |vm: &Vm, _| {
            if futures::core(&target).map(|c| !c.done()).unwrap_or(false) {
                futures::set_result(vm, &target, Value::None)?;
            }
            Ok(())
        });
        l.call_at(self.clock.now() + secs, crate::event_loop::Callback::Native(cb), None);
        futures::await_future(self, fut).await.map(|_| ())
    }
}
