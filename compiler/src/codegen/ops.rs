//! A handler's steps, in the interpreter's order and with its flows
//! (see `interp/exec.rs`): the event's binding, categorical checks,
//! aborts, `let`, negation, the search, `if`, `for` and `find`. Joins and
//! aggregates, which loop over rows, are in `rows.rs`.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_frontend::Variable;
use fold_runtime::native::{ctx_offset, sym};
use fold_runtime::plan::{Bind, CatId, Stage};
use fold_runtime::plan::{Op, Source};

use super::func::{frozen, Fx, Gen, ScopeKind};

impl Fx<'_, '_> {
    /// The slot register `s`.
    pub fn slot_var(&self, s: usize) -> Gen<Variable> {
        self.slots
            .get(s)
            .copied()
            .ok_or_else(|| format!("slot {s} is outside the handler's frame"))
    }

    /// Bind the event tuple's fields; a mismatch ends the event (data).
    pub fn bind_event(&mut self, bind: &[Bind], tuple: Value) -> Gen<()> {
        for (f, b) in bind.iter().enumerate() {
            match b {
                Bind::Ignore => {}
                Bind::Store(s) => {
                    let var = self.slot_var(s.index())?;
                    let w = self
                        .b
                        .ins()
                        .load(types::I64, frozen(), tuple, (f * 8) as i32);
                    self.b.def_var(var, w);
                }
                Bind::Check(e) => {
                    let v = self.expr(e)?;
                    let w = self
                        .b
                        .ins()
                        .load(types::I64, frozen(), tuple, (f * 8) as i32);
                    let same = self.b.ins().icmp(IntCC::Equal, v, w);
                    let end = self.end_target();
                    self.branch_unless(same, end);
                }
            }
        }
        Ok(())
    }

    pub fn ops(&mut self, ops: &[Op]) -> Gen<()> {
        for op in ops {
            self.op(op)?;
        }
        Ok(())
    }

    fn op(&mut self, op: &Op) -> Gen<()> {
        match op {
            Op::Categorical { cat, key, cache } => {
                let words = self.exprs(&key.exprs)?;
                let key_at = self.scratch_words(&words);
                let view_slot = *self
                    .hit_views
                    .get(*cache as usize)
                    .ok_or("a categorical check outside the handler's lookups")?;
                let view = self.b.ins().stack_addr(self.ptr, view_slot, 0);
                let ctx = self.ctx;
                let (c, i, a, n) = (
                    self.i32(cat.0),
                    self.i32(key.index.0),
                    self.i32(self.arity(*cat)?),
                    self.i32(key.exprs.len() as u32),
                );
                let hit = self.call1(sym::CATEGORICAL, &[ctx, c, i, a, key_at, n, view])?;
                let miss = self.b.create_block();
                let cont = self.b.create_block();
                self.b.ins().brif(hit, cont, &[], miss, &[]);
                self.b.switch_to_block(miss);
                self.store_flag(ctx_offset::CATEGORICAL);
                let end = self.end_target();
                self.b.ins().jump(end, &[]);
                self.b.switch_to_block(cont);
            }
            Op::Abort { stage, cond } => {
                if *stage == Stage::Friends {
                    self.store_flag(ctx_offset::PASSED_DATA);
                }
                let c = self.cond(cond)?;
                let target = match stage {
                    Stage::Data => self.end_target(),
                    Stage::Friends => self.drop_target(),
                };
                self.branch_if(c, target);
            }
            Op::Let { slot, expr } => {
                let var = self.slot_var(slot.index())?;
                let v = self.expr(expr)?;
                self.b.def_var(var, v);
            }
            Op::Join {
                cat,
                source,
                bind,
                body,
                exists,
            } => self.join(*cat, source, bind, body, *exists)?,
            Op::NotExists { cat, source } => {
                self.store_flag(ctx_offset::PASSED_DATA);
                let exists = self.exists(*cat, source)?;
                let drop = self.drop_target();
                self.branch_if(exists, drop);
            }
            Op::Aggregate {
                slot,
                kind,
                ty,
                cat,
                source,
                bind,
                value,
            } => {
                let float = *ty == fold_runtime::value::Type::Float;
                self.aggregate(
                    slot.index(),
                    *kind,
                    float,
                    *cat,
                    source,
                    bind,
                    value.as_ref(),
                )?
            }
            Op::Search { body } => {
                self.store_flag(ctx_offset::PASSED_DATA);
                let can_fault = self.faults.ops(body);
                self.open(ScopeKind::Search, can_fault);
                self.ops(body)?;
                self.store_flag(ctx_offset::SEARCHED);
                let cont = self.b.create_block();
                self.b.ins().jump(cont, &[]);
                self.close()?;
                self.b.switch_to_block(cont);
            }
            Op::If { cond, then, els } => {
                let c = self.cond(cond)?;
                let (yes, no, join) = (
                    self.b.create_block(),
                    self.b.create_block(),
                    self.b.create_block(),
                );
                self.b.ins().brif(c, yes, &[], no, &[]);
                self.b.switch_to_block(yes);
                self.ops(then)?;
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(no);
                self.ops(els)?;
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(join);
            }
            Op::For {
                slot, list, body, ..
            } => {
                let var = self.slot_var(slot.index())?;
                let l = self.expr(list)?;
                let (items, len) = self.list_items(l)?;
                self.counted_loop(len, |fx, i| {
                    let at = fx.b.ins().imul_imm_s(i, 8);
                    let at = fx.b.ins().iadd(items, at);
                    let w = fx.b.ins().load(types::I64, frozen(), at, 0);
                    fx.b.def_var(var, w);
                    fx.ops(body)
                })?;
            }
            Op::ForRange { slot, lo, hi, body } => {
                let var = self.slot_var(slot.index())?;
                let lo = self.expr(lo)?;
                let hi = self.expr(hi)?;
                let i = self.loop_counter(lo);
                let (header, inner, after) = (
                    self.b.create_block(),
                    self.b.create_block(),
                    self.b.create_block(),
                );
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(header);
                let iv = self.b.ins().stack_load(self.ptr, types::I64, i, 0);
                let more = self.b.ins().icmp(IntCC::SignedLessThan, iv, hi);
                self.b.ins().brif(more, inner, &[], after, &[]);
                self.b.switch_to_block(inner);
                self.b.def_var(var, iv);
                self.ops(body)?;
                // `i < hi <= i64::MAX`, so `i + 1` cannot overflow.
                let iv = self.b.ins().stack_load(self.ptr, types::I64, i, 0);
                let next = self.b.ins().iadd_imm_s(iv, 1);
                self.b.ins().stack_store(self.ptr, next, i, 0);
                self.b.ins().jump(header, &[]);
                self.b.switch_to_block(after);
            }
            Op::Find { cat, args } => {
                let n = self.arity(*cat)?;
                if n as usize != args.len() {
                    return Err(format!("a find gives {} fields of {n}", args.len()));
                }
                let words = self.exprs(args)?;
                let at = self.scratch_words(&words);
                let ctx = self.ctx;
                let (c, n) = (self.i32(cat.0), self.i32(n));
                self.call0(sym::EMIT, &[ctx, c, at, n])?;
            }
        }
        Ok(())
    }

