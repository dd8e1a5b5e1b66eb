//! [`Interpreter`] and its builder: the embedding entry points.
//!
//! An `Interpreter` owns one interpreter instance (single-threaded, `!Send`); several can
//! live in one process, each with its own globals, modules, limits and capabilities.
//! Blocking entry points (`exec`, `eval`, `call`) run the script, and any event loop it
//! starts, on the calling thread. For async hosts, [`Interpreter::spawn`] moves an
//! interpreter to a thread of its own and returns a `Send + Clone` [`InterpreterHandle`]
//! whose methods are futures the host awaits in its own tokio runtime.
//!
//! A script function that is `async def` returns a coroutine; `eval` and `call` run such
//! a result to completion on a fresh event loop, as `asyncio.run` would.

use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use super::capabilities::{Capabilities, Capability};
use super::convert::{Ctx, FromValue, HostFn, IntoArgs, IntoValue};
use super::error::Error;
use super::host_object::HostClass;
use super::limits::{CancelHandle, Limits};
use super::module::{self, BlockingFn, IntoResult, Maker, Module};
use crate::compile::ResolveOptions;
use crate::runtime::exception::SourceFile;
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, PyResult, Value};
use crate::syntax::ast;
use crate::vm::Vm;

/// Configures an [`Interpreter`]: host functions, modules, classes, limits, capabilities.
///
/// ```
/// use coro::{Capability, Interpreter, Limits};
/// let interp = Interpreter::builder()
///     .function("double", |x: i64| Ok(x * 2))
///     .grant(Capability::Clock)
///     .limits(Limits::new().max_steps(1_000_000))
///     .build()
///     .unwrap();
/// ```
pub struct InterpreterBuilder {
    globals: Vec<(String, Maker)>,
    modules: Vec<Module>,
    capabilities: Capabilities,
    limits: Limits,
    virtual_time: bool,
    stdout: Option<Box<dyn std::io::Write>>,
    stderr: Option<Box<dyn std::io::Write>>,
}

impl InterpreterBuilder {
    /// A global synchronous host function (see [`Module::function`]).
    pub fn function<F, M>(mut self, name: &str, f: F) -> Self
    where
        F: HostFn<M>,
        F::Output: IntoResult,
    {
        self.globals.push((name.to_string(), module::sync_fn(name, f)));
        self
    }

    /// A global async host function: scripts `await` it (see [`Module::async_function`]).
    pub fn async_function<F, M, Fut, R>(mut self, name: &str, f: F) -> Self
    where
        F: HostFn<M, Output = Fut>,
        Fut: std::future::Future<Output = Result<R, Error>> + 'static,
        R: IntoValue + 'static,
    {
        self.globals.push((name.to_string(), module::async_fn(name, f)));
        self
    }

    /// A global blocking host function, run on tokio's blocking pool; scripts `await` it.
    pub fn blocking_function<F, M, R>(mut self, name: &str, f: F) -> Self
    where
        F: BlockingFn<M, Output = Result<R, Error>>,
        R: IntoValue + Send + 'static,
    {
        self.globals.push((name.to_string(), module::blocking_fn(name, f)));
        self
    }

