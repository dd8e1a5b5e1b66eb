//! coro: an embeddable interpreter for a Python-compatible coroutine language, with
//! asyncio on a Rust event loop.
//!
//! The library is the product; the `coro` command is one host of it. A host builds an
//! [`Interpreter`], registers Rust functions (sync, async, blocking; typed arguments,
//! keyword arguments, serde types), native modules and host classes, grants
//! capabilities, sets limits, and runs scripts:
//!
//! ```
//! use std::time::Duration;
//! use coro::{named, Capability, Error, ErrorKind, Host, HostClass, Interpreter, LimitKind, Limits, Module, Serde};
//!
//! struct Account { balance: i64 }
//!
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Statement { owner: String, entries: Vec<i64> }
//!
//! let bank = Module::new("bank")
//!     // A sync function with typed arguments; an Err raises ValueError in the script.
//!     .function("check", |amount: i64| {
//!         if amount < 0 { Err(Error::new("ValueError", "negative amount")) } else { Ok(amount) }
//!     })
//!     // An async function: scripts await (gather, time out, cancel) its future.
//!     .async_function("fetch_rate", |currency: String| async move {
//!         tokio::time::sleep(Duration::from_millis(5)).await;
//!         Ok(if currency == "EUR" { 1.1 } else { 1.0 })
//!     })
//!     // A blocking function: runs on tokio's blocking pool.
//!     .blocking_function("audit", |entries: Vec<i64>| Ok(entries.len()))
//!     // Named parameters take keyword arguments; Option<T> ones may be left out.
//!     .function("fee", named(["amount", "rate"], |amount: i64, rate: Option<f64>| {
//!         Ok(amount as f64 * rate.unwrap_or(0.01))
//!     }))
//!     // serde types in and out: the script passes and gets dicts.
//!     .function("total", |s: Serde<Statement>| Ok(s.0.entries.iter().sum::<i64>()));
//!
//! let account = HostClass::<Account>::new("Account")
//!     .method("deposit", |a: &mut Account, n: i64| { a.balance += n; Ok(a.balance) })
//!     .getter("balance", |a: &Account| Ok(a.balance));
//!
//! let mut interp = Interpreter::builder()
//!     .module(bank)
//!     .class(account)
//!     .function("log", |msg: &str| { let _ = msg; Ok(()) })    // borrows the script's str
//!     .grant(Capability::Clock)                       // no files, network, env...
//!     .limits(Limits::new().max_steps(1_000_000).timeout(Duration::from_secs(5)))
//!     .build()?;
//!
//! interp.set("acct", Host(Account { balance: 10 }))?;
//! interp.exec(r#"
//! import asyncio, bank
//!
//! async def convert(amounts):
//!     rates = await asyncio.gather(*[bank.fetch_rate(c) for c in amounts])
//!     return sum(r * amounts[c] for r, c in zip(rates, amounts))
//!
//! def pay(n):
//!     acct.deposit(bank.check(n))
//!     return acct.balance
//! "#)?;
//!
//! let balance: i64 = interp.call("pay", (5,))?;                    // call a script function
//! assert_eq!(balance, 15);
//! let total: f64 = interp.call("convert", (std::collections::HashMap::from([("EUR".to_string(), 10.0)]),))?;
//! assert!((total - 11.0).abs() < 1e-9);                            // coroutines run to completion
//! assert_eq!(interp.eval::<usize>("asyncio.run(bank.audit([1, 2, 3]))")?, 3);
//! assert_eq!(interp.eval::<f64>("bank.fee(200, rate=0.5)")?, 100.0);
//! assert_eq!(interp.eval::<i64>("bank.total({'owner': 'ann', 'entries': [1, 2]})")?, 3);
//! let s: Statement = coro::from_value(&interp.eval("{'owner': 'bob', 'entries': [4]}")?)?;
//! assert_eq!((s.owner.as_str(), s.entries.len()), ("bob", 1));
//! interp.set("st", coro::to_value(&s)?)?;                         // and back to the script
//!
//! let err = interp.eval::<i64>("bank.total({'owner': 'x', 'entries': ['1']})").unwrap_err();
//! assert_eq!(err.message(), "total() argument 1['entries'][0] must be i64, not str");
//!
//! let err = interp.call::<i64>("pay", (-1,)).unwrap_err();        // errors carry the Python type
//! assert_eq!(err.exception_type(), "ValueError");
//! assert!(err.traceback().contains("in pay"));
//!
//! let err = interp.exec("while True: pass").unwrap_err();          // limits can't be caught
//! assert_eq!(err.kind(), ErrorKind::Limit(LimitKind::Steps));
//! # Ok::<(), coro::Error>(())
//! ```

pub mod builtins;
pub mod cli;
pub mod compile;
pub mod diagnostics;
pub mod embed;
pub mod eval;
pub mod event_loop;
pub mod format;
pub mod modules;
pub mod run;
pub mod runtime;
pub mod syntax;
pub mod vm;

pub use embed::{
    CancelHandle, Capabilities, Capability, CountingAllocator, Error, ErrorKind, FromValue, Host, HostClass, HostRef,
    Interpreter, InterpreterBuilder, InterpreterHandle, IntoArgs, IntoValue, LimitKind, Limits, Module, named, Named,
};
#[cfg(feature = "serde")]
pub use embed::{from_value, to_value, Serde};
pub use runtime::Value;
