//! serde conversion between script values and Rust types: `coro::to_value`,
//! `coro::from_value`, `Serde<T>` in host functions, and their errors.

use std::collections::{BTreeMap, HashMap};

use coro::{from_value, named, to_value, ErrorKind, Interpreter, Serde, Value};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Server {
    host: String,
    port: u16,
    #[serde(default)]
    tags: Vec<String>,
    weight: Option<f64>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Config {
    name: String,
    servers: Vec<Server>,
    limits: HashMap<String, u64>,
    mode: Mode,
    pair: (i32, bool),
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
enum Mode {
    Off,
    Fixed(u32),
    Range(u32, u32),
    Custom { every: f64, jitter: Option<f64> },
}

fn config() -> Config {
    Config {
        name: "prod".into(),
        servers: vec![
            Server { host: "a".into(), port: 80, tags: vec!["web".into()], weight: None },
            Server { host: "b".into(), port: 8080, tags: vec![], weight: Some(0.5) },
        ],
        limits: HashMap::from([("rps".to_string(), 100)]),
        mode: Mode::Custom { every: 1.5, jitter: None },
        pair: (-3, true),
    }
}

fn interp() -> Interpreter {
    Interpreter::new().unwrap()
}

#[test]
fn round_trip_through_a_script() {
    let mut i = interp();
    i.set("cfg", to_value(&config()).unwrap()).unwrap();
    // The script sees plain dicts, lists, tuples and externally tagged enums.
    assert_eq!(i.eval::<String>("cfg['servers'][1]['host']").unwrap(), "b");
    assert_eq!(i.eval::<String>("type(cfg['pair']).__name__").unwrap(), "tuple");
    assert_eq!(i.eval::<String>("repr(cfg['mode'])").unwrap(), "{'Custom': {'every': 1.5, 'jitter': None}}");
    i.exec("cfg['servers'][0]['port'] = 81\ncfg['mode'] = {'Range': [1, 5]}").unwrap();
    let back: Config = from_value(&i.get::<Value>("cfg").unwrap()).unwrap();
    let mut want = config();
    want.servers[0].port = 81;
    want.mode = Mode::Range(1, 5);
    assert_eq!(back, want);
}

#[test]
fn enums_in_externally_tagged_form() {
    let mut i = interp();
    for (src, want) in [
        ("'Off'", Mode::Off),
        ("{'Fixed': 7}", Mode::Fixed(7)),
        ("{'Range': (1, 2)}", Mode::Range(1, 2)),
        ("{'Custom': {'every': 2, 'jitter': 0.1}}", Mode::Custom { every: 2.0, jitter: Some(0.1) }),
    ] {
        let v = i.eval::<Value>(src).unwrap();
        assert_eq!(from_value::<Mode>(&v).unwrap(), want, "{src}");
        // And back: unit variants are strings, the others one-entry dicts.
        let again: Mode = from_value(&to_value(&want).unwrap()).unwrap();
        assert_eq!(again, want);
    }
    assert_eq!(i.eval::<String>("repr(x)").err().map(|e| e.exception_type().to_string()), Some("NameError".into()));
    i.set("off", to_value(&Mode::Off).unwrap()).unwrap();
    assert_eq!(i.eval::<String>("off").unwrap(), "Off");
    let e = from_value::<Mode>(&i.eval::<Value>("'Sideways'").unwrap()).unwrap_err();
    assert!(e.message().contains("unknown variant `Sideways`"), "{}", e.message());
    let e = from_value::<Mode>(&i.eval::<Value>("[1]").unwrap()).unwrap_err();
    assert!(e.message().starts_with("expected enum Mode"), "{}", e.message());
}

#[test]
fn scalars_big_ints_bytes_and_containers() {
    let mut i = interp();
    let v = |i: &mut Interpreter, s: &str| i.eval::<Value>(s).unwrap();
    assert_eq!(from_value::<u64>(&v(&mut i, "2**64 - 1")).unwrap(), u64::MAX);
    assert_eq!(from_value::<i128>(&v(&mut i, "-2**100")).unwrap(), -(1i128 << 100));
    assert_eq!(from_value::<u128>(&v(&mut i, "2**127 + 1")).unwrap(), (1u128 << 127) + 1);
    let e = from_value::<u128>(&v(&mut i, "2**200")).unwrap_err();
    assert_eq!(e.exception_type(), "OverflowError");
    let e = from_value::<u8>(&v(&mut i, "300")).unwrap_err();
    assert_eq!((e.exception_type(), e.message()), ("OverflowError", "int 300 out of range for u8"));
    // Python's bool is an int; an int is a fine float.
    assert_eq!(from_value::<i32>(&v(&mut i, "True")).unwrap(), 1);
    assert_eq!(from_value::<f64>(&v(&mut i, "3")).unwrap(), 3.0);
    assert_eq!(from_value::<Vec<u8>>(&v(&mut i, "b'hi'")).unwrap(), b"hi".to_vec());
    assert_eq!(from_value::<Vec<i64>>(&v(&mut i, "(1, 2)")).unwrap(), vec![1, 2]);
    assert_eq!(from_value::<Vec<i64>>(&v(&mut i, "{3}")).unwrap(), vec![3]);
    assert_eq!(from_value::<Option<String>>(&v(&mut i, "None")).unwrap(), None);
    assert_eq!(from_value::<char>(&v(&mut i, "'x'")).unwrap(), 'x');
    assert_eq!(from_value::<()>(&v(&mut i, "None")).unwrap(), ());
    assert_eq!(from_value::<HashMap<i64, String>>(&v(&mut i, "{1: 'a'}")).unwrap(), HashMap::from([(1, "a".to_string())]));
    // Subclasses of builtin types convert as their base type.
    let sub = v(&mut i, "class C(dict): pass\nC(a=1)");
    assert_eq!(from_value::<BTreeMap<String, i64>>(&sub).unwrap(), BTreeMap::from([("a".to_string(), 1)]));

    i.set("big", to_value(&u64::MAX).unwrap()).unwrap();
    assert!(i.eval::<bool>("big == 2**64 - 1").unwrap());
    i.set("m", to_value(&BTreeMap::from([(1, "one"), (2, "two")])).unwrap()).unwrap();
    assert_eq!(i.eval::<String>("m[2]").unwrap(), "two");
    i.set("t", to_value(&("a", 1.5, None::<i32>, ['x', 'y'])).unwrap()).unwrap();
    assert_eq!(i.eval::<String>("repr(t)").unwrap(), "('a', 1.5, None, ('x', 'y'))");
}

#[test]
fn errors_name_the_path_that_failed() {
    let mut i = interp();
    let v = i
        .eval::<Value>(
            "{'name': 'x', 'servers': [{'host': 'a', 'port': 1, 'weight': None}, {'host': 'b', 'port': 'http', 'weight': None}],
              'limits': {}, 'mode': 'Off', 'pair': (1, True)}",
        )
        .unwrap();
    let e = from_value::<Config>(&v).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert_eq!(e.exception_type(), "TypeError");
    assert_eq!(e.path(), Some("['servers'][1]['port']"));
    assert_eq!(e.message(), "value['servers'][1]['port'] must be u16, not str");

    let v = i.eval::<Value>("{'host': 'a'}").unwrap();
    let e = from_value::<Server>(&v).unwrap_err();
    assert_eq!(e.message(), "missing field `port`");
    let v = i.eval::<Value>("[{'host': 'a', 'port': (1,)}]").unwrap();
    let e = from_value::<Vec<Server>>(&v).unwrap_err();
    assert_eq!(e.message(), "value[0]['port'] must be u16, not tuple");
    // Objects that are not data.
    let v = i.eval::<Value>("def f(): pass\nf").unwrap();
    let e = from_value::<String>(&v).unwrap_err();
    assert_eq!(e.message(), "expected a string, got function");
    let e = to_value(&v).unwrap_err();
    assert_eq!(e.message(), "cannot serialize a 'function' object");
    // Keys serde cannot hash without the interpreter.
    let e = to_value(&BTreeMap::from([((1, 2), 3)])).unwrap_err();
    assert_eq!(e.message(), "dict keys must be str, int, float or bool, not tuple");
}

#[test]
fn serde_types_in_host_functions() {
    let mut i = Interpreter::builder()
        .function("load", |cfg: Serde<Config>| Ok(cfg.0.servers.len()))
        .function("default_config", || Ok(Serde(config())))
        .function("add_server", named(["cfg", "server"], |mut cfg: Serde<Config>, s: Serde<Server>| {
            cfg.0.servers.push(s.0);
            Ok(cfg)
        }))
        .build()
        .unwrap();
    assert_eq!(i.eval::<usize>("load(default_config())").unwrap(), 2);
    assert_eq!(
        i.eval::<usize>("load(add_server(default_config(), server={'host': 'c', 'port': 1, 'weight': 2}))").unwrap(),
        3
    );
    // A bad argument is a TypeError the script can catch, worded like CPython's.
    i.exec(
        "c = default_config()\nc['servers'][1]['port'] = -1\ntry:\n    load(c)\nexcept TypeError as e:\n    msg = str(e)\nexcept OverflowError as e:\n    msg = 'overflow: ' + str(e)\n",
    )
    .unwrap();
    assert_eq!(i.get::<String>("msg").unwrap(), "overflow: load() argument 1['servers'][1]['port']: int -1 out of range for u16");
    let e = i.eval::<usize>("load({'name': 'n'})").unwrap_err();
    assert_eq!(e.exception_type(), "TypeError");
    assert_eq!(e.message(), "load() argument 1: missing field `servers`");
    let e = i.eval::<usize>("add_server(default_config(), server={'host': 1})").unwrap_err();
    assert_eq!(e.message(), "add_server() argument 'server'['host'] must be a string, not int");
}

#[test]
fn value_is_serialize_and_deserialize() {
    let mut i = interp();
    let v = i.eval::<Value>("{'a': [1, 2.5, None, True], 'b': {'c': b'x'}, 'd': (1,), 'e': 2**70}").unwrap();
    // Value -> serde -> Value keeps the data (tuples come back as lists, like JSON).
    let copy: Value = from_value(&v).unwrap();
    i.set("copy", copy).unwrap();
    assert_eq!(i.eval::<String>("repr(copy)").unwrap(), "{'a': [1, 2.5, None, True], 'b': {'c': b'x'}, 'd': [1], 'e': 1180591620717411303424}");
    let as_map: BTreeMap<String, Value> = from_value(&v).unwrap();
    assert_eq!(as_map.len(), 4);
    let again = to_value(&as_map).unwrap();
    i.set("again", again).unwrap();
    assert!(i.eval::<bool>("again['a'] == [1, 2.5, None, True]").unwrap());
}

/// The second example of README.md's embedding section (kept in step by hand).
#[test]
fn readme_serde_example_runs() -> Result<(), coro::Error> {
    #[derive(serde::Deserialize)]
    struct Job {
        name: String,
        retries: u32,
    }
    let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    struct Sink(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut interp = Interpreter::builder()
        .function("submit", named(["job", "priority"], |job: Serde<Job>, priority: Option<i64>| {
            Ok(format!("{} x{} at {}", job.0.name, job.0.retries, priority.unwrap_or(0)))
        }))
        .stdout(Sink(out.clone()))
        .build()?;
    interp.exec("print(submit({'name': 'backup', 'retries': 3}, priority=5))")?;
    let job: Job = coro::from_value(&interp.eval("{'name': 'x', 'retries': 1}")?)?;
    assert_eq!((job.name.as_str(), job.retries), ("x", 1));
    assert_eq!(String::from_utf8_lossy(&out.borrow()), "backup x3 at 5\n");
    Ok(())
}
