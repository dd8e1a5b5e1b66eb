//! Statements: simple statements, blocks and compound statements.

use std::rc::Rc;

use super::targets::TargetCtx;
use super::{Builder, Res, Rule, P};
use crate::syntax::ast::*;
use crate::syntax::error::SyntaxError;

fn stmt(kind: StmtKind, span: Span) -> Stmt {
    Stmt { kind, span, suspends: false }
}

impl<'s> Builder<'s> {
    /// Appends the statement(s) of one `statement` pair (a simple-statement line may hold
    /// several).
    pub(crate) fn statement(&self, p: P, out: &mut Vec<Stmt>) -> Res<()> {
        match p.as_rule() {
            Rule::EOI => Ok(()),
            Rule::simple_stmts => {
                for s in p.into_inner() {
                    out.push(self.simple_stmt(s)?);
                }
                Ok(())
            }
            _ => {
                out.push(self.compound_stmt(p)?);
                Ok(())
            }
        }
    }

    fn block(&self, p: P) -> Res<Vec<Stmt>> {
        let mut out = Vec::new();
        for s in p.into_inner() {
            self.statement(s, &mut out)?;
        }
        Ok(out)
    }

    fn simple_stmt(&self, p: P) -> Res<Stmt> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut it = p.into_inner();
        let kind = match rule {
            Rule::pass_stmt => StmtKind::Pass,
            Rule::break_stmt => StmtKind::Break,
            Rule::continue_stmt => StmtKind::Continue,
            Rule::return_stmt => StmtKind::Return(it.next().map(|e| self.star_exprs(e)).transpose()?),
            Rule::raise_stmt => {
                let exc = it.next().map(|e| self.expression(e)).transpose()?;
                let cause = it.next().map(|e| self.expression(e)).transpose()?;
                StmtKind::Raise { exc, cause }
            }
            Rule::global_stmt => StmtKind::Global(it.map(|i| self.ident(i)).collect()),
            Rule::nonlocal_stmt => StmtKind::Nonlocal(it.map(|i| self.ident(i)).collect()),
            Rule::del_stmt => {
                let mut targets = Vec::new();
                for e in it {
                    let e = self.any_expr(e)?;
                    self.check_target(&e, TargetCtx::Del)?;
                    targets.push(e);
                }
                StmtKind::Delete(targets)
            }
            Rule::assert_stmt => {
                let test = self.expression(it.next().ok_or_else(|| internal(span))?)?;
                let msg = it.next().map(|e| self.expression(e)).transpose()?;
                StmtKind::Assert { test, msg }
            }
            Rule::import_stmt => {
                let mut names = Vec::new();
                for a in it {
                    let aspan = self.span(&a);
                    let mut ai = a.into_inner();
                    let dotted = ai.next().ok_or_else(|| internal(aspan))?;
                    let name: Name = dotted.as_str().split('.').map(str::trim).collect::<Vec<_>>().join(".").into();
                    let asname = ai.next().map(|i| self.ident(i));
                    names.push(Alias { name, asname, span: aspan, target: NameRef::default() });
                }
                StmtKind::Import(names)
            }
            Rule::from_stmt => {
                let mut level = 0;
                let mut module = None;
                let mut names = Vec::new();
                for c in it {
                    match c.as_rule() {
                        Rule::import_level => level = c.as_str().len() as u32,
                        Rule::dotted_name => {
                            module = Some(c.as_str().split('.').map(str::trim).collect::<Vec<_>>().join(".").into())
                        }
                        Rule::import_star => {}
                        Rule::import_name => {
                            let aspan = self.span(&c);
                            let mut ai = c.into_inner();
                            let n = ai.next().ok_or_else(|| internal(aspan))?;
                            let asname = ai.next().map(|i| self.ident(i));
                            names.push(Alias { name: n.as_str().into(), asname, span: aspan, target: NameRef::default() });
                        }
                        _ => {}
                    }
                }
                StmtKind::ImportFrom { module, names, level }
            }
            Rule::expr_stmt => return self.expr_stmt(span, it),
            _ => return Err(internal(span)),
        };
        Ok(stmt(kind, span))
    }

    fn expr_stmt(&self, span: Span, mut it: pest::iterators::Pairs<Rule>) -> Res<Stmt> {
        let first = it.next().ok_or_else(|| internal(span))?;
        let first = self.any_expr(first)?;
        let Some(next) = it.next() else {
            return Ok(stmt(StmtKind::Expr(first), span));
        };
        match next.as_rule() {
            Rule::annassign => {
                let mut ai = next.into_inner();
                let annotation = self.expression(ai.next().ok_or_else(|| internal(span))?)?;
                let value = ai.next().map(|v| self.any_expr(v)).transpose()?;
                let simple = matches!(first.kind, ExprKind::Name(_)) && !self.is_parenthesized(&first);
                match &first.kind {
                    ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => {}
                    ExprKind::Tuple(_) => {
                        return Err(SyntaxError::syntax("only single target (not tuple) can be annotated", first.span))
                    }
                    ExprKind::List(_) => {
                        return Err(SyntaxError::syntax("only single target (not list) can be annotated", first.span))
                    }
                    _ => return Err(SyntaxError::syntax("illegal target for annotation", first.span)),
                }
                Ok(stmt(StmtKind::AnnAssign { target: first, annotation, value, simple }, span))
            }
            Rule::augassign => {
                let mut ai = next.into_inner();
                let op_pair = ai.next().ok_or_else(|| internal(span))?;
                let op = aug_op(op_pair.as_str()).ok_or_else(|| internal(span))?;
                let value = self.any_expr(ai.next().ok_or_else(|| internal(span))?)?;
                self.check_target(&first, TargetCtx::AugAssign)?;
                Ok(stmt(StmtKind::AugAssign { target: first, op, value }, span))
            }
            _ => {
                let mut targets = vec![first];
                let mut value_pair = Some(next);
                let mut value = None;
                while let Some(rhs) = value_pair.take() {
                    let v = self.any_expr(rhs.into_inner().next().ok_or_else(|| internal(span))?)?;
                    if let Some(prev) = value.replace(v) {
                        targets.push(prev);
                    }
                    value_pair = it.next();
                }
                for t in &targets {
                    self.check_target(t, TargetCtx::Assign)?;
                }
                let value = value.ok_or_else(|| internal(span))?;
                Ok(stmt(StmtKind::Assign { targets, value }, span))
            }
        }
    }

    fn compound_stmt(&self, p: P) -> Res<Stmt> {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::if_stmt => self.if_stmt(p),
            Rule::while_stmt => {
                let mut test = None;
                let mut body = Vec::new();
                let mut orelse = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::block => body = self.block(c)?,
                        Rule::else_clause => orelse = self.else_block(c)?,
                        Rule::missing_colon => return Err(self.missing_colon(&c)),
                        _ => test = Some(self.any_expr(c)?),
                    }
                }
                let test = test.ok_or_else(|| internal(span))?;
                Ok(stmt(StmtKind::While { test, body, orelse }, span))
            }
            Rule::for_stmt => {
                let mut is_async = false;
                let mut target = None;
                let mut iter = None;
                let mut body = Vec::new();
                let mut orelse = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::async_kw => is_async = true,
                        Rule::target_list => {
                            let t = self.target_list(c)?;
                            self.check_target(&t, TargetCtx::For)?;
                            target = Some(t);
                        }
                        Rule::star_exprs => iter = Some(self.star_exprs(c)?),
                        Rule::block => body = self.block(c)?,
                        Rule::else_clause => orelse = self.else_block(c)?,
                        Rule::missing_colon => return Err(self.missing_colon(&c)),
                        _ => {}
                    }
                }
                let (Some(target), Some(iter)) = (target, iter) else { return Err(internal(span)) };
                Ok(stmt(StmtKind::For { is_async, target, iter, body, orelse }, span))
            }
            Rule::try_stmt => {
                let mut body = Vec::new();
                let mut handlers = Vec::new();
                let mut orelse = Vec::new();
                let mut finalbody = Vec::new();
                let mut stars = (0, 0);
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::block => body = self.block(c)?,
                        Rule::except_clause => {
                            let (h, star) = self.except_clause(c)?;
                            if star { stars.0 += 1 } else { stars.1 += 1 }
                            if stars.0 > 0 && stars.1 > 0 {
                                return Err(SyntaxError::syntax(
                                    "cannot have both 'except' and 'except*' on the same 'try'",
                                    h.span,
                                ));
                            }
                            handlers.push(h);
                        }
                        Rule::else_clause => orelse = self.else_block(c)?,
                        Rule::finally_clause => {
                            for f in c.into_inner() {
                                match f.as_rule() {
                                    Rule::block => finalbody = self.block(f)?,
                                    Rule::missing_colon => return Err(self.missing_colon(&f)),
                                    _ => {}
                                }
                            }
                        }
                        Rule::missing_colon => return Err(self.missing_colon(&c)),
                        _ => {}
                    }
                }
                let is_star = stars.0 > 0;
                Ok(stmt(StmtKind::Try { body, handlers, orelse, finalbody, is_star }, span))
            }
            Rule::with_stmt => {
                let mut is_async = false;
                let mut items = Vec::new();
                let mut body = Vec::new();
                for c in p.into_inner() {
                    match c.as_rule() {
                        Rule::async_kw => is_async = true,
                        Rule::with_item => {
                            let mut wi = c.into_inner();
                            let context_expr = self.expression(wi.next().ok_or_else(|| internal(span))?)?;
                            let optional_vars = match wi.next() {
                                Some(t) => {
                                    let t = self.any_expr(t)?;
                                    self.check_target(&t, TargetCtx::With)?;
                                    Some(t)
                                }
                                None => None,
                            };
                            items.push(WithItem { context_expr, optional_vars });
                        }
                        Rule::block => body = self.block(c)?,
                        Rule::missing_colon => return Err(self.missing_colon(&c)),
                        _ => {}
                    }
                }
                Ok(stmt(StmtKind::With { is_async, items, body }, span))
            }
            Rule::funcdef => self.funcdef(p),
            Rule::classdef => self.classdef(p),
            Rule::match_stmt => Err(SyntaxError::syntax("the match statement is not supported", span)
                .with_code("coro::syntax::unsupported")
                .with_help("use if/elif chains instead")),
            _ => Err(internal(span)),
        }
    }

    fn if_stmt(&self, p: P) -> Res<Stmt> {
        let span = self.span(&p);
        let mut test = None;
        let mut body = Vec::new();
        // elif clauses nest as an `If` in the `orelse` of the previous one; build from
        // the last clause backwards.
        let mut elifs = Vec::new();
        let mut orelse = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::block => body = self.block(c)?,
                Rule::elif_clause => {
                    let cspan = self.span(&c);
                    let mut t = None;
                    let mut b = Vec::new();
                    for e in c.into_inner() {
                        match e.as_rule() {
                            Rule::block => b = self.block(e)?,
                            Rule::missing_colon => return Err(self.missing_colon(&e)),
                            _ => t = Some(self.any_expr(e)?),
                        }
                    }
                    elifs.push((cspan, t.ok_or_else(|| internal(cspan))?, b));
                }
                Rule::else_clause => orelse = self.else_block(c)?,
                Rule::missing_colon => return Err(self.missing_colon(&c)),
                _ => test = Some(self.any_expr(c)?),
            }
        }
        while let Some((cspan, t, b)) = elifs.pop() {
            let end = orelse.last().map_or(cspan, |s: &Stmt| s.span);
            orelse = vec![stmt(StmtKind::If { test: t, body: b, orelse }, cspan.to(end))];
        }
        let test = test.ok_or_else(|| internal(span))?;
        Ok(stmt(StmtKind::If { test, body, orelse }, span))
    }

    fn else_block(&self, p: P) -> Res<Vec<Stmt>> {
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::block => return self.block(c),
                Rule::missing_colon => return Err(self.missing_colon(&c)),
                _ => {}
            }
        }
        Ok(Vec::new())
    }

    /// A handler and whether it is `except*`.
    fn except_clause(&self, p: P) -> Res<(ExceptHandler, bool)> {
        let span = self.span(&p);
        let mut star = None;
        let mut typ = None;
        let mut name = None;
        let mut body = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::except_star => star = Some(self.span(&c)),
                Rule::expression => typ = Some(self.expression(c)?),
                Rule::identifier => name = Some(self.ident(c)),
                Rule::block => body = self.block(c)?,
                Rule::missing_colon => return Err(self.missing_colon(&c)),
                _ => {}
            }
        }
        if let (Some(s), None) = (star, &typ) {
            return Err(SyntaxError::syntax("expected one or more exception types", s));
        }
        Ok((ExceptHandler { typ, name, name_ref: NameRef::default(), body, span }, star.is_some()))
    }

    fn funcdef(&self, p: P) -> Res<Stmt> {
        let span = self.span(&p);
        let mut decorators = Vec::new();
        let mut is_async = false;
        let mut name = None;
        let mut params = Parameters::default();
        let mut returns = None;
        let mut body = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::decorator => decorators.push(self.decorator(c)?),
                Rule::async_kw => is_async = true,
                Rule::identifier => name = Some(self.ident(c)),
                Rule::params => params = self.params(c)?,
                Rule::returns => {
                    let e = c.into_inner().next().ok_or_else(|| internal(span))?;
                    returns = Some(self.expression(e)?);
                }
                Rule::block => body = self.block(c)?,
                Rule::missing_colon => return Err(self.missing_colon(&c)),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| internal(span))?;
        let docstring = docstring(&body);
        let f = FunctionDef {
            name,
            params,
            body,
            decorators,
            returns,
            is_async,
            is_lambda: false,
            docstring,
            span,
            scope: Default::default(),
        };
        Ok(stmt(StmtKind::FunctionDef(Rc::new(f)), span))
    }

    fn classdef(&self, p: P) -> Res<Stmt> {
        let span = self.span(&p);
        let mut decorators = Vec::new();
        let mut name = None;
        let mut bases = Vec::new();
        let mut body = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::decorator => decorators.push(self.decorator(c)?),
                Rule::identifier => name = Some(self.ident(c)),
                Rule::arguments => bases = self.arguments(c)?,
                Rule::block => body = self.block(c)?,
                Rule::missing_colon => return Err(self.missing_colon(&c)),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| internal(span))?;
        let docstring = docstring(&body);
        let c = ClassDef { name, bases, body, decorators, docstring, span, scope: Default::default() };
        Ok(stmt(StmtKind::ClassDef(Rc::new(c)), span))
    }

    fn decorator(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        self.any_expr(p.into_inner().next().ok_or_else(|| internal(span))?)
    }

    pub(crate) fn missing_colon(&self, p: &P) -> SyntaxError {
        let at = self.pos(p.as_span().start());
        SyntaxError::syntax("expected ':'", Span::new(at, at))
            .with_code("coro::syntax::expected_colon")
            .with_label("a ':' is expected here")
    }
}

fn docstring(body: &[Stmt]) -> Option<Rc<str>> {
    match body.first().map(|s| &s.kind) {
        Some(StmtKind::Expr(Expr { kind: ExprKind::Constant(Constant::Str(s)), .. })) => Some(s.as_str().into()),
        _ => None,
    }
}

fn aug_op(s: &str) -> Option<BinOp> {
    Some(match s {
        "+=" => BinOp::Add,
        "-=" => BinOp::Sub,
        "*=" => BinOp::Mult,
        "@=" => BinOp::MatMult,
        "/=" => BinOp::Div,
        "//=" => BinOp::FloorDiv,
        "%=" => BinOp::Mod,
        "**=" => BinOp::Pow,
        "<<=" => BinOp::LShift,
        ">>=" => BinOp::RShift,
        "|=" => BinOp::BitOr,
        "^=" => BinOp::BitXor,
        "&=" => BinOp::BitAnd,
        _ => return None,
    })
}

/// The grammar produced a shape the builder does not expect: a bug, reported as an
/// error rather than a panic.
pub(crate) fn internal(span: Span) -> SyntaxError {
    SyntaxError::syntax("invalid syntax (internal parser error)", span).with_code("coro::syntax::internal")
}
