//! The `itertools` module: lazy iterators implemented as `NativeIter`s, so they work on
//! infinite inputs and pull from their sources one item at a time.

use std::cell::RefCell;
use std::rc::Rc;

use crate::builtins::{add_classmethod, add_fn, add_method, set_value};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::syntax::ast::BinOp;
use crate::vm::iter::{IterState, NativeIter};
use crate::vm::types::make_class;
use crate::vm::Vm;
use crate::embed::limits::Ticker;

fn wrap(vm: &Vm, it: impl NativeIter + 'static) -> Value {
    vm.iterator_object(IterState::Native(Box::new(it)), "iterator")
}

struct Count {
    cur: Value,
    step: Value,
}
impl NativeIter for Count {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        let v = self.cur.clone();
        self.cur = vm.binop(BinOp::Add, &self.cur, &self.step)?;
        Ok(Some(v))
    }
    fn type_name(&self) -> &'static str {
        "count"
    }
}

struct Cycle {
    src: IterState,
    saved: Vec<Value>,
    idx: usize,
    replay: bool,
}
impl NativeIter for Cycle {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if !self.replay {
            if let Some(v) = vm.iter_next(&mut self.src)? {
                self.saved.push(v.clone());
                return Ok(Some(v));
            }
            self.replay = true;
            self.src = IterState::Exhausted;
        }
        if self.saved.is_empty() {
            return Ok(None);
        }
        let v = self.saved[self.idx % self.saved.len()].clone();
        self.idx = (self.idx + 1) % self.saved.len();
        Ok(Some(v))
    }
    fn type_name(&self) -> &'static str {
        "cycle"
    }
}

struct Repeat {
    obj: Value,
    left: Option<i64>,
}
impl NativeIter for Repeat {
    fn next(&mut self, _vm: &Vm) -> PyResult<Option<Value>> {
        match &mut self.left {
            Some(0) => Ok(None),
            Some(n) => {
                *n -= 1;
                Ok(Some(self.obj.clone()))
            }
            None => Ok(Some(self.obj.clone())),
        }
    }
    fn type_name(&self) -> &'static str {
        "repeat"
    }
    fn length_hint(&self) -> Option<usize> {
        self.left.map(|n| n.max(0) as usize)
    }
}

struct Chain {
    /// Iterables not started yet (an iterator over them, for `from_iterable`).
    sources: IterState,
    cur: Option<IterState>,
}
impl NativeIter for Chain {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        let mut ticker = Ticker::default();
        loop {
            ticker.tick(vm)?;
            if let Some(cur) = &mut self.cur {
                if let Some(v) = vm.iter_next(cur)? {
                    return Ok(Some(v));
                }
                self.cur = None;
            }
            match vm.iter_next(&mut self.sources)? {
                Some(src) => self.cur = Some(vm.iter_state(&src)?),
                None => return Ok(None),
            }
        }
    }
    fn type_name(&self) -> &'static str {
        "chain"
    }
}

struct Islice {
    src: IterState,
    next_idx: usize,
    pos: usize,
    stop: Option<usize>,
    step: usize,
}
impl NativeIter for Islice {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        let mut ticker = Ticker::default();
        loop {
            ticker.tick(vm)?;
            if let Some(stop) = self.stop {
                if self.next_idx >= stop {
                    // Consume up to stop as CPython does, then finish.
                    while self.pos < stop {
                        ticker.tick(vm)?;
                        if vm.iter_next(&mut self.src)?.is_none() {
                            break;
                        }
                        self.pos += 1;
                    }
                    self.src = IterState::Exhausted;
                    return Ok(None);
                }
            }
            let Some(v) = vm.iter_next(&mut self.src)? else {
                self.src = IterState::Exhausted;
                self.stop = Some(0);
                return Ok(None);
            };
            let i = self.pos;
            self.pos += 1;
            if i == self.next_idx {
                self.next_idx += self.step;
                return Ok(Some(v));
            }
        }
    }
    fn type_name(&self) -> &'static str {
        "islice"
    }
}

