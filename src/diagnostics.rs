//! Renders any miette diagnostic to text the same way for the CLI and the snapshot tests.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Renders `diag` with miette's graphical handler at a fixed width of 100 columns.
/// Without colour the output is plain ASCII art, stable enough for snapshots.
pub fn render_report(diag: &dyn Diagnostic, color: bool) -> String {
    render_with_context(diag, color, 1)
}

fn render_with_context(diag: &dyn Diagnostic, color: bool, context_lines: usize) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_context_lines(context_lines);
    let mut out = String::new();
    if handler.render_report(&mut out, diag).is_err() {
        // Rendering only fails on a formatter error; fall back to the bare message.
        out = diag.to_string();
    }
    out
}

/// The text printed for an uncaught exception: CPython's traceback, with the innermost
/// frame's line rendered through miette with the failing span labelled, then
/// `Type: message` as the last line (as CPython ends it).
pub fn render_traceback(vm: &crate::vm::Vm, e: &crate::runtime::Exc) -> String {
    let mut text = vm.format_exception(e);
    if let Some(entry) = e.0.traceback.first() {
        let value = vm.exc_value(e);
        let diag = RuntimeSpan {
            message: vm.type_of(&value).name.to_string(),
            src: miette::NamedSource::new(entry.file.name.clone(), entry.file.text.clone()),
            span: (entry.span.start as usize, (entry.span.end - entry.span.start) as usize).into(),
        };
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let report = render_with_context(&diag, color, 1);
        // Replace the innermost frame's plain source line with the rendered span.
        let line = entry.file.line_text(entry.file.line_of(entry.span.start)).trim().to_string();
        let needle = format!("    {line}\n");
        if let (Some(pos), false) = (text.rfind(&needle), line.is_empty()) {
            text.replace_range(pos..pos + needle.len(), &report);
        }
    }
    text
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic()]
struct RuntimeSpan {
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("raised here")]
    span: miette::SourceSpan,
}

/// The report for a deadlocked program: every stuck task with the `await` it is
/// suspended at, then a last `DeadlockError: ...` line.
pub fn render_deadlock(report: &crate::modules::asyncio::events::DeadlockReport) -> String {
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut out = String::from(
        "coro: deadlock: every task is waiting, and nothing (no timer, IO, executor job or host future) can wake one.\n",
    );
    for (task, at, waits) in &report.0 {
        match at {
            Some(e) => {
                let diag = StuckTask {
                    message: format!("{task} can never resume"),
                    src: miette::NamedSource::new(e.file.name.clone(), e.file.text.clone()),
                    span: (e.span.start as usize, (e.span.end - e.span.start) as usize).into(),
                    label: format!("suspended here, awaiting {waits}"),
                };
                out.push_str(&render_with_context(&diag, color, 1));
            }
            None => out.push_str(&format!("  {task} never started\n")),
        }
    }
    out.push_str("DeadlockError: no task can make progress\n");
    out
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic()]
struct StuckTask {
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("{label}")]
    span: miette::SourceSpan,
    label: String,
}

/// A runtime warning about a place in the program, in the format CPython's `warnings`
/// module prints (`file:line: Category: message` and the source line), with the span
/// rendered through miette beneath it when it is known.
pub fn warn_at(vm: &crate::vm::Vm, at: Option<&crate::runtime::exception::TraceEntry>, category: &str, message: &str, label: &str, help: &str) {
    let Some(at) = at else {
        vm.write_stderr(&format!("{category}: {message}\n"));
        return;
    };
    let line = at.file.line_of(at.span.start);
    let mut text = format!("{}:{}: {category}: {message}\n", at.file.name, line);
    let diag = Warning {
        message: category.to_string(),
        label: label.to_string(),
        src: miette::NamedSource::new(at.file.name.clone(), at.file.text.clone()),
        span: (at.span.start as usize, (at.span.end - at.span.start) as usize).into(),
        help: help.to_string(),
    };
    let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
    text.push_str(&render_with_context(&diag, color, 0));
    vm.write_stderr(&text);
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(coro::runtime::blocking_call))]
struct Warning {
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("{label}")]
    span: miette::SourceSpan,
    label: String,
    #[help]
    help: String,
}

/// Where the running coroutine calls `time.sleep`. Native functions do not know their
/// call site, so this looks in the source: the first `time.sleep(`/`sleep(` call after
/// the `await` the current task last resumed from (or after the coroutine's `def` on
/// its first step). A heuristic, but the call is on the path from that point.
pub fn blocking_call_site(vm: &crate::vm::Vm) -> Option<crate::runtime::exception::TraceEntry> {
    use crate::modules::asyncio::tasks;
    let l = vm.running_loop.borrow().clone()?;
    let task = l.current_task.borrow().clone()?;
    let (_, tc) = tasks::task_core(&task)?;
    let resumed = tc.suspended_at.borrow().clone();
    let (file, from, function) = match resumed {
        Some(e) => (e.file.clone(), e.span.end as usize, e.function.clone()),
        None => {
            let Value::Generator(g) = &tc.coro else { return None };
            let module = vm.main_module.borrow().clone()?;
            let file = module.file.clone()?;
            let def = format!("def {}(", g.name);
            let from = file.text.find(&def)?;
            (file, from, g.name.clone())
        }
    };
    let text = &file.text;
    let bytes = text.as_bytes();
    let mut pos = from.min(text.len());
    while let Some(off) = text[pos..].find("sleep(") {
        let at = pos + off;
        let start = if text[..at].ends_with("time.") { at - 5 } else { at };
        let prev = if start == 0 { b' ' } else { bytes[start - 1] };
        if !(prev.is_ascii_alphanumeric() || prev == b'_' || prev == b'.') {
            let end = text[at..].find(')').map(|e| at + e + 1).unwrap_or(at + 6);
            let span = crate::syntax::ast::Span { start: start as u32, end: end as u32 };
            return Some(crate::runtime::exception::TraceEntry { file, span, function });
        }
        pos = at + 6;
    }
    None
}

use crate::runtime::Value;
