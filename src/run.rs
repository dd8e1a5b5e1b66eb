//! The pipeline in a few lines: parse, resolve, evaluate (like jlox's `Lox.run`).

use std::rc::Rc;

use crate::compile::{ResolveOptions, Resolver};
use crate::eval::Frame;
use crate::runtime::exception::SourceFile;
use crate::runtime::module::{Globals, ModuleObj};
use crate::runtime::{Exc, ExcKind, PyResult, Value};
use crate::syntax::{self, ast, SyntaxError};
use crate::vm::Vm;

/// Parse and resolve `source` against a module's globals.
pub fn compile(vm: &Vm, source: &str, filename: &str, globals: &Globals, opts: ResolveOptions) -> Result<ast::Module, SyntaxError> {
    let mut module = syntax::parse_module(source, filename)?;
    Resolver::new(globals, &vm.interner, opts).resolve_module(&mut module).map_err(|e| {
        SyntaxError::new(syntax::SyntaxErrorKind::SyntaxError, e.message, e.span).with_source(filename, source)
    })?;
    Ok(module)
}

/// A fresh module object with its standard globals.
pub fn new_module(vm: &Vm, name: &str, file: Option<Rc<SourceFile>>) -> Rc<ModuleObj> {
    let globals = Globals::new();
    globals.set_by_name(&vm.intern("__name__"), Value::str(name));
    globals.set_by_name(&vm.intern("__doc__"), Value::None);
    if let Some(f) = &file {
        globals.set_by_name(&vm.intern("__file__"), Value::str(&f.name));
    }
    Rc::new(ModuleObj { name: vm.intern(name), globals, file })
}

/// Execute a module's statements.
pub fn exec_module(vm: &Vm, module: &Rc<ModuleObj>, code: &ast::Module) -> PyResult<()> {
    let mut frame = Frame::module_frame(module.clone());
    vm.exec_block(&mut frame, &code.body)?;
    Ok(())
}

/// Import-time loading of a `.coro` module: a syntax error becomes a SyntaxError
/// exception in the importer.
pub fn load_module(vm: &Vm, name: &str, filename: &str, text: String) -> PyResult<Rc<ModuleObj>> {
    let file = Rc::new(SourceFile { name: filename.to_string(), text });
    let module = new_module(vm, name, Some(file.clone()));
    let code = compile(vm, &file.text, filename, &module.globals, ResolveOptions::default())
        .map_err(|e| Exc::new(ExcKind::SyntaxError, e.message.clone()))?;
    // Register before running so circular imports see the partial module.
    vm.modules.borrow_mut().insert(vm.intern(name), Value::Module(module.clone()));
    exec_module(vm, &module, &code)?;
    Ok(module)
}

/// How running a program ended.
pub enum Outcome {
    Ok,
    SyntaxError(SyntaxError),
    Exception(Exc),
    Exit(i32),
}

/// Run a program as `__main__`.
pub fn run_main(vm: &Rc<Vm>, source: String, filename: &str) -> Outcome {
    let file = Rc::new(SourceFile { name: filename.to_string(), text: source });
    let module = new_module(vm, "__main__", Some(file.clone()));
    *vm.main_module.borrow_mut() = Some(module.clone());
    vm.modules.borrow_mut().insert(vm.intern("__main__"), Value::Module(module.clone()));
    let code = match compile(vm, &file.text, filename, &module.globals, ResolveOptions::default()) {
        Ok(c) => c,
        Err(e) => return Outcome::SyntaxError(e),
    };
    // As CPython's interpreter shutdown, wait for non-daemon threads before exiting.
    match exec_module(vm, &module, &code).and_then(|()| crate::modules::threading::shutdown(vm)) {
        Ok(()) => Outcome::Ok,
        Err(e) => match vm.system_exit_code(&e) {
            Some(code) => Outcome::Exit(code),
            None => Outcome::Exception(e),
        },
    }
}

/// Run one REPL input in the `__main__` module; an expression statement's value is
/// echoed with `repr` and kept in `_`.
pub fn exec_interactive(vm: &Vm, module: &Rc<ModuleObj>, code: &ast::Module) -> PyResult<()> {
    let mut frame = Frame::module_frame(module.clone());
    if let [stmt] = &code.body[..] {
        if let ast::StmtKind::Expr(e) = &stmt.kind {
            let v = vm.eval(&mut frame, e).map_err(|x| vm.note(&frame, x, stmt.span))?;
            if !v.is_none() {
                vm.write_stdout(&format!("{}\n", vm.repr(&v)?));
                module.globals.set_by_name(&vm.intern("_"), v);
            }
            return Ok(());
        }
    }
    vm.exec_block(&mut frame, &code.body)?;
    Ok(())
}

/// Load a builtin module written in the language itself (shipped inside the binary).
pub fn load_builtin_source(vm: &Vm, name: &str, source: &str) -> PyResult<Rc<ModuleObj>> {
    load_module(vm, name, &format!("<{name}>"), source.to_string())
}
