//! Loops over a relation's rows: joins (each matching row is one
//! combination of facts, with its own fault scope) and aggregates. The
//! lookup itself is a runtime call; the loop over the row ids, the dead-row
//! check, the binding of fields and everything in the body are native.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, InstBuilder, MemFlagsData, StackSlot, Value};
use fold_runtime::native::{ctx_offset, sym, view_offset};
use fold_runtime::plan::builtin::Fault;
use fold_runtime::plan::{AggKind, Bind, CatId, Expr};
use fold_runtime::plan::{Op, Source};

use super::analysis;
use super::func::{frozen, Fx, Gen, ScopeKind};

/// The rows a lookup selected, loaded from its [`RowsView`].
///
/// [`RowsView`]: fold_runtime::native::RowsView
struct Rows {
    /// Row ids (`None`: the rows are `0..n`).
    ids: Option<Value>,
    n: Value,
    words: Value,
    /// The dead-row bitset and its length in words (keyed categories only).
    dead: Option<(Value, Value)>,
    arity: u32,
}

impl Fx<'_, '_> {
    /// `join cat[key](bind) { body }`: every matching current row is a
    /// combination; a fault in it drops only it. An existence check
    /// (`exists`) leaves the loop after the first row that matched or
    /// faulted, as the interpreter does: its combination's drop, fault
    /// and end of body all go to `done` rather than the next row.
    pub fn join(
        &mut self,
        cat: CatId,
        source: &Source,
        bind: &[(usize, Bind)],
        body: &[Op],
        exists: bool,
    ) -> Gen<()> {
        self.store_flag(ctx_offset::PASSED_DATA);
        let after = self.b.create_block();
        let rows = self.select(cat, source, true, after)?;
        let can_fault = analysis::bind_can_fault(bind) || self.faults.ops(body);
        self.for_each_row(&rows, after, |fx, row, next| {
            let done = if exists { fx.b.create_block() } else { next };
            fx.open(ScopeKind::Row { next: done }, can_fault);
            // A row that does not match is skipped, even by a check.
            fx.bind_row(bind, row, rows.arity, next)?;
            fx.store_flag(ctx_offset::LOADED);
            fx.ops(body)?;
            fx.b.ins().jump(done, &[]);
            fx.close()?;
            if exists {
                fx.b.switch_to_block(done);
                fx.b.ins().jump(after, &[]);
            }
            Ok(())
        })
    }

