//! The builtin classes every interpreter starts with.

use std::rc::Rc;

use crate::runtime::class::{c3_mro, BaseKind, BuiltinType, Class};
use crate::runtime::exception::ExcKind;

/// Handles to the builtin classes, so the evaluator finds `type(x)` without a lookup.
pub struct Types {
    pub object: Rc<Class>,
    pub type_: Rc<Class>,
    pub none: Rc<Class>,
    pub bool_: Rc<Class>,
    pub int: Rc<Class>,
    pub float: Rc<Class>,
    pub complex: Rc<Class>,
    pub str_: Rc<Class>,
    pub bytes: Rc<Class>,
    pub bytearray: Rc<Class>,
    pub list: Rc<Class>,
    pub tuple: Rc<Class>,
    pub dict: Rc<Class>,
    pub set: Rc<Class>,
    pub frozenset: Rc<Class>,
    pub range: Rc<Class>,
    pub slice: Rc<Class>,
    pub function: Rc<Class>,
    pub builtin_function: Rc<Class>,
    pub method: Rc<Class>,
    pub module: Rc<Class>,
    pub generator: Rc<Class>,
    pub coroutine: Rc<Class>,
    pub async_generator: Rc<Class>,
    pub ellipsis: Rc<Class>,
    pub not_implemented: Rc<Class>,
    pub property: Rc<Class>,
    pub classmethod: Rc<Class>,
    pub staticmethod: Rc<Class>,
    pub super_: Rc<Class>,
    pub cell: Rc<Class>,
    /// Builtin iterator types (`list_iterator`, `range_iterator`, ...), one class for
    /// all that share behaviour, named per kind in `iter_classes`.
    pub iterator: Rc<Class>,
    exceptions: Vec<Rc<Class>>,
}

/// Create a class with the given bases and compute its MRO.
pub fn make_class(name: &str, bases: Vec<Rc<Class>>, kind: BaseKind, builtin: Option<BuiltinType>) -> Rc<Class> {
    let cls = Class::new(name.into(), bases, kind, builtin);
    let mro = c3_mro(&cls).unwrap_or_else(|| vec![cls.clone()]);
    cls.set_mro(mro);
    cls
}

/// CPython's exception hierarchy: (kind, name, base kind).
const EXCEPTIONS: &[(ExcKind, &str, Option<ExcKind>)] = {
    use ExcKind::*;
    &[
        (BaseException, "BaseException", None),
        (BaseExceptionGroup, "BaseExceptionGroup", Some(BaseException)),
        (GeneratorExit, "GeneratorExit", Some(BaseException)),
        (KeyboardInterrupt, "KeyboardInterrupt", Some(BaseException)),
        (SystemExit, "SystemExit", Some(BaseException)),
        (Exception, "Exception", Some(BaseException)),
        (ArithmeticError, "ArithmeticError", Some(Exception)),
        (FloatingPointError, "FloatingPointError", Some(ArithmeticError)),
        (OverflowError, "OverflowError", Some(ArithmeticError)),
        (ZeroDivisionError, "ZeroDivisionError", Some(ArithmeticError)),
        (AssertionError, "AssertionError", Some(Exception)),
        (AttributeError, "AttributeError", Some(Exception)),
        (BufferError, "BufferError", Some(Exception)),
        (EOFError, "EOFError", Some(Exception)),
        (ExceptionGroup, "ExceptionGroup", Some(BaseExceptionGroup)),
        (ImportError, "ImportError", Some(Exception)),
        (ModuleNotFoundError, "ModuleNotFoundError", Some(ImportError)),
        (LookupError, "LookupError", Some(Exception)),
        (IndexError, "IndexError", Some(LookupError)),
        (KeyError, "KeyError", Some(LookupError)),
        (MemoryError, "MemoryError", Some(Exception)),
        (NameError, "NameError", Some(Exception)),
        (UnboundLocalError, "UnboundLocalError", Some(NameError)),
        (OSError, "OSError", Some(Exception)),
        (BlockingIOError, "BlockingIOError", Some(OSError)),
        (ChildProcessError, "ChildProcessError", Some(OSError)),
        (ConnectionError, "ConnectionError", Some(OSError)),
        (BrokenPipeError, "BrokenPipeError", Some(ConnectionError)),
        (ConnectionAbortedError, "ConnectionAbortedError", Some(ConnectionError)),
        (ConnectionRefusedError, "ConnectionRefusedError", Some(ConnectionError)),
        (ConnectionResetError, "ConnectionResetError", Some(ConnectionError)),
        (FileExistsError, "FileExistsError", Some(OSError)),
        (FileNotFoundError, "FileNotFoundError", Some(OSError)),
        (InterruptedError, "InterruptedError", Some(OSError)),
        (IsADirectoryError, "IsADirectoryError", Some(OSError)),
        (NotADirectoryError, "NotADirectoryError", Some(OSError)),
        (PermissionError, "PermissionError", Some(OSError)),
        (ProcessLookupError, "ProcessLookupError", Some(OSError)),
        (TimeoutError, "TimeoutError", Some(OSError)),
        (ReferenceError, "ReferenceError", Some(Exception)),
        (RuntimeError, "RuntimeError", Some(Exception)),
        (NotImplementedError, "NotImplementedError", Some(RuntimeError)),
        (RecursionError, "RecursionError", Some(RuntimeError)),
        (StopAsyncIteration, "StopAsyncIteration", Some(Exception)),
        (StopIteration, "StopIteration", Some(Exception)),
        (SyntaxError, "SyntaxError", Some(Exception)),
        (IndentationError, "IndentationError", Some(SyntaxError)),
        (TabError, "TabError", Some(IndentationError)),
        (SystemError, "SystemError", Some(Exception)),
        (TypeError, "TypeError", Some(Exception)),
        (ValueError, "ValueError", Some(Exception)),
        (UnicodeError, "UnicodeError", Some(ValueError)),
        (UnicodeDecodeError, "UnicodeDecodeError", Some(UnicodeError)),
        (UnicodeEncodeError, "UnicodeEncodeError", Some(UnicodeError)),
        (Warning, "Warning", Some(Exception)),
        (DeprecationWarning, "DeprecationWarning", Some(Warning)),
        (RuntimeWarning, "RuntimeWarning", Some(Warning)),
        (UserWarning, "UserWarning", Some(Warning)),
        (CancelledError, "CancelledError", Some(BaseException)),
        (InvalidStateError, "InvalidStateError", Some(Exception)),
        (QueueEmpty, "QueueEmpty", Some(Exception)),
        (QueueFull, "QueueFull", Some(Exception)),
    ]
};

