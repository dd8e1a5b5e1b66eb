//! Conversions between [`Value`] and Rust types: [`FromValue`] for arguments, [`IntoValue`]
//! for results, and the argument-list traits that let host functions take typed
//! parameters (`|a: i64, b: String| ...`).
//!
//! Implemented for `bool`, the integer types, `f64`/`f32`, `String`/`&str`, `Vec<T>`,
//! `HashMap<K, V>`/`BTreeMap<K, V>`, `Option<T>` (`None`), tuples up to six, `()`, and
//! [`Value`] itself (no conversion). Integers out of range and wrong types raise
//! `TypeError`/`OverflowError` in the script, worded like CPython's.
//!
//! ```
//! use std::collections::HashMap;
//! let mut interp = coro::Interpreter::builder()
//!     .function("total", |prices: HashMap<String, f64>, discount: Option<f64>| {
//!         let sum: f64 = prices.values().sum();
//!         Ok(sum * (1.0 - discount.unwrap_or(0.0)))
//!     })
//!     .build()
//!     .unwrap();
//! let t: f64 = interp.eval("total({'a': 10.0, 'b': 30.0}, 0.5)").unwrap();
//! assert_eq!(t, 20.0);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::rc::Rc;

use super::error::Error;
use crate::runtime::dict::PyDict;
use crate::runtime::{Exc, PyResult, Value};
use crate::vm::Vm;

/// The interpreter a conversion runs in (needed to build dicts and to read objects
/// through their Python protocols). Opaque to hosts.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub(crate) vm: &'a Vm,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(vm: &'a Vm) -> Ctx<'a> {
        Ctx { vm }
    }
    /// `repr(v)`.
    pub fn repr(&self, v: &Value) -> Result<String, Error> {
        self.vm.repr(v).map_err(|e| Error::from_exc(self.vm, &e))
    }
    /// The Python type name of `v` (`"int"`).
    pub fn type_name(&self, v: &Value) -> String {
        self.vm.type_name(v).to_string()
    }
}

/// A Rust type that can be read from a Python value.
pub trait FromValue: Sized {
    /// A host-function parameter of this type may be left out by the caller; it then
    /// receives `None` (true for `Option<T>`).
    const OPTIONAL: bool = false;
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error>;
}

/// A Rust type that can become a Python value.
pub trait IntoValue {
    fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error>;
}

fn type_err(cx: Ctx<'_>, expected: &str, v: &Value) -> Error {
    Error::type_mismatch(expected, &*cx.vm.type_name(v))
}

pub(crate) fn exc_to_error(vm: &Vm, e: Exc) -> Error {
    Error::from_exc(vm, &e)
}

impl FromValue for Value {
    fn from_value(v: Value, _cx: Ctx<'_>) -> Result<Self, Error> {
        Ok(v)
    }
}
impl IntoValue for Value {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(self)
    }
}

impl IntoValue for () {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(Value::None)
    }
}
impl FromValue for () {
    fn from_value(_v: Value, _cx: Ctx<'_>) -> Result<Self, Error> {
        Ok(())
    }
}

impl FromValue for bool {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        match v {
            Value::Bool(b) => Ok(b),
            other => Err(type_err(cx, "bool", &other)),
        }
    }
}
impl IntoValue for bool {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(Value::Bool(self))
    }
}

fn to_i128(v: &Value, cx: Ctx<'_>) -> Result<i128, Error> {
    use num_traits::ToPrimitive;
    match v {
        Value::Int(i) => Ok(*i as i128),
        Value::Bool(b) => Ok(*b as i128),
        Value::BigInt(b) => b.to_i128().ok_or_else(|| Error::new("OverflowError", "int too large to convert")),
        other => Err(type_err(cx, "int", other)),
    }
}