    /// `let slot = kind value : cat[key](bind)`; an empty min or max drops
    /// the combination. Faults (an int sum outside `int`, or in the value)
    /// belong to the enclosing combination. An int sum wraps and counts
    /// its wraps (+1 past the top, -1 past the bottom): the exact total is
    /// the wrapped one plus that count times 2^64, so it fits an `int`
    /// exactly when the count ends at 0, whatever the order of the rows.
    /// (Float sums and min or max of strings and lists stay on the
    /// interpreter, see `analysis::supported`.)
    #[allow(clippy::too_many_arguments)]
    pub fn aggregate(
        &mut self,
        slot: usize,
        kind: AggKind,
        float: bool,
        cat: CatId,
        source: &Source,
        bind: &[(usize, Bind)],
        value: Option<&Expr>,
    ) -> Gen<()> {
        let var = self.slot_var(slot)?;
        let count = self.b.declare_var(types::I64);
        let acc = self.b.declare_var(types::I64);
        let wraps = self.b.declare_var(types::I64);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.def_var(count, zero);
        self.b.def_var(wraps, zero);
        // 0 is also the bits of 0.0, where a float sum starts.
        self.b.def_var(acc, zero);
        let after = self.b.create_block();
        let rows = self.select(cat, source, false, after)?;
        self.for_each_row(&rows, after, |fx, row, next| {
            fx.bind_row(bind, row, rows.arity, next)?;
            let v = match value {
                Some(e) => fx.expr(e)?,
                None => fx.b.ins().iconst(types::I64, 0),
            };
            let n = fx.b.use_var(count);
            let a = fx.b.use_var(acc);
            let first = fx.b.ins().icmp_imm_s(IntCC::Equal, n, 0);
            let n1 = fx.b.ins().iadd_imm_s(n, 1);
            fx.b.def_var(count, n1);
            let new = match (kind, float) {
                (AggKind::Count, _) => None,
                (AggKind::Sum, false) => {
                    let (s, overflow) = fx.b.ins().sadd_overflow(a, v);
                    let negative = fx.b.ins().icmp_imm_s(IntCC::SignedLessThan, v, 0);
                    let (down, up) = (
                        fx.b.ins().iconst(types::I64, -1),
                        fx.b.ins().iconst(types::I64, 1),
                    );
                    let step = fx.b.ins().select(negative, down, up);
                    let none = fx.b.ins().iconst(types::I64, 0);
                    let step = fx.b.ins().select(overflow, step, none);
                    let w = fx.b.use_var(wraps);
                    let w = fx.b.ins().iadd(w, step);
                    fx.b.def_var(wraps, w);
                    Some(s)
                }
                (AggKind::Sum, true) => {
                    let (x, y) = (fx.as_float(a), fx.as_float(v));
                    let s = fx.b.ins().fadd(x, y);
                    Some(fx.float_bits(s))
                }
                (AggKind::Min | AggKind::Max, _) => {
                    // Floats order by IEEE total order, as `f64::total_cmp`.
                    let (kv, ka) = if float {
                        (fx.total_order_key(v), fx.total_order_key(a))
                    } else {
                        (v, a)
                    };
                    let cc = if kind == AggKind::Min {
                        IntCC::SignedLessThan
                    } else {
                        IntCC::SignedGreaterThan
                    };
                    let better = fx.b.ins().icmp(cc, kv, ka);
                    let take = fx.b.ins().bor(first, better);
                    Some(fx.b.ins().select(take, v, a))
                }
            };
            if let Some(new) = new {
                fx.b.def_var(acc, new);
            }
            fx.b.ins().jump(next, &[]);
            Ok(())
        })?;
        let result = match kind {
            AggKind::Count => self.b.use_var(count),
            AggKind::Sum if !float => {
                let w = self.b.use_var(wraps);
                let outside = self.b.ins().icmp_imm_s(IntCC::NotEqual, w, 0);
                self.fault_if_const(outside, Fault::Overflow);
                self.b.use_var(acc)
            }
            AggKind::Sum => self.b.use_var(acc),
            AggKind::Min | AggKind::Max => {
                let n = self.b.use_var(count);
                let empty = self.b.ins().icmp_imm_s(IntCC::Equal, n, 0);
                let drop = self.drop_target();
                self.branch_if(empty, drop);
                self.b.use_var(acc)
            }
        };
        self.b.def_var(var, result);
        Ok(())
    }

    /// Look up the rows `source` selects. With none, jump to `none`;
    /// otherwise continue with them. `cached` lets a join reuse the rows of
    /// its categorical check.
    fn select(&mut self, cat: CatId, source: &Source, cached: bool, none: Block) -> Gen<Rows> {
        let arity = self.arity(cat)?;
        let ctx = self.ctx;
        let (c, a) = (self.i32(cat.0), self.i32(arity));
        let slot: StackSlot = match source {
            Source::All => {
                let view = self.view_addr();
                self.call0(sym::SCAN, &[ctx, c, a, view])?;
                self.view_slot()
            }
            Source::Index(key) => match key.cached.filter(|_| cached) {
                Some(cache) => *self
                    .hit_views
                    .get(cache as usize)
                    .ok_or("a join reuses a lookup the handler does not make")?,
                None => {
                    let words = self.exprs(&key.exprs)?;
                    let at = self.scratch_words(&words);
                    let view = self.view_addr();
                    let (i, n) = (self.i32(key.index.0), self.i32(key.exprs.len() as u32));
                    let found = self.call1(sym::LOOKUP, &[ctx, c, i, a, at, n, view])?;
                    self.branch_unless(found, none);
                    self.view_slot()
                }
            },
        };
        let ptr = self.ptr;
        let load = |fx: &mut Self, ty, off| fx.b.ins().stack_load(ptr, ty, slot, off);
        let ids = match source {
            Source::All => None,
            Source::Index(_) => Some(load(self, self.ptr, view_offset::IDS)),
        };
        let n = load(self, types::I64, view_offset::N);
        let words = load(self, self.ptr, view_offset::WORDS);
        let keyed = self.plan.category(cat).key.is_some();
        let dead = keyed.then(|| {
            (
                load(self, self.ptr, view_offset::DEAD),
                load(self, types::I64, view_offset::DEAD_WORDS),
            )
        });
        Ok(Rows {
            ids,
            n,
            words,
            dead,
            arity,
        })
    }

