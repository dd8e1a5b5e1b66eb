//! Expressions: the Pratt operator table, primaries, displays, comprehensions,
//! call arguments, parameters and lambdas.

use std::rc::Rc;
use std::sync::OnceLock;

use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::stmt::internal;
use super::targets::TargetCtx;
use super::{Builder, Res, Rule, P};
use crate::syntax::ast::*;
use crate::syntax::error::SyntaxError;

pub(crate) fn mk(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span, suspends: false }
}

/// CPython's precedence, lowest first.
fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        use Rule::*;
        PrattParser::new()
            .op(Op::infix(op_or, Assoc::Left))
            .op(Op::infix(op_and, Assoc::Left))
            .op(Op::prefix(op_not))
            .op(Op::infix(op_eq, Assoc::Left)
                | Op::infix(op_ne, Assoc::Left)
                | Op::infix(op_lt, Assoc::Left)
                | Op::infix(op_le, Assoc::Left)
                | Op::infix(op_gt, Assoc::Left)
                | Op::infix(op_ge, Assoc::Left)
                | Op::infix(op_in, Assoc::Left)
                | Op::infix(op_not_in, Assoc::Left)
                | Op::infix(op_is, Assoc::Left)
                | Op::infix(op_is_not, Assoc::Left))
            .op(Op::infix(op_bitor, Assoc::Left))
            .op(Op::infix(op_bitxor, Assoc::Left))
            .op(Op::infix(op_bitand, Assoc::Left))
            .op(Op::infix(op_lshift, Assoc::Left) | Op::infix(op_rshift, Assoc::Left))
            .op(Op::infix(op_add, Assoc::Left) | Op::infix(op_sub, Assoc::Left))
            .op(Op::infix(op_mul, Assoc::Left)
                | Op::infix(op_matmul, Assoc::Left)
                | Op::infix(op_div, Assoc::Left)
                | Op::infix(op_floordiv, Assoc::Left)
                | Op::infix(op_mod, Assoc::Left))
            .op(Op::prefix(op_neg) | Op::prefix(op_pos) | Op::prefix(op_inv))
            .op(Op::infix(op_pow, Assoc::Right))
            .op(Op::prefix(op_await))
    })
}

/// What an operand built by the Pratt parser is, so that `a < b < c` and `a or b or c`
/// flatten while `(a < b) < c` does not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chain {
    None,
    Compare,
    Or,
    And,
}

fn cmp_op(r: Rule) -> Option<CmpOp> {
    Some(match r {
        Rule::op_eq => CmpOp::Eq,
        Rule::op_ne => CmpOp::NotEq,
        Rule::op_lt => CmpOp::Lt,
        Rule::op_le => CmpOp::LtE,
        Rule::op_gt => CmpOp::Gt,
        Rule::op_ge => CmpOp::GtE,
        Rule::op_in => CmpOp::In,
        Rule::op_not_in => CmpOp::NotIn,
        Rule::op_is => CmpOp::Is,
        Rule::op_is_not => CmpOp::IsNot,
        _ => return None,
    })
}

fn bin_op(r: Rule) -> Option<BinOp> {
    Some(match r {
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mult,
        Rule::op_matmul => BinOp::MatMult,
        Rule::op_div => BinOp::Div,
        Rule::op_floordiv => BinOp::FloorDiv,
        Rule::op_mod => BinOp::Mod,
        Rule::op_pow => BinOp::Pow,
        Rule::op_lshift => BinOp::LShift,
        Rule::op_rshift => BinOp::RShift,
        Rule::op_bitor => BinOp::BitOr,
        Rule::op_bitxor => BinOp::BitXor,
        Rule::op_bitand => BinOp::BitAnd,
        _ => return None,
    })
}

impl<'s> Builder<'s> {
    pub(crate) fn ident(&self, p: P) -> Ident {
        Ident { name: p.as_str().into(), span: self.span(&p) }
    }

    /// Any expression-shaped pair (dispatch on its rule).
    pub(crate) fn any_expr(&self, p: P) -> Res<Expr> {
        match p.as_rule() {
            Rule::expression => self.expression(p),
            Rule::star_exprs => self.star_exprs(p),
            Rule::yield_expr => self.yield_expr(p),
            Rule::walrus => self.walrus(p),
            Rule::star_expr | Rule::star_target => {
                let span = self.span(&p);
                let inner = p.into_inner().next().ok_or_else(|| internal(span))?;
                let e = self.any_expr(inner)?;
                Ok(mk(ExprKind::Starred(Box::new(e)), span))
            }
            Rule::disjunction => self.disjunction(p),
            Rule::primary => self.primary(p),
            Rule::target_list => self.target_list(p),
            _ => Err(internal(self.span(&p))),
        }
    }

