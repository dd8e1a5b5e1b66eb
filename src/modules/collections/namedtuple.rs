//! `collections.namedtuple`: a real tuple subclass (instances carry a tuple payload, so
//! indexing, unpacking, hashing and comparison are the tuple's).

use std::cell::RefCell;
use std::rc::Rc;

use crate::builtins::object::make_property;
use crate::runtime::class::{Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::function::BuiltinFunction;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::Name;
use crate::vm::Vm;

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
    "pass", "raise", "return", "try", "while", "with", "yield",
];

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    match c.next() {
        Some(f) if f == '_' || unicode_ident::is_xid_start(f) => c.all(|ch| ch == '_' || unicode_ident::is_xid_continue(ch)),
        _ => false,
    }
}

fn tuple_items(vm: &Vm, v: &Value) -> Vec<Value> {
    match vm.builtin_value(v) {
        Value::Tuple(t) => t.to_vec(),
        _ => vec![],
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

fn quoted_list(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        2 => format!("{} and {}", q[0], q[1]),
        _ => format!("{}, and {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}

/// Bind `__new__` arguments to the fields, with CPython's error messages.
fn bind_fields(typename: &str, fields: &[String], defaults: &[Value], args: &Args, skip: usize) -> PyResult<Vec<Value>> {
    let n = fields.len();
    let npos = args.pos.len().saturating_sub(skip);
    let qual = format!("{typename}.__new__()");
    if npos > n {
        return Err(Exc::type_error(format!("{qual} takes {} positional arguments but {} were given", n + 1, npos + 1)));
    }
    let mut out: Vec<Option<Value>> = args.pos.iter().skip(skip).cloned().map(Some).collect();
    out.resize(n, None);
    for (k, v) in &args.kw {
        match fields.iter().position(|f| f.as_str() == &**k) {
            Some(i) if out[i].is_some() => return Err(Exc::type_error(format!("{qual} got multiple values for argument '{k}'"))),
            Some(i) => out[i] = Some(v.clone()),
            None => return Err(Exc::type_error(format!("{qual} got an unexpected keyword argument '{k}'"))),
        }
    }
    let first_default = n - defaults.len();
    for i in first_default..n {
        if out[i].is_none() {
            out[i] = Some(defaults[i - first_default].clone());
        }
    }
    let missing: Vec<&str> = (0..n).filter(|i| out[*i].is_none()).map(|i| fields[i].as_str()).collect();
    if !missing.is_empty() {
        return Err(Exc::type_error(format!(
            "{qual} missing {} required positional {}: {}",
            missing.len(),
            if missing.len() == 1 { "argument" } else { "arguments" },
            quoted_list(&missing)
        )));
    }
    let _ = plural;
    Ok(out.into_iter().map(|v| v.unwrap_or(Value::None)).collect())
}

pub fn namedtuple(vm: &Vm, mut args: Args) -> PyResult<Value> {
    let defaults = args.take_kw("defaults");
    let rename = match args.take_kw("rename") {
        Some(r) => vm.truthy(&r)?,
        None => false,
    };
    let module = args.take_kw("module");
    let [typename, field_names] = args.bind("namedtuple", ["typename", "field_names"], 2)?;
    let typename = match typename {
        Some(Value::Str(s)) => s.as_str().to_string(),
        Some(o) => vm.to_str(&o)?.as_str().to_string(),
        None => String::new(),
    };
    let raw: Vec<String> = match field_names {
        Some(Value::Str(s)) => s.as_str().replace(',', " ").split_whitespace().map(|s| s.to_string()).collect(),
        Some(v) => vm.collect(&v)?.iter().map(|x| vm.to_str(x).map(|s| s.as_str().to_string())).collect::<PyResult<_>>()?,
        None => vec![],
    };
    let mut fields: Vec<String> = Vec::new();
    for (i, f) in raw.into_iter().enumerate() {
        let bad = !is_identifier(&f) || KEYWORDS.contains(&f.as_str()) || f.starts_with('_') || fields.contains(&f);
        fields.push(if rename && bad { format!("_{i}") } else { f });
    }
    for name in std::iter::once(&typename).chain(fields.iter()) {
        if !is_identifier(name) {
            return Err(Exc::value_error(format!("Type names and field names must be valid identifiers: '{name}'")));
        }
        if KEYWORDS.contains(&name.as_str()) {
            return Err(Exc::value_error(format!("Type names and field names cannot be a keyword: '{name}'")));
        }
    }
    let mut seen: Vec<&String> = Vec::new();
    for f in &fields {
        if f.starts_with('_') {
            return Err(Exc::value_error(format!("Field names cannot start with an underscore: '{f}'")));
        }
        if seen.contains(&f) {
            return Err(Exc::value_error(format!("Encountered duplicate field name: '{f}'")));
        }
        seen.push(f);
    }
    let defaults: Vec<Value> = match defaults {
        None | Some(Value::None) => vec![],
        Some(d) => vm.collect(&d)?,
    };
    if defaults.len() > fields.len() {
        return Err(Exc::type_error("Got more default values than field names"));
    }
    let fields = Rc::new(fields);
    let defaults = Rc::new(defaults);
    let tn: Rc<str> = typename.as_str().into();

    let mut ns: Vec<(Name, Value)> = Vec::new();
    let module_name = match module {
        Some(Value::Str(s)) => s.as_str().to_string(),
        _ => "__main__".to_string(),
    };
    ns.push((vm.intern("__module__"), Value::string(module_name)));
    ns.push((vm.intern("__qualname__"), Value::str(&typename)));
    ns.push((vm.intern("__doc__"), Value::string(format!("{typename}({})", fields.join(", ")))));
    ns.push((vm.intern("__slots__"), Value::tuple(vec![])));
    let field_tuple = Value::tuple(fields.iter().map(|f| Value::str(f)).collect());
    ns.push((vm.intern("_fields"), field_tuple.clone()));
    ns.push((vm.intern("__match_args__"), field_tuple));
    let fd = PyDict::new();
    let first_default = fields.len() - defaults.len();
    for (i, d) in defaults.iter().enumerate() {
        fd.set(vm, Value::str(&fields[first_default + i]), d.clone())?;
    }
    ns.push((vm.intern("_field_defaults"), Value::Dict(Rc::new(fd))));

    let (f2, d2, t2) = (fields.clone(), defaults.clone(), tn.clone());
    let new = BuiltinFunction::new("__new__", move |vm, args: Args| {
        let Some(Value::Class(cls)) = args.pos.first().cloned() else {
            return Err(Exc::type_error(format!("{t2}.__new__(): not enough arguments")));
        };
        let vals = bind_fields(&t2, &f2, &d2, &args, 1)?;
        let _ = vm;
        Ok(Value::Instance(Instance::new(cls, Payload::Builtin(RefCell::new(Value::tuple(vals))))))
    });
    ns.push((vm.intern("__new__"), new));

    let f2 = fields.clone();
    ns.push((
        vm.intern("__repr__"),
        BuiltinFunction::new("__repr__", move |vm, args: Args| {
            let s = args.pos.first().cloned().unwrap_or(Value::None);
            let items = tuple_items(vm, &s);
            let mut parts = Vec::new();
            for (f, v) in f2.iter().zip(items.iter()) {
                parts.push(format!("{f}={}", vm.repr(v)?));
            }
            Ok(Value::string(format!("{}({})", vm.type_name(&s), parts.join(", "))))
        }),
    ));
    let f2 = fields.clone();
    ns.push((
        vm.intern("_asdict"),
        BuiltinFunction::new("_asdict", move |vm, args: Args| {
            let s = args.pos.first().cloned().unwrap_or(Value::None);
            let d = PyDict::new();
            for (f, v) in f2.iter().zip(tuple_items(vm, &s)) {
                d.set(vm, Value::str(f), v)?;
            }
            Ok(Value::Dict(Rc::new(d)))
        }),
    ));
    let f2 = fields.clone();
    ns.push((
        vm.intern("_replace"),
        BuiltinFunction::new("_replace", move |vm, args: Args| {
            let s = args.pos.first().cloned().unwrap_or(Value::None);
            let mut items = tuple_items(vm, &s);
            let mut unknown = Vec::new();
            for (k, v) in args.kw {
                match f2.iter().position(|f| f.as_str() == &*k) {
                    Some(i) if i < items.len() => items[i] = v,
                    _ => unknown.push(Value::str(&k)),
                }
            }
            if !unknown.is_empty() {
                return Err(Exc::value_error(format!("Got unexpected field names: {}", vm.repr(&Value::list(unknown))?)));
            }
            Ok(Value::Instance(Instance::new(vm.type_of(&s), Payload::Builtin(RefCell::new(Value::tuple(items))))))
        }),
    ));
    let n = fields.len();
    let make = BuiltinFunction::new("_make", move |vm, args: Args| {
        let [cls, it] = args.exact::<2>("_make")?;
        let Value::Class(cls) = cls else { return Err(Exc::type_error("_make requires a class")) };
        let items = vm.collect(&it)?;
        if items.len() != n {
            return Err(Exc::type_error(format!("Expected {n} arguments, got {}", items.len())));
        }
        Ok(Value::Instance(Instance::new(cls, Payload::Builtin(RefCell::new(Value::tuple(items))))))
    });
    ns.push((vm.intern("_make"), vm.wrap_classmethod(make)));
    ns.push((
        vm.intern("__getnewargs__"),
        BuiltinFunction::new("__getnewargs__", |vm, args: Args| {
            Ok(Value::tuple(tuple_items(vm, &args.pos.first().cloned().unwrap_or(Value::None))))
        }),
    ));
    for (i, f) in fields.iter().enumerate() {
        let getter = BuiltinFunction::new(f, move |vm, args: Args| {
            let s = args.pos.first().cloned().unwrap_or(Value::None);
            Ok(tuple_items(vm, &s).get(i).cloned().unwrap_or(Value::None))
        });
        let doc = Value::string(format!("Alias for field number {i}"));
        ns.push((vm.intern(f), make_property(vm, getter, Value::None, Value::None, doc)));
    }
    vm.build_class(&vm.intern(&typename), Args::new([Value::Class(vm.types.tuple.clone())]), ns)
}
