//! Methods of the builtin `str` type, with CPython 3.11's semantics and error messages.
//!
//! Python indexes strings by code point while `PyStr` stores UTF-8, so searching methods
//! convert code-point bounds to byte offsets once and search the UTF-8 slice (O(1) for
//! ASCII strings). Unicode predicates and case mappings come from tables generated from
//! CPython itself (`str_tables.rs`), because Rust's std follows a newer Unicode version
//! and defines e.g. "alphabetic" differently from Python.

use std::rc::Rc;

use super::{add_classmethod, add_method};
use crate::format::{self, is_py_space, unicode_decimal};
use crate::runtime::class::Payload;
use crate::runtime::str::PyStr;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::{BinOp, CmpOp};
use crate::vm::numeric::{as_int, IntRef};
use crate::vm::Vm;
use crate::embed::limits::Ticker;

#[path = "str_tables.rs"]
mod tables;

// ----- Unicode character classes (CPython 3.11 / Unicode 14 tables) ------------------

fn in_ranges(t: &[(u32, u32)], c: char) -> bool {
    let n = c as u32;
    let i = t.partition_point(|&(lo, _)| lo <= n);
    i > 0 && t.get(i - 1).map_or(false, |&(_, hi)| hi >= n)
}

fn map_lookup(t: &'static [(u32, &'static str)], c: char) -> Option<&'static str> {
    let n = c as u32;
    t.binary_search_by_key(&n, |&(k, _)| k).ok().and_then(|i| t.get(i)).map(|&(_, s)| s)
}

pub fn is_alpha(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        in_ranges(tables::ALPHA_RANGES, c)
    }
}
pub fn is_decimal(c: char) -> bool {
    unicode_decimal(c).is_some()
}
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_ranges(tables::DIGIT_RANGES, c)
    }
}
pub fn is_numeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_digit()
    } else {
        in_ranges(tables::NUMERIC_RANGES, c)
    }
}
/// CPython's `isalnum` for one char: any of alpha, decimal, digit, numeric.
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_alpha(c) || is_numeric(c)
    }
}
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_uppercase()
    } else {
        in_ranges(tables::UPPER_RANGES, c)
    }
}
pub fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_lowercase()
    } else {
        in_ranges(tables::LOWER_RANGES, c)
    }
}
fn is_titlecase(c: char) -> bool {
    !c.is_ascii() && in_ranges(tables::TITLE_RANGES, c)
}
/// Unicode "Cased" = Lowercase ∪ Uppercase ∪ Lt, as CPython's `_PyUnicode_IsCased`.
fn is_cased(c: char) -> bool {
    is_upper(c) || is_lower(c) || is_titlecase(c)
}
fn is_case_ignorable(c: char) -> bool {
    in_ranges(tables::CASE_IGNORABLE_RANGES, c)
}

fn push_upper(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_uppercase());
    } else {
        match map_lookup(tables::UPPER_MAP, c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
}
fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        match map_lookup(tables::LOWER_MAP, c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
}
fn push_title(out: &mut String, c: char) {
    match map_lookup(tables::TITLE_MAP, c) {
        Some(s) => out.push_str(s),
        None => push_upper(out, c),
    }
}
fn push_fold(out: &mut String, c: char) {
    match map_lookup(tables::CASEFOLD_MAP, c) {
        Some(s) => out.push_str(s),
        None => push_lower(out, c),
    }
}

/// CPython's `handle_capital_sigma`: a capital sigma lowercases to final 'ς' when it
/// ends a word (a cased letter before it, none after, skipping case-ignorables).
fn is_final_sigma(chars: &[char], i: usize) -> bool {
    let before = chars.get(..i).unwrap_or(&[]);
    match before.iter().rev().find(|c| !is_case_ignorable(**c)) {
        Some(c) if is_cased(*c) => {}
        _ => return false,
    }
    let after = chars.get(i + 1..).unwrap_or(&[]);
    match after.iter().find(|c| !is_case_ignorable(**c)) {
        Some(c) => !is_cased(*c),
        None => true,
    }
}

/// Lowercase `chars[i]` into `out`, with the final-sigma rule.
fn push_lower_at(out: &mut String, chars: &[char], i: usize) {
    let c = chars.get(i).copied().unwrap_or(' ');
    if c == '\u{3a3}' {
        out.push(if is_final_sigma(chars, i) { '\u{3c2}' } else { '\u{3c3}' });
    } else {
        push_lower(out, c);
    }
}

pub fn str_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    if s.contains('\u{3a3}') {
        let chars: Vec<char> = s.chars().collect();
        for i in 0..chars.len() {
            push_lower_at(&mut out, &chars, i);
        }
    } else {
        for c in s.chars() {
            push_lower(&mut out, c);
        }
    }
    out
}

pub fn str_upper(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_uppercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_upper(&mut out, c);
    }
    out
}

fn str_title(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for (i, &c) in chars.iter().enumerate() {
        if prev_cased {
            push_lower_at(&mut out, &chars, i);
        } else {
            push_title(&mut out, c);
        }
        prev_cased = is_cased(c);
    }
    out
}

fn str_capitalize(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            push_title(&mut out, c);
        } else {
            push_lower_at(&mut out, &chars, i);
        }
    }
    out
}

fn str_swapcase(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if is_upper(c) {
            push_lower_at(&mut out, &chars, i);
        } else if is_lower(c) {
            push_upper(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

fn str_casefold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_fold(&mut out, c);
    }
    out
}

fn str_isupper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if is_lower(c) || is_titlecase(c) {
            return false;
        }
        cased |= is_upper(c);
    }
    cased
}

fn str_islower(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if is_upper(c) || is_titlecase(c) {
            return false;
        }
        cased |= is_lower(c);
    }
    cased
}

