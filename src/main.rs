//! The `coro` command: run scripts, check them, or start the REPL.

fn main() {
    std::process::exit(coro::cli::main());
}

// mimalloc: an interpreter allocates many small objects; glibc's malloc is slower at that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