macro_rules! int_conv {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
                let i = to_i128(&v, cx)?;
                <$t>::try_from(i).map_err(|_| Error::new("OverflowError", format!("int {i} out of range for {}", stringify!($t))))
            }
        }
        impl IntoValue for $t {
            fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
                let i = self as i128;
                Ok(match i64::try_from(i) {
                    Ok(x) => Value::Int(x),
                    Err(_) => Value::from_bigint(num_bigint::BigInt::from(i)),
                })
            }
        }
    )*};
}
int_conv!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl FromValue for f64 {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        match v {
            Value::Float(f) => Ok(f),
            Value::Int(_) | Value::Bool(_) | Value::BigInt(_) => {
                crate::builtins::constructors::to_float(cx.vm, &v).map_err(|e| exc_to_error(cx.vm, e))
            }
            other => Err(type_err(cx, "float", &other)),
        }
    }
}
impl IntoValue for f64 {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(Value::Float(self))
    }
}
impl FromValue for f32 {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        f64::from_value(v, cx).map(|f| f as f32)
    }
}
impl IntoValue for f32 {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(Value::Float(self as f64))
    }
}

impl FromValue for String {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        match v {
            Value::Str(s) => Ok(s.as_str().to_string()),
            other => Err(type_err(cx, "str", &other)),
        }
    }
}
impl IntoValue for String {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(Value::string(self))
    }
}
impl IntoValue for &str {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(Value::str(self))
    }
}
impl IntoValue for &String {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        Ok(Value::str(self))
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const OPTIONAL: bool = true;
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        if v.is_none() {
            Ok(None)
        } else {
            T::from_value(v, cx).map(Some)
        }
    }
}
impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error> {
        match self {
            None => Ok(Value::None),
            Some(v) => v.into_value(cx),
        }
    }
}

/// The items of any iterable (list, tuple, set, generator...).
fn items_of(v: &Value, cx: Ctx<'_>) -> Result<Vec<Value>, Error> {
    match v {
        Value::List(l) => Ok(l.borrow().clone()),
        Value::Tuple(t) => Ok(t.to_vec()),
        // A str is iterable, but a str where a list was expected is a mistake.
        Value::Str(_) => Err(Error::type_mismatch("a sequence", "str")),
        _ => cx.vm.collect(v).map_err(|e| exc_to_error(cx.vm, e)),
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        items_of(&v, cx)?.into_iter().enumerate().map(|(i, x)| T::from_value(x, cx).map_err(|e| e.at(&format!("[{i}]")))).collect()
    }
}
impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error> {
        let items = self.into_iter().map(|x| x.into_value(cx)).collect::<Result<Vec<_>, _>>()?;
        Ok(Value::list(items))
    }
}

/// Build a dict from converted pairs.
pub(crate) fn make_dict(vm: &Vm, pairs: Vec<(Value, Value)>) -> PyResult<Value> {
    let d = PyDict::new();
    for (k, v) in pairs {
        d.set(vm, k, v)?;
    }
    Ok(Value::Dict(Rc::new(d)))
}

fn dict_items(v: &Value, cx: Ctx<'_>) -> Result<Vec<(Value, Value)>, Error> {
    match v {
        Value::Dict(d) => Ok(d.items()),
        other => Err(type_err(cx, "dict", other)),
    }
}

/// The subscript naming a dict entry in error paths: `['port']`, `[3]`.
pub(crate) fn key_segment(k: &Value) -> String {
    match k {
        Value::Str(s) => format!("[{}]", crate::format::str_repr::str_repr(s.as_str())),
        Value::Int(i) => format!("[{i}]"),
        Value::Bool(b) => format!("[{}]", if *b { "True" } else { "False" }),
        Value::None => "[None]".to_string(),
        _ => "[...]".to_string(),
    }
}

/// Convert one dict entry, naming the entry in errors.
fn entry<K: FromValue, V: FromValue>(k: Value, v: Value, cx: Ctx<'_>) -> Result<(K, V), Error> {
    let seg = key_segment(&k);
    let key = K::from_value(k, cx).map_err(|e| Error::conversion(format!("bad key {seg}: {}", e.message())))?;
    let value = V::from_value(v, cx).map_err(|e| e.at(&seg))?;
    Ok((key, value))
}

