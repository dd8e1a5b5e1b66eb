//! The `operator` module: operators as functions, and itemgetter / attrgetter /
//! methodcaller.

use std::rc::Rc;

use crate::builtins::{add_fn, add_method, set_value};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::{BinOp, CmpOp, Name, UnaryOp};
use crate::vm::types::make_class;
use crate::vm::Vm;

enum Getter {
    Items(Vec<Value>),
    Attrs(Vec<String>),
    Method(String, Vec<Value>, Vec<(Name, Value)>),
}

fn getter_class(vm: &Vm, name: &str) -> Rc<Class> {
    let cls = make_class(name, vec![vm.types.object.clone()], BaseKind::Native, None);
    *cls.module.borrow_mut() = "operator".into();
    add_method(vm, &cls, "__call__", |vm, args: Args| {
        let Some(Value::Instance(me)) = args.pos.first().cloned() else { return Err(Exc::type_error("bad getter")) };
        let Some(g) = me.native::<Getter>() else { return Err(Exc::type_error("bad getter")) };
        match g {
            Getter::Method(name, a, kw) => {
                let Some(obj) = args.pos.get(1).cloned() else {
                    return Err(Exc::type_error("methodcaller expected 1 argument, got 0"));
                };
                let m = vm.getattr(&obj, name)?;
                vm.call(&m, Args { pos: a.iter().cloned().collect(), kw: kw.clone() })
            }
            _ => {
                let obj = match &args.pos[1..] {
                    [o] => o.clone(),
                    a => return Err(Exc::type_error(format!("{} expected 1 argument, got {}", me.class().name, a.len()))),
                };
                let one = |i: usize| -> PyResult<Value> {
                    match g {
                        Getter::Items(k) => vm.getitem(&obj, &k[i]),
                        Getter::Attrs(k) => {
                            let mut v = obj.clone();
                            for part in k[i].split('.') {
                                v = vm.getattr(&v, part)?;
                            }
                            Ok(v)
                        }
                        Getter::Method(..) => Ok(Value::None),
                    }
                };
                let n = match g {
                    Getter::Items(k) => k.len(),
                    Getter::Attrs(k) => k.len(),
                    Getter::Method(..) => 0,
                };
                if n == 1 {
                    return one(0);
                }
                Ok(Value::tuple((0..n).map(one).collect::<PyResult<_>>()?))
            }
        }
    });
    cls
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "operator");
    let g = &m.globals;
    let bin: &[(&str, BinOp)] = &[
        ("add", BinOp::Add),
        ("sub", BinOp::Sub),
        ("mul", BinOp::Mult),
        ("matmul", BinOp::MatMult),
        ("truediv", BinOp::Div),
        ("floordiv", BinOp::FloorDiv),
        ("mod", BinOp::Mod),
        ("pow", BinOp::Pow),
        ("lshift", BinOp::LShift),
        ("rshift", BinOp::RShift),
        ("or_", BinOp::BitOr),
        ("xor", BinOp::BitXor),
        ("and_", BinOp::BitAnd),
    ];
    for &(name, op) in bin {
        add_fn(vm, g, name, move |vm, args: Args| {
            let [a, b] = args.exact::<2>(name)?;
            vm.binop(op, &a, &b)
        });
        let iname: &'static str = Box::leak(format!("i{}", name.trim_end_matches('_')).into_boxed_str());
        add_fn(vm, g, iname, move |vm, args: Args| {
            let [a, b] = args.exact::<2>(iname)?;
            vm.inplace_binop(op, &a, &b)
        });
        set_value(vm, g, &format!("__{}__", name.trim_end_matches('_')), g.get_by_name(name).unwrap_or(Value::None));
    }
    for &(name, op) in &[("lt", CmpOp::Lt), ("le", CmpOp::LtE), ("eq", CmpOp::Eq), ("ne", CmpOp::NotEq), ("gt", CmpOp::Gt), ("ge", CmpOp::GtE)] {
        add_fn(vm, g, name, move |vm, args: Args| {
            let [a, b] = args.exact::<2>(name)?;
            vm.compare(op, &a, &b)
        });
    }
    for &(name, op) in &[("neg", UnaryOp::USub), ("pos", UnaryOp::UAdd), ("invert", UnaryOp::Invert), ("inv", UnaryOp::Invert)] {
        add_fn(vm, g, name, move |vm, args: Args| {
            let [a] = args.exact::<1>(name)?;
            vm.unaryop(op, &a)
        });
    }
    add_fn(vm, g, "not_", |vm, args: Args| {
        let [a] = args.exact::<1>("not_")?;
        Ok(Value::Bool(!vm.truthy(&a)?))
    });
    add_fn(vm, g, "truth", |vm, args: Args| {
        let [a] = args.exact::<1>("truth")?;
        Ok(Value::Bool(vm.truthy(&a)?))
    });
    add_fn(vm, g, "is_", |_vm, args: Args| {
        let [a, b] = args.exact::<2>("is_")?;
        Ok(Value::Bool(a.is(&b)))
    });
    add_fn(vm, g, "is_not", |_vm, args: Args| {
        let [a, b] = args.exact::<2>("is_not")?;
        Ok(Value::Bool(!a.is(&b)))
    });
    add_fn(vm, g, "abs", |vm, args: Args| {
        let [a] = args.exact::<1>("abs")?;
        let f = vm.builtin("abs").unwrap_or(Value::None);
        vm.call1(&f, a)
    });
    add_fn(vm, g, "index", |vm, args: Args| {
        let [a] = args.exact::<1>("index")?;
        if let Value::Int(_) | Value::BigInt(_) = a {
            return Ok(a);
        }
        Ok(Value::Int(vm.index_value(&a)?))
    });
    add_fn(vm, g, "getitem", |vm, args: Args| {
        let [a, b] = args.exact::<2>("getitem")?;
        vm.getitem(&a, &b)
    });
    add_fn(vm, g, "setitem", |vm, args: Args| {
        let [a, b, c] = args.exact::<3>("setitem")?;
        vm.setitem(&a, b, c)?;
        Ok(Value::None)
    });
    add_fn(vm, g, "delitem", |vm, args: Args| {
        let [a, b] = args.exact::<2>("delitem")?;
        vm.delitem(&a, &b)?;
        Ok(Value::None)
    });
    add_fn(vm, g, "contains", |vm, args: Args| {
        let [a, b] = args.exact::<2>("contains")?;
        Ok(Value::Bool(vm.contains(&a, &b)?))
    });
    add_fn(vm, g, "concat", |vm, args: Args| {
        let [a, b] = args.exact::<2>("concat")?;
        vm.binop(BinOp::Add, &a, &b)
    });
    add_fn(vm, g, "countOf", |vm, args: Args| {
        let [a, b] = args.exact::<2>("countOf")?;
        let mut n = 0;
        for x in vm.collect(&a)? {
            if vm.eq_or_same(&x, &b)? {
                n += 1;
            }
        }
        Ok(Value::Int(n))
    });
    add_fn(vm, g, "length_hint", |vm, args: Args| {
        let a = args.pos.first().cloned().unwrap_or(Value::None);
        Ok(Value::Int(vm.len(&a).map(|n| n as i64).unwrap_or(0)))
    });
    let item_cls = getter_class(vm, "itemgetter");
    add_fn(vm, g, "itemgetter", move |_vm, args: Args| {
        args.no_kw("itemgetter")?;
        if args.pos.is_empty() {
            return Err(Exc::type_error("itemgetter expected 1 argument, got 0"));
        }
        Ok(Value::Instance(Instance::new(item_cls.clone(), Payload::Native(Box::new(Getter::Items(args.pos.to_vec()))))))
    });
    let attr_cls = getter_class(vm, "attrgetter");
    add_fn(vm, g, "attrgetter", move |_vm, args: Args| {
        args.no_kw("attrgetter")?;
        if args.pos.is_empty() {
            return Err(Exc::type_error("attrgetter expected 1 argument, got 0"));
        }
        let mut names = Vec::new();
        for a in args.pos.iter() {
            match a {
                Value::Str(s) => names.push(s.as_str().to_string()),
                _ => return Err(Exc::type_error("attribute name must be a string")),
            }
        }
        Ok(Value::Instance(Instance::new(attr_cls.clone(), Payload::Native(Box::new(Getter::Attrs(names))))))
    });
    let meth_cls = getter_class(vm, "methodcaller");
    add_fn(vm, g, "methodcaller", move |_vm, args: Args| {
        let Some(Value::Str(name)) = args.pos.first() else {
            return Err(Exc::type_error("method name must be a string"));
        };
        let g = Getter::Method(name.as_str().to_string(), args.pos[1..].to_vec(), args.kw);
        Ok(Value::Instance(Instance::new(meth_cls.clone(), Payload::Native(Box::new(g)))))
    });
    Ok(m)
}
