//! Creating and calling Python functions, and executing class bodies.

use std::rc::Rc;

use super::frame::{Frame, FrameCode, Locals};
use super::stmt::Flow;
use crate::runtime::class::{AttrMap, BaseKind, Class, Instance, Payload};
use crate::runtime::function::{new_cell, CellRef, Function};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

/// Red zone and growth step for the native stack: deep Python recursion grows the stack
/// on the heap instead of overflowing it; the recursion limit bounds the total.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// The bounds `[low, high)` of the thread's own stack, within which a frame needs no
/// check beyond comparing the stack pointer (computed once per thread).
#[derive(Clone, Copy)]
struct StackBounds {
    low: usize,
    high: usize,
}

thread_local! {
    static STACK_BOUNDS: std::cell::Cell<Option<StackBounds>> = const { std::cell::Cell::new(None) };
}

/// The current stack address (of a local: close enough to the stack pointer).
#[inline(always)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::ptr::addr_of!(marker) as usize
}

/// Run `f` with at least `STACK_RED_ZONE` of native stack. On the thread's own stack,
/// with room to spare, this is one comparison; near its end, or on a segment `stacker`
/// already added, `stacker` checks and grows the stack onto the heap.
#[inline]
pub fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    let sp = stack_address();
    let bounds = STACK_BOUNDS.with(|b| match b.get() {
        Some(x) => x,
        None => {
            let x = match stacker::remaining_stack() {
                // Only frames at least 4 red zones above the end take the fast path.
                Some(rem) => StackBounds { low: sp.saturating_sub(rem) + 4 * STACK_RED_ZONE, high: sp + 1024 * 1024 },
                None => StackBounds { low: usize::MAX, high: 0 },
            };
            b.set(Some(x));
            x
        }
    });
    if sp > bounds.low && sp < bounds.high {
        f()
    } else {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, f)
    }
}

/// What a function body's outcome means to its caller: the returned value (`None`
/// when it ran off the end), or the error, whose traceback the caller's frame extends.
#[inline]
pub fn body_result(r: PyResult<Flow>) -> PyResult<Value> {
    match r {
        Ok(Flow::Return(v)) => Ok(v),
        Ok(_) => Ok(Value::None),
        Err(mut e) => {
            e.0.noted = false;
            Err(e)
        }
    }
}

impl Vm {
    pub fn make_function(&self, f: &mut Frame, def: &Rc<FunctionDef>) -> PyResult<Value> {
        let p = &def.params;
        let mut defaults = Vec::new();
        for prm in p.posonly.iter().chain(p.args.iter()) {
            if let Some(d) = &prm.default {
                defaults.push(self.eval(f, d)?);
            }
        }
        let mut kwdefaults = Vec::with_capacity(p.kwonly.len());
        for prm in &p.kwonly {
            kwdefaults.push(match &prm.default {
                Some(d) => Some(self.eval(f, d)?),
                None => None,
            });
        }
        let closure: Vec<CellRef> = def.scope.free_from.iter().map(|&i| f.cells[i as usize].clone()).collect();
        let name: Name = if def.is_lambda { self.intern("<lambda>") } else { def.name.name.clone() };
        let qualname: Rc<str> = format!("{}{}", f.qual().prefix(), name).into();
        let doc = match &def.docstring {
            Some(d) => Value::str(d),
            None => Value::None,
        };
        Ok(Value::Function(Rc::new(Function {
            def: def.clone(),
            module: f.module.clone(),
            name: std::cell::RefCell::new(name),
            qualname: std::cell::RefCell::new(qualname),
            defaults,
            kwdefaults,
            closure,
            attrs: std::cell::RefCell::new(AttrMap::default()),
            doc: std::cell::RefCell::new(doc),
        })))
    }

