//! Every `.coro` program of the shared conformance corpus and benchmarks must parse.

use std::path::{Path, PathBuf};

use coro::diagnostics::render_report;
use coro::syntax::parse_module;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "coro") {
            out.push(p);
        }
    }
}

#[test]
fn shared_corpus_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let mut files = Vec::new();
    collect(&root.join("conformance"), &mut files);
    collect(&root.join("bench"), &mut files);
    if files.is_empty() {
        eprintln!("no shared corpus next to the crate; skipping");
        return;
    }
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        if let Err(e) = parse_module(&text, &f.display().to_string()) {
            failures.push(format!("{}\n{}", render_report(&e, false), e.python_line()));
        }
    }
    assert!(failures.is_empty(), "{} of {} files failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}
