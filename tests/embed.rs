//! The embedding API, end to end: host functions, async host futures, limits,
//! capabilities, errors.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use coro::{Capability, Error, ErrorKind, Host, HostClass, HostRef, Interpreter, LimitKind, Limits, Module, Value};

// The memory limit sees every allocation with the counting allocator installed.
#[global_allocator]
static ALLOC: coro::CountingAllocator<std::alloc::System> = coro::CountingAllocator(std::alloc::System);

#[test]
fn sync_functions_with_typed_arguments() {
    let mut i = Interpreter::builder()
        .function("add", |a: i64, b: i64| Ok(a + b))
        .function("greet", |name: String, excl: Option<bool>| Ok(format!("hi {name}{}", if excl.unwrap_or(false) { "!" } else { "" })))
        .function("stats", |xs: Vec<f64>| Ok((xs.iter().sum::<f64>(), xs.len())))
        .function("invert", |m: HashMap<String, i64>| Ok(m.into_iter().map(|(k, v)| (v, k)).collect::<HashMap<i64, String>>()))
        .function("fail", |msg: String| -> Result<(), Error> { Err(Error::new("ValueError", msg)) })
        .function("raw", |v: Value| Ok(v))
        .build()
        .unwrap();
    assert_eq!(i.eval::<i64>("add(2, 3)").unwrap(), 5);
    assert_eq!(i.eval::<String>("greet('bob')").unwrap(), "hi bob");
    assert_eq!(i.eval::<String>("greet('bob', True)").unwrap(), "hi bob!");
    assert_eq!(i.eval::<(f64, usize)>("stats([1.0, 2, 3.5])").unwrap(), (6.5, 3));
    assert_eq!(i.eval::<String>("invert({'a': 1})[1]").unwrap(), "a");
    assert_eq!(i.eval::<Vec<i64>>("raw([1, 2])").unwrap(), vec![1, 2]);
    // A host error is a Python exception of the chosen type the script can catch.
    i.exec("try:\n    fail('boom')\nexcept ValueError as e:\n    caught = str(e)\n").unwrap();
    assert_eq!(i.get::<String>("caught").unwrap(), "boom");
    // Wrong argument types are TypeErrors.
    let e = i.eval::<i64>("add('x', 1)").unwrap_err();
    assert_eq!(e.exception_type(), "TypeError");
    let e = i.eval::<i64>("add(1, 2, 3)").unwrap_err();
    assert_eq!(e.exception_type(), "TypeError");
}

#[test]
fn globals_calls_and_errors() {
    let mut i = Interpreter::new().unwrap();
    i.set("n", 41).unwrap();
    i.exec("def inc(x, by=1):\n    return x + by\nm = inc(n)\n").unwrap();
    assert_eq!(i.get::<i64>("m").unwrap(), 42);
    assert_eq!(i.call::<i64>("inc", (1, 10)).unwrap(), 11);
    let e = i.exec("def f():\n    return 1 / 0\nf()\n").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Exception);
    assert_eq!(e.exception_type(), "ZeroDivisionError");
    assert_eq!(e.message(), "division by zero");
    assert!(e.traceback().contains("line 2, in f"), "{:?}", e.traceback());
    // Renders through miette with the failing span.
    let report = format!("{:?}", miette::Report::new(e));
    assert!(report.contains("ZeroDivisionError"), "{report}");
    let e = i.exec("def (:").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert_eq!(e.exception_type(), "SyntaxError");
    let e = i.get::<i64>("nope").unwrap_err();
    assert_eq!(e.exception_type(), "NameError");
}

#[test]
fn several_interpreters_are_independent() {
    let mut a = Interpreter::new().unwrap();
    let mut b = Interpreter::new().unwrap();
    a.exec("x = 1").unwrap();
    b.exec("x = 2").unwrap();
    assert_eq!(a.get::<i64>("x").unwrap(), 1);
    assert_eq!(b.get::<i64>("x").unwrap(), 2);
    let t = std::thread::spawn(|| {
        let mut c = Interpreter::new().unwrap();
        c.eval::<i64>("sum(range(10))").unwrap()
    });
    assert_eq!(t.join().unwrap(), 45);
}

