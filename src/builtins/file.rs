//! `open()` and file objects (text and binary): read, readline(s), iteration, write,
//! `with`. Reads load the file once; writes go straight to the OS file.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::rc::Rc;

use super::{add_fn, add_getter, add_method};
use crate::runtime::class::{BaseKind, Class, Instance, Payload};
use crate::runtime::exception::ExcKind;
use crate::runtime::{Args, Exc, PyResult, Value};
use crate::vm::Vm;

pub struct FileObj {
    name: String,
    mode: String,
    binary: bool,
    state: RefCell<FileState>,
}

struct FileState {
    /// Open for reading: the contents and the read position (bytes).
    data: Vec<u8>,
    pos: usize,
    /// Open for writing.
    writer: Option<std::fs::File>,
    closed: bool,
}

/// An OSError subclass with CPython's `[Errno N] text: 'name'` message.
pub fn os_error(e: &std::io::Error, name: &str) -> Exc {
    let kind = match e.kind() {
        std::io::ErrorKind::NotFound => ExcKind::FileNotFoundError,
        std::io::ErrorKind::PermissionDenied => ExcKind::PermissionError,
        std::io::ErrorKind::AlreadyExists => ExcKind::FileExistsError,
        _ if e.raw_os_error() == Some(21) => ExcKind::IsADirectoryError,
        _ => ExcKind::OSError,
    };
    let text = match e.raw_os_error() {
        Some(2) => "No such file or directory".to_string(),
        Some(13) => "Permission denied".to_string(),
        Some(17) => "File exists".to_string(),
        Some(21) => "Is a directory".to_string(),
        _ => e.to_string(),
    };
    let errno = e.raw_os_error().unwrap_or(0);
    Exc::with_args(kind, vec![Value::Int(errno as i64), Value::string(text), Value::str(name)])
}

fn file_class(vm: &Vm) -> Rc<Class> {
    struct FileClass(Rc<Class>);
    if let Some(c) = vm.extension::<FileClass>() {
        return c.0.clone();
    }
    let c = crate::vm::types::make_class("TextIOWrapper", vec![vm.types.object.clone()], BaseKind::Native, None);
    *c.module.borrow_mut() = "_io".into();
    install_methods(vm, &c);
    vm.set_extension(Rc::new(FileClass(c.clone())));
    c
}

fn file_of(v: &Value) -> PyResult<&FileObj> {
    match v {
        Value::Instance(i) => i.native::<FileObj>().ok_or_else(|| Exc::type_error("not a file object")),
        _ => Err(Exc::type_error("not a file object")),
    }
}

fn check_open(f: &FileObj) -> PyResult<()> {
    if f.state.borrow().closed {
        return Err(Exc::value_error("I/O operation on closed file."));
    }
    Ok(())
}

fn out(f: &FileObj, bytes: Vec<u8>) -> PyResult<Value> {
    if f.binary {
        Ok(Value::Bytes(Rc::new(bytes)))
    } else {
        String::from_utf8(bytes)
            .map(Value::string)
            .map_err(|_| Exc::new(ExcKind::UnicodeDecodeError, "'utf-8' codec can't decode the file"))
    }
}

/// The next line (with its `\n`), or empty at end of file.
fn read_line(f: &FileObj) -> Vec<u8> {
    let mut st = f.state.borrow_mut();
    let start = st.pos;
    let end = st.data[start..].iter().position(|b| *b == b'\n').map(|i| start + i + 1).unwrap_or(st.data.len());
    st.pos = end;
    st.data[start..end].to_vec()
}

