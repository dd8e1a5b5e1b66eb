//! The embedding API: what a Rust application uses to run scripts.
//!
//! See the crate documentation for a tour; each submodule documents one part.

pub mod capabilities;
pub mod convert;
pub mod error;
pub(crate) mod host_async;
pub mod host_object;
pub mod interpreter;
pub mod limits;
pub mod module;
#[cfg(feature = "serde")]
pub mod serde_value;

pub use capabilities::{Capabilities, Capability};
pub use convert::{named, Ctx, FromValue, IntoArgs, IntoValue, Named};
pub use error::{Error, ErrorKind};
pub use host_object::{Host, HostClass, HostRef};
pub use interpreter::{Interpreter, InterpreterBuilder, InterpreterHandle};
pub use limits::{CancelHandle, CountingAllocator, LimitKind, Limits};
pub use module::Module;
#[cfg(feature = "serde")]
pub use serde_value::{from_value, to_value, Serde};