/// Materialised pools with an index vector: product, permutations, combinations.
struct Product {
    pools: Vec<Vec<Value>>,
    idx: Vec<usize>,
    first: bool,
    done: bool,
}
impl NativeIter for Product {
    fn next(&mut self, _vm: &Vm) -> PyResult<Option<Value>> {
        if self.done {
            return Ok(None);
        }
        if self.first {
            self.first = false;
            if self.pools.iter().any(|p| p.is_empty()) {
                self.done = true;
                return Ok(None);
            }
        } else {
            // Odometer: advance the rightmost index that can move.
            let mut i = self.pools.len();
            loop {
                if i == 0 {
                    self.done = true;
                    return Ok(None);
                }
                i -= 1;
                self.idx[i] += 1;
                if self.idx[i] < self.pools[i].len() {
                    break;
                }
                self.idx[i] = 0;
            }
        }
        Ok(Some(Value::tuple(self.idx.iter().zip(&self.pools).map(|(i, p)| p[*i].clone()).collect())))
    }
    fn type_name(&self) -> &'static str {
        "product"
    }
}

struct Permutations {
    pool: Vec<Value>,
    r: usize,
    indices: Vec<usize>,
    cycles: Vec<usize>,
    first: bool,
    done: bool,
}
impl NativeIter for Permutations {
    fn next(&mut self, _vm: &Vm) -> PyResult<Option<Value>> {
        let n = self.pool.len();
        let r = self.r;
        if self.done {
            return Ok(None);
        }
        if self.first {
            self.first = false;
            if r > n {
                self.done = true;
                return Ok(None);
            }
        } else {
            // CPython's algorithm (cycles count down the swaps left at each position).
            let mut found = false;
            for i in (0..r).rev() {
                self.cycles[i] -= 1;
                if self.cycles[i] == 0 {
                    let x = self.indices.remove(i);
                    self.indices.push(x);
                    self.cycles[i] = n - i;
                } else {
                    let j = self.cycles[i];
                    self.indices.swap(i, n - j);
                    found = true;
                    break;
                }
            }
            if !found {
                self.done = true;
                return Ok(None);
            }
        }
        Ok(Some(Value::tuple(self.indices[..r].iter().map(|i| self.pool[*i].clone()).collect())))
    }
    fn type_name(&self) -> &'static str {
        "permutations"
    }
}

struct Combinations {
    pool: Vec<Value>,
    r: usize,
    indices: Vec<usize>,
    with_replacement: bool,
    first: bool,
    done: bool,
}
impl NativeIter for Combinations {
    fn next(&mut self, _vm: &Vm) -> PyResult<Option<Value>> {
        let n = self.pool.len();
        let r = self.r;
        if self.done {
            return Ok(None);
        }
        if self.first {
            self.first = false;
            if (!self.with_replacement && r > n) || (self.with_replacement && n == 0 && r > 0) {
                self.done = true;
                return Ok(None);
            }
        } else if self.with_replacement {
            let Some(i) = (0..r).rev().find(|&i| self.indices[i] != n - 1) else {
                self.done = true;
                return Ok(None);
            };
            let v = self.indices[i] + 1;
            for k in i..r {
                self.indices[k] = v;
            }
        } else {
            let Some(i) = (0..r).rev().find(|&i| self.indices[i] != i + n - r) else {
                self.done = true;
                return Ok(None);
            };
            self.indices[i] += 1;
            for j in i + 1..r {
                self.indices[j] = self.indices[j - 1] + 1;
            }
        }
        Ok(Some(Value::tuple(self.indices.iter().map(|i| self.pool[*i].clone()).collect())))
    }
    fn type_name(&self) -> &'static str {
        if self.with_replacement {
            "combinations_with_replacement"
        } else {
            "combinations"
        }
    }
}

/// State shared by a `groupby` and its current `_grouper` (CPython's algorithm).
struct GroupByState {
    src: IterState,
    key: Value,
    tgtkey: Option<Value>,
    currkey: Option<Value>,
    currvalue: Option<Value>,
    /// Which grouper is live; older groupers stop.
    current: u64,
}

/// Advance the source: never holds the borrow while Python code (next, key) runs.
fn groupby_step(vm: &Vm, st: &Rc<RefCell<GroupByState>>) -> PyResult<bool> {
    let mut src = std::mem::replace(&mut st.borrow_mut().src, IterState::Exhausted);
    let r = vm.iter_next(&mut src);
    st.borrow_mut().src = src;
    let Some(v) = r? else { return Ok(false) };
    let key = st.borrow().key.clone();
    let k = if key.is_none() { v.clone() } else { vm.call1(&key, v.clone())? };
    let mut s = st.borrow_mut();
    s.currvalue = Some(v);
    s.currkey = Some(k);
    Ok(true)
}

