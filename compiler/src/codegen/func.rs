//! One handler's function: its state while being generated, and the
//! scopes that say where each kind of control flow goes.
//!
//! The interpreter's flows map to blocks. *Next* is falling through to the
//! next op; *Drop* (end this combination), *End* (end the event) and
//! *Fault* jump to the targets of the innermost [`Scope`]:
//!
//! - the whole event (`Top`): drop and end return; a fault is recorded
//!   (rolling back to the event's start) and returns;
//! - one join row (`Row`): drop moves to the next row; a fault is
//!   recorded, rolls back what the row's combination found, and moves to
//!   the next row; end goes further out;
//! - the search (`Search`): drop and end first note that a search ran;
//!   a fault is recorded, rolled back, and drops the combination.
//!
//! Target blocks are made on first use, so the IR holds only the paths a
//! handler can take.

use std::collections::HashMap;

use cranelift_codegen::ir::{
    types, Block, BlockArg, FuncRef, Function, InstBuilder, MemFlagsData, StackSlot, StackSlotData,
    StackSlotKind, Value,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Module};
use fold_runtime::native::{ctx_offset, frame_offset, sym, view_offset};
use fold_runtime::plan::Handler;
use fold_runtime::plan::{Bind, Plan};
use fold_runtime::value::{self, Type, Word};

use super::analysis;
use super::jit::{Built, Imports};

/// Generation failed: the handler stays on the interpreter.
pub(super) type Gen<T> = Result<T, String>;

/// Where a scope's flows go (see the module docs).
pub(super) enum ScopeKind {
    Top { exit: Block },
    Row { next: Block },
    Search,
}

pub(super) struct Scope {
    kind: ScopeKind,
    /// The output length and fact count at the scope's start (present when
    /// something in it can fault).
    mark: Option<(Variable, Variable)>,
    drop: Option<Block>,
    end: Option<Block>,
    fault: Option<Block>,
}

/// A handler's function being generated.
pub(super) struct Fx<'a, 'f> {
    pub b: FunctionBuilder<'f>,
    module: &'a mut JITModule,
    imports: &'a mut Imports,
    refs: HashMap<FuncId, FuncRef>,
    callees: Vec<(FuncId, String)>,
    pub plan: &'a Plan,
    /// Which steps can fault (see [`analysis::Faults`]).
    pub faults: analysis::Faults,
    pub ptr: types::Type,
    /// The context pointer (first parameter).
    pub ctx: Value,
    pub slots: Vec<Variable>,
    scratch: Option<StackSlot>,
    scratch_words: usize,
    frame: Option<StackSlot>,
    view: Option<StackSlot>,
    pub hit_views: Vec<StackSlot>,
    out_word: Option<StackSlot>,
    consts: Vec<Word>,
    const_notes: Vec<String>,
    types: Vec<Type>,
    scopes: Vec<Scope>,
}

/// Loads and stores of memory the code owns or the runtime keeps valid
/// for the event: aligned, never trapping.
pub(super) fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Loads of memory that does not change during the event (rows, row ids,
/// list items, constants).
pub(super) fn frozen() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly()
}

/// Generate the function of handler `p` into `func`.
pub(super) fn build(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    module: &mut JITModule,
    imports: &mut Imports,
    plan: &Plan,
    p: &Handler,
) -> Gen<Built> {
    let config = module.target_config();
    let ptr = config.pointer_type();
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let ctx = b.block_params(entry)[0];
    let tuple = b.block_params(entry)[1];
    let zero = b.ins().iconst(types::I64, 0);
    let slots: Vec<Variable> = (0..p.slots as usize)
        .map(|_| {
            let v = b.declare_var(types::I64);
            b.def_var(v, zero);
            v
        })
        .collect();
    let mut fx = Fx {
        b,
        module,
        imports,
        refs: HashMap::new(),
        callees: Vec::new(),
        plan,
        faults: analysis::Faults::of(&p.body),
        ptr,
        ctx,
        slots,
        scratch: None,
        scratch_words: analysis::scratch_words(p).max(1),
        frame: None,
        view: None,
        hit_views: Vec::new(),
        out_word: None,
        consts: Vec::new(),
        const_notes: Vec::new(),
        types: Vec::new(),
        scopes: Vec::new(),
    };
    for _ in 0..p.cache_slots {
        let slot = fx.stack_slot(view_offset::SIZE);
        fx.hit_views.push(slot);
    }
    let exit = fx.b.create_block();
    let can_fault = fx.faults.ops(&p.body)
        || p.bind.iter().any(|b| match b {
            Bind::Check(e) => analysis::expr_can_fault(e),
            _ => false,
        });
    fx.open(ScopeKind::Top { exit }, can_fault);
    fx.bind_event(&p.bind, tuple)?;
    fx.ops(&p.body)?;
    fx.b.ins().jump(exit, &[]);
    fx.close()?;
    fx.b.switch_to_block(exit);
    fx.b.ins().return_(&[]);
    fx.b.seal_all_blocks();
    let Fx {
        b,
        consts,
        const_notes,
        types,
        callees,
        ..
    } = fx;
    b.finalize(config);
    let mut notes = const_notes;
    notes.extend(
        callees
            .iter()
            .map(|(id, name)| format!("u0:{} = {name}", id.as_u32())),
    );
    Ok(Built {
        consts,
        types,
        notes,
    })
}

