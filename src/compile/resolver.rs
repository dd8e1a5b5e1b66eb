//! The resolver: decides once, before running, where every name lives.
//!
//! Python's scoping is static. Two walks over the same tree, in the same order:
//! 1. *collect*: build a scope tree recording what each scope binds, uses and declares
//!    `global`/`nonlocal`; raise the compile-time SyntaxErrors (`'return' outside
//!    function`, `'await' outside async function`, ...).
//! 2. *assign*: with every scope analysed (locals → slots, captured locals → cells, free
//!    variables → cells copied from the enclosing scope), write a `NameRef` into each
//!    name node, fill each `ScopeInfo`, and mark which nodes `suspend`.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use indexmap::IndexSet;

use super::interner::Interner;
use super::CompileError;
use crate::runtime::module::Globals;
use crate::syntax::ast::*;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ScopeKind {
    Module,
    Function,
    Class,
    Comprehension,
}

#[derive(Debug)]
struct ScopeData {
    kind: ScopeKind,
    parent: Option<usize>,
    is_async: bool,
    /// Parameters, in signature order (functions only).
    params: Vec<Name>,
    /// Names bound in this scope, in order of first binding.
    bound: IndexSet<Name>,
    used: IndexSet<Name>,
    global_decl: HashSet<Name>,
    nonlocal_decl: HashSet<Name>,
    // Results of the analysis:
    owned_cells: IndexSet<Name>,
    free: IndexSet<Name>,
    is_generator: bool,
}

impl ScopeData {
    fn new(kind: ScopeKind, parent: Option<usize>, is_async: bool) -> ScopeData {
        ScopeData {
            kind,
            parent,
            is_async,
            params: Vec::new(),
            bound: IndexSet::new(),
            used: IndexSet::new(),
            global_decl: HashSet::new(),
            nonlocal_decl: HashSet::new(),
            owned_cells: IndexSet::new(),
            free: IndexSet::new(),
            is_generator: false,
        }
    }
    fn is_local(&self, n: &str) -> bool {
        self.bound.contains(n) && !self.global_decl.contains(n) && !self.nonlocal_decl.contains(n)
    }
    fn cell_index(&self, n: &str) -> Option<u32> {
        if let Some(i) = self.owned_cells.get_index_of(n) {
            return Some(i as u32);
        }
        self.free.get_index_of(n).map(|i| (i + self.owned_cells.len()) as u32)
    }
    fn local_slot(&self, n: &str) -> Option<u32> {
        let mut slot = 0u32;
        for p in &self.params {
            if &**p == n {
                return Some(slot);
            }
            slot += 1;
        }
        for b in &self.bound {
            if self.params.iter().any(|p| p == b) || !self.is_local(b) {
                continue;
            }
            if &**b == n {
                return Some(slot);
            }
            slot += 1;
        }
        None
    }
    fn local_names(&self) -> Vec<Name> {
        let mut v: Vec<Name> = self.params.clone();
        for b in &self.bound {
            if !self.params.iter().any(|p| p == b) && self.is_local(b) {
                v.push(b.clone());
            }
        }
        v
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Collect,
    Assign,
}

/// Options for resolving one unit of code.
#[derive(Clone, Copy, Default)]
pub struct ResolveOptions {
    /// Allow `await`, `async for` and `async with` at module level (the REPL).
    pub top_level_await: bool,
}

pub struct Resolver<'a> {
    globals: &'a Globals,
    interner: &'a Interner,
    opts: ResolveOptions,
    pass: Pass,
    scopes: Vec<ScopeData>,
    /// Current scope (index into `scopes`).
    cur: usize,
    /// Pass 2: next scope to enter (scopes are numbered in visit order).
    next_scope: usize,
    /// Loop nesting in the current function, for break/continue.
    loop_depth: u32,
    /// Per scope: slot assignment cache (pass 2).
    slot_cache: HashMap<(usize, Name), NameRef>,
}

type R<T> = Result<T, CompileError>;

