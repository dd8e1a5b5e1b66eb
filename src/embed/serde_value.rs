//! serde conversion between [`Value`] and Rust types: [`to_value`], [`from_value`], and
//! the [`Serde`] wrapper that lets host functions take and return serde types.
//!
//! The mapping is the one JSON uses, with Python's types:
//!
//! | Rust (serde data model) | Python |
//! |---|---|
//! | `()`, unit struct, `Option::None` | `None` |
//! | `bool` | `bool` |
//! | integers (`i8`…`u128`) | `int` (big ints when they do not fit in `i64`) |
//! | `f32`, `f64` | `float` (an `int` is accepted where a float is expected) |
//! | `char`, `String`, `&str` | `str` |
//! | bytes (`serde_bytes`) | `bytes` (`bytearray` accepted) |
//! | `Vec`, sequences | `list` (`tuple`, `set`, `frozenset` accepted) |
//! | tuples, tuple structs | `tuple` (`list` accepted) |
//! | maps, structs | `dict` (struct fields as `str` keys) |
//! | enums, externally tagged | `'Variant'` for unit variants, `{'Variant': content}` otherwise |
//!
//! Subclasses of `dict`, `list`, `str`... convert as their base type; other objects
//! (functions, class instances) are errors. Conversion errors are
//! [`ErrorKind::Conversion`](crate::ErrorKind::Conversion) and name the failing part
//! with Python subscripts ([`Error::path`]); in a host-function argument they raise a
//! `TypeError` such as `load() argument 1['servers'][0]['port'] must be u16, not str`.
//!
//! `Value` itself implements `Serialize` and `Deserialize`, so a script's data can go
//! straight to any serde format (`serde_json::to_string(&value)`).
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use coro::{Interpreter, Serde};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Server { host: String, port: u16, tags: Vec<String> }
//!
//! let mut interp = Interpreter::builder()
//!     // Serde<T> arguments and results convert through serde.
//!     .function("default_server", || Ok(Serde(Server { host: "localhost".into(), port: 80, tags: vec![] })))
//!     .function("describe", |s: Serde<Server>| Ok(format!("{}:{}", s.0.host, s.0.port)))
//!     .build()
//!     .unwrap();
//! let s: Server = coro::from_value(&interp.eval("s = default_server()\ns['tags'].append('web')\ns").unwrap()).unwrap();
//! assert_eq!(s, Server { host: "localhost".into(), port: 80, tags: vec!["web".into()] });
//!
//! interp.set("cfg", coro::to_value(&s).unwrap()).unwrap();
//! assert_eq!(interp.eval::<String>("describe(cfg)").unwrap(), "localhost:80");
//! let err = interp.eval::<String>("describe({'host': 'h', 'port': 'x', 'tags': []})").unwrap_err();
//! assert_eq!(err.exception_type(), "TypeError");
//! assert_eq!(err.message(), "describe() argument 1['port'] must be u16, not str");
//! ```

use std::fmt;
use std::rc::Rc;

use ::serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use ::serde::ser::{self, Serialize};
use ::serde::{forward_to_deserialize_any, Deserialize, Deserializer, Serializer};

use super::convert::{key_segment, Ctx, FromValue, IntoValue};
use super::error::Error;
use crate::runtime::class::Payload;
use crate::runtime::dict::{fast_key_eq, KeyOps, PyDict};
use crate::runtime::{PyResult, Value};

/// Convert any `Serialize` value to a Python value (see the module docs for the mapping).
///
/// The result belongs to no interpreter in particular: pass it to
/// [`Interpreter::set`](crate::Interpreter::set), a host function result, or a call.
///
/// ```
/// use std::collections::BTreeMap;
/// let v = coro::to_value(&BTreeMap::from([("a", vec![1, 2]), ("b", vec![])])).unwrap();
/// let mut interp = coro::Interpreter::new().unwrap();
/// interp.set("v", v).unwrap();
/// assert_eq!(interp.eval::<String>("repr(v)").unwrap(), "{'a': [1, 2], 'b': []}");
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(ValueSerializer)
}

/// Convert a Python value to any `DeserializeOwned` type (see the module docs for the
/// mapping). Errors name the part that failed:
///
/// ```
/// use std::collections::HashMap;
/// let mut interp = coro::Interpreter::new().unwrap();
/// let v = interp.eval::<coro::Value>("{'a': [1, 2], 'b': [3, 'x']}").unwrap();
/// let err = coro::from_value::<HashMap<String, Vec<i64>>>(&v).unwrap_err();
/// assert_eq!(err.path(), Some("['b'][1]"));
/// assert_eq!(err.message(), "value['b'][1] must be i64, not str");
/// ```
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, Error> {
    T::deserialize(ValueDeserializer(value.clone()))
}

