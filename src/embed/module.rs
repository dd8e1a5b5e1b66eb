//! Host functions and native modules: how Rust functions become script callables.
//!
//! Three kinds of host function, all with typed arguments (see [`crate::embed::convert`])
//! and `Result<R, Error>` results (an `Err` raises the chosen Python exception):
//!
//! - [`Module::function`]: a synchronous call on the interpreter thread;
//! - [`Module::async_function`]: returns a future; scripts `await` the call like any
//!   coroutine (it can be gathered, timed out and cancelled; cancelling drops the Rust
//!   future at once). The future runs on the event loop's own tokio runtime, so tokio
//!   timers and IO work inside it, and it need not be `Send`;
//! - [`Module::blocking_function`]: runs on tokio's blocking thread pool; scripts await it.
//!
//! A [`Module`] is importable by name (`import net`); the same methods on
//! [`crate::InterpreterBuilder`] add globals instead.
//!
//! ```
//! use std::time::Duration;
//! use coro::{Interpreter, Module};
//! let net = Module::new("net")
//!     .function("port", |name: String| match name.as_str() {
//!         "http" => Ok(80),
//!         other => Err(coro::Error::new("KeyError", other)),
//!     })
//!     .async_function("fetch", |url: String| async move {
//!         tokio::time::sleep(Duration::from_millis(10)).await;
//!         Ok(format!("<body of {url}>"))
//!     });
//! let mut interp = Interpreter::builder().module(net).build().unwrap();
//! interp.exec("
//! import asyncio, net
//! async def main():
//!     return await net.fetch('x') + str(net.port('http'))
//! result = asyncio.run(main())
//! ").unwrap();
//! assert_eq!(interp.get::<String>("result").unwrap(), "<body of x>80");
//! ```

use std::future::Future;

use super::convert::{CallSite, Ctx, FromValue, HostFn, IntoValue, Named, NamedMarker};
use super::error::Error;
use crate::runtime::function::BuiltinFunction;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

/// What a host function returns: `Result<R, Error>` with `R: IntoValue`.
pub trait IntoResult {
    fn into_result(self, cx: Ctx<'_>) -> Result<Value, Error>;
}

impl<R: IntoValue> IntoResult for Result<R, Error> {
    fn into_result(self, cx: Ctx<'_>) -> Result<Value, Error> {
        self.and_then(|r| r.into_value(cx))
    }
}

/// Builds a value inside a new interpreter (host items are declared before it exists).
pub(crate) type Maker = Box<dyn FnOnce(&Vm) -> PyResult<Value>>;

/// Bind a call's arguments to a host function's parameters: one value per parameter,
/// `None` for omitted optional ones. Keyword arguments need declared names ([`named`]).
///
/// [`named`]: crate::embed::convert::named
fn bind(site: &CallSite<'_>, args: Args, optional: &[bool]) -> PyResult<Vec<Value>> {
    let required: Vec<bool> = optional.iter().map(|o| !o).collect();
    let mut out = vec![None; optional.len()];
    args.bind_to(site.func, site.params, &required, &mut out)?;
    Ok(out.into_iter().map(|v| v.unwrap_or(Value::None)).collect())
}

/// Registration-time check: as many declared names as parameters.
fn check_params(name: &str, params: Option<&[String]>, arity: usize) -> PyResult<()> {
    match params {
        Some(p) if p.len() != arity => Err(Exc::value_error(format!(
            "host function {name}() declares {} parameter names but takes {arity} parameters",
            p.len()
        ))),
        _ => Ok(()),
    }
}

pub(crate) fn sync_fn<F, M>(name: &str, f: F) -> Maker
where
    F: HostFn<M>,
    F::Output: IntoResult,
{
    let name = name.to_string();
    Box::new(move |_vm: &Vm| {
        check_params(&name, f.params(), F::ARITY)?;
        let n = name.clone();
        Ok(BuiltinFunction::new(&name, move |vm: &Vm, args: Args| {
            let site = CallSite { func: &n, params: f.params() };
            let args = bind(&site, args, F::OPTIONAL)?;
            let cx = Ctx::new(vm);
            f.call_with(args, cx, &site).and_then(|r| r.into_result(cx)).map_err(|e| e.to_exc(vm))
        }))
    })
}

pub(crate) fn async_fn<F, M, Fut, R>(name: &str, f: F) -> Maker
where
    F: HostFn<M, Output = Fut>,
    Fut: Future<Output = Result<R, Error>> + 'static,
    R: IntoValue + 'static,
{
    let name = name.to_string();
    Box::new(move |_vm: &Vm| {
        check_params(&name, f.params(), F::ARITY)?;
        let n = name.clone();
        Ok(BuiltinFunction::new(&name, move |vm: &Vm, args: Args| {
            let site = CallSite { func: &n, params: f.params() };
            let args = bind(&site, args, F::OPTIONAL)?;
            let fut = f.call_with(args, Ctx::new(vm), &site).map_err(|e| e.to_exc(vm))?;
            Ok(super::host_async::coroutine(vm, &n, fut))
        }))
    })
}

/// A closure usable as a blocking host function: its arguments are converted on the
/// interpreter thread, then it runs on tokio's blocking pool (so they are owned: no
/// `&str`).
pub trait BlockingFn<Marker>: Send + Sync + 'static {
    type Args: Send + 'static;
    type Output: Send + 'static;
    const ARITY: usize;
    /// Which parameters the caller may leave out (see [`FromValue::OPTIONAL`]).
    const OPTIONAL: &'static [bool];
    /// The parameter names, when declared with [`named`](crate::embed::convert::named).
    fn params(&self) -> Option<&[String]> {
        None
    }
    fn convert(args: Vec<Value>, cx: Ctx<'_>, site: &CallSite<'_>) -> Result<Self::Args, Error>;
    fn run(&self, args: Self::Args) -> Self::Output;
}