fn str_istitle(s: &str) -> bool {
    let (mut cased, mut prev_cased) = (false, false);
    for c in s.chars() {
        if is_upper(c) || is_titlecase(c) {
            if prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else if is_lower(c) {
            if !prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else {
            prev_cased = false;
        }
    }
    cased
}

fn str_isidentifier(s: &str) -> bool {
    let mut it = s.chars();
    // CPython 3.11's (Unicode 14) XID tables; the unicode-ident crate is newer.
    let start = |c: char| if c.is_ascii() { c == '_' || c.is_ascii_alphabetic() } else { in_ranges(tables::XID_START_RANGES, c) };
    let cont = |c: char| if c.is_ascii() { c == '_' || c.is_ascii_alphanumeric() } else { in_ranges(tables::XID_CONTINUE_RANGES, c) };
    match it.next() {
        Some(c) if start(c) => it.all(cont),
        _ => false,
    }
}

/// Non-empty and every char satisfies `f` (the shape of most `is*` methods).
fn all_chars(s: &str, f: fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(f)
}

// ----- argument helpers (shared with bytes.rs) -----------------------------------

/// How a builtin reports a wrong argument count: the old `PyArg_ParseTuple` wording
/// ("find() takes at least 1 argument (0 given)") or Argument Clinic's
/// ("replace expected at least 2 arguments, got 1").
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Style {
    Old,
    Clinic,
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The positional arguments after `self` of a positional-only method `tname.name`.
pub(crate) fn positional<'a>(
    args: &'a Args,
    tname: &str,
    name: &str,
    min: usize,
    max: usize,
    style: Style,
) -> PyResult<&'a [Value]> {
    if !args.kw.is_empty() {
        return Err(Exc::type_error(format!("{tname}.{name}() takes no keyword arguments")));
    }
    let rest = args.pos.get(1..).unwrap_or(&[]);
    let n = rest.len();
    if max == 0 && n > 0 {
        return Err(Exc::type_error(format!("{tname}.{name}() takes no arguments ({n} given)")));
    }
    if min == 1 && max == 1 && style == Style::Clinic && n != 1 {
        return Err(Exc::type_error(format!("{tname}.{name}() takes exactly one argument ({n} given)")));
    }
    if n < min {
        return Err(Exc::type_error(match style {
            Style::Old => format!("{name}() takes at least {min} argument{} ({n} given)", plural(min)),
            Style::Clinic => format!("{name} expected at least {min} argument{}, got {n}", plural(min)),
        }));
    }
    if n > max {
        return Err(Exc::type_error(match style {
            Style::Old => format!("{name}() takes at most {max} argument{} ({n} given)", plural(max)),
            Style::Clinic => format!("{name} expected at most {max} argument{}, got {n}", plural(max)),
        }));
    }
    Ok(rest)
}

/// Arguments of a special method (`__len__`, `__add__`...): exactly `n` after self.
pub(crate) fn dunder_args(args: &Args, n: usize) -> PyResult<&[Value]> {
    let rest = args.pos.get(1..).unwrap_or(&[]);
    if rest.len() != n || !args.kw.is_empty() {
        return Err(Exc::type_error(format!("expected {n} argument{}, got {}", plural(n), rest.len())));
    }
    Ok(rest)
}

/// Bind the arguments after `self` of a method taking keywords (`split(sep, maxsplit)`).
pub(crate) fn keyword_args<const N: usize>(args: &Args, name: &str, names: [&str; N]) -> PyResult<[Option<Value>; N]> {
    let mut out: [Option<Value>; N] = std::array::from_fn(|_| None);
    let rest = args.pos.get(1..).unwrap_or(&[]);
    if rest.len() > N {
        return Err(Exc::type_error(format!(
            "{name}() takes at most {N} argument{} ({} given)",
            plural(N),
            rest.len()
        )));
    }
    for (slot, v) in out.iter_mut().zip(rest.iter()) {
        *slot = Some(v.clone());
    }
    for (k, v) in &args.kw {
        match names.iter().position(|n| **n == **k) {
            Some(i) if i < rest.len() => {
                return Err(Exc::type_error(format!(
                    "argument for {name}() given by name ('{k}') and position ({})",
                    i + 1
                )))
            }
            Some(i) => {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(v.clone());
                }
            }
            None => return Err(Exc::type_error(format!("'{k}' is an invalid keyword argument for {name}()"))),
        }
    }
    Ok(out)
}

/// A `start`/`end` argument: None, or an int (clamped like CPython's `Py_ssize_t`).
pub(crate) fn slice_index(vm: &Vm, v: Option<&Value>) -> PyResult<Option<i64>> {
    let bad = || Exc::type_error("slice indices must be integers or None or have an __index__ method");
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => match as_int(v) {
            Some(IntRef::Small(i)) => Ok(Some(i)),
            Some(IntRef::Big(b)) => Ok(Some(if num_traits::Signed::is_negative(b) { i64::MIN } else { i64::MAX })),
            None => match v {
                Value::Instance(_) => vm.index_value(v).map(Some).map_err(|_| bad()),
                _ => Err(bad()),
            },
        },
    }
}

/// CPython's `ADJUST_INDICES`: clamp `start`/`end` into `0..=len` the way slices do
/// (`start` may stay beyond `len`, which callers treat as empty).
pub(crate) fn adjust_indices(start: Option<i64>, end: Option<i64>, len: usize) -> (usize, usize) {
    let len_i = len as i64;
    let mut end = end.unwrap_or(len_i);
    if end > len_i {
        end = len_i;
    } else if end < 0 {
        end = (end + len_i).max(0);
    }
    let mut start = start.unwrap_or(0);
    if start < 0 {
        start = (start + len_i).max(0);
    }
    (start as usize, end as usize)
}

/// An int argument (`width`, `count`, `tabsize`...), through `__index__`.
pub(crate) fn int_arg(vm: &Vm, v: &Value) -> PyResult<i64> {
    match as_int(v) {
        Some(IntRef::Small(i)) => Ok(i),
        Some(IntRef::Big(_)) => Err(Exc::overflow("Python int too large to convert to C ssize_t")),
        None => vm.index_value(v),
    }
}

// ----- str helpers -----------------------------------------------------------------

/// `self` of a str method: a str, or the str inside an instance of a str subclass.
fn this(vm: &Vm, args: &Args, name: &str) -> PyResult<Rc<PyStr>> {
    match args.pos.first() {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(v) => match vm.builtin_value(v) {
            Value::Str(s) => Ok(s),
            _ => Err(Exc::type_error(format!(
                "descriptor '{name}' for 'str' objects doesn't apply to a '{}' object",
                vm.type_name(v)
            ))),
        },
        None => Err(Exc::type_error(format!("unbound method str.{name}() needs an argument"))),
    }
}

