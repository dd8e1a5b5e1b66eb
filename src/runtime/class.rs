//! Classes and instances: the object model shared by builtin and user-defined types.
//!
//! Every type, builtin ones included, is a `Class` with a method dictionary and a C3
//! MRO, so attribute lookup, `isinstance` and subclassing work the same for `int`,
//! `Exception`, `collections.deque` and user classes. An `Instance` carries its own
//! attributes plus a `Payload` for the builtin state of its nearest builtin base.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;

use super::exception::ExcPayload;
use super::method_cache::same_name;
use super::value::Value;
use crate::syntax::ast::Name;

/// A small insertion-ordered map from attribute name to value. Instances have few
/// attributes, so a linear scan with a pointer-equality fast path (names are interned)
/// beats hashing.
#[derive(Default, Clone)]
pub struct AttrMap {
    entries: Vec<(Name, Value)>,
}

impl AttrMap {
    #[inline]
    pub fn get(&self, name: &str) -> Option<&Value> {
        let p = name.as_ptr();
        for (k, v) in &self.entries {
            if k.as_ptr() == p && k.len() == name.len() {
                return Some(v);
            }
        }
        self.entries.iter().find(|(k, _)| same_name(k, name)).map(|(_, v)| v)
    }
    pub fn set(&mut self, name: Name, value: Value) {
        let p = name.as_ptr();
        for (k, v) in self.entries.iter_mut() {
            if k.as_ptr() == p || same_name(k, &name) {
                *v = value;
                return;
            }
        }
        self.entries.push((name, value));
    }
    /// Replace the value of an existing attribute and return the old one (for the caller
    /// to drop after releasing its borrow: dropping may run Python code); gives the new
    /// value back if there is no such attribute.
    #[inline]
    pub fn replace_existing(&mut self, name: &str, value: Value) -> Result<Value, Value> {
        match self.entries.iter_mut().find(|(k, _)| same_name(k, name)) {
            Some((_, v)) => Ok(std::mem::replace(v, value)),
            None => Err(value),
        }
    }
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.entries.iter().position(|(k, _)| &**k == name)?;
        Some(self.entries.remove(i).1)
    }
    pub fn iter(&self) -> impl Iterator<Item = &(Name, Value)> {
        self.entries.iter()
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Which builtin state instances of a class carry (inherited from the nearest builtin
/// base that has state).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseKind {
    Object,
    Exception,
    /// A subclass of a builtin value type (list, dict, int, str, tuple, set...): the
    /// instance's payload holds the underlying builtin value.
    Builtin,
    /// A native type implemented in Rust (deque, file, future...).
    Native,
}

pub struct Class {
    pub name: Name,
    pub qualname: RefCell<Rc<str>>,
    pub module: RefCell<Rc<str>>,
    pub bases: Vec<Rc<Class>>,
    /// C3 linearisation, starting with the class itself.
    /// Change only through `set_mro` (it invalidates the method cache).
    pub mro: RefCell<Vec<Rc<Class>>>,
    /// Change only through `set_attr`/`remove_attr`: they invalidate the method cache.
    pub dict: RefCell<IndexMap<Name, Value, ahash::RandomState>>,
    pub base_kind: BaseKind,
    /// For builtin types: which one (used to find the payload type of subclasses).
    pub builtin: Option<BuiltinType>,
    /// The metaclass (`type` unless a class says otherwise).
    pub metaclass: RefCell<Option<Rc<Class>>>,
    /// Recent `lookup` results (see `method_cache`).
    lookup_cache: super::method_cache::ClassCache,
}

/// The builtin types whose instances are `Value` variants rather than `Instance`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltinType {
    Object,
    Type,
    NoneType,
    Bool,
    Int,
    Float,
    Complex,
    Str,
    Bytes,
    ByteArray,
    List,
    Tuple,
    Dict,
    Set,
    FrozenSet,
    Range,
    Slice,
    Function,
    BuiltinFunction,
    Method,
    Module,
    Generator,
    Coroutine,
    AsyncGenerator,
    Ellipsis,
    NotImplementedType,
    BaseException,
    Property,
    ClassMethod,
    StaticMethod,
    Super,
    Cell,
}

