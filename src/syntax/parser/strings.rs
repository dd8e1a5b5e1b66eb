//! Literals: numbers, string and bytes escapes, implicit concatenation and f-strings
//! (Python 3.11 rules: a field cannot reuse the f-string's own quote or contain `\`).

use std::rc::Rc;

use num_bigint::BigInt;

use super::expr::mk;
use super::stmt::internal;
use super::{parse_field_expr, Builder, Res, P};
use crate::syntax::ast::*;
use crate::syntax::error::SyntaxError;

/// f-strings nest at most this deep through format specs (CPython's limit).
const MAX_FSTRING_SPEC_DEPTH: usize = 2;

enum Piece {
    Str(String),
    Bytes(Vec<u8>),
    F(Vec<FStringPart>),
}

fn err(msg: impl Into<String>, span: Span) -> SyntaxError {
    SyntaxError::syntax(msg, span).with_code("coro::syntax::bad_literal")
}

impl<'s> Builder<'s> {
    pub(crate) fn number(&self, p: &P) -> Res<Constant> {
        let span = self.span(p);
        parse_number(p.as_str(), span)
    }

    /// One or more adjacent string literals.
    pub(crate) fn strings(&self, p: P) -> Res<Expr> {
        let span = self.span(&p);
        let mut pieces = Vec::new();
        for s in p.into_inner() {
            let text = s.as_str();
            let start = self.pos(s.as_span().start());
            pieces.push(self.one_string(text, start, self.span(&s))?);
        }
        let has_bytes = pieces.iter().any(|x| matches!(x, Piece::Bytes(_)));
        let has_str = pieces.iter().any(|x| !matches!(x, Piece::Bytes(_)));
        if has_bytes && has_str {
            return Err(err("cannot mix bytes and nonbytes literals", span));
        }
        if has_bytes {
            let mut all = Vec::new();
            for x in pieces {
                if let Piece::Bytes(b) = x {
                    all.extend(b);
                }
            }
            return Ok(mk(ExprKind::Constant(Constant::Bytes(Rc::new(all))), span));
        }
        if !pieces.iter().any(|x| matches!(x, Piece::F(_))) {
            let mut all = String::new();
            for x in pieces {
                if let Piece::Str(s) = x {
                    all.push_str(&s);
                }
            }
            return Ok(mk(ExprKind::Constant(Constant::Str(Rc::new(crate::runtime::str::PyStr::from_string(all)))), span));
        }
        let mut parts: Vec<FStringPart> = Vec::new();
        for x in pieces {
            match x {
                Piece::Str(s) => push_literal(&mut parts, &s),
                Piece::F(fp) => {
                    for part in fp {
                        match part {
                            FStringPart::Literal(l) => push_literal(&mut parts, &l),
                            f => parts.push(f),
                        }
                    }
                }
                Piece::Bytes(_) => {}
            }
        }
        Ok(mk(ExprKind::FString(parts), span))
    }

    fn one_string(&self, text: &str, start: usize, span: Span) -> Res<Piece> {
        let q = text.find(['\'', '"']).ok_or_else(|| internal(span))?;
        let prefix = text[..q].to_ascii_lowercase();
        let raw = prefix.contains('r');
        let bytes = prefix.contains('b');
        let fstr = prefix.contains('f');
        let rest = &text[q..];
        let quote_len = if rest.len() >= 6 && (rest.starts_with("\"\"\"") || rest.starts_with("'''")) { 3 } else { 1 };
        if rest.len() < 2 * quote_len {
            return Err(internal(span));
        }
        let body = &rest[quote_len..rest.len() - quote_len];
        let body_start = start + q + quote_len;
        if fstr {
            return Ok(Piece::F(self.fstring_body(body, body_start, raw, 0)?));
        }
        if bytes {
            if let Some(c) = body.chars().find(|c| !c.is_ascii()) {
                let _ = c;
                return Err(err("bytes can only contain ASCII literal characters", span));
            }
            let body = normalize_newlines(body);
            return Ok(Piece::Bytes(if raw { body.into_bytes() } else { decode_bytes(&body, span)? }));
        }
        let body = normalize_newlines(body);
        Ok(Piece::Str(if raw { body } else { decode_str(&body, span)? }))
    }

