//! The `coro` command: run scripts, check them, or start the REPL.

fn main() {
    std::process::exit(coro::cli::main());
}
