//! Methods of the builtin `tuple` type.
//!
//! Like the list methods, each works on a plain tuple or on an instance of a tuple
//! subclass (whose payload holds the tuple), and the special methods delegate to the
//! vm's operations so `super().__getitem__(i)` behaves like the builtin.

use std::rc::Rc;

use super::list::{arity, clamp_index, def, is_index_like, no_args, one_arg, wrong_self};
use crate::runtime::class::Payload;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::{BinOp, CmpOp};
use crate::vm::Vm;

/// The tuple inside a tuple or a tuple-subclass instance.
fn as_tuple(v: &Value) -> Option<Rc<Vec<Value>>> {
    match v {
        Value::Tuple(t) => Some(t.clone()),
        Value::Instance(i) => match &i.payload {
            Payload::Builtin(b) => match &*b.borrow() {
                Value::Tuple(t) => Some(t.clone()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

fn this_tuple(vm: &Vm, v: &Value, name: &str) -> PyResult<Rc<Vec<Value>>> {
    as_tuple(v).ok_or_else(|| wrong_self(vm, "tuple", name, v))
}

fn tuple_compare(name: &'static str, op: CmpOp) -> impl Fn(&Vm, Value, Args) -> PyResult<Value> {
    move |vm, this, args| {
        let a = this_tuple(vm, &this, name)?;
        let other = one_arg(args, name)?;
        match as_tuple(&other) {
            Some(b) => vm.compare(op, &Value::Tuple(a), &Value::Tuple(b)),
            None => Ok(Value::NotImplemented),
        }
    }
}

pub fn install(vm: &Vm) {
    let cls = vm.types.tuple.clone();
    let c = &cls;

    def(vm, c, "count", |vm, this, args| {
        let t = this_tuple(vm, &this, "count")?;
        let x = one_arg(args, "tuple.count")?;
        let mut n = 0;
        for item in t.iter() {
            if vm.eq_or_same(item, &x)? {
                n += 1;
            }
        }
        Ok(Value::Int(n))
    });
    def(vm, c, "index", |vm, this, args| {
        let t = this_tuple(vm, &this, "index")?;
        arity(&args, "index", 1, 3)?;
        let x = args.pos[0].clone();
        let start = clamp_index(vm, args.pos.get(1), t.len(), 0)?;
        let stop = clamp_index(vm, args.pos.get(2), t.len(), t.len())?;
        for i in start..stop {
            if let Some(item) = t.get(i) {
                if vm.eq_or_same(item, &x)? {
                    return Ok(Value::Int(i as i64));
                }
            }
        }
        Err(Exc::value_error("tuple.index(x): x not in tuple"))
    });
    def(vm, c, "__len__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__len__")?;
        no_args(&args, "tuple.__len__")?;
        Ok(Value::Int(t.len() as i64))
    });
    def(vm, c, "__getitem__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__getitem__")?;
        let i = one_arg(args, "tuple.__getitem__")?;
        vm.getitem(&Value::Tuple(t), &i)
    });
    def(vm, c, "__contains__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__contains__")?;
        let x = one_arg(args, "tuple.__contains__")?;
        Ok(Value::Bool(vm.contains(&Value::Tuple(t), &x)?))
    });
    def(vm, c, "__iter__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__iter__")?;
        no_args(&args, "tuple.__iter__")?;
        vm.get_iter(&Value::Tuple(t))
    });
    def(vm, c, "__add__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__add__")?;
        let other = one_arg(args, "tuple.__add__")?;
        // NotImplemented so the right operand's `__radd__` is still tried by `+`.
        match as_tuple(&other) {
            Some(o) => {
                let mut v = t.to_vec();
                v.extend(o.iter().cloned());
                Ok(Value::tuple(v))
            }
            None => Ok(Value::NotImplemented),
        }
    });
    for name in ["__mul__", "__rmul__"] {
        def(vm, c, name, move |vm, this, args| {
            let t = this_tuple(vm, &this, name)?;
            let n = one_arg(args, name)?;
            if !is_index_like(vm, &n) {
                return Ok(Value::NotImplemented);
            }
            let n = vm.index_value(&n)?;
            vm.binop(BinOp::Mult, &Value::Tuple(t), &Value::Int(n))
        });
    }
    for (name, op) in [
        ("__eq__", CmpOp::Eq),
        ("__ne__", CmpOp::NotEq),
        ("__lt__", CmpOp::Lt),
        ("__le__", CmpOp::LtE),
        ("__gt__", CmpOp::Gt),
        ("__ge__", CmpOp::GtE),
    ] {
        def(vm, c, name, tuple_compare(name, op));
    }
    def(vm, c, "__hash__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__hash__")?;
        no_args(&args, "tuple.__hash__")?;
        Ok(Value::Int(vm.hash(&Value::Tuple(t))?))
    });
    def(vm, c, "__repr__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__repr__")?;
        no_args(&args, "tuple.__repr__")?;
        Ok(Value::string(vm.repr(&Value::Tuple(t))?))
    });
    def(vm, c, "__getnewargs__", |vm, this, args| {
        let t = this_tuple(vm, &this, "__getnewargs__")?;
        no_args(&args, "tuple.__getnewargs__")?;
        Ok(Value::tuple(vec![Value::Tuple(t)]))
    });
}