    /// A global constant.
    pub fn value<T: IntoValue + 'static>(mut self, name: &str, v: T) -> Self {
        self.globals.push((name.to_string(), Box::new(move |vm: &Vm| v.into_value(Ctx::new(vm)).map_err(|e| e.to_exc(vm)))));
        self
    }

    /// A global host class.
    pub fn class<T: 'static>(mut self, class: HostClass<T>) -> Self {
        self.globals.push((class.name.clone(), class.into_maker()));
        self
    }

    /// A native module scripts can `import`.
    pub fn module(mut self, m: Module) -> Self {
        self.modules.push(m);
        self
    }

    /// Grant one capability (an embedded interpreter starts with none).
    pub fn grant(mut self, c: Capability) -> Self {
        self.capabilities = self.capabilities.with(c);
        self
    }

    /// Set the whole capability set (`Capabilities::all()` is what the CLI uses).
    pub fn capabilities(mut self, c: Capabilities) -> Self {
        self.capabilities = c;
        self
    }

    /// Resource limits, applied to every run.
    pub fn limits(mut self, l: Limits) -> Self {
        self.limits = l;
        self
    }

    /// Run the event loop on a virtual clock: sleeps finish at once (for tests).
    pub fn virtual_time(mut self, on: bool) -> Self {
        self.virtual_time = on;
        self
    }

    /// Where `print` writes (default: the process's stdout).
    pub fn stdout(mut self, w: impl std::io::Write + 'static) -> Self {
        self.stdout = Some(Box::new(w));
        self
    }

    /// Where tracebacks of background errors and warnings go (default: stderr).
    pub fn stderr(mut self, w: impl std::io::Write + 'static) -> Self {
        self.stderr = Some(Box::new(w));
        self
    }

    /// Create the interpreter.
    pub fn build(self) -> Result<Interpreter, Error> {
        let vm = Vm::new();
        vm.capabilities.set(self.capabilities);
        vm.limits.configure(&self.limits);
        if let Some(d) = self.limits.max_recursion {
            vm.recursion_limit.set(d);
        }
        vm.clock.set_virtual(self.virtual_time);
        if let Some(w) = self.stdout {
            *vm.stdout.borrow_mut() = crate::vm::Output::to_writer(w);
        }
        if let Some(w) = self.stderr {
            *vm.stderr.borrow_mut() = crate::vm::Output::to_writer(w);
        }
        for (name, make) in self.globals {
            let v = make(&vm).map_err(|e| Error::from_exc(&vm, &e))?;
            vm.builtins.set_by_name(&vm.intern(&name), v);
        }
        for m in self.modules {
            m.install(&vm).map_err(|e| Error::from_exc(&vm, &e))?;
        }
        let main = crate::run::new_module(&vm, "__main__", None);
        *vm.main_module.borrow_mut() = Some(main.clone());
        vm.modules.borrow_mut().insert(vm.intern("__main__"), Value::Module(main.clone()));
        Ok(Interpreter { vm, main, timeout: self.limits.timeout, counter: 0 })
    }
}

/// One interpreter: run source, call script functions, read and write globals.
///
/// ```
/// let mut interp = coro::Interpreter::new().unwrap();
/// interp.exec("def add(a, b):\n    return a + b\n").unwrap();
/// let n: i64 = interp.call("add", (2, 3)).unwrap();
/// assert_eq!(n, 5);
/// interp.set("name", "coro").unwrap();
/// assert_eq!(interp.eval::<String>("name.upper()").unwrap(), "CORO");
/// ```
pub struct Interpreter {
    vm: Rc<Vm>,
    main: Rc<ModuleObj>,
    timeout: Option<Duration>,
    counter: u64,
}

impl Interpreter {
    /// A builder with nothing registered, no capabilities and no limits.
    pub fn builder() -> InterpreterBuilder {
        InterpreterBuilder {
            globals: vec![],
            modules: vec![],
            capabilities: Capabilities::none(),
            limits: Limits::default(),
            virtual_time: false,
            stdout: None,
            stderr: None,
        }
    }

    /// `Interpreter::builder().build()`.
    pub fn new() -> Result<Interpreter, Error> {
        Interpreter::builder().build()
    }

    /// The capabilities this interpreter was granted.
    pub fn capabilities(&self) -> Capabilities {
        self.vm.capabilities.get()
    }

    /// A handle that stops the running script from another thread.
    pub fn cancel_handle(&self) -> CancelHandle {
        CancelHandle(self.vm.limits.cancel_flag())
    }

    /// Parse `source`; the module object it runs in shares `__main__`'s globals but
    /// carries this source, so tracebacks of code defined here show its lines.
    fn compile(&mut self, source: &str, filename: &str) -> Result<(ast::Module, Rc<ModuleObj>), Error> {
        let file = Rc::new(SourceFile { name: filename.to_string(), text: source.to_string() });
        let code = crate::run::compile(&self.vm, &file.text, filename, &self.main.globals, ResolveOptions::default())
            .map_err(Error::from_syntax)?;
        let module = Rc::new(ModuleObj { name: self.main.name.clone(), globals: self.main.globals.clone(), file: Some(file) });
        Ok((code, module))
    }