#[test]
fn native_module_and_host_class() {
    struct Counter {
        n: i64,
    }
    let m = Module::new("tools").function("twice", |s: String| Ok(s.repeat(2))).value("VERSION", "1.0");
    let class = HostClass::<Counter>::new("Counter")
        .constructor(|start: i64| Ok(Counter { n: start }))
        .method("add", |c: &mut Counter, k: i64| {
            c.n += k;
            Ok(c.n)
        })
        .getter("n", |c: &Counter| Ok(c.n))
        .setter("n", |c: &mut Counter, v: i64| {
            c.n = v;
            Ok(())
        });
    let mut i = Interpreter::builder().module(m).class(class).build().unwrap();
    assert_eq!(i.eval::<String>("import tools\ntools.twice('ab') + tools.VERSION").unwrap(), "abab1.0");
    assert_eq!(i.eval::<String>("from tools import twice\ntwice('x')").unwrap(), "xx");
    i.exec("c = Counter(1)\nc.add(2)\nc.n = c.n * 10\n").unwrap();
    assert_eq!(i.get::<HostRef<Counter>>("c").unwrap().borrow().n, 30);
    i.set("d", Host(Counter { n: 5 })).unwrap();
    assert_eq!(i.eval::<i64>("d.add(1)").unwrap(), 6);
    let e = i.exec("import nothere").unwrap_err();
    assert_eq!(e.exception_type(), "ModuleNotFoundError");
}

/// Three awaited host futures of 100 ms each, gathered by the script, take ~100 ms.
#[test]
fn gathered_host_futures_run_concurrently() {
    let mut i = Interpreter::builder()
        .async_function("fetch", |url: String| async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok(format!("body of {url}"))
        })
        .build()
        .unwrap();
    let start = Instant::now();
    let r: Vec<String> = i
        .eval("import asyncio\nasync def main():\n    return await asyncio.gather(fetch('a'), fetch('b'), fetch('c'))\nmain()")
        .unwrap();
    let took = start.elapsed();
    assert_eq!(r, vec!["body of a", "body of b", "body of c"]);
    assert!(took >= Duration::from_millis(95), "{took:?}");
    assert!(took < Duration::from_millis(250), "gather took {took:?}");
}

/// A guard inside the host future records that the future was dropped.
struct DropFlag(Arc<AtomicBool>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn cancelling_drops_the_host_future() {
    let dropped = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let (d, f) = (dropped.clone(), finished.clone());
    let mut i = Interpreter::builder()
        .async_function("slow", move || {
            let guard = DropFlag(d.clone());
            let fin = f.clone();
            async move {
                let _g = guard;
                tokio::time::sleep(Duration::from_secs(10)).await;
                fin.store(true, Ordering::SeqCst);
                Ok(1)
            }
        })
        .build()
        .unwrap();
    let start = Instant::now();
    let r: String = i
        .eval(
            "import asyncio
async def main():
    try:
        await asyncio.wait_for(slow(), 0.05)
    except asyncio.TimeoutError:
        return 'timed out'
main()",
        )
        .unwrap();
    assert_eq!(r, "timed out");
    assert!(dropped.load(Ordering::SeqCst), "the host future was not dropped");
    assert!(!finished.load(Ordering::SeqCst));
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn task_cancel_drops_host_future_and_errors_propagate() {
    let dropped = Arc::new(AtomicBool::new(false));
    let d = dropped.clone();
    let mut i = Interpreter::builder()
        .async_function("wait_forever", move || {
            let g = DropFlag(d.clone());
            async move {
                let _g = g;
                std::future::pending::<()>().await;
                Ok(())
            }
        })
        .async_function("bad", || async { Err::<i64, _>(Error::new("KeyError", "missing")) })
        .blocking_function("crunch", |n: u64| Ok((0..n).sum::<u64>()))
        .build()
        .unwrap();
    let r: bool = i
        .eval(
            "import asyncio
async def main():
    t = asyncio.create_task(wait_forever())
    await asyncio.sleep(0.01)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        return True
    return False
main()",
        )
        .unwrap();
    assert!(r);
    assert!(dropped.load(Ordering::SeqCst));
    let e = i.eval::<i64>("import asyncio\nasyncio.run(bad())").unwrap_err();
    assert_eq!(e.exception_type(), "KeyError");
    assert_eq!(i.eval::<u64>("asyncio.run(crunch(101))").unwrap(), 5050);
}

#[test]
fn step_budget_stops_infinite_loop() {
    let mut i = Interpreter::builder().limits(Limits::new().max_steps(100_000)).build().unwrap();
    let e = i.exec("while True: pass").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit(LimitKind::Steps));
    // The script cannot catch it, even with a bare except or BaseException.
    let e = i
        .exec("caught = 0\nwhile True:\n    try:\n        while True: pass\n    except:\n        caught += 1\n")
        .unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Steps));
    assert_eq!(i.get::<i64>("caught").unwrap(), 0);
    // finally still runs.
    let e = i.exec("done = False\ntry:\n    while True: pass\nfinally:\n    done = True\n").unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Steps));
    assert!(i.get::<bool>("done").unwrap());
    // The budget is per run: the interpreter is usable again.
    assert_eq!(i.eval::<i64>("1 + 1").unwrap(), 2);
    // Async code too.
    let e = i.exec("import asyncio\nasync def spin():\n    while True:\n        await asyncio.sleep(0)\nasyncio.run(spin())").unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Steps));
}

