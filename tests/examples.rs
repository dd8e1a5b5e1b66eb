//! Runs every `examples/*.coro` under the virtual clock and snapshots its stdout,
//! stderr and exit status into `snapshots/examples/`.

use std::path::Path;
use std::process::Command;

#[test]
fn examples_match_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("examples"))
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().map(|x| x == "coro").unwrap_or(false))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no examples found");
    for path in files {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("example").to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_coro"))
            .current_dir(root)
            .args(["run", "--virtual-time"])
            .arg(Path::new("examples").join(path.file_name().unwrap_or_default()))
            .output()
            .expect("run coro");
        let report = format!(
            "exit status: {}\n--- stdout\n{}--- stderr\n{}",
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        insta::with_settings!({snapshot_path => "../snapshots/examples", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, report);
        });
    }
}
