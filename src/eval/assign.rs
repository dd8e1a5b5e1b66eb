//! Assignment, augmented assignment and `del` targets, including unpacking.

use super::frame::Frame;
use crate::runtime::exception::ExcKind;
use crate::runtime::{Exc, PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

impl Vm {
    pub fn assign(&self, f: &mut Frame, target: &Expr, v: Value) -> PyResult<()> {
        match &target.kind {
            ExprKind::Name(n) => {
                self.store_name(f, n, v);
                Ok(())
            }
            ExprKind::Attribute { value, attr } => {
                let obj = self.eval(f, value)?;
                self.setattr(&obj, &attr.name, v).map_err(|e| self.note(f, e, target.span))
            }
            ExprKind::Subscript { value, index } => {
                let obj = self.eval(f, value)?;
                let idx = self.eval(f, index)?;
                self.setitem(&obj, idx, v).map_err(|e| self.note(f, e, target.span))
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let values = self.unpack(&v, items).map_err(|e| self.note(f, e, target.span))?;
                for (t, v) in items.iter().zip(values) {
                    match &t.kind {
                        ExprKind::Starred(inner) => self.assign(f, inner, v)?,
                        _ => self.assign(f, t, v)?,
                    }
                }
                Ok(())
            }
            _ => Err(Exc::new(ExcKind::SyntaxError, "cannot assign to expression")),
        }
    }

    /// Split `v` into one value per target; a starred target receives a list.
    pub fn unpack(&self, v: &Value, targets: &[Expr]) -> PyResult<Vec<Value>> {
        let star = targets.iter().position(|t| matches!(t.kind, ExprKind::Starred(_)));
        let items: Vec<Value> = match v {
            Value::Tuple(t) => t.to_vec(),
            Value::List(l) => l.borrow().clone(),
            _ => {
                let mut out = Vec::new();
                self.extend_from_iterable(&mut out, v).map_err(|e| {
                    if e.kind() == Some(ExcKind::TypeError) && !self.is_iterable(v) {
                        Exc::type_error(format!("cannot unpack non-iterable {} object", self.type_name(v)))
                    } else {
                        e
                    }
                })?;
                out
            }
        };
        let n = targets.len();
        match star {
            None => {
                if items.len() != n {
                    return Err(Exc::value_error(if items.len() > n {
                        format!("too many values to unpack (expected {n})")
                    } else {
                        format!("not enough values to unpack (expected {n}, got {})", items.len())
                    }));
                }
                Ok(items)
            }
            Some(s) => {
                let after = n - s - 1;
                if items.len() < n - 1 {
                    return Err(Exc::value_error(format!(
                        "not enough values to unpack (expected at least {}, got {})",
                        n - 1,
                        items.len()
                    )));
                }
                let mut items = items;
                let tail = items.split_off(items.len() - after);
                let middle = items.split_off(s);
                items.push(Value::list(middle));
                items.extend(tail);
                Ok(items)
            }
        }
    }

    pub fn aug_assign(&self, f: &mut Frame, target: &Expr, op: BinOp, value: &Expr) -> PyResult<()> {
        match &target.kind {
            ExprKind::Name(n) => {
                let cur = self.load_name(f, n)?;
                let rhs = self.eval(f, value)?;
                let r = self.inplace_binop(op, &cur, &rhs).map_err(|e| self.note(f, e, target.span))?;
                self.store_name(f, n, r);
                Ok(())
            }
            ExprKind::Attribute { value: obj, attr } => {
                let o = self.eval(f, obj)?;
                let cur = self.getattr(&o, &attr.name).map_err(|e| self.note(f, e, target.span))?;
                let rhs = self.eval(f, value)?;
                let r = self.inplace_binop(op, &cur, &rhs).map_err(|e| self.note(f, e, target.span))?;
                self.setattr(&o, &attr.name, r)
            }
            ExprKind::Subscript { value: obj, index } => {
                let o = self.eval(f, obj)?;
                let i = self.eval(f, index)?;
                let cur = self.getitem(&o, &i).map_err(|e| self.note(f, e, target.span))?;
                let rhs = self.eval(f, value)?;
                let r = self.inplace_binop(op, &cur, &rhs).map_err(|e| self.note(f, e, target.span))?;
                self.setitem(&o, i, r)
            }
            _ => Err(Exc::new(ExcKind::SyntaxError, "illegal expression for augmented assignment")),
        }
    }

    pub fn delete(&self, f: &mut Frame, target: &Expr) -> PyResult<()> {
        match &target.kind {
            ExprKind::Name(n) => {
                // Deleting an unbound name is a NameError / UnboundLocalError.
                self.load_name(f, n)?;
                self.unbind_name(f, n);
                Ok(())
            }
            ExprKind::Attribute { value, attr } => {
                let o = self.eval(f, value)?;
                self.delattr(&o, &attr.name)
            }
            ExprKind::Subscript { value, index } => {
                let o = self.eval(f, value)?;
                let i = self.eval(f, index)?;
                self.delitem(&o, &i)
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for t in items {
                    self.delete(f, t)?;
                }
                Ok(())
            }
            _ => Err(Exc::new(ExcKind::SyntaxError, "cannot delete expression")),
        }
    }
}
