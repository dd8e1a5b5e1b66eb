//! The `random` module: CPython's Mersenne Twister (MT19937) bit for bit, with the
//! methods of `random.Random` ported from CPython's `random.py`, so seeded sequences
//! print exactly what CPython prints.
//!
//! Everything is Rust (module functions are the methods of a hidden `Random`
//! instance), so `random.randint` in a hot loop costs one builtin call.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use num_bigint::{BigInt, Sign};
use num_traits::{One, Signed, ToPrimitive};

use crate::builtins::{add_fn, add_method, set_value};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::BinOp;
use crate::vm::types::make_class;
use crate::vm::Vm;

const N: usize = 624;
const M: usize = 397;

/// Generator state: CPython's `RandomObject` plus `Random.gauss_next`.
struct Mt {
    mt: [u32; N],
    index: usize,
    gauss_next: Option<f64>,
}

impl Mt {
    fn new() -> Mt {
        let mut m = Mt { mt: [0; N], index: N + 1, gauss_next: None };
        m.init_genrand(19_650_218);
        m
    }

    fn init_genrand(&mut self, s: u32) {
        self.mt[0] = s;
        for i in 1..N {
            let prev = self.mt[i - 1];
            self.mt[i] = 1_812_433_253u32.wrapping_mul(prev ^ (prev >> 30)).wrapping_add(i as u32);
        }
        self.index = N;
    }

