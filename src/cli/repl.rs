//! The interactive prompt: `python -m asyncio` at its best.
//!
//! The REPL owns one event loop for the whole session and keeps it running: while the
//! line editor (on its own thread, see `line_reader`) waits for input, the
//! interpreter thread runs loop iterations, so tasks created at the prompt keep going.
//! An input whose statements suspend (top-level `await`, `async for`, `async with`)
//! runs as a task on that loop until it is done; other input runs directly.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::rc::Rc;

use super::line_reader::{self, LineReader, Printer, Reply};
use super::RunOptions;
use crate::compile::ResolveOptions;
use crate::event_loop::{EventLoop, Stall};
use crate::modules::asyncio::{events, futures, tasks};
use crate::runtime::exception::{ExcKind, SourceFile};
use crate::runtime::generator::BodyFuture;
use crate::runtime::module::ModuleObj;
use crate::runtime::{Exc, PyResult, Value};
use crate::syntax::{ast, SyntaxError};
use crate::vm::interrupt;
use crate::vm::{Output, Vm};

/// Run the REPL until end of input; returns the exit status.
pub fn run(vm: Rc<Vm>, _opts: &RunOptions) -> i32 {
    let existing = vm.main_module.borrow().clone();
    let module = match existing {
        Some(m) => m,
        None => {
            let m = crate::run::new_module(&vm, "__main__", None);
            *vm.main_module.borrow_mut() = Some(m.clone());
            vm.modules.borrow_mut().insert(vm.intern("__main__"), Value::Module(m.clone()));
            m
        }
    };
    let l = match events::new_loop(&vm) {
        Ok(l) => l,
        Err(e) => {
            vm.write_stderr(&crate::diagnostics::render_traceback(&vm, &e));
            return 1;
        }
    };
    let reader = match LineReader::start(l.external_sender(), line_reader::history_path()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("coro: {e}");
            return 1;
        }
    };
    // The loop counts as running for the whole session, as in `python -m asyncio`:
    // `asyncio.create_task(...)` and `get_running_loop()` work at the prompt.
    *vm.event_loop.borrow_mut() = Some(l.clone());
    l.running.set(true);
    *vm.running_loop.borrow_mut() = Some(l.clone());
    vm.write_stdout(&format!(
        "coro {} (Python 3.11 compatible asyncio REPL)\nUse \"await\" directly instead of \"asyncio.run()\". Ctrl-D exits.\n",
        env!("CARGO_PKG_VERSION")
    ));
    vm.flush();
    let printer = reader.printer.as_ref().is_some();
    let mut repl = Repl {
        vm: vm.clone(),
        module,
        l: l.clone(),
        printer: if printer { Some(Rc::new(RefCell::new(None))) } else { None },
        reader,
        buffer: String::new(),
        in_block: false,
        exit: None,
    };
    if let Some(slot) = &repl.printer {
        *slot.borrow_mut() = repl.reader.printer.take();
    }
    let code = repl.main_loop();
    l.running.set(false);
    *vm.running_loop.borrow_mut() = None;
    vm.flush();
    code
}

struct Repl {
    vm: Rc<Vm>,
    module: Rc<ModuleObj>,
    l: Rc<EventLoop>,
    reader: LineReader,
    /// rustyline's external printer, used for output written while a prompt is shown.
    printer: Option<Rc<RefCell<Option<Printer>>>>,
    /// The statement typed so far (lines joined with '\n').
    buffer: String,
    /// The buffer holds a complete compound statement waiting for its blank line.
    in_block: bool,
    /// Set by `sys.exit()` / `exit()`: the session ends with this status.
    exit: Option<i32>,
}

/// How an input line was handled.
enum Step {
    More,
    Done,
}

impl Repl {
    fn main_loop(&mut self) -> i32 {
        loop {
            let prompt = if self.buffer.is_empty() { ">>> " } else { "... " };
            match self.read(prompt) {
                Reply::Line(text) => {
                    if text.contains('\n') {
                        // Pasted text or a multi-line history entry: a whole program.
                        self.feed_block(&text);
                    } else {
                        let _ = self.feed_line(&text);
                    }
                }
                Reply::Interrupted => {
                    self.buffer.clear();
                    self.in_block = false;
                    self.vm.write_stderr("KeyboardInterrupt\n");
                    self.vm.flush();
                }
                Reply::Eof => {
                    self.vm.write_stdout("\n");
                    return 0;
                }
                Reply::Failed(e) => {
                    eprintln!("coro: {e}");
                    return 1;
                }
            }
            if let Some(code) = self.exit {
                return code;
            }
        }
    }

