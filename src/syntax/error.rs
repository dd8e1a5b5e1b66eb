//! `SyntaxError`: the typed error every syntax-level phase raises, rendered through miette.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use super::ast::Span;

/// Which Python exception class the error is (they print differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
}

impl SyntaxErrorKind {
    pub fn python_name(self) -> &'static str {
        match self {
            SyntaxErrorKind::SyntaxError => "SyntaxError",
            SyntaxErrorKind::IndentationError => "IndentationError",
            SyntaxErrorKind::TabError => "TabError",
        }
    }
}

/// Why a REPL might want more input instead of reporting the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Incomplete {
    /// A genuine error: more input cannot fix it.
    #[default]
    No,
    /// The input ended inside an open bracket, a triple-quoted string, after a
    /// backslash continuation or after a block header waiting for its body.
    NeedsMoreInput,
}

/// A syntax error with its primary span, optional secondary labels and help, and the
/// line/column CPython would report (1-based; the column counts characters).
#[derive(Clone, Debug)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub message: String,
    pub span: Span,
    pub label: Option<String>,
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
    /// A miette code such as `coro::syntax::unclosed_bracket`.
    pub code: &'static str,
    pub line: usize,
    pub column: usize,
    pub incomplete: Incomplete,
    source: Option<Arc<NamedSource<String>>>,
}

impl SyntaxError {
    pub fn new(kind: SyntaxErrorKind, message: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError {
            kind,
            message: message.into(),
            span,
            label: None,
            secondary: Vec::new(),
            help: None,
            code: "coro::syntax::invalid_syntax",
            line: 0,
            column: 0,
            incomplete: Incomplete::No,
            source: None,
        }
    }

    /// A plain `SyntaxError`.
    pub fn syntax(message: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError::new(SyntaxErrorKind::SyntaxError, message, span)
    }

    pub fn with_code(mut self, code: &'static str) -> SyntaxError {
        self.code = code;
        self
    }

    /// The label shown on the primary span (defaults to the message).
    pub fn with_label(mut self, label: impl Into<String>) -> SyntaxError {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> SyntaxError {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> SyntaxError {
        self.help = Some(help.into());
        self
    }

    pub fn incomplete(mut self) -> SyntaxError {
        self.incomplete = Incomplete::NeedsMoreInput;
        self
    }

    /// Attaches the file (for rendering) and computes CPython's line and column from the
    /// span start unless a position was already set with [`SyntaxError::at_position`].
    pub fn with_source(mut self, filename: &str, text: &str) -> SyntaxError {
        if self.line == 0 {
            let (line, column) = line_col(text, self.span.start as usize);
            self.line = line;
            self.column = column;
        }
        // Clamp spans so a renderer never indexes past the end of the text.
        let len = text.len() as u32;
        self.span.start = self.span.start.min(len);
        self.span.end = self.span.end.clamp(self.span.start, len);
        for (s, _) in &mut self.secondary {
            s.start = s.start.min(len);
            s.end = s.end.clamp(s.start, len);
        }
        self.source = Some(Arc::new(NamedSource::new(filename, text.to_string())));
        self
    }

    /// Overrides the reported position (CPython sometimes reports a column that is not
    /// the start of the highlighted span).
    pub fn at_position(mut self, line: usize, column: usize) -> SyntaxError {
        self.line = line;
        self.column = column;
        self
    }

    /// The last line CPython prints: `SyntaxError: invalid syntax`.
    pub fn python_line(&self) -> String {
        format!("{}: {}", self.kind.python_name(), self.message)
    }

    pub fn is_incomplete(&self) -> bool {
        self.incomplete == Incomplete::NeedsMoreInput
    }
}

/// 1-based line and 1-based character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut off = offset;
    while off > 0 && !text.is_char_boundary(off) {
        off -= 1;
    }
    let bytes = text.as_bytes();
    let mut line = 1;
    let mut line_start = 0;
    for i in 0..off {
        let b = bytes[i];
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
            line_start = i + 1;
        }
    }
    let mut column = text[line_start..off].chars().count() + 1;
    if line_start == 0 && text.starts_with('\u{feff}') && off > 0 {
        column -= 1;
    }
    (line, column)
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

impl Diagnostic for SyntaxError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_deref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = self.label.clone().unwrap_or_else(|| self.message.clone());
        let primary = LabeledSpan::new_primary_with_span(Some(label), self.span.range());
        let rest = self
            .secondary
            .iter()
            .map(|(s, l)| LabeledSpan::new_with_span(Some(l.clone()), s.range()));
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}
