//! The abstract syntax tree: plain enums, every node with a byte span into the user's file.
//!
//! Node names follow CPython's `ast` module (ruff style: `StmtKind::If`, `ExprKind::Call`)
//! with CPython's field names. The parser builds the tree with every resolution field at
//! its default; `compile::resolver` then fills them in place (slots, scopes, `suspends`)
//! before the tree is frozen behind `Rc` and evaluated. No pest type appears here.

use std::rc::Rc;

use num_bigint::BigInt;

/// A half-open byte range `start..end` into the source text (after BOM removal the
/// offsets still count the BOM, so they index the original file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start: start as u32, end: end as u32 }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// An identifier. Interned by the resolver so equal names share one allocation.
pub type Name = Rc<str>;

#[derive(Clone, Debug)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

/// A parsed file.
#[derive(Debug)]
pub struct Module {
    pub body: Vec<Stmt>,
    pub span: Span,
    /// Filled by the resolver: module-level names live in the globals table.
    pub scope: ScopeInfo,
}

#[derive(Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
    /// True when this statement contains `await`, `yield`, `yield from`, `async for` or
    /// `async with` in the same function body (set by the resolver). Only such nodes go
    /// through the async evaluator.
    pub suspends: bool,
}

#[derive(Debug)]
pub enum StmtKind {
    Expr(Expr),
    /// `a = b = value`: `targets` in source order.
    Assign { targets: Vec<Expr>, value: Expr },
    AugAssign { target: Expr, op: BinOp, value: Expr },
    AnnAssign { target: Expr, annotation: Expr, value: Option<Expr>, simple: bool },
    Pass,
    Break,
    Continue,
    Return(Option<Expr>),
    Raise { exc: Option<Expr>, cause: Option<Expr> },
    Global(Vec<Ident>),
    Nonlocal(Vec<Ident>),
    Delete(Vec<Expr>),
    Assert { test: Expr, msg: Option<Expr> },
    /// `import a.b as c, d`
    Import(Vec<Alias>),
    /// `from ..m import x, y as z` (`module` None for `from . import x`); `names` empty
    /// means `import *`.
    ImportFrom { module: Option<Name>, names: Vec<Alias>, level: u32 },
    If { test: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    While { test: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    For { is_async: bool, target: Expr, iter: Expr, body: Vec<Stmt>, orelse: Vec<Stmt> },
    /// `is_star` for `try`/`except*` (CPython's `TryStar`): handlers match exception groups.
    Try { body: Vec<Stmt>, handlers: Vec<ExceptHandler>, orelse: Vec<Stmt>, finalbody: Vec<Stmt>, is_star: bool },
    With { is_async: bool, items: Vec<WithItem>, body: Vec<Stmt> },
    FunctionDef(Rc<FunctionDef>),
    ClassDef(Rc<ClassDef>),
}

#[derive(Debug)]
pub struct Alias {
    /// Dotted name, e.g. `os.path`.
    pub name: Name,
    pub asname: Option<Ident>,
    pub span: Span,
    /// Filled by the resolver: where the bound name is stored.
    pub target: NameRef,
}

#[derive(Debug)]
pub struct ExceptHandler {
    pub typ: Option<Expr>,
    pub name: Option<Ident>,
    /// Filled by the resolver: where `as name` is stored.
    pub name_ref: NameRef,
    pub body: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug)]
pub struct WithItem {
    pub context_expr: Expr,
    pub optional_vars: Option<Expr>,
}

#[derive(Debug)]
pub struct FunctionDef {
    pub name: Ident,
    pub params: Parameters,
    pub body: Vec<Stmt>,
    pub decorators: Vec<Expr>,
    pub returns: Option<Expr>,
    pub is_async: bool,
    /// True for `lambda`: the body is a single `Return`.
    pub is_lambda: bool,
    /// The first statement's string constant, if any.
    pub docstring: Option<Rc<str>>,
    pub span: Span,
    /// Filled by the resolver.
    pub scope: ScopeInfo,
}

#[derive(Debug, Default)]
pub struct Parameters {
    pub posonly: Vec<Param>,
    pub args: Vec<Param>,
    pub vararg: Option<Param>,
    pub kwonly: Vec<Param>,
    pub kwarg: Option<Param>,
}

#[derive(Debug)]
pub struct Param {
    pub name: Ident,
    pub annotation: Option<Expr>,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Debug)]
pub struct ClassDef {
    pub name: Ident,
    /// Positional bases and keywords (`metaclass=...`) as call arguments.
    pub bases: Vec<Arg>,
    pub body: Vec<Stmt>,
    pub decorators: Vec<Expr>,
    pub docstring: Option<Rc<str>>,
    pub span: Span,
    /// Filled by the resolver.
    pub scope: ScopeInfo,
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
    /// See [`Stmt::suspends`].
    pub suspends: bool,
}

