//! End-to-end scripts: each `tests/scripts/NAME.coro` must print exactly
//! `tests/scripts/NAME.out` (recorded from CPython 3.11).

use std::path::Path;
use std::process::Command;

#[test]
fn scripts_print_what_cpython_prints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut failures = Vec::new();
    let mut ran = 0;
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().map(|x| x != "coro").unwrap_or(true) {
            continue;
        }
        let expected = match std::fs::read_to_string(path.with_extension("out")) {
            Ok(s) => s,
            Err(_) => continue,
        };
        let out = Command::new(env!("CARGO_BIN_EXE_coro")).arg("run").arg(&path).output().expect("run coro");
        ran += 1;
        let got = String::from_utf8_lossy(&out.stdout);
        if got != expected {
            failures.push(format!("{}:\n{}", path.display(), first_difference(&expected, &got)));
        }
    }
    assert!(failures.is_empty(), "{} of {} scripts differ:\n{}", failures.len(), ran, failures.join("\n"));
}

fn first_difference(expected: &str, got: &str) -> String {
    for (i, (a, b)) in expected.lines().zip(got.lines()).enumerate() {
        if a != b {
            return format!("  line {}: expected {:?}\n          got      {:?}", i + 1, a, b);
        }
    }
    format!("  expected {} lines, got {}", expected.lines().count(), got.lines().count())
}