macro_rules! blocking_impl {
    ($n:expr; $($t:ident $i:tt),*) => {
        impl<Func, R, $($t: FromValue + Send + 'static),*> BlockingFn<($($t,)*)> for Func
        where
            Func: Fn($($t),*) -> R + Send + Sync + 'static,
            R: Send + 'static,
        {
            type Args = ($($t,)*);
            type Output = R;
            const ARITY: usize = $n;
            const OPTIONAL: &'static [bool] = &[$($t::OPTIONAL),*];
            #[allow(unused_variables, unused_mut)]
            fn convert(args: Vec<Value>, cx: Ctx<'_>, site: &CallSite<'_>) -> Result<Self::Args, Error> {
                let mut it = args.into_iter();
                Ok(($($t::from_value(it.next().unwrap_or(Value::None), cx).map_err(|e| site.arg_error(e, $i))?,)*))
            }
            #[allow(unused_variables)]
            fn run(&self, args: Self::Args) -> R {
                (self)($(args.$i),*)
            }
        }
    };
}
blocking_impl!(0;);
blocking_impl!(1; A 0);
blocking_impl!(2; A 0, B 1);
blocking_impl!(3; A 0, B 1, C 2);
blocking_impl!(4; A 0, B 1, C 2, D 3);

impl<F: BlockingFn<M>, M: 'static> BlockingFn<NamedMarker<M>> for Named<F> {
    type Args = F::Args;
    type Output = F::Output;
    const ARITY: usize = F::ARITY;
    const OPTIONAL: &'static [bool] = F::OPTIONAL;
    fn params(&self) -> Option<&[String]> {
        Some(&self.names)
    }
    fn convert(args: Vec<Value>, cx: Ctx<'_>, site: &CallSite<'_>) -> Result<Self::Args, Error> {
        F::convert(args, cx, site)
    }
    fn run(&self, args: Self::Args) -> Self::Output {
        self.f.run(args)
    }
}

pub(crate) fn blocking_fn<F, M, R>(name: &str, f: F) -> Maker
where
    F: BlockingFn<M, Output = Result<R, Error>>,
    R: IntoValue + Send + 'static,
{
    let name = name.to_string();
    let f = std::sync::Arc::new(f);
    Box::new(move |_vm: &Vm| {
        check_params(&name, f.params(), F::ARITY)?;
        let n = name.clone();
        Ok(BuiltinFunction::new(&name, move |vm: &Vm, args: Args| {
            let site = CallSite { func: &n, params: f.params() };
            let args = bind(&site, args, F::OPTIONAL)?;
            let args = F::convert(args, Ctx::new(vm), &site).map_err(|e| e.to_exc(vm))?;
            let f = f.clone();
            let fut = async move {
                match tokio::task::spawn_blocking(move || f.run(args)).await {
                    Ok(r) => r,
                    Err(e) => Err(Error::new("RuntimeError", format!("blocking host function failed: {e}"))),
                }
            };
            Ok(super::host_async::coroutine(vm, &n, fut))
        }))
    })
}

/// A native module: host functions and values importable by name.
pub struct Module {
    pub(crate) name: String,
    pub(crate) items: Vec<(String, Maker)>,
}

impl Module {
    /// An empty module; scripts `import name`.
    pub fn new(name: &str) -> Module {
        Module { name: name.to_string(), items: Vec::new() }
    }

    /// Add a synchronous function (see the module docs).
    pub fn function<F, M>(mut self, name: &str, f: F) -> Module
    where
        F: HostFn<M>,
        F::Output: IntoResult,
    {
        self.items.push((name.to_string(), sync_fn(name, f)));
        self
    }

    /// Add an async function: the script awaits its future.
    pub fn async_function<F, M, Fut, R>(mut self, name: &str, f: F) -> Module
    where
        F: HostFn<M, Output = Fut>,
        Fut: Future<Output = Result<R, Error>> + 'static,
        R: IntoValue + 'static,
    {
        self.items.push((name.to_string(), async_fn(name, f)));
        self
    }

    /// Add a blocking function, run on tokio's blocking pool; the script awaits it.
    pub fn blocking_function<F, M, R>(mut self, name: &str, f: F) -> Module
    where
        F: BlockingFn<M, Output = Result<R, Error>>,
        R: IntoValue + Send + 'static,
    {
        self.items.push((name.to_string(), blocking_fn(name, f)));
        self
    }

    /// Add a constant (anything [`IntoValue`] and `'static`).
    pub fn value<T: IntoValue + 'static>(mut self, name: &str, v: T) -> Module {
        self.items.push((name.to_string(), Box::new(move |vm: &Vm| v.into_value(Ctx::new(vm)).map_err(|e| e.to_exc(vm)))));
        self
    }

    /// Add a host class (see [`crate::HostClass`]).
    pub fn class<T: 'static>(mut self, class: super::host_object::HostClass<T>) -> Module {
        let name = class.name.clone();
        self.items.push((name, Box::new(move |vm: &Vm| Ok(class.build(vm)))));
        self
    }

    /// Create the module object in `vm` and register it in `sys.modules`.
    pub(crate) fn install(self, vm: &Vm) -> PyResult<()> {
        let m = crate::modules::new_builtin_module(vm, &self.name);
        for (name, make) in self.items {
            let v = make(vm)?;
            m.globals.set_by_name(&vm.intern(&name), v);
        }
        vm.modules.borrow_mut().insert(vm.intern(&self.name), Value::Module(m));
        Ok(())
    }
}