/// A str argument (str subclasses unwrapped), or `None` if `v` is not a str.
fn as_str(vm: &Vm, v: &Value) -> Option<Rc<PyStr>> {
    match v {
        Value::Str(s) => Some(s.clone()),
        Value::Instance(i) => match &i.payload {
            Payload::Builtin(_) => match vm.builtin_value(v) {
                Value::Str(s) => Some(s),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// A str argument or "must be str, not int".
fn str_arg(vm: &Vm, v: &Value) -> PyResult<Rc<PyStr>> {
    as_str(vm, v).ok_or_else(|| Exc::type_error(format!("must be str, not {}", vm.type_name(v))))
}

/// The byte range of code points `start..end` of `s` (both already `<= len`).
fn byte_range(s: &PyStr, start: usize, end: usize) -> (usize, usize) {
    if s.is_ascii() {
        return (start, end.max(start));
    }
    let text = s.as_str();
    let mut a = text.len();
    let mut b = text.len();
    for (n, (i, _)) in text.char_indices().enumerate() {
        if n == start {
            a = i;
        }
        if n == end {
            b = i;
            break;
        }
    }
    (a, b.max(a))
}

/// `s[start:end]` as text plus the code-point index where it begins, or `None` when
/// the range cannot hold `need` code points (CPython returns -1/False/0 early then).
fn sub_range<'a>(s: &'a PyStr, start: Option<i64>, end: Option<i64>, need: usize) -> Option<(&'a str, usize)> {
    let (st, en) = adjust_indices(start, end, s.len_chars());
    if st > en || en - st < need {
        return None;
    }
    let (a, b) = byte_range(s, st, en);
    s.as_str().get(a..b).map(|t| (t, st))
}

/// Code points in `s[..byte]` (`byte` is a char boundary found by a search).
fn chars_before(s: &str, ascii: bool, byte: usize) -> usize {
    if ascii {
        byte
    } else {
        s.get(..byte).map_or(0, |p| p.chars().count())
    }
}

/// `find`/`rfind` by code point; `None` when not found.
fn find_in(s: &PyStr, sub: &PyStr, start: Option<i64>, end: Option<i64>, reverse: bool) -> Option<usize> {
    let (hay, base) = sub_range(s, start, end, sub.len_chars())?;
    let pos = if reverse { hay.rfind(sub.as_str()) } else { hay.find(sub.as_str()) }?;
    Some(base + chars_before(hay, s.is_ascii(), pos))
}

fn count_in(s: &PyStr, sub: &PyStr, start: Option<i64>, end: Option<i64>) -> usize {
    let Some((hay, _)) = sub_range(s, start, end, sub.len_chars()) else { return 0 };
    if sub.as_str().is_empty() {
        return if s.is_ascii() { hay.len() + 1 } else { hay.chars().count() + 1 };
    }
    hay.matches(sub.as_str()).count()
}

/// CPython's `tailmatch` for startswith/endswith.
fn tail_match(s: &PyStr, sub: &PyStr, start: Option<i64>, end: Option<i64>, at_end: bool) -> bool {
    let (st, en) = adjust_indices(start, end, s.len_chars());
    let n = sub.len_chars();
    if en < n || en - n < st {
        return false;
    }
    if n == 0 {
        return true;
    }
    let (a, b) = byte_range(s, st, en);
    match s.as_str().get(a..b) {
        Some(t) if at_end => t.ends_with(sub.as_str()),
        Some(t) => t.starts_with(sub.as_str()),
        None => false,
    }
}

fn is_ascii_py_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' ')
}

/// `split()` of an ASCII string: a byte loop (the common, hot case).
fn split_whitespace_ascii(s: &str, maxsplit: i64) -> Vec<Value> {
    let b = s.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    let mut splits = 0i64;
    loop {
        while i < n && b.get(i).map_or(false, |c| is_ascii_py_space(*c)) {
            i += 1;
        }
        if i >= n {
            break;
        }
        if maxsplit >= 0 && splits >= maxsplit {
            out.push(Value::str(s.get(i..).unwrap_or("")));
            break;
        }
        let start = i;
        while i < n && b.get(i).map_or(false, |c| !is_ascii_py_space(*c)) {
            i += 1;
        }
        out.push(Value::str(s.get(start..i).unwrap_or("")));
        splits += 1;
    }
    out
}

/// Split on runs of whitespace (`sep=None`), at most `maxsplit` times (negative: no limit).
fn split_whitespace(s: &str, maxsplit: i64) -> Vec<Value> {
    if s.is_ascii() {
        return split_whitespace_ascii(s, maxsplit);
    }
    let mut out = Vec::new();
    let mut splits = 0i64;
    let mut it = s.char_indices().peekable();
    loop {
        // Skip whitespace before a word.
        while let Some(&(_, c)) = it.peek() {
            if is_py_space(c) {
                it.next();
            } else {
                break;
            }
        }
        let Some(&(begin, _)) = it.peek() else { break };
        if maxsplit >= 0 && splits >= maxsplit {
            // The rest, with its trailing whitespace kept, is the last piece.
            out.push(Value::str(s.get(begin..).unwrap_or("")));
            break;
        }
        let mut stop = s.len();
        while let Some(&(i, c)) = it.peek() {
            if is_py_space(c) {
                stop = i;
                break;
            }
            it.next();
        }
        out.push(Value::str(s.get(begin..stop).unwrap_or("")));
        splits += 1;
    }
    out
}

/// `rsplit()` on whitespace, from the right.
fn rsplit_whitespace(s: &str, maxsplit: i64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut splits = 0i64;
    let mut it = s.char_indices().rev().peekable();
    loop {
        while let Some(&(_, c)) = it.peek() {
            if is_py_space(c) {
                it.next();
            } else {
                break;
            }
        }
        let Some(&(last, c_last)) = it.peek() else { break };
        let end = last + c_last.len_utf8();
        if maxsplit >= 0 && splits >= maxsplit {
            out.push(Value::str(s.get(..end).unwrap_or("")));
            break;
        }
        let mut begin = 0;
        while let Some(&(i, c)) = it.peek() {
            if is_py_space(c) {
                begin = i + c.len_utf8();
                break;
            }
            it.next();
        }
        out.push(Value::str(s.get(begin..end).unwrap_or("")));
        splits += 1;
    }
    out.reverse();
    out
}

/// Line boundaries for `splitlines`: \n \r \r\n \v \f \x1c-\x1e \x85 \u2028 \u2029.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn splitlines(s: &str, keepends: bool) -> Vec<Value> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if !is_line_break(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(_, '\n')) = it.peek() {
                it.next();
                end += 1;
            }
        }
        out.push(Value::str(s.get(start..if keepends { end } else { i }).unwrap_or("")));
        start = end;
    }
    if start < s.len() {
        out.push(Value::str(s.get(start..).unwrap_or("")));
    }
    out
}