impl Class {
    pub fn new(name: Name, bases: Vec<Rc<Class>>, base_kind: BaseKind, builtin: Option<BuiltinType>) -> Rc<Class> {
        let cls = Rc::new(Class {
            qualname: RefCell::new(name.clone()),
            name,
            module: RefCell::new("builtins".into()),
            bases,
            mro: RefCell::new(Vec::new()),
            dict: RefCell::new(IndexMap::default()),
            base_kind,
            builtin,
            metaclass: RefCell::new(None),
            lookup_cache: Default::default(),
        });
        cls
    }
    /// Look a name up along the MRO (no descriptor handling), through the method cache.
    #[inline]
    pub fn lookup(&self, name: &str) -> Option<Value> {
        self.lookup_cache.lookup(name, None, || self.lookup_uncached(name))
    }
    /// [`Class::lookup`] for an interned name (attribute names in the AST are): later
    /// lookups of the same name hit the cache by address.
    #[inline]
    pub fn lookup_name(&self, name: &Name) -> Option<Value> {
        self.lookup_cache.lookup(name, Some(name), || self.lookup_uncached(name))
    }
    fn lookup_uncached(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.dict.borrow().get(name) {
            return Some(v.clone());
        }
        let mro = self.mro.borrow();
        for c in mro.iter().skip(1) {
            if let Some(v) = c.dict.borrow().get(name) {
                return Some(v.clone());
            }
        }
        None
    }
    /// The class in the MRO that defines `name`, with the value.
    pub fn lookup_with_owner(&self, name: &str) -> Option<(Rc<Class>, Value)> {
        let mro = self.mro.borrow();
        for c in mro.iter() {
            if let Some(v) = c.dict.borrow().get(name) {
                return Some((c.clone(), v.clone()));
            }
        }
        None
    }
    pub fn is_subclass(&self, other: &Class) -> bool {
        if std::ptr::eq(self, other) {
            return true;
        }
        self.mro.borrow().iter().any(|c| std::ptr::eq(&**c, other))
    }
    pub fn set_attr(&self, name: Name, v: Value) {
        self.dict.borrow_mut().insert(name, v);
        super::method_cache::invalidate();
    }
    /// Remove a class attribute; false if it was not there.
    pub fn remove_attr(&self, name: &str) -> bool {
        let removed = self.dict.borrow_mut().shift_remove(name).is_some();
        super::method_cache::invalidate();
        removed
    }
    /// Install the MRO (computed by `c3_mro`).
    pub fn set_mro(&self, mro: Vec<Rc<Class>>) {
        *self.mro.borrow_mut() = mro;
        super::method_cache::invalidate();
    }
    /// The nearest builtin type in the MRO (`object` at worst).
    pub fn builtin_base(&self) -> BuiltinType {
        if let Some(b) = self.builtin {
            return b;
        }
        for c in self.mro.borrow().iter() {
            if let Some(b) = c.builtin {
                return b;
            }
        }
        BuiltinType::Object
    }
}

/// C3 linearisation of `bases`, prefixed by the class itself. `None` when no consistent
/// order exists (CPython's "Cannot create a consistent method resolution order").
pub fn c3_mro(cls: &Rc<Class>) -> Option<Vec<Rc<Class>>> {
    let mut seqs: Vec<Vec<Rc<Class>>> = cls.bases.iter().map(|b| b.mro.borrow().clone()).collect();
    seqs.push(cls.bases.clone());
    let mut out = vec![cls.clone()];
    loop {
        seqs.retain(|s| !s.is_empty());
        if seqs.is_empty() {
            return Some(out);
        }
        let mut found = None;
        for s in &seqs {
            let head = &s[0];
            if !seqs.iter().any(|t| t[1..].iter().any(|c| Rc::ptr_eq(c, head))) {
                found = Some(head.clone());
                break;
            }
        }
        let head = found?;
        for s in seqs.iter_mut() {
            if Rc::ptr_eq(&s[0], &head) {
                s.remove(0);
            }
        }
        out.push(head);
    }
}

/// Builtin state carried by an instance.
pub enum Payload {
    None,
    Exception(ExcPayload),
    /// The underlying value of a subclass of a builtin type (`class Stack(list)`).
    Builtin(RefCell<Value>),
    /// State of a Rust-implemented type; methods downcast it.
    Native(Box<dyn Any>),
}

pub struct Instance {
    pub class: RefCell<Rc<Class>>,
    pub attrs: RefCell<AttrMap>,
    pub payload: Payload,
}

impl Instance {
    pub fn new(class: Rc<Class>, payload: Payload) -> Rc<Instance> {
        Rc::new(Instance { class: RefCell::new(class), attrs: RefCell::new(AttrMap::default()), payload })
    }
    #[inline]
    pub fn class(&self) -> Rc<Class> {
        self.class.borrow().clone()
    }
    pub fn native<T: 'static>(&self) -> Option<&T> {
        match &self.payload {
            Payload::Native(b) => b.downcast_ref::<T>(),
            _ => None,
        }
    }
    pub fn exception(&self) -> Option<&ExcPayload> {
        match &self.payload {
            Payload::Exception(e) => Some(e),
            _ => None,
        }
    }
}
