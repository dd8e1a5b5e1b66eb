//! The `time` module: clocks, `sleep`, `struct_time`, `gmtime`/`localtime`, `strftime`.
//!
//! Every clock read goes through [`now`], so a virtual clock (for a deterministic event
//! loop) can be plugged in at one place. Local time is UTC: coro does not read the
//! system time-zone database.

use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::builtins::{add_fn, add_getter, add_method, set_value};
use crate::runtime::class::{BaseKind, Instance, Payload};
use crate::runtime::module::ModuleObj;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::types::make_class;
use crate::vm::Vm;

/// Which clock to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Wall-clock seconds since the Unix epoch (`time.time`).
    Realtime,
    /// Monotonic seconds from an arbitrary start (`time.monotonic`, event loops).
    Monotonic,
    /// High-resolution monotonic (`time.perf_counter`).
    Perf,
    /// CPU time of the process (`time.process_time`); approximated by the monotonic clock.
    Process,
}


/// The single entry point for reading time: the interpreter's clock, which is
/// virtual under `--virtual-time` (the event loop's `loop.time()` reads the same).
pub fn now(vm: &Vm, which: Clock) -> f64 {
    match which {
        Clock::Realtime => vm.clock.wall(),
        Clock::Monotonic | Clock::Perf | Clock::Process => vm.clock.now(),
    }
}

/// Nanosecond variant of [`now`] (exact for the real-time clock).
pub fn now_ns(vm: &Vm, which: Clock) -> i128 {
    match which {
        Clock::Realtime if !vm.clock.is_virtual() => {
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as i128).unwrap_or(0)
        }
        _ => (now(vm, which) * 1e9) as i128,
    }
}

/// `time.sleep`: blocks the thread (and the event loop, as in CPython); under the
/// virtual clock it advances the clock instead.
pub fn sleep(vm: &Vm, secs: f64) {
    if secs > 0.0 && secs.is_finite() {
        vm.clock.sleep(secs);
    }
}

/// A broken-down time, shared with `datetime` for `strftime`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tm {
    pub year: i64,
    pub mon: u32,
    pub mday: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    /// Monday is 0, as in Python.
    pub wday: u32,
    /// 1-based day of the year.
    pub yday: u32,
    pub isdst: i32,
    pub microsecond: u32,
    /// UTC offset in seconds, if known (for `%z`).
    pub utcoffset: Option<i64>,
    pub zone: Option<&'static str>,
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's civil_from_days).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub fn tm_from_timestamp(secs: i64) -> Tm {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, mon, mday) = civil_from_days(days);
    let yday = (days - days_from_civil(year, 1, 1) + 1) as u32;
    Tm {
        year,
        mon,
        mday,
        hour: (rem / 3600) as u32,
        min: (rem % 3600 / 60) as u32,
        sec: (rem % 60) as u32,
        // 1970-01-01 was a Thursday (3).
        wday: (days + 3).rem_euclid(7) as u32,
        yday,
        isdst: 0,
        microsecond: 0,
        utcoffset: None,
        zone: Some("UTC"),
    }
}

const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

pub fn day_name(wday: u32) -> &'static str {
    DAYS.get(wday as usize).copied().unwrap_or("?")
}

pub fn month_name(mon: u32) -> &'static str {
    MONTHS.get((mon as usize).wrapping_sub(1)).copied().unwrap_or("?")
}