struct GroupBy {
    st: Rc<RefCell<GroupByState>>,
}
impl NativeIter for GroupBy {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        // Asking for the next group invalidates the previous grouper, even at the end.
        self.st.borrow_mut().current += 1;
        loop {
            let (curr, tgt) = {
                let s = self.st.borrow();
                (s.currkey.clone(), s.tgtkey.clone())
            };
            match (curr, tgt) {
                (None, _) => {}
                (Some(_), None) => break,
                (Some(c), Some(t)) => {
                    if !vm.eq(&t, &c)? {
                        break;
                    }
                }
            }
            if !groupby_step(vm, &self.st)? {
                return Ok(None);
            }
        }
        let (key, id) = {
            let mut s = self.st.borrow_mut();
            s.tgtkey = s.currkey.clone();
            s.current += 1;
            (s.currkey.clone().unwrap_or(Value::None), s.current)
        };
        let grouper = wrap(vm, Grouper { st: self.st.clone(), tgtkey: key.clone(), id });
        Ok(Some(Value::tuple(vec![key, grouper])))
    }
    fn type_name(&self) -> &'static str {
        "groupby"
    }
}

struct Grouper {
    st: Rc<RefCell<GroupByState>>,
    tgtkey: Value,
    id: u64,
}
impl NativeIter for Grouper {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if self.st.borrow().current != self.id {
            return Ok(None);
        }
        if self.st.borrow().currvalue.is_none() && !groupby_step(vm, &self.st)? {
            return Ok(None);
        }
        let curr = self.st.borrow().currkey.clone().unwrap_or(Value::None);
        if !vm.eq(&self.tgtkey, &curr)? {
            return Ok(None);
        }
        Ok(self.st.borrow_mut().currvalue.take())
    }
    fn type_name(&self) -> &'static str {
        "_grouper"
    }
}

struct Accumulate {
    src: IterState,
    func: Value,
    total: Option<Value>,
    initial: Option<Value>,
}
impl NativeIter for Accumulate {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if let Some(init) = self.initial.take() {
            self.total = Some(init.clone());
            return Ok(Some(init));
        }
        let Some(v) = vm.iter_next(&mut self.src)? else { return Ok(None) };
        let t = match self.total.take() {
            None => v,
            Some(t) if self.func.is_none() => vm.binop(BinOp::Add, &t, &v)?,
            Some(t) => vm.call(&self.func, Args::new([t, v]))?,
        };
        self.total = Some(t.clone());
        Ok(Some(t))
    }
    fn type_name(&self) -> &'static str {
        "accumulate"
    }
}

struct ZipLongest {
    iters: Vec<Option<IterState>>,
    active: usize,
    fill: Value,
}
impl NativeIter for ZipLongest {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if self.active == 0 {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(self.iters.len());
        for slot in self.iters.iter_mut() {
            match slot {
                Some(it) => match vm.iter_next(it)? {
                    Some(v) => out.push(v),
                    None => {
                        *slot = None;
                        self.active -= 1;
                        if self.active == 0 {
                            return Ok(None);
                        }
                        out.push(self.fill.clone());
                    }
                },
                None => out.push(self.fill.clone()),
            }
        }
        Ok(Some(Value::tuple(out)))
    }
    fn type_name(&self) -> &'static str {
        "zip_longest"
    }
}

