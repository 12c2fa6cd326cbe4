//! What a handler needs, decided before any code is made: whether the
//! JIT supports it at all, which parts can fault (only those need a
//! mark to roll back to), and how much scratch space it uses.

use fold_runtime::plan::builtin::MAX_ARGS;
use fold_runtime::plan::{AggKind, BinOp, Bind, Expr, UnOp};
use fold_runtime::plan::{Handler, Op, Source};
use fold_runtime::value::Type;

/// `Err(reason)` when the handler must stay on the interpreter.
pub(super) fn supported(p: &Handler) -> Result<(), String> {
    let mut why = None;
    walk_ops(&p.body, &mut |e| {
        if why.is_none() {
            why = unsupported_expr(e);
        }
    });
    for b in &p.bind {
        if let Bind::Check(e) = b {
            walk_expr(e, &mut |e| {
                if why.is_none() {
                    why = unsupported_expr(e);
                }
            });
        }
    }
    if why.is_none() {
        why = bad_cache(&p.body, p.cache_slots as usize);
    }
    if why.is_none() {
        why = unsupported_aggregate(&p.body);
    }
    if why.is_none() {
        why = too_big(p);
    }
    why.map_or(Ok(()), Err)
}

/// Aggregates whose meaning needs more than a running word: a float sum
/// (exact, rounded once, so the result does not depend on the order rows
/// were found in) and the min or max of strings or lists (compared by
/// value, not by interned id).
fn unsupported_aggregate(ops: &[Op]) -> Option<String> {
    ops.iter().find_map(|op| match op {
        Op::Aggregate {
            kind: AggKind::Sum,
            ty: Type::Float,
            ..
        } => Some("a float sum is exact, rounded once".to_string()),
        Op::Aggregate {
            kind: AggKind::Min | AggKind::Max,
            ty: ty @ (Type::Str | Type::List(_)),
            ..
        } => Some(format!(
            "a min or max of `{ty}` values compares them by value"
        )),
        Op::Join { body, .. }
        | Op::Search { body }
        | Op::For { body, .. }
        | Op::ForRange { body, .. } => unsupported_aggregate(body),
        Op::If { then, els, .. } => {
            unsupported_aggregate(then).or_else(|| unsupported_aggregate(els))
        }
        _ => None,
    })
}

fn unsupported_expr(e: &Expr) -> Option<String> {
    match e {
        Expr::Call { func, args, .. } if args.len() > MAX_ARGS => Some(format!(
            "`{}` takes {} arguments, more than native calls pass",
            func.name,
            args.len()
        )),
        _ => None,
    }
}

/// A join reusing a categorical lookup that does not exist.
fn bad_cache(ops: &[Op], hits: usize) -> Option<String> {
    for op in ops {
        let inner = match op {
            Op::Join { source, body, .. } => {
                if let Source::Index(k) = source {
                    if k.cached.is_some_and(|h| h as usize >= hits) {
                        return Some("a join reuses a lookup the handler does not make".into());
                    }
                }
                bad_cache(body, hits)
            }
            Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                bad_cache(body, hits)
            }
            Op::If { then, els, .. } => bad_cache(then, hits).or_else(|| bad_cache(els, hits)),
            _ => None,
        };
        if inner.is_some() {
            return inner;
        }
    }
    None
}

/// Whether evaluating `e` can fault: one walk over it.
pub(super) fn expr_can_fault(e: &Expr) -> bool {
    let mut any = false;
    walk_expr(e, &mut |e| any |= faults_here(e));
    any
}

/// Whether `e` itself (not counting its operands) can fault.
fn faults_here(e: &Expr) -> bool {
    match e {
        Expr::Unary(UnOp::NegInt, _) => true,
        Expr::Binary(op, ..) => matches!(
            op,
            BinOp::AddInt
                | BinOp::SubInt
                | BinOp::MulInt
                | BinOp::DivInt
                | BinOp::RemInt
                | BinOp::DivFloat
                | BinOp::RemFloat
        ),
        Expr::Call { .. } | Expr::Index(..) | Expr::Slice { .. } => true,
        _ => false,
    }
}

/// Which steps of a handler can fault, themselves or anything nested in
/// them, found in one pass: asking each nested body separately would
/// walk a body `d` deep `d` times over.
#[derive(Default)]
pub(super) struct Faults(std::collections::HashSet<*const Op>);

impl Faults {
    /// The steps of `body` (and all nested in them) that can fault.
    pub fn of(body: &[Op]) -> Faults {
        let mut found = Faults::default();
        found.body(body);
        found
    }

    /// Whether running `ops` (a body this was made for) can fault, and so
    /// needs a mark to roll back to.
    pub fn ops(&self, ops: &[Op]) -> bool {
        ops.iter().any(|op| self.0.contains(&(op as *const Op)))
    }

