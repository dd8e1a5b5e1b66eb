//! Methods of the builtin `bytes` type.

use crate::vm::Vm;

pub fn install(_vm: &Vm) {}
