//! Source text to AST: the layout pass, the pest grammar and the tree builder.

pub mod ast;