/// A host-function argument or result converted through serde: `Serde<Config>` takes
/// a dict shaped like `Config`; returning `Serde(config)` gives the script a dict.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// #[derive(Serialize, Deserialize)]
/// #[serde(rename_all = "lowercase")]
/// enum Shape { Circle { r: f64 }, Square(f64), Dot }
///
/// let mut interp = coro::Interpreter::builder()
///     .function("area", |s: coro::Serde<Shape>| Ok(match s.0 {
///         Shape::Circle { r } => 3.0 * r * r,
///         Shape::Square(a) => a * a,
///         Shape::Dot => 0.0,
///     }))
///     .function("unit", || Ok(coro::Serde(vec![Shape::Dot, Shape::Square(1.0)])))
///     .build()
///     .unwrap();
/// assert_eq!(interp.eval::<f64>("area({'circle': {'r': 2}}) + area({'square': 3}) + area('dot')").unwrap(), 21.0);
/// assert_eq!(interp.eval::<String>("repr(unit())").unwrap(), "['dot', {'square': 1.0}]");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Serde<T>(pub T);

impl<T: DeserializeOwned> FromValue for Serde<T> {
    fn from_value(v: Value, _cx: Ctx<'_>) -> Result<Self, Error> {
        T::deserialize(ValueDeserializer(v)).map(Serde)
    }
}

impl<T: Serialize> IntoValue for Serde<T> {
    fn into_value(self, _cx: Ctx<'_>) -> Result<Value, Error> {
        to_value(&self.0)
    }
}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::conversion(msg.to_string())
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::conversion(msg.to_string())
    }
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Error::type_mismatch(exp.to_string(), python_kind(&unexp))
    }
    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        match unexp {
            Unexpected::Signed(i) => Error::overflow(format!("int {i} out of range for {exp}")),
            Unexpected::Unsigned(u) => Error::overflow(format!("int {u} out of range for {exp}")),
            other => Error::conversion(format!("invalid value {other}, expected {exp}")),
        }
    }
}

/// The Python type name for what a serde visitor saw (refined by the deserializer,
/// which knows the real type, through `Error::with_found_type`).
fn python_kind(u: &Unexpected<'_>) -> String {
    match u {
        Unexpected::Bool(_) => "bool",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "int",
        Unexpected::Float(_) => "float",
        Unexpected::Char(_) | Unexpected::Str(_) => "str",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit | Unexpected::Option => "NoneType",
        Unexpected::Seq => "list",
        Unexpected::Map => "dict",
        Unexpected::Other(s) => s,
        _ => "enum",
    }
    .to_string()
}

/// The Python type name of a value, without an interpreter.
fn type_name(v: &Value) -> String {
    match v {
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::BigInt(_) => "int",
        Value::Float(_) => "float",
        Value::Str(_) => "str",
        Value::Bytes(_) => "bytes",
        Value::ByteArray(_) => "bytearray",
        Value::List(_) => "list",
        Value::Tuple(_) => "tuple",
        Value::Dict(_) => "dict",
        Value::Set(_) => "set",
        Value::FrozenSet(_) => "frozenset",
        Value::Range(_) => "range",
        Value::Slice(_) => "slice",
        Value::Function(_) | Value::Builtin(_) => "function",
        Value::BoundMethod(_) => "method",
        Value::Class(_) => "type",
        Value::Instance(i) => return i.class().name.to_string(),
        Value::Module(_) => "module",
        Value::Generator(_) => "generator",
        Value::Ellipsis => "ellipsis",
        Value::NotImplemented => "NotImplementedType",
    }
    .to_string()
}

/// Hashing for the keys serde produces (str, int, float, bool, None), which hash
/// without running Python code, so dicts can be built without an interpreter.
struct PlainKeys;

impl PlainKeys {
    fn hash(key: &Value) -> Result<i64, String> {
        use crate::vm::numeric::{hash_bigint, hash_f64, hash_i64};
        Ok(match key {
            Value::Str(s) => s.hash(),
            Value::Int(i) => hash_i64(*i),
            Value::Bool(b) => *b as i64,
            Value::BigInt(b) => hash_bigint(b),
            Value::Float(f) => hash_f64(*f),
            other => return Err(format!("dict keys must be str, int, float or bool, not {}", type_name(other))),
        })
    }
}

