//! The tree builder: runs the pest grammar over the layout pass's output and turns the
//! pairs into `ast::Module`, mapping every span back to the user's file.

mod expr;
mod stmt;
mod strings;
mod targets;

use std::cell::Cell;

use pest::iterators::Pair;
use pest::Parser as _;

use super::ast::{self, Span};
use super::error::SyntaxError;
use super::layout::{self, Layout, DEDENT, INDENT, NEWLINE};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/coro.pest"]
pub(crate) struct CoroParser;

pub(crate) type P<'i> = Pair<'i, Rule>;
pub(crate) type Res<T> = Result<T, SyntaxError>;

/// Nesting beyond this (operators in one expression plus brackets and conditionals
/// around it) is an error rather than a tree deep enough to overflow a recursive
/// evaluator or destructor. CPython gives up at a similar depth.
const MAX_DEPTH: usize = 1000;

/// How a pest offset becomes a source offset.
#[derive(Clone, Copy)]
enum Mapping<'s> {
    /// The whole file, through the layout pass's map.
    Layout(&'s Layout),
    /// A piece of text copied verbatim from the source (an f-string field) at this offset.
    Offset(usize),
}

pub(crate) struct Builder<'s> {
    mapping: Mapping<'s>,
    /// The original file.
    source: &'s str,
    depth: &'s Cell<usize>,
}

impl<'s> Builder<'s> {
    pub(crate) fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        self.span_of(s.start(), s.end())
    }

    pub(crate) fn span_of(&self, start: usize, end: usize) -> Span {
        match self.mapping {
            Mapping::Layout(l) => l.span(start, end),
            Mapping::Offset(o) => Span::new(o + start, o + end),
        }
    }

    pub(crate) fn pos(&self, p: usize) -> usize {
        match self.mapping {
            Mapping::Layout(l) => l.to_source(p),
            Mapping::Offset(o) => o + p,
        }
    }

    /// Runs `f` one level deeper, failing once nesting passes [`MAX_DEPTH`].
    pub(crate) fn nested<T>(&self, weight: usize, span: Span, f: impl FnOnce() -> Res<T>) -> Res<T> {
        let d = self.depth.get() + weight;
        if d > MAX_DEPTH {
            return Err(SyntaxError::syntax("too many nested expressions", span)
                .with_code("coro::syntax::too_deep")
                .with_help("split the expression into several statements"));
        }
        self.depth.set(d);
        let r = f();
        self.depth.set(d - weight);
        r
    }
}

/// Parses a whole file. Spans index `source` (a BOM is skipped but still counted).
pub fn parse_module(source: &str, filename: &str) -> Result<ast::Module, SyntaxError> {
    parse_inner(source).map_err(|e| e.with_source(filename, source))
}

fn set_call_limit(text_len: usize) {
    // A generous bound proportional to the input: ordinary code uses far fewer calls per
    // byte; pathological backtracking stops with an error instead of running for ever.
    let limit = text_len.saturating_mul(4000).max(10_000_000);
    pest::set_call_limit(std::num::NonZeroUsize::new(limit));
}

fn parse_inner(source: &str) -> Res<ast::Module> {
    let mut layout = layout::layout(source)?;
    set_call_limit(layout.text.len());
    if let Some(unclosed) = layout.unclosed.take() {
        // The file ends inside a bracket. Like CPython, report a syntax error the grammar
        // finds on the bracket's own line (`def f(:`), else the unclosed bracket.
        if let Err(e) = CoroParser::parse(Rule::file, &layout.text) {
            let e = pest_error(&layout, source, e);
            let line = |at: u32| super::error::line_col(source, at as usize).0;
            if line(e.span.start) <= line(unclosed.span.start) && (e.span.start as usize) < source.trim_end().len() {
                return Err(e);
            }
        }
        return Err(unclosed);
    }
    let pairs = CoroParser::parse(Rule::file, &layout.text).map_err(|e| pest_error(&layout, source, e))?;
    let depth = Cell::new(0);
    let b = Builder { mapping: Mapping::Layout(&layout), source, depth: &depth };
    let mut body = Vec::new();
    for file in pairs {
        for p in file.into_inner() {
            b.statement(p, &mut body)?;
        }
    }
    Ok(ast::Module { body, span: Span::new(0, source.len()), scope: Default::default() })
}

/// Turns pest's "failed here" into CPython's generic message at the offending token.
fn pest_error(layout: &Layout, source: &str, e: pest::error::Error<Rule>) -> SyntaxError {
    let out_pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    if let pest::error::ErrorVariant::CustomError { message } = &e.variant {
        if message.contains("call limit") {
            let at = layout.to_source(out_pos);
            return SyntaxError::syntax("too many nested expressions", Span::new(at, at))
                .with_code("coro::syntax::too_deep");
        }
    }
    let text = &layout.text;
    // Skip whitespace and DEDENT markers to the token the grammar choked on.
    let mut p = out_pos.min(text.len());
    while let Some(c) = text[p..].chars().next() {
        if c == ' ' || c == '\t' || c == '\x0C' || c == DEDENT {
            p += c.len_utf8();
        } else {
            break;
        }
    }
    let start = layout.to_source(p);
    let next = text[p..].chars().next();
    if next == Some(INDENT) {
        return SyntaxError::new(super::error::SyntaxErrorKind::IndentationError, "unexpected indent", Span::new(start, start + 1))
            .with_code("coro::syntax::unexpected_indent");
    }
    let end = match next {
        None | Some(NEWLINE) => start,
        Some(_) => token_end(source, start),
    };
    SyntaxError::syntax("invalid syntax", Span::new(start, end.max(start)))
        .with_code("coro::syntax::invalid_syntax")
        .with_label("the parser stopped here")
}

/// The end of the token starting at `start` (an identifier, a number or one character).
fn token_end(source: &str, start: usize) -> usize {
    let rest = &source[start.min(source.len())..];
    let mut chars = rest.char_indices();
    match chars.next() {
        None => start,
        Some((_, c)) if c.is_alphanumeric() || c == '_' => {
            let n = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
            start + n
        }
        Some((_, c)) => start + c.len_utf8(),
    }
}

/// Parses an f-string field's expression text found at `offset` in the source.
pub(crate) fn parse_field_expr(b: &Builder, text: &str, offset: usize) -> Res<ast::Expr> {
    let pairs = CoroParser::parse(Rule::field_expr, text).map_err(|e| {
        let p = match e.location {
            pest::error::InputLocation::Pos(p) => p,
            pest::error::InputLocation::Span((s, _)) => s,
        };
        SyntaxError::syntax("f-string: invalid syntax", Span::new(offset + p, offset + p + 1))
            .with_code("coro::syntax::fstring")
    })?;
    let sub = Builder { mapping: Mapping::Offset(offset), source: b.source, depth: b.depth };
    for top in pairs {
        for p in top.into_inner() {
            match p.as_rule() {
                Rule::yield_expr => return sub.yield_expr(p),
                Rule::star_exprs => return sub.star_exprs(p),
                _ => {}
            }
        }
    }
    Err(SyntaxError::syntax("f-string: empty expression not allowed", Span::new(offset, offset + text.len())))
}

#[cfg(test)]
mod tests;