    /// Run `f` as one run: limits start fresh, and a tripped limit wins over whatever
    /// the script did with its exception.
    fn run<R>(&mut self, f: impl FnOnce(&Vm) -> PyResult<R>) -> Result<R, Error> {
        let vm = self.vm.clone();
        vm.limits.start_run(self.timeout);
        let r = f(&vm);
        vm.flush();
        let out = match r {
            Ok(v) => match vm.limits.tripped() {
                None => Ok(v),
                Some(k) => {
                    let e = vm.limits.trip(k);
                    Err(Error::from_exc(&vm, &e))
                }
            },
            Err(e) => Err(Error::from_exc(&vm, &e)),
        };
        vm.limits.end_run();
        out
    }

    fn next_name(&mut self) -> String {
        self.counter += 1;
        if self.counter == 1 {
            "<script>".to_string()
        } else {
            format!("<script-{}>", self.counter)
        }
    }

    /// Run statements in the `__main__` module.
    pub fn exec(&mut self, source: &str) -> Result<(), Error> {
        let name = self.next_name();
        self.exec_named(source, &name)
    }

    /// Run statements, naming the source `filename` in tracebacks.
    pub fn exec_named(&mut self, source: &str, filename: &str) -> Result<(), Error> {
        let (code, main) = self.compile(source, filename)?;
        self.run(|vm| crate::run::exec_module(vm, &main, &code))
    }

    /// Read and run a file (the host reads it: this needs no capability). With the
    /// filesystem capability the script may import `.coro` modules next to it.
    pub fn exec_file(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path)?;
        // Imports of `.coro` files next to the script ask for the filesystem capability.
        *self.vm.script_dir.borrow_mut() = path.parent().map(|p| p.to_path_buf());
        self.exec_named(&source, &path.display().to_string())
    }

    /// Run `source` and convert the value of its last statement, if that is an
    /// expression (`None` otherwise). A coroutine result is run to completion.
    pub fn eval<T: FromValue>(&mut self, source: &str) -> Result<T, Error> {
        let name = self.next_name();
        let (mut code, main) = self.compile(source, &name)?;
        let last = match code.body.last().map(|s| &s.kind) {
            Some(ast::StmtKind::Expr(_)) => code.body.pop(),
            _ => None,
        };
        let v = self.run(|vm| {
            crate::run::exec_module(vm, &main, &code)?;
            let v = match &last {
                Some(ast::Stmt { kind: ast::StmtKind::Expr(e), span, .. }) => {
                    let mut frame = crate::eval::Frame::module_frame(main.clone());
                    vm.eval(&mut frame, e).map_err(|x| vm.note(&frame, x, *span))?
                }
                _ => Value::None,
            };
            finish_coroutine(vm, v)
        })?;
        self.convert(v)
    }

    /// Call the global function `name` with `args`; a coroutine result is run to
    /// completion on a fresh event loop.
    pub fn call<T: FromValue>(&mut self, name: &str, args: impl IntoArgs) -> Result<T, Error> {
        let f = self.get_value(name)?;
        self.call_value(&f, args)
    }

    /// Call any callable value (a function read with `get::<Value>`).
    pub fn call_value<T: FromValue>(&mut self, f: &Value, args: impl IntoArgs) -> Result<T, Error> {
        let args = args.into_args(Ctx::new(&self.vm))?;
        let v = self.run(|vm| {
            let v = vm.call(f, Args::new(args))?;
            finish_coroutine(vm, v)
        })?;
        self.convert(v)
    }

    fn convert<T: FromValue>(&self, v: Value) -> Result<T, Error> {
        T::from_value(v, Ctx::new(&self.vm))
    }

    fn get_value(&self, name: &str) -> Result<Value, Error> {
        self.main
            .globals
            .get_by_name(name)
            .or_else(|| self.vm.builtins.get_by_name(name))
            .ok_or_else(|| Error::new("NameError", format!("name '{name}' is not defined")))
    }

    /// Read a global of `__main__` (or a builtin/host global).
    pub fn get<T: FromValue>(&self, name: &str) -> Result<T, Error> {
        let v = self.get_value(name)?;
        self.convert(v)
    }

    /// Set a global of `__main__`.
    pub fn set<T: IntoValue>(&mut self, name: &str, v: T) -> Result<(), Error> {
        let v = v.into_value(Ctx::new(&self.vm))?;
        self.main.globals.set_by_name(&self.vm.intern(name), v);
        Ok(())
    }

    /// Convert a Rust value to a Python value of this interpreter.
    pub fn to_value<T: IntoValue>(&self, v: T) -> Result<Value, Error> {
        v.into_value(Ctx::new(&self.vm))
    }

    /// Convert a Python value of this interpreter to a Rust value.
    pub fn from_value<T: FromValue>(&self, v: Value) -> Result<T, Error> {
        self.convert(v)
    }

    /// Move an interpreter built by `make` to a thread of its own, for async hosts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let h = coro::Interpreter::spawn(|| coro::Interpreter::builder().build()).unwrap();
    /// let n: i64 = h.eval("6 * 7").await.unwrap();
    /// assert_eq!(n, 42);
    /// # }
    /// ```
    pub fn spawn<F>(make: F) -> Result<InterpreterHandle, Error>
    where
        F: FnOnce() -> Result<Interpreter, Error> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<CancelHandle, Error>>();
        std::thread::Builder::new()
            .name("coro-interpreter".into())
            .stack_size(64 << 20)
            .spawn(move || {
                let mut interp = match make() {
                    Ok(i) => {
                        let _ = ready_tx.send(Ok(i.cancel_handle()));
                        i
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                while let Ok(job) = rx.recv() {
                    job(&mut interp);
                }
            })
            .map_err(Error::from)?;
        let cancel = ready_rx.recv().map_err(|_| Error::new("RuntimeError", "the interpreter thread failed to start"))??;
        Ok(InterpreterHandle { tx, cancel })
    }
}

