//! Methods of the builtin `bytes` and `bytearray` types (CPython 3.11 semantics).
//!
//! Both types share one implementation over `&[u8]`; a method's result has the type of
//! its receiver (`bytearray.upper()` is a bytearray). bytearray adds the mutating
//! methods. Text-like methods (case, `isdigit`, whitespace) are ASCII-only, as in CPython.

use std::cell::RefCell;
use std::rc::Rc;

use super::str::{
    adjust_indices, int_arg, keyword_args, normalize_encoding, positional, slice_index, too_long, Style, MAX_PAD,
};
use super::{add_classmethod, add_method};
use crate::runtime::class::{Class, Payload};
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::vm::numeric::{as_int, IntRef};
use crate::vm::Vm;
use crate::embed::limits::Ticker;

/// Which of the two types a method runs on (and builds results of).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bytes,
    Array,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Bytes => "bytes",
            Kind::Array => "bytearray",
        }
    }
    fn make(self, v: Vec<u8>) -> Value {
        match self {
            Kind::Bytes => Value::Bytes(Rc::new(v)),
            Kind::Array => Value::ByteArray(Rc::new(RefCell::new(v))),
        }
    }
}

/// The receiver's bytes: shared for `bytes`, a snapshot for `bytearray` (so no borrow
/// is held while Python code runs, e.g. iterating the argument of `join`).
enum Data {
    Shared(Rc<Vec<u8>>),
    Copy(Vec<u8>),
}

impl std::ops::Deref for Data {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Data::Shared(b) => b,
            Data::Copy(v) => v,
        }
    }
}

/// `self` of a bytes/bytearray method (subclass instances unwrapped).
fn this(vm: &Vm, args: &Args, kind: Kind, name: &str) -> PyResult<Data> {
    let tname = kind.name();
    let Some(v) = args.pos.first() else {
        return Err(Exc::type_error(format!("unbound method {tname}.{name}() needs an argument")));
    };
    match (kind, vm.builtin_value(v)) {
        (Kind::Bytes, Value::Bytes(b)) => Ok(Data::Shared(b)),
        (Kind::Array, Value::ByteArray(b)) => Ok(Data::Copy(b.borrow().clone())),
        _ => Err(Exc::type_error(format!(
            "descriptor '{name}' for '{tname}' objects doesn't apply to a '{}' object",
            vm.type_name(v)
        ))),
    }
}

/// The vector inside a bytearray receiver, for the mutating methods.
fn this_array(vm: &Vm, args: &Args, name: &str) -> PyResult<Rc<RefCell<Vec<u8>>>> {
    let Some(v) = args.pos.first() else {
        return Err(Exc::type_error(format!("unbound method bytearray.{name}() needs an argument")));
    };
    match vm.builtin_value(v) {
        Value::ByteArray(b) => Ok(b),
        _ => Err(Exc::type_error(format!(
            "descriptor '{name}' for 'bytearray' objects doesn't apply to a '{}' object",
            vm.type_name(v)
        ))),
    }
}

/// A bytes-like argument (bytes, bytearray or a subclass), if `v` is one.
fn as_buf(vm: &Vm, v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Bytes(b) => Some(b.to_vec()),
        Value::ByteArray(b) => Some(b.borrow().clone()),
        Value::Instance(i) if matches!(i.payload, Payload::Builtin(_)) => match vm.builtin_value(v) {
            Value::Bytes(b) => Some(b.to_vec()),
            Value::ByteArray(b) => Some(b.borrow().clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A bytes-like argument or "a bytes-like object is required, not 'str'".
fn buf_arg(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    as_buf(vm, v).ok_or_else(|| Exc::type_error(format!("a bytes-like object is required, not '{}'", vm.type_name(v))))
}

/// An int in range(256) (`append`, `count(105)`...).
fn byte_value(vm: &Vm, v: &Value) -> PyResult<u8> {
    let i = match as_int(v) {
        Some(IntRef::Small(i)) => i,
        Some(IntRef::Big(_)) => -1,
        None => vm.index_value(v)?,
    };
    u8::try_from(i).map_err(|_| Exc::value_error("byte must be in range(0, 256)"))
}

/// The `sub` of find/count/index: an int byte or a bytes-like object.
fn sub_arg(vm: &Vm, v: &Value) -> PyResult<Vec<u8>> {
    if let Some(b) = as_buf(vm, v) {
        return Ok(b);
    }
    if as_int(v).is_some() || (matches!(v, Value::Instance(_)) && vm.type_of(v).lookup("__index__").is_some()) {
        return Ok(vec![byte_value(vm, v)?]);
    }
    Err(Exc::type_error(format!(
        "argument should be integer or bytes-like object, not '{}'",
        vm.type_name(v)
    )))
}

fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() == 1 {
        let b = needle.first().copied().unwrap_or(0);
        return hay.iter().position(|x| *x == b);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(hay.len());
    }
    if needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Non-overlapping occurrences.
fn count_bytes(hay: &[u8], needle: &[u8]) -> usize {
    if needle.is_empty() {
        return hay.len() + 1;
    }
    let mut n = 0;
    let mut i = 0;
    while let Some(p) = hay.get(i..).and_then(|h| find_bytes(h, needle)) {
        n += 1;
        i += p + needle.len();
    }
    n
}

/// Split `hay` on `sep` (non-empty) at most `maxsplit` times (negative: no limit),
/// from the right for `rsplit`.
fn split_on<'a>(hay: &'a [u8], sep: &[u8], maxsplit: i64, reverse: bool) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut left = maxsplit;
    if reverse {
        let mut end = hay.len();
        while left != 0 {
            let Some(p) = hay.get(..end).and_then(|h| rfind_bytes(h, sep)) else { break };
            out.push(hay.get(p + sep.len()..end).unwrap_or(&[]));
            end = p;
            left -= 1;
        }
        out.push(hay.get(..end).unwrap_or(&[]));
        out.reverse();
    } else {
        let mut start = 0;
        while left != 0 {
            let Some(p) = hay.get(start..).and_then(|h| find_bytes(h, sep)) else { break };
            out.push(hay.get(start..start + p).unwrap_or(&[]));
            start += p + sep.len();
            left -= 1;
        }
        out.push(hay.get(start..).unwrap_or(&[]));
    }
    out
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

fn split_whitespace(s: &[u8], maxsplit: i64) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = s.len();
    let mut splits = 0;
    loop {
        while i < n && s.get(i).map_or(false, |b| is_space(*b)) {
            i += 1;
        }
        if i >= n {
            break;
        }
        if maxsplit >= 0 && splits >= maxsplit {
            out.push(s.get(i..).unwrap_or(&[]));
            break;
        }
        let start = i;
        while i < n && s.get(i).map_or(false, |b| !is_space(*b)) {
            i += 1;
        }
        out.push(s.get(start..i).unwrap_or(&[]));
        splits += 1;
    }
    out
}

fn rsplit_whitespace(s: &[u8], maxsplit: i64) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut end = s.len();
    let mut splits = 0;
    loop {
        while end > 0 && s.get(end - 1).map_or(false, |b| is_space(*b)) {
            end -= 1;
        }
        if end == 0 {
            break;
        }
        if maxsplit >= 0 && splits >= maxsplit {
            out.push(s.get(..end).unwrap_or(&[]));
            break;
        }
        let mut start = end;
        while start > 0 && s.get(start - 1).map_or(false, |b| !is_space(*b)) {
            start -= 1;
        }
        out.push(s.get(start..end).unwrap_or(&[]));
        splits += 1;
        end = start;
    }
    out.reverse();
    out
}

