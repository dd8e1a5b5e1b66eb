//! The `dataclasses` module: `@dataclass` reads the class's `__annotations__` (recorded in
//! definition order by class bodies) and adds `__init__`, `__repr__`, `__eq__`, ordering,
//! frozen `__setattr__` and `__hash__` as Rust methods; plus `field`, `fields`, `asdict`,
//! `astuple`, `replace`, `is_dataclass`.

use std::rc::Rc;

use crate::builtins::{add_fn, set_value};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::dict::PyDict;
use crate::runtime::function::BuiltinFunction;
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::CmpOp;
use crate::vm::types::make_class;
use crate::vm::Vm;

/// One field, as `@dataclass` sees it.
#[derive(Clone)]
struct FieldSpec {
    name: String,
    default: Option<Value>,
    factory: Option<Value>,
    init: bool,
    repr: bool,
    compare: bool,
    kw_only: bool,
}

struct Options {
    init: bool,
    repr: bool,
    eq: bool,
    order: bool,
    frozen: bool,
    unsafe_hash: bool,
    kw_only: bool,
}

/// Module state the decorators need.
struct Ctx {
    field_cls: Rc<Class>,
    missing: Value,
    frozen_err: Rc<Class>,
}

fn attr_or(vm: &Vm, v: &Value, name: &str, missing: &Value) -> Option<Value> {
    match vm.getattr(v, name) {
        Ok(x) if !x.is(missing) => Some(x),
        _ => None,
    }
}

fn spec_from_field(vm: &Vm, ctx: &Ctx, name: &str, f: &Value) -> PyResult<FieldSpec> {
    let flag = |n: &str| -> PyResult<bool> {
        match vm.getattr(f, n) {
            Ok(v) => vm.truthy(&v),
            Err(_) => Ok(true),
        }
    };
    let kw_only = match vm.getattr(f, "kw_only") {
        Ok(v) if !v.is(&ctx.missing) && !v.is_none() => vm.truthy(&v)?,
        _ => false,
    };
    Ok(FieldSpec {
        name: name.to_string(),
        default: attr_or(vm, f, "default", &ctx.missing),
        factory: attr_or(vm, f, "default_factory", &ctx.missing),
        init: flag("init")?,
        repr: flag("repr")?,
        compare: flag("compare")?,
        kw_only,
    })
}

fn frozen_error(vm: &Vm, ctx_err: &Rc<Class>, msg: String) -> Exc {
    match vm.new_instance(ctx_err, &Args::one(Value::string(msg.clone()))) {
        Ok(Value::Instance(i)) => Exc::from_object(i),
        _ => Exc::attribute_error(msg),
    }
}

fn field_values(vm: &Vm, obj: &Value, fields: &[FieldSpec], only_compare: bool) -> PyResult<Vec<Value>> {
    let mut out = Vec::new();
    for f in fields {
        if only_compare && !f.compare {
            continue;
        }
        out.push(vm.getattr(obj, &f.name)?);
    }
    Ok(out)
}

