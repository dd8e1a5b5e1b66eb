//! `str.format` template parsing (CPython 3.11 Objects/stringlib/unicode_format.h) and a generic driver.
//!
//! CPython parses lazily while formatting, so `FormatParser` is an iterator:
//! each field's syntax errors surface when that field is reached. Field-name
//! accessor errors are deferred in `FieldName::trailing_error` because CPython
//! raises them only after applying the accessors before them.

use super::error::FormatError;
use super::int_parse::unicode_decimal;

/// The first part of a field name as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKey {
    /// `{}` / `{.attr}` / `{[0]}`: next automatic index.
    Auto,
    Index(usize),
    Name(String),
}

/// What a field refers to after automatic numbering is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgRef {
    Index(usize),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accessor {
    /// `.name`
    Attr(String),
    /// `[3]`: all-digit keys are ints.
    Index(usize),
    /// `[name]`
    Key(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldName {
    pub first: FieldKey,
    pub accessors: Vec<Accessor>,
    /// Raise this after applying `accessors` (e.g. "Empty attribute in format string").
    pub trailing_error: Option<FormatError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: FieldName,
    /// `!r` / `!s` / `!a`, or any other char (rejected by `check_conversion`
    /// after the object is fetched, as CPython does).
    pub conversion: Option<char>,
    /// Raw spec text after ':' (may contain nested `{...}` fields).
    pub spec: String,
    /// True when `spec` contains '{' and must be expanded recursively.
    pub spec_needs_expanding: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatPiece {
    /// Literal text with `{{`/`}}` unescaped.
    Literal(String),
    Field(Field),
}

/// "Unknown conversion specifier X" for anything but r/s/a.
pub fn check_conversion(c: char) -> Result<(), FormatError> {
    if matches!(c, 'r' | 's' | 'a') {
        Ok(())
    } else {
        Err(FormatError::UnknownConversion { ch: c })
    }
}

/// CPython's `get_integer`: all (Unicode) decimal digits -> Some(value).
fn get_integer(s: &str) -> Result<Option<usize>, FormatError> {
    if s.is_empty() {
        return Ok(None);
    }
    let mut acc: usize = 0;
    for c in s.chars() {
        let Some(d) = unicode_decimal(c) else { return Ok(None) };
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(d as usize))
            .filter(|a| *a <= isize::MAX as usize)
            .ok_or(FormatError::TooManyDecimalDigits)?;
    }
    Ok(Some(acc))
}

/// Split a field name into first part and accessors (`field_name_split` +
/// `FieldNameIterator`).
pub fn parse_field_name(s: &str) -> Result<FieldName, FormatError> {
    let split = s.find(['.', '[']).unwrap_or(s.len());
    let (first_s, mut rest) = s.split_at(split);
    let first = if first_s.is_empty() {
        FieldKey::Auto
    } else {
        match get_integer(first_s)? {
            Some(i) => FieldKey::Index(i),
            None => FieldKey::Name(first_s.to_string()),
        }
    };
    let mut accessors = Vec::new();
    let mut trailing_error = None;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                trailing_error = Some(FormatError::EmptyAttribute);
                break;
            }
            accessors.push(Accessor::Attr(r[..end].to_string()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                trailing_error = Some(FormatError::MissingCloseBracket);
                break;
            };
            if end == 0 {
                trailing_error = Some(FormatError::EmptyAttribute);
                break;
            }
            let key = &r[..end];
            accessors.push(match get_integer(key) {
                Ok(Some(i)) => Accessor::Index(i),
                Ok(None) => Accessor::Key(key.to_string()),
                Err(e) => {
                    trailing_error = Some(e);
                    break;
                }
            });
            rest = &r[end + 1..];
            if !rest.is_empty() && !rest.starts_with(['.', '[']) {
                trailing_error = Some(FormatError::OnlyDotOrBracket);
                break;
            }
        } else {
            // Unreachable by construction (split points are '.' or '['); be safe.
            trailing_error = Some(FormatError::OnlyDotOrBracket);
            break;
        }
    }
    Ok(FieldName { first, accessors, trailing_error })
}

/// Lazy template parser.
pub struct FormatParser<'a> {
    src: &'a str,
    pos: usize,
    failed: bool,
}

impl<'a> FormatParser<'a> {
    pub fn new(src: &'a str) -> Self {
        FormatParser { src, pos: 0, failed: false }
    }