    fn body(&mut self, ops: &[Op]) -> bool {
        let mut any = false;
        for op in ops {
            if self.op(op) {
                self.0.insert(op as *const Op);
                any = true;
            }
        }
        any
    }

    /// Whether `op` can fault; its nested bodies are recorded on the way.
    fn op(&mut self, op: &Op) -> bool {
        let mut here = false;
        own_exprs(op, &mut |e| here |= expr_can_fault(e));
        if let Op::Aggregate {
            kind: AggKind::Sum,
            ty,
            ..
        } = op
        {
            here |= *ty != Type::Float;
        }
        let nested = match op {
            Op::Join { body, .. }
            | Op::Search { body }
            | Op::For { body, .. }
            | Op::ForRange { body, .. } => self.body(body),
            Op::If { then, els, .. } => {
                let t = self.body(then);
                self.body(els) || t
            }
            _ => false,
        };
        here || nested
    }
}

/// Call `f` on each expression `op` itself holds, not those of the steps
/// nested in it (`walk_ops` on the op alone would descend into them).
fn own_exprs(op: &Op, f: &mut dyn FnMut(&Expr)) {
    let key = |source: &Source, f: &mut dyn FnMut(&Expr)| {
        if let Source::Index(k) = source {
            k.exprs.iter().for_each(&mut *f);
        }
    };
    let binds = |bind: &[(usize, Bind)], f: &mut dyn FnMut(&Expr)| {
        for (_, b) in bind {
            if let Bind::Check(e) = b {
                f(e);
            }
        }
    };
    match op {
        Op::Join { source, bind, .. } => {
            key(source, f);
            binds(bind, f);
        }
        Op::Aggregate {
            source,
            bind,
            value,
            ..
        } => {
            key(source, f);
            binds(bind, f);
            if let Some(v) = value {
                f(v);
            }
        }
        Op::Categorical { key: k, .. } => k.exprs.iter().for_each(f),
        Op::NotExists { source, .. } => key(source, f),
        Op::Abort { cond, .. } | Op::If { cond, .. } => f(cond),
        Op::Let { expr, .. } => f(expr),
        Op::For { list, .. } => f(list),
        Op::ForRange { lo, hi, .. } => {
            f(lo);
            f(hi);
        }
        Op::Find { args, .. } => args.iter().for_each(f),
        Op::Search { .. } => {}
    }
}

/// How much compiling a handler costs beyond its size, kept under a
/// budget: past it the handler is declined to the interpreter (which runs
/// any size in time linear in it), so compile time and memory stay linear
/// in the program. Register allocation grows faster than the function
/// on long ones, so its size is bounded; and Cranelift's SSA construction makes a value read inside
/// `d` nested loops a block parameter of each of their headers, and keeps
/// one table per variable over the blocks up to its last use; so the cost
/// is the sum, over reads of a variable, of the loops around the read,
/// plus the variables times the steps.
pub(super) fn too_big(p: &Handler) -> Option<String> {
    struct Cost {
        reads_in_loops: u64,
        steps: u64,
        nodes: u64,
    }
    fn walk(ops: &[Op], depth: u64, c: &mut Cost) {
        for op in ops {
            c.steps += 1;
            own_exprs(op, &mut |e| {
                walk_expr(e, &mut |e| {
                    c.nodes += 1;
                    if let Expr::Slot(_) = e {
                        c.reads_in_loops += depth;
                    }
                })
            });
            match op {
                Op::Join { body, .. } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                    walk(body, depth + 1, c)
                }
                Op::Search { body } => walk(body, depth, c),
                Op::If { then, els, .. } => {
                    walk(then, depth, c);
                    walk(els, depth, c);
                }
                _ => {}
            }
        }
    }
    let mut c = Cost {
        reads_in_loops: 0,
        steps: 0,
        nodes: 0,
    };
    walk(&p.body, 0, &mut c);
    for b in &p.bind {
        if let Bind::Check(e) = b {
            walk_expr(e, &mut |_| c.nodes += 1);
        }
    }
    let size = c.steps + c.nodes;
    let tables = c.steps.saturating_mul(u64::from(p.slots));
    if size > MAX_SIZE {
        Some(format!(
            "it has {size} steps and expressions, more than native code is made for ({MAX_SIZE})"
        ))
    } else if c.reads_in_loops > MAX_READS_IN_LOOPS {
        Some(format!(
            "it reads variables inside nested loops {} times over (counting each loop around a read), more than native code is made for ({MAX_READS_IN_LOOPS})",
            c.reads_in_loops
        ))
    } else if tables > MAX_STEPS_BY_VARIABLES {
        Some(format!(
            "its {} steps times its {} variables ({tables}) exceed what native code is made for ({MAX_STEPS_BY_VARIABLES})",
            c.steps, p.slots
        ))
    } else {
        None
    }
}