    /// `lambda_head* disjunction (cond_tail lambda_head* disjunction)*`, folded from the
    /// right: `a if b else c if d else e` is `a if b else (c if d else e)`.
    pub(crate) fn expression(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let items: Vec<P> = p.into_inner().collect();
        if let Some(k) = items.iter().position(|i| i.as_rule() == Rule::missing_else) {
            let start = if k > 0 { self.span(&items[k - 1]) } else { span };
            return Err(SyntaxError::syntax("expected 'else' after 'if' expression", start.to(self.span(&items[k])))
                .with_code("coro::syntax::expected_else"));
        }
        if items.len() == 1 {
            let only = items.into_iter().next().ok_or_else(|| internal(span))?;
            return self.disjunction(only);
        }
        self.nested(items.len(), span, || {
            let mut it = items.into_iter().rev().peekable();
            let last = it.next().ok_or_else(|| internal(span))?;
            let mut acc = self.disjunction(last)?;
            while let Some(item) = it.next() {
                match item.as_rule() {
                    Rule::lambda_head => acc = self.lambda(item, acc)?,
                    Rule::cond_tail => {
                        let tspan = self.span(&item);
                        let mut ti = item.into_inner();
                        let test = self.disjunction(ti.next().ok_or_else(|| internal(tspan))?)?;
                        let body_pair = it.next().ok_or_else(|| internal(tspan))?;
                        let body = self.disjunction(body_pair)?;
                        let s = body.span.to(acc.span);
                        acc = mk(ExprKind::IfExp { test: Box::new(test), body: Box::new(body), orelse: Box::new(acc) }, s);
                    }
                    _ => return Err(internal(span)),
                }
            }
            Ok(acc)
        })
    }

    fn lambda(&self, head: P, body: Expr) -> Res<Expr> {
        let hspan = self.span(&head);
        let mut params = Parameters::default();
        for c in head.into_inner() {
            if c.as_rule() == Rule::lparams {
                params = self.params(c)?;
            }
        }
        let span = hspan.to(body.span);
        let ret = Stmt { kind: StmtKind::Return(Some(body)), span, suspends: false };
        let f = FunctionDef {
            name: Ident { name: "<lambda>".into(), span: hspan },
            params,
            body: vec![ret],
            decorators: Vec::new(),
            returns: None,
            is_async: false,
            is_lambda: true,
            docstring: None,
            span,
            scope: Default::default(),
        };
        Ok(mk(ExprKind::Lambda(Rc::new(f)), span))
    }

    pub(crate) fn walrus(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = it.next().ok_or_else(|| internal(span))?;
        let nspan = self.span(&name);
        let target = mk(ExprKind::Name(NameExpr { id: name.as_str().into(), scope: NameRef::default() }), nspan);
        let value = self.expression(it.next().ok_or_else(|| internal(span))?)?;
        Ok(mk(ExprKind::NamedExpr { target: Box::new(target), value: Box::new(value) }, span))
    }

    /// A comma list that is a tuple when it has a comma (`1,`, `a, *b`).
    pub(crate) fn star_exprs(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let mut elts = Vec::new();
        let mut commas = false;
        for c in p.into_inner() {
            if c.as_rule() == Rule::comma {
                commas = true;
            } else {
                elts.push(self.any_expr(c)?);
            }
        }
        if !commas && elts.len() == 1 {
            return elts.pop().ok_or_else(|| internal(span));
        }
        Ok(mk(ExprKind::Tuple(elts), span))
    }

    pub(crate) fn target_list(&self, p: P) -> Res<Expr> {
        self.star_exprs(p)
    }

    pub(crate) fn yield_expr(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        match p.into_inner().next() {
            None => Ok(mk(ExprKind::Yield(None), span)),
            Some(c) if c.as_rule() == Rule::yield_from => {
                let e = self.expression(c.into_inner().next().ok_or_else(|| internal(span))?)?;
                Ok(mk(ExprKind::YieldFrom(Box::new(e)), span))
            }
            Some(c) => Ok(mk(ExprKind::Yield(Some(Box::new(self.star_exprs(c)?))), span)),
        }
    }

