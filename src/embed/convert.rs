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
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error>;
}

/// A Rust type that can become a Python value.
pub trait IntoValue {
    fn into_value(self, cx: Ctx<'_>) -> Result<Value, Error>;
}

fn type_err(cx: Ctx<'_>, expected: &str, v: &Value) -> Error {
    Error::new("TypeError", format!("expected {expected}, got {}", cx.vm.type_name(v)))
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
        Value::Str(_) => Err(Error::new("TypeError", "expected a sequence, got str")),
        _ => cx.vm.collect(v).map_err(|e| exc_to_error(cx.vm, e)),
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        items_of(&v, cx)?.into_iter().map(|x| T::from_value(x, cx)).collect()
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

impl<K: FromValue + Eq + Hash, V: FromValue> FromValue for HashMap<K, V> {
    fn from_value(v: Value, cx: Ctx<'_>) -> Result<Self, Error> {
        dict_items(&v, cx)?.into_iter().map(|(k, v)| Ok((K::from_value(k, cx)?, V::from_value(v, cx)?))).collect()
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
        dict_items(&v, cx)?.into_iter().map(|(k, v)| Ok((K::from_value(k, cx)?, V::from_value(v, cx)?))).collect()
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
                Ok(($({ let _ = $i; $t::from_value(it.next().unwrap_or(Value::None), cx)? },)*))
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

/// A Rust closure usable as a script function: `Fn(A, B, ...) -> Result<R, Error>` with
/// every argument [`FromValue`] and `R: IntoValue`. `Marker` only disambiguates arities.
pub trait HostFn<Marker>: 'static {
    /// Output of the call (converted to a Python value by the caller).
    type Output;
    /// The number of positional parameters.
    const ARITY: usize;
    /// Convert the arguments and call.
    fn call_with(&self, args: Vec<Value>, cx: Ctx<'_>) -> Result<Self::Output, Error>;
}

macro_rules! host_fn_impl {
    ($n:expr; $($t:ident),*) => {
        impl<Func, R, $($t: FromValue),*> HostFn<($($t,)*)> for Func
        where
            Func: Fn($($t),*) -> R + 'static,
        {
            type Output = R;
            const ARITY: usize = $n;
            #[allow(unused_variables, unused_mut, non_snake_case)]
            fn call_with(&self, args: Vec<Value>, cx: Ctx<'_>) -> Result<R, Error> {
                let mut it = args.into_iter();
                $(let $t = $t::from_value(it.next().unwrap_or(Value::None), cx)?;)*
                Ok((self)($($t),*))
            }
        }
    };
}
host_fn_impl!(0;);
host_fn_impl!(1; A);
host_fn_impl!(2; A, B);
host_fn_impl!(3; A, B, C);
host_fn_impl!(4; A, B, C, D);
host_fn_impl!(5; A, B, C, D, E);
host_fn_impl!(6; A, B, C, D, E, F);
