//! Methods of the builtin `set` type.

use crate::vm::Vm;

pub fn install(_vm: &Vm) {}