fn install_methods(vm: &Vm, c: &Rc<Class>) {
    add_method(vm, c, "read", |_vm, args: Args| {
        let f = file_of(&args.pos[0])?;
        check_open(f)?;
        let n = match args.pos.get(1) {
            Some(Value::Int(n)) if *n >= 0 => Some(*n as usize),
            _ => None,
        };
        let bytes = {
            let mut st = f.state.borrow_mut();
            let start = st.pos;
            let mut end = match n {
                Some(n) => (start + n).min(st.data.len()),
                None => st.data.len(),
            };
            if !f.binary {
                // Count characters, not bytes, in text mode.
                if let Some(n) = n {
                    let text = std::str::from_utf8(&st.data[start..]).unwrap_or("");
                    end = start + text.char_indices().nth(n).map(|(b, _)| b).unwrap_or(text.len());
                }
            }
            st.pos = end;
            st.data[start..end].to_vec()
        };
        out(f, bytes)
    });
    add_method(vm, c, "readline", |_vm, args: Args| {
        let f = file_of(&args.pos[0])?;
        check_open(f)?;
        out(f, read_line(f))
    });
    add_method(vm, c, "readlines", |_vm, args: Args| {
        let f = file_of(&args.pos[0])?;
        check_open(f)?;
        let mut lines = Vec::new();
        loop {
            let l = read_line(f);
            if l.is_empty() {
                break;
            }
            lines.push(out(f, l)?);
        }
        Ok(Value::list(lines))
    });
    add_method(vm, c, "__iter__", |_vm, args: Args| Ok(args.pos[0].clone()));
    add_method(vm, c, "__next__", |_vm, args: Args| {
        let f = file_of(&args.pos[0])?;
        check_open(f)?;
        let l = read_line(f);
        if l.is_empty() {
            return Err(Exc::stop_iteration(Value::None));
        }
        out(f, l)
    });
    add_method(vm, c, "write", |vm, args: Args| {
        let [s, data] = args.exact::<2>("write")?;
        let f = file_of(&s)?;
        check_open(f)?;
        let (bytes, n) = match (&data, f.binary) {
            (Value::Str(t), false) => (t.as_str().as_bytes().to_vec(), t.len_chars()),
            (Value::Bytes(b), true) => (b.to_vec(), b.len()),
            (Value::ByteArray(b), true) => (b.borrow().clone(), b.borrow().len()),
            (other, false) => {
                return Err(Exc::type_error(format!("write() argument must be str, not {}", vm.type_name(other))))
            }
            (other, true) => {
                return Err(Exc::type_error(format!("a bytes-like object is required, not '{}'", vm.type_name(other))))
            }
        };
        let mut st = f.state.borrow_mut();
        let w = st.writer.as_mut().ok_or_else(|| Exc::new(ExcKind::OSError, "not writable"))?;
        w.write_all(&bytes).map_err(|e| os_error(&e, &f.name))?;
        Ok(Value::Int(n as i64))
    });
    add_method(vm, c, "writelines", |vm, args: Args| {
        let [s, lines] = args.exact::<2>("writelines")?;
        for l in vm.collect(&lines)? {
            vm.call_method(&s, &vm.intern("write"), Args::one(l))?;
        }
        Ok(Value::None)
    });
    add_method(vm, c, "flush", |_vm, args: Args| {
        let f = file_of(&args.pos[0])?;
        if let Some(w) = f.state.borrow_mut().writer.as_mut() {
            let _ = w.flush();
        }
        Ok(Value::None)
    });
    add_method(vm, c, "close", |_vm, args: Args| {
        let f = file_of(&args.pos[0])?;
        let mut st = f.state.borrow_mut();
        if let Some(mut w) = st.writer.take() {
            let _ = w.flush();
        }
        st.closed = true;
        Ok(Value::None)
    });
    add_method(vm, c, "__enter__", |_vm, args: Args| {
        check_open(file_of(&args.pos[0])?)?;
        Ok(args.pos[0].clone())
    });
    add_method(vm, c, "__exit__", |vm, args: Args| {
        vm.call_method(&args.pos[0], &vm.intern("close"), Args::empty())?;
        Ok(Value::None)
    });
    add_getter(vm, c, "closed", |_vm, args: Args| Ok(Value::Bool(file_of(&args.pos[0])?.state.borrow().closed)));
    add_getter(vm, c, "name", |_vm, args: Args| Ok(Value::str(&file_of(&args.pos[0])?.name)));
    add_getter(vm, c, "mode", |_vm, args: Args| Ok(Value::str(&file_of(&args.pos[0])?.mode)));
    add_method(vm, c, "__repr__", |_vm, args: Args| {
        let f = file_of(&args.pos[0])?;
        Ok(Value::string(format!(
            "<_io.TextIOWrapper name={} mode={} encoding='UTF-8'>",
            crate::format::str_repr(&f.name),
            crate::format::str_repr(&f.mode)
        )))
    });
}

/// `open(file, mode='r', encoding=None, ...)`.
pub fn open(vm: &Vm, args: Args) -> PyResult<Value> {
    vm.require(crate::embed::Capability::Filesystem)?;
    let [file, mode, _buffering, _encoding, _errors, _newline] =
        args.bind("open", ["file", "mode", "buffering", "encoding", "errors", "newline"], 1)?;
    let name = match file {
        Some(Value::Str(s)) => s.as_str().to_string(),
        Some(other) => return Err(Exc::type_error(format!("expected str, bytes or os.PathLike object, not {}", vm.type_name(&other)))),
        None => return Err(Exc::type_error("open() missing required argument 'file' (pos 1)")),
    };
    let mode = match mode {
        Some(Value::Str(m)) => m.as_str().to_string(),
        None => "r".to_string(),
        Some(other) => return Err(Exc::type_error(format!("open() argument 'mode' must be str, not {}", vm.type_name(&other)))),
    };
    if mode.chars().any(|c| !"rwaxbt+".contains(c)) || mode.chars().filter(|c| "rwax".contains(*c)).count() != 1 {
        return Err(Exc::value_error(format!("invalid mode: '{mode}'")));
    }
    let binary = mode.contains('b');
    let mut opts = std::fs::OpenOptions::new();
    let reading = mode.contains('r') || mode.contains('+');
    let writing = !mode.contains('r') || mode.contains('+');
    if mode.contains('w') {
        opts.write(true).create(true).truncate(true);
    } else if mode.contains('a') {
        opts.append(true).create(true);
    } else if mode.contains('x') {
        opts.write(true).create_new(true);
    } else if mode.contains('+') {
        opts.write(true);
    }
    opts.read(reading);
    let mut f = opts.open(&name).map_err(|e| os_error(&e, &name))?;
    let mut data = Vec::new();
    if reading {
        f.read_to_end(&mut data).map_err(|e| os_error(&e, &name))?;
    }
    let obj = FileObj {
        name,
        mode,
        binary,
        state: RefCell::new(FileState { data, pos: 0, writer: if writing { Some(f) } else { None }, closed: false }),
    };
    Ok(Value::Instance(Instance::new(file_class(vm), Payload::Native(Box::new(obj)))))
}

pub fn install(vm: &Vm) {
    add_fn(vm, &vm.builtins, "open", open);
}
