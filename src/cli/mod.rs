//! The command line: argument parsing and the top-level drivers.

mod complete;
mod line_reader;
pub mod repl;

use std::io::{IsTerminal, Read};
use std::rc::Rc;

use clap::{Parser, Subcommand};

use crate::run::{self, Outcome};
use crate::vm::Vm;

const EXAMPLES: &str = "\
Examples:
  coro examples/hello.coro            run a script (same as `coro run examples/hello.coro`)
  coro run crawler.coro --depth 2     arguments after the file go to sys.argv
  coro run --virtual-time timers.coro sleeps complete instantly on a virtual clock
  coro -c 'print(6 * 7)'              run a program given as a string
  echo 'print(1)' | coro run -        read the program from standard input
  coro check a.coro b.coro            parse and resolve only; exit 1 with a report on errors
  coro -i app.coro                    run app.coro, then open the REPL with its globals
  coro                                start the interactive REPL (top-level await works)

REPL: Tab completes names and attributes, Ctrl-R searches history, Ctrl-C interrupts
the running statement, Ctrl-D exits. History is kept in ~/.coro_history, or in the
file named by CORO_HISTORY (set it empty to keep no history).

Exit status: 0 success, 1 uncaught exception or syntax error, 2 usage error,
n for sys.exit(n), 130 after Ctrl-C (uncaught KeyboardInterrupt).";

#[derive(Parser, Debug)]
#[command(
    name = "coro",
    version,
    about = "Run Python-compatible coroutine scripts on a Rust event loop",
    after_help = EXAMPLES,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Run CODE as the program (e.g. `coro -c 'print(1)'`).
    #[arg(short = 'c', value_name = "CODE")]
    code: Option<String>,
    /// Complete sleeps instantly on a virtual clock (e.g. `coro --virtual-time app.coro`).
    #[arg(long)]
    virtual_time: bool,
    /// After running the file, start the REPL with its globals (e.g. `coro -i app.coro`).
    #[arg(short = 'i')]
    interactive: bool,
    /// The script to run, then its arguments (`coro app.coro --verbose`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "FILE [ARGS]...")]
    script: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a script: `coro run app.coro arg1 arg2` (`-` reads the program from stdin).
    Run {
        /// Complete sleeps instantly on a virtual clock.
        #[arg(long)]
        virtual_time: bool,
        /// Start the REPL with the script's globals after it finishes.
        #[arg(short = 'i')]
        interactive: bool,
        /// The script (or `-` for stdin), then its arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, required = true, value_name = "FILE [ARGS]...")]
        script: Vec<String>,
    },
    /// Parse and resolve files without running them: `coro check a.coro b.coro`.
    Check {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
    },
}

/// Settings for running one program.
pub struct RunOptions {
    pub virtual_time: bool,
    pub interactive: bool,
}

/// Parse the command line and run; returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    install_sigint_handler();
    // The interpreter runs on a thread with a large stack; deep recursion also grows
    // the stack on demand (see eval::functions).
    let handle = std::thread::Builder::new().stack_size(256 << 20).spawn(move || dispatch(cli));
    match handle.map(|h| h.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("coro: internal error: the interpreter thread failed");
            70
        }
    }
}

fn dispatch(cli: Cli) -> i32 {
    match cli.command {
        Some(Command::Check { files }) => check_files(&files),
        Some(Command::Run { virtual_time, interactive, script }) => {
            run_script(&script, RunOptions { virtual_time: virtual_time || cli.virtual_time, interactive })
        }
        None => {
            let opts = RunOptions { virtual_time: cli.virtual_time, interactive: cli.interactive };
            if let Some(code) = cli.code {
                let vm = new_vm(&opts);
                *vm.argv.borrow_mut() = std::iter::once("-c".to_string()).chain(cli.script).collect();
                return finish(&vm, run::run_main(&vm, code, "<string>"), &opts);
            }
            if !cli.script.is_empty() {
                return run_script(&cli.script, opts);
            }
            if std::io::stdin().is_terminal() {
                repl::run(new_vm(&opts), &opts)
            } else {
                run_script(&["-".to_string()], opts)
            }
        }
    }
}

