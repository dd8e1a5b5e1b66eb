//! Creating generator, coroutine and generator-expression objects: each wraps a body
//! future of the async evaluator (see `suspend` for how they are driven).

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use super::async_expr::CompSink;
use super::frame::Frame;
use super::stmt::Flow;
use crate::runtime::function::Function;
use crate::runtime::generator::{BodyFuture, GenKind};
use crate::runtime::{PyResult, Value};
use crate::syntax::ast::Comprehension;
use crate::vm::Vm;

/// A boxed future awaiting something the event loop provides (a Future object).
pub type NativeAwait<'a> = Pin<Box<dyn Future<Output = PyResult<Value>> + 'a>>;

impl Vm {
    /// Calling a generator or `async def` function: build the object, run nothing yet.
    pub fn make_generator(&self, func: &Rc<Function>, frame: Frame) -> Value {
        let vm = self.rc();
        let def = func.def.clone();
        let kind = match (def.is_async, def.scope.is_generator) {
            (true, true) => GenKind::AsyncGenerator,
            (true, false) => GenKind::Coroutine,
            _ => GenKind::Generator,
        };
        let body: BodyFuture = Box::pin(async move {
            let mut frame = frame;
            match vm.exec_block_async(&mut frame, &def.body).await? {
                Flow::Return(v) => Ok(v),
                _ => Ok(Value::None),
            }
        });
        let name = func.name.borrow().clone();
        let qualname = func.qualname.borrow().clone();
        let g = self.new_generator(kind, name, qualname, body);
        if let Value::Generator(gen) = &g {
            *gen.origin.borrow_mut() = self.call_origin.borrow_mut().take();
        }
        g
    }

    /// A generator expression: its first iterable is already evaluated.
    pub fn make_genexpr(&self, comp: &Rc<Comprehension>, frame: Frame, first: Value) -> PyResult<Value> {
        let vm = self.rc();
        let c = comp.clone();
        let kind = if comp.scope.is_async { GenKind::AsyncGenerator } else { GenKind::Generator };
        // The first iterable must be iterable now, as in CPython.
        if kind == GenKind::Generator {
            self.iter_state(&first)?;
        }
        let qualname: Rc<str> = format!("{}<genexpr>", frame.qual().prefix()).into();
        let body: BodyFuture = Box::pin(async move {
            let mut frame = frame;
            vm.comp_level_async(&mut frame, &c, 0, first, &mut CompSink::Yield).await?;
            Ok(Value::None)
        });
        Ok(self.new_generator(kind, self.intern("<genexpr>"), qualname, body))
    }

    /// Awaiting an object the event loop implements natively (a Future or Task);
    /// `None` for everything else.
    pub fn await_native<'a>(&'a self, v: &Value) -> Option<NativeAwait<'a>> {
        let hook = self.native_await.borrow().clone();
        hook.and_then(|h| h(self, v))
    }
}
