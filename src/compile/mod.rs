//! Static analysis between parsing and evaluation: name resolution and compile-time
//! errors.

pub mod interner;
pub mod resolver;

pub use interner::Interner;
pub use resolver::{ResolveOptions, Resolver};

use crate::syntax::ast::Span;

/// A SyntaxError found after parsing (`'return' outside function`, ...).
#[derive(Debug, Clone)]
pub struct CompileError {
    pub message: String,
    pub span: Span,
}