/// C `strftime` with the C locale, for the common directives.
pub fn strftime(fmt: &str, t: &Tm) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let abbr = |s: &str| s.chars().take(3).collect::<String>();
        match d {
            'Y' => out.push_str(&t.year.to_string()),
            'y' => out.push_str(&format!("{:02}", t.year.rem_euclid(100))),
            'C' => out.push_str(&format!("{:02}", t.year.div_euclid(100))),
            'm' => out.push_str(&format!("{:02}", t.mon)),
            'd' => out.push_str(&format!("{:02}", t.mday)),
            'e' => out.push_str(&format!("{:2}", t.mday)),
            'H' => out.push_str(&format!("{:02}", t.hour)),
            'I' => out.push_str(&format!("{:02}", if t.hour % 12 == 0 { 12 } else { t.hour % 12 })),
            'M' => out.push_str(&format!("{:02}", t.min)),
            'S' => out.push_str(&format!("{:02}", t.sec)),
            'f' => out.push_str(&format!("{:06}", t.microsecond)),
            'p' => out.push_str(if t.hour < 12 { "AM" } else { "PM" }),
            'j' => out.push_str(&format!("{:03}", t.yday)),
            'a' => out.push_str(&abbr(day_name(t.wday))),
            'A' => out.push_str(day_name(t.wday)),
            'b' | 'h' => out.push_str(&abbr(month_name(t.mon))),
            'B' => out.push_str(month_name(t.mon)),
            // %w: Sunday is 0.
            'w' => out.push_str(&((t.wday + 1) % 7).to_string()),
            'u' => out.push_str(&(t.wday + 1).to_string()),
            'D' => out.push_str(&format!("{:02}/{:02}/{:02}", t.mon, t.mday, t.year.rem_euclid(100))),
            'F' => out.push_str(&format!("{}-{:02}-{:02}", t.year, t.mon, t.mday)),
            'T' => out.push_str(&format!("{:02}:{:02}:{:02}", t.hour, t.min, t.sec)),
            'R' => out.push_str(&format!("{:02}:{:02}", t.hour, t.min)),
            'c' => out.push_str(&format!(
                "{} {} {:2} {:02}:{:02}:{:02} {}",
                abbr(day_name(t.wday)),
                abbr(month_name(t.mon)),
                t.mday,
                t.hour,
                t.min,
                t.sec,
                t.year
            )),
            'x' => out.push_str(&format!("{:02}/{:02}/{:02}", t.mon, t.mday, t.year.rem_euclid(100))),
            'X' => out.push_str(&format!("{:02}:{:02}:{:02}", t.hour, t.min, t.sec)),
            'z' => {
                if let Some(off) = t.utcoffset {
                    let sign = if off < 0 { '-' } else { '+' };
                    let a = off.abs();
                    out.push_str(&format!("{sign}{:02}{:02}", a / 3600, a % 3600 / 60));
                    if a % 60 != 0 {
                        out.push_str(&format!("{:02}", a % 60));
                    }
                }
            }
            'Z' => out.push_str(t.zone.unwrap_or("")),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '%' => out.push('%'),
            other => {
                out.push('%');
                out.push(other);
            }
        }
    }
    out
}

const FIELDS: [&str; 9] = ["tm_year", "tm_mon", "tm_mday", "tm_hour", "tm_min", "tm_sec", "tm_wday", "tm_yday", "tm_isdst"];

fn struct_time_class(vm: &Vm) -> Rc<crate::runtime::class::Class> {
    let cls = make_class("struct_time", vec![vm.types.tuple.clone()], BaseKind::Builtin, None);
    *cls.module.borrow_mut() = "time".into();
    for (i, name) in FIELDS.iter().enumerate() {
        add_getter(vm, &cls, name, move |vm, args: Args| {
            let s = args.pos.first().cloned().unwrap_or(Value::None);
            match vm.builtin_value(&s) {
                Value::Tuple(t) => Ok(t.get(i).cloned().unwrap_or(Value::None)),
                _ => Ok(Value::None),
            }
        });
    }
    add_getter(vm, &cls, "tm_zone", |_vm, _args: Args| Ok(Value::str("UTC")));
    add_getter(vm, &cls, "tm_gmtoff", |_vm, _args: Args| Ok(Value::Int(0)));
    add_method(vm, &cls, "__repr__", |vm, args: Args| {
        let [s] = args.exact::<1>("__repr__")?;
        let Value::Tuple(t) = vm.builtin_value(&s) else { return Ok(Value::str("time.struct_time()")) };
        let mut parts = Vec::new();
        for (name, v) in FIELDS.iter().zip(t.iter()) {
            parts.push(format!("{name}={}", vm.repr(v)?));
        }
        Ok(Value::string(format!("time.struct_time({})", parts.join(", "))))
    });
    cls
}

fn make_struct_time(cls: &Rc<crate::runtime::class::Class>, t: &Tm) -> Value {
    let vals = vec![
        Value::Int(t.year),
        Value::Int(t.mon as i64),
        Value::Int(t.mday as i64),
        Value::Int(t.hour as i64),
        Value::Int(t.min as i64),
        Value::Int(t.sec as i64),
        Value::Int(t.wday as i64),
        Value::Int(t.yday as i64),
        Value::Int(t.isdst as i64),
    ];
    Value::Instance(Instance::new(cls.clone(), Payload::Builtin(std::cell::RefCell::new(Value::tuple(vals)))))
}

/// A struct_time or 9-tuple back to a `Tm`.
fn tm_from_value(vm: &Vm, v: &Value) -> PyResult<Tm> {
    let items = vm.collect(&vm.builtin_value(v))?;
    if items.len() != 9 {
        return Err(Exc::type_error("time tuple must have exactly 9 elements"));
    }
    let mut n = [0i64; 9];
    for (i, x) in items.iter().enumerate() {
        n[i] = vm.index_value(x)?;
    }
    Ok(Tm {
        year: n[0],
        mon: n[1].clamp(1, 12) as u32,
        mday: n[2].clamp(1, 31) as u32,
        hour: n[3].clamp(0, 23) as u32,
        min: n[4].clamp(0, 59) as u32,
        sec: n[5].clamp(0, 61) as u32,
        wday: n[6].rem_euclid(7) as u32,
        yday: n[7].clamp(1, 366) as u32,
        isdst: n[8] as i32,
        microsecond: 0,
        utcoffset: None,
        zone: Some("UTC"),
    })
}

