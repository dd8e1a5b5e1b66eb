//! The real REPL driven through a pseudo-terminal: keystrokes in, screen text out.
//! Every expectation has a timeout, so a broken REPL fails the test instead of
//! hanging CI.

#![cfg(unix)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rexpect::session::{spawn_command, PtySession};

/// Each `exp_*` call fails after this long.
const TIMEOUT_MS: u64 = 20_000;

fn start(history: &Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coro"));
    cmd.env("CORO_HISTORY", history).env("TERM", "xterm").env("NO_COLOR", "1");
    let mut p = spawn_command(cmd, Some(TIMEOUT_MS)).expect("spawn coro in a pty");
    p.exp_string(">>> ").expect("first prompt");
    p
}

/// Type a line and wait for the next prompt (`>>> ` or `... `).
fn line(p: &mut PtySession, text: &str, prompt: &str) {
    p.send_line(text).expect("send");
    p.exp_string(prompt).unwrap_or_else(|e| panic!("no {prompt:?} after {text:?}: {e}"));
}

fn exit_ok(mut p: PtySession) {
    p.send_control('d').expect("send Ctrl-D");
    p.exp_eof().expect("coro exits on Ctrl-D");
    let status = p.process().wait().expect("wait");
    assert!(format!("{status:?}").ends_with(", 0)"), "exit status: {status:?}");
}

fn history_file() -> tempfile::TempPath {
    tempfile::NamedTempFile::new().expect("temp file").into_temp_path()
}

#[test]
fn multiline_async_def_then_await() {
    let h = history_file();
    let mut p = start(&h);
    line(&mut p, "import asyncio", ">>> ");
    line(&mut p, "async def greet(name):", "... ");
    line(&mut p, "    await asyncio.sleep(0.01)", "... ");
    line(&mut p, "    return 'hello ' + name", "... ");
    line(&mut p, "", ">>> ");
    p.send_line("await greet('world')").unwrap();
    p.exp_string("'hello world'").expect("awaited result echoed with repr");
    p.exp_string(">>> ").unwrap();
    // `_` holds the last result.
    p.send_line("_.upper()").unwrap();
    p.exp_string("'HELLO WORLD'").unwrap();
    p.exp_string(">>> ").unwrap();
    exit_ok(p);
}

#[test]
fn background_task_prints_while_prompt_waits() {
    let h = history_file();
    let mut p = start(&h);
    line(&mut p, "import asyncio", ">>> ");
    line(&mut p, "async def ticker():", "... ");
    line(&mut p, "    for i in range(3):", "... ");
    line(&mut p, "        await asyncio.sleep(0.2)", "... ");
    line(&mut p, "        print('tick', i)", "... ");
    line(&mut p, "", ">>> ");
    line(&mut p, "t = asyncio.create_task(ticker())", ">>> ");
    // Nothing more is typed: the task runs while the prompt waits.
    p.exp_string("tick 0").expect("first tick without input");
    p.exp_string("tick 2").expect("last tick without input");
    p.send_line("t.done()").unwrap();
    p.exp_string("True").unwrap();
    exit_ok(p);
}

#[test]
fn tab_completion() {
    let h = history_file();
    let mut p = start(&h);
    line(&mut p, "import math", ">>> ");
    line(&mut p, "distinctive_name = 7", ">>> ");
    // A global name.
    p.send("distinctive_n\t").unwrap();
    p.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send_line(" * 6").unwrap();
    p.exp_string("42").expect("completed global name");
    p.exp_string(">>> ").unwrap();
    // An attribute of a module.
    p.send("math.sqr\t").unwrap();
    p.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    p.send_line("(16)").unwrap();
    p.exp_string("4.0").expect("completed attribute");
    p.exp_string(">>> ").unwrap();
    exit_ok(p);
}

#[test]
fn syntax_error_then_working_line() {
    let h = history_file();
    let mut p = start(&h);
    line(&mut p, "kept = 5", ">>> ");
    p.send_line("1 +").unwrap();
    p.exp_string("SyntaxError").expect("syntax error reported");
    p.exp_string(">>> ").unwrap();
    p.send_line("1 / 0").unwrap();
    p.exp_string("ZeroDivisionError").expect("traceback reported");
    p.exp_string(">>> ").unwrap();
    p.send_line("kept * 8 + 2").unwrap();
    p.exp_string("42").expect("earlier definitions survive errors");
    p.exp_string(">>> ").unwrap();
    exit_ok(p);
}

#[test]
fn ctrl_c_interrupts_await() {
    let h = history_file();
    let mut p = start(&h);
    line(&mut p, "import asyncio", ">>> ");
    p.send_line("await asyncio.sleep(100)").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send_control('c').unwrap();
    p.exp_string("KeyboardInterrupt").expect("Ctrl-C raises KeyboardInterrupt");
    p.exp_string(">>> ").expect("back at the prompt");
    p.send_line("40 + 2").unwrap();
    p.exp_string("42").unwrap();
    p.exp_string(">>> ").unwrap();
    // Ctrl-C at the prompt clears the line.
    p.send("this is not code").unwrap();
    p.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    p.send_control('c').unwrap();
    p.exp_string("KeyboardInterrupt").unwrap();
    p.exp_string(">>> ").unwrap();
    exit_ok(p);
}

#[test]
fn history_survives_restart() {
    let h = history_file();
    let mut p = start(&h);
    line(&mut p, "marker = 40 + 2", ">>> ");
    exit_ok(p);
    let saved = std::fs::read_to_string(&h).unwrap_or_default();
    assert!(saved.contains("marker = 40 + 2"), "history file: {saved:?}");
    let mut p = start(&h);
    // Ctrl-P (previous history) recalls the line from the previous session; running it defines
    // `marker` in this new interpreter.
    // (Ctrl-P is the Up arrow's binding; arrow escape sequences depend on the
    // terminal's keypad mode.)
    p.send_control('p').unwrap();
    p.exp_string("40 + 2").expect("Up recalls the previous session's line");
    p.send_line("").unwrap();
    p.exp_string(">>> ").unwrap();
    p.send_line("marker").unwrap();
    p.exp_string("42").expect("recalled line ran");
    p.exp_string(">>> ").unwrap();
    exit_ok(p);
}
