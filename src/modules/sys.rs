//! `sys`: argv, exit, recursion limit, stdout/stderr, version info.

use std::rc::Rc;

use crate::builtins::{add_fn, set_value};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "sys");
    let g = &m.globals;
    let argv: Vec<Value> = vm.argv.borrow().iter().map(|a| Value::str(a)).collect();
    set_value(vm, g, "argv", Value::list(argv));
    add_fn(vm, g, "exit", |_vm, args: Args| {
        let code = args.pos.first().cloned();
        Err(Exc::with_args(ExcKind::SystemExit, code.into_iter().collect()))
    });
    add_fn(vm, g, "getrecursionlimit", |vm, args: Args| {
        args.exact::<0>("getrecursionlimit")?;
        Ok(Value::Int(vm.recursion_limit.get() as i64))
    });
    add_fn(vm, g, "setrecursionlimit", |vm, args: Args| {
        let [n] = args.exact::<1>("setrecursionlimit")?;
        let n = vm.index_value(&n)?;
        if n < 1 {
            return Err(Exc::value_error("recursion limit must be greater or equal than 1"));
        }
        vm.recursion_limit.set(n.min(u32::MAX as i64) as u32);
        Ok(Value::None)
    });
    set_value(vm, g, "version", Value::str("3.11.7 (coro)"));
    set_value(
        vm,
        g,
        "version_info",
        Value::tuple(vec![Value::Int(3), Value::Int(11), Value::Int(7), Value::str("final"), Value::Int(0)]),
    );
    set_value(vm, g, "platform", Value::str(std::env::consts::OS));
    set_value(vm, g, "maxsize", Value::Int(i64::MAX));
    set_value(vm, g, "byteorder", Value::str("little"));
    set_value(vm, g, "path", Value::list(vec![]));
    set_value(vm, g, "executable", Value::str(""));
    set_value(vm, g, "stdout", crate::builtins::io::std_stream(vm, false));
    set_value(vm, g, "stderr", crate::builtins::io::std_stream(vm, true));
    let modules = crate::runtime::dict::PyDict::new();
    for (k, v) in vm.modules.borrow().iter() {
        modules.set(vm, Value::str(k), v.clone())?;
    }
    set_value(vm, g, "modules", Value::Dict(Rc::new(modules)));
    add_fn(vm, g, "exc_info", |vm, _args: Args| {
        Ok(match vm.current_handled() {
            Some(v) => Value::tuple(vec![Value::Class(vm.type_of(&v)), v, Value::None]),
            None => Value::tuple(vec![Value::None, Value::None, Value::None]),
        })
    });
    add_fn(vm, g, "intern", |_vm, args: Args| {
        let [s] = args.exact::<1>("intern")?;
        Ok(s)
    });
    Ok(m)
}
