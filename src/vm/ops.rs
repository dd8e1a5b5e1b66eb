//! Operators: binary and unary arithmetic, comparison, equality, hashing, truth.
//!
//! Builtin types take a fast path; everything else goes through the special methods
//! with Python's rules (reflected operands, a subclass's reflected method first,
//! `NotImplemented`).

use std::rc::Rc;

use num_traits::ToPrimitive;

use super::numeric::*;
use crate::runtime::class::{Class, Payload};
use crate::runtime::dict::{fast_key_eq, KeyOps};
use crate::runtime::set::PySet;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::{BinOp, CmpOp, UnaryOp};
use crate::vm::Vm;

pub fn binop_names(op: BinOp) -> (&'static str, &'static str, &'static str, &'static str) {
    match op {
        BinOp::Add => ("__add__", "__radd__", "__iadd__", "+"),
        BinOp::Sub => ("__sub__", "__rsub__", "__isub__", "-"),
        BinOp::Mult => ("__mul__", "__rmul__", "__imul__", "*"),
        BinOp::MatMult => ("__matmul__", "__rmatmul__", "__imatmul__", "@"),
        BinOp::Div => ("__truediv__", "__rtruediv__", "__itruediv__", "/"),
        BinOp::FloorDiv => ("__floordiv__", "__rfloordiv__", "__ifloordiv__", "//"),
        BinOp::Mod => ("__mod__", "__rmod__", "__imod__", "%"),
        BinOp::Pow => ("__pow__", "__rpow__", "__ipow__", "** or pow()"),
        BinOp::LShift => ("__lshift__", "__rlshift__", "__ilshift__", "<<"),
        BinOp::RShift => ("__rshift__", "__rrshift__", "__irshift__", ">>"),
        BinOp::BitOr => ("__or__", "__ror__", "__ior__", "|"),
        BinOp::BitXor => ("__xor__", "__rxor__", "__ixor__", "^"),
        BinOp::BitAnd => ("__and__", "__rand__", "__iand__", "&"),
    }
}

fn cmp_names(op: CmpOp) -> (&'static str, &'static str, &'static str) {
    match op {
        CmpOp::Lt => ("__lt__", "__gt__", "<"),
        CmpOp::LtE => ("__le__", "__ge__", "<="),
        CmpOp::Gt => ("__gt__", "__lt__", ">"),
        CmpOp::GtE => ("__ge__", "__le__", ">="),
        CmpOp::Eq => ("__eq__", "__eq__", "=="),
        CmpOp::NotEq => ("__ne__", "__ne__", "!="),
        _ => ("", "", ""),
    }
}