#[derive(Debug)]
pub enum ExprKind {
    Constant(Constant),
    /// An f-string, possibly implicitly concatenated with plain strings.
    FString(Vec<FStringPart>),
    Name(NameExpr),
    BoolOp { op: BoolOp, values: Vec<Expr> },
    /// `target := value`; `target` is always a `Name`.
    NamedExpr { target: Box<Expr>, value: Box<Expr> },
    BinOp { left: Box<Expr>, op: BinOp, right: Box<Expr> },
    UnaryOp { op: UnaryOp, operand: Box<Expr> },
    /// A lambda is a function whose body is `return <expr>`.
    Lambda(Rc<FunctionDef>),
    IfExp { test: Box<Expr>, body: Box<Expr>, orelse: Box<Expr> },
    Dict(Vec<DictItem>),
    /// Elements may be `Starred`.
    Set(Vec<Expr>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Comp(Rc<Comprehension>),
    Await(Box<Expr>),
    Yield(Option<Box<Expr>>),
    YieldFrom(Box<Expr>),
    Compare { left: Box<Expr>, ops: Vec<CmpOp>, comparators: Vec<Expr> },
    Call { func: Box<Expr>, args: Vec<Arg> },
    Attribute { value: Box<Expr>, attr: Ident },
    Subscript { value: Box<Expr>, index: Box<Expr> },
    Starred(Box<Expr>),
    /// Only inside a subscript: `a[lo:hi:step]`.
    Slice { lower: Option<Box<Expr>>, upper: Option<Box<Expr>>, step: Option<Box<Expr>> },
}

#[derive(Debug, Clone)]
pub enum Constant {
    None,
    True,
    False,
    Ellipsis,
    Int(i64),
    BigInt(Rc<BigInt>),
    Float(f64),
    /// The imaginary part of a `1j` literal (complex numbers may come later).
    Imaginary(f64),
    /// Prebuilt, so evaluating a literal shares one string instead of copying it.
    Str(Rc<crate::runtime::str::PyStr>),
    Bytes(Rc<Vec<u8>>),
}

#[derive(Debug)]
pub enum FStringPart {
    Literal(Rc<str>),
    Field(FStringField),
}

#[derive(Debug)]
pub struct FStringField {
    pub expr: Box<Expr>,
    /// For `f"{x=}"`: the text `x=` (with its whitespace) to print before the value.
    pub debug_text: Option<Rc<str>>,
    /// `!r`, `!s`, `!a`.
    pub conversion: Option<char>,
    /// The format spec, which may itself contain fields.
    pub format_spec: Option<Vec<FStringPart>>,
}

#[derive(Debug)]
pub struct NameExpr {
    pub id: Name,
    /// Filled by the resolver.
    pub scope: NameRef,
}

#[derive(Debug)]
pub enum DictItem {
    Pair(Expr, Expr),
    /// `**mapping`
    Unpack(Expr),
}

#[derive(Debug)]
pub enum Arg {
    Positional(Expr),
    /// `*iterable`
    Starred(Expr),
    Keyword(Ident, Expr),
    /// `**mapping`
    DoubleStarred(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompKind {
    List,
    Set,
    Dict,
    Generator,
}

/// A comprehension or generator expression. It runs in its own scope, like a nested
/// function whose single parameter is the iterator of the first `for` clause (which is
/// evaluated in the enclosing scope).
#[derive(Debug)]
pub struct Comprehension {
    pub kind: CompKind,
    /// The element, or the key for a dict comprehension.
    pub elt: Expr,
    /// The value for a dict comprehension.
    pub value: Option<Expr>,
    pub generators: Vec<CompFor>,
    pub span: Span,
    /// Filled by the resolver.
    pub scope: ScopeInfo,
}

#[derive(Debug)]
pub struct CompFor {
    pub is_async: bool,
    pub target: Expr,
    pub iter: Expr,
    pub ifs: Vec<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mult,
    MatMult,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitOr,
    BitXor,
    BitAnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Invert,
    Not,
    UAdd,
    USub,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

/// Where a name lives, decided once by the resolver.
#[derive(Debug, Clone, Default)]
pub enum NameRef {
    #[default]
    Unresolved,
    /// A plain local of the current function: index into the frame's slots.
    Local(u32),
    /// A local captured by an inner function, or a free variable of this one: index into
    /// the frame's cells.
    Cell(u32),
    /// A module-level name: index into the module's globals table (falls back to builtins).
    Global(u32),
    /// A name in a class body: the class namespace first, then globals and builtins.
    ClassBody(u32),
}

/// What the resolver learned about one scope (function, lambda, comprehension, class
/// body or module). The parser leaves it at its default.
#[derive(Debug, Default)]
pub struct ScopeInfo {
    /// Number of local slots (parameters first, in signature order).
    pub n_locals: u32,
    /// Names of the local slots, for error messages.
    pub local_names: Vec<Name>,
    /// Cells owned by this scope (locals captured by inner scopes), then free variables
    /// received from the enclosing scope. `cell_names[i]` names cell `i`.
    pub cell_names: Vec<Name>,
    /// For each owned cell that is also a parameter: (cell index, parameter slot).
    pub cell_params: Vec<(u32, u32)>,
    /// Number of cells owned by this scope; the rest (`n_owned_cells..`) are free
    /// variables copied from the defining scope's cells when the function is created.
    pub n_owned_cells: u32,
    /// For each free variable, the index of the cell in the enclosing scope it comes from.
    pub free_from: Vec<u32>,
    pub is_generator: bool,
    pub is_async: bool,
}
