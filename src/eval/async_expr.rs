//! The async evaluator for expressions, and the suspending operations themselves:
//! `await`, `yield`, `yield from`, `async for`'s `__anext__`.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use async_recursion::async_recursion;

use super::comprehension::CompOut;
use super::frame::Frame;
use super::suspend::{GenStep, YieldPoint};
use crate::runtime::dict::PyDict;
use crate::runtime::exception::ExcKind;
use crate::runtime::generator::{GenKind, GenState, Generator};
use crate::runtime::set::PySet;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::{Resume, Vm};

/// A future that is either already finished or boxed: what the async evaluator's
/// entry points return, so code that does not suspend allocates nothing.
pub enum MaybeReady<'a, T> {
    Ready(Option<T>),
    Boxed(Pin<Box<dyn Future<Output = T> + 'a>>),
}

impl<T: Unpin> Future for MaybeReady<'_, T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        // Both variants are Unpin (an Option, a Box).
        match self.get_mut() {
            MaybeReady::Ready(v) => Poll::Ready(v.take().expect("MaybeReady polled after completion")),
            MaybeReady::Boxed(fut) => fut.as_mut().poll(cx),
        }
    }
}

/// A `yield` whose resumption is handed back raw (value or exception), for delegation.
struct RawYield<'a> {
    vm: &'a Vm,
    value: Option<Value>,
}

impl Future for RawYield<'_> {
    type Output = Resume;
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Resume> {
        if let Some(v) = self.value.take() {
            *self.vm.yield_slot.borrow_mut() = Some(v);
            return Poll::Pending;
        }
        Poll::Ready(self.vm.resume_slot.borrow_mut().take().unwrap_or(Resume::Send(Value::None)))
    }
}

impl Vm {
    /// Yield `v` to whoever drives this body; resumes with what they send or throw.
    pub async fn raw_yield(&self, v: Value) -> Resume {
        RawYield { vm: self, value: Some(v) }.await
    }

    /// Yield `v`; a thrown exception is raised here.
    pub async fn raw_yield_result(&self, v: Value) -> PyResult<Value> {
        match self.raw_yield(v).await {
            Resume::Send(x) => Ok(x),
            Resume::Throw(e) => Err(e),
        }
    }

