//! coro: an embeddable interpreter for a Python-compatible coroutine language.

pub mod diagnostics;
pub mod syntax;
