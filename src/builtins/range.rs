//! Methods and attributes of `range` and `slice`.

use super::{add_getter, add_method};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

fn range_of(v: &Value) -> PyResult<std::rc::Rc<crate::runtime::value::RangeObj>> {
    match v {
        Value::Range(r) => Ok(r.clone()),
        _ => Err(Exc::type_error("descriptor requires a 'range' object")),
    }
}

fn slice_of(v: &Value) -> PyResult<std::rc::Rc<crate::runtime::value::SliceObj>> {
    match v {
        Value::Slice(s) => Ok(s.clone()),
        _ => Err(Exc::type_error("descriptor requires a 'slice' object")),
    }
}

/// Position of `x` in the range, if it is one of its members.
fn range_position(vm: &Vm, r: &crate::runtime::value::RangeObj, x: &Value) -> PyResult<Option<i64>> {
    if !vm.contains(&Value::Range(std::rc::Rc::new(r.clone())), x)? {
        return Ok(None);
    }
    let i = vm.index_value(x)?;
    Ok(Some((i - r.start) / r.step))
}

pub fn install(vm: &Vm) {
    let r = vm.types.range.clone();
    add_getter(vm, &r, "start", |_vm, args: Args| Ok(Value::Int(range_of(&args.pos[0])?.start)));
    add_getter(vm, &r, "stop", |_vm, args: Args| Ok(Value::Int(range_of(&args.pos[0])?.stop)));
    add_getter(vm, &r, "step", |_vm, args: Args| Ok(Value::Int(range_of(&args.pos[0])?.step)));
    add_method(vm, &r, "index", |vm, args: Args| {
        let [s, x] = args.exact::<2>("index")?;
        let rg = range_of(&s)?;
        match range_position(vm, &rg, &x)? {
            Some(i) => Ok(Value::Int(i)),
            None => Err(Exc::value_error(format!("{} is not in range", vm.repr(&x)?))),
        }
    });
    add_method(vm, &r, "count", |vm, args: Args| {
        let [s, x] = args.exact::<2>("count")?;
        let rg = range_of(&s)?;
        Ok(Value::Int(range_position(vm, &rg, &x)?.is_some() as i64))
    });
    add_method(vm, &r, "__len__", |vm, args: Args| {
        let [s] = args.exact::<1>("__len__")?;
        Ok(Value::Int(vm.len(&s)? as i64))
    });
    add_method(vm, &r, "__contains__", |vm, args: Args| {
        let [s, x] = args.exact::<2>("__contains__")?;
        Ok(Value::Bool(vm.contains(&s, &x)?))
    });
    add_method(vm, &r, "__getitem__", |vm, args: Args| {
        let [s, i] = args.exact::<2>("__getitem__")?;
        vm.getitem(&s, &i)
    });
    add_method(vm, &r, "__iter__", |vm, args: Args| {
        let [s] = args.exact::<1>("__iter__")?;
        vm.get_iter(&s)
    });
    let s = vm.types.slice.clone();
    add_getter(vm, &s, "start", |_vm, args: Args| Ok(slice_of(&args.pos[0])?.start.clone()));
    add_getter(vm, &s, "stop", |_vm, args: Args| Ok(slice_of(&args.pos[0])?.stop.clone()));
    add_getter(vm, &s, "step", |_vm, args: Args| Ok(slice_of(&args.pos[0])?.step.clone()));
    add_method(vm, &s, "indices", |vm, args: Args| {
        let [sl, n] = args.exact::<2>("indices")?;
        let n = vm.index_value(&n)?;
        if n < 0 {
            return Err(Exc::value_error("length should not be negative"));
        }
        let (start, stop, step, _) = vm.slice_indices(&*slice_of(&sl)?, n as usize)?;
        Ok(Value::tuple(vec![Value::Int(start), Value::Int(stop), Value::Int(step)]))
    });
}
