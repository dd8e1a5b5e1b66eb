//! Standard streams (`sys.stdout`, `sys.stderr`) and where `print` writes.

use std::rc::Rc;

use super::add_method;
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

/// Payload of `sys.stdout` / `sys.stderr`.
pub struct StdStream {
    pub is_err: bool,
}

fn stream_class(vm: &Vm) -> Rc<Class> {
    if let Some(Value::Class(c)) = vm.builtins.get_by_name("_TextIOWrapper") {
        return c;
    }
    let c = crate::vm::types::make_class("TextIOWrapper", vec![vm.types.object.clone()], BaseKind::Native, None);
    *c.module.borrow_mut() = "_io".into();
    add_method(vm, &c, "write", |vm, args: Args| {
        let [s, text] = args.exact::<2>("write")?;
        let Value::Str(t) = &text else {
            return Err(Exc::type_error(format!("write() argument must be str, not {}", vm.type_name(&text))));
        };
        let is_err = match &s {
            Value::Instance(i) => i.native::<StdStream>().map(|x| x.is_err).unwrap_or(false),
            _ => false,
        };
        if is_err {
            vm.write_stderr(t.as_str());
        } else {
            vm.write_stdout(t.as_str());
        }
        Ok(Value::Int(t.len_chars() as i64))
    });
    add_method(vm, &c, "flush", |vm, _args: Args| {
        vm.flush();
        Ok(Value::None)
    });
    add_method(vm, &c, "isatty", |_vm, _args: Args| Ok(Value::Bool(false)));
    add_method(vm, &c, "fileno", |_vm, args: Args| {
        let is_err = match args.pos.first() {
            Some(Value::Instance(i)) => i.native::<StdStream>().map(|x| x.is_err).unwrap_or(false),
            _ => false,
        };
        Ok(Value::Int(if is_err { 2 } else { 1 }))
    });
    vm.builtins.set_by_name(&vm.intern("_TextIOWrapper"), Value::Class(c.clone()));
    c
}

pub fn std_stream(vm: &Vm, is_err: bool) -> Value {
    let key = if is_err { "_stderr" } else { "_stdout" };
    if let Some(v) = vm.builtins.get_by_name(key) {
        return v;
    }
    let v = Value::Instance(Instance::new(stream_class(vm), Payload::Native(Box::new(StdStream { is_err }))));
    vm.builtins.set_by_name(&vm.intern(key), v.clone());
    v
}

/// Write `text` where `print(..., file=file)` should put it.
pub fn write_to(vm: &Vm, file: Option<&Value>, text: &str) -> PyResult<()> {
    match file {
        None | Some(Value::None) => {
            vm.write_stdout(text);
            Ok(())
        }
        Some(f) => {
            if let Value::Instance(i) = f {
                if let Some(s) = i.native::<StdStream>() {
                    if s.is_err {
                        vm.write_stderr(text);
                    } else {
                        vm.write_stdout(text);
                    }
                    return Ok(());
                }
            }
            vm.call_method(f, &vm.intern("write"), Args::one(Value::str(text)))?;
            Ok(())
        }
    }
}

pub fn install(vm: &Vm) {
    std_stream(vm, false);
    std_stream(vm, true);
}