impl Fx<'_, '_> {
    // ---- scopes ----

    /// Enter a scope; `can_fault` says whether anything in it can fault.
    pub fn open(&mut self, kind: ScopeKind, can_fault: bool) {
        let mark = can_fault.then(|| {
            let len = self.b.declare_var(types::I64);
            let facts = self.b.declare_var(types::I32);
            let l = self.load_ctx(types::I64, ctx_offset::OUT_LEN);
            let f = self.load_ctx(types::I32, ctx_offset::FACTS);
            self.b.def_var(len, l);
            self.b.def_var(facts, f);
            (len, facts)
        });
        self.scopes.push(Scope {
            kind,
            mark,
            drop: None,
            end: None,
            fault: None,
        });
    }

    /// Leave the innermost scope, filling in the targets it handed out.
    /// The current block must be filled; afterwards the position is in
    /// some filled block, and the caller switches to its continuation.
    pub fn close(&mut self) -> Gen<()> {
        let Some(s) = self.scopes.pop() else {
            return Ok(());
        };
        if let Some(block) = s.drop {
            self.b.switch_to_block(block);
            self.store_flag(ctx_offset::SEARCHED);
            let to = self.drop_target();
            self.b.ins().jump(to, &[]);
        }
        if let Some(block) = s.end {
            self.b.switch_to_block(block);
            self.store_flag(ctx_offset::SEARCHED);
            let to = self.end_target();
            self.b.ins().jump(to, &[]);
        }
        if let Some(block) = s.fault {
            self.b.switch_to_block(block);
            let code = self.b.block_params(block)[0];
            let (len, facts) = match s.mark {
                Some((l, f)) => (self.b.use_var(l), self.b.use_var(f)),
                // Unreachable by construction (no mark: nothing faults);
                // record against the current state rather than guess.
                None => (
                    self.load_ctx(types::I64, ctx_offset::OUT_LEN),
                    self.load_ctx(types::I32, ctx_offset::FACTS),
                ),
            };
            let ctx = self.ctx;
            self.call0(sym::FAULT, &[ctx, code, len, facts])?;
            let to = match s.kind {
                ScopeKind::Top { exit } => exit,
                ScopeKind::Row { next } => next,
                ScopeKind::Search => self.drop_target(),
            };
            self.b.ins().jump(to, &[]);
        }
        Ok(())
    }

    /// Where *Drop* goes from here.
    pub fn drop_target(&mut self) -> Block {
        self.target_at(self.scopes.len() - 1, false)
    }

    /// Where *End* goes from here.
    pub fn end_target(&mut self) -> Block {
        self.target_at(self.scopes.len() - 1, true)
    }

    fn target_at(&mut self, i: usize, end: bool) -> Block {
        match (&self.scopes[i].kind, end) {
            (ScopeKind::Top { exit }, _) => *exit,
            (ScopeKind::Row { next }, false) => *next,
            (ScopeKind::Row { .. }, true) => self.target_at(i - 1, true),
            (ScopeKind::Search, _) => {
                let lazy = if end {
                    &mut self.scopes[i].end
                } else {
                    &mut self.scopes[i].drop
                };
                match lazy {
                    Some(b) => *b,
                    None => {
                        let b = self.b.create_block();
                        *lazy = Some(b);
                        b
                    }
                }
            }
        }
    }

    /// The innermost scope's fault block (one `i32` parameter: the code).
    fn fault_block(&mut self) -> Block {
        let i = self.scopes.len() - 1;
        if let Some(b) = self.scopes[i].fault {
            return b;
        }
        let b = self.b.create_block();
        self.b.append_block_param(b, types::I32);
        self.scopes[i].fault = Some(b);
        b
    }

    /// Fault with `code` (an `i32` value) when `cond` is nonzero; generation
    /// continues on the other path.
    pub fn fault_if(&mut self, cond: Value, code: Value) {
        let fault = self.fault_block();
        let ok = self.b.create_block();
        self.b
            .ins()
            .brif(cond, fault, &[BlockArg::Value(code)], ok, &[]);
        self.b.switch_to_block(ok);
    }

    /// Fault with a constant code when `cond` is nonzero.
    pub fn fault_if_const(&mut self, cond: Value, fault: fold_runtime::plan::builtin::Fault) {
        let code = self.b.ins().iconst(types::I32, i64::from(fault.code()));
        self.fault_if(cond, code);
    }

