//! Expressions, typed as the plan types them and checked as the
//! interpreter checks them (`interp/expr.rs`): operands left to right,
//! then the operator; int overflow and division by zero fault; `&&` and
//! `||` short-circuit; floats follow IEEE; strings and lists compare by
//! value through the runtime, by word for equality.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, MemFlagsData, Value};
use fold_runtime::native::{frame_offset, sym};
use fold_runtime::plan::builtin::{intern_types, Fault};
use fold_runtime::plan::{BinOp, CmpOp, Expr, UnOp};
use fold_runtime::value::Type;

use super::func::{frozen, Fx, Gen};

impl Fx<'_, '_> {
    /// Evaluate `e` to its word (`i64`).
    pub fn expr(&mut self, e: &Expr) -> Gen<Value> {
        Ok(match e {
            Expr::Const(w, ty) => self.literal(*w, ty),
            Expr::Slot(s) => {
                let var = self.slot_var(s.index())?;
                self.b.use_var(var)
            }
            Expr::Unary(op, a) => {
                let x = self.expr(a)?;
                match op {
                    UnOp::NegInt => {
                        let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                        self.fault_if_const(min, Fault::Overflow);
                        self.b.ins().ineg(x)
                    }
                    // Negation flips the sign bit, NaNs included.
                    UnOp::NegFloat => self.b.ins().bxor_imm_s(x, i64::MIN),
                    UnOp::Not => {
                        let c = self.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                        self.b.ins().uextend(types::I64, c)
                    }
                }
            }
            Expr::And(a, b) => self.short_circuit(a, b, false)?,
            Expr::Or(a, b) => self.short_circuit(a, b, true)?,
            Expr::Binary(BinOp::Cmp(op, ty), a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                let c = self.compare(*op, ty, x, y)?;
                self.b.ins().uextend(types::I64, c)
            }
            Expr::Binary(op, a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                self.binary(op, x, y)?
            }
            Expr::Call { func, types, args } => {
                let values = self.exprs(args)?;
                let Some(name) = self.imports().builtin_symbol(func).map(str::to_string) else {
                    return Err(format!("`{}` has no native entry", func.signature()));
                };
                let frame = self.frame_slot();
                for (i, v) in values.iter().enumerate() {
                    self.b.ins().stack_store(
                        self.ptr,
                        *v,
                        frame,
                        frame_offset::ARGS + 8 * i as i32,
                    );
                }
                let handle = if types.is_empty() {
                    self.b.ins().iconst(types::I32, 0)
                } else {
                    let names: Vec<String> = types.iter().map(|t| t.to_string()).collect();
                    let w = self.const_word(u64::from(intern_types(types)), || {
                        format!("type handle of [{}]", names.join(", "))
                    });
                    self.b.ins().ireduce(types::I32, w)
                };
                self.b
                    .ins()
                    .stack_store(self.ptr, handle, frame, frame_offset::TYPES);
                let at = self.b.ins().stack_addr(self.ptr, frame, 0);
                let code = self.call1(&name, &[at])?;
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, code, 0);
                self.fault_if(failed, code);
                self.b
                    .ins()
                    .stack_load(self.ptr, types::I64, frame, frame_offset::RESULT)
            }
            Expr::List(items) => {
                let values = self.exprs(items)?;
                let at = self.scratch_words(&values);
                let ctx = self.ctx;
                let n = self.i32(values.len() as u32);
                self.call1(sym::MAKE_LIST, &[ctx, at, n])?
            }
            Expr::Index(base, i) => {
                let list = self.expr(base)?;
                let i = self.expr(i)?;
                let (items, len) = self.list_items(list)?;
                // Negative indexes are huge unsigned ones: out of range too.
                let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, len);
                self.fault_if_const(outside, Fault::IndexOutOfRange);
                let at = self.b.ins().imul_imm_s(i, 8);
                let at = self.b.ins().iadd(items, at);
                self.b.ins().load(types::I64, frozen(), at, 0)
            }
            Expr::Slice {
                base,
                lo,
                hi,
                is_str,
            } => {
                let b = self.expr(base)?;
                let mut flags = if *is_str { 4 } else { 0 };
                let lo = match lo {
                    Some(e) => {
                        flags |= 1;
                        self.expr(e)?
                    }
                    None => self.b.ins().iconst(types::I64, 0),
                };
                let hi = match hi {
                    Some(e) => {
                        flags |= 2;
                        self.expr(e)?
                    }
                    None => self.b.ins().iconst(types::I64, 0),
                };
                let slot = self.out_word();
                let out = self.b.ins().stack_addr(self.ptr, slot, 0);
                let ctx = self.ctx;
                let flags = self.i32(flags);
                let code = self.call1(sym::SLICE, &[ctx, b, lo, hi, flags, out])?;
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, code, 0);
                self.fault_if(failed, code);
                self.b.ins().stack_load(self.ptr, types::I64, slot, 0)
            }
        })
    }

    /// Evaluate a condition: any integer value, nonzero meaning true
    /// (comparisons stay flags instead of becoming words).
    pub fn cond(&mut self, e: &Expr) -> Gen<Value> {
        match e {
            Expr::Binary(BinOp::Cmp(op, ty), a, b) => {
                let x = self.expr(a)?;
                let y = self.expr(b)?;
                self.compare(*op, ty, x, y)
            }
            _ => self.expr(e),
        }
    }

    /// Evaluate expressions left to right.
    pub fn exprs(&mut self, es: &[Expr]) -> Gen<Vec<Value>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    /// `a && b` (`or`: `a || b`), as the word 0 or 1.
    fn short_circuit(&mut self, a: &Expr, b: &Expr, or: bool) -> Gen<Value> {
        let x = self.cond(a)?;
        let rhs = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, types::I64);
        let decided = self.b.ins().iconst(types::I64, i64::from(or));
        let decided = [BlockArg::Value(decided)];
        if or {
            self.b.ins().brif(x, done, &decided, rhs, &[]);
        } else {
            self.b.ins().brif(x, rhs, &[], done, &decided);
        }
        self.b.switch_to_block(rhs);
        let y = self.cond(b)?;
        let y = self.b.ins().icmp_imm_s(IntCC::NotEqual, y, 0);
        let y = self.b.ins().uextend(types::I64, y);
        self.b.ins().jump(done, &[BlockArg::Value(y)]);
        self.b.switch_to_block(done);
        Ok(self.b.block_params(done)[0])
    }

    fn binary(&mut self, op: &BinOp, x: Value, y: Value) -> Gen<Value> {
        Ok(match op {
            BinOp::AddInt | BinOp::SubInt | BinOp::MulInt => {
                let (r, overflow) = match op {
                    BinOp::AddInt => self.b.ins().sadd_overflow(x, y),
                    BinOp::SubInt => self.b.ins().ssub_overflow(x, y),
                    _ => self.b.ins().smul_overflow(x, y),
                };
                self.fault_if_const(overflow, Fault::Overflow);
                r
            }
            BinOp::DivInt | BinOp::RemInt => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                self.fault_if_const(zero, Fault::DivisionByZero);
                let minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                if *op == BinOp::DivInt {
                    // `i64::MIN / -1` is out of range.
                    let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                    let both = self.b.ins().band(min, minus_one);
                    self.fault_if_const(both, Fault::Overflow);
                    self.b.ins().sdiv(x, y)
                } else {
                    // `x % -1` is 0 for every `x`, `i64::MIN` included,
                    // where the machine's division would overflow: divide
                    // by 1 instead.
                    let one = self.b.ins().iconst(types::I64, 1);
                    let by = self.b.ins().select(minus_one, one, y);
                    self.b.ins().srem(x, by)
                }
            }
            BinOp::AddFloat | BinOp::SubFloat | BinOp::MulFloat | BinOp::DivFloat => {
                let (f, g) = (self.as_float(x), self.as_float(y));
                if *op == BinOp::DivFloat {
                    self.fault_if_float_zero(g);
                }
                let r = match op {
                    BinOp::AddFloat => self.b.ins().fadd(f, g),
                    BinOp::SubFloat => self.b.ins().fsub(f, g),
                    BinOp::MulFloat => self.b.ins().fmul(f, g),
                    _ => self.b.ins().fdiv(f, g),
                };
                self.float_bits(r)
            }
            BinOp::RemFloat => {
                let (f, g) = (self.as_float(x), self.as_float(y));
                self.fault_if_float_zero(g);
                let r = self.call1(sym::FMOD, &[f, g])?;
                self.float_bits(r)
            }
            BinOp::ConcatStr => {
                let ctx = self.ctx;
                self.call1(sym::CONCAT_STR, &[ctx, x, y])?
            }
            BinOp::ConcatList => {
                let ctx = self.ctx;
                self.call1(sym::CONCAT_LIST, &[ctx, x, y])?
            }
            BinOp::Cmp(op, ty) => {
                let c = self.compare(*op, ty, x, y)?;
                self.b.ins().uextend(types::I64, c)
            }
        })
    }

    /// Fault with division by zero when the float divisor `g` is 0.0 or
    /// -0.0 (as the interpreter does).
    fn fault_if_float_zero(&mut self, g: Value) {
        let zero = self.b.ins().f64const(0.0);
        let is_zero = self.b.ins().fcmp(FloatCC::Equal, g, zero);
        self.fault_if_const(is_zero, Fault::DivisionByZero);
    }

    /// A comparison at a type, as a flag (`i8`): ints signed, bools as
    /// words, floats as IEEE numbers (NaN unordered, unequal to itself),
    /// strings and lists equal by word and ordered by value.
    fn compare(&mut self, op: CmpOp, ty: &Type, x: Value, y: Value) -> Gen<Value> {
        let (signed, unsigned, float) = match op {
            CmpOp::Eq => (IntCC::Equal, IntCC::Equal, FloatCC::Equal),
            CmpOp::Ne => (IntCC::NotEqual, IntCC::NotEqual, FloatCC::NotEqual),
            CmpOp::Lt => (
                IntCC::SignedLessThan,
                IntCC::UnsignedLessThan,
                FloatCC::LessThan,
            ),
            CmpOp::Le => (
                IntCC::SignedLessThanOrEqual,
                IntCC::UnsignedLessThanOrEqual,
                FloatCC::LessThanOrEqual,
            ),
            CmpOp::Gt => (
                IntCC::SignedGreaterThan,
                IntCC::UnsignedGreaterThan,
                FloatCC::GreaterThan,
            ),
            CmpOp::Ge => (
                IntCC::SignedGreaterThanOrEqual,
                IntCC::UnsignedGreaterThanOrEqual,
                FloatCC::GreaterThanOrEqual,
            ),
        };
        Ok(match ty {
            Type::Int => self.b.ins().icmp(signed, x, y),
            Type::Bool => self.b.ins().icmp(unsigned, x, y),
            Type::Float => {
                let (f, g) = (self.as_float(x), self.as_float(y));
                self.b.ins().fcmp(float, f, g)
            }
            Type::Str | Type::List(_) => match op {
                CmpOp::Eq | CmpOp::Ne => self.b.ins().icmp(signed, x, y),
                _ => {
                    let ctx = self.ctx;
                    let t = self.type_index(ty);
                    let t = self.i32(t);
                    let order = self.call1(sym::CMP, &[ctx, t, x, y])?;
                    self.b.ins().icmp_imm_s(signed, order, 0)
                }
            },
        })
    }

    pub fn as_float(&mut self, x: Value) -> Value {
        self.b.ins().bitcast(types::F64, MemFlagsData::new(), x)
    }

    pub fn float_bits(&mut self, x: Value) -> Value {
        self.b.ins().bitcast(types::I64, MemFlagsData::new(), x)
    }
}