    fn init_by_array(&mut self, key: &[u32]) {
        self.init_genrand(19_650_218);
        let (mut i, mut j) = (1usize, 0usize);
        let klen = key.len().max(1);
        for _ in 0..N.max(klen) {
            let prev = self.mt[i - 1];
            let k = key.get(j).copied().unwrap_or(0);
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525)).wrapping_add(k).wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
            if j >= klen {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = self.mt[i - 1];
            self.mt[i] = (self.mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                self.mt[0] = self.mt[N - 1];
                i = 1;
            }
        }
        self.mt[0] = 0x8000_0000;
        self.index = N;
    }

    fn genrand(&mut self) -> u32 {
        const MAG01: [u32; 2] = [0, 0x9908_b0df];
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        if self.index >= N {
            let mt = &mut self.mt;
            for kk in 0..N - M {
                let y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
                mt[kk] = mt[kk + M] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
            }
            for kk in N - M..N - 1 {
                let y = (mt[kk] & UPPER) | (mt[kk + 1] & LOWER);
                mt[kk] = mt[kk + M - N] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
            }
            let y = (mt[N - 1] & UPPER) | (mt[0] & LOWER);
            mt[N - 1] = mt[M - 1] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
            self.index = 0;
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// `random()`: 53 random bits as a float in [0, 1).
    fn random(&mut self) -> f64 {
        let a = (self.genrand() >> 5) as f64;
        let b = (self.genrand() >> 6) as f64;
        (a * 67_108_864.0 + b) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// `getrandbits(k)` for k <= 64 (words are consumed least significant first).
    fn bits64(&mut self, k: u32) -> u64 {
        if k == 0 {
            0
        } else if k <= 32 {
            (self.genrand() >> (32 - k)) as u64
        } else {
            let lo = self.genrand() as u64;
            let hi = (self.genrand() >> (64 - k)) as u64;
            lo | (hi << 32)
        }
    }

    fn bits_big(&mut self, k: u64) -> BigInt {
        if k <= 64 {
            return BigInt::from(self.bits64(k as u32));
        }
        let mut words = Vec::with_capacity(k.div_ceil(32) as usize);
        let mut left = k;
        while left > 0 {
            let mut r = self.genrand();
            if left < 32 {
                r >>= 32 - left;
            }
            words.push(r);
            left = left.saturating_sub(32);
        }
        BigInt::from_slice(Sign::Plus, &words)
    }

    /// `_randbelow_with_getrandbits(n)` for n > 0.
    fn below64(&mut self, n: u64) -> u64 {
        let k = 64 - n.leading_zeros();
        loop {
            let r = self.bits64(k);
            if r < n {
                return r;
            }
        }
    }

    fn below_big(&mut self, n: &BigInt) -> BigInt {
        if let Some(s) = n.to_u64() {
            return BigInt::from(self.below64(s));
        }
        let k = n.bits();
        loop {
            let r = self.bits_big(k);
            if &r < n {
                return r;
            }
        }
    }
}

fn state(v: &Value) -> PyResult<&RefCell<Mt>> {
    match v {
        Value::Instance(i) => i
            .native::<RefCell<Mt>>()
            .ok_or_else(|| Exc::type_error("descriptor requires a 'random.Random' object")),
        _ => Err(Exc::type_error("descriptor requires a 'random.Random' object")),
    }
}

/// An exact int argument (ints and `__index__` objects) as a BigInt.
fn int_arg(vm: &Vm, v: &Value) -> PyResult<BigInt> {
    match v {
        Value::Int(i) => Ok(BigInt::from(*i)),
        Value::Bool(b) => Ok(BigInt::from(*b as i64)),
        Value::BigInt(b) => Ok((**b).clone()),
        _ => match vm.call_dunder(v, "__index__", Args::empty())? {
            Some(r @ (Value::Int(_) | Value::BigInt(_) | Value::Bool(_))) => int_arg(vm, &r),
            _ => Err(Exc::type_error(format!("'{}' object cannot be interpreted as an integer", vm.type_name(v)))),
        },
    }
}

fn read_urandom(n: usize) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open("/dev/urandom").ok()?;
    let mut buf = vec![0u8; n];
    f.read_exact(&mut buf).ok()?;
    Some(buf)
}

/// Seed from the OS (CPython's `random_seed_urandom`), falling back to the clock.
fn seed_from_os(mt: &mut Mt) {
    let key: Vec<u32> = match read_urandom(N * 4) {
        Some(b) => b.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
        None => {
            let ns = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            vec![ns as u32, (ns >> 32) as u32, std::process::id()]
        }
    };
    mt.init_by_array(&key);
}

/// `Random.seed(a, version)`: the int / str / bytes conversions of `random.py`, then
/// `init_by_array` over the 32-bit chunks of `abs(n)`.
fn seed(vm: &Vm, mt: &RefCell<Mt>, a: Option<Value>, version: i64) -> PyResult<()> {
    let n: BigInt = match a {
        None | Some(Value::None) => {
            let mut m = mt.borrow_mut();
            seed_from_os(&mut m);
            m.gauss_next = None;
            return Ok(());
        }
        Some(Value::Int(i)) => BigInt::from(i),
        Some(Value::Bool(b)) => BigInt::from(b as i64),
        Some(Value::BigInt(b)) => (*b).clone(),
        Some(v @ (Value::Str(_) | Value::Bytes(_) | Value::ByteArray(_))) => {
            let bytes: Vec<u8> = match &v {
                Value::Str(s) => s.as_str().as_bytes().to_vec(),
                Value::Bytes(b) => b.to_vec(),
                Value::ByteArray(b) => b.borrow().clone(),
                _ => Vec::new(),
            };
            if version == 1 && !matches!(v, Value::ByteArray(_)) {
                // Version 1: a string hash over the code points (latin-1 for bytes).
                let cps: Vec<u64> = match &v {
                    Value::Str(s) => s.as_str().chars().map(|c| c as u64).collect(),
                    _ => bytes.iter().map(|&b| b as u64).collect(),
                };
                let mut x: u64 = cps.first().map(|c| c << 7).unwrap_or(0);
                for c in &cps {
                    x = 1_000_003u64.wrapping_mul(x) ^ c;
                }
                x ^= cps.len() as u64;
                BigInt::from(x)
            } else if version == 2 {
                let mut all = bytes.clone();
                all.extend_from_slice(&sha512(&bytes));
                BigInt::from_bytes_be(Sign::Plus, &all)
            } else {
                BigInt::from(vm.hash(&v)? as u64)
            }
        }
        Some(v @ Value::Float(_)) => BigInt::from(vm.hash(&v)? as u64),
        Some(v) => {
            if vm.is_instance_of(&v, &vm.types.int) {
                int_arg(vm, &vm.builtin_value(&v))?
            } else {
                return Err(Exc::type_error(
                    "The only supported seed types are: None,\nint, float, str, bytes, and bytearray.",
                ));
            }
        }
    };
    let (_, mut key) = n.abs().to_u32_digits();
    if key.is_empty() {
        key.push(0);
    }
    let mut m = mt.borrow_mut();
    m.init_by_array(&key);
    m.gauss_next = None;
    Ok(())
}

fn below(mt: &RefCell<Mt>, n: &BigInt) -> Value {
    Value::from_bigint(mt.borrow_mut().below_big(n))
}

/// `randrange(start, stop=None, step=1)` with `random.py`'s checks and messages.
fn randrange(vm: &Vm, mt: &RefCell<Mt>, start: &Value, stop: Option<&Value>, step: Option<&Value>) -> PyResult<Value> {
    // Fast path: small ints, step 1.
    if let (Value::Int(a), Some(Value::Int(b)), None) = (start, stop, step) {
        if b > a {
            if let Some(w) = b.checked_sub(*a) {
                let r = mt.borrow_mut().below64(w as u64);
                return Ok(Value::Int(a + r as i64));
            }
        }
    }
    let to_int = |v: &Value, what: &str| -> PyResult<BigInt> {
        match int_arg(vm, v) {
            Ok(i) => Ok(i),
            Err(e) if vm.exc_is(&e, ExcKind::TypeError) => {
                // Non-integral floats are a ValueError; integral ones are accepted (deprecated).
                if let Value::Float(f) = v {
                    if f.fract() == 0.0 && f.is_finite() {
                        return Ok(BigInt::from(*f as i128));
                    }
                    return Err(Exc::value_error(format!("non-integer {what} for randrange()")));
                }
                Err(e)
            }
            Err(e) => Err(e),
        }
    };
    let istart = to_int(start, "arg 1")?;
    let Some(stop) = stop.filter(|s| !s.is_none()) else {
        if step.is_some() {
            return Err(Exc::type_error("Missing a non-None stop argument"));
        }
        if istart.is_positive() {
            return Ok(below(mt, &istart));
        }
        return Err(Exc::value_error("empty range for randrange()"));
    };
    let istop = to_int(stop, "stop")?;
    let width = &istop - &istart;
    let istep = match step {
        Some(s) => to_int(s, "step")?,
        None => BigInt::one(),
    };
    if istep.is_one() {
        if width.is_positive() {
            return Ok(Value::from_bigint(&istart + mt.borrow_mut().below_big(&width)));
        }
        return Err(Exc::value_error(format!("empty range for randrange() ({istart}, {istop}, {width})")));
    }
    let n = if istep.is_positive() {
        num_integer::Integer::div_floor(&(&width + &istep - 1), &istep)
    } else if istep.is_negative() {
        num_integer::Integer::div_floor(&(&width + &istep + 1), &istep)
    } else {
        return Err(Exc::value_error("zero step for randrange()"));
    };
    if !n.is_positive() {
        return Err(Exc::value_error("empty range for randrange()"));
    }
    let r = mt.borrow_mut().below_big(&n);
    Ok(Value::from_bigint(istart + istep * r))
}

fn is_sequence(v: &Value) -> bool {
    !matches!(v, Value::Set(_) | Value::FrozenSet(_) | Value::Dict(_))
}

/// `bisect.bisect_right(a, x, 0, hi)` with Python comparisons.
fn bisect_right(vm: &Vm, a: &[Value], x: &Value, hi: usize) -> PyResult<usize> {
    let (mut lo, mut hi) = (0usize, hi);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if vm.less_than(x, &a[mid])? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

fn accumulate(vm: &Vm, it: &Value) -> PyResult<Vec<Value>> {
    let mut out: Vec<Value> = Vec::new();
    for v in vm.collect(it)? {
        let next = match out.last() {
            Some(prev) => vm.binop(BinOp::Add, prev, &v)?,
            None => v,
        };
        out.push(next);
    }
    Ok(out)
}

fn to_f(vm: &Vm, v: &Value) -> PyResult<f64> {
    crate::modules::math::to_float(vm, v)
}

type Method = fn(&Vm, &Value, Args) -> PyResult<Value>;

fn m_seed(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [a, version] = args.bind("seed", ["a", "version"], 0)?;
    let version = match version {
        Some(v) => vm.index_value(&v)?,
        None => 2,
    };
    seed(vm, state(me)?, a, version)?;
    Ok(Value::None)
}

fn m_random(_vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    args.exact::<0>("random")?;
    Ok(Value::Float(state(me)?.borrow_mut().random()))
}

fn m_getrandbits(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [k] = args.exact::<1>("getrandbits")?;
    let k = vm.index_value(&k)?;
    if k < 0 {
        return Err(Exc::value_error("number of bits must be non-negative"));
    }
    Ok(Value::from_bigint(state(me)?.borrow_mut().bits_big(k as u64)))
}

fn m_randbelow(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [n] = args.exact::<1>("_randbelow")?;
    let n = int_arg(vm, &n)?;
    if !n.is_positive() {
        return Ok(Value::Int(0));
    }
    Ok(below(state(me)?, &n))
}

fn m_randrange(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [start, stop, step] = args.bind("randrange", ["start", "stop", "step"], 1)?;
    let start = start.unwrap_or(Value::None);
    randrange(vm, state(me)?, &start, stop.as_ref(), step.as_ref())
}

fn m_randint(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [a, b] = args.bind("randint", ["a", "b"], 2)?;
    let (a, b) = (a.unwrap_or(Value::None), b.unwrap_or(Value::None));
    let b1 = vm.binop(BinOp::Add, &b, &Value::Int(1))?;
    randrange(vm, state(me)?, &a, Some(&b1), None)
}

fn m_choice(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [seq] = args.exact::<1>("choice")?;
    let mt = state(me)?;
    let n = vm.len(&seq)?;
    if n == 0 {
        return Err(Exc::index_error("Cannot choose from an empty sequence"));
    }
    let i = mt.borrow_mut().below64(n as u64) as usize;
    if let Value::List(l) = &seq {
        if let Some(v) = l.borrow().get(i) {
            return Ok(v.clone());
        }
    }
    vm.getitem(&seq, &Value::Int(i as i64))
}

fn m_shuffle(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [x] = args.exact::<1>("shuffle")?;
    let mt = state(me)?;
    if let Value::List(l) = &x {
        // No Python code runs in between, so the list can be shuffled in place.
        let mut v = l.borrow_mut();
        let mut m = mt.borrow_mut();
        for i in (1..v.len()).rev() {
            let j = m.below64(i as u64 + 1) as usize;
            v.swap(i, j);
        }
        return Ok(Value::None);
    }
    let n = vm.len(&x)?;
    for i in (1..n).rev() {
        let j = mt.borrow_mut().below64(i as u64 + 1) as usize;
        let (iv, jv) = (Value::Int(i as i64), Value::Int(j as i64));
        let a = vm.getitem(&x, &iv)?;
        let b = vm.getitem(&x, &jv)?;
        vm.setitem(&x, iv, b)?;
        vm.setitem(&x, jv, a)?;
    }
    Ok(Value::None)
}

fn m_sample(vm: &Vm, me: &Value, mut args: Args) -> PyResult<Value> {
    let counts = args.take_kw("counts");
    let [population, k] = args.bind("sample", ["population", "k"], 2)?;
    let (population, k) = (population.unwrap_or(Value::None), k.unwrap_or(Value::None));
    let mt = state(me)?;
    if !is_sequence(&population) {
        return Err(Exc::type_error("Population must be a sequence.  For dicts or sets, use sorted(d)."));
    }
    let n = vm.len(&population)?;
    if let Some(counts) = counts.filter(|c| !c.is_none()) {
        let mut cum = accumulate(vm, &counts)?;
        if cum.len() != n {
            return Err(Exc::value_error("The number of counts does not match the population"));
        }
        let Some(total) = cum.pop() else {
            return Err(Exc::index_error("pop from empty list"));
        };
        if !matches!(total, Value::Int(_) | Value::BigInt(_) | Value::Bool(_)) {
            return Err(Exc::type_error("Counts must be integers"));
        }
        if !vm.less_than(&Value::Int(0), &total)? {
            return Err(Exc::value_error("Total of counts must be greater than zero"));
        }
        let sel = m_sample(vm, me, Args::new([vm.call(&Value::Class(vm.types.range.clone()), Args::one(total))?, k]))?;
        let mut out = Vec::new();
        for s in vm.collect(&sel)? {
            let i = bisect_right(vm, &cum, &s, cum.len())?;
            out.push(vm.getitem(&population, &Value::Int(i as i64))?);
        }
        return Ok(Value::list(out));
    }
    let k = vm.index_value(&k)?;
    if k < 0 || k as usize > n {
        return Err(Exc::value_error("Sample larger than population or is negative"));
    }
    let k = k as usize;
    let mut setsize = 21usize;
    if k > 5 {
        let e = ((k * 3) as f64).ln() / 4f64.ln();
        setsize += 4usize.saturating_pow(e.ceil() as u32);
    }
    let mut result = Vec::with_capacity(k);
    if n <= setsize {
        let mut pool = vm.collect(&population)?;
        if pool.len() != n {
            // A `__len__` that disagrees with iteration; index the population instead.
            pool = (0..n).map(|i| vm.getitem(&population, &Value::Int(i as i64))).collect::<PyResult<_>>()?;
        }
        for i in 0..k {
            let j = mt.borrow_mut().below64((n - i) as u64) as usize;
            result.push(pool[j].clone());
            pool[j] = pool[n - i - 1].clone();
        }
    } else {
        let mut selected = HashSet::new();
        for _ in 0..k {
            let mut j = mt.borrow_mut().below64(n as u64);
            while selected.contains(&j) {
                j = mt.borrow_mut().below64(n as u64);
            }
            selected.insert(j);
            result.push(vm.getitem(&population, &Value::Int(j as i64))?);
        }
    }
    Ok(Value::list(result))
}

fn m_choices(vm: &Vm, me: &Value, mut args: Args) -> PyResult<Value> {
    let cum_weights = args.take_kw("cum_weights").filter(|v| !v.is_none());
    let k = match args.take_kw("k") {
        Some(k) => vm.index_value(&k)?,
        None => 1,
    };
    let [population, weights] = args.bind("choices", ["population", "weights"], 1)?;
    let population = population.unwrap_or(Value::None);
    let weights = weights.filter(|v| !v.is_none());
    let mt = state(me)?;
    let n = vm.len(&population)?;
    let cum = match (cum_weights, weights) {
        (None, None) => {
            let nf = n as f64;
            let mut out = Vec::new();
            for _ in 0..k.max(0) {
                let i = (mt.borrow_mut().random() * nf).floor() as i64;
                out.push(vm.getitem(&population, &Value::Int(i))?);
            }
            return Ok(Value::list(out));
        }
        (None, Some(w)) => match accumulate(vm, &w) {
            Ok(c) => c,
            Err(e) if vm.exc_is(&e, ExcKind::TypeError) && matches!(w, Value::Int(_)) => {
                let Value::Int(k) = w else { return Err(e) };
                return Err(Exc::type_error(format!("The number of choices must be a keyword argument: k={k}")));
            }
            Err(e) => return Err(e),
        },
        (Some(c), None) => vm.collect(&c)?,
        (Some(_), Some(_)) => return Err(Exc::type_error("Cannot specify both weights and cumulative weights")),
    };
    if cum.len() != n {
        return Err(Exc::value_error("The number of weights does not match the population"));
    }
    let Some(last) = cum.last() else {
        return Err(Exc::index_error("list index out of range"));
    };
    let total = to_f(vm, &vm.binop(BinOp::Add, last, &Value::Float(0.0))?)?;
    if total <= 0.0 {
        return Err(Exc::value_error("Total of weights must be greater than zero"));
    }
    if !total.is_finite() {
        return Err(Exc::value_error("Total of weights must be finite"));
    }
    let hi = n - 1;
    let mut out = Vec::new();
    for _ in 0..k.max(0) {
        let x = Value::Float(mt.borrow_mut().random() * total);
        let i = bisect_right(vm, &cum, &x, hi)?;
        out.push(vm.getitem(&population, &Value::Int(i as i64))?);
    }
    Ok(Value::list(out))
}

fn m_uniform(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [a, b] = args.bind("uniform", ["a", "b"], 2)?;
    let (a, b) = (a.unwrap_or(Value::None), b.unwrap_or(Value::None));
    let r = Value::Float(state(me)?.borrow_mut().random());
    let d = vm.binop(BinOp::Sub, &b, &a)?;
    let p = vm.binop(BinOp::Mult, &d, &r)?;
    vm.binop(BinOp::Add, &a, &p)
}

fn m_triangular(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [low, high, mode] = args.bind("triangular", ["low", "high", "mode"], 0)?;
    let mut low = low.map(|v| to_f(vm, &v)).transpose()?.unwrap_or(0.0);
    let mut high = high.map(|v| to_f(vm, &v)).transpose()?.unwrap_or(1.0);
    let mode = mode.filter(|m| !m.is_none()).map(|v| to_f(vm, &v)).transpose()?;
    let mut u = state(me)?.borrow_mut().random();
    if high == low {
        return Ok(Value::Float(low));
    }
    let mut c = match mode {
        None => 0.5,
        Some(m) => (m - low) / (high - low),
    };
    if u > c {
        u = 1.0 - u;
        c = 1.0 - c;
        std::mem::swap(&mut low, &mut high);
    }
    Ok(Value::Float(low + (high - low) * (u * c).sqrt()))
}

fn mu_sigma(vm: &Vm, args: Args, name: &str) -> PyResult<(f64, f64)> {
    let [mu, sigma] = args.bind(name, ["mu", "sigma"], 0)?;
    Ok((
        mu.map(|v| to_f(vm, &v)).transpose()?.unwrap_or(0.0),
        sigma.map(|v| to_f(vm, &v)).transpose()?.unwrap_or(1.0),
    ))
}

fn m_normalvariate(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let (mu, sigma) = mu_sigma(vm, args, "normalvariate")?;
    // 4 * exp(-0.5) / sqrt(2.0), as random.py computes it.
    let nv_magic = 4.0 * (-0.5f64).exp() / 2.0f64.sqrt();
    let mut m = state(me)?.borrow_mut();
    loop {
        let u1 = m.random();
        let u2 = 1.0 - m.random();
        let z = nv_magic * (u1 - 0.5) / u2;
        if z * z / 4.0 <= -u2.ln() {
            return Ok(Value::Float(mu + z * sigma));
        }
    }
}

fn m_gauss(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let (mu, sigma) = mu_sigma(vm, args, "gauss")?;
    let mut m = state(me)?.borrow_mut();
    let z = match m.gauss_next.take() {
        Some(z) => z,
        None => {
            let x2pi = m.random() * std::f64::consts::TAU;
            let g2rad = (-2.0 * (1.0 - m.random()).ln()).sqrt();
            m.gauss_next = Some(x2pi.sin() * g2rad);
            x2pi.cos() * g2rad
        }
    };
    Ok(Value::Float(mu + z * sigma))
}

fn m_expovariate(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [lambd] = args.bind("expovariate", ["lambd"], 1)?;
    let l = to_f(vm, &lambd.unwrap_or(Value::None))?;
    let r = state(me)?.borrow_mut().random();
    if l == 0.0 {
        return Err(Exc::new(ExcKind::ZeroDivisionError, "float division by zero"));
    }
    Ok(Value::Float(-(1.0 - r).ln() / l))
}

fn m_randbytes(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [n] = args.exact::<1>("randbytes")?;
    let n = vm.index_value(&n)?;
    if n < 0 {
        return Err(Exc::value_error("number of bits must be non-negative"));
    }
    let big = state(me)?.borrow_mut().bits_big(n as u64 * 8);
    let mut bytes = big.to_bytes_le().1;
    bytes.resize(n as usize, 0);
    Ok(Value::Bytes(Rc::new(bytes)))
}

fn m_getstate(_vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    args.exact::<0>("getstate")?;
    let m = state(me)?.borrow();
    let mut words: Vec<Value> = m.mt.iter().map(|&w| Value::Int(w as i64)).collect();
    words.push(Value::Int(m.index as i64));
    Ok(Value::tuple(vec![Value::Int(3), Value::tuple(words), m.gauss_next.map(Value::Float).unwrap_or(Value::None)]))
}

fn m_setstate(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [st] = args.exact::<1>("setstate")?;
    let parts = vm.collect(&st)?;
    let bad = || Exc::value_error("state vector is the wrong size");
    let [version, words, gauss] = &parts[..] else {
        return Err(Exc::value_error("state with version 3 passed to Random.setstate() of version 3"));
    };
    if vm.index_value(version)? != 3 {
        return Err(Exc::value_error(format!(
            "state with version {} passed to Random.setstate() of version 3",
            vm.repr(version)?
        )));
    }
    let words = vm.collect(words)?;
    if words.len() != N + 1 {
        return Err(bad());
    }
    let mut mt = [0u32; N];
    for (i, w) in words[..N].iter().enumerate() {
        mt[i] = int_arg(vm, w)?.to_u32().ok_or_else(|| Exc::overflow("Python int too large to convert to C unsigned long"))?;
    }
    let index = vm.index_value(&words[N])?;
    if !(0..=N as i64).contains(&index) {
        return Err(Exc::value_error("invalid state"));
    }
    let gauss = if gauss.is_none() { None } else { Some(to_f(vm, gauss)?) };
    let mut m = state(me)?.borrow_mut();
    m.mt = mt;
    m.index = index as usize;
    m.gauss_next = gauss;
    Ok(Value::None)
}

const METHODS: [(&str, Method); 20] = [
    ("seed", m_seed),
    ("random", m_random),
    ("getrandbits", m_getrandbits),
    ("_randbelow", m_randbelow),
    ("randrange", m_randrange),
    ("randint", m_randint),
    ("choice", m_choice),
    ("shuffle", m_shuffle),
    ("sample", m_sample),
    ("choices", m_choices),
    ("uniform", m_uniform),
    ("triangular", m_triangular),
    ("normalvariate", m_normalvariate),
    ("gauss", m_gauss),
    ("expovariate", m_expovariate),
    ("randbytes", m_randbytes),
    ("getstate", m_getstate),
    ("setstate", m_setstate),
    ("betavariate", m_betavariate),
    ("paretovariate", m_paretovariate),
];

fn m_betavariate(_vm: &Vm, _me: &Value, _args: Args) -> PyResult<Value> {
    Err(Exc::new(ExcKind::NotImplementedError, "random.betavariate is not supported"))
}

fn m_paretovariate(vm: &Vm, me: &Value, args: Args) -> PyResult<Value> {
    let [alpha] = args.exact::<1>("paretovariate")?;
    let a = to_f(vm, &alpha)?;
    let u = 1.0 - state(me)?.borrow_mut().random();
    Ok(Value::Float(u.powf(-1.0 / a)))
}

fn new_random(cls: Rc<Class>) -> Value {
    Value::Instance(Instance::new(cls, Payload::Native(Box::new(RefCell::new(Mt::new())))))
}

fn random_class(vm: &Vm) -> Rc<Class> {
    let cls = make_class("Random", vec![vm.types.object.clone()], BaseKind::Native, None);
    *cls.module.borrow_mut() = "random".into();
    add_method(vm, &cls, "__new__", |_vm, args: Args| {
        let Some(Value::Class(c)) = args.pos.first().cloned() else {
            return Err(Exc::type_error("Random.__new__(X): X is not a type object"));
        };
        Ok(new_random(c))
    });
    add_method(vm, &cls, "__init__", |vm, args: Args| {
        let mut pos = args.pos.into_iter();
        let me = pos.next().unwrap_or(Value::None);
        let rest = Args { pos: pos.collect(), kw: args.kw };
        let [x] = rest.bind("Random", ["x"], 0)?;
        seed(vm, state(&me)?, x, 2)?;
        Ok(Value::None)
    });
    for (name, f) in METHODS {
        add_method(vm, &cls, name, move |vm, mut args: Args| {
            if args.pos.is_empty() {
                return Err(Exc::type_error(format!("descriptor '{name}' of 'Random' object needs an argument")));
            }
            let me = args.pos.remove(0);
            f(vm, &me, args)
        });
    }
    cls
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "random");
    let g = &m.globals;
    let cls = random_class(vm);
    set_value(vm, g, "Random", Value::Class(cls.clone()));
    let inst = new_random(cls);
    if let Value::Instance(i) = &inst {
        if let Some(mt) = i.native::<RefCell<Mt>>() {
            seed_from_os(&mut mt.borrow_mut());
        }
    }
    for (name, f) in METHODS {
        if name.starts_with('_') {
            continue;
        }
        let inst = inst.clone();
        add_fn(vm, g, name, move |vm, args: Args| f(vm, &inst, args));
    }
    set_value(vm, g, "_inst", inst);
    Ok(m)
}

// ---- SHA-512 (FIPS 180-4), for version-2 str/bytes seeds. ----

const K: [u64; 80] = [0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65, 0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b, 0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec, 0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817];
const H0: [u64; 8] = [0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179];

fn sha512(data: &[u8]) -> [u8; 64] {
    let mut h = H0;
    let mut msg = data.to_vec();
    let bitlen = (data.len() as u128) * 8;
    msg.push(0x80);
    while msg.len() % 128 != 112 {
        msg.push(0);
    }
    msg.extend_from_slice(&bitlen.to_be_bytes());
    for block in msg.chunks(128) {
        let mut w = [0u64; 80];
        for (t, c) in block.chunks(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            w[t] = u64::from_be_bytes(b);
        }
        for t in 16..80 {
            let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
            let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
            w[t] = w[t - 16].wrapping_add(s0).wrapping_add(w[t - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for t in 0..80 {
            let s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[t]).wrapping_add(w[t]);
            let s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 64];
    for (i, x) in h.iter().enumerate() {
        out[i * 8..i * 8 + 8].copy_from_slice(&x.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha512_abc() {
        let d = super::sha512(b"abc");
        assert_eq!(d[0], 0xdd);
        assert_eq!(d[63], 0x9f);
    }
}