fn splitlines(s: &[u8], keepends: bool) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        let b = s.get(i).copied().unwrap_or(0);
        if b == b'\n' || b == b'\r' {
            let mut end = i + 1;
            if b == b'\r' && s.get(i + 1) == Some(&b'\n') {
                end += 1;
            }
            out.push(s.get(start..if keepends { end } else { i }).unwrap_or(&[]));
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < s.len() {
        out.push(s.get(start..).unwrap_or(&[]));
    }
    out
}

fn replace_bytes(s: &[u8], old: &[u8], new: &[u8], count: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut left = count;
    if old.is_empty() {
        for b in s {
            if left != 0 {
                out.extend_from_slice(new);
                left -= 1;
            }
            out.push(*b);
        }
        if left != 0 {
            out.extend_from_slice(new);
        }
        return out;
    }
    let mut rest = s;
    while left != 0 {
        let Some(p) = find_bytes(rest, old) else { break };
        out.extend_from_slice(rest.get(..p).unwrap_or(&[]));
        out.extend_from_slice(new);
        rest = rest.get(p + old.len()..).unwrap_or(&[]);
        left -= 1;
    }
    out.extend_from_slice(rest);
    out
}

fn title(s: &[u8]) -> Vec<u8> {
    let mut prev_cased = false;
    s.iter()
        .map(|&b| {
            let r = if prev_cased { b.to_ascii_lowercase() } else { b.to_ascii_uppercase() };
            prev_cased = b.is_ascii_alphabetic();
            r
        })
        .collect()
}