    /// Run `body(row address, next)` for every live row; `body` must end
    /// its block (usually by jumping to `next`). Continues at `after`.
    fn for_each_row(
        &mut self,
        rows: &Rows,
        after: Block,
        mut body: impl FnMut(&mut Self, Value, Block) -> Gen<()>,
    ) -> Gen<()> {
        let i = self.b.declare_var(types::I64);
        let zero = self.b.ins().iconst(types::I64, 0);
        self.b.def_var(i, zero);
        let (header, inner, next) = (
            self.b.create_block(),
            self.b.create_block(),
            self.b.create_block(),
        );
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(header);
        let iv = self.b.use_var(i);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, iv, rows.n);
        self.b.ins().brif(more, inner, &[], after, &[]);
        self.b.switch_to_block(inner);
        let r = match rows.ids {
            Some(ids) => {
                let at = self.b.ins().imul_imm_s(iv, 4);
                let at = self.b.ins().iadd(ids, at);
                self.b.ins().uload32(frozen(), at, 0)
            }
            None => iv,
        };
        if let Some((dead, len)) = rows.dead {
            self.skip_dead(r, dead, len, next);
        }
        let off = self.b.ins().imul_imm_s(r, i64::from(rows.arity) * 8);
        let row = self.b.ins().iadd(rows.words, off);
        body(self, row, next)?;
        self.b.switch_to_block(next);
        let iv = self.b.use_var(i);
        let iv = self.b.ins().iadd_imm_s(iv, 1);
        self.b.def_var(i, iv);
        self.b.ins().jump(header, &[]);
        self.b.switch_to_block(after);
        Ok(())
    }

    /// Jump to `next` when row `r` is marked dead in the bitset (rows past
    /// its end are alive).
    fn skip_dead(&mut self, r: Value, dead: Value, len: Value, next: Block) {
        let word = self.b.ins().ushr_imm_u(r, 6);
        let inside = self.b.ins().icmp(IntCC::UnsignedLessThan, word, len);
        let (check, live) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(inside, check, &[], live, &[]);
        self.b.switch_to_block(check);
        let at = self.b.ins().ishl_imm_u(word, 3);
        let at = self.b.ins().iadd(dead, at);
        let bits = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), at, 0);
        let shift = self.b.ins().band_imm_s(r, 63);
        let bit = self.b.ins().ushr(bits, shift);
        let bit = self.b.ins().band_imm_s(bit, 1);
        self.b.ins().brif(bit, next, &[], live, &[]);
        self.b.switch_to_block(live);
    }

    /// Bind a row's fields; a mismatch moves to `skip` (the next row).
    fn bind_row(&mut self, bind: &[(usize, Bind)], row: Value, arity: u32, skip: Block) -> Gen<()> {
        for (f, b) in bind {
            if *f >= arity as usize {
                return Err(format!("field {f} of a row with {arity} fields"));
            }
            let off = (*f * 8) as i32;
            match b {
                Bind::Ignore => {}
                Bind::Store(s) => {
                    let var = self.slot_var(s.index())?;
                    let w = self.b.ins().load(types::I64, frozen(), row, off);
                    self.b.def_var(var, w);
                }
                Bind::Check(e) => {
                    let v = self.expr(e)?;
                    let w = self.b.ins().load(types::I64, frozen(), row, off);
                    let same = self.b.ins().icmp(IntCC::Equal, v, w);
                    self.branch_unless(same, skip);
                }
            }
        }
        Ok(())
    }

    /// `x ^ ((x >> 63) >>> 1)`: an int whose signed order is the IEEE
    /// total order of the float with bits `x`.
    fn total_order_key(&mut self, x: Value) -> Value {
        let sign = self.b.ins().sshr_imm_u(x, 63);
        let mask = self.b.ins().ushr_imm_u(sign, 1);
        self.b.ins().bxor(x, mask)
    }
}
