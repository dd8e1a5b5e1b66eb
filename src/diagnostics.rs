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