#[test]
fn deadline_stops_infinite_loop_and_sleeping_script() {
    let mut i = Interpreter::builder().limits(Limits::new().timeout(Duration::from_millis(100))).build().unwrap();
    let start = Instant::now();
    let e = i.exec("while True: pass").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit(LimitKind::Deadline));
    assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
    let start = Instant::now();
    let e = i.exec("import asyncio\nasyncio.run(asyncio.sleep(30))").unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Deadline));
    assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
}

#[test]
fn memory_bombs_stop_at_the_limit() {
    let mut i = Interpreter::builder().limits(Limits::new().max_memory(64 << 20)).build().unwrap();
    let e = i.exec("x = 'a' * 10**10").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Limit(LimitKind::Memory));
    assert_eq!(e.exception_type(), "MemoryError");
    let e = i.exec("x = []\nwhile True:\n    x.append('abcdefgh' * 100)\n").unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Memory));
    let e = i.exec("s = 'x'\nwhile True:\n    s = s + s\n").unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Memory));
    let e = i.exec("l = list(range(10**10))").unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Memory));
    // Small work still runs.
    assert_eq!(i.eval::<usize>("len('ab' * 1000)").unwrap(), 2000);
}

#[test]
fn recursion_and_task_limits() {
    let mut i = Interpreter::builder().limits(Limits::new().max_recursion(50).max_tasks(10)).build().unwrap();
    let e = i.exec("def f(n):\n    try:\n        return f(n + 1)\n    except RecursionError:\n        return -1\nf(0)").unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Recursion));
    let e = i
        .exec("import asyncio\nasync def main():\n    ts = [asyncio.create_task(asyncio.sleep(1)) for _ in range(20)]\n    await asyncio.gather(*ts)\nasyncio.run(main())")
        .unwrap_err();
    assert_eq!(e.limit(), Some(LimitKind::Tasks));
}

#[test]
fn cancel_from_another_thread() {
    let mut i = Interpreter::new().unwrap();
    let h = i.cancel_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        h.cancel();
    });
    let e = i.exec("while True: pass").unwrap_err();
    t.join().unwrap();
    assert_eq!(e.limit(), Some(LimitKind::Cancelled));
    assert_eq!(i.eval::<i64>("2").unwrap(), 2);
}

