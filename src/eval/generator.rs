//! Generator objects: creation and resumption (the async evaluator drives their bodies).

use std::rc::Rc;

use super::frame::Frame;
use crate::runtime::function::Function;
use crate::runtime::generator::Generator;
use crate::runtime::{Exc, PyResult, Value};
use crate::syntax::ast::Comprehension;
use crate::vm::Vm;

impl Vm {
    pub fn make_generator(&self, _func: &Rc<Function>, _frame: Frame) -> Value {
        Value::None
    }
    pub fn make_genexpr(&self, _comp: &Rc<Comprehension>, _frame: Frame, _first: Value) -> PyResult<Value> {
        Err(Exc::runtime_error("generator expressions are not implemented yet"))
    }
    pub fn generator_next(&self, _g: &Rc<Generator>) -> PyResult<Option<Value>> {
        Err(Exc::runtime_error("generators are not implemented yet"))
    }
}