    /// Ask the editor for a line and run the event loop until it arrives.
    fn read(&mut self, prompt: &str) -> Reply {
        let vm = self.vm.clone();
        vm.flush();
        interrupt::clear_interrupt();
        if !self.reader.request_line(prompt) {
            return Reply::Eof;
        }
        // Output of background tasks goes through the editor so the prompt is redrawn
        // below it instead of being garbled.
        let saved = self.printer.as_ref().map(|p| {
            let out = std::mem::replace(&mut *vm.stdout.borrow_mut(), Output::to_writer(Box::new(PrinterSink(p.clone()))));
            let err = std::mem::replace(&mut *vm.stderr.borrow_mut(), Output::to_writer(Box::new(PrinterSink(p.clone()))));
            (out, err)
        });
        // One pending external operation (the line) keeps `run_once` waiting instead of
        // reporting a deadlock when no task has anything to do.
        self.l.begin_external();
        let reply = loop {
            if let Ok(r) = self.reader.replies.try_recv() {
                break r;
            }
            match self.l.run_once(&vm) {
                Ok(Ok(())) | Ok(Err(Stall::Deadlock)) => {}
                Err(e) => self.report_exception(&e),
            }
            // `loop.stop()` at the prompt must not make later iterations spin.
            self.l.stopping.set(false);
            vm.flush();
            if self.exit.is_some() {
                // sys.exit() in a background task ends the session at once; the
                // editor thread is abandoned with the process.
                break Reply::Eof;
            }
        };
        self.l.end_external();
        if let Some((out, err)) = saved {
            vm.flush();
            *vm.stdout.borrow_mut() = out;
            *vm.stderr.borrow_mut() = err;
        }
        reply
    }

    fn compile(&self, source: &str) -> Result<ast::Module, SyntaxError> {
        crate::run::compile(&self.vm, source, "<stdin>", &self.module.globals, ResolveOptions { top_level_await: true })
    }

    /// One typed line.
    fn feed_line(&mut self, line: &str) -> Step {
        // A compound statement followed directly by an unindented statement (typed or
        // pasted without the blank line Python wants): run the block, then the line.
        if self.in_block && !line.trim().is_empty() && !line.starts_with([' ', '\t']) && !continues_block(line) {
            let block = std::mem::take(&mut self.buffer);
            self.in_block = false;
            if let Ok(code) = self.compile(&block) {
                self.reader.add_history(block.trim_end());
                self.execute(code, block);
                if self.exit.is_some() {
                    return Step::Done;
                }
            }
        }
        let blank = line.trim().is_empty();
        if self.buffer.is_empty() && blank {
            return Step::Done;
        }
        self.buffer.push_str(line);
        self.buffer.push('\n');
        match self.compile(&self.buffer) {
            Err(e) if crate::syntax::is_incomplete_input(&e) => {
                // A blank line after a block header ends the input, as in Python;
                // inside open brackets blank lines just continue.
                if blank && last_code_line(&self.buffer).trim_end().ends_with(':') {
                    self.syntax_error(e);
                    return Step::Done;
                }
                Step::More
            }
            Err(e) => {
                self.syntax_error(e);
                Step::Done
            }
            Ok(code) => {
                if code.body.iter().any(is_compound) && !blank {
                    self.in_block = true;
                    return Step::More;
                }
                let source = std::mem::take(&mut self.buffer);
                self.in_block = false;
                self.reader.add_history(source.trim_end());
                self.execute(code, source);
                Step::Done
            }
        }
    }

    /// Several lines at once (a paste): run them as one program once complete.
    fn feed_block(&mut self, text: &str) {
        self.buffer.push_str(text);
        self.buffer.push('\n');
        match self.compile(&self.buffer) {
            Err(e) if crate::syntax::is_incomplete_input(&e) => self.in_block = true,
            Err(e) => self.syntax_error(e),
            Ok(code) => {
                let source = std::mem::take(&mut self.buffer);
                self.in_block = false;
                self.reader.add_history(source.trim_end());
                self.execute(code, source);
            }
        }
    }

    fn syntax_error(&mut self, e: SyntaxError) {
        let source = std::mem::take(&mut self.buffer);
        self.in_block = false;
        self.reader.add_history(source.trim_end());
        self.vm.flush();
        let color = std::io::stderr().is_terminal();
        let text = crate::diagnostics::render_report(&e, color);
        self.vm.write_stderr(&format!("{}{}\n", text, e.python_line()));
        self.vm.flush();
    }

    fn report_exception(&mut self, e: &Exc) {
        if let Some(code) = self.vm.system_exit_code(e) {
            self.exit = Some(code);
            return;
        }
        self.vm.flush();
        self.vm.write_stderr(&crate::diagnostics::render_traceback(&self.vm, e));
        self.vm.flush();
    }