    /// Operators and operands as one flat sequence, ordered by the Pratt parser.
    pub(crate) fn disjunction(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let pairs = p.into_inner();
        let n = pairs.len();
        if n == 1 {
            let only = pairs.peek().ok_or_else(|| internal(span))?;
            return self.primary(only);
        }
        self.nested(n / 2 + 1, span, || {
            let r: Res<(Expr, Chain)> = pratt()
                .map_primary(|prim| Ok((self.primary(prim)?, Chain::None)))
                .map_prefix(|op, rhs| {
                    let (rhs, _) = rhs?;
                    let s = self.span(&op).to(rhs.span);
                    let kind = match op.as_rule() {
                        Rule::op_not => ExprKind::UnaryOp { op: UnaryOp::Not, operand: Box::new(rhs) },
                        Rule::op_neg => ExprKind::UnaryOp { op: UnaryOp::USub, operand: Box::new(rhs) },
                        Rule::op_pos => ExprKind::UnaryOp { op: UnaryOp::UAdd, operand: Box::new(rhs) },
                        Rule::op_inv => ExprKind::UnaryOp { op: UnaryOp::Invert, operand: Box::new(rhs) },
                        Rule::op_await => ExprKind::Await(Box::new(rhs)),
                        _ => return Err(internal(s)),
                    };
                    Ok((mk(kind, s), Chain::None))
                })
                .map_infix(|lhs, op, rhs| {
                    let (lhs, lchain) = lhs?;
                    let (rhs, _) = rhs?;
                    let s = lhs.span.to(rhs.span);
                    let rule = op.as_rule();
                    if let Some(c) = cmp_op(rule) {
                        if lchain == Chain::Compare {
                            if let ExprKind::Compare { left, mut ops, mut comparators } = lhs.kind {
                                ops.push(c);
                                comparators.push(rhs);
                                return Ok((mk(ExprKind::Compare { left, ops, comparators }, s), Chain::Compare));
                            }
                            return Err(internal(s));
                        }
                        let kind = ExprKind::Compare { left: Box::new(lhs), ops: vec![c], comparators: vec![rhs] };
                        return Ok((mk(kind, s), Chain::Compare));
                    }
                    if rule == Rule::op_or || rule == Rule::op_and {
                        let (op, chain) = if rule == Rule::op_or { (BoolOp::Or, Chain::Or) } else { (BoolOp::And, Chain::And) };
                        if lchain == chain {
                            if let ExprKind::BoolOp { op, mut values } = lhs.kind {
                                values.push(rhs);
                                return Ok((mk(ExprKind::BoolOp { op, values }, s), chain));
                            }
                            return Err(internal(s));
                        }
                        return Ok((mk(ExprKind::BoolOp { op, values: vec![lhs, rhs] }, s), chain));
                    }
                    let op = bin_op(rule).ok_or_else(|| internal(s))?;
                    Ok((mk(ExprKind::BinOp { left: Box::new(lhs), op, right: Box::new(rhs) }, s), Chain::None))
                })
                .parse(pairs);
            r.map(|(e, _)| e)
        })
    }

    /// An atom followed by calls, subscripts and attributes, built iteratively.
    pub(crate) fn primary(&self, p: P) -> Res<Expr> {
        if p.as_rule() != Rule::primary {
            return self.any_expr(p);
        }
        let span = self.span(&p);
        let mut it = p.into_inner();
        let atom = it.next().ok_or_else(|| internal(span))?;
        let trailers = it.len();
        if trailers == 0 {
            return self.atom(atom);
        }
        // Each trailer nests the tree one level deeper (`a.b.c` is `(a.b).c`).
        self.nested(trailers, span, || self.trailers(atom, it))
    }

    fn trailers(&self, atom: P, it: pest::iterators::Pairs<Rule>) -> Res<Expr> {
        let mut e = self.atom(atom)?;
        for t in it {
            let tspan = self.span(&t);
            let s = e.span.to(tspan);
            e = match t.as_rule() {
                Rule::call => {
                    let args = match t.into_inner().next() {
                        Some(a) => self.arguments(a)?,
                        None => Vec::new(),
                    };
                    mk(ExprKind::Call { func: Box::new(e), args }, s)
                }
                Rule::subscript => {
                    let sl = t.into_inner().next().ok_or_else(|| internal(tspan))?;
                    let index = self.slices(sl)?;
                    mk(ExprKind::Subscript { value: Box::new(e), index: Box::new(index) }, s)
                }
                Rule::attr => {
                    let id = t.into_inner().next().ok_or_else(|| internal(tspan))?;
                    mk(ExprKind::Attribute { value: Box::new(e), attr: self.ident(id) }, s)
                }
                _ => return Err(internal(tspan)),
            };
        }
        Ok(e)
    }