    /// Build the frame for a call: bind arguments to slots, create cells.
    #[inline]
    pub fn function_frame(&self, func: &Rc<Function>, args: Args) -> PyResult<Frame> {
        let def = &func.def;
        let scope = &def.scope;
        let p = &def.params;
        let mut locals = Locals::new();
        if args.kw.is_empty()
            && args.pos.len() == p.posonly.len() + p.args.len()
            && p.vararg.is_none()
            && p.kwonly.is_empty()
            && p.kwarg.is_none()
        {
            // Exactly the positional parameters: they fill the first slots in order.
            // (Plain pushes: SmallVec's generic `resize`/`extend` cost more than the call.)
            let n = scope.n_locals as usize;
            if n > locals.inline_size() {
                locals.reserve_exact(n);
            }
            for v in args.pos {
                locals.push(Some(v));
            }
            while locals.len() < n {
                locals.push(None);
            }
        } else {
            locals.resize(scope.n_locals as usize, None);
            self.bind_args(func, &mut locals, args)?;
        }
        Ok(self.frame_with_locals(func, locals))
    }

    /// A function's frame around its bound parameter slots: create the cells.
    #[inline]
    fn frame_with_locals(&self, func: &Rc<Function>, mut locals: Locals) -> Frame {
        let scope = &func.def.scope;
        let mut cells = Vec::with_capacity(scope.cell_names.len());
        for _ in 0..scope.n_owned_cells {
            cells.push(new_cell(None));
        }
        for (ci, pi) in &scope.cell_params {
            *cells[*ci as usize].borrow_mut() = locals[*pi as usize].take();
        }
        cells.extend(func.closure.iter().cloned());
        Frame { locals, cells, module: func.module.clone(), class_ns: None, code: FrameCode::Function(func.clone()) }
    }

    pub fn call_function(&self, func: &Rc<Function>, args: Args) -> PyResult<Value> {
        crate::vm::interrupt::check_interrupt()?;
        self.check_budget()?;
        let frame = self.function_frame(func, args)?;
        let scope = &func.def.scope;
        if scope.is_generator || scope.is_async {
            return Ok(self.make_generator(func, frame));
        }
        self.run_function_frame(func, frame)
    }

    /// `f(a, b)` with plain positional arguments, when `f` is an ordinary Python function
    /// taking exactly those: the arguments are evaluated straight into the new frame's
    /// slots (no `Args` to build and move). `None` when the call does not have that shape.
    #[inline]
    /// With a `receiver`, it is the first argument (a method called on an instance).
    pub fn call_positional_direct(
        &self,
        f: &mut Frame,
        func: &Rc<Function>,
        receiver: Option<&Value>,
        args: &[Arg],
    ) -> Option<PyResult<Value>> {
        let def = &func.def;
        let p = &def.params;
        let scope = &def.scope;
        if args.len() + receiver.is_some() as usize != p.posonly.len() + p.args.len()
            || p.vararg.is_some()
            || !p.kwonly.is_empty()
            || p.kwarg.is_some()
            || scope.is_generator
            || scope.is_async
            || !args.iter().all(|a| matches!(a, Arg::Positional(_)))
        {
            return None;
        }
        let n = scope.n_locals as usize;
        let mut locals = Locals::new();
        if n > locals.inline_size() {
            locals.reserve_exact(n);
        }
        if let Some(r) = receiver {
            locals.push(Some(r.clone()));
        }
        for a in args {
            let Arg::Positional(e) = a else { unreachable!("checked above") };
            match self.eval_operand(f, e) {
                Ok(v) => locals.push(Some(v)),
                Err(e) => return Some(Err(e)),
            }
        }
        while locals.len() < n {
            locals.push(None);
        }
        if let Err(e) = crate::vm::interrupt::check_interrupt().and_then(|_| self.check_budget()) {
            return Some(Err(e));
        }
        let frame = self.frame_with_locals(func, locals);
        Some(self.run_function_frame(func, frame))
    }