    /// The number of fields of `cat`.
    pub fn arity(&self, cat: CatId) -> Gen<u32> {
        self.plan
            .categories
            .get(cat.index())
            .map(|c| c.arity() as u32)
            .ok_or_else(|| format!("category {} is not in the plan", cat.0))
    }

    /// Whether a current row of `cat` matches `source` (1 or 0, `i32`).
    fn exists(&mut self, cat: CatId, source: &Source) -> Gen<Value> {
        let ctx = self.ctx;
        let c = self.i32(cat.0);
        Ok(match source {
            Source::All => {
                let all = self.i32(u32::MAX);
                let null = self.b.ins().iconst(self.ptr, 0);
                let zero = self.i32(0);
                self.call1(sym::EXISTS, &[ctx, c, all, null, zero])?
            }
            Source::Index(key) => {
                let words = self.exprs(&key.exprs)?;
                let at = self.scratch_words(&words);
                let (i, n) = (self.i32(key.index.0), self.i32(key.exprs.len() as u32));
                self.call1(sym::EXISTS, &[ctx, c, i, at, n])?
            }
        })
    }

    /// A list's items pointer and length (`i64`).
    pub fn list_items(&mut self, list: Value) -> Gen<(Value, Value)> {
        let slot = self.out_word();
        let len_at = self.b.ins().stack_addr(self.ptr, slot, 0);
        let items = self.call1(sym::LIST_ITEMS, &[list, len_at])?;
        let len = self.b.ins().stack_load(self.ptr, types::I64, slot, 0);
        Ok((items, len))
    }

    /// A loop's counter, set to `start`: kept in a stack slot of its own
    /// rather than an SSA variable, since a variable live across `d`
    /// nested loops becomes a block parameter of every loop header inside
    /// it, so IR and compile time would grow with the square of the
    /// nesting depth (1,000 nested `for` loops took seconds and hundreds
    /// of megabytes to compile).
    fn loop_counter(&mut self, start: Value) -> cranelift_codegen::ir::StackSlot {
        let slot = self.stack_slot(8);
        self.b.ins().stack_store(self.ptr, start, slot, 0);
        slot
    }

    /// `for i in 0..n { body(i) }` (unsigned), continuing after the loop.
    pub fn counted_loop(
        &mut self,
        n: Value,
        mut body: impl FnMut(&mut Self, Value) -> Gen<()>,
    ) -> Gen<()> {
        let zero = self.b.ins().iconst(types::I64, 0);
        let i = self.loop_counter(zero);
        let (header, inner, after) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let iv = self.b.ins().stack_load(self.ptr, types::I64, i, 0);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, iv, n);
        self.b.ins().brif(more, inner, &[], after, &[]);
        self.b.switch_to_block(inner);
        body(self, iv)?;
        let iv = self.b.ins().stack_load(self.ptr, types::I64, i, 0);
        let next = self.b.ins().iadd_imm_s(iv, 1);
        self.b.ins().stack_store(self.ptr, next, i, 0);
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(after);
        Ok(())
    }
}