impl<K: FromValue + Eq + Hash, V: FromValue> FromValue for HashMap<K, V> {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        dict_items(&v, cx)?.into_iter().map(|(k, v)| entry(k, v, cx)).collect()
    }
}
impl<K: IntoValue, V: IntoValue> IntoValue for HashMap<K, V> {
    fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error> {
        let pairs = self.into_iter().map(|(k, v)| Ok((k.into_value(cx)?, v.into_value(cx)?))).collect::<Result<Vec<_>, Error>>()?;
        make_dict(cx.vm, pairs).map_err(|e| exc_to_error(cx.vm, e))
    }
}
impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        dict_items(&v, cx)?.into_iter().map(|(k, v)| entry(k, v, cx)).collect()
    }
}
impl<K: IntoValue, V: IntoValue> IntoValue for BTreeMap<K, V> {
    fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error> {
        let pairs = self.into_iter().map(|(k, v)| Ok((k.into_value(cx)?, v.into_value(cx)?))).collect::<Result<Vec<_>, Error>>()?;
        make_dict(cx.vm, pairs).map_err(|e| exc_to_error(cx.vm, e))
    }
}

macro_rules! tuple_conv {
    ($n:expr; $($t:ident $i:tt),*) => {
        impl<$($t: FromValue),*> FromValue for ($($t,)*) {
            fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
                let items = items_of(&v, cx)?;
                if items.len() != $n {
                    return Err(Error::new("TypeError", format!("expected a sequence of {} items, got {}", $n, items.len())));
                }
                let mut it = items.into_iter();
                Ok(($($t::from_value(it.next().unwrap_or(Value::None), cx).map_err(|e| e.at(concat!("[", $i, "]")))?,)*))
            }
        }
        impl<$($t: IntoValue),*> IntoValue for ($($t,)*) {
            fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error> {
                Ok(Value::tuple(vec![$(self.$i.into_value(cx)?),*]))
            }
        }
    };
}
tuple_conv!(1; A 0);
tuple_conv!(2; A 0, B 1);
tuple_conv!(3; A 0, B 1, C 2);
tuple_conv!(4; A 0, B 1, C 2, D 3);
tuple_conv!(5; A 0, B 1, C 2, D 3, E 4);
tuple_conv!(6; A 0, B 1, C 2, D 3, E 4, F 5);

/// Arguments for calling a script function from Rust: a tuple of [`IntoValue`]s
/// (`()`, `(1,)`, `("a", 2)`), or a `Vec<Value>`.
pub trait IntoArgs {
    fn into_args(self, cx: Ctx<'_>) -> Result<Vec<Value>, Error>;
}

impl IntoArgs for Vec<Value> {
    fn into_args(self, _cx: Ctx<'_>) -> Result<Vec<Value>, Error> {
        Ok(self)
    }
}

impl IntoArgs for () {
    fn into_args(self, _cx: Ctx<'_>) -> Result<Vec<Value>, Error> {
        Ok(vec![])
    }
}

macro_rules! into_args_tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: IntoValue),*> IntoArgs for ($($t,)*) {
            fn into_args(self, cx: Ctx<'_>) -> Result<Vec<Value>, Error> {
                Ok(vec![$(self.$i.into_value(cx)?),*])
            }
        }
    };
}
into_args_tuple!(A 0);
into_args_tuple!(A 0, B 1);
into_args_tuple!(A 0, B 1, C 2);
into_args_tuple!(A 0, B 1, C 2, D 3);
into_args_tuple!(A 0, B 1, C 2, D 3, E 4);
into_args_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);

/// The host function being called: its name and declared parameter names, for binding
/// keyword arguments and wording argument errors as CPython does.
#[doc(hidden)]
pub struct CallSite<'s> {
    pub(crate) func: &'s str,
    pub(crate) params: Option<&'s [String]>,
}

impl CallSite<'_> {
    /// Name argument `i` (0-based) in a conversion error.
    pub(crate) fn arg_error(&self, e: Error, i: usize) -> Error {
        e.in_argument(self.func, i + 1, self.params.and_then(|p| p.get(i)).map(String::as_str))
    }
}