fn strip_arg(vm: &Vm, rest: &[Value], name: &str) -> PyResult<Option<Rc<PyStr>>> {
    match rest.first() {
        None | Some(Value::None) => Ok(None),
        Some(v) => as_str(vm, v)
            .map(Some)
            .ok_or_else(|| Exc::type_error(format!("{name} arg must be None or str"))),
    }
}

/// strip/lstrip/rstrip: `left`/`right` say which ends.
fn strip(s: &str, chars: Option<&str>, left: bool, right: bool) -> String {
    let pred = |c: char| match chars {
        None => is_py_space(c),
        Some(set) => set.contains(c),
    };
    let mut t = s;
    if left {
        t = t.trim_start_matches(pred);
    }
    if right {
        t = t.trim_end_matches(pred);
    }
    t.to_string()
}

fn replace(s: &str, old: &str, new: &str, count: i64) -> String {
    if count == 0 {
        return s.to_string();
    }
    if old.is_empty() {
        // Insert `new` before every char and at the end, up to `count` times.
        let mut out = String::with_capacity(s.len() + new.len() * (s.len() + 1));
        let mut left = count;
        for c in s.chars() {
            if left != 0 {
                out.push_str(new);
                left -= 1;
            }
            out.push(c);
        }
        if left != 0 {
            out.push_str(new);
        }
        return out;
    }
    if count < 0 {
        s.replace(old, new)
    } else {
        s.replacen(old, new, usize::try_from(count).unwrap_or(usize::MAX))
    }
}

/// The fill char argument of center/ljust/rjust.
fn fill_arg(vm: &Vm, v: Option<&Value>) -> PyResult<char> {
    match v {
        None => Ok(' '),
        Some(v) => {
            let s = as_str(vm, v).ok_or_else(|| {
                Exc::type_error(format!("The fill character must be a unicode character, not {}", vm.type_name(v)))
            })?;
            let mut it = s.as_str().chars();
            match (it.next(), it.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(Exc::type_error("The fill character must be exactly one character long")),
            }
        }
    }
}

/// Pad `s` (of `len` code points) with `left` and `right` fill chars.
fn pad(s: &str, left: usize, right: usize, fill: char) -> String {
    let mut out = String::with_capacity(s.len() + (left + right) * fill.len_utf8());
    out.extend(std::iter::repeat(fill).take(left));
    out.push_str(s);
    out.extend(std::iter::repeat(fill).take(right));
    out
}

fn expandtabs(s: &str, tabsize: i64) -> PyResult<String> {
    let mut out = String::with_capacity(s.len());
    let mut col: i64 = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                if tabsize > 0 {
                    let n = tabsize - col % tabsize;
                    if n > MAX_PAD || out.len() as i64 > MAX_PAD {
                        return Err(too_long());
                    }
                    col += n;
                    out.extend(std::iter::repeat(' ').take(n as usize));
                }
            }
            '\n' | '\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    Ok(out)
}

fn startswith_impl(vm: &Vm, args: &Args, name: &str, at_end: bool) -> PyResult<Value> {
    let s = this(vm, args, name)?;
    let rest = positional(args, "str", name, 1, 3, Style::Old)?;
    let start = slice_index(vm, rest.get(1))?;
    let end = slice_index(vm, rest.get(2))?;
    let first = rest.first().cloned().unwrap_or(Value::None);
    if let Value::Tuple(t) = &first {
        for p in t.iter() {
            let p = as_str(vm, p).ok_or_else(|| {
                Exc::type_error(format!("tuple for {name} must only contain str, not {}", vm.type_name(p)))
            })?;
            if tail_match(&s, &p, start, end, at_end) {
                return Ok(Value::Bool(true));
            }
        }
        return Ok(Value::Bool(false));
    }
    let p = as_str(vm, &first).ok_or_else(|| {
        Exc::type_error(format!("{name} first arg must be str or a tuple of str, not {}", vm.type_name(&first)))
    })?;
    Ok(Value::Bool(tail_match(&s, &p, start, end, at_end)))
}

fn find_impl(vm: &Vm, args: &Args, name: &str, reverse: bool) -> PyResult<Option<usize>> {
    let s = this(vm, args, name)?;
    let rest = positional(args, "str", name, 1, 3, Style::Old)?;
    let sub = str_arg(vm, rest.first().unwrap_or(&Value::None))?;
    let start = slice_index(vm, rest.get(1))?;
    let end = slice_index(vm, rest.get(2))?;
    Ok(find_in(&s, &sub, start, end, reverse))
}

fn encode_error(codec: &str, chars: &[char], start: usize, end: usize, limit: u32) -> Exc {
    let reason = format!("ordinal not in range({limit})");
    let msg = if end - start == 1 {
        let c = chars.get(start).copied().unwrap_or(' ') as u32;
        let esc = if c < 0x100 {
            format!("\\x{c:02x}")
        } else if c < 0x10000 {
            format!("\\u{c:04x}")
        } else {
            format!("\\U{c:08x}")
        };
        format!("'{codec}' codec can't encode character '{esc}' in position {start}: {reason}")
    } else {
        format!("'{codec}' codec can't encode characters in position {}-{}: {reason}", start, end - 1)
    };
    Exc::new(ExcKind::UnicodeEncodeError, msg)
}

/// The canonical codec name for an `encoding` argument, or `None` if unsupported.
pub(crate) fn normalize_encoding(name: &str) -> Option<&'static str> {
    let n: String = name.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    Some(match n.as_str() {
        "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => "utf-8",
        "ascii" | "us_ascii" | "646" => "ascii",
        "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819" | "iso_ir_100" => {
            "latin-1"
        }
        _ => return None,
    })
}