fn istitle(s: &[u8]) -> bool {
    let (mut cased, mut prev_cased) = (false, false);
    for &b in s {
        if b.is_ascii_uppercase() {
            if prev_cased {
                return false;
            }
            prev_cased = true;
            cased = true;
        } else if b.is_ascii_lowercase() {
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

fn expandtabs(s: &[u8], tabsize: i64) -> PyResult<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut col: i64 = 0;
    for &b in s {
        match b {
            b'\t' => {
                if tabsize > 0 {
                    let n = tabsize - col % tabsize;
                    if n > MAX_PAD || out.len() as i64 > MAX_PAD {
                        return Err(too_long());
                    }
                    col += n;
                    out.extend(std::iter::repeat(b' ').take(n as usize));
                }
            }
            b'\n' | b'\r' => {
                out.push(b);
                col = 0;
            }
            _ => {
                out.push(b);
                col += 1;
            }
        }
    }
    Ok(out)
}

// ----- codecs -------------------------------------------------------------------------

fn decode_error(codec: &str, b: &[u8], start: usize, end: usize, reason: &str) -> Exc {
    let msg = if end <= start + 1 {
        format!(
            "'{codec}' codec can't decode byte 0x{:02x} in position {start}: {reason}",
            b.get(start).copied().unwrap_or(0)
        )
    } else {
        format!("'{codec}' codec can't decode bytes in position {start}-{}: {reason}", end - 1)
    };
    Exc::new(ExcKind::UnicodeDecodeError, msg)
}

fn unknown_handler(errors: &str) -> Exc {
    Exc::new(ExcKind::LookupError, format!("unknown error handler name '{errors}'"))
}

/// Apply a non-strict decode error handler to the undecodable `bad` bytes.
fn decode_recover(out: &mut String, bad: &[u8], errors: &str) -> PyResult<()> {
    match errors {
        "replace" => out.push('\u{fffd}'),
        "ignore" => {}
        "backslashreplace" => {
            for b in bad {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        other => return Err(unknown_handler(other)),
    }
    Ok(())
}

/// `bytes.decode` for utf-8, ascii and latin-1 with CPython's error messages.
pub fn decode(b: &[u8], encoding: &str, errors: &str) -> PyResult<String> {
    let codec = normalize_encoding(encoding)
        .ok_or_else(|| Exc::new(ExcKind::LookupError, format!("unknown encoding: {encoding}")))?;
    match codec {
        "latin-1" => Ok(b.iter().map(|&c| c as char).collect()),
        "ascii" => {
            if b.is_ascii() {
                return Ok(b.iter().map(|&c| c as char).collect());
            }
            let mut out = String::with_capacity(b.len());
            for (i, &c) in b.iter().enumerate() {
                if c.is_ascii() {
                    out.push(c as char);
                } else if errors == "strict" {
                    return Err(decode_error("ascii", b, i, i + 1, "ordinal not in range(128)"));
                } else {
                    decode_recover(&mut out, &[c], errors)?;
                }
            }
            Ok(out)
        }
        _ => {
            let mut out = String::with_capacity(b.len());
            let mut pos = 0;
            loop {
                let rest = b.get(pos..).unwrap_or(&[]);
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        return Ok(out);
                    }
                    Err(e) => {
                        let good = e.valid_up_to();
                        out.push_str(rest.get(..good).and_then(|g| std::str::from_utf8(g).ok()).unwrap_or(""));
                        let start = pos + good;
                        let first = b.get(start).copied().unwrap_or(0);
                        // Rust's error_len is the "maximal subpart" CPython reports too.
                        let (len, reason) = match e.error_len() {
                            Some(n) if matches!(first, 0x80..=0xc1 | 0xf5..=0xff) => (n, "invalid start byte"),
                            Some(n) => (n, "invalid continuation byte"),
                            None => (rest.len() - good, "unexpected end of data"),
                        };
                        if errors == "strict" {
                            return Err(decode_error("utf-8", b, start, start + len, reason));
                        }
                        decode_recover(&mut out, b.get(start..start + len).unwrap_or(&[]), errors)?;
                        pos = start + len;
                    }
                }
            }
        }
    }
}

fn hex_digit(c: char) -> Option<u8> {
    c.to_digit(16).map(|d| d as u8)
}

/// `bytes.fromhex(s)`: pairs of hex digits, ASCII whitespace allowed between pairs.
fn fromhex(s: &str) -> PyResult<Vec<u8>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::with_capacity(chars.len() / 2);
    let mut i = 0;
    let bad = |pos: usize| Exc::value_error(format!("non-hexadecimal number found in fromhex() arg at position {pos}"));
    while i < chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        if c.is_ascii() && is_space(c as u8) {
            i += 1;
            continue;
        }
        let hi = hex_digit(c).ok_or_else(|| bad(i))?;
        let lo = chars.get(i + 1).copied().and_then(hex_digit).ok_or_else(|| bad(i + 1))?;
        out.push(hi * 16 + lo);
        i += 2;
    }
    Ok(out)
}

/// `hex(sep, bytes_per_sep)`.
fn hex(vm: &Vm, b: &[u8], sep: Option<Value>, per: Option<Value>) -> PyResult<String> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let pair = |x: u8| [DIGITS[(x >> 4) as usize] as char, DIGITS[(x & 15) as usize] as char];
    let sep = match sep {
        None => None,
        Some(v) => {
            let text: Vec<char> = match (&v, as_buf(vm, &v)) {
                (Value::Str(s), _) => s.as_str().chars().collect(),
                (_, Some(bytes)) => bytes.iter().map(|&c| c as char).collect(),
                _ => return Err(Exc::type_error(format!("object of type '{}' has no len()", vm.type_name(&v)))),
            };
            match text.as_slice() {
                [c] if c.is_ascii() => Some(*c),
                [_] => return Err(Exc::value_error("sep must be ASCII.")),
                _ => return Err(Exc::value_error("sep must be length 1.")),
            }
        }
    };
    let per = match per {
        Some(v) => int_arg(vm, &v)?,
        None => 1,
    };
    let mut out = String::with_capacity(b.len() * 3);
    match sep {
        Some(sep) if per != 0 && !b.is_empty() => {
            let group = per.unsigned_abs() as usize;
            let n = b.len();
            for (i, &x) in b.iter().enumerate() {
                // Groups count from the right for a positive bytes_per_sep.
                let boundary = if per > 0 { (n - i) % group == 0 } else { i % group == 0 };
                if i > 0 && boundary {
                    out.push(sep);
                }
                out.extend(pair(x));
            }
        }
        _ => {
            for &x in b {
                out.extend(pair(x));
            }
        }
    }
    Ok(out)
}

// ----- install --------------------------------------------------------------------------

