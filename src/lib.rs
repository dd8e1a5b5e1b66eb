//! coro: an embeddable interpreter for a Python-compatible coroutine language.

pub mod builtins;
pub mod cli;
pub mod compile;
pub mod diagnostics;
pub mod eval;
pub mod event_loop;
pub mod format;
pub mod modules;
pub mod run;
pub mod runtime;
pub mod syntax;
pub mod vm;
