//! Methods of the builtin `float` type.

use crate::vm::Vm;

pub fn install(_vm: &Vm) {}