    fn atom(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::identifier => ExprKind::Name(NameExpr { id: p.as_str().into(), scope: NameRef::default() }),
            Rule::const_none => ExprKind::Constant(Constant::None),
            Rule::const_true => ExprKind::Constant(Constant::True),
            Rule::const_false => ExprKind::Constant(Constant::False),
            Rule::ellipsis => ExprKind::Constant(Constant::Ellipsis),
            Rule::number => ExprKind::Constant(self.number(&p)?),
            Rule::strings => return self.strings(p),
            Rule::paren => return self.nested(1, span, || self.paren(p)),
            Rule::list => return self.nested(1, span, || self.display(p, CompKind::List)),
            Rule::brace => return self.nested(1, span, || self.brace(p)),
            _ => return Err(internal(span)),
        };
        Ok(mk(kind, span))
    }

    fn paren(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let items: Vec<P> = p.into_inner().collect();
        if items.is_empty() {
            return Ok(mk(ExprKind::Tuple(Vec::new()), span));
        }
        if items.len() == 1 && items[0].as_rule() != Rule::comma {
            let only = items.into_iter().next().ok_or_else(|| internal(span))?;
            // A parenthesised expression keeps its own span, as in CPython.
            return match only.as_rule() {
                Rule::yield_expr => self.yield_expr(only),
                _ => self.any_expr(only),
            };
        }
        self.display_items(items, span, CompKind::Generator)
    }

    /// A list (or the tuple/generator inside parentheses).
    fn display(&self, p: P, kind: CompKind) -> Res<Expr> {
        let span = self.span(&p);
        let items: Vec<P> = p.into_inner().collect();
        self.display_items(items, span, kind)
    }

    fn display_items(&self, items: Vec<P>, span: Span, kind: CompKind) -> Res<Expr> {
        let mut elts = Vec::new();
        let mut gens = Vec::new();
        for c in items {
            match c.as_rule() {
                Rule::comma => {}
                Rule::comp_for => gens.push(self.comp_for(c)?),
                _ => elts.push(self.any_expr(c)?),
            }
        }
        if !gens.is_empty() {
            let elt = elts.pop().ok_or_else(|| internal(span))?;
            if let ExprKind::Starred(_) = elt.kind {
                let what = if kind == CompKind::List { "list" } else { "generator" };
                let _ = what;
                return Err(SyntaxError::syntax("iterable unpacking cannot be used in comprehension", elt.span));
            }
            let comp = Comprehension { kind, elt, value: None, generators: gens, span, scope: Default::default() };
            return Ok(mk(ExprKind::Comp(Rc::new(comp)), span));
        }
        Ok(match kind {
            CompKind::List => mk(ExprKind::List(elts), span),
            _ => mk(ExprKind::Tuple(elts), span),
        })
    }

    fn brace(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let mut keys: Vec<Expr> = Vec::new();
        let mut dict_items: Vec<DictItem> = Vec::new();
        let mut is_dict = false;
        let mut gens = Vec::new();
        let mut pending: Option<Expr> = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::comma => {
                    if let Some(k) = pending.take() {
                        keys.push(k);
                    }
                }
                Rule::comp_for => gens.push(self.comp_for(c)?),
                Rule::dict_val => {
                    is_dict = true;
                    let k = pending.take().ok_or_else(|| internal(span))?;
                    let v = self.expression(c.into_inner().next().ok_or_else(|| internal(span))?)?;
                    dict_items.push(DictItem::Pair(k, v));
                }
                Rule::dict_unpack => {
                    is_dict = true;
                    let e = self.disjunction(c.into_inner().next().ok_or_else(|| internal(span))?)?;
                    dict_items.push(DictItem::Unpack(e));
                }
                _ => {
                    if let Some(k) = pending.take() {
                        keys.push(k);
                    }
                    pending = Some(self.any_expr(c)?);
                }
            }
        }
        if let Some(k) = pending.take() {
            keys.push(k);
        }
        if is_dict && !keys.is_empty() {
            return Err(SyntaxError::syntax("':' expected after dictionary key", keys[0].span));
        }
        if !gens.is_empty() {
            if is_dict {
                let Some(DictItem::Pair(k, v)) = dict_items.pop() else {
                    return Err(SyntaxError::syntax("dict unpacking cannot be used in dict comprehension", span));
                };
                let comp = Comprehension { kind: CompKind::Dict, elt: k, value: Some(v), generators: gens, span, scope: Default::default() };
                return Ok(mk(ExprKind::Comp(Rc::new(comp)), span));
            }
            let elt = keys.pop().ok_or_else(|| internal(span))?;
            let comp = Comprehension { kind: CompKind::Set, elt, value: None, generators: gens, span, scope: Default::default() };
            return Ok(mk(ExprKind::Comp(Rc::new(comp)), span));
        }
        if is_dict || keys.is_empty() {
            return Ok(mk(ExprKind::Dict(dict_items), span));
        }
        Ok(mk(ExprKind::Set(keys), span))
    }

    fn comp_for(&self, p: P) -> Res<CompFor> {
        let span = self.span(&p);
        let mut is_async = false;
        let mut target = None;
        let mut iter = None;
        let mut ifs = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::async_kw => is_async = true,
                Rule::target_list => {
                    let t = self.target_list(c)?;
                    self.check_target(&t, TargetCtx::For)?;
                    target = Some(t);
                }
                Rule::disjunction => iter = Some(self.disjunction(c)?),
                Rule::comp_if => {
                    let cond = c.into_inner().next().ok_or_else(|| internal(span))?;
                    ifs.push(self.disjunction(cond)?);
                }
                _ => {}
            }
        }
        let (Some(target), Some(iter)) = (target, iter) else { return Err(internal(span)) };
        Ok(CompFor { is_async, target, iter, ifs })
    }

    /// Subscript contents: one index, a slice, or a tuple of them.
    fn slices(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let mut elts: Vec<Expr> = Vec::new();
        let mut commas = false;
        // True when the last element may still become a slice's lower bound.
        let mut open = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::comma => {
                    commas = true;
                    open = false;
                }
                Rule::slice_tail => {
                    let tspan = self.span(&c);
                    let lower = if open { elts.pop().map(Box::new) } else { None };
                    let mut upper = None;
                    let mut step = None;
                    for part in c.into_inner() {
                        match part.as_rule() {
                            Rule::slice_upper => {
                                let e = part.into_inner().next().ok_or_else(|| internal(tspan))?;
                                upper = Some(Box::new(self.expression(e)?));
                            }
                            Rule::slice_step => {
                                if let Some(e) = part.into_inner().next() {
                                    step = Some(Box::new(self.expression(e)?));
                                }
                            }
                            _ => {}
                        }
                    }
                    let s = lower.as_ref().map_or(tspan, |l| l.span.to(tspan));
                    elts.push(mk(ExprKind::Slice { lower, upper, step }, s));
                    open = false;
                }
                _ => {
                    elts.push(self.any_expr(c)?);
                    open = true;
                }
            }
        }
        if !commas && elts.len() == 1 {
            return elts.pop().ok_or_else(|| internal(span));
        }
        Ok(mk(ExprKind::Tuple(elts), span))
    }

    pub(crate) fn arguments(&self, p: P) -> Res<Vec<Arg>> {
        let mut args = Vec::new();
        let mut seen_kw = false;
        let mut seen_dstar = false;
        let pairs: Vec<P> = p.into_inner().collect();
        let n = pairs.len();
        for c in pairs {
            let span = self.span(&c);
            match c.as_rule() {
                Rule::kwarg => {
                    let mut it = c.into_inner();
                    let name = self.ident(it.next().ok_or_else(|| internal(span))?);
                    let v = self.expression(it.next().ok_or_else(|| internal(span))?)?;
                    seen_kw = true;
                    args.push(Arg::Keyword(name, v));
                }
                Rule::dstar_arg => {
                    let v = self.expression(c.into_inner().next().ok_or_else(|| internal(span))?)?;
                    seen_dstar = true;
                    args.push(Arg::DoubleStarred(v));
                }
                Rule::star_arg => {
                    if seen_dstar {
                        return Err(SyntaxError::syntax(
                            "iterable argument unpacking follows keyword argument unpacking",
                            span,
                        ));
                    }
                    let v = self.expression(c.into_inner().next().ok_or_else(|| internal(span))?)?;
                    args.push(Arg::Starred(v));
                }
                Rule::pos_arg => {
                    let mut it = c.into_inner();
                    let first = it.next().ok_or_else(|| internal(span))?;
                    let e = self.any_expr(first)?;
                    let gens = it.map(|g| self.comp_for(g)).collect::<Res<Vec<_>>>()?;
                    let e = if gens.is_empty() {
                        e
                    } else {
                        if n > 1 {
                            return Err(SyntaxError::syntax("Generator expression must be parenthesized", span));
                        }
                        let comp = Comprehension { kind: CompKind::Generator, elt: e, value: None, generators: gens, span, scope: Default::default() };
                        mk(ExprKind::Comp(Rc::new(comp)), span)
                    };
                    if seen_dstar {
                        return Err(SyntaxError::syntax("positional argument follows keyword argument unpacking", span));
                    }
                    if seen_kw {
                        return Err(SyntaxError::syntax("positional argument follows keyword argument", span));
                    }
                    args.push(Arg::Positional(e));
                }
                _ => return Err(internal(span)),
            }
        }
        Ok(args)
    }

    /// `def` and `lambda` parameter lists.
    pub(crate) fn params(&self, p: P) -> Res<Parameters> {
        let mut ps = Parameters::default();
        let mut seen_star = false;
        let mut seen_default = false;
        let mut names: Vec<Name> = Vec::new();
        let mut star_span = None;
        for c in p.into_inner() {
            let span = self.span(&c);
            match c.as_rule() {
                Rule::slash => {
                    if seen_star || !ps.posonly.is_empty() || ps.args.is_empty() {
                        let msg = if ps.args.is_empty() && !seen_star {
                            "at least one argument must precede /"
                        } else if seen_star {
                            "/ must be ahead of *"
                        } else {
                            "/ may appear only once"
                        };
                        return Err(SyntaxError::syntax(msg, span));
                    }
                    ps.posonly = std::mem::take(&mut ps.args);
                }
                Rule::star_param | Rule::lstar_param => {
                    if seen_star {
                        return Err(SyntaxError::syntax("* argument may appear only once", span));
                    }
                    seen_star = true;
                    star_span = Some(span);
                    if let Some(inner) = c.into_inner().next() {
                        ps.vararg = Some(self.param(inner, None)?);
                    }
                }
                Rule::dstar_param | Rule::ldstar_param => {
                    let inner = c.into_inner().next().ok_or_else(|| internal(span))?;
                    ps.kwarg = Some(self.param(inner, None)?);
                }
                Rule::param_def | Rule::lparam_def => {
                    if ps.kwarg.is_some() {
                        return Err(SyntaxError::syntax("arguments cannot follow var-keyword argument", span));
                    }
                    let mut it = c.into_inner();
                    let inner = it.next().ok_or_else(|| internal(span))?;
                    let default = match it.next() {
                        Some(d) => Some(self.expression(d.into_inner().next().ok_or_else(|| internal(span))?)?),
                        None => None,
                    };
                    let has_default = default.is_some();
                    let param = self.param(inner, default)?;
                    if seen_star {
                        ps.kwonly.push(param);
                    } else {
                        if seen_default && !has_default {
                            return Err(SyntaxError::syntax("non-default argument follows default argument", param.span));
                        }
                        seen_default |= has_default;
                        ps.args.push(param);
                    }
                }
                _ => return Err(internal(span)),
            }
        }
        if seen_star && ps.vararg.is_none() && ps.kwonly.is_empty() {
            return Err(SyntaxError::syntax("named arguments must follow bare *", star_span.unwrap_or_default()));
        }
        let all = ps.posonly.iter().chain(&ps.args).chain(&ps.vararg).chain(&ps.kwonly).chain(&ps.kwarg);
        for prm in all {
            if names.contains(&prm.name.name) {
                return Err(SyntaxError::syntax(
                    format!("duplicate argument '{}' in function definition", prm.name.name),
                    prm.name.span,
                ));
            }
            names.push(prm.name.name.clone());
        }
        Ok(ps)
    }

    fn param(&self, p: P, default: Option<Expr>) -> Res<Param> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let name = self.ident(it.next().ok_or_else(|| internal(span))?);
        let annotation = match it.next() {
            Some(a) => Some(self.expression(a.into_inner().next().ok_or_else(|| internal(span))?)?),
            None => None,
        };
        let span = default.as_ref().map_or(span, |d| span.to(d.span));
        Ok(Param { name, annotation, default, span })
    }

    /// True when the source shows `(` right before the expression.
    pub(crate) fn is_parenthesized(&self, e: &Expr) -> bool {
        let start = (e.span.start as usize).min(self.source.len());
        self.source.get(..start).is_some_and(|s| s.trim_end().ends_with('('))
    }
}