    /// `C(a, b)` for a plain class (metaclass `type`, `object.__new__`, a Python
    /// `__init__`) with plain positional arguments: the instance is made and `__init__`
    /// called through `call_positional_direct`. `None` when the call has another shape.
    pub fn instantiate_positional_direct(&self, f: &mut Frame, cls: &Rc<Class>, args: &[Arg]) -> Option<PyResult<Value>> {
        if cls.metaclass.borrow().is_some() || cls.base_kind != BaseKind::Object {
            return None;
        }
        let object_new = self.types.object.lookup("__new__")?;
        if !cls.lookup("__new__")?.is(&object_new) {
            return None;
        }
        let Some(Value::Function(init)) = cls.lookup("__init__") else { return None };
        let obj = Value::Instance(Instance::new(cls.clone(), Payload::None));
        let r = self.call_positional_direct(f, &init, Some(&obj), args)?;
        Some(match r {
            Ok(Value::None) => Ok(obj),
            Ok(other) => Err(Exc::type_error(format!("__init__() should return None, not '{}'", self.type_name(&other)))),
            Err(e) => Err(e),
        })
    }

    /// Run an ordinary function's body in its frame, within the recursion limit.
    #[inline]
    fn run_function_frame(&self, func: &Rc<Function>, mut frame: Frame) -> PyResult<Value> {
        let depth = self.depth.get();
        if depth >= self.recursion_limit.get() {
            return Err(self.recursion_error());
        }
        self.depth.set(depth + 1);
        let r = with_stack(|| self.exec_block(&mut frame, &func.def.body));
        self.depth.set(depth);
        body_result(r)
    }

