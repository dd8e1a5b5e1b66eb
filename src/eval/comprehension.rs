//! List, set and dict comprehensions (sync), each in its own scope.

use std::rc::Rc;

use super::frame::{Frame, FrameCode};
use crate::runtime::dict::PyDict;
use crate::runtime::function::{new_cell, CellRef};
use crate::runtime::set::PySet;
use crate::runtime::{PyResult, Value};
use crate::syntax::ast::*;
use crate::vm::Vm;

/// Where a comprehension puts its elements.
pub enum CompOut {
    List(Vec<Value>),
    Set(PySet),
    Dict(PyDict),
}

impl Vm {
    /// The frame a comprehension body runs in; the first iterable is already evaluated.
    pub fn comprehension_frame(&self, f: &Frame, comp: &Rc<Comprehension>) -> Frame {
        let scope = &comp.scope;
        let mut cells: Vec<CellRef> = (0..scope.n_owned_cells).map(|_| new_cell(None)).collect();
        cells.extend(scope.free_from.iter().map(|&i| f.cells[i as usize].clone()));
        Frame {
            locals: super::frame::Locals::from_elem(None, scope.n_locals as usize),
            cells,
            module: f.module.clone(),
            class_ns: None,
            code: FrameCode::Comprehension {
                comp: comp.clone(),
                name: self.intern(match comp.kind {
                    CompKind::List => "<listcomp>",
                    CompKind::Set => "<setcomp>",
                    CompKind::Dict => "<dictcomp>",
                    CompKind::Generator => "<genexpr>",
                }),
                qual: f.qual(),
            },
        }
    }

    pub fn eval_comprehension(&self, f: &mut Frame, comp: &Rc<Comprehension>) -> PyResult<Value> {
        let first = self.eval(f, &comp.generators[0].iter)?;
        let mut cf = self.comprehension_frame(f, comp);
        if comp.kind == CompKind::Generator {
            return self.make_genexpr(comp, cf, first);
        }
        let mut out = match comp.kind {
            CompKind::List => CompOut::List(Vec::new()),
            CompKind::Set => CompOut::Set(PySet::new()),
            _ => CompOut::Dict(PyDict::new()),
        };
        self.comp_level(&mut cf, comp, 0, first, &mut out).map_err(|mut e| {
            e.0.noted = false;
            e
        })?;
        Ok(match out {
            CompOut::List(v) => Value::list(v),
            CompOut::Set(s) => Value::Set(Rc::new(s)),
            CompOut::Dict(d) => Value::Dict(Rc::new(d)),
        })
    }

    fn comp_level(&self, f: &mut Frame, comp: &Comprehension, level: usize, iterable: Value, out: &mut CompOut) -> PyResult<()> {
        let gen = &comp.generators[level];
        let mut state = self.iter_state(&iterable).map_err(|e| self.note(f, e, gen.iter.span))?;
        'items: while let Some(item) = self.iter_next(&mut state)? {
            self.check_budget()?;
            self.assign(f, &gen.target, item)?;
            for cond in &gen.ifs {
                let c = self.eval(f, cond)?;
                if !self.truthy(&c)? {
                    continue 'items;
                }
            }
            if level + 1 < comp.generators.len() {
                let next = self.eval(f, &comp.generators[level + 1].iter)?;
                self.comp_level(f, comp, level + 1, next, out)?;
            } else {
                self.comp_emit(f, comp, out)?;
            }
        }
        Ok(())
    }

    pub fn comp_emit(&self, f: &mut Frame, comp: &Comprehension, out: &mut CompOut) -> PyResult<()> {
        match out {
            CompOut::List(v) => v.push(self.eval(f, &comp.elt)?),
            CompOut::Set(s) => {
                let x = self.eval(f, &comp.elt)?;
                s.add(self, x).map_err(|e| self.note(f, e, comp.elt.span))?;
            }
            CompOut::Dict(d) => {
                let k = self.eval(f, &comp.elt)?;
                let v = match &comp.value {
                    Some(v) => self.eval(f, v)?,
                    None => Value::None,
                };
                d.set(self, k, v)?;
            }
        }
        Ok(())
    }
}
