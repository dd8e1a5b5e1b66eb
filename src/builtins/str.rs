//! Methods of the builtin `str` type.

use crate::vm::Vm;

pub fn install(_vm: &Vm) {}
