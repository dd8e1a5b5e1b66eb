//! Renders any miette diagnostic to text the same way for the CLI and the snapshot tests.

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

/// Renders `diag` with miette's graphical handler at a fixed width of 100 columns.
/// Without colour the output is plain ASCII art, stable enough for snapshots.
pub fn render_report(diag: &dyn Diagnostic, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, diag).is_err() {
        // Rendering only fails on a formatter error; fall back to the bare message.
        out = diag.to_string();
    }
    out
}

/// The text printed for an uncaught exception: CPython's traceback, then the failing
/// line rendered with its span, then `Type: message` as the last line.
pub fn render_traceback(vm: &crate::vm::Vm, e: &crate::runtime::Exc) -> String {
    let mut text = vm.format_exception(e);
    if let Some(entry) = e.0.traceback.first() {
        let diag = RuntimeSpan {
            message: vm.exc_summary(&vm.exc_value(e)),
            src: miette::NamedSource::new(entry.file.name.clone(), entry.file.text.clone()),
            span: (entry.span.start as usize, (entry.span.end - entry.span.start) as usize).into(),
        };
        let color = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let report = render_report(&diag, color);
        // Keep `Type: message` as the very last line, as CPython does.
        if let Some(pos) = text.trim_end().rfind('\n') {
            let last = text[pos + 1..].to_string();
            text.truncate(pos + 1);
            text.push_str(&report);
            text.push_str(&last);
        }
    }
    text
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(coro::runtime::uncaught))]
struct RuntimeSpan {
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("raised here")]
    span: miette::SourceSpan,
}
