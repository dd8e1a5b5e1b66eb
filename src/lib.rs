//! coro: an embeddable interpreter for a Python-compatible coroutine language.

pub mod format;
pub mod syntax;
