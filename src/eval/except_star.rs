//! `try ... except*`: handlers take the matching part of an exception group; what no
//! handler took (and what handlers raise) is raised again afterwards.

use crate::builtins::exception_group::{derive, group_parts, is_group, new_group, split};
use crate::runtime::{Exc, PyResult, Value};
use crate::vm::Vm;

use super::Flow;

/// Bookkeeping across the `except*` clauses of one `try`.
pub struct StarState {
    original: Exc,
    original_value: Value,
    /// The original was a plain exception, wrapped into a group for matching.
    naked: bool,
    remaining: Option<Value>,
    /// Matched parts re-raised with a bare `raise`.
    reraised: Vec<Value>,
    /// New exceptions raised by handlers.
    raised: Vec<Value>,
}

fn leaves(vm: &Vm, v: &Value, out: &mut Vec<Value>) {
    match group_parts(v) {
        Some((_, excs)) if is_group(vm, v) => {
            for e in excs {
                leaves(vm, &e, out);
            }
        }
        _ => out.push(v.clone()),
    }
}

impl StarState {
    pub fn new(vm: &Vm, mut exc: Exc) -> PyResult<StarState> {
        let v = Value::Instance(vm.materialize(&mut exc));
        let naked = !is_group(vm, &v);
        let remaining = if naked { new_group(vm, Value::str(""), vec![v.clone()])? } else { v.clone() };
        Ok(StarState { original: exc, original_value: v, naked, remaining: Some(remaining), reraised: vec![], raised: vec![] })
    }

    /// The part of what is left that matches `spec`, taken out of it.
    pub fn take_match(&mut self, vm: &Vm, spec: &Value) -> PyResult<Option<Value>> {
        let Some(rem) = self.remaining.clone() else { return Ok(None) };
        let pred = |e: &Value| crate::builtins::functions::isinstance(vm, e, spec);
        let (m, r) = split(vm, &rem, &pred)?;
        self.remaining = r;
        Ok(m)
    }

    pub fn done(&self) -> bool {
        self.remaining.is_none()
    }

    /// Record how a handler that received `matched` finished.
    pub fn handler_result(&mut self, vm: &Vm, matched: &Value, r: PyResult<Flow>) -> PyResult<()> {
        match r {
            Ok(_) => Ok(()),
            Err(mut e) => {
                let v = Value::Instance(vm.materialize(&mut e));
                if v.is(matched) {
                    self.reraised.push(v);
                } else {
                    self.raised.push(v);
                }
                Ok(())
            }
        }
    }

    /// What the whole `try` statement raises (or nothing).
    pub fn finish(self, vm: &Vm) -> PyResult<Flow> {
        let mut unhandled: Vec<Value> = Vec::new();
        for r in &self.reraised {
            leaves(vm, r, &mut unhandled);
        }
        if let Some(rem) = &self.remaining {
            leaves(vm, rem, &mut unhandled);
        }
        let unhandled_group = if unhandled.is_empty() {
            None
        } else if self.naked && unhandled.len() == 1 && unhandled[0].is(&self.original_value) {
            // A plain exception nobody handled propagates as itself.
            if self.raised.is_empty() {
                return Err(self.original);
            }
            Some(unhandled[0].clone())
        } else if self.reraised.is_empty() && !self.naked {
            self.remaining.clone()
        } else {
            Some(derive(vm, &self.original_value, unhandled)?)
        };
        if self.raised.is_empty() {
            return match unhandled_group {
                None => Ok(Flow::Normal),
                Some(g) => Err(crate::modules::asyncio::futures::reraise(&g)),
            };
        }
        let mut all = self.raised;
        all.extend(unhandled_group);
        let g = new_group(vm, Value::str(""), all)?;
        Err(crate::modules::asyncio::futures::reraise(&g))
    }
}
