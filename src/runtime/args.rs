//! Call arguments and the one argument binder every builtin uses.

use smallvec::SmallVec;

use super::exception::{Exc, PyResult};
use super::value::Value;
use crate::syntax::ast::Name;

/// Evaluated call arguments: positional values and `name=value` pairs.
#[derive(Default)]
pub struct Args {
    pub pos: SmallVec<[Value; 4]>,
    pub kw: Vec<(Name, Value)>,
}

impl Args {
    pub fn new(pos: impl IntoIterator<Item = Value>) -> Args {
        Args { pos: pos.into_iter().collect(), kw: Vec::new() }
    }
    pub fn empty() -> Args {
        Args::default()
    }
    pub fn one(v: Value) -> Args {
        let mut pos = SmallVec::new();
        pos.push(v);
        Args { pos, kw: Vec::new() }
    }
    pub fn len(&self) -> usize {
        self.pos.len()
    }
    pub fn is_empty(&self) -> bool {
        self.pos.is_empty() && self.kw.is_empty()
    }
    /// Prepend a receiver (`self`) for a method call.
    pub fn with_receiver(mut self, receiver: Value) -> Args {
        self.pos.insert(0, receiver);
        self
    }
    /// Remove and return keyword argument `name`.
    pub fn take_kw(&mut self, name: &str) -> Option<Value> {
        let i = self.kw.iter().position(|(k, _)| &**k == name)?;
        Some(self.kw.remove(i).1)
    }
    /// Fail if any keyword argument is left.
    pub fn no_kw(&self, fname: &str) -> PyResult<()> {
        if let Some((k, _)) = self.kw.first() {
            if self.kw.len() == self.kw.len() && !k.is_empty() {
                return Err(Exc::type_error(format!("{fname}() takes no keyword arguments")));
            }
        }
        Ok(())
    }
    /// Bind positional-or-keyword parameters `names`; the first `required` must be given.
    /// Extra positional or unknown keyword arguments are errors with CPython's wording.
    pub fn bind<const N: usize>(self, fname: &str, names: [&str; N], required: usize) -> PyResult<[Option<Value>; N]> {
        let mut out: [Option<Value>; N] = std::array::from_fn(|_| None);
        let req: [bool; N] = std::array::from_fn(|i| i < required);
        self.bind_to(fname, Some(&names), &req, &mut out)?;
        Ok(out)
    }

    /// The binder behind [`Args::bind`], for parameter lists known only at run time (host
    /// functions): `names` (`None`: positional only), which parameters are `required`,
    /// and one `out` slot per parameter for what the caller passed.
    pub fn bind_to<S: AsRef<str>>(
        self,
        fname: &str,
        names: Option<&[S]>,
        required: &[bool],
        out: &mut [Option<Value>],
    ) -> PyResult<()> {
        let n = out.len();
        let nreq = required.iter().filter(|r| **r).count();
        let npos = self.pos.len();
        if npos > n {
            return Err(Exc::type_error(match (n, n == nreq) {
                (0, _) => format!("{fname}() takes no arguments ({npos} given)"),
                (1, true) => format!("{fname}() takes exactly one argument ({npos} given)"),
                (_, true) => format!("{fname}() takes exactly {n} arguments ({npos} given)"),
                _ => format!("{fname}() takes at most {n} arguments ({npos} given)"),
            }));
        }
        for (i, v) in self.pos.into_iter().enumerate() {
            out[i] = Some(v);
        }
        if !self.kw.is_empty() {
            let Some(names) = names else {
                return Err(Exc::type_error(format!("{fname}() takes no keyword arguments")));
            };
            for (k, v) in self.kw {
                match names.iter().position(|n| n.as_ref() == &*k) {
                    Some(i) if out[i].is_none() => out[i] = Some(v),
                    Some(_) => {
                        return Err(Exc::type_error(format!("argument for {fname}() given by name ('{k}') and position")))
                    }
                    None => {
                        return Err(Exc::type_error(format!("{fname}() got an unexpected keyword argument '{k}'")))
                    }
                }
            }
        }
        for (i, slot) in out.iter().enumerate() {
            if slot.is_some() || !required.get(i).copied().unwrap_or(false) {
                continue;
            }
            let given = npos;
            return Err(Exc::type_error(match names {
                _ if nreq == 1 && n == 1 => format!("{fname}() takes exactly one argument (0 given)"),
                Some(names) => format!("{fname}() missing required argument '{}' (pos {})", names[i].as_ref(), i + 1),
                None if n == nreq => format!("{fname} expected {n} argument{}, got {given}", if n == 1 { "" } else { "s" }),
                None => {
                    let least = required.iter().rposition(|r| *r).map_or(0, |p| p + 1);
                    format!("{fname} expected at least {least} argument{}, got {given}", if least == 1 { "" } else { "s" })
                }
            }));
        }
        Ok(())
    }
    /// Exactly `N` positional arguments, no keywords.
    pub fn exact<const N: usize>(self, fname: &str) -> PyResult<[Value; N]> {
        self.no_kw(fname)?;
        if self.pos.len() != N {
            let n = self.pos.len();
            return Err(Exc::type_error(match N {
                0 => format!("{fname}() takes no arguments ({n} given)"),
                1 => format!("{fname}() takes exactly one argument ({n} given)"),
                _ => format!("{fname} expected {N} arguments, got {n}"),
            }));
        }
        let mut it = self.pos.into_iter();
        Ok(std::array::from_fn(|_| it.next().unwrap_or(Value::None)))
    }
}