#[test]
fn capabilities_are_denied_by_default() {
    let dir = std::env::temp_dir().join(format!("coro-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("helper.coro"), "VALUE = 7\n").unwrap();
    std::fs::write(dir.join("main.coro"), "import helper\nv = helper.VALUE\n").unwrap();
    // Without the filesystem capability the script cannot read the module file.
    let mut i = Interpreter::new().unwrap();
    let e = i.exec_file(dir.join("main.coro")).unwrap_err();
    assert_eq!(e.exception_type(), "PermissionError", "{e:?}");
    assert!(e.message().contains("filesystem"));
    // open() (where the builtin exists) is file access too.
    let e = i.exec(&format!("open({:?})", dir.join("helper.coro").display().to_string())).unwrap_err();
    assert_eq!(e.exception_type(), "PermissionError", "{e:?}");
    // With it, it can.
    let mut i = Interpreter::builder().grant(Capability::Filesystem).build().unwrap();
    i.exec_file(dir.join("main.coro")).unwrap();
    assert_eq!(i.get::<i64>("v").unwrap(), 7);
    // The wall clock is a capability; the monotonic clock is not.
    let mut i = Interpreter::new().unwrap();
    assert_eq!(i.exec("import time\ntime.time()").unwrap_err().exception_type(), "PermissionError");
    i.exec("time.monotonic()").unwrap();
    let mut i = Interpreter::builder().grant(Capability::Clock).build().unwrap();
    assert!(i.eval::<f64>("import time\ntime.time()").unwrap() > 1e9);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn async_handle_runs_in_host_runtime() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    rt.block_on(async move {
        let h = Interpreter::spawn(move || {
            Interpreter::builder()
                .async_function("tick", move || {
                    let c = c.clone();
                    async move {
                        c.fetch_add(1, Ordering::SeqCst);
                        Ok(1)
                    }
                })
                .build()
        })
        .unwrap();
        h.exec("import asyncio\nasync def main(n):\n    return sum(await asyncio.gather(*[tick() for _ in range(n)]))").await.unwrap();
        let h2 = h.clone();
        let r: i64 = tokio::spawn(async move { h2.call("main", (5,)).await }).await.unwrap().unwrap();
        assert_eq!(r, 5);
    });
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}

/// The README's embedding example, kept compiling and correct.
#[test]
fn readme_example_runs() {
    use coro::{Capability, Interpreter, Limits};
    use std::time::Duration;
    let mut interp = Interpreter::builder()
        .async_function("fetch", |url: String| async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok(format!("body of {url}"))
        })
        .grant(Capability::Clock)
        .limits(Limits::new().max_steps(10_000_000).timeout(Duration::from_secs(5)))
        .build()
        .unwrap();
    interp
        .exec(
            r#"
import asyncio
async def main():
    return await asyncio.gather(fetch("a"), fetch("b"))
pages = asyncio.run(main())
"#,
        )
        .unwrap();
    let pages: Vec<String> = interp.get("pages").unwrap();
    assert_eq!(pages, vec!["body of a".to_string(), "body of b".to_string()]);
}

#[test]
fn str_slice_parameters() {
    let mut i = Interpreter::builder()
        .function("shout", |s: &str| Ok(s.to_uppercase()))
        .function("join3", |a: &str, n: i64, b: &str| Ok(format!("{a}{n}{b}")))
        .function("count", |hay: String, needle: &str| Ok(hay.matches(needle).count()))
        .build()
        .unwrap();
    assert_eq!(i.eval::<String>("shout('hé')").unwrap(), "HÉ");
    assert_eq!(i.eval::<String>("join3('a', 1, 'b')").unwrap(), "a1b");
    assert_eq!(i.eval::<usize>("count('banana', 'an')").unwrap(), 2);
    let e = i.eval::<String>("join3('a', 1, 2)").unwrap_err();
    assert_eq!((e.exception_type(), e.message()), ("TypeError", "join3() argument 3 must be str, not int"));
}

#[test]
fn argument_errors_are_worded_like_cpython() {
    let mut i = Interpreter::builder()
        .function("add", |a: i64, b: i64| Ok(a + b))
        .function("stats", |xs: Vec<f64>| Ok(xs.len()))
        .function("lookup", |m: HashMap<String, i64>| Ok(m.len()))
        .function("maybe", |a: i64, b: Option<i64>| Ok(a + b.unwrap_or(0)))
        .build()
        .unwrap();
    let msg = |i: &mut Interpreter, src: &str| i.eval::<i64>(src).unwrap_err().message().to_string();
    assert_eq!(msg(&mut i, "add('x', 1)"), "add() argument 1 must be int, not str");
    assert_eq!(msg(&mut i, "stats([1.0, 2, 'x'])"), "stats() argument 1[2] must be float, not str");
    assert_eq!(msg(&mut i, "lookup({'a': 1, 'b': None})"), "lookup() argument 1['b'] must be int, not NoneType");
    assert_eq!(msg(&mut i, "add(1, 2, 3)"), "add() takes exactly 2 arguments (3 given)");
    assert_eq!(msg(&mut i, "add(1)"), "add expected 2 arguments, got 1");
    assert_eq!(msg(&mut i, "maybe()"), "maybe expected at least 1 argument, got 0");
    assert_eq!(msg(&mut i, "maybe(1, 2, 3)"), "maybe() takes at most 2 arguments (3 given)");
    assert_eq!(msg(&mut i, "add(1, b=2)"), "add() takes no keyword arguments");
    assert_eq!(i.eval::<i64>("maybe(1)").unwrap(), 1);
}

#[test]
fn keyword_arguments_for_named_host_functions() {
    let mut i = Interpreter::builder()
        .function(
            "connect",
            coro::named(["host", "port", "tls"], |host: &str, port: Option<u16>, tls: Option<bool>| {
                Ok(format!("{host}:{}{}", port.unwrap_or(80), if tls == Some(true) { "+tls" } else { "" }))
            }),
        )
        .async_function("fetch", coro::named(["url", "retries"], |url: String, retries: Option<u32>| async move {
            Ok(format!("{url} x{}", retries.unwrap_or(1)))
        }))
        .blocking_function("digest", coro::named(["data", "rounds"], |data: String, rounds: u32| Ok(data.len() as u32 * rounds)))
        .build()
        .unwrap();
    assert_eq!(i.eval::<String>("connect('a')").unwrap(), "a:80");
    assert_eq!(i.eval::<String>("connect('a', tls=True)").unwrap(), "a:80+tls");
    assert_eq!(i.eval::<String>("connect(port=1, host='b')").unwrap(), "b:1");
    assert_eq!(i.eval::<String>("connect(**{'host': 'c', 'port': 2})").unwrap(), "c:2");
    let msg = |i: &mut Interpreter, src: &str| i.eval::<String>(src).unwrap_err().message().to_string();
    assert_eq!(msg(&mut i, "connect('a', timeout=1)"), "connect() got an unexpected keyword argument 'timeout'");
    assert_eq!(msg(&mut i, "connect('a', host='b')"), "argument for connect() given by name ('host') and position");
    assert_eq!(msg(&mut i, "connect(port=1)"), "connect() missing required argument 'host' (pos 1)");
    assert_eq!(msg(&mut i, "connect('a', 1, True, 4)"), "connect() takes at most 3 arguments (4 given)");
    assert_eq!(msg(&mut i, "connect('a', port='x')"), "connect() argument 'port' must be int, not str");
    // The same binding for async and blocking host functions.
    assert_eq!(i.eval::<String>("import asyncio\nasyncio.run(fetch(retries=3, url='u'))").unwrap(), "u x3");
    assert_eq!(i.eval::<u32>("asyncio.run(digest('abc', rounds=2))").unwrap(), 6);
    assert_eq!(msg(&mut i, "asyncio.run(digest('abc'))"), "digest() missing required argument 'rounds' (pos 2)");
    // Declaring the wrong number of names is an error when the interpreter is built.
    let e = Interpreter::builder().function("f", coro::named(["a"], |a: i64, b: i64| Ok(a + b))).build().err().unwrap();
    assert_eq!(e.exception_type(), "ValueError");
    assert_eq!(e.message(), "host function f() declares 1 parameter names but takes 2 parameters");
}

/// Loops that run in Rust (builtins consuming iterators, bulk copies) stop at the limits
/// like Python loops do.
#[test]
fn limits_stop_long_builtin_loops() {
    let mut i = Interpreter::builder().limits(Limits::new().max_steps(1_000_000)).build().unwrap();
    i.exec("import itertools, functools, operator, math").unwrap();
    for src in [
        "sum(range(10**12))",
        "list(range(10**9))",
        "sorted(range(10**8))",
        "x = [0] * 10**9",
        "x = (0,) * 10**9",
        "x = 'a' * 10**10",
        "x = b'ab' * 10**9",
        "x = bytes(10**10)",
        "''.join(itertools.repeat('a'))",
        "any(itertools.repeat(0))",
        "max(itertools.count())",
        "set(itertools.repeat(1))",
        "dict.fromkeys(itertools.count())",
        "5 in itertools.repeat(0)",
        "next(filter(None, itertools.repeat(0)))",
        "next(itertools.islice(itertools.count(), 10**12, None))",
        "next(itertools.chain.from_iterable(itertools.repeat([])))",
        "functools.reduce(operator.add, itertools.repeat(1))",
        "math.fsum(itertools.repeat(1.0))",
    ] {
        let start = Instant::now();
        let e = i.exec(src).unwrap_err();
        assert_eq!(e.limit(), Some(LimitKind::Steps), "{src}: {e:?}");
        assert!(start.elapsed() < Duration::from_secs(3), "{src} took {:?}", start.elapsed());
    }
    // Ordinary work is not stopped.
    assert_eq!(i.eval::<i64>("sum(range(10**5))").unwrap(), 4_999_950_000);
    assert_eq!(i.eval::<usize>("len([0] * 10**5) + len('ab' * 10**5)").unwrap(), 300_000);
    assert_eq!(i.eval::<String>("'ab' * 3 + str([1, 2] * 2)").unwrap(), "ababab[1, 2, 1, 2]");

    // The deadline and a cancel from another thread stop them too.
    let mut i = Interpreter::builder().limits(Limits::new().timeout(Duration::from_millis(100))).build().unwrap();
    for src in ["import itertools\nsum(itertools.count())", "x = [None] * 10**9", "x = 'ab' * 5 * 10**9"] {
        let start = Instant::now();
        let e = i.exec(src).unwrap_err();
        assert_eq!(e.limit(), Some(LimitKind::Deadline), "{src}: {e:?}");
        assert!(start.elapsed() < Duration::from_secs(2), "{src} took {:?}", start.elapsed());
    }
    let mut i = Interpreter::new().unwrap();
    let h = i.cancel_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        h.cancel();
    });
    let e = i.exec("import itertools\nany(itertools.repeat(0))").unwrap_err();
    t.join().unwrap();
    assert_eq!(e.limit(), Some(LimitKind::Cancelled));

    // And the memory limit catches the big allocations before they happen.
    let mut i = Interpreter::builder().limits(Limits::new().max_memory(64 << 20)).build().unwrap();
    for src in ["x = bytes(10**10)", "x = bytearray(b'a') * 10**10", "x = [0] * 10**9"] {
        let e = i.exec(src).unwrap_err();
        assert_eq!(e.limit(), Some(LimitKind::Memory), "{src}: {e:?}");
    }
}

#[test]
fn host_methods_reject_keyword_arguments() {
    struct Counter {
        n: i64,
    }
    let class = HostClass::<Counter>::new("Counter").method("add", |c: &mut Counter, k: i64| {
        c.n += k;
        Ok(c.n)
    });
    let mut i = Interpreter::builder().class(class).build().unwrap();
    i.set("c", Host(Counter { n: 1 })).unwrap();
    assert_eq!(i.eval::<i64>("c.add(2)").unwrap(), 3);
    let e = i.eval::<i64>("c.add(k=2)").unwrap_err();
    assert_eq!((e.exception_type(), e.message()), ("TypeError", "add() takes no keyword arguments"));
}
