//! Ctrl-C: the SIGINT flag and the safe points that turn it into `KeyboardInterrupt`.
//!
//! A signal belongs to the process, not to one interpreter, so the flag is a process
//! static (the one exception to "no global state"). Nothing sets it unless the host
//! installs a handler (the `coro` command does, in `cli::install_sigint_handler`).
//! The evaluator polls it at cheap safe points: every Python function call, every
//! loop back-edge, and every event-loop iteration; a loop waiting for timers or IO is
//! woken through `INTERRUPT_WAKE`.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::runtime::exception::ExcKind;
use crate::runtime::{Exc, PyResult};

/// Set when SIGINT arrives; cleared when it is turned into an exception.
pub static INTERRUPT: AtomicBool = AtomicBool::new(false);

/// Notified together with `INTERRUPT` so a sleeping event loop wakes up at once.
pub static INTERRUPT_WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Record a Ctrl-C (called from the signal-handling thread).
pub fn request_interrupt() {
    INTERRUPT.store(true, Ordering::SeqCst);
    INTERRUPT_WAKE.notify_one();
}

/// Forget a pending Ctrl-C (the REPL does this before showing a prompt).
pub fn clear_interrupt() {
    INTERRUPT.store(false, Ordering::SeqCst);
}

/// Raise `KeyboardInterrupt` if Ctrl-C was pressed since the last check.
#[inline]
pub fn check_interrupt() -> PyResult<()> {
    // The relaxed load keeps the common path to one read; the swap makes sure a
    // single Ctrl-C raises once.
    if INTERRUPT.load(Ordering::Relaxed) && INTERRUPT.swap(false, Ordering::SeqCst) {
        return Err(Exc::new(ExcKind::KeyboardInterrupt, ""));
    }
    Ok(())
}