impl KeyOps for PlainKeys {
    fn hash_key(&self, key: &Value) -> PyResult<i64> {
        PlainKeys::hash(key).map_err(crate::runtime::Exc::type_error)
    }
    fn keys_equal(&self, a: &Value, b: &Value) -> PyResult<bool> {
        Ok(fast_key_eq(a, b).unwrap_or(false))
    }
}

fn dict_set(d: &PyDict, k: Value, v: Value) -> Result<(), Error> {
    // Checked first so the error is a conversion error with its message, not an `Exc`.
    PlainKeys::hash(&k).map_err(Error::conversion)?;
    d.set(&PlainKeys, k, v).map_err(|_| Error::conversion("dict key could not be hashed"))
}

fn one_entry_dict(k: &str, v: Value) -> Result<Value, Error> {
    let d = PyDict::new();
    dict_set(&d, Value::str(k), v)?;
    Ok(Value::Dict(Rc::new(d)))
}

fn int_value(i: i128) -> Value {
    match i64::try_from(i) {
        Ok(x) => Value::Int(x),
        Err(_) => Value::from_bigint(num_bigint::BigInt::from(i)),
    }
}

/// Builds Python values from the serde data model.
struct ValueSerializer;

impl Serializer for ValueSerializer {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = SeqBuilder;
    type SerializeMap = DictBuilder;
    type SerializeStruct = DictBuilder;
    type SerializeStructVariant = DictBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        Ok(int_value(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(int_value(v.into()))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Ok(match i128::try_from(v) {
            Ok(i) => int_value(i),
            Err(_) => Value::from_bigint(num_bigint::BigInt::from(v)),
        })
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::string(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Bytes(Rc::new(v.to_vec())))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(Value::None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(Value::None)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(Value::None)
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<Value, Error> {
        Ok(Value::str(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        one_entry_dict(variant, value.serialize(self)?)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder { items: Vec::with_capacity(len.unwrap_or(0)), tuple: false, variant: None })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder { items: Vec::with_capacity(len), tuple: true, variant: None })
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder, Error> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, Error> {
        Ok(SeqBuilder { items: Vec::with_capacity(len), tuple: true, variant: Some(variant) })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<DictBuilder, Error> {
        Ok(DictBuilder { dict: PyDict::new(), key: None, variant: None })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<DictBuilder, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<DictBuilder, Error> {
        Ok(DictBuilder { dict: PyDict::new(), key: None, variant: Some(variant) })
    }
}

/// A list or tuple being built (`variant`: wrapped as `{variant: tuple}` at the end).
struct SeqBuilder {
    items: Vec<Value>,
    tuple: bool,
    variant: Option<&'static str>,
}

impl SeqBuilder {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let i = self.items.len();
        self.items.push(value.serialize(ValueSerializer).map_err(|e| e.at(&format!("[{i}]")))?);
        Ok(())
    }
    fn finish(self) -> Result<Value, Error> {
        let v = if self.tuple { Value::tuple(self.items) } else { Value::list(self.items) };
        match self.variant {
            Some(name) => one_entry_dict(name, v),
            None => Ok(v),
        }
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        self.finish()
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        self.finish()
    }
}

impl ser::SerializeTupleVariant for SeqBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.push(value)
    }
    fn end(self) -> Result<Value, Error> {
        self.finish()
    }
}

/// A dict being built (`variant`: wrapped as `{variant: dict}` at the end).
struct DictBuilder {
    dict: PyDict,
    key: Option<Value>,
    variant: Option<&'static str>,
}

impl DictBuilder {
    fn entry<T: Serialize + ?Sized>(&mut self, key: Value, value: &T) -> Result<(), Error> {
        let seg = key_segment(&key);
        let v = value.serialize(ValueSerializer).map_err(|e| e.at(&seg))?;
        dict_set(&self.dict, key, v)
    }
    fn finish(self) -> Result<Value, Error> {
        let v = Value::Dict(Rc::new(self.dict));
        match self.variant {
            Some(name) => one_entry_dict(name, v),
            None => Ok(v),
        }
    }
}

impl ser::SerializeMap for DictBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key.serialize(ValueSerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.key.take().ok_or_else(|| Error::conversion("serialize_value called before serialize_key"))?;
        self.entry(key, value)
    }
    fn end(self) -> Result<Value, Error> {
        self.finish()
    }
}

impl ser::SerializeStruct for DictBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.entry(Value::str(key), value)
    }
    fn end(self) -> Result<Value, Error> {
        self.finish()
    }
}

impl ser::SerializeStructVariant for DictBuilder {
    type Ok = Value;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.entry(Value::str(key), value)
    }
    fn end(self) -> Result<Value, Error> {
        self.finish()
    }
}

