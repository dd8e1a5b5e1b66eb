//! Checks that assignment, deletion and loop targets are assignable, with CPython's
//! messages ("cannot assign to function call here. Maybe you meant '==' ...").

use super::{Builder, Res};
use crate::syntax::ast::*;
use crate::syntax::error::SyntaxError;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetCtx {
    /// `target = value`
    Assign,
    AugAssign,
    Del,
    For,
    With,
}

/// CPython's name for an expression that cannot be a target.
fn describe(e: &Expr) -> &'static str {
    match &e.kind {
        ExprKind::Call { .. } => "function call",
        ExprKind::Constant(Constant::None) => "None",
        ExprKind::Constant(Constant::True) => "True",
        ExprKind::Constant(Constant::False) => "False",
        ExprKind::Constant(Constant::Ellipsis) => "ellipsis",
        ExprKind::Constant(_) | ExprKind::FString(_) => "literal",
        ExprKind::Compare { .. } => "comparison",
        ExprKind::Lambda(_) => "lambda",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::Await(_) => "await expression",
        ExprKind::Yield(_) | ExprKind::YieldFrom(_) => "yield expression",
        ExprKind::Dict(_) => "dict literal",
        ExprKind::Set(_) => "set display",
        ExprKind::NamedExpr { .. } => "named expression",
        ExprKind::Comp(c) => match c.kind {
            CompKind::List => "list comprehension",
            CompKind::Set => "set comprehension",
            CompKind::Dict => "dict comprehension",
            CompKind::Generator => "generator expression",
        },
        ExprKind::Tuple(_) => "tuple",
        ExprKind::List(_) => "list",
        ExprKind::Starred(_) => "starred",
        _ => "expression",
    }
}

impl<'s> Builder<'s> {
    pub(crate) fn check_target(&self, e: &Expr, ctx: TargetCtx) -> Res<()> {
        match ctx {
            TargetCtx::AugAssign => match &e.kind {
                ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
                _ => Err(SyntaxError::syntax(
                    format!("'{}' is an illegal expression for augmented assignment", describe(e)),
                    e.span,
                )
                .with_code("coro::syntax::invalid_target")),
            },
            _ => {
                if let ExprKind::Starred(_) = e.kind {
                    if ctx != TargetCtx::Del {
                        return Err(SyntaxError::syntax("starred assignment target must be in a list or tuple", e.span)
                            .with_code("coro::syntax::invalid_target"));
                    }
                }
                self.check_inner(e, ctx, true)
            }
        }
    }

    fn check_inner(&self, e: &Expr, ctx: TargetCtx, top: bool) -> Res<()> {
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Attribute { .. } | ExprKind::Subscript { .. } => Ok(()),
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                for x in elts {
                    self.check_inner(x, ctx, false)?;
                }
                Ok(())
            }
            ExprKind::Starred(inner) if ctx != TargetCtx::Del => self.check_inner(inner, ctx, false),
            _ => {
                let what = describe(e);
                let msg = match ctx {
                    TargetCtx::Del => format!("cannot delete {what}"),
                    TargetCtx::Assign if top || true => {
                        if matches!(what, "None" | "True" | "False") {
                            format!("cannot assign to {what}")
                        } else {
                            format!("cannot assign to {what} here. Maybe you meant '==' instead of '='?")
                        }
                    }
                    _ => format!("cannot assign to {what}"),
                };
                Err(SyntaxError::syntax(msg, e.span).with_code("coro::syntax::invalid_target"))
            }
        }
    }
}
