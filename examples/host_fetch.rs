//! A host exposing an async `fetch` to scripts (simulated with a sleep); the script
//! gathers three fetches, which run concurrently on the event loop.
//!
//! Run: `cargo run --example host_fetch`

use std::time::{Duration, Instant};

use coro::{Error, Interpreter, Module};

const SCRIPT: &str = r#"
import asyncio
import http

async def main():
    urls = ["https://a.example", "https://b.example", "https://c.example"]
    pages = await asyncio.gather(*[http.fetch(u) for u in urls])
    for url, page in zip(urls, pages):
        print(f"{url}: {len(page)} bytes")
    try:
        await asyncio.wait_for(http.fetch("https://slow.example"), timeout=0.05)
    except asyncio.TimeoutError:
        print("slow.example timed out (the host future was dropped)")
    try:
        await http.fetch("ftp://nope")
    except ValueError as e:
        print("refused:", e)
    return len(pages)
"#;

fn main() -> Result<(), miette::Report> {
    let http = Module::new("http").async_function("fetch", |url: String| async move {
        if !url.starts_with("https://") {
            return Err(Error::new("ValueError", format!("unsupported URL {url}")));
        }
        // Stands in for a real request (reqwest, hyper...): any tokio future works here.
        let delay = if url.contains("slow") { 5_000 } else { 100 };
        tokio::time::sleep(Duration::from_millis(delay)).await;
        Ok(format!("<html>{url}</html>"))
    });
    let mut interp = Interpreter::builder().module(http).build()?;
    interp.exec(SCRIPT)?;
    let start = Instant::now();
    let n: i64 = interp.call("main", ())?;
    println!("fetched {n} pages in {:?} (three 100 ms fetches, concurrently)", start.elapsed());
    Ok(())
}