/// The marker [`HostFn`] uses for a `&str` parameter (never constructed).
#[doc(hidden)]
pub struct StrParam;

/// Borrow the text of a `str` argument.
#[doc(hidden)]
pub fn str_param<'v>(v: &'v Value, cx: Ctx<'_>) -> Result<&'v str, Error> {
    match v {
        Value::Str(s) => Ok(s.as_str()),
        other => Err(type_err(cx, "str", other)),
    }
}

/// A Rust closure usable as a script function: `Fn(A, B, ...) -> Result<R, Error>` of
/// arity 0–6, every argument [`FromValue`] or `&str`, and `R: IntoValue`. `Marker` only
/// tells the implementations apart.
///
/// `&str` parameters borrow the script's string without copying it. They cannot be
/// [`FromValue`] (the borrow lives only as long as the call's arguments), so every
/// combination of owned and `&str` parameters has its own implementation; the closure
/// must spell the type out (`|name: &str| ...`). Async and blocking host functions
/// outlive the call and take `String` instead.
///
/// ```
/// let mut interp = coro::Interpreter::builder()
///     .function("shout", |s: &str, times: usize| Ok(s.to_uppercase().repeat(times)))
///     .build()
///     .unwrap();
/// assert_eq!(interp.eval::<String>("shout('ab', 2)").unwrap(), "ABAB");
/// let err = interp.eval::<String>("shout(1, 2)").unwrap_err();
/// assert_eq!(err.message(), "shout() argument 1 must be str, not int");
/// ```
pub trait HostFn<Marker>: 'static {
    /// Output of the call (converted to a Python value by the caller).
    type Output;
    /// The number of parameters.
    const ARITY: usize;
    /// Which parameters the caller may leave out (see [`FromValue::OPTIONAL`]).
    const OPTIONAL: &'static [bool];
    /// The parameter names, when declared with [`named`] (so keyword arguments bind).
    fn params(&self) -> Option<&[String]> {
        None
    }
    /// Convert the arguments (one per parameter, `None` for omitted ones) and call.
    fn call_with(&self, args: Vec<Value>, cx: Ctx<'_>, site: &CallSite<'_>) -> Result<Self::Output, Error>;
}

