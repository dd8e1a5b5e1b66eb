//! Running untrusted scripts in a sandbox: no capabilities, a step budget, a deadline,
//! a memory limit. Each limit stops the script with an error the script cannot catch
//! and the host receives as a typed error.
//!
//! Run: `cargo run --example sandbox`

use std::time::Duration;

use coro::{Interpreter, Limits};

// With the counting allocator the memory limit sees every allocation.
#[global_allocator]
static ALLOC: coro::CountingAllocator<std::alloc::System> = coro::CountingAllocator(std::alloc::System);

const UNTRUSTED: &[(&str, &str)] = &[
    ("busy loop", "while True:\n    try:\n        pass\n    except BaseException:\n        pass\n"),
    ("memory bomb", "x = 'a' * 10**10"),
    ("growing list", "x = []\nwhile True:\n    x.append('spam' * 100)\n"),
    ("sleeps forever", "import asyncio\nasyncio.run(asyncio.sleep(3600))"),
    ("deep recursion", "def f(n):\n    return f(n + 1)\nf(0)"),
    ("wall clock", "import time\nprint(time.time())"),
    ("well behaved", "print(sum(i * i for i in range(1000)))"),
];

fn main() {
    for (name, source) in UNTRUSTED {
        let mut interp = Interpreter::builder()
            .limits(
                Limits::new()
                    .max_steps(5_000_000)
                    .timeout(Duration::from_millis(500))
                    .max_memory(32 << 20)
                    .max_recursion(200)
                    .max_tasks(100),
            )
            .build()
            .expect("interpreter");
        match interp.exec(source) {
            Ok(()) => println!("{name}: finished"),
            Err(e) => match e.limit() {
                Some(limit) => println!("{name}: stopped: {limit} ({})", e.exception_type()),
                None => println!("{name}: failed: {e}"),
            },
        }
    }
    // A script can also be stopped from another thread.
    let mut interp = Interpreter::new().expect("interpreter");
    let cancel = interp.cancel_handle();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
    });
    let e = interp.exec("while True: pass").unwrap_err();
    println!("cancelled from another thread: {:?}", e.limit());
}