fn quoted(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    match q.len() {
        0 => String::new(),
        1 => q[0].clone(),
        2 => format!("{} and {}", q[0], q[1]),
        _ => format!("{}, and {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}

fn is_mutable_default(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Dict(_) | Value::Set(_))
}

fn process(vm: &Vm, ctx: &Rc<Ctx>, cls: &Value, opts: &Options) -> PyResult<Value> {
    let Value::Class(c) = cls else { return Err(Exc::type_error("dataclass() should be called on a class")) };
    // Inherited fields first, from the most basic dataclass base.
    let mut fields: Vec<FieldSpec> = Vec::new();
    let mro: Vec<Rc<Class>> = c.mro.borrow().iter().skip(1).cloned().collect();
    for base in mro.iter().rev() {
        let Some(Value::Dict(bf)) = base.dict.borrow().get("__dataclass_fields__").cloned() else { continue };
        for (k, f) in bf.items() {
            let Value::Str(k) = &k else { continue };
            let spec = spec_from_field(vm, ctx, k.as_str(), &f)?;
            match fields.iter_mut().find(|x| x.name == spec.name) {
                Some(slot) => *slot = spec,
                None => fields.push(spec),
            }
        }
    }
    let anns = c.dict.borrow().get("__annotations__").cloned();
    let field_objs = PyDict::new();
    if let Some(Value::Dict(anns)) = anns {
        for (k, ann) in anns.items() {
            let Value::Str(name) = &k else { continue };
            // ClassVar annotations are not fields.
            if let Ok(r) = vm.repr(&ann) {
                if r.starts_with("typing.ClassVar") || r == "ClassVar" {
                    continue;
                }
            }
            let default = c.dict.borrow().get(name.as_str()).cloned();
            let fobj = match default {
                Some(v @ Value::Instance(_)) if vm.type_of(&v).is_subclass(&ctx.field_cls) => v,
                other => {
                    let f = make_field(vm, ctx, other.clone().unwrap_or(ctx.missing.clone()), ctx.missing.clone(), true, true, true, Value::None);
                    if let Some(d) = &other {
                        if is_mutable_default(d) {
                            return Err(Exc::value_error(format!(
                                "mutable default {} for field {} is not allowed: use default_factory",
                                vm.repr(&Value::Class(vm.type_of(d)))?,
                                name.as_str()
                            )));
                        }
                    }
                    f
                }
            };
            vm.setattr(&fobj, "name", Value::Str(name.clone()))?;
            vm.setattr(&fobj, "type", ann.clone())?;
            let mut spec = spec_from_field(vm, ctx, name.as_str(), &fobj)?;
            spec.kw_only |= opts.kw_only;
            // The class attribute is the default value (or nothing).
            match &spec.default {
                Some(d) => c.set_attr(vm.intern(name.as_str()), d.clone()),
                None => {
                    c.remove_attr(name.as_str());
                }
            }
            field_objs.set(vm, Value::Str(name.clone()), fobj)?;
            match fields.iter_mut().find(|x| x.name == spec.name) {
                Some(slot) => *slot = spec,
                None => fields.push(spec),
            }
        }
    }
    // Inherited Field objects plus our own, for fields().
    let all = PyDict::new();
    for base in mro.iter().rev() {
        if let Some(Value::Dict(bf)) = base.dict.borrow().get("__dataclass_fields__").cloned() {
            for (k, v) in bf.items() {
                all.set(vm, k, v)?;
            }
        }
    }
    for (k, v) in field_objs.items() {
        all.set(vm, k, v)?;
    }
    c.set_attr(vm.intern("__dataclass_fields__"), Value::Dict(Rc::new(all)));
    // Positional parameters: non-default cannot follow default.
    let mut seen_default = false;
    for f in fields.iter().filter(|f| f.init && !f.kw_only) {
        let has_default = f.default.is_some() || f.factory.is_some();
        if !has_default && seen_default {
            return Err(Exc::type_error(format!("non-default argument '{}' follows default argument", f.name)));
        }
        seen_default |= has_default;
    }
    let fields = Rc::new(fields);
    let own = |n: &str| c.dict.borrow().contains_key(n);
    let qual = c.qualname.borrow().clone();

    if opts.init && !own("__init__") {
        let (fs, q) = (fields.clone(), qual.clone());
        let init = BuiltinFunction::new("__init__", move |vm, args: Args| dc_init(vm, &q, &fs, args));
        c.set_attr(vm.intern("__init__"), init);
    }
    if opts.repr && !own("__repr__") {
        let fs = fields.clone();
        c.set_attr(
            vm.intern("__repr__"),
            BuiltinFunction::new("__repr__", move |vm, args: Args| {
                let s = args.pos.first().cloned().unwrap_or(Value::None);
                let id = s.identity();
                if vm.repr_guard.borrow().contains(&id) {
                    return Ok(Value::str("..."));
                }
                vm.repr_guard.borrow_mut().push(id);
                let r = (|| -> PyResult<String> {
                    let mut parts = Vec::new();
                    for f in fs.iter().filter(|f| f.repr) {
                        parts.push(format!("{}={}", f.name, vm.repr(&vm.getattr(&s, &f.name)?)?));
                    }
                    Ok(format!("{}({})", vm.type_of(&s).qualname.borrow(), parts.join(", ")))
                })();
                vm.repr_guard.borrow_mut().pop();
                Ok(Value::string(r?))
            }),
        );
    }
    if opts.eq && !own("__eq__") {
        let fs = fields.clone();
        c.set_attr(
            vm.intern("__eq__"),
            BuiltinFunction::new("__eq__", move |vm, args: Args| {
                let [a, b] = args.exact::<2>("__eq__")?;
                if !Rc::ptr_eq(&vm.type_of(&a), &vm.type_of(&b)) {
                    return Ok(Value::NotImplemented);
                }
                let (x, y) = (field_values(vm, &a, &fs, true)?, field_values(vm, &b, &fs, true)?);
                Ok(Value::Bool(vm.eq(&Value::tuple(x), &Value::tuple(y))?))
            }),
        );
    }
    if opts.order {
        for (name, op) in [("__lt__", CmpOp::Lt), ("__le__", CmpOp::LtE), ("__gt__", CmpOp::Gt), ("__ge__", CmpOp::GtE)] {
            if own(name) {
                return Err(Exc::type_error(format!(
                    "Cannot overwrite attribute {name} in class {}. Consider using functools.total_ordering",
                    c.name
                )));
            }
            let fs = fields.clone();
            c.set_attr(
                vm.intern(name),
                BuiltinFunction::new(name, move |vm, args: Args| {
                    let [a, b] = args.exact::<2>(name)?;
                    if !Rc::ptr_eq(&vm.type_of(&a), &vm.type_of(&b)) {
                        return Ok(Value::NotImplemented);
                    }
                    let (x, y) = (field_values(vm, &a, &fs, true)?, field_values(vm, &b, &fs, true)?);
                    vm.compare(op, &Value::tuple(x), &Value::tuple(y))
                }),
            );
        }
    }
    if opts.frozen {
        let names: Rc<Vec<String>> = Rc::new(fields.iter().map(|f| f.name.clone()).collect());
        let ctx2 = ctx.clone();
        let n2 = names.clone();
        let cls2 = c.clone();
        c.set_attr(
            vm.intern("__setattr__"),
            BuiltinFunction::new("__setattr__", move |vm, args: Args| {
                let [s, name, v] = args.exact::<3>("__setattr__")?;
                let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
                if Rc::ptr_eq(&vm.type_of(&s), &cls2) || n2.iter().any(|f| f == n.as_str()) {
                    return Err(frozen_error(vm, &ctx2.frozen_err, format!("cannot assign to field '{}'", n.as_str())));
                }
                if let Value::Instance(i) = &s {
                    vm.object_setattr(&s, i, n.as_str(), v)?;
                }
                Ok(Value::None)
            }),
        );
        let ctx2 = ctx.clone();
        let cls2 = c.clone();
        c.set_attr(
            vm.intern("__delattr__"),
            BuiltinFunction::new("__delattr__", move |vm, args: Args| {
                let [s, name] = args.exact::<2>("__delattr__")?;
                let Value::Str(n) = &name else { return Err(Exc::type_error("attribute name must be string")) };
                if Rc::ptr_eq(&vm.type_of(&s), &cls2) || names.iter().any(|f| f == n.as_str()) {
                    return Err(frozen_error(vm, &ctx2.frozen_err, format!("cannot delete field '{}'", n.as_str())));
                }
                Ok(Value::None)
            }),
        );
    }
    // __hash__: CPython's table — eq+frozen (or unsafe_hash) hashes the fields;
    // eq alone makes instances unhashable; otherwise inherit.
    if !own("__hash__") || opts.unsafe_hash {
        if (opts.eq && opts.frozen) || opts.unsafe_hash {
            let fs = fields.clone();
            c.set_attr(
                vm.intern("__hash__"),
                BuiltinFunction::new("__hash__", move |vm, args: Args| {
                    let [s] = args.exact::<1>("__hash__")?;
                    Ok(Value::Int(vm.hash(&Value::tuple(field_values(vm, &s, &fs, true)?))?))
                }),
            );
        } else if opts.eq {
            c.set_attr(vm.intern("__hash__"), Value::None);
        }
    } else if opts.eq && matches!(c.dict.borrow().get("__hash__"), Some(Value::None)) && own("__eq__") {
        // class body defined __eq__ (build_class set __hash__ = None): keep it.
    }
    let match_args: Vec<Value> = fields.iter().filter(|f| f.init && !f.kw_only).map(|f| Value::str(&f.name)).collect();
    if !own("__match_args__") {
        c.set_attr(vm.intern("__match_args__"), Value::tuple(match_args));
    }
    Ok(cls.clone())
}

fn dc_init(vm: &Vm, qual: &str, fields: &[FieldSpec], args: Args) -> PyResult<Value> {
    let s = args.pos.first().cloned().unwrap_or(Value::None);
    let Value::Instance(inst) = &s else { return Err(Exc::type_error("__init__ needs an instance")) };
    let init: Vec<&FieldSpec> = fields.iter().filter(|f| f.init).collect();
    let positional: Vec<&FieldSpec> = init.iter().copied().filter(|f| !f.kw_only).collect();
    let npos = args.pos.len() - 1;
    if npos > positional.len() {
        let max = positional.len() + 1;
        let min = positional.iter().filter(|f| f.default.is_none() && f.factory.is_none()).count() + 1;
        let takes = if min == max { format!("{max}") } else { format!("from {min} to {max}") };
        return Err(Exc::type_error(format!(
            "{qual}.__init__() takes {takes} positional argument{} but {} were given",
            if max == 1 { "" } else { "s" },
            npos + 1
        )));
    }
    let mut vals: Vec<Option<Value>> = vec![None; init.len()];
    let pos_idx: Vec<usize> = init.iter().enumerate().filter(|(_, f)| !f.kw_only).map(|(i, _)| i).collect();
    for (j, v) in args.pos.iter().skip(1).enumerate() {
        vals[pos_idx[j]] = Some(v.clone());
    }
    for (k, v) in &args.kw {
        match init.iter().position(|f| f.name == **k) {
            Some(i) if vals[i].is_some() => {
                return Err(Exc::type_error(format!("{qual}.__init__() got multiple values for argument '{k}'")))
            }
            Some(i) => vals[i] = Some(v.clone()),
            None => return Err(Exc::type_error(format!("{qual}.__init__() got an unexpected keyword argument '{k}'"))),
        }
    }
    let mut missing_pos = Vec::new();
    let mut missing_kw = Vec::new();
    for (i, f) in init.iter().enumerate() {
        if vals[i].is_none() {
            if let Some(d) = &f.default {
                vals[i] = Some(d.clone());
            } else if let Some(fac) = &f.factory {
                vals[i] = Some(vm.call(fac, Args::empty())?);
            } else if f.kw_only {
                missing_kw.push(f.name.clone());
            } else {
                missing_pos.push(f.name.clone());
            }
        }
    }
    if !missing_pos.is_empty() {
        let n = missing_pos.len();
        return Err(Exc::type_error(format!(
            "{qual}.__init__() missing {n} required positional argument{}: {}",
            if n == 1 { "" } else { "s" },
            quoted(&missing_pos)
        )));
    }
    if !missing_kw.is_empty() {
        let n = missing_kw.len();
        return Err(Exc::type_error(format!(
            "{qual}.__init__() missing {n} required keyword-only argument{}: {}",
            if n == 1 { "" } else { "s" },
            quoted(&missing_kw)
        )));
    }
    for (f, v) in init.iter().zip(vals) {
        vm.object_setattr(&s, inst, &f.name, v.unwrap_or(Value::None))?;
    }
    // Fields with init=False still get their default.
    for f in fields.iter().filter(|f| !f.init) {
        if let Some(d) = &f.default {
            vm.object_setattr(&s, inst, &f.name, d.clone())?;
        } else if let Some(fac) = &f.factory {
            let v = vm.call(fac, Args::empty())?;
            vm.object_setattr(&s, inst, &f.name, v)?;
        }
    }
    if vm.type_of(&s).lookup("__post_init__").is_some() {
        vm.call_method(&s, &vm.intern("__post_init__"), Args::empty())?;
    }
    Ok(Value::None)
}

#[allow(clippy::too_many_arguments)]
fn make_field(vm: &Vm, ctx: &Ctx, default: Value, factory: Value, init: bool, repr: bool, compare: bool, hash: Value) -> Value {
    let inst = Instance::new(ctx.field_cls.clone(), Payload::None);
    {
        let mut a = inst.attrs.borrow_mut();
        a.set(vm.intern("name"), Value::None);
        a.set(vm.intern("type"), Value::None);
        a.set(vm.intern("default"), default);
        a.set(vm.intern("default_factory"), factory);
        a.set(vm.intern("init"), Value::Bool(init));
        a.set(vm.intern("repr"), Value::Bool(repr));
        a.set(vm.intern("hash"), hash);
        a.set(vm.intern("compare"), Value::Bool(compare));
        a.set(vm.intern("metadata"), Value::None);
        a.set(vm.intern("kw_only"), ctx.missing.clone());
    }
    Value::Instance(inst)
}

fn fields_of(vm: &Vm, v: &Value) -> PyResult<Vec<Value>> {
    let cls = match v {
        Value::Class(c) => c.clone(),
        other => vm.type_of(other),
    };
    match cls.lookup("__dataclass_fields__") {
        Some(Value::Dict(d)) => Ok(d.values()),
        _ => Err(Exc::type_error("must be called with a dataclass type or instance")),
    }
}

fn field_names(vm: &Vm, v: &Value) -> PyResult<Vec<String>> {
    let mut out = Vec::new();
    for f in fields_of(vm, v)? {
        if let Value::Str(s) = vm.getattr(&f, "name")? {
            out.push(s.as_str().to_string());
        }
    }
    Ok(out)
}

fn is_dataclass_instance(vm: &Vm, v: &Value) -> bool {
    matches!(v, Value::Instance(_)) && vm.type_of(v).lookup("__dataclass_fields__").is_some()
}

/// asdict/astuple: recurse into dataclasses, lists, tuples and dicts, copying.
fn convert(vm: &Vm, v: &Value, as_dict: bool) -> PyResult<Value> {
    if is_dataclass_instance(vm, v) {
        let names = field_names(vm, v)?;
        if as_dict {
            let d = PyDict::new();
            for n in names {
                let x = vm.getattr(v, &n)?;
                d.set(vm, Value::string(n), convert(vm, &x, as_dict)?)?;
            }
            return Ok(Value::Dict(Rc::new(d)));
        }
        let mut out = Vec::new();
        for n in names {
            out.push(convert(vm, &vm.getattr(v, &n)?, as_dict)?);
        }
        return Ok(Value::tuple(out));
    }
    Ok(match v {
        Value::List(l) => {
            let items = l.borrow().clone();
            Value::list(items.iter().map(|x| convert(vm, x, as_dict)).collect::<PyResult<_>>()?)
        }
        Value::Tuple(t) => Value::tuple(t.iter().map(|x| convert(vm, x, as_dict)).collect::<PyResult<_>>()?),
        Value::Dict(d) => {
            let out = PyDict::new();
            for (k, x) in d.items() {
                out.set(vm, convert(vm, &k, as_dict)?, convert(vm, &x, as_dict)?)?;
            }
            Value::Dict(Rc::new(out))
        }
        other => other.clone(),
    })
}

fn parse_options(vm: &Vm, kw: &mut Args) -> PyResult<Options> {
    let mut flag = |name: &str, default: bool| -> PyResult<bool> {
        match kw.take_kw(name) {
            Some(v) => vm.truthy(&v),
            None => Ok(default),
        }
    };
    let o = Options {
        init: flag("init", true)?,
        repr: flag("repr", true)?,
        eq: flag("eq", true)?,
        order: flag("order", false)?,
        frozen: flag("frozen", false)?,
        unsafe_hash: flag("unsafe_hash", false)?,
        kw_only: flag("kw_only", false)?,
    };
    for n in ["match_args", "slots", "weakref_slot"] {
        let _ = kw.take_kw(n);
    }
    if let Some((k, _)) = kw.kw.first() {
        return Err(Exc::type_error(format!("dataclass() got an unexpected keyword argument '{k}'")));
    }
    if o.order && !o.eq {
        return Err(Exc::value_error("eq must be true if order is true"));
    }
    Ok(o)
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "dataclasses");
    let g = &m.globals;
    let missing_cls = make_class("_MISSING_TYPE", vec![vm.types.object.clone()], BaseKind::Object, None);
    *missing_cls.module.borrow_mut() = "dataclasses".into();
    let missing = Value::Instance(Instance::new(missing_cls, Payload::None));
    let field_cls = make_class("Field", vec![vm.types.object.clone()], BaseKind::Object, None);
    *field_cls.module.borrow_mut() = "dataclasses".into();
    crate::builtins::add_method(vm, &field_cls, "__repr__", |vm, args: Args| {
        let s = args.pos.first().cloned().unwrap_or(Value::None);
        let mut parts = Vec::new();
        for n in ["name", "type", "default", "default_factory", "init", "repr", "hash", "compare", "metadata", "kw_only"] {
            let v = vm.getattr(&s, n).unwrap_or(Value::None);
            let r = if matches!(vm.type_of(&v).name.as_ref(), "_MISSING_TYPE") { "<dataclasses._MISSING_TYPE object>".to_string() } else { vm.repr(&v)? };
            parts.push(format!("{n}={r}"));
        }
        Ok(Value::string(format!("Field({},_field_type=_FIELD)", parts.join(","))))
    });
    let frozen_err = make_class(
        "FrozenInstanceError",
        vec![vm.types.exception(ExcKind::AttributeError).clone()],
        BaseKind::Exception,
        None,
    );
    *frozen_err.module.borrow_mut() = "dataclasses".into();
    set_value(vm, g, "FrozenInstanceError", Value::Class(frozen_err.clone()));
    set_value(vm, g, "MISSING", missing.clone());
    set_value(vm, g, "Field", Value::Class(field_cls.clone()));
    let ctx = Rc::new(Ctx { field_cls, missing, frozen_err });

    let c2 = ctx.clone();
    add_fn(vm, g, "dataclass", move |vm, mut args: Args| {
        let opts = parse_options(vm, &mut args)?;
        match args.pos.first().cloned() {
            Some(cls) if !cls.is_none() => process(vm, &c2, &cls, &opts),
            _ => {
                let c3 = c2.clone();
                Ok(BuiltinFunction::new("wrap", move |vm, args: Args| {
                    let [cls] = args.exact::<1>("wrap")?;
                    process(vm, &c3, &cls, &opts)
                }))
            }
        }
    });
    let c2 = ctx.clone();
    add_fn(vm, g, "field", move |vm, mut args: Args| {
        if !args.pos.is_empty() {
            return Err(Exc::type_error(format!("field() takes 0 positional arguments but {} were given", args.pos.len())));
        }
        let default = args.take_kw("default").unwrap_or(c2.missing.clone());
        let factory = args.take_kw("default_factory").unwrap_or(c2.missing.clone());
        if !default.is(&c2.missing) && !factory.is(&c2.missing) {
            return Err(Exc::value_error("cannot specify both default and default_factory"));
        }
        let mut flag = |n: &str| -> PyResult<bool> {
            match args.take_kw(n) {
                Some(v) => vm.truthy(&v),
                None => Ok(true),
            }
        };
        let (init, repr, compare) = (flag("init")?, flag("repr")?, flag("compare")?);
        let hash = args.take_kw("hash").unwrap_or(Value::None);
        let kw_only = args.take_kw("kw_only");
        let metadata = args.take_kw("metadata");
        if let Some((k, _)) = args.kw.first() {
            return Err(Exc::type_error(format!("field() got an unexpected keyword argument '{k}'")));
        }
        let f = make_field(vm, &c2, default, factory, init, repr, compare, hash);
        if let Some(k) = kw_only {
            vm.setattr(&f, "kw_only", k)?;
        }
        if let Some(md) = metadata {
            vm.setattr(&f, "metadata", md)?;
        }
        Ok(f)
    });
    add_fn(vm, g, "fields", |vm, args: Args| {
        let [v] = args.exact::<1>("fields")?;
        Ok(Value::tuple(fields_of(vm, &v)?))
    });
    add_fn(vm, g, "is_dataclass", |vm, args: Args| {
        let [v] = args.exact::<1>("is_dataclass")?;
        let cls = match &v {
            Value::Class(c) => c.clone(),
            o => vm.type_of(o),
        };
        Ok(Value::Bool(cls.lookup("__dataclass_fields__").is_some()))
    });
    add_fn(vm, g, "asdict", |vm, args: Args| {
        let [v] = args.exact::<1>("asdict")?;
        if !is_dataclass_instance(vm, &v) {
            return Err(Exc::type_error("asdict() should be called on dataclass instances"));
        }
        convert(vm, &v, true)
    });
    add_fn(vm, g, "astuple", |vm, args: Args| {
        let [v] = args.exact::<1>("astuple")?;
        if !is_dataclass_instance(vm, &v) {
            return Err(Exc::type_error("astuple() should be called on dataclass instances"));
        }
        convert(vm, &v, false)
    });
    add_fn(vm, g, "replace", |vm, args: Args| {
        let Some(obj) = args.pos.first().cloned() else {
            return Err(Exc::type_error("replace() missing 1 required positional argument: 'obj'"));
        };
        if !is_dataclass_instance(vm, &obj) {
            return Err(Exc::type_error("replace() should be called on dataclass instances"));
        }
        let mut kw = args.kw;
        for f in fields_of(vm, &obj)? {
            let Value::Str(n) = vm.getattr(&f, "name")? else { continue };
            let init = vm.truthy(&vm.getattr(&f, "init")?)?;
            if !init {
                if kw.iter().any(|(k, _)| &**k == n.as_str()) {
                    return Err(Exc::value_error(format!(
                        "field {} is declared with init=False, it cannot be specified with replace()",
                        n.as_str()
                    )));
                }
                continue;
            }
            if !kw.iter().any(|(k, _)| &**k == n.as_str()) {
                kw.push((vm.intern(n.as_str()), vm.getattr(&obj, n.as_str())?));
            }
        }
        let cls = Value::Class(vm.type_of(&obj));
        vm.call(&cls, Args { pos: Default::default(), kw })
    });
    Ok(m)
}