/// `str.encode` for the supported codecs and error handlers.
pub fn encode(s: &str, encoding: &str, errors: &str) -> PyResult<Vec<u8>> {
    let codec = normalize_encoding(encoding).ok_or_else(|| {
        Exc::new(ExcKind::LookupError, format!("unknown encoding: {encoding}"))
    })?;
    if codec == "utf-8" || s.is_ascii() {
        return Ok(s.as_bytes().to_vec());
    }
    let limit: u32 = if codec == "ascii" { 128 } else { 256 };
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        if (c as u32) < limit {
            out.push(c as u32 as u8);
            i += 1;
            continue;
        }
        // A run of unencodable chars is reported (and replaced) together, as CPython.
        let mut j = i;
        while chars.get(j).map_or(false, |c| (*c as u32) >= limit) {
            j += 1;
        }
        match errors {
            "strict" => return Err(encode_error(codec, &chars, i, j, limit)),
            "ignore" => {}
            "replace" => out.extend(std::iter::repeat(b'?').take(j - i)),
            "backslashreplace" => {
                for c in chars.get(i..j).unwrap_or(&[]) {
                    let n = *c as u32;
                    let esc = if n < 0x100 {
                        format!("\\x{n:02x}")
                    } else if n < 0x10000 {
                        format!("\\u{n:04x}")
                    } else {
                        format!("\\U{n:08x}")
                    };
                    out.extend_from_slice(esc.as_bytes());
                }
            }
            "xmlcharrefreplace" => {
                for c in chars.get(i..j).unwrap_or(&[]) {
                    out.extend_from_slice(format!("&#{};", *c as u32).as_bytes());
                }
            }
            other => {
                return Err(Exc::new(ExcKind::LookupError, format!("unknown error handler name '{other}'")));
            }
        }
        i = j;
    }
    Ok(out)
}

/// `template.format_map(mapping)`: fields are looked up with `mapping[key]`, so dict
/// subclasses with `__missing__` work.
fn format_map(vm: &Vm, template: &str, mapping: &Value) -> PyResult<String> {
    vm.expand_template(template, &mut |arg: &format::ArgRef| match arg {
        format::ArgRef::Index(_) => Err(Exc::value_error("Format string contains positional fields")),
        format::ArgRef::Name(n) => vm.getitem(mapping, &Value::str(n)),
    })
}

/// `str.translate(table)`: each char's ord is looked up; a missing key keeps the char.
fn translate(vm: &Vm, s: &str, table: &Value) -> PyResult<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let key = Value::Int(c as i64);
        let mapped = match table {
            Value::Dict(d) => d.get(vm, &key)?,
            _ => match vm.getitem(table, &key) {
                Ok(v) => Some(v),
                Err(e) if vm.exc_is(&e, ExcKind::LookupError) => None,
                Err(e) => return Err(e),
            },
        };
        match mapped {
            None => out.push(c),
            Some(Value::None) => {}
            Some(v) => {
                if let Some(t) = as_str(vm, &v) {
                    out.push_str(t.as_str());
                } else if let Some(i) = as_int(&v) {
                    let n = match i {
                        IntRef::Small(n) => n,
                        IntRef::Big(_) => -1,
                    };
                    let ch = u32::try_from(n).ok().and_then(char::from_u32).ok_or_else(|| {
                        Exc::value_error("character mapping must be in range(0x110000)")
                    })?;
                    out.push(ch);
                } else {
                    return Err(Exc::type_error("character mapping must return integer, None or str"));
                }
            }
        }
    }
    Ok(out)
}

/// `str.maketrans(x[, y[, z]])`.
fn maketrans(vm: &Vm, rest: &[Value]) -> PyResult<Value> {
    let d = crate::runtime::dict::PyDict::new();
    match rest {
        [x] => {
            let Value::Dict(src) = vm.builtin_value(x) else {
                return Err(Exc::type_error("if you give only one argument to maketrans it must be a dict"));
            };
            for (k, v) in vm.mapping_items(&Value::Dict(src))? {
                let key = if let Some(ks) = as_str(vm, &k) {
                    let mut it = ks.as_str().chars();
                    match (it.next(), it.next()) {
                        (Some(c), None) => Value::Int(c as i64),
                        _ => return Err(Exc::value_error("string keys in translate table must be of length 1")),
                    }
                } else if as_int(&k).is_some() {
                    k
                } else {
                    return Err(Exc::type_error("keys in translate table must be strings or integers"));
                };
                d.set(vm, key, v)?;
            }
        }
        _ => {
            let mut strs = Vec::new();
            for (i, v) in rest.iter().enumerate() {
                strs.push(as_str(vm, v).ok_or_else(|| {
                    Exc::type_error(format!("maketrans() argument {} must be str, not {}", i + 1, vm.type_name(v)))
                })?);
            }
            let (Some(xs), Some(ys)) = (strs.first(), strs.get(1)) else {
                return Err(Exc::type_error("maketrans expected at least 1 argument, got 0"));
            };
            if xs.len_chars() != ys.len_chars() {
                return Err(Exc::value_error("the first two maketrans arguments must have equal length"));
            }
            for (a, b) in xs.as_str().chars().zip(ys.as_str().chars()) {
                d.set(vm, Value::Int(a as i64), Value::Int(b as i64))?;
            }
            if let Some(zs) = strs.get(2) {
                for c in zs.as_str().chars() {
                    d.set(vm, Value::Int(c as i64), Value::None)?;
                }
            }
        }
    }
    Ok(Value::Dict(Rc::new(d)))
}

/// `sep.join(iterable)`.
fn join(vm: &Vm, sep: &str, iterable: &Value) -> PyResult<String> {
    let mut out = String::new();
    let push = |i: usize, v: &Value, out: &mut String| -> PyResult<()> {
        if i > 0 {
            out.push_str(sep);
        }
        match v {
            Value::Str(s) => out.push_str(s.as_str()),
            other => match as_str(vm, other) {
                Some(s) => out.push_str(s.as_str()),
                None => {
                    return Err(Exc::type_error(format!(
                        "sequence item {i}: expected str instance, {} found",
                        vm.type_name(other)
                    )))
                }
            },
        }
        Ok(())
    };
    // Lists and tuples are read in place: nothing here runs Python code.
    match iterable {
        Value::List(l) => {
            let items = l.borrow();
            let total: usize = items.iter().map(|v| if let Value::Str(s) = v { s.as_str().len() } else { 0 }).sum();
            out.reserve(total + sep.len() * items.len());
            for (i, v) in items.iter().enumerate() {
                push(i, v, &mut out)?;
            }
        }
        Value::Tuple(t) => {
            for (i, v) in t.iter().enumerate() {
                push(i, v, &mut out)?;
            }
        }
        _ => {
            let mut st = vm.iter_state(iterable).map_err(|e| {
                if vm.exc_is(&e, ExcKind::TypeError) && !vm.is_iterable(iterable) {
                    Exc::type_error("can only join an iterable")
                } else {
                    e
                }
            })?;
            let mut i = 0;
            let mut ticker = Ticker::default();
            while let Some(v) = vm.iter_next(&mut st)? {
                ticker.tick(vm)?;
                push(i, &v, &mut out)?;
                i += 1;
            }
        }
    }
    Ok(out)
}