fn secs_arg(vm: &Vm, args: Args, name: &str) -> PyResult<i64> {
    let [s] = args.bind(name, ["seconds"], 0)?;
    match s {
        None | Some(Value::None) => {
            vm.require(crate::embed::Capability::Clock)?;
            Ok(now(vm, Clock::Realtime).floor() as i64)
        }
        Some(v) => {
            let f = crate::modules::math::to_float(vm, &v)?;
            if !f.is_finite() {
                return Err(Exc::overflow("timestamp out of range for platform time_t"));
            }
            Ok(f.floor() as i64)
        }
    }
}

pub fn create(vm: &Vm) -> PyResult<Rc<ModuleObj>> {
    let m = super::new_builtin_module(vm, "time");
    let g = &m.globals;
    for (name, clock) in [
        ("time", Clock::Realtime),
        ("monotonic", Clock::Monotonic),
        ("perf_counter", Clock::Perf),
        ("process_time", Clock::Process),
    ] {
        add_fn(vm, g, name, move |vm, args: Args| {
            args.exact::<0>(name)?;
            if clock == Clock::Realtime {
                vm.require(crate::embed::Capability::Clock)?;
            }
            Ok(Value::Float(now(vm, clock)))
        });
        let ns_name: &'static str = match clock {
            Clock::Realtime => "time_ns",
            Clock::Monotonic => "monotonic_ns",
            Clock::Perf => "perf_counter_ns",
            Clock::Process => "process_time_ns",
        };
        add_fn(vm, g, ns_name, move |vm, args: Args| {
            args.exact::<0>(ns_name)?;
            if clock == Clock::Realtime {
                vm.require(crate::embed::Capability::Clock)?;
            }
            Ok(Value::from_bigint(num_bigint::BigInt::from(now_ns(vm, clock))))
        });
    }
    add_fn(vm, g, "sleep", |vm, args: Args| {
        let [s] = args.exact::<1>("sleep")?;
        let secs = crate::modules::threading::green::sleep_secs(vm, &s)?;
        crate::modules::threading::blocking_sleep(vm, secs)?;
        Ok(Value::None)
    });
    let st = struct_time_class(vm);
    set_value(vm, g, "struct_time", Value::Class(st.clone()));
    for name in ["gmtime", "localtime"] {
        let st = st.clone();
        add_fn(vm, g, name, move |vm, args: Args| {
            let secs = secs_arg(vm, args, name)?;
            Ok(make_struct_time(&st, &tm_from_timestamp(secs)))
        });
    }
    add_fn(vm, g, "mktime", |vm, args: Args| {
        let [t] = args.exact::<1>("mktime")?;
        let tm = tm_from_value(vm, &t)?;
        let days = days_from_civil(tm.year, tm.mon, tm.mday);
        Ok(Value::Float((days * 86400 + tm.hour as i64 * 3600 + tm.min as i64 * 60 + tm.sec as i64) as f64))
    });
    add_fn(vm, g, "strftime", |vm, args: Args| {
        let [fmt, t] = args.bind("strftime", ["format", "tuple"], 1)?;
        let fmt = match fmt {
            Some(Value::Str(s)) => s,
            Some(o) => return Err(Exc::type_error(format!("strftime() argument 1 must be str, not {}", vm.type_name(&o)))),
            None => return Err(Exc::type_error("strftime() missing required argument 'format' (pos 1)")),
        };
        let tm = match t {
            Some(t) => tm_from_value(vm, &t)?,
            None => tm_from_timestamp(now(vm, Clock::Realtime).floor() as i64),
        };
        Ok(Value::string(strftime(fmt.as_str(), &tm)))
    });
    add_fn(vm, g, "asctime", |vm, args: Args| {
        let [t] = args.bind("asctime", ["t"], 0)?;
        let tm = match t {
            Some(t) => tm_from_value(vm, &t)?,
            None => tm_from_timestamp(now(vm, Clock::Realtime).floor() as i64),
        };
        Ok(Value::string(strftime("%c", &tm)))
    });
    add_fn(vm, g, "ctime", |vm, args: Args| {
        let secs = secs_arg(vm, args, "ctime")?;
        Ok(Value::string(strftime("%c", &tm_from_timestamp(secs))))
    });
    set_value(vm, g, "timezone", Value::Int(0));
    set_value(vm, g, "altzone", Value::Int(0));
    set_value(vm, g, "daylight", Value::Int(0));
    set_value(vm, g, "tzname", Value::tuple(vec![Value::str("UTC"), Value::str("UTC")]));
    Ok(m)
}
