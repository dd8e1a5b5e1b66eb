//! Tree-builder tests through a compact S-expression dump of the AST.

use crate::syntax::ast::*;
use crate::syntax::parse_module;

fn e(x: &Expr) -> String {
    match &x.kind {
        ExprKind::Constant(c) => match c {
            Constant::Int(i) => i.to_string(),
            Constant::BigInt(b) => format!("big:{b}"),
            Constant::Float(f) => format!("{f:?}"),
            Constant::Imaginary(f) => format!("{f:?}j"),
            Constant::Str(s) => format!("{:?}", s.as_str()),
            Constant::Bytes(b) => format!("b{:?}", String::from_utf8_lossy(b)),
            other => format!("{other:?}"),
        },
        ExprKind::Name(n) => n.id.to_string(),
        ExprKind::BinOp { left, op, right } => format!("({op:?} {} {})", e(left), e(right)),
        ExprKind::UnaryOp { op, operand } => format!("({op:?} {})", e(operand)),
        ExprKind::BoolOp { op, values } => format!("({op:?} {})", list(values)),
        ExprKind::Compare { left, ops, comparators } => {
            format!("(cmp {} {ops:?} {})", e(left), list(comparators))
        }
        ExprKind::Await(v) => format!("(await {})", e(v)),
        ExprKind::Call { func, args } => format!("(call {} {})", e(func), args.iter().map(arg).collect::<Vec<_>>().join(" ")),
        ExprKind::Attribute { value, attr } => format!("{}.{}", e(value), attr.name),
        ExprKind::Subscript { value, index } => format!("{}[{}]", e(value), e(index)),
        ExprKind::Slice { lower, upper, step } => {
            let o = |v: &Option<Box<Expr>>| v.as_ref().map_or(String::new(), |x| e(x));
            format!("{}:{}:{}", o(lower), o(upper), o(step))
        }
        ExprKind::Tuple(v) => format!("(tuple {})", list(v)),
        ExprKind::List(v) => format!("[{}]", list(v)),
        ExprKind::Set(v) => format!("{{set {}}}", list(v)),
        ExprKind::Dict(items) => format!("{{dict {}}}", items.len()),
        ExprKind::Starred(v) => format!("*{}", e(v)),
        ExprKind::IfExp { test, body, orelse } => format!("(if {} {} {})", e(test), e(body), e(orelse)),
        ExprKind::Lambda(f) => format!("(lambda {})", f.params.args.len() + f.params.posonly.len()),
        ExprKind::NamedExpr { target, value } => format!("(:= {} {})", e(target), e(value)),
        ExprKind::Yield(v) => format!("(yield {})", v.as_ref().map_or(String::new(), |x| e(x))),
        ExprKind::YieldFrom(v) => format!("(yieldfrom {})", e(v)),
        ExprKind::Comp(c) => format!("(comp {:?} {} {})", c.kind, e(&c.elt), c.generators.len()),
        ExprKind::FString(parts) => format!("(f {})", parts.iter().map(fpart).collect::<Vec<_>>().join(" ")),
    }
}

fn fpart(p: &FStringPart) -> String {
    match p {
        FStringPart::Literal(s) => format!("{s:?}"),
        FStringPart::Field(f) => format!(
            "{{{} {:?} {:?} {}}}",
            e(&f.expr),
            f.debug_text,
            f.conversion,
            f.format_spec.as_ref().map_or(String::from("-"), |s| s.iter().map(fpart).collect::<Vec<_>>().join(" "))
        ),
    }
}

fn arg(a: &Arg) -> String {
    match a {
        Arg::Positional(x) => e(x),
        Arg::Starred(x) => format!("*{}", e(x)),
        Arg::Keyword(k, x) => format!("{}={}", k.name, e(x)),
        Arg::DoubleStarred(x) => format!("**{}", e(x)),
    }
}

fn list(v: &[Expr]) -> String {
    v.iter().map(e).collect::<Vec<_>>().join(" ")
}

/// The single expression of a one-line program.
fn expr(src: &str) -> String {
    let m = parse_module(src, "t").unwrap_or_else(|err| panic!("{src:?}: {}", err.message));
    match &m.body[0].kind {
        StmtKind::Expr(x) => e(x),
        StmtKind::Assign { value, .. } => e(value),
        other => format!("{other:?}"),
    }
}

fn err(src: &str) -> String {
    match parse_module(src, "t") {
        Ok(_) => "ok".into(),
        Err(x) => x.message,
    }
}