/// A list of results of the receiver's type (split, splitlines).
fn parts_list(kind: Kind, parts: Vec<&[u8]>) -> Value {
    Value::list(parts.into_iter().map(|p| kind.make(p.to_vec())).collect())
}

fn find_impl(vm: &Vm, args: &Args, kind: Kind, name: &str, reverse: bool) -> PyResult<Option<usize>> {
    let s = this(vm, args, kind, name)?;
    let rest = positional(args, kind.name(), name, 1, 3, Style::Old)?;
    let sub = sub_arg(vm, rest.first().unwrap_or(&Value::None))?;
    let (st, en) = adjust_indices(slice_index(vm, rest.get(1))?, slice_index(vm, rest.get(2))?, s.len());
    if st > en || en - st < sub.len() {
        return Ok(None);
    }
    let hay = s.get(st..en).unwrap_or(&[]);
    let r = if reverse { rfind_bytes(hay, &sub) } else { find_bytes(hay, &sub) };
    Ok(r.map(|p| p + st))
}

fn startswith_impl(vm: &Vm, args: &Args, kind: Kind, name: &str, at_end: bool) -> PyResult<Value> {
    let s = this(vm, args, kind, name)?;
    let rest = positional(args, kind.name(), name, 1, 3, Style::Old)?;
    let (st, en) = adjust_indices(slice_index(vm, rest.get(1))?, slice_index(vm, rest.get(2))?, s.len());
    let matches = |p: &[u8]| -> bool {
        if en < p.len() || en - p.len() < st {
            return false;
        }
        let t = s.get(st..en).unwrap_or(&[]);
        if at_end {
            t.ends_with(p)
        } else {
            t.starts_with(p)
        }
    };
    let first = rest.first().cloned().unwrap_or(Value::None);
    if let Value::Tuple(t) = &first {
        for p in t.iter() {
            let p = as_buf(vm, p).ok_or_else(|| {
                Exc::type_error(format!("a bytes-like object is required, not '{}'", vm.type_name(p)))
            })?;
            if matches(&p) {
                return Ok(Value::Bool(true));
            }
        }
        return Ok(Value::Bool(false));
    }
    let p = as_buf(vm, &first).ok_or_else(|| {
        Exc::type_error(format!(
            "{name} first arg must be bytes or a tuple of bytes, not {}",
            vm.type_name(&first)
        ))
    })?;
    Ok(Value::Bool(matches(&p)))
}

