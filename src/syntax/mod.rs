//! Source text to AST: the layout pass, the pest grammar and the tree builder.

pub mod ast;
pub mod error;
pub mod layout;
mod parser;

pub use error::{SyntaxError, SyntaxErrorKind};
pub use parser::parse_module;

/// True when `err` means the input stopped early (inside an open bracket, a
/// triple-quoted string, after a backslash or after a block header with no body yet):
/// a REPL should read another line instead of reporting it.
pub fn is_incomplete_input(err: &SyntaxError) -> bool {
    err.is_incomplete()
}