    /// The inside of an f-string (or of a format spec, at `depth` > 0).
    fn fstring_body(&self, body: &str, offset: usize, raw: bool, depth: usize) -> Res<Vec<FStringPart>> {
        let bytes = body.as_bytes();
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut i = 0;
        let flush = |lit: &mut String, parts: &mut Vec<FStringPart>| -> Res<()> {
            if !lit.is_empty() {
                let text = normalize_newlines(lit);
                let s = if raw { text } else { decode_str(&text, Span::new(offset, offset + body.len()))? };
                push_literal(parts, &s);
                lit.clear();
            }
            Ok(())
        };
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'{' {
                if bytes.get(i + 1) == Some(&b'{') && depth == 0 {
                    lit.push('{');
                    i += 2;
                    continue;
                }
                flush(&mut lit, &mut parts)?;
                let (field, end) = self.fstring_field(body, i, offset, raw, depth)?;
                parts.push(FStringPart::Field(field));
                i = end;
            } else if c == b'}' {
                if bytes.get(i + 1) == Some(&b'}') && depth == 0 {
                    lit.push('}');
                    i += 2;
                    continue;
                }
                return Err(err("f-string: single '}' is not allowed", Span::new(offset + i, offset + i + 1)));
            } else if c == b'\\' && !raw {
                // Keep the escape for the decoder, but never swallow a brace after it.
                lit.push('\\');
                i += 1;
                if let Some(ch) = body[i..].chars().next() {
                    if ch != '{' && ch != '}' {
                        lit.push(ch);
                        i += ch.len_utf8();
                    }
                }
            } else {
                let ch = body[i..].chars().next().unwrap_or(' ');
                lit.push(ch);
                i += ch.len_utf8();
            }
        }
        flush(&mut lit, &mut parts)?;
        Ok(parts)
    }

    /// Parses the field starting at `body[open] == '{'`; returns it and the offset just
    /// past its closing `}`.
    fn fstring_field(&self, body: &str, open: usize, offset: usize, raw: bool, depth: usize) -> Res<(FStringField, usize)> {
        let bytes = body.as_bytes();
        let here = |i: usize| Span::new(offset + i, offset + i + 1);
        if depth >= MAX_FSTRING_SPEC_DEPTH {
            return Err(err("f-string: expressions nested too deeply", here(open)));
        }
        let start = open + 1;
        let mut i = start;
        let mut nest = 0usize;
        let mut expr_end = None;
        let mut debug_end = None;
        // Find where the expression ends: at depth 0, `}`, `!` (not `!=`), `:` or a
        // debugging `=` (not part of `==`, `<=`, `>=`, `!=`).
        while i < bytes.len() {
            let c = bytes[i];
            match c {
                b'\'' | b'"' => {
                    let triple = bytes.get(i + 1) == Some(&c) && bytes.get(i + 2) == Some(&c);
                    let ql = if triple { 3 } else { 1 };
                    let mut j = i + ql;
                    loop {
                        if j >= bytes.len() {
                            return Err(err("f-string: unterminated string", here(i)));
                        }
                        if bytes[j] == c && (!triple || (bytes.get(j + 1) == Some(&c) && bytes.get(j + 2) == Some(&c))) {
                            j += ql;
                            break;
                        }
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                b'\\' => return Err(err("f-string expression part cannot include a backslash", here(i))),
                b'#' => return Err(err("f-string expression part cannot include '#'", here(i))),
                b'(' | b'[' | b'{' => nest += 1,
                b')' | b']' => nest = nest.saturating_sub(1),
                b'}' if nest > 0 => nest -= 1,
                b'}' => {
                    expr_end = Some(i);
                    break;
                }
                b'!' if nest == 0 && bytes.get(i + 1) != Some(&b'=') => {
                    expr_end = Some(i);
                    break;
                }
                b':' if nest == 0 => {
                    expr_end = Some(i);
                    break;
                }
                b'=' if nest == 0 => {
                    if bytes.get(i + 1) == Some(&b'=') {
                        i += 2;
                        continue;
                    }
                    let prev = if i > start { bytes[i - 1] } else { 0 };
                    if !matches!(prev, b'<' | b'>' | b'!' | b'=') {
                        expr_end = Some(i);
                        let mut j = i + 1;
                        while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\n' | b'\r') {
                            j += 1;
                        }
                        debug_end = Some(j);
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let Some(expr_end) = expr_end else {
            return Err(err("f-string: expecting '}'", here(open)));
        };
        let expr_text = &body[start..expr_end];
        if expr_text.trim().is_empty() {
            return Err(err("f-string: empty expression not allowed", here(open)));
        }
        // Newlines inside a triple-quoted f-string's field are plain whitespace.
        let cleaned: String = expr_text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        let expr = parse_field_expr(self, &cleaned, offset + start)?;
        let mut i = expr_end;
        let mut debug_text = None;
        if let Some(d) = debug_end {
            debug_text = Some(Rc::from(&body[start..d]));
            i = d;
        }
        let mut conversion = None;
        if bytes.get(i) == Some(&b'!') {
            match bytes.get(i + 1) {
                Some(&c @ (b'r' | b's' | b'a')) => conversion = Some(c as char),
                _ => return Err(err("f-string: invalid conversion character: expected 's', 'r', or 'a'", here(i + 1))),
            }
            i += 2;
        }
        let mut format_spec = None;
        if bytes.get(i) == Some(&b':') {
            // The spec runs to the matching `}`; nested fields are parsed recursively.
            let spec_start = i + 1;
            let mut j = spec_start;
            let mut nest = 0usize;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => nest += 1,
                    b'}' if nest == 0 => break,
                    b'}' => nest -= 1,
                    _ => {}
                }
                j += 1;
            }
            format_spec = Some(self.fstring_body(&body[spec_start..j], offset + spec_start, raw, depth + 1)?);
            i = j;
        }
        if bytes.get(i) != Some(&b'}') {
            return Err(err("f-string: expecting '}'", here(i.min(bytes.len().saturating_sub(1)))));
        }
        if debug_text.is_some() && conversion.is_none() && format_spec.is_none() {
            conversion = Some('r');
        }
        Ok((FStringField { expr: Box::new(expr), debug_text, conversion, format_spec }, i + 1))
    }
}

fn push_literal(parts: &mut Vec<FStringPart>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(FStringPart::Literal(prev)) = parts.last_mut() {
        let joined = format!("{prev}{s}");
        *prev = joined.into();
        return;
    }
    parts.push(FStringPart::Literal(s.into()));
}

/// Python reads source with universal newlines, so a literal never contains `\r`
/// from a line end.
fn normalize_newlines(s: &str) -> String {
    if s.contains('\r') {
        s.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        s.to_string()
    }
}

/// Decodes backslash escapes of a (non-raw) string literal.
pub(crate) fn decode_str(s: &str, span: Span) -> Res<String> {
    if !s.contains('\\') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e as u32 - '0' as u32;
                for _ in 0..2 {
                    match chars.peek() {
                        Some(&(_, d @ '0'..='7')) => {
                            v = v * 8 + (d as u32 - '0' as u32);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                for k in 0..n {
                    match chars.peek().and_then(|&(_, d)| d.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            chars.next();
                        }
                        None => {
                            let what = match e {
                                'x' => "truncated \\xXX escape",
                                'u' => "truncated \\uXXXX escape",
                                _ => "truncated \\UXXXXXXXX escape",
                            };
                            return Err(err(
                                format!("(unicode error) 'unicodeescape' codec can't decode bytes in position 0-{}: {what}", k + 1),
                                span,
                            ));
                        }
                    }
                }
                match char::from_u32(v) {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err(err(
                            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character",
                            span,
                        ))
                    }
                }
            }
            'N' => {
                let mut name = String::new();
                if chars.peek().map(|&(_, c)| c) != Some('{') {
                    return Err(err("(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: malformed \\N character escape", span));
                }
                chars.next();
                loop {
                    match chars.next() {
                        Some((_, '}')) => break,
                        Some((_, c)) => name.push(c),
                        None => {
                            return Err(err("(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: malformed \\N character escape", span))
                        }
                    }
                }
                match unicode_names2::character(&name) {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err(err(
                            format!("(unicode error) 'unicodeescape' codec can't decode bytes in position 0-{}: unknown Unicode character name", name.len() + 3),
                            span,
                        ))
                    }
                }
            }
            other => {
                // CPython keeps unknown escapes (with a DeprecationWarning).
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Decodes backslash escapes of a (non-raw) bytes literal; the text is ASCII.
fn decode_bytes(s: &str, span: Span) -> Res<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = b.get(i) else {
            out.push(b'\\');
            break;
        };
        i += 1;
        match e {
            b'\n' => {}
            b'\\' | b'\'' | b'"' => out.push(e),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = (e - b'0') as u32;
                for _ in 0..2 {
                    match b.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + (d - b'0') as u32;
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' => {
                let hex = b.get(i..i + 2).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => {
                        return Err(err(
                            "(value error) invalid \\x escape at position 0",
                            span,
                        ))
                    }
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Integer, float and imaginary literals (`_` separators allowed).
pub(crate) fn parse_number(text: &str, span: Span) -> Res<Constant> {
    let clean: String = text.chars().filter(|&c| c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    if let Some(imag) = lower.strip_suffix('j') {
        let v: f64 = imag.parse().map_err(|_| err("invalid imaginary literal", span))?;
        return Ok(Constant::Imaginary(v));
    }
    let radix = if lower.starts_with("0x") {
        16
    } else if lower.starts_with("0o") {
        8
    } else if lower.starts_with("0b") {
        2
    } else {
        10
    };
    if radix != 10 {
        let digits = &lower[2..];
        return match i64::from_str_radix(digits, radix) {
            Ok(v) => Ok(Constant::Int(v)),
            Err(_) => BigInt::parse_bytes(digits.as_bytes(), radix)
                .map(|b| Constant::BigInt(Rc::new(b)))
                .ok_or_else(|| err("invalid integer literal", span)),
        };
    }
    if lower.contains(['.', 'e']) {
        let v: f64 = lower.parse().map_err(|_| err("invalid decimal literal", span))?;
        return Ok(Constant::Float(v));
    }
    if lower.len() > 1 && lower.starts_with('0') && lower.bytes().any(|b| b != b'0') {
        return Err(err(
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers",
            span,
        ));
    }
    match lower.parse::<i64>() {
        Ok(v) => Ok(Constant::Int(v)),
        Err(_) => BigInt::parse_bytes(lower.as_bytes(), 10)
            .map(|b| Constant::BigInt(Rc::new(b)))
            .ok_or_else(|| err("invalid decimal literal", span)),
    }
}