/// Reads a Python value as the serde data model. Holds the value itself (an `Rc`
/// clone), so nested values are read without borrowing containers across visitor calls.
struct ValueDeserializer(Value);

impl ValueDeserializer {
    /// The value a subclass of a builtin type wraps (`class Config(dict)`).
    fn unwrap_builtin(v: Value) -> Value {
        match &v {
            Value::Instance(i) => match &i.payload {
                Payload::Builtin(b) => b.borrow().clone(),
                _ => v,
            },
            _ => v,
        }
    }
}

macro_rules! int_methods {
    ($($m:ident)*) => {$(
        fn $m<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::Bool(b) => visitor.visit_i64(b as i64),
                v => ValueDeserializer(v).deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for ValueDeserializer {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let v = Self::unwrap_builtin(self.0);
        let found = type_name(&v);
        let r = match v {
            Value::None => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::BigInt(b) => {
                use num_traits::ToPrimitive;
                match (b.to_u64(), b.to_i128(), b.to_u128()) {
                    (Some(u), _, _) => visitor.visit_u64(u),
                    (_, Some(i), _) => visitor.visit_i128(i),
                    (_, _, Some(u)) => visitor.visit_u128(u),
                    _ => Err(Error::overflow(format!("int too large to convert: {b}"))),
                }
            }
            Value::Float(f) => visitor.visit_f64(f),
            Value::Str(s) => visitor.visit_str(s.as_str()),
            Value::Bytes(b) => visitor.visit_bytes(&b),
            Value::ByteArray(b) => {
                let bytes = b.borrow().clone();
                visitor.visit_byte_buf(bytes)
            }
            Value::List(l) => {
                let items = l.borrow().clone();
                visitor.visit_seq(SeqReader::new(items))
            }
            Value::Tuple(t) => visitor.visit_seq(SeqReader::new(t.to_vec())),
            Value::Set(s) | Value::FrozenSet(s) => visitor.visit_seq(SeqReader::new(s.items())),
            Value::Dict(d) => visitor.visit_map(MapReader::new(d.items())),
            _ => Err(de::Error::invalid_type(Unexpected::Other(&found), &visitor)),
        };
        r.map_err(|e| e.with_found_type(&found))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::None => visitor.visit_none(),
            v => visitor.visit_some(ValueDeserializer(v)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let v = Self::unwrap_builtin(self.0);
        match v {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            Value::Dict(d) if d.len() == 1 => {
                let Some((tag, content)) = d.items().into_iter().next() else {
                    return Err(Error::conversion("dict changed while reading it"));
                };
                visitor.visit_enum(EnumReader { tag, content })
            }
            other => Err(Error::type_mismatch(
                format!("enum {name} (a variant name, or a dict of one variant name to its content)"),
                type_name(&other),
            )),
        }
    }

    // Python's bool is an int: accept True/False where an integer is expected.
    int_methods!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);

    // `bytes` where a sequence is expected reads as its ints (`Vec<u8>`); `serde_bytes`
    // asks for bytes and gets them whole.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let ints = |b: &[u8]| b.iter().map(|x| Value::Int((*x).into())).collect::<Vec<_>>();
        match Self::unwrap_builtin(self.0) {
            Value::Bytes(b) => visitor.visit_seq(SeqReader::new(ints(&b))),
            Value::ByteArray(b) => {
                let items = ints(&b.borrow());
                visitor.visit_seq(SeqReader::new(items))
            }
            v => ValueDeserializer(v).deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

/// The items of a list, tuple or set, each error prefixed with its index.
struct SeqReader {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl SeqReader {
    fn new(items: Vec<Value>) -> SeqReader {
        SeqReader { items: items.into_iter(), index: 0 }
    }
}

impl<'de> de::SeqAccess<'de> for SeqReader {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        let Some(v) = self.items.next() else { return Ok(None) };
        let i = self.index;
        self.index += 1;
        seed.deserialize(ValueDeserializer(v)).map(Some).map_err(|e| e.at(&format!("[{i}]")))
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of a dict, each error prefixed with its key.
struct MapReader {
    entries: std::vec::IntoIter<(Value, Value)>,
    value: Option<(Value, String)>,
}

impl MapReader {
    fn new(entries: Vec<(Value, Value)>) -> MapReader {
        MapReader { entries: entries.into_iter(), value: None }
    }
}

impl<'de> de::MapAccess<'de> for MapReader {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((k, v)) = self.entries.next() else { return Ok(None) };
        let seg = key_segment(&k);
        self.value = Some((v, seg.clone()));
        seed.deserialize(ValueDeserializer(k)).map(Some).map_err(|e| e.at(&seg))
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let (v, seg) = self.value.take().ok_or_else(|| Error::conversion("next_value called before next_key"))?;
        seed.deserialize(ValueDeserializer(v)).map_err(|e| e.at(&seg))
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// `{tag: content}`: an enum variant with content.
struct EnumReader {
    tag: Value,
    content: Value,
}

impl<'de> de::EnumAccess<'de> for EnumReader {
    type Error = Error;
    type Variant = VariantReader;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, VariantReader), Error> {
        let seg = key_segment(&self.tag);
        let variant = seed.deserialize(ValueDeserializer(self.tag))?;
        Ok((variant, VariantReader { content: self.content, seg }))
    }
}

struct VariantReader {
    content: Value,
    seg: String,
}

impl<'de> de::VariantAccess<'de> for VariantReader {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        match self.content {
            Value::None => Ok(()),
            other => Err(Error::type_mismatch("None (a unit variant)", type_name(&other)).at(&self.seg)),
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(ValueDeserializer(self.content)).map_err(|e| e.at(&self.seg))
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        ValueDeserializer(self.content).deserialize_any(visitor).map_err(|e| e.at(&self.seg))
    }
    fn struct_variant<V: Visitor<'de>>(self, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        ValueDeserializer(self.content).deserialize_any(visitor).map_err(|e| e.at(&self.seg))
    }
}

/// A script's data to any serde format: `None`, bool, int, float, str, bytes, lists,
/// tuples, sets (as sequences) and dicts. Other objects are errors.
///
/// ```
/// let mut interp = coro::Interpreter::new().unwrap();
/// let v = interp.eval::<coro::Value>("{'n': 1, 'xs': (1.5, None), 'ok': True}").unwrap();
/// let back: std::collections::BTreeMap<String, coro::Value> = coro::from_value(&v).unwrap();
/// assert_eq!(back.len(), 3);
/// assert!(coro::to_value(&back).is_ok());
/// ```
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::{SerializeMap, SerializeSeq, SerializeTuple};
        match ValueDeserializer::unwrap_builtin(self.clone()) {
            Value::None => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(b),
            Value::Int(i) => s.serialize_i64(i),
            Value::BigInt(b) => {
                use num_traits::ToPrimitive;
                match (b.to_i128(), b.to_u128()) {
                    (Some(i), _) => s.serialize_i128(i),
                    (_, Some(u)) => s.serialize_u128(u),
                    _ => Err(ser::Error::custom(format!("int too large to serialize: {b}"))),
                }
            }
            Value::Float(f) => s.serialize_f64(f),
            Value::Str(x) => s.serialize_str(x.as_str()),
            Value::Bytes(b) => s.serialize_bytes(&b),
            Value::ByteArray(b) => {
                let bytes = b.borrow().clone();
                s.serialize_bytes(&bytes)
            }
            Value::List(l) => {
                let items = l.borrow().clone();
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for x in &items {
                    seq.serialize_element(x)?;
                }
                seq.end()
            }
            Value::Tuple(t) => {
                let mut tup = s.serialize_tuple(t.len())?;
                for x in t.iter() {
                    tup.serialize_element(x)?;
                }
                tup.end()
            }
            Value::Set(x) | Value::FrozenSet(x) => {
                let items = x.items();
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in &items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Dict(d) => {
                let items = d.items();
                let mut map = s.serialize_map(Some(items.len()))?;
                for (k, v) in &items {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            other => Err(ser::Error::custom(format!("cannot serialize a '{}' object", type_name(&other)))),
        }
    }
}

/// Any serde data as a Python value (the mapping of [`to_value`]).
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(int_value(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(int_value(v.into()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match i128::try_from(v) {
            Ok(i) => int_value(i),
            Err(_) => Value::from_bigint(num_bigint::BigInt::from(v)),
        })
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::str(v))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::string(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(Rc::new(v.to_vec())))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Bytes(Rc::new(v)))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::None)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(x) = seq.next_element::<Value>()? {
            items.push(x);
        }
        Ok(Value::list(items))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let d = PyDict::new();
        while let Some((k, v)) = map.next_entry::<Value, Value>()? {
            PlainKeys::hash(&k).map_err(de::Error::custom)?;
            d.set(&PlainKeys, k, v).map_err(|_| de::Error::custom("dict key could not be hashed"))?;
        }
        Ok(Value::Dict(Rc::new(d)))
    }
}