fn zfill(s: &str, len: usize, width: i64) -> String {
    if width <= len as i64 {
        return s.to_string();
    }
    let fill = width as usize - len;
    let mut out = String::with_capacity(s.len() + fill);
    let rest = match s.chars().next() {
        Some(c @ ('+' | '-')) => {
            out.push(c);
            s.get(1..).unwrap_or("")
        }
        _ => s,
    };
    out.extend(std::iter::repeat('0').take(fill));
    out.push_str(rest);
    out
}

/// Results longer than this many chars raise MemoryError instead of exhausting memory.
pub(crate) const MAX_PAD: i64 = 1 << 31;

pub(crate) fn too_long() -> Exc {
    Exc::new(ExcKind::MemoryError, "")
}

/// Guard against absurd padded sizes before allocating.
fn check_width(width: i64) -> PyResult<()> {
    if width > MAX_PAD {
        return Err(too_long());
    }
    Ok(())
}

// ----- install ----------------------------------------------------------------------

type Transform = fn(&str) -> String;
type Predicate = fn(&str) -> bool;

pub fn install(vm: &Vm) {
    let cls = vm.types.str_.clone();
    let t = &cls;

    // Case transforms: no arguments.
    let transforms: [(&str, Transform); 6] = [
        ("upper", str_upper),
        ("lower", str_lower),
        ("casefold", str_casefold),
        ("title", str_title),
        ("capitalize", str_capitalize),
        ("swapcase", str_swapcase),
    ];
    for (name, f) in transforms {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            positional(&args, "str", name, 0, 0, Style::Old)?;
            Ok(Value::string(f(s.as_str())))
        });
    }

    // Predicates: no arguments.
    let predicates: [(&str, Predicate); 12] = [
        ("isdigit", |s| all_chars(s, is_digit)),
        ("isdecimal", |s| all_chars(s, is_decimal)),
        ("isnumeric", |s| all_chars(s, is_numeric)),
        ("isalpha", |s| all_chars(s, is_alpha)),
        ("isalnum", |s| all_chars(s, is_alnum)),
        ("isspace", |s| all_chars(s, is_py_space)),
        ("isupper", str_isupper),
        ("islower", str_islower),
        ("istitle", str_istitle),
        ("isidentifier", str_isidentifier),
        ("isprintable", format::str_is_printable),
        ("isascii", |s| s.is_ascii()),
    ];
    for (name, f) in predicates {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            positional(&args, "str", name, 0, 0, Style::Old)?;
            Ok(Value::Bool(f(s.as_str())))
        });
    }

    add_method(vm, t, "split", |vm, args: Args| split_method(vm, args, "split", false));
    add_method(vm, t, "rsplit", |vm, args: Args| split_method(vm, args, "rsplit", true));
    add_method(vm, t, "splitlines", |vm, args: Args| {
        let s = this(vm, &args, "splitlines")?;
        let [keepends] = keyword_args(&args, "splitlines", ["keepends"])?;
        let keep = match keepends {
            None => false,
            Some(v) => int_arg(vm, &v)? != 0,
        };
        Ok(Value::list(splitlines(s.as_str(), keep)))
    });
    add_method(vm, t, "join", |vm, args: Args| {
        let s = this(vm, &args, "join")?;
        let rest = positional(&args, "str", "join", 1, 1, Style::Clinic)?;
        let it = rest.first().cloned().unwrap_or(Value::None);
        Ok(Value::string(join(vm, s.as_str(), &it)?))
    });
    for (name, left, right) in [("strip", true, true), ("lstrip", true, false), ("rstrip", false, true)] {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            let rest = positional(&args, "str", name, 0, 1, Style::Clinic)?;
            let chars = strip_arg(vm, rest, name)?;
            let r = strip(s.as_str(), chars.as_ref().map(|c| c.as_str()), left, right);
            if r.len() == s.as_str().len() {
                return Ok(Value::Str(s));
            }
            Ok(Value::string(r))
        });
    }
    add_method(vm, t, "replace", |vm, args: Args| {
        let s = this(vm, &args, "replace")?;
        let rest = positional(&args, "str", "replace", 2, 3, Style::Clinic)?;
        let mut strs = Vec::with_capacity(2);
        for (i, v) in rest.iter().take(2).enumerate() {
            strs.push(as_str(vm, v).ok_or_else(|| {
                Exc::type_error(format!("replace() argument {} must be str, not {}", i + 1, vm.type_name(v)))
            })?);
        }
        let count = match rest.get(2) {
            Some(v) => int_arg(vm, v)?,
            None => -1,
        };
        let (Some(old), Some(new)) = (strs.first(), strs.get(1)) else { return Ok(Value::Str(s)) };
        Ok(Value::string(replace(s.as_str(), old.as_str(), new.as_str(), count)))
    });
    add_method(vm, t, "find", |vm, args: Args| {
        Ok(Value::Int(find_impl(vm, &args, "find", false)?.map_or(-1, |i| i as i64)))
    });
    add_method(vm, t, "rfind", |vm, args: Args| {
        Ok(Value::Int(find_impl(vm, &args, "rfind", true)?.map_or(-1, |i| i as i64)))
    });
    add_method(vm, t, "index", |vm, args: Args| match find_impl(vm, &args, "index", false)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(Exc::value_error("substring not found")),
    });
    add_method(vm, t, "rindex", |vm, args: Args| match find_impl(vm, &args, "rindex", true)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(Exc::value_error("substring not found")),
    });
    add_method(vm, t, "count", |vm, args: Args| {
        let s = this(vm, &args, "count")?;
        let rest = positional(&args, "str", "count", 1, 3, Style::Old)?;
        let sub = str_arg(vm, rest.first().unwrap_or(&Value::None))?;
        let start = slice_index(vm, rest.get(1))?;
        let end = slice_index(vm, rest.get(2))?;
        Ok(Value::Int(count_in(&s, &sub, start, end) as i64))
    });
    add_method(vm, t, "startswith", |vm, args: Args| startswith_impl(vm, &args, "startswith", false));
    add_method(vm, t, "endswith", |vm, args: Args| startswith_impl(vm, &args, "endswith", true));

    // center / ljust / rjust: CPython's centering puts the odd extra fill on the left
    // only when both the margin and the width are odd.
    for name in ["center", "ljust", "rjust"] {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            let rest = positional(&args, "str", name, 1, 2, Style::Clinic)?;
            let width = int_arg(vm, rest.first().unwrap_or(&Value::None))?;
            let fill = fill_arg(vm, rest.get(1))?;
            let len = s.len_chars() as i64;
            if width <= len {
                return Ok(Value::Str(s));
            }
            check_width(width)?;
            let marg = width - len;
            let (left, right) = match name {
                "ljust" => (0, marg),
                "rjust" => (marg, 0),
                _ => {
                    let left = marg / 2 + (marg & width & 1);
                    (left, marg - left)
                }
            };
            Ok(Value::string(pad(s.as_str(), left as usize, right as usize, fill)))
        });
    }
    add_method(vm, t, "zfill", |vm, args: Args| {
        let s = this(vm, &args, "zfill")?;
        let rest = positional(&args, "str", "zfill", 1, 1, Style::Clinic)?;
        let width = int_arg(vm, rest.first().unwrap_or(&Value::None))?;
        if width <= s.len_chars() as i64 {
            return Ok(Value::Str(s));
        }
        check_width(width)?;
        Ok(Value::string(zfill(s.as_str(), s.len_chars(), width)))
    });
    for (name, reverse) in [("partition", false), ("rpartition", true)] {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            let rest = positional(&args, "str", name, 1, 1, Style::Clinic)?;
            let sep = str_arg(vm, rest.first().unwrap_or(&Value::None))?;
            if sep.as_str().is_empty() {
                return Err(Exc::value_error("empty separator"));
            }
            let text = s.as_str();
            let found = if reverse { text.rfind(sep.as_str()) } else { text.find(sep.as_str()) };
            let empty = Value::str("");
            Ok(Value::tuple(match found {
                Some(i) => vec![
                    Value::str(text.get(..i).unwrap_or("")),
                    Value::Str(sep.clone()),
                    Value::str(text.get(i + sep.as_str().len()..).unwrap_or("")),
                ],
                None if reverse => vec![empty.clone(), empty, Value::Str(s.clone())],
                None => vec![Value::Str(s.clone()), empty.clone(), empty],
            }))
        });
    }
    add_method(vm, t, "expandtabs", |vm, args: Args| {
        let s = this(vm, &args, "expandtabs")?;
        let [tabsize] = keyword_args(&args, "expandtabs", ["tabsize"])?;
        let tabsize = match tabsize {
            Some(v) => int_arg(vm, &v)?,
            None => 8,
        };
        Ok(Value::string(expandtabs(s.as_str(), tabsize)?))
    });
    add_method(vm, t, "format", |vm, args: Args| {
        let s = this(vm, &args, "format")?;
        let rest = args.pos.get(1..).unwrap_or(&[]);
        Ok(Value::string(vm.str_format(s.as_str(), rest, &args.kw)?))
    });
    add_method(vm, t, "format_map", |vm, args: Args| {
        let s = this(vm, &args, "format_map")?;
        let rest = positional(&args, "str", "format_map", 1, 1, Style::Clinic)?;
        let m = rest.first().cloned().unwrap_or(Value::None);
        Ok(Value::string(format_map(vm, s.as_str(), &m)?))
    });
    add_method(vm, t, "encode", |vm, args: Args| {
        let s = this(vm, &args, "encode")?;
        let [encoding, errors] = keyword_args(&args, "encode", ["encoding", "errors"])?;
        let text_arg = |v: Option<Value>, what: &str, default: &str| -> PyResult<String> {
            match v {
                None => Ok(default.to_string()),
                Some(v) => as_str(vm, &v).map(|s| s.as_str().to_string()).ok_or_else(|| {
                    Exc::type_error(format!("encode() argument '{what}' must be str, not {}", vm.type_name(&v)))
                }),
            }
        };
        let encoding = text_arg(encoding, "encoding", "utf-8")?;
        let errors = text_arg(errors, "errors", "strict")?;
        Ok(Value::Bytes(Rc::new(encode(s.as_str(), &encoding, &errors)?)))
    });
    for (name, suffix) in [("removeprefix", false), ("removesuffix", true)] {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            let rest = positional(&args, "str", name, 1, 1, Style::Clinic)?;
            let v = rest.first().cloned().unwrap_or(Value::None);
            let p = as_str(vm, &v).ok_or_else(|| {
                Exc::type_error(format!("{name}() argument must be str, not {}", vm.type_name(&v)))
            })?;
            let text = s.as_str();
            let r = if suffix { text.strip_suffix(p.as_str()) } else { text.strip_prefix(p.as_str()) };
            Ok(match r {
                Some(r) if !p.as_str().is_empty() => Value::str(r),
                _ => Value::Str(s),
            })
        });
    }
    add_classmethod(vm, t, "maketrans", |vm, args: Args| {
        // args.pos[0] is the class (a static method in CPython; the class is ignored).
        let rest = positional(&args, "str", "maketrans", 1, 3, Style::Clinic)?;
        maketrans(vm, rest)
    });
    add_method(vm, t, "translate", |vm, args: Args| {
        let s = this(vm, &args, "translate")?;
        let rest = positional(&args, "str", "translate", 1, 1, Style::Clinic)?;
        let table = rest.first().cloned().unwrap_or(Value::None);
        Ok(Value::string(translate(vm, s.as_str(), &table)?))
    });

    // ----- special methods: delegate to the vm on the unwrapped str, so that
    // `super().__eq__(x)` and `str.__len__(s)` work in subclasses.
    add_method(vm, t, "__len__", |vm, args: Args| {
        let s = this(vm, &args, "__len__")?;
        dunder_args(&args, 0)?;
        Ok(Value::Int(s.len_chars() as i64))
    });
    add_method(vm, t, "__contains__", |vm, args: Args| {
        let s = this(vm, &args, "__contains__")?;
        let rest = dunder_args(&args, 1)?;
        let item = rest.first().cloned().unwrap_or(Value::None);
        let item = match as_str(vm, &item) {
            Some(i) => Value::Str(i),
            None => item,
        };
        Ok(Value::Bool(vm.contains(&Value::Str(s), &item)?))
    });
    add_method(vm, t, "__getitem__", |vm, args: Args| {
        let s = this(vm, &args, "__getitem__")?;
        let rest = dunder_args(&args, 1)?;
        let idx = rest.first().cloned().unwrap_or(Value::None);
        match &idx {
            Value::Slice(_) | Value::Int(_) | Value::Bool(_) | Value::BigInt(_) | Value::Instance(_) => {
                vm.getitem(&Value::Str(s), &idx)
            }
            other => Err(Exc::type_error(format!("string indices must be integers, not '{}'", vm.type_name(other)))),
        }
    });
    add_method(vm, t, "__iter__", |vm, args: Args| {
        let s = this(vm, &args, "__iter__")?;
        dunder_args(&args, 0)?;
        vm.get_iter(&Value::Str(s))
    });
    add_method(vm, t, "__add__", |vm, args: Args| {
        let s = this(vm, &args, "__add__")?;
        let rest = dunder_args(&args, 1)?;
        let other = rest.first().cloned().unwrap_or(Value::None);
        match as_str(vm, &other) {
            Some(o) => {
                let mut r = String::with_capacity(s.as_str().len() + o.as_str().len());
                r.push_str(s.as_str());
                r.push_str(o.as_str());
                Ok(Value::string(r))
            }
            // Let the other operand's __radd__ have a go, as CPython's `+` does.
            None if vm.type_of(&other).lookup("__radd__").is_some() => Ok(Value::NotImplemented),
            None => Err(Exc::type_error(format!(
                "can only concatenate str (not \"{}\") to str",
                vm.type_name(&other)
            ))),
        }
    });
    for name in ["__mul__", "__rmul__"] {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            let rest = dunder_args(&args, 1)?;
            let n = rest.first().cloned().unwrap_or(Value::None);
            let not_int = || {
                Exc::type_error(format!("can't multiply sequence by non-int of type '{}'", vm.type_name(&n)))
            };
            let n = match as_int(&n) {
                Some(IntRef::Small(i)) => i,
                Some(IntRef::Big(b)) if num_traits::Signed::is_negative(b) => 0,
                Some(IntRef::Big(_)) => {
                    return Err(Exc::overflow("cannot fit 'int' into an index-sized integer"));
                }
                None if matches!(n, Value::Instance(_)) && vm.type_of(&n).lookup("__index__").is_some() => {
                    vm.index_value(&n)?
                }
                // `s * obj` where obj defines the reflected operator: let it try.
                None if matches!(n, Value::Instance(_))
                    && vm.type_of(&n).lookup(if name == "__mul__" { "__rmul__" } else { "__mul__" }).is_some() =>
                {
                    return Ok(Value::NotImplemented);
                }
                None => return Err(not_int()),
            };
            vm.binop(BinOp::Mult, &Value::Str(s), &Value::Int(n))
        });
    }
    add_method(vm, t, "__mod__", |vm, args: Args| {
        let s = this(vm, &args, "__mod__")?;
        let rest = dunder_args(&args, 1)?;
        vm.percent_format(s.as_str(), rest.first().unwrap_or(&Value::None))
    });
    add_method(vm, t, "__rmod__", |vm, args: Args| {
        this(vm, &args, "__rmod__")?;
        dunder_args(&args, 1)?;
        Ok(Value::NotImplemented)
    });
    for (name, op) in [
        ("__eq__", CmpOp::Eq),
        ("__ne__", CmpOp::NotEq),
        ("__lt__", CmpOp::Lt),
        ("__le__", CmpOp::LtE),
        ("__gt__", CmpOp::Gt),
        ("__ge__", CmpOp::GtE),
    ] {
        add_method(vm, t, name, move |vm, args: Args| {
            let s = this(vm, &args, name)?;
            let rest = dunder_args(&args, 1)?;
            let other = rest.first().cloned().unwrap_or(Value::None);
            // Only str with str compares here; anything else lets the other side try.
            let Some(o) = as_str(vm, &other) else { return Ok(Value::NotImplemented) };
            let (a, b) = (s.as_str(), o.as_str());
            Ok(Value::Bool(match op {
                CmpOp::Eq => a == b,
                CmpOp::NotEq => a != b,
                CmpOp::Lt => a < b,
                CmpOp::LtE => a <= b,
                CmpOp::Gt => a > b,
                _ => a >= b,
            }))
        });
    }
    add_method(vm, t, "__hash__", |vm, args: Args| {
        let s = this(vm, &args, "__hash__")?;
        dunder_args(&args, 0)?;
        Ok(Value::Int(s.hash()))
    });
    add_method(vm, t, "__str__", |vm, args: Args| {
        let s = this(vm, &args, "__str__")?;
        dunder_args(&args, 0)?;
        Ok(Value::Str(s))
    });
    add_method(vm, t, "__repr__", |vm, args: Args| {
        let s = this(vm, &args, "__repr__")?;
        dunder_args(&args, 0)?;
        Ok(Value::string(format::str_repr(s.as_str())))
    });
    add_method(vm, t, "__format__", |vm, args: Args| {
        let s = this(vm, &args, "__format__")?;
        let rest = positional(&args, "str", "__format__", 1, 1, Style::Clinic)?;
        let spec = rest.first().cloned().unwrap_or(Value::None);
        let spec = as_str(vm, &spec).ok_or_else(|| {
            Exc::type_error(format!("__format__() argument must be str, not {}", vm.type_name(&spec)))
        })?;
        Ok(Value::string(vm.format(&Value::Str(s), spec.as_str())?))
    });
    add_method(vm, t, "__getnewargs__", |vm, args: Args| {
        let s = this(vm, &args, "__getnewargs__")?;
        Ok(Value::tuple(vec![Value::Str(s)]))
    });
}

