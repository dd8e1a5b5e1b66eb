//! Resource limits: step budget, wall-clock deadline, memory, recursion depth, live
//! tasks, and cancellation from another thread.
//!
//! All checks funnel through one cheap function, [`Vm::check_budget`], called at every
//! Python call and at every loop back-edge: it decrements a counter and only every
//! [`CHECK_INTERVAL`] steps (or fewer, to stop exactly at the step budget) does the slow
//! part, which counts the steps, reads the clock, the cancel flag and the memory counter.
//! Loops that run in Rust charge the same budget: builtins consuming an iterator tick a
//! [`Ticker`], bulk copies go through [`Vm::repeat_slice`], and other bulk work calls
//! [`Vm::charge_steps`] with its cost.
//!
//! A limit that trips is *sticky*: from then on no `except` clause matches anything (so
//! the script cannot catch it), `finally` blocks still run for a short grace of
//! [`GRACE_STEPS`] steps, and after that every check raises again. The host receives
//! [`crate::Error`] with kind [`crate::ErrorKind::Limit`], whatever the script did with
//! the exception on its way out.
//!
//! Memory is approximate: sizes are checked *before* the allocations that can blow up
//! (string repetition and concatenation, list repetition, growth and materialising
//! ranges), and when the host installs [`CountingAllocator`] as its global allocator, the
//! bytes live on the interpreter's thread are compared with the limit at every slow check.
//!
//! ```
//! use std::time::Duration;
//! use coro::{ErrorKind, Interpreter, LimitKind, Limits};
//! let mut interp = Interpreter::builder()
//!     .limits(Limits::new().max_steps(10_000).timeout(Duration::from_secs(5)))
//!     .build()
//!     .unwrap();
//! let err = interp.exec("while True:\n    try:\n        pass\n    except BaseException:\n        pass\n").unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::Limit(LimitKind::Steps));
//! ```

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::runtime::{Exc, ExcKind, PyResult};
use crate::vm::Vm;

/// Steps between two slow checks (clock, cancel flag, memory counter).
pub const CHECK_INTERVAL: u32 = 1024;

/// Steps a script may still run after a limit tripped (so `finally` blocks run).
pub const GRACE_STEPS: u32 = 10_000;

/// Iterations of a Rust-side loop between two charges to the budget ([`Ticker`]).
pub const TICK_BATCH: u32 = 1024;

/// Elements a bulk copy ([`Vm::repeat_slice`]) makes between two charges.
const BULK_CHUNK: usize = 1 << 16;

/// Bytes a builtin copies or fills per step charged: a Python-level step costs about
/// as much time as copying this many bytes.
pub const BYTES_PER_STEP: usize = 256;

/// Which limit stopped a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// The instruction budget ([`Limits::max_steps`]).
    Steps,
    /// The wall-clock deadline ([`Limits::timeout`]).
    Deadline,
    /// The memory limit ([`Limits::max_memory`]).
    Memory,
    /// The recursion depth ([`Limits::max_recursion`]).
    Recursion,
    /// The number of live tasks ([`Limits::max_tasks`]).
    Tasks,
    /// The host cancelled the run ([`CancelHandle::cancel`]).
    Cancelled,
}

impl LimitKind {
    fn describe(self) -> &'static str {
        match self {
            LimitKind::Steps => "step budget exhausted",
            LimitKind::Deadline => "deadline exceeded",
            LimitKind::Memory => "memory limit exceeded",
            LimitKind::Recursion => "maximum recursion depth exceeded",
            LimitKind::Tasks => "too many live tasks",
            LimitKind::Cancelled => "cancelled by the host",
        }
    }
    fn exc_kind(self) -> ExcKind {
        match self {
            LimitKind::Memory => ExcKind::MemoryError,
            LimitKind::Deadline => ExcKind::TimeoutError,
            LimitKind::Recursion => ExcKind::RecursionError,
            _ => ExcKind::RuntimeError,
        }
    }
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// The limits of one interpreter; every one is off unless set.
///
/// ```
/// use std::time::Duration;
/// let l = coro::Limits::new()
///     .max_steps(1_000_000)
///     .timeout(Duration::from_millis(500))
///     .max_memory(64 << 20)
///     .max_recursion(200)
///     .max_tasks(100);
/// assert_eq!(l.max_steps, Some(1_000_000));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// Python calls plus loop iterations, per run (each `exec`/`eval`/`call`); work
    /// builtins do in Rust counts too (an item consumed, 256 bytes copied).
    pub max_steps: Option<u64>,
    /// Wall-clock time per run.
    pub timeout: Option<Duration>,
    /// Approximate bytes the interpreter may hold (see the module docs).
    pub max_memory: Option<usize>,
    /// Nested Python calls.
    pub max_recursion: Option<u32>,
    /// Tasks alive at once on the event loop.
    pub max_tasks: Option<usize>,
}