/// An interpreter configured from the command line.
fn new_vm(opts: &RunOptions) -> Rc<Vm> {
    let vm = Vm::new();
    vm.clock.set_virtual(opts.virtual_time);
    vm
}

fn read_source(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| format!("can't read standard input: {e}"))?;
        return Ok(s);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("can't open file '{path}': {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("file '{path}' is not valid UTF-8"))
}

fn run_script(script: &[String], opts: RunOptions) -> i32 {
    let Some(path) = script.first() else {
        eprintln!("coro: no script given");
        return 2;
    };
    let source = match read_source(path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("coro: {e}");
            return 2;
        }
    };
    let vm = new_vm(&opts);
    *vm.argv.borrow_mut() = script.to_vec();
    if path != "-" {
        let dir = std::path::Path::new(path).parent().map(|p| p.to_path_buf()).unwrap_or_default();
        *vm.script_dir.borrow_mut() = Some(if dir.as_os_str().is_empty() { ".".into() } else { dir });
    }
    let name = if path == "-" { "<stdin>" } else { path.as_str() };
    let outcome = run::run_main(&vm, source, name);
    finish(&vm, outcome, &opts)
}

/// Report how a program ended and give its exit status.
fn finish(vm: &Rc<Vm>, outcome: Outcome, opts: &RunOptions) -> i32 {
    let code = report(vm, outcome);
    if opts.interactive {
        return repl::run(vm.clone(), opts);
    }
    vm.flush();
    code
}

/// Print a syntax error or traceback; the exit status for it.
pub fn report(vm: &Vm, outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Ok => 0,
        Outcome::Exit(code) => code,
        Outcome::SyntaxError(e) => {
            vm.flush();
            let color = std::io::stderr().is_terminal();
            let text = crate::diagnostics::render_report(&e, color);
            vm.write_stderr(&format!("{}{}\n", text, e.python_line()));
            1
        }
        Outcome::Exception(e) => {
            vm.flush();
            if let Some(report) = vm.extension::<crate::modules::asyncio::events::DeadlockReport>() {
                let name = vm.type_of(&vm.exc_value(&e)).name.clone();
                if &*name == "DeadlockError" {
                    vm.write_stderr(&crate::diagnostics::render_deadlock(&report));
                    return 1;
                }
            }
            vm.write_stderr(&crate::diagnostics::render_traceback(vm, &e));
            // 130 = 128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.
            if vm.exc_is(&e, crate::runtime::ExcKind::KeyboardInterrupt) {
                130
            } else {
                1
            }
        }
    }
}

fn check_files(files: &[String]) -> i32 {
    let mut status = 0;
    for f in files {
        let source = match read_source(f) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("coro: {e}");
                status = 1;
                continue;
            }
        };
        let vm = Vm::new();
        let globals = crate::runtime::module::Globals::new();
        if let Err(e) = run::compile(&vm, &source, f, &globals, Default::default()) {
            let color = std::io::stderr().is_terminal();
            eprint!("{}{}\n", crate::diagnostics::render_report(&e, color), e.python_line());
            status = 1;
        }
    }
    status
}

/// Ctrl-C becomes `KeyboardInterrupt` in the running code instead of killing the
/// process: a watcher thread turns SIGINT into the interpreter's interrupt flag.
/// (At the REPL prompt the terminal is in raw mode and the line editor sees Ctrl-C
/// as a key instead.)
fn install_sigint_handler() {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let started = std::thread::Builder::new().name("coro-sigint".into()).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        rt.block_on(async move {
            // Register before reporting ready, so a Ctrl-C right after startup is
            // caught rather than killing the process.
            #[cfg(unix)]
            let mut sigint = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
                Ok(s) => s,
                Err(_) => return,
            };
            let _ = ready_tx.send(());
            #[cfg(unix)]
            while sigint.recv().await.is_some() {
                crate::vm::interrupt::request_interrupt();
            }
            #[cfg(not(unix))]
            while tokio::signal::ctrl_c().await.is_ok() {
                crate::vm::interrupt::request_interrupt();
            }
        });
    });
    // Without the watcher thread (or if it cannot register) Ctrl-C keeps its default
    // effect and terminates the process.
    if started.is_ok() {
        let _ = ready_rx.recv_timeout(std::time::Duration::from_secs(2));
    }
}
