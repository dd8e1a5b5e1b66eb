//! Methods of the builtin `int` type.

use crate::vm::Vm;

pub fn install(_vm: &Vm) {}
