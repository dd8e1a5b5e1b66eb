//! The evaluator: a sync tree walker for code that cannot suspend, and an async one
//! (see `suspend`) for the paths through `await`/`yield`.

pub mod assign;
pub mod async_expr;
pub mod async_stmt;
pub mod comprehension;
pub mod except_star;
pub mod expr;
pub mod frame;
pub mod functions;
pub mod generator;
pub mod stmt;
pub mod suspend;

pub use frame::Frame;
pub use stmt::Flow;
