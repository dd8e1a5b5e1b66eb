//! Capabilities: what an interpreter may do to the world outside it.
//!
//! An embedded interpreter starts with none (`Interpreter::builder()` grants nothing);
//! the `coro` command grants all. Builtins that touch the OS call [`require`] first, so a
//! script that lacks a capability gets a `PermissionError` that names it.
//!
//! ```
//! use coro::{Capability, Interpreter};
//! let interp = Interpreter::builder().grant(Capability::Clock).build().unwrap();
//! assert!(interp.capabilities().contains(Capability::Clock));
//! assert!(!interp.capabilities().contains(Capability::Filesystem));
//! ```

use crate::runtime::{Exc, ExcKind, PyResult};
use crate::vm::Vm;

/// One kind of access to the outside world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Reading and writing files (`open`, importing `.coro` files next to a script).
    Filesystem,
    /// Sockets and anything else that talks to the network.
    Network,
    /// Starting processes.
    Subprocess,
    /// Reading environment variables.
    Environment,
    /// The wall clock (`time.time()`), and randomness seeded from it. The monotonic
    /// clock the event loop runs on is always available.
    Clock,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 5] =
        [Capability::Filesystem, Capability::Network, Capability::Subprocess, Capability::Environment, Capability::Clock];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// The lower-case name used in messages (`filesystem`).
    pub fn name(self) -> &'static str {
        match self {
            Capability::Filesystem => "filesystem",
            Capability::Network => "network",
            Capability::Subprocess => "subprocess",
            Capability::Environment => "environment",
            Capability::Clock => "clock",
        }
    }
}

/// A set of [`Capability`] values (a bit set; `Copy`).
///
/// ```
/// use coro::{Capability, Capabilities};
/// let c = Capabilities::none().with(Capability::Network);
/// assert!(c.contains(Capability::Network) && !c.contains(Capability::Clock));
/// assert!(Capabilities::all().contains(Capability::Filesystem));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Capabilities(u8);

impl Capabilities {
    /// No capability: the default of an embedded interpreter.
    pub const fn none() -> Capabilities {
        Capabilities(0)
    }
    /// Every capability: what the `coro` command grants.
    pub fn all() -> Capabilities {
        Capability::ALL.iter().fold(Capabilities::none(), |s, c| s.with(*c))
    }
    /// This set plus `c`.
    pub fn with(self, c: Capability) -> Capabilities {
        Capabilities(self.0 | c.bit())
    }
    /// This set without `c`.
    pub fn without(self, c: Capability) -> Capabilities {
        Capabilities(self.0 & !c.bit())
    }
    pub fn contains(self, c: Capability) -> bool {
        self.0 & c.bit() != 0
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        iter.into_iter().fold(Capabilities::none(), |s, c| s.with(c))
    }
}

/// Fail with `PermissionError` unless the interpreter was granted `c`. Builtins that touch
/// the OS call this before doing anything.
pub fn require(vm: &Vm, c: Capability) -> PyResult<()> {
    if vm.capabilities.get().contains(c) {
        Ok(())
    } else {
        Err(Exc::new(
            ExcKind::PermissionError,
            format!("this interpreter was not granted the {} capability", c.name()),
        ))
    }
}

impl Vm {
    /// [`require`] as a method: `vm.require(Capability::Filesystem)?`.
    pub fn require(&self, c: Capability) -> PyResult<()> {
        require(self, c)
    }
}