    /// Evaluate an expression in the async evaluator. Only an expression that suspends
    /// costs a boxed future; the rest run in the sync evaluator at once.
    pub fn eval_async<'a>(&'a self, f: &'a mut Frame, e: &'a Expr) -> MaybeReady<'a, PyResult<Value>> {
        if !e.suspends {
            return MaybeReady::Ready(Some(self.eval(f, e)));
        }
        MaybeReady::Boxed(self.eval_async_boxed(f, e))
    }

    #[async_recursion(?Send)]
    async fn eval_async_boxed(&self, f: &mut Frame, e: &Expr) -> PyResult<Value> {
        match self.eval_async_inner(f, e).await {
            Ok(v) => Ok(v),
            Err(x) => Err(self.note(f, x, e.span)),
        }
    }

    /// Evaluate an operand: a suspension point whose own operand does not suspend
    /// (`await f(x)`, `yield v`, `yield from g`) runs inline in the caller's future;
    /// anything else as `eval_async`.
    pub async fn eval_async_operand(&self, f: &mut Frame, e: &Expr) -> PyResult<Value> {
        match &e.kind {
            _ if !e.suspends => self.eval(f, e),
            ExprKind::Await(x) if !x.suspends => {
                if let Some(r) = self.await_direct_call(f, x, e.span).await {
                    return r.map_err(|x| self.note(f, x, e.span));
                }
                let v = self.eval(f, x)?;
                self.await_at(f, v, e.span).await.map_err(|x| self.note(f, x, e.span))
            }
            ExprKind::Yield(x) if x.as_ref().map_or(true, |x| !x.suspends) => {
                let v = match x {
                    Some(x) => self.eval(f, x)?,
                    None => Value::None,
                };
                self.yield_value(f, v).await
            }
            ExprKind::YieldFrom(x) if !x.suspends => {
                let v = self.eval(f, x)?;
                // Boxed: rare in coroutines, and its state would enlarge every frame's future.
                Box::pin(self.yield_from(v)).await
            }
            _ => self.eval_async_boxed(f, e).await,
        }
    }

    /// `await f(args)` where `f` is an `async def` function: its body runs as part of
    /// this future without building the coroutine object, which nothing could observe
    /// (it is awaited at once, exactly once). `None` when the callee is anything else;
    /// then the caller evaluates the call itself (so `x` is evaluated only here when
    /// this returns `Some`).
    async fn await_direct_call(&self, f: &mut Frame, x: &Expr, span: Span) -> Option<PyResult<Value>> {
        let ExprKind::Call { func, args } = &x.kind else { return None };
        let ExprKind::Name(n) = &func.kind else { return None };
        let Ok(Value::Function(callee)) = self.load_name(f, n) else { return None };
        let scope = &callee.def.scope;
        if !scope.is_async || scope.is_generator {
            return None;
        }
        if let Err(e) = crate::vm::interrupt::check_interrupt().and_then(|_| self.check_budget()) {
            return Some(Err(e));
        }
        let args = match self.eval_args(f, args) {
            Ok(a) => a,
            Err(e) => return Some(Err(self.note(f, e, x.span))),
        };
        let mut frame = match self.function_frame(&callee, args) {
            Ok(fr) => fr,
            Err(e) => return Some(Err(self.note(f, e, x.span))),
        };
        if let Some(entry) = f.trace_entry(span) {
            *self.current_await.borrow_mut() = Some(entry);
        }
        let depth = self.depth.get();
        if depth >= self.recursion_limit.get() {
            return Some(Err(self.recursion_error()));
        }
        self.depth.set(depth + 1);
        // Boxed: the callee's body is this same evaluator, one level down.
        let body: Pin<Box<dyn Future<Output = PyResult<super::stmt::Flow>> + '_>> =
            Box::pin(self.exec_block_async(&mut frame, &callee.def.body));
        let r = body.await;
        self.depth.set(depth);
        Some(super::functions::body_result(r))
    }

    /// `await v` at `span` (remembered as where the current task waits, for deadlock
    /// reports and task reprs).
    pub async fn await_at(&self, f: &Frame, v: Value, span: Span) -> PyResult<Value> {
        if let Some(entry) = f.trace_entry(span) {
            *self.current_await.borrow_mut() = Some(entry);
        }
        self.await_value(v).await
    }

    /// `yield v` from the frame's body (wrapped for async generators).
    pub async fn yield_value(&self, f: &Frame, v: Value) -> PyResult<Value> {
        let in_async_gen = f.scope_info().map(|s| s.is_async && s.is_generator).unwrap_or(false);
        let v = if in_async_gen { crate::builtins::async_generator::wrap(self, v) } else { v };
        YieldPoint::new(self, v).await
    }

    async fn eval_async_inner(&self, f: &mut Frame, e: &Expr) -> PyResult<Value> {
        match &e.kind {
            ExprKind::Await(x) => {
                let v = self.eval_async(f, x).await?;
                self.await_at(f, v, e.span).await
            }
            ExprKind::Yield(x) => {
                let v = match x {
                    Some(x) => self.eval_async(f, x).await?,
                    None => Value::None,
                };
                self.yield_value(f, v).await
            }
            ExprKind::YieldFrom(x) => {
                let v = self.eval_async(f, x).await?;
                self.yield_from(v).await
            }
            ExprKind::BinOp { left, op, right } => {
                let a = self.eval_async_operand(f, left).await?;
                let b = self.eval_async_operand(f, right).await?;
                self.binop(*op, &a, &b)
            }
            ExprKind::UnaryOp { op, operand } => {
                let v = self.eval_async_operand(f, operand).await?;
                self.unaryop(*op, &v)
            }
            ExprKind::Compare { left, ops, comparators } => {
                let mut a = self.eval_async_operand(f, left).await?;
                let last = ops.len() - 1;
                for (i, (op, rhs)) in ops.iter().zip(comparators).enumerate() {
                    let b = self.eval_async_operand(f, rhs).await?;
                    let r = self.compare(*op, &a, &b)?;
                    if i == last || !self.truthy(&r)? {
                        return Ok(r);
                    }
                    a = b;
                }
                Ok(Value::Bool(true))
            }
            ExprKind::BoolOp { op, values } => {
                let mut v = Value::None;
                for (i, x) in values.iter().enumerate() {
                    v = self.eval_async(f, x).await?;
                    if i + 1 < values.len() && (*op == BoolOp::And) != self.truthy(&v)? {
                        return Ok(v);
                    }
                }
                Ok(v)
            }
            ExprKind::IfExp { test, body, orelse } => {
                let t = self.eval_async(f, test).await?;
                if self.truthy(&t)? {
                    self.eval_async(f, body).await
                } else {
                    self.eval_async(f, orelse).await
                }
            }
            ExprKind::NamedExpr { target, value } => {
                let v = self.eval_async(f, value).await?;
                self.assign(f, target, v.clone())?;
                Ok(v)
            }
            ExprKind::Call { func, args } => {
                if let ExprKind::Attribute { value, attr } = &func.kind {
                    let recv = self.eval_async(f, value).await?;
                    let args = self.eval_args_async(f, args).await?;
                    return self.call_method(&recv, &attr.name, args);
                }
                let callee = self.eval_async(f, func).await?;
                let args = self.eval_args_async(f, args).await?;
                self.call(&callee, args)
            }
            ExprKind::Attribute { value, attr } => {
                let v = self.eval_async(f, value).await?;
                self.getattr(&v, &attr.name)
            }
            ExprKind::Subscript { value, index } => {
                let v = self.eval_async(f, value).await?;
                let i = self.eval_async(f, index).await?;
                self.getitem(&v, &i)
            }
            ExprKind::List(items) => Ok(Value::list(self.eval_elements_async(f, items).await?)),
            ExprKind::Tuple(items) => Ok(Value::tuple(self.eval_elements_async(f, items).await?)),
            ExprKind::Set(items) => {
                let v = self.eval_elements_async(f, items).await?;
                self.new_set(v)
            }
            ExprKind::Dict(items) => {
                let d = PyDict::new();
                for it in items {
                    match it {
                        DictItem::Pair(k, v) => {
                            let k = self.eval_async(f, k).await?;
                            let v = self.eval_async(f, v).await?;
                            d.set(self, k, v)?;
                        }
                        DictItem::Unpack(m) => {
                            let m = self.eval_async(f, m).await?;
                            self.dict_update(&d, &m)?;
                        }
                    }
                }
                Ok(Value::Dict(Rc::new(d)))
            }
            ExprKind::FString(parts) => {
                let mut out = String::new();
                self.eval_fstring_async(f, parts, &mut out).await?;
                Ok(Value::string(out))
            }
            ExprKind::Comp(c) => self.eval_comprehension_async(f, c).await,
            ExprKind::Slice { lower, upper, step } => {
                let mut parts = Vec::new();
                for p in [lower, upper, step] {
                    parts.push(match p {
                        Some(x) => self.eval_async(f, x).await?,
                        None => Value::None,
                    });
                }
                let mut it = parts.into_iter();
                let (start, stop, step) = (
                    it.next().unwrap_or(Value::None),
                    it.next().unwrap_or(Value::None),
                    it.next().unwrap_or(Value::None),
                );
                Ok(Value::Slice(Rc::new(crate::runtime::value::SliceObj { start, stop, step })))
            }
            _ => self.eval(f, e),
        }
    }

    #[async_recursion(?Send)]
    async fn eval_fstring_async(&self, f: &mut Frame, parts: &[FStringPart], out: &mut String) -> PyResult<()> {
        for p in parts {
            match p {
                FStringPart::Literal(s) => out.push_str(s),
                FStringPart::Field(field) => {
                    let v = self.eval_async(f, &field.expr).await?;
                    let spec = match &field.format_spec {
                        Some(spec) => {
                            let mut s = String::new();
                            self.eval_fstring_async(f, spec, &mut s).await?;
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

    async fn eval_elements_async(&self, f: &mut Frame, items: &[Expr]) -> PyResult<Vec<Value>> {
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            if let ExprKind::Starred(inner) = &it.kind {
                let v = self.eval_async(f, inner).await?;
                self.extend_from_iterable(&mut out, &v)?;
            } else {
                out.push(self.eval_async(f, it).await?);
            }
        }
        Ok(out)
    }

    async fn eval_args_async(&self, f: &mut Frame, args: &[Arg]) -> PyResult<Args> {
        let mut out = Args::default();
        for a in args {
            match a {
                Arg::Positional(e) => {
                    let v = self.eval_async_operand(f, e).await?;
                    out.pos.push(v);
                }
                Arg::Starred(e) => {
                    let v = self.eval_async(f, e).await?;
                    self.push_star_args(&mut out, &v)?;
                }
                Arg::Keyword(k, e) => {
                    let v = self.eval_async(f, e).await?;
                    out.kw.push((k.name.clone(), v));
                }
                Arg::DoubleStarred(e) => {
                    let v = self.eval_async(f, e).await?;
                    self.push_kwargs(&mut out, &v)?;
                }
            }
        }
        Ok(out)
    }

    // ----- await / yield from -------------------------------------------------------

    /// `await v`.
    pub async fn await_value(&self, v: Value) -> PyResult<Value> {
        if let Value::Generator(g) = &v {
            if g.kind == GenKind::Coroutine || g.is_legacy_coroutine() {
                return self.delegate(g).await;
            }
            return Err(Exc::type_error(format!(
                "object {} can't be used in 'await' expression",
                self.type_name(&v)
            )));
        }
        if let Some(r) = self.await_native(&v) {
            return r.await;
        }
        let cls = self.type_of(&v);
        let Some(m) = cls.lookup("__await__") else {
            return Err(Exc::type_error(format!("object {} can't be used in 'await' expression", cls.name)));
        };
        let m = self.bind_descriptor(m, &v)?;
        let it = self.call(&m, Args::empty())?;
        match &it {
            Value::Generator(g) if g.kind == GenKind::Coroutine => {
                Err(Exc::type_error("__await__() returned a coroutine"))
            }
            // Boxed: `__await__` objects are rare, and this state would enlarge every
            // frame's future.
            Value::Generator(_) => Box::pin(self.yield_from(it)).await,
            Value::Instance(_) if self.type_of(&it).lookup("__next__").is_some() => Box::pin(self.yield_from(it)).await,
            _ => Err(Exc::type_error(format!("__await__() returned non-iterator of type '{}'", self.type_name(&it)))),
        }
    }

    /// `yield from v`.
    pub async fn yield_from(&self, v: Value) -> PyResult<Value> {
        if let Value::Generator(g) = &v {
            return self.delegate(g).await;
        }
        // A plain iterator: yield its items; sent values go to its `send` if it has one.
        let it = self.get_iter(&v)?;
        let mut st = self.iter_state(&it)?;
        let mut item = match self.iter_next(&mut st)? {
            Some(x) => x,
            None => return Ok(self.stop_value.borrow_mut().take().unwrap_or(Value::None)),
        };
        loop {
            let resume = RawYield { vm: self, value: Some(item) }.await;
            let next = match resume {
                Resume::Send(x) if x.is_none() => self.iter_next(&mut st)?,
                Resume::Send(x) => match self.call_method(&it, &self.intern("send"), Args::one(x)) {
                    Ok(y) => Some(y),
                    Err(e) if self.exc_is(&e, ExcKind::StopIteration) => return Ok(self.stop_iteration_value(e)),
                    Err(e) => return Err(e),
                },
                Resume::Throw(e) => {
                    if self.type_of(&it).lookup("throw").is_none() {
                        return Err(e);
                    }
                    let mut e = e;
                    let ev = Value::Instance(self.materialize(&mut e));
                    match self.call_method(&it, &self.intern("throw"), Args::one(ev)) {
                        Ok(y) => Some(y),
                        Err(e) if self.exc_is(&e, ExcKind::StopIteration) => return Ok(self.stop_iteration_value(e)),
                        Err(e) => return Err(e),
                    }
                }
            };
            match next {
                Some(x) => item = x,
                None => return Ok(self.stop_value.borrow_mut().take().unwrap_or(Value::None)),
            }
        }
    }

    /// The `.value` of a StopIteration.
    pub fn stop_iteration_value(&self, mut e: Exc) -> Value {
        let inst = self.materialize(&mut e);
        inst.exception().and_then(|p| p.args.borrow().first().cloned()).unwrap_or(Value::None)
    }

    /// Delegate to a generator or coroutine until it returns (PEP 380).
    async fn delegate(&self, g: &Rc<Generator>) -> PyResult<Value> {
        if let Some(body) = self.take_fresh_body(g) {
            let depth = self.depth.get();
            if depth >= self.recursion_limit.get() {
                *g.state.borrow_mut() = GenState::Closed;
                return Err(Exc::new(ExcKind::RecursionError, "maximum recursion depth exceeded"));
            }
            self.depth.set(depth + 1);
            let r = body.await;
            self.depth.set(depth);
            *g.state.borrow_mut() = GenState::Closed;
            return r.map_err(|mut e| {
                e.0.noted = false;
                e
            });
        }
        let mut resume = Resume::Send(Value::None);
        loop {
            let step = match resume {
                Resume::Throw(e) if self.exc_is(&e, ExcKind::GeneratorExit) => {
                    self.generator_close(g)?;
                    return Err(e);
                }
                r => self.resume(g, r)?,
            };
            match step {
                GenStep::Yielded(y) => resume = RawYield { vm: self, value: Some(y) }.await,
                GenStep::Returned(r) => return Ok(r),
            }
        }
    }

    // ----- async iteration ----------------------------------------------------------

    /// `aiter(x)`: the object's `__aiter__()`.
    pub fn aiter(&self, v: &Value) -> PyResult<Value> {
        let cls = self.type_of(v);
        match cls.lookup("__aiter__") {
            Some(m) => {
                let m = self.bind_descriptor(m, v)?;
                self.call(&m, Args::empty())
            }
            None => Err(Exc::type_error(format!(
                "'async for' requires an object with __aiter__ method, got {}",
                cls.name
            ))),
        }
    }

    /// One step of `async for`: `Ok(None)` at StopAsyncIteration.
    pub async fn anext_value(&self, aiter: &Value) -> PyResult<Option<Value>> {
        let cls = self.type_of(aiter);
        let Some(m) = cls.lookup("__anext__") else {
            return Err(Exc::type_error(format!(
                "'async for' received an object from __aiter__ that does not implement __anext__: {}",
                cls.name
            )));
        };
        let m = self.bind_descriptor(m, aiter)?;
        let awaitable = self.call(&m, Args::empty())?;
        match self.await_value(awaitable).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if self.exc_is(&e, ExcKind::StopAsyncIteration) => Ok(None),
            Err(e) => Err(e),
        }
    }

    // ----- comprehensions -------------------------------------------------------------

    async fn eval_comprehension_async(&self, f: &mut Frame, comp: &Rc<Comprehension>) -> PyResult<Value> {
        let first = self.eval_async(f, &comp.generators[0].iter).await?;
        let mut cf = self.comprehension_frame(f, comp);
        if comp.kind == CompKind::Generator {
            return self.make_genexpr(comp, cf, first);
        }
        let mut out = match comp.kind {
            CompKind::List => CompOut::List(Vec::new()),
            CompKind::Set => CompOut::Set(PySet::new()),
            _ => CompOut::Dict(PyDict::new()),
        };
        self.comp_level_async(&mut cf, comp, 0, first, &mut CompSink::Collect(&mut out)).await?;
        Ok(match out {
            CompOut::List(v) => Value::list(v),
            CompOut::Set(s) => Value::Set(Rc::new(s)),
            CompOut::Dict(d) => Value::Dict(Rc::new(d)),
        })
    }

    /// One `for` clause of a comprehension, in the async evaluator: collecting into a
    /// container, or yielding each element (generator expressions).
    #[async_recursion(?Send)]
    pub async fn comp_level_async(
        &self,
        f: &mut Frame,
        comp: &Comprehension,
        level: usize,
        iterable: Value,
        sink: &mut CompSink<'_>,
    ) -> PyResult<()> {
        let gen = &comp.generators[level];
        let (mut sync_iter, async_iter) = if gen.is_async {
            (None, Some(self.aiter(&iterable)?))
        } else {
            (Some(self.iter_state(&iterable)?), None)
        };
        loop {
            let item = match (&mut sync_iter, &async_iter) {
                (Some(st), _) => self.iter_next(st)?,
                (None, Some(ai)) => self.anext_value(ai).await?,
                _ => None,
            };
            let Some(item) = item else { break };
            self.assign_async(f, &gen.target, item).await?;
            let mut keep = true;
            for cond in &gen.ifs {
                let c = self.eval_async(f, cond).await?;
                if !self.truthy(&c)? {
                    keep = false;
                    break;
                }
            }
            if !keep {
                continue;
            }
            if level + 1 < comp.generators.len() {
                let next = self.eval_async(f, &comp.generators[level + 1].iter).await?;
                self.comp_level_async(f, comp, level + 1, next, sink).await?;
            } else {
                match sink {
                    CompSink::Collect(out) => {
                        if comp.elt.suspends || comp.value.as_ref().map(|v| v.suspends).unwrap_or(false) {
                            match out {
                                CompOut::List(v) => v.push(self.eval_async(f, &comp.elt).await?),
                                CompOut::Set(s) => {
                                    let x = self.eval_async(f, &comp.elt).await?;
                                    s.add(self, x)?;
                                }
                                CompOut::Dict(d) => {
                                    let k = self.eval_async(f, &comp.elt).await?;
                                    let v = match &comp.value {
                                        Some(v) => self.eval_async(f, v).await?,
                                        None => Value::None,
                                    };
                                    d.set(self, k, v)?;
                                }
                            }
                        } else {
                            self.comp_emit(f, comp, out)?;
                        }
                    }
                    CompSink::Yield => {
                        let mut v = self.eval_async(f, &comp.elt).await?;
                        if comp.scope.is_async {
                            v = crate::builtins::async_generator::wrap(self, v);
                        }
                        YieldPoint::new(self, v).await?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Where a comprehension's elements go.
pub enum CompSink<'a> {
    Collect(&'a mut CompOut),
    /// A generator expression: each element is yielded.
    Yield,
}