/// Emits one [`HostFn`] implementation per combination of owned and `&str` parameters:
/// each parameter name either becomes a type parameter `A: FromValue` or a `&'a str`.
macro_rules! host_fn_impl {
    // Every parameter decided: emit the implementation.
    (@build $x:tt [$($gen:tt)*] [$($mark:tt)*] [$($sig:tt)*] [$($opt:tt)*] [$($bind:tt)*] [$($name:ident)*];) => {
        host_fn_impl!(@emit $x [$($gen)*] [$($mark)*] [$($sig)*] [$($opt)*] [$($bind)*] [$($name)*]);
    };
    // The locals the bindings use come in from the first expansion (`$x`), so that
    // hygiene lets code accumulated over several expansions see them.
    (@emit [$it:ident $cx:ident $site:ident] [$($gen:tt)*] [$($mark:tt)*] [$($sig:tt)*] [$($opt:tt)*] [$($bind:tt)*] [$($name:ident)*]) => {
        impl<Func, R, $($gen)*> HostFn<($($mark)*)> for Func
        where
            Func: for<'a> Fn($($sig)*) -> R + 'static,
        {
            type Output = R;
            const ARITY: usize = <[&str]>::len(&[$(stringify!($name)),*]);
            const OPTIONAL: &'static [bool] = &[$($opt)*];
            #[allow(unused_variables, unused_mut, non_snake_case)]
            fn call_with(&self, args: Vec<Value>, $cx: Ctx<'_>, $site: &CallSite<'_>) -> Result<R, Error> {
                let mut $it = args.into_iter().enumerate();
                $($bind)*
                Ok((self)($($name),*))
            }
        }
    };
    // Parameter `$p` is either owned (`$p: FromValue`) or `&str`.
    (@build [$it:ident $cx:ident $site:ident] [$($gen:tt)*] [$($mark:tt)*] [$($sig:tt)*] [$($opt:tt)*] [$($bind:tt)*] [$($name:ident)*]; $p:ident $($rest:ident)*) => {
        host_fn_impl!(@build [$it $cx $site]
            [$($gen)* $p: FromValue,] [$($mark)* $p,] [$($sig)* $p,] [$($opt)* <$p as FromValue>::OPTIONAL,]
            [$($bind)*
                let (i, v) = $it.next().unwrap_or((0, Value::None));
                let $p = $p::from_value(v, $cx).map_err(|e| $site.arg_error(e, i))?;
            ]
            [$($name)* $p]; $($rest)*);
        host_fn_impl!(@build [$it $cx $site]
            [$($gen)*] [$($mark)* StrParam,] [$($sig)* &'a str,] [$($opt)* false,]
            [$($bind)*
                let (i, $p) = $it.next().unwrap_or((0, Value::None));
                // Shadowing keeps the owned value alive for the borrow.
                let $p = str_param(&$p, $cx).map_err(|e| $site.arg_error(e, i))?;
            ]
            [$($name)* $p]; $($rest)*);
    };
    ($($p:ident)*) => {
        host_fn_impl!(@build [it cx site] [] [] [] [] [] []; $($p)*);
    };
}
host_fn_impl!();
host_fn_impl!(A);
host_fn_impl!(A B);
host_fn_impl!(A B C);
host_fn_impl!(A B C D);
host_fn_impl!(A B C D E);
host_fn_impl!(A B C D E F);

/// A host function with named parameters, made by [`named`].
pub struct Named<F> {
    pub(crate) names: Vec<String>,
    pub(crate) f: F,
}

/// The marker of [`Named`]'s [`HostFn`] implementation.
#[doc(hidden)]
pub struct NamedMarker<M>(std::marker::PhantomData<M>);

/// Give a host function's parameters names, so scripts may pass them as keyword
/// arguments. Binding follows CPython's rules for positional-or-keyword parameters:
/// `Option<T>` parameters may be left out (they get `None`: write the default in the
/// closure), and mistakes raise CPython's `TypeError`s. Works with `function`,
/// `async_function` and `blocking_function`. The number of names must match the
/// closure's parameters (checked when the interpreter is built).
///
/// ```
/// use coro::{named, Interpreter};
/// let mut interp = Interpreter::builder()
///     .function("connect", named(["host", "port", "tls"], |host: String, port: Option<u16>, tls: Option<bool>| {
///         Ok(format!("{host}:{}{}", port.unwrap_or(80), if tls.unwrap_or(false) { " (tls)" } else { "" }))
///     }))
///     .build()
///     .unwrap();
/// assert_eq!(interp.eval::<String>("connect('a', tls=True)").unwrap(), "a:80 (tls)");
/// assert_eq!(interp.eval::<String>("connect(port=8080, host='b')").unwrap(), "b:8080");
/// let err = interp.eval::<String>("connect('a', timeout=3)").unwrap_err();
/// assert_eq!(err.message(), "connect() got an unexpected keyword argument 'timeout'");
/// let err = interp.eval::<String>("connect(port=1)").unwrap_err();
/// assert_eq!(err.message(), "connect() missing required argument 'host' (pos 1)");
/// ```
pub fn named<F, const N: usize>(names: [&str; N], f: F) -> Named<F> {
    Named { names: names.iter().map(|n| n.to_string()).collect(), f }
}

impl<F: HostFn<M>, M: 'static> HostFn<NamedMarker<M>> for Named<F> {
    type Output = F::Output;
    const ARITY: usize = F::ARITY;
    const OPTIONAL: &'static [bool] = F::OPTIONAL;
    fn params(&self) -> Option<&[String]> {
        Some(&self.names)
    }
    fn call_with(&self, args: Vec<Value>, cx: Ctx<'_>, site: &CallSite<'_>) -> Result<F::Output, Error> {
        self.f.call_with(args, cx, site)
    }
}
