//! A limit on how deep a program's expressions and blocks nest.
//!
//! The parser itself keeps its stack on the heap, but every later pass
//! (checking, lowering, code generation, the interpreter, dropping the
//! tree) recurses over expressions. A generated sum of many thousands of
//! terms is a tree that deep; past [`MAX_NESTING`] levels the program is
//! refused with an error instead of overflowing a stack. Measuring walks
//! the tree with a stack of its own, so it cannot overflow either.

use crate::ast::*;

/// How deep expressions, statements, blocks and list types may nest (a
/// chain `a + b + c` nests one level per operator).
pub const MAX_NESTING: usize = 10_000;

enum Node<'a> {
    Expr(&'a Expr),
    Atom(&'a Atom),
    Value(&'a LetValue),
    Block(&'a Block),
}

/// Where the first part of `program` nested deeper than [`MAX_NESTING`]
/// begins: the start of the outermost expression, statement or block
/// holding it.
pub fn too_deep(program: &Program) -> Option<usize> {
    let mut stack: Vec<Entry<'_>> = Vec::new();
    for item in &program.items {
        match item {
            Item::Rule(rule) => {
                for stage in &rule.stages {
                    let at = stage.span();
                    stack.push(match stage {
                        Stage::On(a) | Stage::Find(a) => root(Node::Atom(a), at),
                        Stage::AbortWhen(e) | Stage::Priority(e) => root(Node::Expr(e), at),
                        Stage::Let(l) => root(Node::Value(&l.value), at),
                        Stage::Search(b) => root(Node::Block(b), at),
                        Stage::Friends(atoms, _) => {
                            for f in atoms {
                                stack.push(root(Node::Atom(&f.atom), f.span));
                            }
                            continue;
                        }
                    });
                }
            }
            Item::Clause(c) => {
                stack.push(root(Node::Atom(&c.head), c.head.span));
                for b in &c.body {
                    match b {
                        BodyItem::Expr(e) => stack.push(root(Node::Expr(e), e.span)),
                        BodyItem::Assign(e, v, at) => {
                            stack.push(root(Node::Expr(e), *at));
                            stack.push(root(Node::Value(v), *at));
                        }
                    }
                }
            }
            Item::Example(x) => {
                for a in x.given.iter().chain(&x.expected) {
                    stack.push(root(Node::Atom(a), a.span));
                }
            }
            Item::Data(d) => {
                for f in &d.fields {
                    // `[[[int]]]`: one level per bracket.
                    let (mut ty, mut depth) = (&f.ty, 1);
                    while let TypeExpr::List(inner, _) = ty {
                        (ty, depth) = (inner, depth + 1);
                        if depth > MAX_NESTING {
                            return Some(f.name.span.start as usize);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    deepest(stack)
}

/// Where `expr` nests deeper than [`MAX_NESTING`]: its start.
pub fn too_deep_expr(expr: &Expr) -> Option<usize> {
    deepest(vec![root(Node::Expr(expr), expr.span)])
}

/// A part still to measure: its depth, and where its outermost part starts.
type Entry<'a> = (Node<'a>, usize, usize);

fn root(node: Node<'_>, at: Span) -> Entry<'_> {
    (node, 1, at.start as usize)
}

fn deepest(mut stack: Vec<Entry<'_>>) -> Option<usize> {
    while let Some((node, depth, at)) = stack.pop() {
        if depth > MAX_NESTING {
            return Some(at);
        }
        let d = depth + 1;
        match node {
            Node::Expr(e) => match &e.kind {
                ExprKind::List(xs) | ExprKind::Call(_, xs) => {
                    stack.extend(xs.iter().map(|x| (Node::Expr(x), d, at)))
                }
                ExprKind::Unary(_, x) => stack.push((Node::Expr(x), d, at)),
                ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
                    stack.push((Node::Expr(a), d, at));
                    stack.push((Node::Expr(b), d, at));
                }
                ExprKind::Slice(a, lo, hi) => {
                    stack.push((Node::Expr(a), d, at));
                    for x in lo.iter().chain(hi) {
                        stack.push((Node::Expr(x), d, at));
                    }
                }
                _ => {}
            },
            Node::Atom(a) => stack.extend(a.args.iter().map(|x| (Node::Expr(x), d, at))),
            Node::Value(LetValue::Expr(e)) => stack.push((Node::Expr(e), d, at)),
            Node::Value(LetValue::Aggregate(g)) => stack.push((Node::Atom(&g.atom), d, at)),
            Node::Block(b) => {
                for s in &b.stmts {
                    match s {
                        Stmt::Let(l) => stack.push((Node::Value(&l.value), d, at)),
                        Stmt::Find(a) => stack.push((Node::Atom(a), d, at)),
                        Stmt::If(i) => {
                            stack.push((Node::Expr(&i.cond), d, at));
                            stack.push((Node::Block(&i.then), d, at));
                            if let Some(e) = &i.els {
                                stack.push((Node::Block(e), d, at));
                            }
                        }
                        Stmt::For(f) => {
                            stack.push((Node::Expr(&f.iter), d, at));
                            stack.push((Node::Block(&f.body), d, at));
                        }
                        Stmt::Error(_) => {}
                    }
                }
            }
        }
    }
    None
}