fn split_method(vm: &Vm, args: Args, name: &str, reverse: bool) -> PyResult<Value> {
    let s = this(vm, &args, name)?;
    let [sep, maxsplit] = keyword_args(&args, name, ["sep", "maxsplit"])?;
    let maxsplit = match maxsplit {
        Some(v) => int_arg(vm, &v)?,
        None => -1,
    };
    let text = s.as_str();
    let sep = match sep {
        None | Some(Value::None) => None,
        Some(v) => Some(
            as_str(vm, &v).ok_or_else(|| Exc::type_error(format!("must be str or None, not {}", vm.type_name(&v))))?,
        ),
    };
    let parts = match &sep {
        None if reverse => rsplit_whitespace(text, maxsplit),
        None => split_whitespace(text, maxsplit),
        Some(sep) => {
            let sep = sep.as_str();
            if sep.is_empty() {
                return Err(Exc::value_error("empty separator"));
            }
            if maxsplit < 0 {
                text.split(sep).map(Value::str).collect()
            } else {
                let n = usize::try_from(maxsplit).unwrap_or(usize::MAX).saturating_add(1);
                if reverse {
                    let mut v: Vec<Value> = text.rsplitn(n, sep).map(Value::str).collect();
                    v.reverse();
                    v
                } else {
                    text.splitn(n, sep).map(Value::str).collect()
                }
            }
        }
    };
    Ok(Value::list(parts))
}
