//! `import`: builtin modules implemented in Rust, and `.coro` files next to the script.

use std::rc::Rc;

use crate::eval::Frame;
use crate::runtime::module::ModuleObj;
use crate::runtime::{Exc, ExcKind, PyResult, Value};
use crate::syntax::ast::{Alias, NameExpr};
use crate::vm::Vm;

impl Vm {
    /// Import a module by its full dotted name (parents first), caching it in
    /// `sys.modules`.
    pub fn import_module(&self, name: &str) -> PyResult<Value> {
        if let Some(m) = self.modules.borrow().get(name) {
            return Ok(m.clone());
        }
        if let Some((parent, _)) = name.rsplit_once('.') {
            self.import_module(parent)?;
        }
        let module = if let Some(m) = crate::modules::create(self, name) {
            m?
        } else if let Some(m) = self.import_source_module(name)? {
            m
        } else {
            return Err(Exc::new(ExcKind::ModuleNotFoundError, format!("No module named '{name}'")));
        };
        let v = Value::Module(module);
        self.modules.borrow_mut().insert(self.intern(name), v.clone());
        if let Some((parent, child)) = name.rsplit_once('.') {
            if let Some(Value::Module(p)) = self.modules.borrow().get(parent) {
                p.globals.set_by_name(&self.intern(child), v.clone());
            }
        }
        Ok(v)
    }

    /// A `.coro` (or `.py`) file in the script's directory.
    fn import_source_module(&self, name: &str) -> PyResult<Option<Rc<ModuleObj>>> {
        let Some(dir) = self.script_dir.borrow().clone() else { return Ok(None) };
        // Reading module files is file access: an embedded script needs the capability.
        self.require(crate::embed::Capability::Filesystem)?;
        let rel = name.replace('.', "/");
        for ext in ["coro", "py"] {
            let path = dir.join(format!("{rel}.{ext}"));
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Exc::new(ExcKind::ImportError, format!("cannot read {}: {e}", path.display())))?;
                let module = crate::run::load_module(self, name, &path.display().to_string(), text)?;
                return Ok(Some(module));
            }
        }
        Ok(None)
    }

    pub fn exec_import(&self, f: &mut Frame, a: &Alias) -> PyResult<()> {
        let m = self.import_module(&a.name)?;
        let bound = if a.asname.is_some() {
            m
        } else {
            // `import a.b` binds `a`.
            let top = a.name.split('.').next().unwrap_or(&a.name);
            self.import_module(top)?
        };
        let id = match &a.asname {
            Some(n) => n.name.clone(),
            None => self.intern(a.name.split('.').next().unwrap_or(&a.name)),
        };
        self.store_name(f, &NameExpr { id, scope: a.target.clone() }, bound);
        Ok(())
    }

    pub fn exec_import_from(&self, f: &mut Frame, module: Option<&str>, names: &[Alias], level: u32) -> PyResult<()> {
        let name = module.unwrap_or("");
        if level > 0 && name.is_empty() {
            return Err(Exc::new(ExcKind::ImportError, "attempted relative import with no known parent package"));
        }
        let m = self.import_module(name)?;
        let Value::Module(mo) = &m else { return Err(Exc::type_error("not a module")) };
        if names.is_empty() {
            for (k, v) in mo.globals.items() {
                if !k.starts_with('_') {
                    f.module.globals.set_by_name(&k, v);
                }
            }
            return Ok(());
        }
        for a in names {
            let v = match mo.globals.get_by_name(&a.name) {
                Some(v) => v,
                None => match self.import_module(&format!("{}.{}", name, a.name)) {
                    Ok(v) => v,
                    Err(_) => {
                        return Err(Exc::new(
                            ExcKind::ImportError,
                            format!("cannot import name '{}' from '{}' ({})", a.name, name, match &mo.file {
                                Some(file) => file.name.clone(),
                                None => "unknown location".into(),
                            }),
                        ))
                    }
                },
            };
            let id = match &a.asname {
                Some(n) => n.name.clone(),
                None => a.name.clone(),
            };
            self.store_name(f, &NameExpr { id, scope: a.target.clone() }, v);
        }
        Ok(())
    }
}
