//! Tab completion for the REPL: keywords, names in scope, attributes of a plain dotted
//! name, and module names after `import`. Runs on the interpreter thread (it needs the
//! `Vm`); the line editor's thread asks for it through the event loop.

use std::collections::BTreeSet;

use crate::runtime::Value;
use crate::vm::Vm;

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
    "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Builtin modules importable without a file.
const MODULES: &[&str] = &[
    "abc", "asyncio", "collections", "contextlib", "copy", "dataclasses", "datetime", "enum", "functools", "itertools",
    "math", "operator", "random", "string", "sys", "time", "typing",
];

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Completions for `line` with the cursor at byte `pos`: where the replaced word
/// starts, and the candidates (full replacements for that word).
pub fn complete(vm: &Vm, line: &str, pos: usize) -> (usize, Vec<String>) {
    // `pos` comes from the editor; clamp it to a char boundary rather than panic.
    let mut pos = pos.min(line.len());
    while !line.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &line[..pos];
    let start = before.char_indices().rev().take_while(|(_, c)| is_ident_char(*c) || *c == '.').last().map(|(i, _)| i).unwrap_or(pos);
    let word = &before[start..];
    let head = before[..start].trim();
    if head == "import" || head == "from" || (head.starts_with("import ") && head.ends_with(',')) {
        return (start, module_names(vm, word));
    }
    if let Some(dot) = word.rfind('.') {
        let (prefix, attr) = (&word[..dot], &word[dot + 1..]);
        let names = attributes(vm, prefix).into_iter().filter(|n| n.starts_with(attr) && (attr.starts_with('_') || !n.starts_with('_')));
        return (start + dot + 1, names.collect());
    }
    let mut names: BTreeSet<String> = BTreeSet::new();
    names.extend(KEYWORDS.iter().map(|k| k.to_string()));
    if let Some(m) = vm.main_module.borrow().as_ref() {
        names.extend(m.globals.items().into_iter().map(|(k, _)| k.to_string()));
    }
    names.extend(vm.builtins.items().into_iter().map(|(k, _)| k.to_string()).filter(|k| !k.starts_with('_')));
    let out = names.into_iter().filter(|n| n.starts_with(word) && (word.starts_with('_') || !n.starts_with('_'))).collect();
    (start, out)
}

/// The attribute names of a plain dotted name (`a.b.c`), looked up with `getattr`
/// and `dir`. Anything else (calls, subscripts) is not evaluated: completion must
/// never run arbitrary code.
fn attributes(vm: &Vm, dotted: &str) -> Vec<String> {
    let parts: Vec<&str> = dotted.split('.').collect();
    let valid = |p: &str| p.chars().next().map(|c| !c.is_ascii_digit()).unwrap_or(false) && p.chars().all(is_ident_char);
    if !parts.iter().all(|p| valid(p)) {
        return Vec::new();
    }
    let globals = vm.main_module.borrow().as_ref().map(|m| m.globals.clone());
    let Some(mut obj) = globals.and_then(|g| g.get_by_name(parts[0])).or_else(|| vm.builtins.get_by_name(parts[0])) else {
        return Vec::new();
    };
    for p in &parts[1..] {
        match vm.getattr(&obj, p) {
            Ok(v) => obj = v,
            Err(_) => return Vec::new(),
        }
    }
    let Ok(list) = crate::builtins::functions::dir_of(vm, &obj) else { return Vec::new() };
    let Ok(items) = vm.collect(&list) else { return Vec::new() };
    let mut out: Vec<String> = items.iter().filter_map(|v| if let Value::Str(s) = v { Some(s.as_str().to_string()) } else { None }).collect();
    out.sort();
    out.dedup();
    out
}

/// Builtin modules, plus `.coro` files next to the script or in the current directory.
fn module_names(vm: &Vm, word: &str) -> Vec<String> {
    let mut names: BTreeSet<String> = MODULES.iter().map(|m| m.to_string()).collect();
    let mut dirs = vec![std::path::PathBuf::from(".")];
    if let Some(d) = vm.script_dir.borrow().clone() {
        dirs.push(d);
    }
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(d) else { continue };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if let Some(stem) = name.strip_suffix(".coro") {
                names.insert(stem.to_string());
            }
        }
    }
    names.into_iter().filter(|n| n.starts_with(word)).collect()
}