impl Types {
    pub fn new() -> Types {
        use BuiltinType as B;
        let object = make_class("object", vec![], BaseKind::Object, Some(B::Object));
        let mk = |name: &str, b: B| make_class(name, vec![object.clone()], BaseKind::Builtin, Some(b));
        let int = mk("int", B::Int);
        let bool_ = make_class("bool", vec![int.clone()], BaseKind::Builtin, Some(B::Bool));
        let mut exceptions: Vec<Rc<Class>> = Vec::new();
        let mut by_kind: std::collections::HashMap<ExcKind, Rc<Class>> = Default::default();
        for (kind, name, base) in EXCEPTIONS {
            let bases = match base {
                Some(b) => vec![by_kind[b].clone()],
                None => vec![object.clone()],
            };
            let cls = make_class(name, bases, BaseKind::Exception, if base.is_none() { Some(B::BaseException) } else { None });
            if matches!(kind, ExcKind::CancelledError | ExcKind::InvalidStateError) {
                *cls.module.borrow_mut() = "asyncio.exceptions".into();
            }
            if matches!(kind, ExcKind::QueueEmpty | ExcKind::QueueFull) {
                *cls.module.borrow_mut() = "asyncio.queues".into();
            }
            by_kind.insert(*kind, cls.clone());
            exceptions.push(cls);
        }
        let t = Types {
            type_: mk("type", B::Type),
            none: mk("NoneType", B::NoneType),
            bool_,
            int,
            float: mk("float", B::Float),
            complex: mk("complex", B::Complex),
            str_: mk("str", B::Str),
            bytes: mk("bytes", B::Bytes),
            bytearray: mk("bytearray", B::ByteArray),
            list: mk("list", B::List),
            tuple: mk("tuple", B::Tuple),
            dict: mk("dict", B::Dict),
            set: mk("set", B::Set),
            frozenset: mk("frozenset", B::FrozenSet),
            range: mk("range", B::Range),
            slice: mk("slice", B::Slice),
            function: mk("function", B::Function),
            builtin_function: mk("builtin_function_or_method", B::BuiltinFunction),
            method: mk("method", B::Method),
            module: mk("module", B::Module),
            generator: mk("generator", B::Generator),
            coroutine: mk("coroutine", B::Coroutine),
            async_generator: mk("async_generator", B::AsyncGenerator),
            ellipsis: mk("ellipsis", B::Ellipsis),
            not_implemented: mk("NotImplementedType", B::NotImplementedType),
            property: mk("property", B::Property),
            classmethod: mk("classmethod", B::ClassMethod),
            staticmethod: mk("staticmethod", B::StaticMethod),
            super_: mk("super", B::Super),
            cell: mk("cell", B::Cell),
            iterator: make_class("iterator", vec![object.clone()], BaseKind::Native, None),
            object,
            exceptions,
        };
        t
    }
    pub fn exception(&self, kind: ExcKind) -> &Rc<Class> {
        let i = EXCEPTIONS.iter().position(|(k, _, _)| *k == kind).unwrap_or(0);
        &self.exceptions[i]
    }
    /// Every builtin exception class with its name (for the builtins module).
    pub fn exception_classes(&self) -> impl Iterator<Item = (&'static str, ExcKind, &Rc<Class>)> {
        EXCEPTIONS.iter().zip(self.exceptions.iter()).map(|((k, n, _), c)| (*n, *k, c))
    }
}

impl Default for Types {
    fn default() -> Self {
        Types::new()
    }
}
