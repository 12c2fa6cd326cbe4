//! Evaluating one event of a handler: the reference interpreter, which
//! defines what a handler means, and the native boundary, through which
//! JIT-compiled handlers run and must agree with it.

pub mod interp;
pub mod native;