    /// Run one complete input in `__main__`, echoing an expression's value.
    fn execute(&mut self, code: ast::Module, source: String) {
        interrupt::clear_interrupt();
        // Each input is its own source file for tracebacks; the globals are shared.
        let file = Rc::new(SourceFile { name: "<stdin>".into(), text: source });
        let module = Rc::new(ModuleObj { name: self.module.name.clone(), globals: self.module.globals.clone(), file: Some(file) });
        let r = if code.body.iter().any(|s| s.suspends) {
            self.execute_async(module, Rc::new(code))
        } else {
            exec_sync(&self.vm, &module, &code)
        };
        match r {
            Ok(v) => {
                if !v.is_none() {
                    match self.vm.repr(&v) {
                        Ok(text) => {
                            self.vm.write_stdout(&format!("{text}\n"));
                            self.module.globals.set_by_name(&self.vm.intern("_"), v);
                        }
                        Err(e) => self.report_exception(&e),
                    }
                }
            }
            Err(e) => self.report_exception(&e),
        }
        self.vm.flush();
    }

    /// Top-level `await`: the input runs as a task on the session's loop, and the loop
    /// runs until that task is done.
    fn execute_async(&mut self, module: Rc<ModuleObj>, code: Rc<ast::Module>) -> PyResult<Value> {
        let vm = self.vm.clone();
        let rc = vm.clone();
        // The task owns the AST through the Rc: it may outlive this call (Ctrl-C
        // leaves a cancelled task to finish its cleanup on the loop).
        let body: BodyFuture = Box::pin(async move {
            let mut frame = crate::eval::Frame::module_frame(module);
            if let [stmt] = &code.body[..] {
                if let ast::StmtKind::Expr(e) = &stmt.kind {
                    return rc.eval_async(&mut frame, e).await.map_err(|x| rc.note(&frame, x, stmt.span));
                }
            }
            rc.exec_block_async(&mut frame, &code.body).await?;
            Ok(Value::None)
        });
        let coro = crate::modules::asyncio::native_coroutine(&vm, "<module>", body);
        let task = tasks::create_task(&vm, &self.l, coro, None)?;
        let done = |t: &Value| futures::core(t).map(|c| c.done()).unwrap_or(true);
        while !done(&task) {
            match self.l.run_once(&vm) {
                Ok(Ok(())) => {}
                Ok(Err(Stall::Deadlock)) => {
                    // Nothing can ever wake the input: report it and cancel it.
                    let e = events::deadlock_error(&vm, &self.l);
                    self.cancel_and_settle(&task);
                    return Err(e);
                }
                Err(e) => {
                    if vm.exc_is(&e, ExcKind::KeyboardInterrupt) && !done(&task) {
                        self.cancel_and_settle(&task);
                    }
                    return Err(e);
                }
            }
            self.l.stopping.set(false);
        }
        futures::result(&vm, &task)
    }

    /// Cancel an interrupted input's task and give its cleanup a few iterations (it
    /// finishes in the background if it needs longer).
    fn cancel_and_settle(&mut self, task: &Value) {
        tasks::cancel(&self.vm, task, Value::None);
        for _ in 0..100 {
            if futures::core(task).map(|c| c.done()).unwrap_or(true) || !self.l.has_pending_work() {
                break;
            }
            if self.l.run_once(&self.vm).is_err() {
                break;
            }
        }
        if let Some(c) = futures::core(task) {
            // The outcome is reported as KeyboardInterrupt, not "never retrieved".
            c.retrieved.set(true);
        }
    }
}

/// A statement without suspension points, run directly.
fn exec_sync(vm: &Vm, module: &Rc<ModuleObj>, code: &ast::Module) -> PyResult<Value> {
    let mut frame = crate::eval::Frame::module_frame(module.clone());
    if let [stmt] = &code.body[..] {
        if let ast::StmtKind::Expr(e) = &stmt.kind {
            return vm.eval(&mut frame, e).map_err(|x| vm.note(&frame, x, stmt.span));
        }
    }
    vm.exec_block(&mut frame, &code.body)?;
    Ok(Value::None)
}

/// Statements that Python's REPL ends with a blank line.
fn is_compound(s: &ast::Stmt) -> bool {
    use ast::StmtKind::*;
    matches!(s.kind, If { .. } | While { .. } | For { .. } | Try { .. } | With { .. } | FunctionDef(_) | ClassDef(_))
}

/// Unindented lines that continue a compound statement rather than start a new one.
fn continues_block(line: &str) -> bool {
    let word: String = line.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
    matches!(word.as_str(), "else" | "elif" | "except" | "finally" | "case")
        || line.trim_start().starts_with(['#', ')', ']', '}'])
}

/// The last line that is not blank.
fn last_code_line(buffer: &str) -> &str {
    buffer.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
}

/// Writes through rustyline's external printer (redrawing the prompt after it).
struct PrinterSink(Rc<RefCell<Option<Printer>>>);

impl Write for PrinterSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf).into_owned();
        match self.0.borrow_mut().as_mut() {
            Some(p) => {
                if p.print(text.clone()).is_err() {
                    // The editor is gone: fall back to the terminal.
                    let _ = std::io::stdout().write_all(text.as_bytes());
                }
            }
            None => {
                let _ = std::io::stdout().write_all(text.as_bytes());
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