/// Run a coroutine result to completion, as `asyncio.run` does.
fn finish_coroutine(vm: &Vm, v: Value) -> PyResult<Value> {
    if crate::modules::asyncio::tasks::is_coroutine(&v) {
        vm.import_module("_asyncio")?;
        crate::modules::asyncio::events::run(vm, v, false)
    } else {
        Ok(v)
    }
}

type Job = Box<dyn FnOnce(&mut Interpreter) + Send>;

/// A `Send + Clone` handle to an interpreter running on its own thread
/// ([`Interpreter::spawn`]); every method is a future to await in the host's runtime.
/// Jobs run one at a time, in order.
#[derive(Clone)]
pub struct InterpreterHandle {
    tx: std::sync::mpsc::Sender<Job>,
    cancel: CancelHandle,
}

impl InterpreterHandle {
    /// Run `f` with the interpreter on its thread and return its result.
    pub async fn with<R, F>(&self, f: F) -> Result<R, Error>
    where
        F: FnOnce(&mut Interpreter) -> R + Send + 'static,
        R: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.tx
            .send(Box::new(move |i: &mut Interpreter| {
                let _ = tx.send(f(i));
            }))
            .map_err(|_| Error::new("RuntimeError", "the interpreter thread has stopped"))?;
        rx.await.map_err(|_| Error::new("RuntimeError", "the interpreter thread has stopped"))
    }

    /// [`Interpreter::exec`] on the interpreter's thread.
    pub async fn exec(&self, source: impl Into<String>) -> Result<(), Error> {
        let s = source.into();
        self.with(move |i| i.exec(&s)).await?
    }

    /// [`Interpreter::eval`] on the interpreter's thread.
    pub async fn eval<T: FromValue + Send + 'static>(&self, source: impl Into<String>) -> Result<T, Error> {
        let s = source.into();
        self.with(move |i| i.eval::<T>(&s)).await?
    }

    /// [`Interpreter::call`] with arguments built on the interpreter's thread.
    pub async fn call<T, A>(&self, name: impl Into<String>, args: A) -> Result<T, Error>
    where
        T: FromValue + Send + 'static,
        A: IntoArgs + Send + 'static,
    {
        let n = name.into();
        self.with(move |i| i.call::<T>(&n, args)).await?
    }

    /// Stop the script running now (from any thread).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}