    /// Bind call arguments to parameter slots, with CPython's error messages.
    fn bind_args(&self, func: &Function, locals: &mut [Option<Value>], args: Args) -> PyResult<()> {
        let p = &func.def.params;
        let n_posonly = p.posonly.len();
        let npos = n_posonly + p.args.len();
        let Args { pos, kw } = args;
        let qual = func.qualname.borrow().clone();
        let given = pos.len();
        let mut extra = Vec::new();
        for (i, v) in pos.into_iter().enumerate() {
            if i < npos {
                locals[i] = Some(v);
            } else {
                extra.push(v);
            }
        }
        let mut slot = npos;
        if p.vararg.is_some() {
            locals[slot] = Some(Value::tuple(extra));
            slot += 1;
        } else if !extra.is_empty() {
            let ndef = func.defaults.len();
            let kwonly_given = kw.iter().filter(|(k, _)| p.kwonly.iter().any(|q| q.name.name == *k)).count();
            let takes = if ndef > 0 {
                format!("from {} to {} positional arguments", npos - ndef, npos)
            } else {
                format!("{} positional argument{}", npos, if npos == 1 { "" } else { "s" })
            };
            let was = if given == 1 { "was" } else { "were" };
            let kwpart = if kwonly_given > 0 {
                format!(
                    " positional argument{} (and {} keyword-only argument{})",
                    if given == 1 { "" } else { "s" },
                    kwonly_given,
                    if kwonly_given == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            };
            return Err(Exc::type_error(format!("{qual}() takes {takes} but {given}{kwpart} {was} given")));
        }
        let kwonly_start = slot;
        let kwarg_slot = kwonly_start + p.kwonly.len();
        let kwargs = if p.kwarg.is_some() { Some(crate::runtime::dict::PyDict::new()) } else { None };
        let mut posonly_as_kw = Vec::new();
        for (k, v) in kw {
            let idx = p
                .args
                .iter()
                .position(|q| q.name.name == k)
                .map(|i| i + n_posonly)
                .or_else(|| p.kwonly.iter().position(|q| q.name.name == k).map(|i| i + kwonly_start));
            match idx {
                Some(i) => {
                    if locals[i].is_some() {
                        return Err(Exc::type_error(format!("{qual}() got multiple values for argument '{k}'")));
                    }
                    locals[i] = Some(v);
                }
                None => match &kwargs {
                    Some(d) => d.set(self, Value::str(&k), v)?,
                    None => {
                        if p.posonly.iter().any(|q| q.name.name == k) {
                            posonly_as_kw.push(k);
                        } else {
                            return Err(Exc::type_error(format!("{qual}() got an unexpected keyword argument '{k}'")));
                        }
                    }
                },
            }
        }
        if !posonly_as_kw.is_empty() {
            let names: Vec<String> = posonly_as_kw.iter().map(|k| format!("'{k}'")).collect();
            return Err(Exc::type_error(format!(
                "{qual}() got some positional-only arguments passed as keyword arguments: {}",
                names.join(", ")
            )));
        }
        // Defaults for missing positional parameters.
        let first_default = npos - func.defaults.len();
        let mut missing = Vec::new();
        for i in 0..npos {
            if locals[i].is_none() {
                if i >= first_default {
                    locals[i] = Some(func.defaults[i - first_default].clone());
                } else {
                    let prm = if i < n_posonly { &p.posonly[i] } else { &p.args[i - n_posonly] };
                    missing.push(prm.name.name.clone());
                }
            }
        }
        if !missing.is_empty() {
            return Err(Exc::type_error(format!(
                "{qual}() missing {} required positional argument{}: {}",
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                name_list(&missing)
            )));
        }
        let mut missing_kw = Vec::new();
        for (j, prm) in p.kwonly.iter().enumerate() {
            let i = kwonly_start + j;
            if locals[i].is_none() {
                match &func.kwdefaults[j] {
                    Some(d) => locals[i] = Some(d.clone()),
                    None => missing_kw.push(prm.name.name.clone()),
                }
            }
        }
        if !missing_kw.is_empty() {
            return Err(Exc::type_error(format!(
                "{qual}() missing {} required keyword-only argument{}: {}",
                missing_kw.len(),
                if missing_kw.len() == 1 { "" } else { "s" },
                name_list(&missing_kw)
            )));
        }
        if let Some(d) = kwargs {
            locals[kwarg_slot] = Some(Value::Dict(Rc::new(d)));
        }
        Ok(())
    }

    /// Execute a class statement's body and create the class.
    pub fn make_class(&self, f: &mut Frame, cd: &Rc<ClassDef>) -> PyResult<Value> {
        let args = self.eval_args(f, &cd.bases)?;
        let scope = &cd.scope;
        let mut cells: Vec<CellRef> = (0..scope.n_owned_cells).map(|_| new_cell(None)).collect();
        cells.extend(scope.free_from.iter().map(|&i| f.cells[i as usize].clone()));
        let ns: Rc<super::frame::ClassNamespace> = Rc::new(Default::default());
        let module_name = f.module.name.clone();
        ns.borrow_mut().insert(self.names.module.clone(), Value::str(&module_name));
        let qualname = format!("{}{}", f.qual().prefix(), cd.name.name);
        ns.borrow_mut().insert(self.names.qualname.clone(), Value::str(&qualname));
        if let Some(doc) = &cd.docstring {
            ns.borrow_mut().insert(self.names.doc.clone(), Value::str(doc));
        }
        let mut body = Frame {
            locals: Locals::from_elem(None, scope.n_locals as usize),
            cells,
            module: f.module.clone(),
            class_ns: Some(ns.clone()),
            code: FrameCode::Class { def: cd.clone(), qualname: qualname.as_str().into() },
        };
        self.exec_block(&mut body, &cd.body).map_err(|mut e| {
            e.0.noted = false;
            e
        })?;
        let items: Vec<(Name, Value)> = ns.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let cls = self.build_class(&cd.name.name, args, items)?;
        // Methods using `super()` see the class through the `__class__` cell.
        if let Some(i) = scope.cell_names.iter().position(|n| &**n == "__class__") {
            if (i as u32) < scope.n_owned_cells {
                *body.cells[i].borrow_mut() = Some(cls.clone());
            }
        }
        Ok(cls)
    }
}

/// `'a'`, `'a' and 'b'`, `'a', 'b', and 'c'`, as CPython lists missing arguments.
fn name_list(names: &[Name]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        2 => format!("{} and {}", q[0], q[1]),
        _ => format!("{}, and {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}
