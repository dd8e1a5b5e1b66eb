//! `Value`: every Python object the evaluator handles, 16 bytes.
//!
//! Small immutable values (None, bool, int, float) live inline; everything else is behind
//! an `Rc`. The interpreter is single-threaded, so `Rc`/`RefCell` are used throughout.
//! Types that need no evaluator support of their own (files, deques, futures, ...) are
//! `Instance`s of a class whose payload is a `Payload::Native` box.

use std::cell::RefCell;
use std::rc::Rc;

use num_bigint::BigInt;

use super::class::{Class, Instance};
use super::dict::PyDict;
use super::function::{BoundMethod, BuiltinFunction, Function};
use super::generator::Generator;
use super::module::ModuleObj;
use super::set::PySet;
use super::str::PyStr;

#[derive(Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// An int that does not fit in i64. Invariant: never holds a value that fits.
    BigInt(Rc<BigInt>),
    Str(Rc<PyStr>),
    Bytes(Rc<Vec<u8>>),
    ByteArray(Rc<RefCell<Vec<u8>>>),
    List(Rc<RefCell<Vec<Value>>>),
    /// Immutable once built.
    Tuple(Rc<Vec<Value>>),
    Dict(Rc<PyDict>),
    Set(Rc<PySet>),
    FrozenSet(Rc<PySet>),
    Range(Rc<RangeObj>),
    Slice(Rc<SliceObj>),
    Function(Rc<Function>),
    Builtin(Rc<BuiltinFunction>),
    BoundMethod(Rc<BoundMethod>),
    Class(Rc<Class>),
    Instance(Rc<Instance>),
    Module(Rc<ModuleObj>),
    /// Generators, coroutines and async generators.
    Generator(Rc<Generator>),
    /// The `...` singleton.
    Ellipsis,
    /// The `NotImplemented` singleton.
    NotImplemented,
}

#[derive(Debug, Clone)]
pub struct RangeObj {
    pub start: i64,
    pub stop: i64,
    pub step: i64,
}

impl RangeObj {
    pub fn len(&self) -> i64 {
        if self.step > 0 {
            if self.stop > self.start {
                (self.stop - self.start - 1) / self.step + 1
            } else {
                0
            }
        } else if self.start > self.stop {
            (self.start - self.stop - 1) / (-self.step) + 1
        } else {
            0
        }
    }
    pub fn get(&self, i: i64) -> i64 {
        self.start + i * self.step
    }
}

pub struct SliceObj {
    pub start: Value,
    pub stop: Value,
    pub step: Value,
}

impl Value {
    #[inline]
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::new(PyStr::new(s)))
    }
    #[inline]
    pub fn string(s: String) -> Value {
        Value::Str(Rc::new(PyStr::from_string(s)))
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(items))
    }
    pub fn from_bigint(b: BigInt) -> Value {
        use num_traits::ToPrimitive;
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::BigInt(Rc::new(b)),
        }
    }
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }
    /// Identity, as Python's `is`.
    pub fn is(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) | (Ellipsis, Ellipsis) | (NotImplemented, NotImplemented) => true,
            (Bool(a), Bool(b)) => a == b,
            // Small ints are cached in CPython; all equal i64s share identity here.
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a.to_bits() == b.to_bits(),
            (BigInt(a), BigInt(b)) => Rc::ptr_eq(a, b),
            (Str(a), Str(b)) => Rc::ptr_eq(a, b) || (a.len_chars() <= 1 && a.as_str() == b.as_str()),
            (Bytes(a), Bytes(b)) => Rc::ptr_eq(a, b),
            (ByteArray(a), ByteArray(b)) => Rc::ptr_eq(a, b),
            (List(a), List(b)) => Rc::ptr_eq(a, b),
            (Tuple(a), Tuple(b)) => Rc::ptr_eq(a, b) || (a.is_empty() && b.is_empty()),
            (Dict(a), Dict(b)) => Rc::ptr_eq(a, b),
            (Set(a), Set(b)) | (FrozenSet(a), FrozenSet(b)) => Rc::ptr_eq(a, b),
            (Range(a), Range(b)) => Rc::ptr_eq(a, b),
            (Slice(a), Slice(b)) => Rc::ptr_eq(a, b),
            (Function(a), Function(b)) => Rc::ptr_eq(a, b),
            (Builtin(a), Builtin(b)) => Rc::ptr_eq(a, b),
            (BoundMethod(a), BoundMethod(b)) => Rc::ptr_eq(a, b),
            (Class(a), Class(b)) => Rc::ptr_eq(a, b),
            (Instance(a), Instance(b)) => Rc::ptr_eq(a, b),
            (Module(a), Module(b)) => Rc::ptr_eq(a, b),
            (Generator(a), Generator(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
    /// A stable address for `id()` and default hashing.
    pub fn identity(&self) -> usize {
        use Value::*;
        match self {
            None => 0x1000,
            Ellipsis => 0x1010,
            NotImplemented => 0x1020,
            Bool(b) => 0x1030 + *b as usize * 16,
            Int(i) => (*i as usize).wrapping_mul(16).wrapping_add(0x100000),
            Float(f) => f.to_bits() as usize,
            BigInt(a) => Rc::as_ptr(a) as usize,
            Str(a) => Rc::as_ptr(a) as usize,
            Bytes(a) => Rc::as_ptr(a) as usize,
            ByteArray(a) => Rc::as_ptr(a) as usize,
            List(a) => Rc::as_ptr(a) as usize,
            Tuple(a) => Rc::as_ptr(a) as usize,
            Dict(a) => Rc::as_ptr(a) as usize,
            Set(a) | FrozenSet(a) => Rc::as_ptr(a) as usize,
            Range(a) => Rc::as_ptr(a) as usize,
            Slice(a) => Rc::as_ptr(a) as usize,
            Function(a) => Rc::as_ptr(a) as usize,
            Builtin(a) => Rc::as_ptr(a) as usize,
            BoundMethod(a) => Rc::as_ptr(a) as usize,
            Class(a) => Rc::as_ptr(a) as usize,
            Instance(a) => Rc::as_ptr(a) as usize,
            Module(a) => Rc::as_ptr(a) as usize,
            Generator(a) => Rc::as_ptr(a) as usize,
        }
    }
    pub fn as_instance(&self) -> Option<&Rc<Instance>> {
        match self {
            Value::Instance(i) => Some(i),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::None => write!(f, "None"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => write!(f, "{:?}", s.as_str()),
            other => write!(f, "<value {:#x}>", other.identity()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_two_words() {
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
    }
}