/// takewhile / dropwhile / filterfalse: a predicate-driven filter.
#[derive(Clone, Copy, PartialEq)]
enum PredKind {
    TakeWhile,
    DropWhile,
    FilterFalse,
}
struct PredIter {
    kind: PredKind,
    pred: Value,
    src: IterState,
    /// takewhile: stopped; dropwhile: done dropping.
    flag: bool,
}
impl NativeIter for PredIter {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        let mut ticker = Ticker::default();
        loop {
            ticker.tick(vm)?;
            if self.kind == PredKind::TakeWhile && self.flag {
                return Ok(None);
            }
            let Some(v) = vm.iter_next(&mut self.src)? else { return Ok(None) };
            if self.kind == PredKind::DropWhile && self.flag {
                return Ok(Some(v));
            }
            let t = if self.pred.is_none() { vm.truthy(&v)? } else { vm.truthy(&vm.call1(&self.pred, v.clone())?)? };
            match self.kind {
                PredKind::TakeWhile => {
                    if t {
                        return Ok(Some(v));
                    }
                    self.flag = true;
                    self.src = IterState::Exhausted;
                    return Ok(None);
                }
                PredKind::DropWhile => {
                    if !t {
                        self.flag = true;
                        return Ok(Some(v));
                    }
                }
                PredKind::FilterFalse => {
                    if !t {
                        return Ok(Some(v));
                    }
                }
            }
        }
    }
    fn type_name(&self) -> &'static str {
        match self.kind {
            PredKind::TakeWhile => "takewhile",
            PredKind::DropWhile => "dropwhile",
            PredKind::FilterFalse => "filterfalse",
        }
    }
}

struct Starmap {
    func: Value,
    src: IterState,
}
impl NativeIter for Starmap {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        let Some(v) = vm.iter_next(&mut self.src)? else { return Ok(None) };
        let args = vm.collect(&v)?;
        vm.call(&self.func, Args::new(args)).map(Some)
    }
    fn type_name(&self) -> &'static str {
        "starmap"
    }
}

struct Compress {
    data: IterState,
    sel: IterState,
}
impl NativeIter for Compress {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        let mut ticker = Ticker::default();
        loop {
            ticker.tick(vm)?;
            let Some(d) = vm.iter_next(&mut self.data)? else { return Ok(None) };
            let Some(s) = vm.iter_next(&mut self.sel)? else { return Ok(None) };
            if vm.truthy(&s)? {
                return Ok(Some(d));
            }
        }
    }
    fn type_name(&self) -> &'static str {
        "compress"
    }
}

struct Pairwise {
    src: IterState,
    last: Option<Value>,
}
impl NativeIter for Pairwise {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if self.last.is_none() {
            match vm.iter_next(&mut self.src)? {
                Some(v) => self.last = Some(v),
                None => return Ok(None),
            }
        }
        let Some(v) = vm.iter_next(&mut self.src)? else {
            self.last = None;
            self.src = IterState::Exhausted;
            return Ok(None);
        };
        let a = self.last.replace(v.clone()).unwrap_or(Value::None);
        Ok(Some(Value::tuple(vec![a, v])))
    }
    fn type_name(&self) -> &'static str {
        "pairwise"
    }
}

/// The buffer shared by the iterators `tee` returns.
struct TeeData {
    src: IterState,
    buf: Vec<Value>,
    done: bool,
}
struct Tee {
    data: Rc<RefCell<TeeData>>,
    idx: usize,
}
impl NativeIter for Tee {
    fn next(&mut self, vm: &Vm) -> PyResult<Option<Value>> {
        if let Some(v) = self.data.borrow().buf.get(self.idx) {
            self.idx += 1;
            return Ok(Some(v.clone()));
        }
        if self.data.borrow().done {
            return Ok(None);
        }
        // Take the source out so no borrow is held while it runs Python code.
        let mut src = std::mem::replace(&mut self.data.borrow_mut().src, IterState::Exhausted);
        let r = vm.iter_next(&mut src);
        let mut d = self.data.borrow_mut();
        d.src = src;
        match r? {
            Some(v) => {
                d.buf.push(v.clone());
                self.idx = d.buf.len();
                Ok(Some(v))
            }
            None => {
                d.done = true;
                Ok(None)
            }
        }
    }
    fn type_name(&self) -> &'static str {
        "_tee"
    }
}

fn opt_index(vm: &Vm, v: Option<&Value>, msg: &str) -> PyResult<Option<usize>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(x) => match vm.index_value(x) {
            Ok(i) if i >= 0 => Ok(Some(i as usize)),
            _ => Err(Exc::value_error(msg)),
        },
    }
}

