//! Pathological inputs must give an answer (a tree or a SyntaxError), never a crash or a
//! stack overflow. Tests run on the default 2 MiB test-thread stack on purpose.

use coro::syntax::parse_module;

fn answers(src: &str) -> Result<(), String> {
    parse_module(src, "t").map(|_| ()).map_err(|e| e.message)
}

#[test]
fn ten_thousand_nested_brackets() {
    for open in ["(", "[", "{"] {
        let src = format!("x = {}1", open.repeat(10_000));
        assert_eq!(answers(&src), Err("too many nested parentheses".into()));
    }
}

#[test]
fn deepest_allowed_brackets_parse() {
    let src = format!("x = {}1{}\n", "(".repeat(199), ")".repeat(199));
    assert!(answers(&src).is_ok());
    let src = format!("x = {}1{}\n", "[f(".repeat(99), ")]".repeat(99));
    assert!(answers(&src).is_ok());
}

#[test]
fn deep_unary_and_conditional_chains() {
    for op in ["-", "not ", "~", "await ", "+"] {
        let src = format!("x = {}1\n", op.repeat(5_000));
        let _ = answers(&src);
    }
    let _ = answers(&format!("x = {}1\n", "2 ** ".repeat(5_000)));
    let _ = answers(&format!("x = {}1\n", "1 + ".repeat(100_000)));
    let _ = answers(&format!("x = {}1\n", "a if b else ".repeat(5_000)));
    let _ = answers(&format!("x = {}1\n", "lambda: ".repeat(5_000)));
    let _ = answers(&format!("x = {}1\n", "a.".repeat(50_000)));
    let _ = answers(&format!("x = 1{}\n", "[0]".repeat(50_000)));
}

#[test]
fn deep_indentation() {
    let mut src = String::new();
    for i in 0..150 {
        src.push_str(&" ".repeat(i));
        src.push_str("if x:\n");
    }
    src.push_str(&" ".repeat(150));
    src.push_str("pass\n");
    assert_eq!(answers(&src), Err("too many levels of indentation".into()));
}

#[test]
fn hundred_thousand_lines() {
    let mut src = String::new();
    for i in 0..100_000 {
        if i % 5 == 0 {
            src.push_str(&format!("def f{i}(a, b=1):\n    return a + b * {i}\n"));
        } else {
            src.push_str(&format!("x{i} = [y for y in range({i}) if y % 3] + list(f\"{{x}}\")\n"));
        }
    }
    assert!(answers(&src).is_ok());
}

#[test]
fn garbage_never_panics() {
    let pieces = ["(", ")", "[", "]", "{", "}", "'", "\"", "\"\"\"", "f'{", "}", ":", "\n", "  ", "\t", "\\", "#", "if", "x", "=", "lambda", "*", "**", "\r", "é", "€", "\u{a0}", "0x", "1e", "async", "def", ",", ";", "."];
    let mut seed: u64 = 0x2545F4914F6CDD1D;
    for _ in 0..3_000 {
        let mut src = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            src.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        let _ = answers(&src);
    }
}
