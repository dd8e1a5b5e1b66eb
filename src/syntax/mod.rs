//! Source text to AST: the layout pass, the pest grammar and the tree builder.
//! (Temporary stand-in until the parser lands.)

pub mod ast;

use ast::Span;

#[derive(Debug, Clone, Copy)]
pub enum ErrorKind {
    SyntaxError,
    IndentationError,
    TabError,
}

#[derive(Debug)]
pub struct SyntaxError {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Span,
}

impl SyntaxError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> SyntaxError {
        SyntaxError { kind, message: message.into(), span }
    }
    pub fn with_source(self, _name: &str, _text: &str) -> SyntaxError {
        self
    }
    pub fn message(&self) -> &str {
        &self.message
    }
}

pub fn parse_module(_source: &str, _filename: &str) -> Result<ast::Module, SyntaxError> {
    Err(SyntaxError::new(ErrorKind::SyntaxError, "parser not available", Span::default()))
}