    /// Jump to `target` when `cond` is nonzero, else continue here.
    pub fn branch_if(&mut self, cond: Value, target: Block) {
        let cont = self.b.create_block();
        self.b.ins().brif(cond, target, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// Jump to `target` when `cond` is zero, else continue here.
    pub fn branch_unless(&mut self, cond: Value, target: Block) {
        let cont = self.b.create_block();
        self.b.ins().brif(cond, cont, &[], target, &[]);
        self.b.switch_to_block(cont);
    }

    // ---- the context ----

    pub fn load_ctx(&mut self, ty: types::Type, offset: i32) -> Value {
        let ctx = self.ctx;
        self.b.ins().load(ty, trusted(), ctx, offset)
    }

    /// Set one of the context's `u32` flags to 1.
    pub fn store_flag(&mut self, offset: i32) {
        let one = self.b.ins().iconst(types::I32, 1);
        let ctx = self.ctx;
        self.b.ins().store(trusted(), one, ctx, offset);
    }

    // ---- calls ----

    /// Call a runtime callback or builtin that returns nothing.
    pub fn call0(&mut self, name: &str, args: &[Value]) -> Gen<()> {
        let fref = self.func_ref(name)?;
        self.b.ins().call(fref, args);
        Ok(())
    }

    /// Call a runtime callback or builtin that returns one value.
    pub fn call1(&mut self, name: &str, args: &[Value]) -> Gen<Value> {
        let fref = self.func_ref(name)?;
        let call = self.b.ins().call(fref, args);
        self.b
            .inst_results(call)
            .first()
            .copied()
            .ok_or_else(|| format!("`{name}` returns nothing"))
    }

    fn func_ref(&mut self, name: &str) -> Gen<FuncRef> {
        let id = self.imports.func(self.module, name)?;
        if let Some(r) = self.refs.get(&id) {
            return Ok(*r);
        }
        let r = self.module.declare_func_in_func(id, self.b.func);
        self.refs.insert(id, r);
        self.callees.push((id, name.to_string()));
        Ok(r)
    }

    pub fn imports(&self) -> &Imports {
        self.imports
    }

    // ---- constants and types ----

    /// A word from the constant table (strings, lists, type handles:
    /// process-dependent numbers the code must not embed).
    pub fn const_word(&mut self, w: Word, note: impl FnOnce() -> String) -> Value {
        let at = match self.consts.iter().position(|&c| c == w) {
            Some(i) => i,
            None => {
                self.consts.push(w);
                self.const_notes
                    .push(format!("const[{}] = {}", self.consts.len() - 1, note()));
                self.consts.len() - 1
            }
        };
        let table = self.load_ctx(self.ptr, ctx_offset::CONSTS);
        self.b
            .ins()
            .load(types::I64, frozen(), table, (at * 8) as i32)
    }

    /// A literal of type `ty` as a value.
    pub fn literal(&mut self, w: Word, ty: &Type) -> Value {
        match ty {
            Type::Str | Type::List(_) => self.const_word(w, || {
                let mut s = String::new();
                value::write_literal(&mut s, ty, w);
                format!("{s}: {ty}")
            }),
            _ => self.b.ins().iconst(types::I64, w as i64),
        }
    }

    /// The index of `ty` in the handler's type table (for `fold_cmp`).
    pub fn type_index(&mut self, ty: &Type) -> u32 {
        match self.types.iter().position(|t| t == ty) {
            Some(i) => i as u32,
            None => {
                self.types.push(ty.clone());
                (self.types.len() - 1) as u32
            }
        }
    }

    // ---- stack memory ----

    pub fn stack_slot(&mut self, bytes: u32) -> StackSlot {
        self.b
            .create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, bytes, 3))
    }

    /// Store `words` in the scratch buffer; its address.
    pub fn scratch_words(&mut self, words: &[Value]) -> Value {
        let slot = match self.scratch {
            Some(s) => s,
            None => {
                let s = self.stack_slot((self.scratch_words * 8) as u32);
                self.scratch = Some(s);
                s
            }
        };
        for (i, w) in words.iter().enumerate() {
            self.b.ins().stack_store(self.ptr, *w, slot, (i * 8) as i32);
        }
        self.b.ins().stack_addr(self.ptr, slot, 0)
    }

    /// The shared row view (joins, aggregates).
    pub fn view_slot(&mut self) -> StackSlot {
        match self.view {
            Some(s) => s,
            None => {
                let s = self.stack_slot(view_offset::SIZE);
                self.view = Some(s);
                s
            }
        }
    }

    /// The address of the shared row view.
    pub fn view_addr(&mut self) -> Value {
        let slot = self.view_slot();
        self.b.ins().stack_addr(self.ptr, slot, 0)
    }

    /// The address of the builtin call frame.
    pub fn frame_slot(&mut self) -> StackSlot {
        match self.frame {
            Some(s) => s,
            None => {
                let s = self.stack_slot(frame_offset::SIZE);
                self.frame = Some(s);
                s
            }
        }
    }

    /// A one-word out-parameter.
    pub fn out_word(&mut self) -> StackSlot {
        match self.out_word {
            Some(s) => s,
            None => {
                let s = self.stack_slot(8);
                self.out_word = Some(s);
                s
            }
        }
    }

    /// An `i32` constant.
    pub fn i32(&mut self, v: u32) -> Value {
        self.b.ins().iconst(types::I32, i64::from(v))
    }
}