#[test]
fn precedence() {
    assert_eq!(expr("-2**2"), "(USub (Pow 2 2))");
    assert_eq!(expr("2**-1"), "(Pow 2 (USub 1))");
    assert_eq!(expr("2**3**2"), "(Pow 2 (Pow 3 2))");
    assert_eq!(expr("a + b * c"), "(Add a (Mult b c))");
    assert_eq!(expr("a | b ^ c & d << 1"), "(BitOr a (BitXor b (BitAnd c (LShift d 1))))");
    assert_eq!(expr("not a == b"), "(Not (cmp a [Eq] b))");
    assert_eq!(expr("a or b and not c"), "(Or a (And b (Not c)))");
    assert_eq!(expr("a or b or c"), "(Or a b c)");
    assert_eq!(expr("a < b <= c"), "(cmp a [Lt, LtE] b c)");
    assert_eq!(expr("(a < b) < c"), "(cmp (cmp a [Lt] b) [Lt] c)");
    assert_eq!(expr("a not in b is not c"), "(cmp a [NotIn, IsNot] b c)");
    assert_eq!(expr("await x ** 2"), "(Pow (await x) 2)");
    assert_eq!(expr("await f(x).y"), "(await (call f x).y)");
    assert_eq!(expr("a if b else c if d else e"), "(if b a (if d c e))");
    assert_eq!(expr("lambda x, y=1: x if y else 0"), "(lambda 2)");
    assert_eq!(err("x := 5"), "invalid syntax");
    assert_eq!(expr("(x := 5)"), "(:= x 5)");
}

#[test]
fn displays_and_calls() {
    assert_eq!(expr("()"), "(tuple )");
    assert_eq!(expr("1,"), "(tuple 1)");
    assert_eq!(expr("(1)"), "1");
    assert_eq!(expr("[1, *a]"), "[1 *a]");
    assert_eq!(expr("{1, 2}"), "{set 1 2}");
    assert_eq!(expr("{}"), "{dict 0}");
    assert_eq!(expr("{**a, 'b': 1}"), "{dict 2}");
    assert_eq!(expr("f(x for x in y)"), "(call f (comp Generator x 1))");
    assert_eq!(expr("f(a, *b, c=1, **d)"), "(call f a *b c=1 **d)");
    assert_eq!(expr("a[1:2, ::3]"), "a[(tuple 1:2: ::3)]");
    assert_eq!(expr("a[1, 2]"), "a[(tuple 1 2)]");
    assert_eq!(expr("a[:]"), "a[::]");
    assert_eq!(expr("[x for x in y if x async for z in w]"), "(comp List x 2)");
    assert_eq!(expr("{k: v for k, v in d}"), "(comp Dict k 1)");
    assert_eq!(expr("x = yield"), "(yield )");
    assert_eq!(expr("await (yield)"), "(await (yield ))");
    assert_eq!(expr("list[int] | None"), "(BitOr list[int] None)");
}

#[test]
fn numbers() {
    assert_eq!(expr("0x_ff"), "255");
    assert_eq!(expr("0o17 + 0b101"), "(Add 15 5)");
    assert_eq!(expr("1_000.5"), "1000.5");
    assert_eq!(expr("1e3"), "1000.0");
    assert_eq!(expr("2j"), "2.0j");
    assert_eq!(expr("99999999999999999999"), "big:99999999999999999999");
    assert_eq!(expr("9223372036854775807"), "9223372036854775807");
}

