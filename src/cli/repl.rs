//! The interactive prompt.

use std::rc::Rc;

use rustyline::error::ReadlineError;

use super::RunOptions;
use crate::compile::ResolveOptions;
use crate::vm::Vm;

/// Run the REPL until end of input; returns the exit status.
pub fn run(vm: Rc<Vm>, _opts: &RunOptions) -> i32 {
    let mut rl = match rustyline::DefaultEditor::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("coro: cannot start the line editor: {e}");
            return 1;
        }
    };
    let module = match vm.main_module.borrow().clone() {
        Some(m) => m,
        None => {
            let m = crate::run::new_module(&vm, "__main__", None);
            *vm.main_module.borrow_mut() = Some(m.clone());
            m
        }
    };
    println!("coro {} (Python 3.11 compatible). Ctrl-D to exit.", env!("CARGO_PKG_VERSION"));
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() { ">>> " } else { "... " };
        match rl.readline(prompt) {
            Ok(line) => {
                buffer.push_str(&line);
                buffer.push('\n');
                let complete_block = !buffer.trim_end().ends_with(':') && (line.trim().is_empty() || !line.starts_with([' ', '\t']) && buffer.lines().count() == 1);
                match crate::run::compile(&vm, &buffer, "<stdin>", &module.globals, ResolveOptions { top_level_await: true }) {
                    Err(e) if crate::syntax::is_incomplete_input(&e) || (!complete_block && !line.trim().is_empty()) => continue,
                    Err(e) => {
                        let _ = rl.add_history_entry(buffer.trim_end());
                        let text = crate::diagnostics::render_report(&e, true);
                        eprint!("{}{}\n", text, e.python_line());
                        buffer.clear();
                    }
                    Ok(code) => {
                        if !complete_block && !line.trim().is_empty() {
                            continue;
                        }
                        let _ = rl.add_history_entry(buffer.trim_end());
                        buffer.clear();
                        if let Err(e) = crate::run::exec_interactive(&vm, &module, &code) {
                            if let Some(code) = vm.system_exit_code(&e) {
                                vm.flush();
                                return code;
                            }
                            vm.flush();
                            vm.write_stderr(&crate::diagnostics::render_traceback(&vm, &e));
                        }
                        vm.flush();
                    }
                }
            }
            Err(ReadlineError::Interrupted) => {
                println!("KeyboardInterrupt");
                buffer.clear();
            }
            Err(ReadlineError::Eof) => return 0,
            Err(e) => {
                eprintln!("coro: {e}");
                return 1;
            }
        }
    }
}
