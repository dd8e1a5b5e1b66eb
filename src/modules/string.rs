//! The `string` module: character-class constants and `capwords`.

use std::rc::Rc;

use crate::builtins::{add_fn, set_value};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "string");
    let g = &m.globals;
    let lower = "abcdefghijklmnopqrstuvwxyz";
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let digits = "0123456789";
    let punct = r##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##;
    let ws = " \t\n\r\x0b\x0c";
    set_value(vm, g, "ascii_lowercase", Value::str(lower));
    set_value(vm, g, "ascii_uppercase", Value::str(upper));
    set_value(vm, g, "ascii_letters", Value::string(format!("{lower}{upper}")));
    set_value(vm, g, "digits", Value::str(digits));
    set_value(vm, g, "hexdigits", Value::str("0123456789abcdefABCDEF"));
    set_value(vm, g, "octdigits", Value::str("01234567"));
    set_value(vm, g, "punctuation", Value::str(punct));
    set_value(vm, g, "whitespace", Value::str(ws));
    set_value(vm, g, "printable", Value::string(format!("{digits}{lower}{upper}{punct}{ws}")));
    add_fn(vm, g, "capwords", |vm, args: Args| {
        let [s, sep] = args.bind("capwords", ["s", "sep"], 1)?;
        let s = match s {
            Some(Value::Str(s)) => s,
            Some(o) => return Err(Exc::type_error(format!("descriptor 'split' for 'str' objects doesn't apply to a '{}' object", vm.type_name(&o)))),
            None => return Err(Exc::type_error("capwords() missing required argument 's' (pos 1)")),
        };
        // word.capitalize(): first char upper, rest lower.
        let cap = |w: &str| -> String {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c.flat_map(|x| x.to_lowercase())).collect(),
                None => String::new(),
            }
        };
        let out = match sep {
            None | Some(Value::None) => s.as_str().split_whitespace().map(cap).collect::<Vec<_>>().join(" "),
            Some(Value::Str(sep)) => s.as_str().split(sep.as_str()).map(cap).collect::<Vec<_>>().join(sep.as_str()),
            Some(o) => return Err(Exc::type_error(format!("must be str or None, not {}", vm.type_name(&o)))),
        };
        Ok(Value::string(out))
    });
    Ok(m)
}