impl Limits {
    /// No limits.
    pub fn new() -> Limits {
        Limits::default()
    }
    pub fn max_steps(mut self, n: u64) -> Limits {
        self.max_steps = Some(n);
        self
    }
    pub fn timeout(mut self, d: Duration) -> Limits {
        self.timeout = Some(d);
        self
    }
    pub fn max_memory(mut self, bytes: usize) -> Limits {
        self.max_memory = Some(bytes);
        self
    }
    pub fn max_recursion(mut self, depth: u32) -> Limits {
        self.max_recursion = Some(depth);
        self
    }
    pub fn max_tasks(mut self, n: usize) -> Limits {
        self.max_tasks = Some(n);
        self
    }
}

/// Cancels a running script from any thread: the script stops at its next check with
/// [`LimitKind::Cancelled`]. `Clone + Send + Sync`.
///
/// ```
/// let interp = coro::Interpreter::builder().build().unwrap();
/// let h = interp.cancel_handle();
/// std::thread::spawn(move || h.cancel()).join().unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct CancelHandle(pub(crate) Arc<AtomicBool>);

impl CancelHandle {
    /// Ask the interpreter to stop the run in progress (or the next one).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The per-interpreter limit state, stored on the `Vm`.
pub struct LimitState {
    /// Steps left before the next slow check.
    countdown: Cell<u32>,
    /// The countdown the current batch started from (to count the steps it used).
    batch: Cell<u32>,
    steps_used: Cell<u64>,
    max_steps: Cell<Option<u64>>,
    deadline: Cell<Option<Instant>>,
    max_memory: Cell<Option<usize>>,
    /// Live bytes on this thread when the run started (with [`CountingAllocator`]).
    mem_baseline: Cell<isize>,
    pub(crate) max_recursion: Cell<Option<u32>>,
    max_tasks: Cell<Option<usize>>,
    cancel: Arc<AtomicBool>,
    tripped: Cell<Option<LimitKind>>,
    /// Longest the event loop may sleep before looking at the deadline and cancel flag.
    max_wait: Cell<Option<f64>>,
}

impl Default for LimitState {
    fn default() -> Self {
        LimitState {
            countdown: Cell::new(u32::MAX),
            batch: Cell::new(u32::MAX),
            steps_used: Cell::new(0),
            max_steps: Cell::new(None),
            deadline: Cell::new(None),
            max_memory: Cell::new(None),
            mem_baseline: Cell::new(0),
            max_recursion: Cell::new(None),
            max_tasks: Cell::new(None),
            cancel: Arc::new(AtomicBool::new(false)),
            tripped: Cell::new(None),
            max_wait: Cell::new(None),
        }
    }
}

impl LimitState {
    /// Install `limits` (the recursion limit is applied by the caller).
    pub(crate) fn configure(&self, limits: &Limits) {
        self.max_steps.set(limits.max_steps);
        self.max_memory.set(limits.max_memory);
        self.max_recursion.set(limits.max_recursion);
        self.max_tasks.set(limits.max_tasks);
    }

    /// Start a run: the step count and deadline are per run; a cancel that arrived
    /// between runs still counts.
    pub(crate) fn start_run(&self, timeout: Option<Duration>) {
        self.steps_used.set(0);
        self.tripped.set(None);
        self.deadline.set(timeout.map(|t| Instant::now() + t));
        self.mem_baseline.set(thread_live_bytes());
        self.max_wait.set(Some(0.02));
        self.rearm();
    }

    /// End a run: no deadline outside runs.
    pub(crate) fn end_run(&self) {
        self.deadline.set(None);
        self.max_wait.set(None);
        self.cancel.store(false, Ordering::Relaxed);
    }

    pub(crate) fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// The limit that stopped the current run, if any.
    pub fn tripped(&self) -> Option<LimitKind> {
        self.tripped.get()
    }

    /// Start a new batch of steps before the next slow check.
    fn rearm(&self) {
        let mut n = CHECK_INTERVAL as u64;
        if let Some(max) = self.max_steps.get() {
            n = n.min(max.saturating_sub(self.steps_used.get()).max(1));
        }
        let n = n as u32;
        self.batch.set(n);
        self.countdown.set(n);
    }