    /// Parse a field starting right after its '{'; returns the field and the
    /// byte position after its closing '}'.
    fn parse_field(&self, start: usize) -> Result<(Field, usize), FormatError> {
        let s = self.src;
        let b = s.as_bytes();
        let mut i = start;
        // Field name: up to '}', '!' or ':'; '[' skips to ']'. All delimiters
        // are ASCII, so byte scanning never splits a UTF-8 sequence.
        let delim = loop {
            let Some(&c) = b.get(i) else { return Err(FormatError::ExpectedCloseBrace) };
            match c {
                b'}' | b'!' | b':' => break c,
                b'{' => return Err(FormatError::UnexpectedBraceInFieldName),
                b'[' => {
                    i += 1;
                    while i < b.len() && b[i] != b']' {
                        i += 1;
                    }
                    if i < b.len() {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        };
        let name_text = &s[start..i];
        i += 1;
        let mut conversion = None;
        let mut delim = delim;
        if delim == b'!' {
            let Some(c) = s[i..].chars().next() else {
                return Err(FormatError::EndOfStringInConversion);
            };
            conversion = Some(c);
            i += c.len_utf8();
            let Some(&d) = b.get(i) else { return Err(FormatError::UnmatchedBraceInSpec) };
            if d != b':' && d != b'}' {
                return Err(FormatError::ExpectedColonAfterConversion);
            }
            delim = d;
            i += 1;
        }
        let mut spec = String::new();
        let mut needs = false;
        if delim == b':' {
            let spec_start = i;
            let mut depth = 1;
            loop {
                let Some(&c) = b.get(i) else { return Err(FormatError::UnmatchedBraceInSpec) };
                i += 1;
                if c == b'{' {
                    depth += 1;
                    needs = true;
                } else if c == b'}' {
                    depth -= 1;
                    if depth == 0 {
                        spec = s[spec_start..i - 1].to_string();
                        break;
                    }
                }
            }
        }
        let name = parse_field_name(name_text)?;
        Ok((Field { name, conversion, spec, spec_needs_expanding: needs }, i))
    }
}

impl<'a> Iterator for FormatParser<'a> {
    type Item = Result<FormatPiece, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.src.len() {
            return None;
        }
        let s = self.src;
        let b = s.as_bytes();
        let mut lit = String::new();
        let mut i = self.pos;
        let mut seg = i;
        while i < b.len() {
            match b[i] {
                b'{' | b'}' => {
                    let c = b[i];
                    if b.get(i + 1) == Some(&c) {
                        // Escaped brace: literal text continues.
                        lit.push_str(&s[seg..=i]);
                        i += 2;
                        seg = i;
                        continue;
                    }
                    if c == b'}' {
                        self.failed = true;
                        return Some(Err(FormatError::SingleCloseBrace));
                    }
                    if i + 1 >= b.len() {
                        self.failed = true;
                        return Some(Err(FormatError::SingleOpenBrace));
                    }
                    lit.push_str(&s[seg..i]);
                    if !lit.is_empty() {
                        // Emit the text; the field is parsed on the next call.
                        self.pos = i;
                        return Some(Ok(FormatPiece::Literal(lit)));
                    }
                    return Some(match self.parse_field(i + 1) {
                        Ok((f, end)) => {
                            self.pos = end;
                            Ok(FormatPiece::Field(f))
                        }
                        Err(e) => {
                            self.failed = true;
                            Err(e)
                        }
                    });
                }
                _ => i += 1,
            }
        }
        lit.push_str(&s[seg..]);
        self.pos = s.len();
        if lit.is_empty() {
            None
        } else {
            Some(Ok(FormatPiece::Literal(lit)))
        }
    }
}

/// Eager parse of a whole template.
pub fn parse_format_string(s: &str) -> Result<Vec<FormatPiece>, FormatError> {
    FormatParser::new(s).collect()
}

/// Automatic/manual field numbering state, shared by a template and its nested specs.
#[derive(Debug, Clone, Default)]
pub struct AutoNumber {
    /// None = undecided, Some(true) = automatic, Some(false) = manual.
    mode: Option<bool>,
    next: usize,
}

impl AutoNumber {
    pub fn new() -> Self {
        Self::default()
    }

    /// Resolve a field's first key, enforcing CPython's no-switching rule
    /// (keyword names do not affect the mode).
    pub fn resolve(&mut self, key: &FieldKey) -> Result<ArgRef, FormatError> {
        match key {
            FieldKey::Name(n) => Ok(ArgRef::Name(n.clone())),
            FieldKey::Auto => {
                if self.mode == Some(false) {
                    return Err(FormatError::ManualToAuto);
                }
                self.mode = Some(true);
                let i = self.next;
                self.next += 1;
                Ok(ArgRef::Index(i))
            }
            FieldKey::Index(i) => {
                if self.mode == Some(true) {
                    return Err(FormatError::AutoToManual);
                }
                self.mode = Some(false);
                Ok(ArgRef::Index(*i))
            }
        }
    }
}

/// Recursion budget of `str.format` (CPython's build_string starts at 2).
pub const FORMAT_RECURSION_DEPTH: u32 = 2;

/// Drive a whole `str.format` in CPython's order. For each field:
/// `get(field, arg)` fetches the argument, applies accessors (then raises
/// `trailing_error` if any) and the conversion (use `check_conversion`);
/// the spec is then expanded recursively; `fmt(value, spec)` formats it.
/// Call with `depth = FORMAT_RECURSION_DEPTH`.
pub fn expand_format<V, E: From<FormatError>>(
    template: &str,
    depth: u32,
    auto: &mut AutoNumber,
    out: &mut String,
    get: &mut dyn FnMut(&Field, &ArgRef) -> Result<V, E>,
    fmt: &mut dyn FnMut(V, &str) -> Result<String, E>,
) -> Result<(), E> {
    if depth == 0 {
        return Err(FormatError::MaxRecursion.into());
    }
    for piece in FormatParser::new(template) {
        match piece? {
            FormatPiece::Literal(s) => out.push_str(&s),
            FormatPiece::Field(f) => {
                let arg = auto.resolve(&f.name.first)?;
                let v = get(&f, &arg)?;
                let text = if f.spec_needs_expanding {
                    let mut spec = String::new();
                    expand_format(&f.spec, depth - 1, auto, &mut spec, get, fmt)?;
                    fmt(v, &spec)?
                } else {
                    fmt(v, &f.spec)?
                };
                out.push_str(&text);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    include!("str_format_cases.rs");

    /// Test driver: positional args are strings, keyword `a`..; no accessors.
    fn run(t: &str, args: &[&str]) -> String {
        let mut out = String::new();
        let mut auto = AutoNumber::new();
        let r: Result<(), FormatError> = expand_format(
            t,
            FORMAT_RECURSION_DEPTH,
            &mut auto,
            &mut out,
            &mut |f: &Field, a: &ArgRef| {
                if let Some(c) = f.conversion {
                    check_conversion(c)?;
                }
                if let Some(e) = &f.name.trailing_error {
                    return Err(e.clone());
                }
                let v = match a {
                    ArgRef::Index(i) => args.get(*i).copied().unwrap_or("?").to_string(),
                    ArgRef::Name(n) if n == "\u{661}" => "?".to_string(),
                    ArgRef::Name(n) => format!("<{}>", n),
                };
                Ok(match f.conversion {
                    Some('r') => super::super::str_repr::str_repr(&v),
                    Some('a') => super::super::str_repr::ascii_repr(&v),
                    _ => v,
                })
            },
            &mut |v: String, spec: &str| super::super::spec::format_str_spec(&v, spec),
        );
        match r {
            Ok(()) => out,
            Err(e) => format!("!{}", e),
        }
    }

    #[test]
    fn cases() {
        for (t, want) in STR_FORMAT_CASES {
            assert_eq!(run(t, &["x", "5", "ab", "3"]), *want, "{:?}", t);
        }
    }

    #[test]
    fn field_names() {
        let f = parse_field_name("a.b[0][key].c").unwrap();
        assert_eq!(f.first, FieldKey::Name("a".into()));
        assert_eq!(
            f.accessors,
            vec![
                Accessor::Attr("b".into()),
                Accessor::Index(0),
                Accessor::Key("key".into()),
                Accessor::Attr("c".into())
            ]
        );
        assert_eq!(parse_field_name("0.").unwrap().trailing_error, Some(FormatError::EmptyAttribute));
        assert_eq!(parse_field_name("0[a]x").unwrap().trailing_error, Some(FormatError::OnlyDotOrBracket));
        assert_eq!(parse_field_name("0[a").unwrap().trailing_error, Some(FormatError::MissingCloseBracket));
        assert_eq!(parse_field_name("0[-1]").unwrap().accessors, vec![Accessor::Key("-1".into())]);
        assert_eq!(parse_field_name("00").unwrap().first, FieldKey::Index(0));
        assert_eq!(parse_field_name(" 0").unwrap().first, FieldKey::Name(" 0".into()));
        assert_eq!(parse_field_name("[0]").unwrap().first, FieldKey::Auto);
        assert_eq!(
            parse_field_name("99999999999999999999999").unwrap_err(),
            FormatError::TooManyDecimalDigits
        );
    }
}