fn r_arg(vm: &Vm, v: Option<Value>, n: usize) -> PyResult<usize> {
    match v {
        None | Some(Value::None) => Ok(n),
        Some(x) => {
            let r = vm.index_value(&x)?;
            if r < 0 {
                return Err(Exc::value_error("r must be non-negative"));
            }
            Ok(r as usize)
        }
    }
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "itertools");
    let g = &m.globals;
    add_fn(vm, g, "count", |vm, args: Args| {
        let [start, step] = args.bind("count", ["start", "step"], 0)?;
        let start = start.unwrap_or(Value::Int(0));
        let step = step.unwrap_or(Value::Int(1));
        for v in [&start, &step] {
            if !matches!(v, Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Bool(_)) && vm.type_of(v).lookup("__add__").is_none() {
                return Err(Exc::type_error("a number is required"));
            }
        }
        Ok(wrap(vm, Count { cur: start, step }))
    });
    add_fn(vm, g, "cycle", |vm, args: Args| {
        let [it] = args.exact::<1>("cycle")?;
        Ok(wrap(vm, Cycle { src: vm.iter_state(&it)?, saved: vec![], idx: 0, replay: false }))
    });
    add_fn(vm, g, "repeat", |vm, args: Args| {
        let [obj, times] = args.bind("repeat", ["object", "times"], 1)?;
        let left = match times {
            Some(t) => Some(vm.index_value(&t)?.max(0)),
            None => None,
        };
        Ok(wrap(vm, Repeat { obj: obj.unwrap_or(Value::None), left }))
    });
    // `chain` is a class so `chain.from_iterable` works.
    let chain = make_class("chain", vec![vm.types.object.clone()], crate::runtime::class::BaseKind::Native, None);
    *chain.module.borrow_mut() = "itertools".into();
    add_method(vm, &chain, "__new__", |vm, args: Args| {
        args.no_kw("chain")?;
        let srcs: Vec<Value> = args.pos.iter().skip(1).cloned().collect();
        Ok(wrap(vm, Chain { sources: IterState::Values { items: srcs, idx: 0 }, cur: None }))
    });
    add_classmethod(vm, &chain, "from_iterable", |vm, args: Args| {
        let [_cls, it] = args.exact::<2>("from_iterable")?;
        Ok(wrap(vm, Chain { sources: vm.iter_state(&it)?, cur: None }))
    });
    set_value(vm, g, "chain", Value::Class(chain));
    add_fn(vm, g, "islice", |vm, args: Args| {
        args.no_kw("islice")?;
        let stop_msg = "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
        let idx_msg = "Indices for islice() must be None or an integer: 0 <= x <= sys.maxsize.";
        let (it, start, stop, step) = match &args.pos[..] {
            [it, stop] => (it.clone(), 0, opt_index(vm, Some(stop), stop_msg)?, 1),
            [it, start, stop, rest @ ..] if rest.len() <= 1 => {
                let start = opt_index(vm, Some(start), idx_msg)?.unwrap_or(0);
                let stop = opt_index(vm, Some(stop), stop_msg)?;
                let step = match rest.first() {
                    None | Some(Value::None) => 1,
                    Some(s) => match vm.index_value(s) {
                        Ok(s) if s >= 1 => s as usize,
                        _ => return Err(Exc::value_error("Step for islice() must be a positive integer or None.")),
                    },
                };
                (it.clone(), start, stop, step)
            }
            a if a.len() < 2 => return Err(Exc::type_error(format!("islice expected at least 2 arguments, got {}", a.len()))),
            a => return Err(Exc::type_error(format!("islice expected at most 4 arguments, got {}", a.len()))),
        };
        Ok(wrap(vm, Islice { src: vm.iter_state(&it)?, next_idx: start, pos: 0, stop, step }))
    });
    add_fn(vm, g, "product", |vm, mut args: Args| {
        let repeat = match args.take_kw("repeat") {
            Some(r) => vm.index_value(&r)?,
            None => 1,
        };
        args.no_kw("product")?;
        if repeat < 0 {
            return Err(Exc::value_error("repeat argument cannot be negative"));
        }
        let base: Vec<Vec<Value>> = args.pos.iter().map(|a| vm.collect(a)).collect::<PyResult<_>>()?;
        let mut pools = Vec::new();
        for _ in 0..repeat {
            pools.extend(base.iter().cloned());
        }
        let n = pools.len();
        Ok(wrap(vm, Product { pools, idx: vec![0; n], first: true, done: false }))
    });
    add_fn(vm, g, "permutations", |vm, args: Args| {
        let [it, r] = args.bind("permutations", ["iterable", "r"], 1)?;
        let pool = vm.collect(&it.unwrap_or(Value::None))?;
        let n = pool.len();
        let r = r_arg(vm, r, n)?;
        let cycles = if r <= n { (0..r).map(|i| n - i).collect() } else { vec![] };
        Ok(wrap(vm, Permutations { pool, r, indices: (0..n).collect(), cycles, first: true, done: false }))
    });
    for (name, with_replacement) in [("combinations", false), ("combinations_with_replacement", true)] {
        add_fn(vm, g, name, move |vm, args: Args| {
            let [it, r] = args.bind(name, ["iterable", "r"], 2)?;
            let pool = vm.collect(&it.unwrap_or(Value::None))?;
            let r = r_arg(vm, r, 0)?;
            let indices = if with_replacement { vec![0; r] } else { (0..r).collect() };
            Ok(wrap(vm, Combinations { pool, r, indices, with_replacement, first: true, done: false }))
        });
    }
    add_fn(vm, g, "groupby", |vm, args: Args| {
        let [it, key] = args.bind("groupby", ["iterable", "key"], 1)?;
        let st = GroupByState {
            src: vm.iter_state(&it.unwrap_or(Value::None))?,
            key: key.unwrap_or(Value::None),
            tgtkey: None,
            currkey: None,
            currvalue: None,
            current: 0,
        };
        Ok(wrap(vm, GroupBy { st: Rc::new(RefCell::new(st)) }))
    });
    add_fn(vm, g, "accumulate", |vm, mut args: Args| {
        let initial = args.take_kw("initial").filter(|v| !v.is_none());
        let [it, func] = args.bind("accumulate", ["iterable", "func"], 1)?;
        Ok(wrap(
            vm,
            Accumulate { src: vm.iter_state(&it.unwrap_or(Value::None))?, func: func.unwrap_or(Value::None), total: None, initial },
        ))
    });
    add_fn(vm, g, "zip_longest", |vm, mut args: Args| {
        let fill = args.take_kw("fillvalue").unwrap_or(Value::None);
        if let Some((k, _)) = args.kw.first() {
            return Err(Exc::type_error(format!("zip_longest() got an unexpected keyword argument '{k}'")));
        }
        let iters: Vec<Option<IterState>> = args.pos.iter().map(|a| vm.iter_state(a).map(Some)).collect::<PyResult<_>>()?;
        let active = iters.len();
        Ok(wrap(vm, ZipLongest { iters, active, fill }))
    });
    for (name, kind) in [("takewhile", PredKind::TakeWhile), ("dropwhile", PredKind::DropWhile), ("filterfalse", PredKind::FilterFalse)] {
        add_fn(vm, g, name, move |vm, args: Args| {
            let [pred, it] = args.exact::<2>(name)?;
            Ok(wrap(vm, PredIter { kind, pred, src: vm.iter_state(&it)?, flag: false }))
        });
    }
    add_fn(vm, g, "starmap", |vm, args: Args| {
        let [f, it] = args.exact::<2>("starmap")?;
        Ok(wrap(vm, Starmap { func: f, src: vm.iter_state(&it)? }))
    });
    add_fn(vm, g, "compress", |vm, args: Args| {
        let [d, s] = args.bind("compress", ["data", "selectors"], 2)?;
        Ok(wrap(vm, Compress { data: vm.iter_state(&d.unwrap_or(Value::None))?, sel: vm.iter_state(&s.unwrap_or(Value::None))? }))
    });
    add_fn(vm, g, "pairwise", |vm, args: Args| {
        let [it] = args.exact::<1>("pairwise")?;
        Ok(wrap(vm, Pairwise { src: vm.iter_state(&it)?, last: None }))
    });
    add_fn(vm, g, "tee", |vm, args: Args| {
        args.no_kw("tee")?;
        let (it, n) = match &args.pos[..] {
            [it] => (it.clone(), 2),
            [it, n] => (it.clone(), vm.index_value(n)?),
            a => return Err(Exc::type_error(format!("tee expected at most 2 arguments, got {}", a.len()))),
        };
        if n < 0 {
            return Err(Exc::value_error("n must be >= 0"));
        }
        let data = Rc::new(RefCell::new(TeeData { src: vm.iter_state(&it)?, buf: vec![], done: false }));
        Ok(Value::tuple((0..n).map(|_| wrap(vm, Tee { data: data.clone(), idx: 0 })).collect()))
    });
    Ok(m)
}