/// The budgets of [`too_big`]: each about a quarter of a second and some
/// tens of megabytes of compiling at most.
pub const MAX_SIZE: u64 = 6_000;
pub const MAX_READS_IN_LOOPS: u64 = 200_000;
pub const MAX_STEPS_BY_VARIABLES: u64 = 4_000_000;

/// Whether binding a row's fields can fault.
pub(super) fn bind_can_fault(bind: &[(usize, Bind)]) -> bool {
    bind.iter().any(|(_, b)| match b {
        Bind::Check(e) => expr_can_fault(e),
        _ => false,
    })
}

/// The most words any key, found fact or list literal of the handler
/// needs in the scratch buffer.
pub(super) fn scratch_words(p: &Handler) -> usize {
    let mut most = 0;
    let mut list = |e: &Expr| {
        if let Expr::List(items) = e {
            most = most.max(items.len());
        }
    };
    walk_ops(&p.body, &mut list);
    for b in &p.bind {
        if let Bind::Check(e) = b {
            walk_expr(e, &mut list);
        }
    }
    fn ops(os: &[Op], most: &mut usize) {
        for op in os {
            match op {
                Op::Categorical { key, .. } => *most = (*most).max(key.exprs.len()),
                Op::Join { source, body, .. } => {
                    if let Source::Index(k) = source {
                        *most = (*most).max(k.exprs.len());
                    }
                    ops(body, most);
                }
                Op::NotExists { source, .. } | Op::Aggregate { source, .. } => {
                    if let Source::Index(k) = source {
                        *most = (*most).max(k.exprs.len());
                    }
                }
                Op::Search { body } | Op::For { body, .. } | Op::ForRange { body, .. } => {
                    ops(body, most)
                }
                Op::If { then, els, .. } => {
                    ops(then, most);
                    ops(els, most);
                }
                Op::Find { args, .. } => *most = (*most).max(args.len()),
                Op::Abort { .. } | Op::Let { .. } => {}
            }
        }
    }
    ops(&p.body, &mut most);
    most
}

/// Call `f` on every expression (and subexpression) in `ops`.
pub(super) fn walk_ops(ops: &[Op], f: &mut dyn FnMut(&Expr)) {
    let key = |source: &Source, f: &mut dyn FnMut(&Expr)| {
        if let Source::Index(k) = source {
            k.exprs.iter().for_each(|e| walk_expr(e, f));
        }
    };
    let binds = |bind: &[(usize, Bind)], f: &mut dyn FnMut(&Expr)| {
        for (_, b) in bind {
            if let Bind::Check(e) = b {
                walk_expr(e, f);
            }
        }
    };
    for op in ops {
        match op {
            Op::Categorical { key: k, .. } => k.exprs.iter().for_each(|e| walk_expr(e, f)),
            Op::Abort { cond, .. } => walk_expr(cond, f),
            Op::Let { expr, .. } => walk_expr(expr, f),
            Op::Join {
                source, bind, body, ..
            } => {
                key(source, f);
                binds(bind, f);
                walk_ops(body, f);
            }
            Op::NotExists { source, .. } => key(source, f),
            Op::Aggregate {
                source,
                bind,
                value,
                ..
            } => {
                key(source, f);
                binds(bind, f);
                if let Some(v) = value {
                    walk_expr(v, f);
                }
            }
            Op::Search { body } => walk_ops(body, f),
            Op::If { cond, then, els } => {
                walk_expr(cond, f);
                walk_ops(then, f);
                walk_ops(els, f);
            }
            Op::For { list, body, .. } => {
                walk_expr(list, f);
                walk_ops(body, f);
            }
            Op::ForRange { lo, hi, body, .. } => {
                walk_expr(lo, f);
                walk_expr(hi, f);
                walk_ops(body, f);
            }
            Op::Find { args, .. } => args.iter().for_each(|e| walk_expr(e, f)),
        }
    }
}

/// Call `f` on `e` and every subexpression.
pub(super) fn walk_expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Const(..) | Expr::Slot(_) => {}
        Expr::Unary(_, a) => walk_expr(a, f),
        Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Index(a, b) => {
            walk_expr(a, f);
            walk_expr(b, f);
        }
        Expr::Call { args, .. } | Expr::List(args) => args.iter().for_each(|a| walk_expr(a, f)),
        Expr::Slice { base, lo, hi, .. } => {
            walk_expr(base, f);
            lo.iter().chain(hi.iter()).for_each(|a| walk_expr(a, f));
        }
    }
}