impl Vm {
    #[inline]
    pub fn binop(&self, op: BinOp, a: &Value, b: &Value) -> PyResult<Value> {
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            let (x, y) = (*x, *y);
            match op {
                BinOp::Add => {
                    if let Some(r) = x.checked_add(y) {
                        return Ok(Value::Int(r));
                    }
                }
                BinOp::Sub => {
                    if let Some(r) = x.checked_sub(y) {
                        return Ok(Value::Int(r));
                    }
                }
                BinOp::Mult => {
                    if let Some(r) = x.checked_mul(y) {
                        return Ok(Value::Int(r));
                    }
                }
                BinOp::Mod if y > 0 => return Ok(Value::Int(mod_i64(x, y))),
                _ => {}
            }
        }
        if let Some(r) = self.builtin_binop(op, a, b) {
            return r;
        }
        self.dunder_binop(op, a, b, None)
    }

    /// `a op= b`: the in-place method if there is one, else the binary operator.
    pub fn inplace_binop(&self, op: BinOp, a: &Value, b: &Value) -> PyResult<Value> {
        if let (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) = (a, b) {
            return self.binop(op, a, b);
        }
        match (op, a) {
            (BinOp::Add, Value::List(l)) => {
                let mut items = Vec::new();
                self.extend_from_iterable(&mut items, b)?;
                l.borrow_mut().extend(items);
                return Ok(a.clone());
            }
            (BinOp::Mult, Value::List(l)) => {
                let n = self.index_value(b)?;
                self.reserve_memory(l.borrow().len().saturating_mul(n.max(0) as usize).saturating_mul(16))?;
                let items = l.borrow().clone();
                let out = self.repeat_slice(&items, n.max(0) as usize)?;
                *l.borrow_mut() = out;
                return Ok(a.clone());
            }
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Value::Set(s)) => {
                if let Value::Set(_) | Value::FrozenSet(_) = b {
                    // In place, with CPython's algorithms (the table layout decides the order).
                    let name = match op {
                        BinOp::BitOr => "or",
                        BinOp::BitAnd => "and",
                        BinOp::Sub => "sub",
                        _ => "xor",
                    };
                    crate::builtins::set::set_inplace(self, name, s, b)?;
                    return Ok(a.clone());
                }
            }
            (BinOp::BitOr, Value::Dict(d)) => {
                self.dict_update(d, b)?;
                return Ok(a.clone());
            }
            (BinOp::Add, Value::ByteArray(x)) => {
                let other = self.bytes_like(b)?;
                x.borrow_mut().extend(other);
                return Ok(a.clone());
            }
            _ => {}
        }
        if let Value::Instance(_) = a {
            let (_, _, iname, _) = binop_names(op);
            if let Some(r) = self.call_dunder(a, iname, Args::one(b.clone()))? {
                if !matches!(r, Value::NotImplemented) {
                    return Ok(r);
                }
            }
        }
        if let Some(r) = self.builtin_binop(op, a, b) {
            return r;
        }
        self.dunder_binop(op, a, b, Some(true))
    }

    /// Operators between builtin values; `None` when the types don't apply.
    fn builtin_binop(&self, op: BinOp, a: &Value, b: &Value) -> Option<PyResult<Value>> {
        use Value::*;
        if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
            if matches!(a, Bool(_)) && matches!(b, Bool(_)) && matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
                let (p, q) = (matches!(a, Bool(true)), matches!(b, Bool(true)));
                return Some(Ok(Bool(match op {
                    BinOp::BitAnd => p & q,
                    BinOp::BitOr => p | q,
                    _ => p ^ q,
                })));
            }
            return int_binop(op, x, y);
        }
        if let (Some(x), Some(y)) = (as_float(a), as_float(b)) {
            let x = match x {
                Ok(v) => v,
                Err(e) => return Some(Err(e)),
            };
            let y = match y {
                Ok(v) => v,
                Err(e) => return Some(Err(e)),
            };
            return float_binop(op, x, y);
        }
        match (op, a, b) {
            (BinOp::Add, Str(x), Str(y)) => {
                if let Err(e) = self.reserve_memory(x.as_str().len() + y.as_str().len()) {
                    return Some(Err(e));
                }
                let mut s = String::with_capacity(x.as_str().len() + y.as_str().len());
                s.push_str(x.as_str());
                s.push_str(y.as_str());
                Some(Ok(Value::string(s)))
            }
            (BinOp::Mult, Str(x), Int(_) | Bool(_)) | (BinOp::Mult, Int(_) | Bool(_), Str(x)) => {
                let n = as_int(if matches!(a, Str(_)) { b } else { a }).and_then(|i| match i {
                    IntRef::Small(n) => Option::Some(n),
                    _ => Option::None,
                });
                let n = n.unwrap_or(0).max(0) as usize;
                if let Err(e) = self.reserve_memory(x.as_str().len().saturating_mul(n)) {
                    return Some(Err(e));
                }
                if x.as_str().len().saturating_mul(n) > 1 << 34 {
                    return Some(Err(Exc::new(crate::runtime::ExcKind::MemoryError, "")));
                }
                Some(self.repeat_slice(x.as_str().as_bytes(), n).and_then(|b| {
                    // Whole copies of valid UTF-8 are valid UTF-8.
                    String::from_utf8(b).map(Value::string).map_err(|_| Exc::runtime_error("str repetition broke UTF-8"))
                }))
            }
            (BinOp::Mod, Str(fmt), _) => Some(self.percent_format(fmt.as_str(), b)),
            (BinOp::Add, List(x), List(y)) => {
                let mut v = x.borrow().clone();
                v.extend(y.borrow().iter().cloned());
                Some(Ok(Value::list(v)))
            }
            (BinOp::Add, Tuple(x), Tuple(y)) => {
                let mut v = x.to_vec();
                v.extend(y.iter().cloned());
                Some(Ok(Value::tuple(v)))
            }
            (BinOp::Mult, List(_) | Tuple(_), Int(_) | Bool(_)) | (BinOp::Mult, Int(_) | Bool(_), List(_) | Tuple(_)) => {
                let (seq, n) = if matches!(a, List(_) | Tuple(_)) { (a, b) } else { (b, a) };
                let n = match as_int(n) {
                    Some(IntRef::Small(n)) => n.max(0) as usize,
                    _ => 0,
                };
                let items: Vec<Value> = match seq {
                    List(l) => l.borrow().clone(),
                    Tuple(t) => t.to_vec(),
                    _ => vec![],
                };
                if let Err(e) = self.reserve_memory(items.len().saturating_mul(n).saturating_mul(16)) {
                    return Some(Err(e));
                }
                if items.len().saturating_mul(n) > 1 << 31 {
                    return Some(Err(Exc::new(crate::runtime::ExcKind::MemoryError, "")));
                }
                Some(self.repeat_slice(&items, n).map(|out| if matches!(seq, List(_)) { Value::list(out) } else { Value::tuple(out) }))
            }
            (BinOp::Add, Bytes(x), Bytes(_) | ByteArray(_)) => {
                let mut v = x.to_vec();
                match self.bytes_like(b) {
                    Ok(o) => v.extend(o),
                    Err(e) => return Some(Err(e)),
                }
                Some(Ok(Value::Bytes(Rc::new(v))))
            }
            (BinOp::Add, ByteArray(x), Bytes(_) | ByteArray(_)) => {
                let mut v = x.borrow().clone();
                match self.bytes_like(b) {
                    Ok(o) => v.extend(o),
                    Err(e) => return Some(Err(e)),
                }
                Some(Ok(Value::ByteArray(Rc::new(std::cell::RefCell::new(v)))))
            }
            (BinOp::Mult, ByteArray(x), Int(n)) | (BinOp::Mult, Int(n), ByteArray(x)) => {
                let unit = x.borrow().clone();
                if let Err(e) = self.reserve_memory(unit.len().saturating_mul((*n).max(0) as usize)) {
                    return Some(Err(e));
                }
                Some(self.repeat_slice(&unit, (*n).max(0) as usize).map(|b| Value::ByteArray(Rc::new(std::cell::RefCell::new(b)))))
            }
            (BinOp::Mult, Bytes(x), Int(n)) | (BinOp::Mult, Int(n), Bytes(x)) => {
                if let Err(e) = self.reserve_memory(x.len().saturating_mul((*n).max(0) as usize)) {
                    return Some(Err(e));
                }
                Some(self.repeat_slice(x, (*n).max(0) as usize).map(|b| Value::Bytes(Rc::new(b))))
            }
            (BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor, Set(x) | FrozenSet(x), Set(y) | FrozenSet(y)) => {
                Some(self.set_op(op, x, y).map(|s| {
                    if matches!(a, FrozenSet(_)) {
                        FrozenSet(Rc::new(s))
                    } else {
                        Set(Rc::new(s))
                    }
                }))
            }
            (BinOp::BitOr, Dict(x), Dict(y)) => {
                let d = x.copy();
                Some(self.dict_update(&d, &Dict(y.clone())).map(|_| Dict(Rc::new(d))))
            }
            _ => Option::None,
        }
    }

    pub fn set_op(&self, op: BinOp, x: &PySet, y: &Rc<PySet>) -> PyResult<PySet> {
        // CPython's setobject.c algorithms, so results iterate in CPython's order.
        crate::builtins::set::set_op_tables(self, op, x, y)
    }

    fn dunder_binop(&self, op: BinOp, a: &Value, b: &Value, _inplace: Option<bool>) -> PyResult<Value> {
        let (name, rname, _, sym) = binop_names(op);
        let ta = self.type_of(a);
        let tb = self.type_of(b);
        // Two builtin values: their operators were all tried in `builtin_binop`; the
        // dunder methods of builtin types would only raise their own (different) errors.
        let both_builtin = !matches!(a, Value::Instance(_)) && !matches!(b, Value::Instance(_));
        if both_builtin {
            return Err(self.binop_type_error(op, a, b, sym, &ta, &tb));
        }
        let same = Rc::ptr_eq(&ta, &tb);
        let mut tried_reflected = false;
        if !same && tb.is_subclass(&ta) && tb.lookup(rname).is_some() {
            tried_reflected = true;
            if let Some(r) = self.call_dunder(b, rname, Args::one(a.clone()))? {
                if !matches!(r, Value::NotImplemented) {
                    return Ok(r);
                }
            }
        }
        if let Some(r) = self.call_dunder(a, name, Args::one(b.clone()))? {
            if !matches!(r, Value::NotImplemented) {
                return Ok(r);
            }
        }
        if !same && !tried_reflected {
            if let Some(r) = self.call_dunder(b, rname, Args::one(a.clone()))? {
                if !matches!(r, Value::NotImplemented) {
                    return Ok(r);
                }
            }
        }
        // Subclasses of builtin types fall back to the builtin operation.
        let ua = self.builtin_value(a);
        let ub = self.builtin_value(b);
        if !ua.is(a) || !ub.is(b) {
            if let Some(r) = self.builtin_binop(op, &ua, &ub) {
                return r;
            }
        }
        Err(self.binop_type_error(op, &ua, &ub, sym, &ta, &tb))
    }

    /// The TypeError for an operator no operand supports; sequences have their own
    /// messages (CPython's sq_concat / sq_repeat).
    fn binop_type_error(&self, op: BinOp, ua: &Value, ub: &Value, sym: &str, ta: &Class, tb: &Class) -> Exc {
        match (op, ua, ub) {
            (BinOp::Add, Value::List(_) | Value::Tuple(_) | Value::Str(_), _) => {
                let kind = match ua {
                    Value::List(_) => "list",
                    Value::Tuple(_) => "tuple",
                    _ => "str",
                };
                Exc::type_error(format!("can only concatenate {kind} (not \"{}\") to {kind}", tb.name))
            }
            (BinOp::Mult, Value::List(_) | Value::Tuple(_) | Value::Str(_), _) => {
                Exc::type_error(format!("can't multiply sequence by non-int of type '{}'", tb.name))
            }
            (BinOp::Mult, _, Value::List(_) | Value::Tuple(_) | Value::Str(_)) => {
                Exc::type_error(format!("can't multiply sequence by non-int of type '{}'", ta.name))
            }
            _ => Exc::type_error(format!("unsupported operand type(s) for {}: '{}' and '{}'", sym, ta.name, tb.name)),
        }
    }

    pub fn unaryop(&self, op: UnaryOp, v: &Value) -> PyResult<Value> {
        match (op, v) {
            (UnaryOp::Not, _) => Ok(Value::Bool(!self.truthy(v)?)),
            (UnaryOp::USub, Value::Int(i)) => Ok(match i.checked_neg() {
                Some(n) => Value::Int(n),
                None => Value::from_bigint(-num_bigint::BigInt::from(*i)),
            }),
            (UnaryOp::USub, Value::Bool(b)) => Ok(Value::Int(-(*b as i64))),
            (UnaryOp::USub, Value::BigInt(b)) => Ok(Value::from_bigint(-(**b).clone())),
            (UnaryOp::USub, Value::Float(f)) => Ok(Value::Float(-f)),
            (UnaryOp::UAdd, Value::Int(_) | Value::BigInt(_) | Value::Float(_)) => Ok(v.clone()),
            (UnaryOp::UAdd, Value::Bool(b)) => Ok(Value::Int(*b as i64)),
            (UnaryOp::Invert, Value::Int(i)) => Ok(Value::Int(!i)),
            (UnaryOp::Invert, Value::Bool(b)) => Ok(Value::Int(!(*b as i64))),
            (UnaryOp::Invert, Value::BigInt(b)) => Ok(Value::from_bigint(!(**b).clone())),
            _ => {
                let (name, sym) = match op {
                    UnaryOp::USub => ("__neg__", "-"),
                    UnaryOp::UAdd => ("__pos__", "+"),
                    _ => ("__invert__", "~"),
                };
                if let Some(r) = self.call_dunder(v, name, Args::empty())? {
                    return Ok(r);
                }
                let u = self.builtin_value(v);
                if !u.is(v) {
                    return self.unaryop(op, &u);
                }
                Err(Exc::type_error(format!("bad operand type for unary {}: '{}'", sym, self.type_name(v))))
            }
        }
    }

    // ----- comparison ----------------------------------------------------------------

    #[inline]
    pub fn compare(&self, op: CmpOp, a: &Value, b: &Value) -> PyResult<Value> {
        if let (Value::Int(x), Value::Int(y)) = (a, b) {
            let r = match op {
                CmpOp::Lt => Some(x < y),
                CmpOp::LtE => Some(x <= y),
                CmpOp::Gt => Some(x > y),
                CmpOp::GtE => Some(x >= y),
                CmpOp::Eq => Some(x == y),
                CmpOp::NotEq => Some(x != y),
                _ => None,
            };
            if let Some(r) = r {
                return Ok(Value::Bool(r));
            }
        }
        self.compare_slow(op, a, b)
    }

    #[inline(never)]
    fn compare_slow(&self, op: CmpOp, a: &Value, b: &Value) -> PyResult<Value> {
        match op {
            CmpOp::Is => Ok(Value::Bool(a.is(b))),
            CmpOp::IsNot => Ok(Value::Bool(!a.is(b))),
            CmpOp::In => Ok(Value::Bool(self.contains(b, a)?)),
            CmpOp::NotIn => Ok(Value::Bool(!self.contains(b, a)?)),
            CmpOp::Eq => {
                if matches!(a, Value::Instance(_)) || matches!(b, Value::Instance(_)) {
                    return self.rich_compare(op, a, b);
                }
                Ok(Value::Bool(self.eq(a, b)?))
            }
            CmpOp::NotEq => {
                if matches!(a, Value::Instance(_)) || matches!(b, Value::Instance(_)) {
                    return self.rich_compare(op, a, b);
                }
                Ok(Value::Bool(!self.eq(a, b)?))
            }
            _ => {
                if let Some(r) = self.builtin_order(op, a, b)? {
                    return Ok(Value::Bool(r));
                }
                self.rich_compare(op, a, b)
            }
        }
    }

    /// `a < b` etc. as a bool (for sorting, min, max).
    pub fn less_than(&self, a: &Value, b: &Value) -> PyResult<bool> {
        if let Some(r) = self.builtin_order(CmpOp::Lt, a, b)? {
            return Ok(r);
        }
        let r = self.rich_compare(CmpOp::Lt, a, b)?;
        self.truthy(&r)
    }

    fn builtin_order(&self, op: CmpOp, a: &Value, b: &Value) -> PyResult<Option<bool>> {
        use std::cmp::Ordering;
        use Value::*;
        let ord: Option<Ordering> = match (a, b) {
            (Int(x), Int(y)) => Some(x.cmp(y)),
            (Float(x), Float(y)) => match x.partial_cmp(y) {
                Some(o) => Some(o),
                Option::None => return Ok(Some(false)),
            },
            (Str(x), Str(y)) => Some(x.as_str().cmp(y.as_str())),
            (Tuple(_) | List(_), Tuple(_) | List(_)) if std::mem::discriminant(a) == std::mem::discriminant(b) => {
                let xs: Vec<Value> = self.seq_items(a);
                let ys: Vec<Value> = self.seq_items(b);
                for (x, y) in xs.iter().zip(ys.iter()) {
                    if !self.eq(x, y)? {
                        return Ok(Some(match op {
                            CmpOp::Lt => self.less_than(x, y)?,
                            CmpOp::Gt => self.less_than(y, x)?,
                            CmpOp::LtE => self.less_than(x, y)?,
                            _ => self.less_than(y, x)?,
                        }));
                    }
                }
                Some(xs.len().cmp(&ys.len()))
            }
            (Bytes(x), Bytes(y)) => Some(x.cmp(y)),
            (Set(x) | FrozenSet(x), Set(y) | FrozenSet(y)) => {
                let sub = |p: &PySet, q: &PySet| -> PyResult<bool> {
                    for v in p.items() {
                        if !q.contains(self, &v)? {
                            return Ok(false);
                        }
                    }
                    Ok(true)
                };
                return Ok(Some(match op {
                    CmpOp::LtE => sub(x, y)?,
                    CmpOp::Lt => x.len() < y.len() && sub(x, y)?,
                    CmpOp::GtE => sub(y, x)?,
                    _ => y.len() < x.len() && sub(y, x)?,
                }));
            }
            _ => {
                if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
                    Some(x.to_big().cmp(&y.to_big()))
                } else if let (Some(x), Some(y)) = (as_float(a), as_float(b)) {
                    if let (Some(xi), Some(yf)) = (as_int(a), y.as_ref().ok()) {
                        cmp_int_float(&xi, *yf)
                    } else if let (Some(xf), Some(yi)) = (x.as_ref().ok(), as_int(b)) {
                        cmp_int_float(&yi, *xf).map(|o| o.reverse())
                    } else {
                        let (x, y) = (x?, y?);
                        match x.partial_cmp(&y) {
                            Some(o) => Some(o),
                            Option::None => return Ok(Some(false)),
                        }
                    }
                } else {
                    Option::None
                }
            }
        };
        Ok(ord.map(|o| match op {
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::LtE => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            _ => o != Ordering::Less,
        }))
    }

    fn rich_compare(&self, op: CmpOp, a: &Value, b: &Value) -> PyResult<Value> {
        let (name, rname, sym) = cmp_names(op);
        let ta = self.type_of(a);
        let tb = self.type_of(b);
        let reflected_first = !Rc::ptr_eq(&ta, &tb) && tb.is_subclass(&ta);
        let attempts: [(&Value, &str, &Value); 2] =
            if reflected_first { [(b, rname, a), (a, name, b)] } else { [(a, name, b), (b, rname, a)] };
        for (x, n, y) in attempts {
            if let Some(r) = self.call_user_dunder(x, n, y)? {
                if !matches!(r, Value::NotImplemented) {
                    return Ok(r);
                }
            }
        }
        match op {
            CmpOp::Eq => return Ok(Value::Bool(self.eq_builtin(a, b)?)),
            CmpOp::NotEq => {
                // Default __ne__ inverts __eq__.
                for (x, y) in [(a, b), (b, a)] {
                    if let Some(r) = self.call_user_dunder(x, "__eq__", y)? {
                        if !matches!(r, Value::NotImplemented) {
                            return Ok(Value::Bool(!self.truthy(&r)?));
                        }
                    }
                }
                return Ok(Value::Bool(!self.eq_builtin(a, b)?));
            }
            _ => {}
        }
        let ua = self.builtin_value(a);
        let ub = self.builtin_value(b);
        if !ua.is(a) || !ub.is(b) {
            if let Some(r) = self.builtin_order(op, &ua, &ub)? {
                return Ok(Value::Bool(r));
            }
        }
        Err(Exc::type_error(format!(
            "'{}' not supported between instances of '{}' and '{}'",
            sym, ta.name, tb.name
        )))
    }

    /// Call a special method only when a Python class defines it (not builtin defaults).
    fn call_user_dunder(&self, recv: &Value, name: &str, arg: &Value) -> PyResult<Option<Value>> {
        if !matches!(recv, Value::Instance(_)) {
            return Ok(None);
        }
        let cls = self.type_of(recv);
        match cls.lookup(name) {
            Some(Value::Function(f)) => Ok(Some(self.call_function(&f, Args::new([recv.clone(), arg.clone()]))?)),
            Some(Value::None) | None => Ok(None),
            Some(m @ Value::Builtin(_)) => Ok(Some(self.call(&m, Args::new([recv.clone(), arg.clone()]))?)),
            Some(m) => {
                let m = self.bind_descriptor(m, recv)?;
                Ok(Some(self.call1(&m, arg.clone())?))
            }
        }
    }

    /// Equality as containers test it (CPython's `PyObject_RichCompareBool`): the
    /// same object is equal to itself even when `==` says otherwise (NaN).
    pub fn eq_or_same(&self, a: &Value, b: &Value) -> PyResult<bool> {
        Ok(a.is(b) || self.eq(a, b)?)
    }

    /// `a == b` as a bool.
    pub fn eq(&self, a: &Value, b: &Value) -> PyResult<bool> {
        if let Some(r) = fast_key_eq(a, b) {
            // NaN is not equal to itself, except by identity in containers.
            return Ok(r);
        }
        if matches!(a, Value::Instance(_)) || matches!(b, Value::Instance(_)) {
            let r = self.rich_compare(CmpOp::Eq, a, b)?;
            return self.truthy(&r);
        }
        self.eq_builtin(a, b)
    }

    fn eq_builtin(&self, a: &Value, b: &Value) -> PyResult<bool> {
        use Value::*;
        Ok(match (a, b) {
            (List(x), List(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (xs, ys) = (x.borrow().clone(), y.borrow().clone());
                self.seq_eq(&xs, &ys)?
            }
            (Tuple(x), Tuple(y)) => self.seq_eq(x, y)?,
            (Dict(x), Dict(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                for (k, v) in x.items() {
                    match y.get(self, &k)? {
                        Some(w) => {
                            if !self.eq_or_same(&v, &w)? {
                                return Ok(false);
                            }
                        }
                        Option::None => return Ok(false),
                    }
                }
                true
            }
            (Set(x) | FrozenSet(x), Set(y) | FrozenSet(y)) => {
                if x.len() != y.len() {
                    return Ok(false);
                }
                for v in x.items() {
                    if !y.contains(self, &v)? {
                        return Ok(false);
                    }
                }
                true
            }
            (Range(x), Range(y)) => {
                let (lx, ly) = (x.len(), y.len());
                lx == ly && (lx == 0 || (x.start == y.start && (lx == 1 || x.step == y.step)))
            }
            (ByteArray(x), ByteArray(y)) => *x.borrow() == *y.borrow(),
            (Bytes(x), ByteArray(y)) | (ByteArray(y), Bytes(x)) => **x == *y.borrow(),
            (Instance(x), Instance(y)) => {
                if Rc::ptr_eq(x, y) {
                    return Ok(true);
                }
                let (ua, ub) = (self.builtin_value(a), self.builtin_value(b));
                if !ua.is(a) || !ub.is(b) {
                    return self.eq(&ua, &ub);
                }
                false
            }
            (Instance(_), _) | (_, Instance(_)) => {
                let (ua, ub) = (self.builtin_value(a), self.builtin_value(b));
                if !ua.is(a) || !ub.is(b) {
                    return self.eq(&ua, &ub);
                }
                false
            }
            (BoundMethod(x), BoundMethod(y)) => x.receiver.is(&y.receiver) && x.func.is(&y.func),
            _ => a.is(b),
        })
    }

    fn seq_eq(&self, xs: &[Value], ys: &[Value]) -> PyResult<bool> {
        if xs.len() != ys.len() {
            return Ok(false);
        }
        for (x, y) in xs.iter().zip(ys) {
            if !self.eq_or_same(x, y)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub fn seq_items(&self, v: &Value) -> Vec<Value> {
        match v {
            Value::List(l) => l.borrow().clone(),
            Value::Tuple(t) => t.to_vec(),
            _ => Vec::new(),
        }
    }

    pub fn hash(&self, v: &Value) -> PyResult<i64> {
        use Value::*;
        Ok(match v {
            Int(i) => hash_i64(*i),
            Bool(b) => *b as i64,
            BigInt(b) => hash_bigint(b),
            Float(f) => hash_f64(*f),
            Str(s) => s.hash(),
            None => 0x5f3759df,
            Tuple(items) => {
                // CPython's tuple hash (xxHash-based), so sets of tuples order alike.
                const P1: u64 = 11400714785074694791;
                const P2: u64 = 14029467366897019727;
                const P5: u64 = 2870177450012600261;
                let mut acc: u64 = P5;
                for it in items.iter() {
                    let lane = self.hash(it)? as u64;
                    acc = acc.wrapping_add(lane.wrapping_mul(P2));
                    acc = acc.rotate_left(31);
                    acc = acc.wrapping_mul(P1);
                }
                acc = acc.wrapping_add((items.len() as u64) ^ (P5 ^ 3527539));
                if acc as i64 == -1 {
                    1546275796
                } else {
                    acc as i64
                }
            }
            Bytes(b) => {
                let mut x: u64 = 0xcbf29ce484222325;
                for c in b.iter() {
                    x ^= *c as u64;
                    x = x.wrapping_mul(0x100000001b3);
                }
                (x >> 2) as i64
            }
            FrozenSet(s) => {
                let mut h: u64 = 0;
                for (eh, _) in s.hashed() {
                    let e = eh as u64;
                    h ^= ((e ^ 89869747) ^ (e << 16)).wrapping_mul(3644798167);
                }
                h ^= ((s.len() as u64) + 1).wrapping_mul(1927868237);
                h ^= (h >> 11) ^ (h >> 25);
                h = h.wrapping_mul(69069).wrapping_add(907133923);
                if h as i64 == -1 {
                    590923713
                } else {
                    h as i64
                }
            }
            List(_) | Dict(_) | Set(_) | ByteArray(_) => {
                return Err(Exc::type_error(format!("unhashable type: '{}'", self.type_name(v))))
            }
            Instance(i) => {
                let cls = i.class();
                match cls.lookup("__hash__") {
                    Some(Value::None) => {
                        return Err(Exc::type_error(format!("unhashable type: '{}'", cls.name)));
                    }
                    // A Rust `__hash__` other than object's (dataclasses, namedtuple-likes).
                    Some(b @ Value::Builtin(_)) if !self.is_object_slot("__hash__", &b) => {
                        let r = self.call(&b, Args::one(v.clone()))?;
                        match as_int(&r) {
                            Some(IntRef::Small(h)) => if h == -1 { -2 } else { h },
                            Some(IntRef::Big(b)) => hash_bigint(b),
                            _ => return Err(Exc::type_error("__hash__ method should return an integer")),
                        }
                    }
                    Some(Value::Function(f)) => {
                        let r = self.call_function(&f, Args::one(v.clone()))?;
                        match as_int(&r) {
                            // CPython uses a returned hash that fits as is (only -1 is reserved).
                            Some(IntRef::Small(h)) => if h == -1 { -2 } else { h },
                            Some(IntRef::Big(b)) => hash_bigint(b),
                            _ => return Err(Exc::type_error("__hash__ method should return an integer")),
                        }
                    }
                    _ => {
                        if let Payload::Builtin(b) = &i.payload {
                            let inner = b.borrow().clone();
                            if !matches!(inner, List(_) | Dict(_) | Set(_)) {
                                return self.hash(&inner);
                            }
                        }
                        (v.identity() >> 4) as i64
                    }
                }
            }
            _ => (v.identity() >> 4) as i64,
        })
    }

    #[inline]
    pub fn truthy(&self, v: &Value) -> PyResult<bool> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::Int(i) => Ok(*i != 0),
            Value::None => Ok(false),
            _ => self.truthy_slow(v),
        }
    }

    #[inline(never)]
    fn truthy_slow(&self, v: &Value) -> PyResult<bool> {
        Ok(match v {
            Value::Bool(b) => *b,
            Value::None => false,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::BigInt(_) => true,
            Value::Str(s) => !s.as_str().is_empty(),
            Value::List(l) => !l.borrow().is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Set(s) | Value::FrozenSet(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::ByteArray(b) => !b.borrow().is_empty(),
            Value::Range(r) => r.len() != 0,
            Value::Instance(_) => {
                if let Some(r) = self.call_dunder(v, "__bool__", Args::empty())? {
                    return match r {
                        Value::Bool(b) => Ok(b),
                        other => Err(Exc::type_error(format!(
                            "__bool__ should return bool, returned {}",
                            self.type_name(&other)
                        ))),
                    };
                }
                if self.type_of(v).lookup("__len__").is_some() {
                    return Ok(self.len(v)? != 0);
                }
                let u = self.builtin_value(v);
                if !u.is(v) {
                    return self.truthy(&u);
                }
                true
            }
            _ => true,
        })
    }

    /// An int usable as an index (`__index__`).
    pub fn index_value(&self, v: &Value) -> PyResult<i64> {
        match v {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(*b as i64),
            Value::BigInt(b) => b.to_i64().ok_or_else(|| {
                Exc::new(crate::runtime::ExcKind::IndexError, "cannot fit 'int' into an index-sized integer")
            }),
            _ => {
                if let Some(r) = self.call_dunder(v, "__index__", Args::empty())? {
                    return self.index_value(&r);
                }
                Err(Exc::type_error(format!(
                    "'{}' object cannot be interpreted as an integer",
                    self.type_name(v)
                )))
            }
        }
    }
}

fn cmp_int_float(i: &IntRef, f: f64) -> Option<std::cmp::Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { std::cmp::Ordering::Less } else { std::cmp::Ordering::Greater });
    }
    match i {
        IntRef::Small(x) if x.unsigned_abs() < (1 << 53) => (*x as f64).partial_cmp(&f),
        _ => {
            let fi = f.floor();
            let big = num_bigint::BigInt::from(fi as i128);
            let ib = i.to_big();
            match ib.cmp(&big) {
                std::cmp::Ordering::Equal => {
                    if f > fi {
                        Some(std::cmp::Ordering::Less)
                    } else {
                        Some(std::cmp::Ordering::Equal)
                    }
                }
                o => Some(o),
            }
        }
    }
}

impl KeyOps for Vm {
    fn hash_key(&self, key: &Value) -> PyResult<i64> {
        self.hash(key)
    }
    fn keys_equal(&self, a: &Value, b: &Value) -> PyResult<bool> {
        self.eq(a, b)
    }
}