#[test]
fn strings() {
    assert_eq!(expr(r#"'a\n\t\\\'\x41\u00e9\U0001F600\101\0'"#), "\"a\\n\\t\\\\'Aé😀A\\0\"");
    assert_eq!(expr(r#"r'\n' "x""#), "\"\\\\nx\"");
    assert_eq!(expr(r#"b'\x00a' b"b""#), "b\"\\0ab\"");
    assert_eq!(expr(r#"'\N{EM DASH}'"#), "\"—\"");
    assert_eq!(expr("'''a\r\nb'''"), "\"a\\nb\"");
    assert_eq!(err("b'é'"), "bytes can only contain ASCII literal characters");
    assert_eq!(err("b'a' 'b'"), "cannot mix bytes and nonbytes literals");
}

#[test]
fn fstrings() {
    assert_eq!(expr(r#"f"a{x}b""#), "(f \"a\" {x None None -} \"b\")");
    assert_eq!(expr(r#"f"{x!r:>{w}.{p}f}""#), "(f {x None Some('r') \">\" {w None None -} \".\" {p None None -} \"f\"})");
    assert_eq!(expr(r#"f"{x = }""#), "(f {x Some(\"x = \") Some('r') -})");
    assert_eq!(expr(r#"f"{x=:.2f}""#), "(f {x Some(\"x=\") None \".2f\"})");
    assert_eq!(expr(r#"f"{{x}}" 'y'"#), "(f \"{x}y\")");
    assert_eq!(expr(r#"f"{a['k']}""#), "(f {a[\"k\"] None None -})");
    assert_eq!(expr(r#"f"{x == y}""#), "(f {(cmp x [Eq] y) None None -})");
    assert_eq!(expr(r#"f'{f"{x}"}'"#), "(f {(f {x None None -}) None None -})");
}

#[test]
fn statements() {
    let m = parse_module("if a: pass\nelif b:\n    x = y = 1\nelse:\n    del x\n", "t").unwrap();
    let StmtKind::If { orelse, .. } = &m.body[0].kind else { panic!() };
    assert!(matches!(orelse[0].kind, StmtKind::If { .. }));
    let m = parse_module("async def f(a, /, b=1, *args, c, d=2, **kw) -> int:\n    '''doc'''\n    return a, b\n", "t").unwrap();
    let StmtKind::FunctionDef(f) = &m.body[0].kind else { panic!() };
    assert!(f.is_async);
    assert_eq!(f.docstring.as_deref(), Some("doc"));
    assert_eq!((f.params.posonly.len(), f.params.args.len(), f.params.kwonly.len()), (1, 1, 2));
    assert!(f.params.vararg.is_some() && f.params.kwarg.is_some());
    let src = "from ..m import (x, y as z,)\nimport a.b as c\nwith (open(a) as f, open(b) as g):\n    pass\nx: int = 5\ny: int\nfor k, v in d.items(): pass\n";
    let m = parse_module(src, "t").unwrap();
    assert!(matches!(&m.body[0].kind, StmtKind::ImportFrom { level: 2, names, .. } if names.len() == 2));
    assert!(matches!(&m.body[2].kind, StmtKind::With { items, .. } if items.len() == 2));
    assert!(matches!(&m.body[3].kind, StmtKind::AnnAssign { value: Some(_), simple: true, .. }));
    assert!(matches!(&m.body[5].kind, StmtKind::For { target: Expr { kind: ExprKind::Tuple(_), .. }, .. }));
    assert!(parse_module("try:\n  pass\nexcept (A, B) as e:\n  raise X from e\nelse:\n  pass\nfinally:\n  pass\n", "t").is_ok());
    assert!(parse_module("class A(B, metaclass=M):\n  'doc'\n  x = 1\n", "t").is_ok());
    assert!(parse_module("@dec\n@a.b(c)\nclass A: pass\n", "t").is_ok());
    assert!(parse_module("x = 1; y = 2;\n", "t").is_ok());
    assert!(parse_module("ifx: int = 1\n", "t").is_ok());
}

#[test]
fn target_errors() {
    assert_eq!(err("f() = 1"), "cannot assign to function call here. Maybe you meant '==' instead of '='?");
    assert_eq!(err("f() += 1"), "'function call' is an illegal expression for augmented assignment");
    assert_eq!(err("del f()"), "cannot delete function call");
    assert_eq!(err("for f() in x: pass"), "cannot assign to function call");
    assert_eq!(err("None = 1"), "cannot assign to None");
    assert!(err("a, *b = c").eq("ok"));
    assert_eq!(err("match x:\n    case 1: pass\n"), "the match statement is not supported");
}

#[test]
fn layout_edges() {
    assert!(parse_module("x = 1\r\nif x:\r\n    y = 2\r\n", "t").is_ok());
    assert!(parse_module("x = 1\rif x:\r    y = 2", "t").is_ok());
    let src = "\u{feff}x = 1";
    let m = parse_module(src, "t").unwrap();
    assert_eq!(m.body[0].span.start, 3);
    assert!(parse_module("if x:\n\ty = 1\n\tz = 2", "t").is_ok());
    assert!(parse_module("x = [1,  # one\n  2,\n]\n", "t").is_ok());
    assert!(parse_module("x = 1 + \\\n    2\n", "t").is_ok());
    assert!(parse_module("", "t").is_ok());
    assert!(parse_module("# only a comment", "t").is_ok());
}

#[test]
fn spans_point_into_source() {
    let src = "if a:\n    xyz = f(1)\n";
    let m = parse_module(src, "t").unwrap();
    let StmtKind::If { body, .. } = &m.body[0].kind else { panic!() };
    assert_eq!(&src[body[0].span.range()], "xyz = f(1)");
    let src = "x = f'{abc}'";
    let m = parse_module(src, "t").unwrap();
    let StmtKind::Assign { value, .. } = &m.body[0].kind else { panic!() };
    let ExprKind::FString(parts) = &value.kind else { panic!() };
    let FStringPart::Field(f) = &parts[0] else { panic!() };
    assert_eq!(&src[f.expr.span.range()], "abc");
}

#[test]
fn incomplete_input() {
    use crate::syntax::is_incomplete_input;
    for src in ["x = (1,", "if x:", "s = '''abc", "x = 1 + \\"] {
        let e = parse_module(src, "t").unwrap_err();
        assert!(is_incomplete_input(&e), "{src:?}: {}", e.message);
    }
    let e = parse_module("x = )", "t").unwrap_err();
    assert!(!is_incomplete_input(&e));
}
