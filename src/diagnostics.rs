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