fn install_common(vm: &Vm, cls: &Rc<Class>, kind: Kind) {
    let tn = kind.name();
    add_method(vm, cls, "decode", move |vm, args: Args| {
        let s = this(vm, &args, kind, "decode")?;
        let [encoding, errors] = keyword_args(&args, "decode", ["encoding", "errors"])?;
        let text = |v: Option<Value>, what: &str, default: &str| -> PyResult<String> {
            match v {
                None => Ok(default.to_string()),
                Some(Value::Str(s)) => Ok(s.as_str().to_string()),
                Some(v) => Err(Exc::type_error(format!(
                    "decode() argument '{what}' must be str, not {}",
                    vm.type_name(&v)
                ))),
            }
        };
        let (encoding, errors) = (text(encoding, "encoding", "utf-8")?, text(errors, "errors", "strict")?);
        Ok(Value::string(decode(&s, &encoding, &errors)?))
    });
    add_method(vm, cls, "hex", move |vm, args: Args| {
        let s = this(vm, &args, kind, "hex")?;
        let [sep, per] = keyword_args(&args, "hex", ["sep", "bytes_per_sep"])?;
        Ok(Value::string(hex(vm, &s, sep, per)?))
    });
    add_classmethod(vm, cls, "fromhex", move |vm, args: Args| {
        let rest = positional(&args, tn, "fromhex", 1, 1, Style::Clinic)?;
        let v = rest.first().cloned().unwrap_or(Value::None);
        let Value::Str(s) = vm.builtin_value(&v) else {
            return Err(Exc::type_error(format!("fromhex() argument must be str, not {}", vm.type_name(&v))));
        };
        let out = kind.make(fromhex(s.as_str())?);
        // `MyBytes.fromhex(...)` builds the subclass from the bytes, as CPython does.
        match args.pos.first() {
            Some(Value::Class(c)) if !Rc::ptr_eq(c, &vm.type_of(&out)) => {
                vm.call(&Value::Class(c.clone()), Args::one(out))
            }
            _ => Ok(out),
        }
    });
    add_method(vm, cls, "find", move |vm, args: Args| {
        Ok(Value::Int(find_impl(vm, &args, kind, "find", false)?.map_or(-1, |i| i as i64)))
    });
    add_method(vm, cls, "rfind", move |vm, args: Args| {
        Ok(Value::Int(find_impl(vm, &args, kind, "rfind", true)?.map_or(-1, |i| i as i64)))
    });
    add_method(vm, cls, "index", move |vm, args: Args| match find_impl(vm, &args, kind, "index", false)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(Exc::value_error("subsection not found")),
    });
    add_method(vm, cls, "rindex", move |vm, args: Args| match find_impl(vm, &args, kind, "rindex", true)? {
        Some(i) => Ok(Value::Int(i as i64)),
        None => Err(Exc::value_error("subsection not found")),
    });
    add_method(vm, cls, "count", move |vm, args: Args| {
        let s = this(vm, &args, kind, "count")?;
        let rest = positional(&args, tn, "count", 1, 3, Style::Old)?;
        let sub = sub_arg(vm, rest.first().unwrap_or(&Value::None))?;
        let (st, en) = adjust_indices(slice_index(vm, rest.get(1))?, slice_index(vm, rest.get(2))?, s.len());
        if st > en || en - st < sub.len() {
            return Ok(Value::Int(0));
        }
        Ok(Value::Int(count_bytes(s.get(st..en).unwrap_or(&[]), &sub) as i64))
    });
    add_method(vm, cls, "startswith", move |vm, args: Args| startswith_impl(vm, &args, kind, "startswith", false));
    add_method(vm, cls, "endswith", move |vm, args: Args| startswith_impl(vm, &args, kind, "endswith", true));
    for (name, reverse) in [("split", false), ("rsplit", true)] {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            let [sep, maxsplit] = keyword_args(&args, name, ["sep", "maxsplit"])?;
            let maxsplit = match maxsplit {
                Some(v) => int_arg(vm, &v)?,
                None => -1,
            };
            let parts = match sep {
                None | Some(Value::None) if reverse => rsplit_whitespace(&s, maxsplit),
                None | Some(Value::None) => split_whitespace(&s, maxsplit),
                Some(v) => {
                    let sep = buf_arg(vm, &v)?;
                    if sep.is_empty() {
                        return Err(Exc::value_error("empty separator"));
                    }
                    split_on(&s, &sep, maxsplit, reverse)
                }
            };
            Ok(parts_list(kind, parts))
        });
    }
    add_method(vm, cls, "splitlines", move |vm, args: Args| {
        let s = this(vm, &args, kind, "splitlines")?;
        let [keepends] = keyword_args(&args, "splitlines", ["keepends"])?;
        let keep = match keepends {
            Some(v) => int_arg(vm, &v)? != 0,
            None => false,
        };
        Ok(parts_list(kind, splitlines(&s, keep)))
    });
    for (name, left, right) in [("strip", true, true), ("lstrip", true, false), ("rstrip", false, true)] {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            let rest = positional(&args, tn, name, 0, 1, Style::Clinic)?;
            let set = match rest.first() {
                None | Some(Value::None) => None,
                Some(v) => Some(buf_arg(vm, v)?),
            };
            let strip = |b: &u8| match &set {
                None => is_space(*b),
                Some(set) => set.contains(b),
            };
            let mut t: &[u8] = &s;
            if left {
                let n = t.iter().take_while(|b| strip(b)).count();
                t = t.get(n..).unwrap_or(&[]);
            }
            if right {
                let n = t.iter().rev().take_while(|b| strip(b)).count();
                t = t.get(..t.len() - n).unwrap_or(&[]);
            }
            Ok(kind.make(t.to_vec()))
        });
    }
    add_method(vm, cls, "join", move |vm, args: Args| {
        let s = this(vm, &args, kind, "join")?;
        let rest = positional(&args, tn, "join", 1, 1, Style::Clinic)?;
        let it = rest.first().cloned().unwrap_or(Value::None);
        let mut st = vm.iter_state(&it).map_err(|e| {
            if vm.is_iterable(&it) {
                e
            } else {
                Exc::type_error("can only join an iterable")
            }
        })?;
        let mut out = Vec::new();
        let mut i = 0;
        let mut ticker = Ticker::default();
        while let Some(v) = vm.iter_next(&mut st)? {
            ticker.tick(vm)?;
            let b = as_buf(vm, &v).ok_or_else(|| {
                Exc::type_error(format!(
                    "sequence item {i}: expected a bytes-like object, {} found",
                    vm.type_name(&v)
                ))
            })?;
            if i > 0 {
                out.extend_from_slice(&s);
            }
            out.extend_from_slice(&b);
            i += 1;
        }
        Ok(kind.make(out))
    });
    add_method(vm, cls, "replace", move |vm, args: Args| {
        let s = this(vm, &args, kind, "replace")?;
        let rest = positional(&args, tn, "replace", 2, 3, Style::Clinic)?;
        let old = buf_arg(vm, rest.first().unwrap_or(&Value::None))?;
        let new = buf_arg(vm, rest.get(1).unwrap_or(&Value::None))?;
        let count = match rest.get(2) {
            Some(v) => int_arg(vm, v)?,
            None => -1,
        };
        Ok(kind.make(replace_bytes(&s, &old, &new, count)))
    });
    type Map = fn(&[u8]) -> Vec<u8>;
    let maps: [(&str, Map); 5] = [
        ("upper", |s| s.to_ascii_uppercase()),
        ("lower", |s| s.to_ascii_lowercase()),
        ("swapcase", |s| {
            s.iter()
                .map(|b| if b.is_ascii_uppercase() { b.to_ascii_lowercase() } else { b.to_ascii_uppercase() })
                .collect()
        }),
        ("capitalize", |s| {
            s.iter()
                .enumerate()
                .map(|(i, b)| if i == 0 { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() })
                .collect()
        }),
        ("title", title),
    ];
    for (name, f) in maps {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            positional(&args, tn, name, 0, 0, Style::Old)?;
            Ok(kind.make(f(&s)))
        });
    }
    type Pred = fn(&[u8]) -> bool;
    let preds: [(&str, Pred); 8] = [
        ("isdigit", |s| !s.is_empty() && s.iter().all(u8::is_ascii_digit)),
        ("isalpha", |s| !s.is_empty() && s.iter().all(u8::is_ascii_alphabetic)),
        ("isalnum", |s| !s.is_empty() && s.iter().all(u8::is_ascii_alphanumeric)),
        ("isspace", |s| !s.is_empty() && s.iter().all(|b| is_space(*b))),
        ("isupper", |s| s.iter().any(u8::is_ascii_uppercase) && !s.iter().any(u8::is_ascii_lowercase)),
        ("islower", |s| s.iter().any(u8::is_ascii_lowercase) && !s.iter().any(u8::is_ascii_uppercase)),
        ("istitle", istitle),
        ("isascii", |s| s.is_ascii()),
    ];
    for (name, f) in preds {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            positional(&args, tn, name, 0, 0, Style::Old)?;
            Ok(Value::Bool(f(&s)))
        });
    }
    for (name, reverse) in [("partition", false), ("rpartition", true)] {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            let rest = positional(&args, tn, name, 1, 1, Style::Clinic)?;
            let sep = buf_arg(vm, rest.first().unwrap_or(&Value::None))?;
            if sep.is_empty() {
                return Err(Exc::value_error("empty separator"));
            }
            let found = if reverse { rfind_bytes(&s, &sep) } else { find_bytes(&s, &sep) };
            let part = |a: usize, b: usize| kind.make(s.get(a..b).unwrap_or(&[]).to_vec());
            Ok(Value::tuple(match found {
                Some(i) => vec![part(0, i), kind.make(sep.clone()), part(i + sep.len(), s.len())],
                None if reverse => vec![part(0, 0), part(0, 0), part(0, s.len())],
                None => vec![part(0, s.len()), part(0, 0), part(0, 0)],
            }))
        });
    }
    for name in ["center", "ljust", "rjust"] {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            let rest = positional(&args, tn, name, 1, 2, Style::Clinic)?;
            let width = int_arg(vm, rest.first().unwrap_or(&Value::None))?;
            let fill = match rest.get(1) {
                None => b' ',
                Some(v) => match as_buf(vm, v).as_deref() {
                    Some([c]) => *c,
                    _ => {
                        let what = match as_buf(vm, v) {
                            Some(b) => format!("{} of length {}", vm.type_name(v), b.len()),
                            None => vm.type_name(v).to_string(),
                        };
                        return Err(Exc::type_error(format!(
                            "{name}() argument 2 must be a byte string of length 1, not {what}"
                        )));
                    }
                },
            };
            let len = s.len() as i64;
            if width <= len {
                return Ok(kind.make(s.to_vec()));
            }
            if width > MAX_PAD {
                return Err(too_long());
            }
            let marg = width - len;
            let (left, right) = match name {
                "ljust" => (0, marg),
                "rjust" => (marg, 0),
                _ => {
                    let left = marg / 2 + (marg & width & 1);
                    (left, marg - left)
                }
            };
            let mut out = vec![fill; left as usize];
            out.extend_from_slice(&s);
            out.extend(std::iter::repeat(fill).take(right as usize));
            Ok(kind.make(out))
        });
    }
    add_method(vm, cls, "zfill", move |vm, args: Args| {
        let s = this(vm, &args, kind, "zfill")?;
        let rest = positional(&args, tn, "zfill", 1, 1, Style::Clinic)?;
        let width = int_arg(vm, rest.first().unwrap_or(&Value::None))?;
        let len = s.len() as i64;
        if width <= len {
            return Ok(kind.make(s.to_vec()));
        }
        if width > MAX_PAD {
            return Err(too_long());
        }
        let fill = (width - len) as usize;
        let (sign, body): (&[u8], &[u8]) = match s.first() {
            Some(b'+' | b'-') => (s.get(..1).unwrap_or(&[]), s.get(1..).unwrap_or(&[])),
            _ => (&[], &s),
        };
        let mut out = sign.to_vec();
        out.extend(std::iter::repeat(b'0').take(fill));
        out.extend_from_slice(body);
        Ok(kind.make(out))
    });
    add_method(vm, cls, "expandtabs", move |vm, args: Args| {
        let s = this(vm, &args, kind, "expandtabs")?;
        let [tabsize] = keyword_args(&args, "expandtabs", ["tabsize"])?;
        let tabsize = match tabsize {
            Some(v) => int_arg(vm, &v)?,
            None => 8,
        };
        Ok(kind.make(expandtabs(&s, tabsize)?))
    });
    for (name, suffix) in [("removeprefix", false), ("removesuffix", true)] {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            let rest = positional(&args, tn, name, 1, 1, Style::Clinic)?;
            let p = buf_arg(vm, rest.first().unwrap_or(&Value::None))?;
            let r = if suffix { s.strip_suffix(p.as_slice()) } else { s.strip_prefix(p.as_slice()) };
            Ok(kind.make(r.unwrap_or(&s).to_vec()))
        });
    }
    add_method(vm, cls, "translate", move |vm, args: Args| {
        let s = this(vm, &args, kind, "translate")?;
        let [table, delete] = keyword_args(&args, "translate", ["table", "delete"])?;
        let table = match table {
            None | Some(Value::None) => None,
            Some(v) => {
                let t = buf_arg(vm, &v)?;
                if t.len() != 256 {
                    return Err(Exc::value_error("translation table must be 256 characters long"));
                }
                Some(t)
            }
        };
        let delete = match delete {
            Some(v) => buf_arg(vm, &v)?,
            None => vec![],
        };
        let out = s
            .iter()
            .filter(|b| !delete.contains(b))
            .map(|&b| table.as_ref().and_then(|t| t.get(b as usize).copied()).unwrap_or(b))
            .collect();
        Ok(kind.make(out))
    });

    // Special methods on the unwrapped value, so subclasses can use super().
    add_method(vm, cls, "__len__", move |vm, args: Args| {
        let s = this(vm, &args, kind, "__len__")?;
        Ok(Value::Int(s.len() as i64))
    });
    add_method(vm, cls, "__getitem__", move |vm, args: Args| {
        this(vm, &args, kind, "__getitem__")?;
        let inner = vm.builtin_value(args.pos.first().unwrap_or(&Value::None));
        vm.getitem(&inner, args.pos.get(1).unwrap_or(&Value::None))
    });
    add_method(vm, cls, "__contains__", move |vm, args: Args| {
        let s = this(vm, &args, kind, "__contains__")?;
        Ok(Value::Bool(bytes_contains(vm, &s, args.pos.get(1).unwrap_or(&Value::None))?))
    });
    add_method(vm, cls, "__add__", move |vm, args: Args| {
        let s = this(vm, &args, kind, "__add__")?;
        let other = args.pos.get(1).cloned().unwrap_or(Value::None);
        match as_buf(vm, &other) {
            Some(o) => {
                let mut v = s.to_vec();
                v.extend_from_slice(&o);
                Ok(kind.make(v))
            }
            None if vm.type_of(&other).lookup("__radd__").is_some() && matches!(other, Value::Instance(_)) => {
                Ok(Value::NotImplemented)
            }
            None => Err(Exc::type_error(format!("can't concat {} to {tn}", vm.type_name(&other)))),
        }
    });
    for name in ["__mul__", "__rmul__"] {
        add_method(vm, cls, name, move |vm, args: Args| {
            let s = this(vm, &args, kind, name)?;
            let n = args.pos.get(1).cloned().unwrap_or(Value::None);
            let count = match as_int(&n) {
                Some(IntRef::Small(i)) => i,
                Some(IntRef::Big(b)) if num_traits::Signed::is_negative(b) => 0,
                Some(IntRef::Big(_)) => return Err(Exc::overflow("cannot fit 'int' into an index-sized integer")),
                None if matches!(n, Value::Instance(_)) && vm.type_of(&n).lookup("__index__").is_some() => {
                    vm.index_value(&n)?
                }
                None => {
                    return Err(Exc::type_error(format!(
                        "can't multiply sequence by non-int of type '{}'",
                        vm.type_name(&n)
                    )))
                }
            };
            let count = usize::try_from(count).unwrap_or(0);
            if s.len().saturating_mul(count) > 1 << 34 {
                return Err(Exc::new(ExcKind::MemoryError, ""));
            }
            vm.reserve_memory(s.len().saturating_mul(count))?;
            Ok(kind.make(vm.repeat_slice(&s, count)?))
        });
    }
    add_method(vm, cls, "__iter__", move |vm, args: Args| {
        this(vm, &args, kind, "__iter__")?;
        let inner = vm.builtin_value(args.pos.first().unwrap_or(&Value::None));
        vm.get_iter(&inner)
    });
}

