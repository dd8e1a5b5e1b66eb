//! The object model: values, types, and the containers Python code manipulates.

pub mod args;
pub mod class;
pub mod dict;
pub mod exception;
pub mod function;
pub mod generator;
pub mod method_cache;
pub mod module;
pub mod set;
pub mod str;
pub mod value;

pub use args::Args;
pub use exception::{Exc, ExcKind, PyResult};
pub use value::Value;