    /// The exception for a tripped limit (and remember it: the trip is sticky).
    pub(crate) fn trip(&self, kind: LimitKind) -> Exc {
        if self.tripped.get().is_none() {
            self.tripped.set(Some(kind));
            self.batch.set(GRACE_STEPS);
            self.countdown.set(GRACE_STEPS);
        }
        Exc::new(kind.exc_kind(), format!("{} (a limit set by the host; it cannot be caught)", kind.describe()))
    }

    /// How long the event loop may block at most, while a run with a deadline or a
    /// cancel handle is in progress.
    pub fn max_wait(&self) -> Option<f64> {
        self.max_wait.get()
    }

    fn slow_check(&self) -> PyResult<()> {
        let used = self.batch.get().saturating_sub(self.countdown.get()) as u64;
        self.steps_used.set(self.steps_used.get().saturating_add(used));
        if let Some(kind) = self.tripped.get() {
            // The grace is over: raise at every check from now on.
            self.batch.set(1);
            self.countdown.set(1);
            return Err(self.trip(kind));
        }
        if let Some(max) = self.max_steps.get() {
            if self.steps_used.get() >= max {
                return Err(self.trip(LimitKind::Steps));
            }
        }
        self.poll()?;
        self.rearm();
        Ok(())
    }

    /// The checks that do not count steps: deadline, cancel flag, memory. The event
    /// loop calls this between iterations.
    pub fn poll(&self) -> PyResult<()> {
        if let Some(kind) = self.tripped.get() {
            return Err(self.trip(kind));
        }
        if self.cancel.load(Ordering::Relaxed) {
            return Err(self.trip(LimitKind::Cancelled));
        }
        if let Some(d) = self.deadline.get() {
            if Instant::now() >= d {
                return Err(self.trip(LimitKind::Deadline));
            }
        }
        if let Some(max) = self.max_memory.get() {
            if counting_allocator_installed() && self.live_bytes() > max {
                return Err(self.trip(LimitKind::Memory));
            }
        }
        Ok(())
    }

    fn live_bytes(&self) -> usize {
        (thread_live_bytes() - self.mem_baseline.get()).max(0) as usize
    }

    /// Check, before allocating about `bytes`, that the allocation fits the memory limit.
    pub fn reserve(&self, bytes: usize) -> PyResult<()> {
        let Some(max) = self.max_memory.get() else { return Ok(()) };
        let live = if counting_allocator_installed() { self.live_bytes() } else { 0 };
        if live.saturating_add(bytes) > max {
            return Err(self.trip(LimitKind::Memory));
        }
        Ok(())
    }

    /// Count `n` steps at once (work a builtin did in Rust), with the slow check when
    /// they use up the current batch.
    fn charge(&self, n: u64) -> PyResult<()> {
        let c = self.countdown.get() as u64;
        if c > n {
            self.countdown.set((c - n) as u32);
            return Ok(());
        }
        // `slow_check` counts the batch as used; the overshoot beyond it is added here.
        self.steps_used.set(self.steps_used.get().saturating_add(n - c));
        self.countdown.set(0);
        self.slow_check()
    }

    /// Check the live-task limit before creating a task (`live` tasks exist already).
    pub fn check_tasks(&self, live: impl FnOnce() -> usize) -> PyResult<()> {
        let Some(max) = self.max_tasks.get() else { return Ok(()) };
        if live() >= max {
            return Err(self.trip(LimitKind::Tasks));
        }
        Ok(())
    }
}

impl Vm {
    /// The one budget check: called at every Python call and loop back-edge. Cheap: a
    /// counter decrement, with the real checks every [`CHECK_INTERVAL`] steps.
    #[inline]
    pub fn check_budget(&self) -> PyResult<()> {
        let c = self.limits.countdown.get();
        if c > 1 {
            self.limits.countdown.set(c - 1);
            return Ok(());
        }
        self.limits.countdown.set(0);
        self.limits.slow_check()
    }

    /// Charge `n` steps of work done in Rust (items a builtin consumed or copied) to the
    /// budget, and poll Ctrl-C: the safe point of loops that run no Python code.
    pub fn charge_steps(&self, n: u64) -> PyResult<()> {
        crate::vm::interrupt::check_interrupt()?;
        self.limits.charge(n)
    }