/// `item in b` for bytes and bytearray.
pub fn bytes_contains(vm: &Vm, b: &[u8], item: &Value) -> PyResult<bool> {
    let sub = sub_arg(vm, item)?;
    Ok(find_bytes(b, &sub).is_some())
}

/// `ba[idx] = v` for ints and slices (a slice takes any bytes-like or iterable of ints).
pub fn bytearray_setitem(vm: &Vm, ba: &Rc<RefCell<Vec<u8>>>, idx: &Value, v: &Value) -> PyResult<()> {
    if let Value::Slice(sl) = idx {
        let new: Vec<u8> = match as_buf(vm, v) {
            Some(b) => b,
            None => {
                if as_int(v).is_some() || matches!(v, Value::Str(_)) {
                    return Err(Exc::type_error(
                        "can assign only bytes, buffers, or iterables of ints in range(0, 256)",
                    ));
                }
                let mut out = Vec::new();
                for x in vm.collect(v)? {
                    out.push(byte_value(vm, &x)?);
                }
                out
            }
        };
        let len = ba.borrow().len();
        let (start, stop, step, n) = vm.slice_indices(sl, len)?;
        let mut b = ba.borrow_mut();
        if step == 1 {
            let start = start.max(0) as usize;
            let stop = (stop.max(start as i64) as usize).min(b.len());
            let start = start.min(stop);
            b.splice(start..stop, new);
        } else {
            if new.len() != n {
                return Err(Exc::value_error(format!(
                    "attempt to assign bytes of size {} to extended slice of size {}",
                    new.len(),
                    n
                )));
            }
            for (k, x) in new.into_iter().enumerate() {
                let i = start + k as i64 * step;
                if let Some(slot) = usize::try_from(i).ok().and_then(|i| b.get_mut(i)) {
                    *slot = x;
                }
            }
        }
        return Ok(());
    }
    let i = vm.index_value(idx).map_err(|_| {
        Exc::type_error(format!("bytearray indices must be integers or slices, not {}", vm.type_name(idx)))
    })?;
    let x = byte_value(vm, v)?;
    let mut b = ba.borrow_mut();
    let len = b.len() as i64;
    let j = if i < 0 { i + len } else { i };
    match usize::try_from(j).ok().and_then(|j| b.get_mut(j)) {
        Some(slot) => {
            *slot = x;
            Ok(())
        }
        None => Err(Exc::index_error("bytearray index out of range")),
    }
}

