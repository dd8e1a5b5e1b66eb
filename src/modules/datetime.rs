//! The `datetime` module. The classes are written in coro's own language
//! (`prelude/datetime.coro`, exact integer arithmetic on days/seconds/microseconds);
//! this file also provides the Rust helper module `_datetime`: the interpreter clock
//! (so `--virtual-time` applies to `datetime.now()`) and C-locale `strftime`.

use std::rc::Rc;

use crate::builtins::add_fn;
use crate::modules::time::{now, strftime, Clock, Tm};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    crate::run::load_builtin_source(vm, "datetime", include_str!("prelude/datetime.coro"))
}

/// `_datetime`: `_now()` and `_strftime(fmt, (y, m, d, H, M, S, us, wday, yday, utcoffset))`.
pub fn create_native(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "_datetime");
    let g = &m.globals;
    add_fn(vm, g, "_now", |vm, args: Args| {
        args.exact::<0>("_now")?;
        Ok(Value::Float(now(vm, Clock::Realtime)))
    });
    add_fn(vm, g, "_strftime", |vm, args: Args| {
        let [fmt, fields] = args.exact::<2>("_strftime")?;
        let Value::Str(fmt) = fmt else {
            return Err(Exc::type_error(format!("strftime() argument 1 must be str, not {}", vm.type_name(&fmt))));
        };
        let f = vm.collect(&fields)?;
        if f.len() != 10 {
            return Err(Exc::type_error("_strftime: expected 10 fields"));
        }
        let n = |i: usize| -> PyResult<i64> { vm.index_value(&f[i]) };
        let utcoffset = if f[9].is_none() { None } else { Some(n(9)?) };
        let tm = Tm {
            year: n(0)?,
            mon: n(1)?.clamp(1, 12) as u32,
            mday: n(2)?.clamp(1, 31) as u32,
            hour: n(3)?.clamp(0, 23) as u32,
            min: n(4)?.clamp(0, 59) as u32,
            sec: n(5)?.clamp(0, 61) as u32,
            microsecond: n(6)?.clamp(0, 999_999) as u32,
            wday: n(7)?.rem_euclid(7) as u32,
            yday: n(8)?.clamp(1, 366) as u32,
            isdst: -1,
            utcoffset,
            // %Z for aware objects is substituted by the Python side; naive ones print "".
            zone: None,
        };
        Ok(Value::string(strftime(fmt.as_str(), &tm)))
    });
    Ok(m)
}