    /// `unit` repeated `n` times, copied in chunks with a charge to the budget after
    /// each (one step per [`BYTES_PER_STEP`] bytes): `s * n` and `[x] * n` stop midway
    /// at the step budget, the deadline or a cancel instead of finishing a huge copy.
    /// The caller checks the memory limit before.
    pub fn repeat_slice<T: Clone>(&self, unit: &[T], n: usize) -> PyResult<Vec<T>> {
        if unit.is_empty() || n == 0 {
            return Ok(Vec::new());
        }
        let total = unit.len().saturating_mul(n);
        let per_step = (BYTES_PER_STEP / std::mem::size_of::<T>().max(1)).max(1);
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(unit);
        while out.len() < total {
            // Copy whole units from the start (doubling), so the result stays periodic.
            let room = (total - out.len()).min(out.len()).min(BULK_CHUNK.max(unit.len()));
            let k = room - room % unit.len();
            out.extend_from_within(..k);
            self.charge_steps((k / per_step) as u64)?;
        }
        Ok(out)
    }

    /// A limit stopped this run: `except` clauses match nothing any more.
    #[inline]
    pub fn limit_tripped(&self) -> bool {
        self.limits.tripped.get().is_some()
    }

    /// Memory pre-check before allocating about `bytes` (see [`LimitState::reserve`]).
    #[inline]
    pub fn reserve_memory(&self, bytes: usize) -> PyResult<()> {
        self.limits.reserve(bytes)
    }

    /// The error for exceeding the recursion limit: uncatchable when the host set it.
    pub fn recursion_error(&self) -> Exc {
        if self.limits.max_recursion.get().is_some() {
            self.limits.trip(LimitKind::Recursion)
        } else {
            Exc::new(ExcKind::RecursionError, "maximum recursion depth exceeded")
        }
    }
}

/// Counts the iterations of a loop written in Rust (a builtin consuming an iterator)
/// and charges them to the budget every [`TICK_BATCH`] iterations, so
/// `sum(range(10**12))` or `list(itertools.count())` stop at the step budget, the
/// deadline, a cancel or Ctrl-C. A local counter keeps the common path to an
/// increment and a compare.
///
/// ```ignore
/// let mut ticker = Ticker::default();
/// while let Some(x) = vm.iter_next(&mut st)? {
///     ticker.tick(vm)?;
///     ...
/// }
/// ```
#[derive(Default)]
pub struct Ticker(u32);

impl Ticker {
    #[inline]
    pub fn tick(&mut self, vm: &Vm) -> PyResult<()> {
        self.0 += 1;
        if self.0 < TICK_BATCH {
            return Ok(());
        }
        self.0 = 0;
        vm.charge_steps(TICK_BATCH as u64)
    }
}

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}
static INSTALLED: AtomicBool = AtomicBool::new(false);

fn counting_allocator_installed() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// Bytes allocated minus bytes freed on this thread through [`CountingAllocator`].
fn thread_live_bytes() -> isize {
    LIVE.try_with(|c| c.get()).unwrap_or(0)
}

/// A global allocator wrapper that counts the bytes live on each thread, so the memory
/// limit sees every allocation of the interpreter (which runs on one thread). Install it
/// in the host binary:
///
/// ```
/// #[global_allocator]
/// static ALLOC: coro::CountingAllocator<std::alloc::System> = coro::CountingAllocator(std::alloc::System);
/// ```
///
/// Without it the memory limit still checks every large allocation before it happens, but
/// cannot see many small ones adding up.
pub struct CountingAllocator<A>(pub A);

fn add_live(delta: isize) {
    // `try_with`: during thread teardown the counter may be gone; skip counting then.
    let _ = LIVE.try_with(|c| c.set(c.get().wrapping_add(delta)));
}

// SAFETY: every method forwards to the inner allocator unchanged; the counting only
// touches a const-initialised thread-local `Cell`, which never allocates.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !INSTALLED.load(Ordering::Relaxed) {
            INSTALLED.store(true, Ordering::Relaxed);
        }
        let p = self.0.alloc(layout);
        if !p.is_null() {
            add_live(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.dealloc(ptr, layout);
        add_live(-(layout.size() as isize));
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc_zeroed(layout);
        if !p.is_null() {
            add_live(layout.size() as isize);
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = self.0.realloc(ptr, layout, new_size);
        if !p.is_null() {
            add_live(new_size as isize - layout.size() as isize);
        }
        p
    }
}