fn install_bytearray(vm: &Vm, cls: &Rc<Class>) {
    add_method(vm, cls, "append", |vm, args: Args| {
        let b = this_array(vm, &args, "append")?;
        let rest = positional(&args, "bytearray", "append", 1, 1, Style::Clinic)?;
        let x = byte_value(vm, rest.first().unwrap_or(&Value::None))?;
        b.borrow_mut().push(x);
        Ok(Value::None)
    });
    add_method(vm, cls, "extend", |vm, args: Args| {
        let b = this_array(vm, &args, "extend")?;
        let rest = positional(&args, "bytearray", "extend", 1, 1, Style::Clinic)?;
        let v = rest.first().cloned().unwrap_or(Value::None);
        let new = match as_buf(vm, &v) {
            Some(x) => x,
            None => {
                if matches!(v, Value::Str(_)) {
                    return Err(Exc::type_error("expected iterable of integers; got: 'str'"));
                }
                if !vm.is_iterable(&v) {
                    return Err(Exc::type_error(format!("can't extend bytearray with {}", vm.type_name(&v))));
                }
                let mut out = Vec::new();
                for x in vm.collect(&v)? {
                    out.push(byte_value(vm, &x)?);
                }
                out
            }
        };
        b.borrow_mut().extend(new);
        Ok(Value::None)
    });
    add_method(vm, cls, "pop", |vm, args: Args| {
        let b = this_array(vm, &args, "pop")?;
        let rest = positional(&args, "bytearray", "pop", 0, 1, Style::Clinic)?;
        let i = match rest.first() {
            Some(v) => int_arg(vm, v)?,
            None => -1,
        };
        let mut b = b.borrow_mut();
        if b.is_empty() {
            return Err(Exc::index_error("pop from empty bytearray"));
        }
        let len = b.len() as i64;
        let j = if i < 0 { i + len } else { i };
        if j < 0 || j >= len {
            return Err(Exc::index_error("pop index out of range"));
        }
        Ok(Value::Int(b.remove(j as usize) as i64))
    });
    add_method(vm, cls, "insert", |vm, args: Args| {
        let b = this_array(vm, &args, "insert")?;
        let rest = positional(&args, "bytearray", "insert", 2, 2, Style::Clinic)?;
        let i = int_arg(vm, rest.first().unwrap_or(&Value::None))?;
        let x = byte_value(vm, rest.get(1).unwrap_or(&Value::None))?;
        let mut b = b.borrow_mut();
        let len = b.len() as i64;
        // Like list.insert: clamp the index into 0..=len.
        let j = if i < 0 { (i + len).max(0) } else { i.min(len) };
        b.insert(j as usize, x);
        Ok(Value::None)
    });
    add_method(vm, cls, "remove", |vm, args: Args| {
        let b = this_array(vm, &args, "remove")?;
        let rest = positional(&args, "bytearray", "remove", 1, 1, Style::Clinic)?;
        let x = byte_value(vm, rest.first().unwrap_or(&Value::None))?;
        let mut b = b.borrow_mut();
        match b.iter().position(|y| *y == x) {
            Some(p) => {
                b.remove(p);
                Ok(Value::None)
            }
            None => Err(Exc::value_error("value not found in bytearray")),
        }
    });
    add_method(vm, cls, "clear", |vm, args: Args| {
        let b = this_array(vm, &args, "clear")?;
        positional(&args, "bytearray", "clear", 0, 0, Style::Old)?;
        b.borrow_mut().clear();
        Ok(Value::None)
    });
    add_method(vm, cls, "reverse", |vm, args: Args| {
        let b = this_array(vm, &args, "reverse")?;
        positional(&args, "bytearray", "reverse", 0, 0, Style::Old)?;
        b.borrow_mut().reverse();
        Ok(Value::None)
    });
    add_method(vm, cls, "copy", |vm, args: Args| {
        let b = this_array(vm, &args, "copy")?;
        positional(&args, "bytearray", "copy", 0, 0, Style::Old)?;
        let v = b.borrow().clone();
        Ok(Value::ByteArray(Rc::new(RefCell::new(v))))
    });
    add_method(vm, cls, "__setitem__", |vm, args: Args| {
        let b = this_array(vm, &args, "__setitem__")?;
        let (Some(idx), Some(v)) = (args.pos.get(1), args.pos.get(2)) else {
            return Err(Exc::type_error(format!("expected 2 arguments, got {}", args.pos.len().saturating_sub(1))));
        };
        bytearray_setitem(vm, &b, idx, v)?;
        Ok(Value::None)
    });
}

pub fn install(vm: &Vm) {
    let bytes = vm.types.bytes.clone();
    let bytearray = vm.types.bytearray.clone();
    install_common(vm, &bytes, Kind::Bytes);
    install_common(vm, &bytearray, Kind::Array);
    install_bytearray(vm, &bytearray);
}