fn err<T>(msg: impl Into<String>, span: Span) -> R<T> {
    Err(CompileError { message: msg.into(), span })
}

impl<'a> Resolver<'a> {
    pub fn new(globals: &'a Globals, interner: &'a Interner, opts: ResolveOptions) -> Resolver<'a> {
        Resolver {
            globals,
            interner,
            opts,
            pass: Pass::Collect,
            scopes: Vec::new(),
            cur: 0,
            next_scope: 0,
            loop_depth: 0,
            slot_cache: HashMap::new(),
        }
    }

    /// Resolve a whole module in place.
    pub fn resolve_module(mut self, module: &mut Module) -> R<()> {
        for pass in [Pass::Collect, Pass::Assign] {
            self.pass = pass;
            self.next_scope = 0;
            self.loop_depth = 0;
            self.enter_scope(ScopeKind::Module, self.opts.top_level_await);
            self.visit_body(&mut module.body)?;
            if pass == Pass::Collect {
                self.analyse();
            }
        }
        module.scope.is_async = self.opts.top_level_await;
        Ok(())
    }

    // ----- scopes -------------------------------------------------------------------

    fn enter_scope(&mut self, kind: ScopeKind, is_async: bool) -> usize {
        let id = if self.pass == Pass::Collect {
            let parent = if self.scopes.is_empty() { None } else { Some(self.cur) };
            self.scopes.push(ScopeData::new(kind, parent, is_async));
            self.scopes.len() - 1
        } else {
            self.next_scope
        };
        self.next_scope = id + 1;
        self.cur = id;
        id
    }

    fn leave_scope(&mut self) {
        if let Some(p) = self.scopes[self.cur].parent {
            self.cur = p;
        }
    }

    fn scope(&mut self) -> &mut ScopeData {
        &mut self.scopes[self.cur]
    }

    /// The nearest enclosing scope that is not a comprehension (walrus targets bind there).
    fn walrus_scope(&self) -> usize {
        let mut s = self.cur;
        while self.scopes[s].kind == ScopeKind::Comprehension {
            match self.scopes[s].parent {
                Some(p) => s = p,
                None => break,
            }
        }
        s
    }

    fn in_function(&self) -> bool {
        let mut s = self.cur;
        loop {
            match self.scopes[s].kind {
                ScopeKind::Function => return true,
                ScopeKind::Comprehension => s = self.scopes[s].parent.unwrap_or(s),
                _ => return false,
            }
        }
    }

    /// Innermost function-like scope kind for `await` checks: (is function, is async).
    fn await_context(&self) -> (ScopeKind, bool) {
        let s = &self.scopes[self.cur];
        (s.kind, s.is_async)
    }

    /// After collection: find every free variable and the cell it comes from.
    fn analyse(&mut self) {
        let n = self.scopes.len();
        for sid in 0..n {
            let names: Vec<Name> = {
                let s = &self.scopes[sid];
                if s.kind == ScopeKind::Module {
                    continue;
                }
                let mut v: Vec<Name> = s.used.iter().cloned().collect();
                v.extend(s.nonlocal_decl.iter().cloned());
                v
            };
            for name in names {
                let s = &self.scopes[sid];
                if s.global_decl.contains(&name) || s.is_local(&name) && !s.nonlocal_decl.contains(&name) {
                    continue;
                }
                if s.kind == ScopeKind::Class && s.bound.contains(&name) {
                    continue;
                }
                // Walk outwards to the function scope that owns it.
                let mut path = vec![sid];
                let mut p = s.parent;
                let mut owner = None;
                while let Some(pid) = p {
                    let ps = &self.scopes[pid];
                    match ps.kind {
                        ScopeKind::Module => break,
                        ScopeKind::Class => {
                            if &*name == "__class__" {
                                owner = Some(pid);
                                break;
                            }
                        }
                        _ => {
                            if ps.is_local(&name) {
                                owner = Some(pid);
                                break;
                            }
                            if ps.global_decl.contains(&name) {
                                break;
                            }
                        }
                    }
                    path.push(pid);
                    p = ps.parent;
                }
                if let Some(o) = owner {
                    self.scopes[o].owned_cells.insert(name.clone());
                    for s in path {
                        self.scopes[s].free.insert(name.clone());
                    }
                }
            }
        }
        // A captured parameter or local is a cell, not a free variable of its own scope.
        for s in self.scopes.iter_mut() {
            let owned: Vec<Name> = s.owned_cells.iter().cloned().collect();
            for o in owned {
                s.free.shift_remove(&o);
            }
        }
    }

    fn name_ref(&mut self, name: &Name) -> NameRef {
        let key = (self.cur, name.clone());
        if let Some(r) = self.slot_cache.get(&key) {
            return r.clone();
        }
        let s = &self.scopes[self.cur];
        let r = match s.kind {
            ScopeKind::Module => NameRef::Global(self.globals.slot(name)),
            _ if s.global_decl.contains(name) => NameRef::Global(self.globals.slot(name)),
            ScopeKind::Class => {
                if s.bound.contains(name) && !s.nonlocal_decl.contains(name) {
                    NameRef::ClassBody(self.globals.slot(name))
                } else if let Some(c) = s.cell_index(name) {
                    NameRef::Cell(c)
                } else {
                    NameRef::Global(self.globals.slot(name))
                }
            }
            _ => {
                if let Some(c) = s.cell_index(name) {
                    NameRef::Cell(c)
                } else if let Some(l) = s.local_slot(name) {
                    NameRef::Local(l)
                } else {
                    NameRef::Global(self.globals.slot(name))
                }
            }
        };
        self.slot_cache.insert(key, r.clone());
        r
    }

    fn fill_scope_info(&self, sid: usize, info: &mut ScopeInfo) {
        let s = &self.scopes[sid];
        let locals = s.local_names();
        info.n_locals = locals.len() as u32;
        info.cell_names = s.owned_cells.iter().chain(s.free.iter()).cloned().collect();
        info.n_owned_cells = s.owned_cells.len() as u32;
        info.cell_params = s
            .owned_cells
            .iter()
            .enumerate()
            .filter_map(|(ci, n)| s.params.iter().position(|p| p == n).map(|pi| (ci as u32, pi as u32)))
            .collect();
        info.free_from = match s.parent {
            Some(p) => s.free.iter().map(|n| self.scopes[p].cell_index(n).unwrap_or(0)).collect(),
            None => Vec::new(),
        };
        info.local_names = locals;
        info.is_generator = s.is_generator;
        info.is_async = s.is_async;
    }

    // ----- names --------------------------------------------------------------------

    fn intern(&self, n: &mut Name) {
        *n = self.interner.intern(n);
    }

    fn bind(&mut self, name: &Name) {
        if self.pass == Pass::Collect {
            self.scope().bound.insert(name.clone());
        }
    }

    fn use_name(&mut self, name: &Name) {
        if self.pass == Pass::Collect {
            self.scope().used.insert(name.clone());
            if &**name == "super" {
                let n: Name = self.interner.intern("__class__");
                self.scope().used.insert(n);
            }
        }
    }

    fn visit_name(&mut self, ne: &mut NameExpr, store: bool) {
        self.intern(&mut ne.id);
        if store {
            self.bind(&ne.id);
        } else {
            self.use_name(&ne.id);
        }
        if self.pass == Pass::Assign {
            ne.scope = self.name_ref(&ne.id);
        }
    }

    fn bind_ident(&mut self, id: &mut Ident) -> NameRef {
        self.intern(&mut id.name);
        self.bind(&id.name);
        if self.pass == Pass::Assign {
            self.name_ref(&id.name)
        } else {
            NameRef::Unresolved
        }
    }

    // ----- statements ---------------------------------------------------------------

    fn visit_body(&mut self, body: &mut [Stmt]) -> R<bool> {
        let mut any = false;
        for s in body {
            any |= self.visit_stmt(s)?;
        }
        Ok(any)
    }

    fn visit_stmt(&mut self, s: &mut Stmt) -> R<bool> {
        let span = s.span;
        let susp = match &mut s.kind {
            StmtKind::Expr(e) => self.visit_expr(e)?,
            StmtKind::Assign { targets, value } => {
                let mut x = self.visit_expr(value)?;
                for t in targets {
                    x |= self.visit_target(t)?;
                }
                x
            }
            StmtKind::AugAssign { target, value, .. } => {
                let x = self.visit_expr(value)?;
                // The target is read and written.
                if let ExprKind::Name(ne) = &mut target.kind {
                    self.visit_name(ne, false);
                }
                x | self.visit_target(target)?
            }
            StmtKind::AnnAssign { target, annotation, value, .. } => {
                let mut x = false;
                if let Some(v) = value {
                    x |= self.visit_expr(v)?;
                }
                if self.scopes[self.cur].kind != ScopeKind::Function {
                    x |= self.visit_expr(annotation)?;
                }
                if value.is_some() || !matches!(target.kind, ExprKind::Name(_)) {
                    x |= self.visit_target(target)?;
                } else if let ExprKind::Name(ne) = &mut target.kind {
                    // `x: int` alone makes x local without assigning it.
                    self.visit_name(ne, true);
                }
                x
            }
            StmtKind::Pass => false,
            StmtKind::Break => {
                if self.loop_depth == 0 {
                    return err("'break' outside loop", span);
                }
                false
            }
            StmtKind::Continue => {
                if self.loop_depth == 0 {
                    return err("'continue' not properly in loop", span);
                }
                false
            }
            StmtKind::Return(v) => {
                if !self.in_function() || self.scopes[self.cur].kind != ScopeKind::Function {
                    return err("'return' outside function", span);
                }
                let s = &self.scopes[self.cur];
                if v.is_some() && s.is_async && s.is_generator && self.pass == Pass::Assign {
                    return err("'return' with value in async generator", span);
                }
                match v {
                    Some(e) => self.visit_expr(e)?,
                    None => false,
                }
            }
            StmtKind::Raise { exc, cause } => {
                let mut x = false;
                if let Some(e) = exc {
                    x |= self.visit_expr(e)?;
                }
                if let Some(c) = cause {
                    x |= self.visit_expr(c)?;
                }
                x
            }
            StmtKind::Global(names) => {
                for id in names.iter_mut() {
                    self.intern(&mut id.name);
                    if self.pass == Pass::Collect {
                        let sc = &self.scopes[self.cur];
                        if sc.kind == ScopeKind::Module {
                            continue;
                        }
                        if sc.params.contains(&id.name) {
                            return err(format!("name '{}' is parameter and global", id.name), id.span);
                        }
                        if sc.bound.contains(&id.name) {
                            return err(format!("name '{}' is assigned to before global declaration", id.name), id.span);
                        }
                        if sc.used.contains(&id.name) {
                            return err(format!("name '{}' is used prior to global declaration", id.name), id.span);
                        }
                        let n = id.name.clone();
                        self.scope().global_decl.insert(n);
                    }
                }
                false
            }
            StmtKind::Nonlocal(names) => {
                for id in names.iter_mut() {
                    self.intern(&mut id.name);
                    if self.scopes[self.cur].kind == ScopeKind::Module {
                        return err("nonlocal declaration not allowed at module level", span);
                    }
                    if self.pass == Pass::Collect {
                        let sc = &self.scopes[self.cur];
                        if sc.params.contains(&id.name) {
                            return err(format!("name '{}' is parameter and nonlocal", id.name), id.span);
                        }
                        if sc.bound.contains(&id.name) {
                            return err(format!("name '{}' is assigned to before nonlocal declaration", id.name), id.span);
                        }
                        let n = id.name.clone();
                        self.scope().nonlocal_decl.insert(n);
                    } else {
                        // Must be bound in an enclosing function scope.
                        let mut p = self.scopes[self.cur].parent;
                        let mut found = false;
                        while let Some(pid) = p {
                            let ps = &self.scopes[pid];
                            if ps.kind == ScopeKind::Module {
                                break;
                            }
                            if ps.kind != ScopeKind::Class && (ps.is_local(&id.name) || ps.nonlocal_decl.contains(&id.name)) {
                                found = true;
                                break;
                            }
                            p = ps.parent;
                        }
                        if !found {
                            return err(format!("no binding for nonlocal '{}' found", id.name), id.span);
                        }
                    }
                }
                false
            }
            StmtKind::Delete(targets) => {
                let mut x = false;
                for t in targets {
                    x |= self.visit_target(t)?;
                }
                x
            }
            StmtKind::Assert { test, msg } => {
                let mut x = self.visit_expr(test)?;
                if let Some(m) = msg {
                    x |= self.visit_expr(m)?;
                }
                x
            }
            StmtKind::Import(aliases) => {
                for a in aliases.iter_mut() {
                    self.intern(&mut a.name);
                    a.target = match &mut a.asname {
                        Some(id) => self.bind_ident(id),
                        None => {
                            let first: Name = self.interner.intern(a.name.split('.').next().unwrap_or(&a.name));
                            self.bind(&first);
                            if self.pass == Pass::Assign {
                                self.name_ref(&first)
                            } else {
                                NameRef::Unresolved
                            }
                        }
                    };
                }
                false
            }
            StmtKind::ImportFrom { names, .. } => {
                if names.is_empty() && self.scopes[self.cur].kind != ScopeKind::Module {
                    return err("import * only allowed at module level", span);
                }
                for a in names.iter_mut() {
                    self.intern(&mut a.name);
                    a.target = match &mut a.asname {
                        Some(id) => self.bind_ident(id),
                        None => {
                            let n = a.name.clone();
                            self.bind(&n);
                            if self.pass == Pass::Assign {
                                self.name_ref(&n)
                            } else {
                                NameRef::Unresolved
                            }
                        }
                    };
                }
                false
            }
            StmtKind::If { test, body, orelse } => {
                self.visit_expr(test)? | self.visit_body(body)? | self.visit_body(orelse)?
            }
            StmtKind::While { test, body, orelse } => {
                let mut x = self.visit_expr(test)?;
                self.loop_depth += 1;
                x |= self.visit_body(body)?;
                self.loop_depth -= 1;
                x | self.visit_body(orelse)?
            }
            StmtKind::For { is_async, target, iter, body, orelse } => {
                if *is_async {
                    self.check_async("'async for' outside async function", span)?;
                }
                let mut x = *is_async | self.visit_expr(iter)?;
                x |= self.visit_target(target)?;
                self.loop_depth += 1;
                x |= self.visit_body(body)?;
                self.loop_depth -= 1;
                x | self.visit_body(orelse)?
            }
            StmtKind::Try { body, handlers, orelse, finalbody, .. } => {
                let mut x = self.visit_body(body)?;
                for h in handlers.iter_mut() {
                    if let Some(t) = &mut h.typ {
                        x |= self.visit_expr(t)?;
                    }
                    if let Some(id) = &mut h.name {
                        h.name_ref = self.bind_ident(id);
                    }
                    x |= self.visit_body(&mut h.body)?;
                }
                x | self.visit_body(orelse)? | self.visit_body(finalbody)?
            }
            StmtKind::With { is_async, items, body } => {
                if *is_async {
                    self.check_async("'async with' outside async function", span)?;
                }
                let mut x = *is_async;
                for it in items.iter_mut() {
                    x |= self.visit_expr(&mut it.context_expr)?;
                    if let Some(t) = &mut it.optional_vars {
                        x |= self.visit_target(t)?;
                    }
                }
                x | self.visit_body(body)?
            }
            StmtKind::FunctionDef(def) => {
                let Some(def) = Rc::get_mut(def) else { return err("internal: shared function node", span) };
                let x = self.visit_function(def)?;
                let r = self.bind_ident(&mut def.name);
                let _ = r;
                x
            }
            StmtKind::ClassDef(cd) => {
                let Some(cd) = Rc::get_mut(cd) else { return err("internal: shared class node", span) };
                self.visit_class(cd)?
            }
        };
        s.suspends = susp;
        Ok(susp)
    }

    fn check_async(&self, msg: &str, span: Span) -> R<()> {
        let (kind, is_async) = self.await_context();
        if is_async {
            return Ok(());
        }
        if kind == ScopeKind::Module && self.opts.top_level_await {
            return Ok(());
        }
        err(msg, span)
    }

    fn visit_function(&mut self, def: &mut FunctionDef) -> R<bool> {
        // Decorators, defaults and annotations are evaluated in the enclosing scope.
        let mut x = false;
        for d in def.decorators.iter_mut() {
            x |= self.visit_expr(d)?;
        }
        let p = &mut def.params;
        for prm in p.posonly.iter_mut().chain(p.args.iter_mut()).chain(p.kwonly.iter_mut()) {
            if let Some(d) = &mut prm.default {
                x |= self.visit_expr(d)?;
            }
        }
        for prm in p
            .posonly
            .iter_mut()
            .chain(p.args.iter_mut())
            .chain(p.vararg.iter_mut())
            .chain(p.kwonly.iter_mut())
            .chain(p.kwarg.iter_mut())
        {
            if let Some(a) = &mut prm.annotation {
                x |= self.visit_expr(a)?;
            }
        }
        if let Some(r) = &mut def.returns {
            x |= self.visit_expr(r)?;
        }
        let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
        let sid = self.enter_scope(ScopeKind::Function, def.is_async);
        let mut seen = HashSet::new();
        for prm in def
            .params
            .posonly
            .iter_mut()
            .chain(def.params.args.iter_mut())
            .chain(def.params.vararg.iter_mut())
            .chain(def.params.kwonly.iter_mut())
            .chain(def.params.kwarg.iter_mut())
        {
            self.intern(&mut prm.name.name);
            if !seen.insert(prm.name.name.clone()) {
                return err(format!("duplicate argument '{}' in function definition", prm.name.name), prm.name.span);
            }
            if self.pass == Pass::Collect {
                let n = prm.name.name.clone();
                self.scope().params.push(n.clone());
                self.scope().bound.insert(n);
            }
        }
        self.intern(&mut def.name.name);
        self.visit_body(&mut def.body)?;
        if self.pass == Pass::Assign {
            self.fill_scope_info(sid, &mut def.scope);
        }
        self.leave_scope();
        self.loop_depth = saved_loop;
        Ok(x)
    }

    fn visit_class(&mut self, cd: &mut ClassDef) -> R<bool> {
        let mut x = false;
        for d in cd.decorators.iter_mut() {
            x |= self.visit_expr(d)?;
        }
        for a in cd.bases.iter_mut() {
            x |= self.visit_arg(a)?;
        }
        let saved_loop = std::mem::replace(&mut self.loop_depth, 0);
        let sid = self.enter_scope(ScopeKind::Class, false);
        self.visit_body(&mut cd.body)?;
        if self.pass == Pass::Assign {
            self.fill_scope_info(sid, &mut cd.scope);
        }
        self.leave_scope();
        self.loop_depth = saved_loop;
        self.bind_ident(&mut cd.name);
        Ok(x)
    }

    // ----- expressions --------------------------------------------------------------

    fn visit_target(&mut self, e: &mut Expr) -> R<bool> {
        let x = match &mut e.kind {
            ExprKind::Name(ne) => {
                self.visit_name(ne, true);
                false
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let mut x = false;
                for it in items {
                    x |= self.visit_target(it)?;
                }
                x
            }
            ExprKind::Starred(inner) => self.visit_target(inner)?,
            ExprKind::Attribute { value, attr } => {
                self.intern(&mut attr.name);
                self.visit_expr(value)?
            }
            ExprKind::Subscript { value, index } => self.visit_expr(value)? | self.visit_expr(index)?,
            _ => self.visit_expr(e)?,
        };
        e.suspends = x;
        Ok(x)
    }

    fn visit_arg(&mut self, a: &mut Arg) -> R<bool> {
        match a {
            Arg::Positional(e) | Arg::Starred(e) | Arg::DoubleStarred(e) => self.visit_expr(e),
            Arg::Keyword(id, e) => {
                self.intern(&mut id.name);
                self.visit_expr(e)
            }
        }
    }

    fn visit_exprs(&mut self, es: &mut [Expr]) -> R<bool> {
        let mut x = false;
        for e in es {
            x |= self.visit_expr(e)?;
        }
        Ok(x)
    }

    fn visit_fstring(&mut self, parts: &mut [FStringPart]) -> R<bool> {
        let mut x = false;
        for p in parts {
            if let FStringPart::Field(f) = p {
                x |= self.visit_expr(&mut f.expr)?;
                if let Some(spec) = &mut f.format_spec {
                    x |= self.visit_fstring(spec)?;
                }
            }
        }
        Ok(x)
    }

    fn visit_expr(&mut self, e: &mut Expr) -> R<bool> {
        let span = e.span;
        let x = match &mut e.kind {
            ExprKind::Constant(_) => false,
            ExprKind::FString(parts) => self.visit_fstring(parts)?,
            ExprKind::Name(ne) => {
                self.visit_name(ne, false);
                false
            }
            ExprKind::BoolOp { values, .. } => self.visit_exprs(values)?,
            ExprKind::NamedExpr { target, value } => {
                let x = self.visit_expr(value)?;
                if let ExprKind::Name(ne) = &mut target.kind {
                    self.intern(&mut ne.id);
                    let ws = self.walrus_scope();
                    if self.pass == Pass::Collect {
                        if self.scopes[self.cur].kind == ScopeKind::Comprehension
                            && self.scopes[self.cur].bound.contains(&ne.id)
                        {
                            return err(
                                format!("assignment expression cannot rebind comprehension iteration variable '{}'", ne.id),
                                target.span,
                            );
                        }
                        self.scopes[ws].bound.insert(ne.id.clone());
                        if ws != self.cur {
                            self.scopes[self.cur].used.insert(ne.id.clone());
                        }
                    } else {
                        ne.scope = self.name_ref(&ne.id);
                    }
                }
                x
            }
            ExprKind::BinOp { left, right, .. } => self.visit_expr(left)? | self.visit_expr(right)?,
            ExprKind::UnaryOp { operand, .. } => self.visit_expr(operand)?,
            ExprKind::Lambda(def) => {
                let Some(def) = Rc::get_mut(def) else { return err("internal: shared lambda node", span) };
                self.visit_function(def)?
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.visit_expr(test)? | self.visit_expr(body)? | self.visit_expr(orelse)?
            }
            ExprKind::Dict(items) => {
                let mut x = false;
                for it in items {
                    match it {
                        DictItem::Pair(k, v) => x |= self.visit_expr(k)? | self.visit_expr(v)?,
                        DictItem::Unpack(v) => x |= self.visit_expr(v)?,
                    }
                }
                x
            }
            ExprKind::Set(items) | ExprKind::List(items) | ExprKind::Tuple(items) => self.visit_exprs(items)?,
            ExprKind::Comp(comp) => {
                let Some(comp) = Rc::get_mut(comp) else { return err("internal: shared comprehension node", span) };
                self.visit_comprehension(comp)?
            }
            ExprKind::Await(v) => {
                let (kind, is_async) = self.await_context();
                if !is_async {
                    match kind {
                        ScopeKind::Module if self.opts.top_level_await => {}
                        ScopeKind::Comprehension => {
                            if !self.enclosing_async() {
                                return err("asynchronous comprehension outside of an asynchronous function", span);
                            }
                        }
                        ScopeKind::Function => return err("'await' outside async function", span),
                        _ => return err("'await' outside function", span),
                    }
                }
                self.visit_expr(v)?;
                true
            }
            ExprKind::Yield(v) => {
                self.check_yield(span, "yield")?;
                if let Some(v) = v {
                    self.visit_expr(v)?;
                }
                true
            }
            ExprKind::YieldFrom(v) => {
                self.check_yield(span, "yield from")?;
                if self.scopes[self.cur].is_async {
                    return err("'yield from' inside async function", span);
                }
                self.visit_expr(v)?;
                true
            }
            ExprKind::Compare { left, comparators, .. } => self.visit_expr(left)? | self.visit_exprs(comparators)?,
            ExprKind::Call { func, args } => {
                let mut x = self.visit_expr(func)?;
                for a in args {
                    x |= self.visit_arg(a)?;
                }
                x
            }
            ExprKind::Attribute { value, attr } => {
                self.intern(&mut attr.name);
                self.visit_expr(value)?
            }
            ExprKind::Subscript { value, index } => self.visit_expr(value)? | self.visit_expr(index)?,
            ExprKind::Starred(v) => self.visit_expr(v)?,
            ExprKind::Slice { lower, upper, step } => {
                let mut x = false;
                for part in [lower, upper, step].into_iter().flatten() {
                    x |= self.visit_expr(part)?;
                }
                x
            }
        };
        e.suspends = x;
        Ok(x)
    }

    fn enclosing_async(&self) -> bool {
        let mut s = self.cur;
        loop {
            let sc = &self.scopes[s];
            match sc.kind {
                ScopeKind::Comprehension => match sc.parent {
                    Some(p) => s = p,
                    None => return false,
                },
                ScopeKind::Module => return self.opts.top_level_await,
                _ => return sc.is_async,
            }
        }
    }

    fn check_yield(&mut self, span: Span, what: &str) -> R<()> {
        match self.scopes[self.cur].kind {
            ScopeKind::Function => {
                self.scope().is_generator = true;
                Ok(())
            }
            ScopeKind::Comprehension => err(format!("'{what}' inside list comprehension"), span),
            _ => err(format!("'{what}' outside function"), span),
        }
    }

    fn visit_comprehension(&mut self, comp: &mut Comprehension) -> R<bool> {
        // The first iterable is evaluated in the enclosing scope.
        let mut outer = false;
        if let Some(first) = comp.generators.first_mut() {
            outer |= self.visit_expr(&mut first.iter)?;
        }
        let is_gen = comp.kind == CompKind::Generator;
        let sid = self.enter_scope(ScopeKind::Comprehension, false);
        // A comprehension may await when its enclosing function is async.
        let inherit_async = {
            let saved = self.cur;
            self.cur = self.scopes[sid].parent.unwrap_or(sid);
            let a = self.enclosing_async();
            self.cur = saved;
            a
        };
        self.scopes[sid].is_async = inherit_async;
        let mut inner = false;
        for (i, g) in comp.generators.iter_mut().enumerate() {
            if g.is_async {
                if !inherit_async {
                    return err("asynchronous comprehension outside of an asynchronous function", g.iter.span);
                }
                inner = true;
            }
            if i > 0 {
                inner |= self.visit_expr(&mut g.iter)?;
            }
            inner |= self.visit_target(&mut g.target)?;
            for cond in g.ifs.iter_mut() {
                inner |= self.visit_expr(cond)?;
            }
        }
        inner |= self.visit_expr(&mut comp.elt)?;
        if let Some(v) = &mut comp.value {
            inner |= self.visit_expr(v)?;
        }
        if self.pass == Pass::Assign {
            self.fill_scope_info(sid, &mut comp.scope);
            // A generator expression that awaits is an async generator.
            comp.scope.is_generator = is_gen;
            comp.scope.is_async = is_gen && inner;
        }
        self.leave_scope();
        Ok(outer || (!is_gen && inner))
    }
}
