//! fold-serve: a fold database behind an HTTP service (`foldc serve`).
//!
//! # How it is built
//!
//! - One **writer** thread owns the database session ([`writer`]):
//!   inserts are queued to it and run one at a time, incrementally, and
//!   are checkpointed before they are answered (durable when answered).
//! - After each commit the writer **publishes** an immutable snapshot of
//!   every category ([`view`]): its log of rows, which are superseded,
//!   and sorted runs per field. Reads (counts, queries, stats,
//!   subscriptions) use the last published snapshot, so they never wait
//!   for a running insert and never see half of one; queries run on a
//!   bounded pool of blocking threads and binary-search the runs.
//! - HTTP is axum on tokio, with connections accepted by hand
//!   ([`server`]): at most `max_connections` at once (more are answered
//!   503 and closed, and accepting goes on whatever the errors), headers
//!   within a timeout, bodies within another, `Content-Length` checked
//!   before a body is read. SIGTERM (or Ctrl-C) stops accepting, lets
//!   running requests (a running insert) finish, then closes the
//!   database.
//! - Explanations read the database's record as of the last commit,
//!   staged by the writer after each one ([`committed`]), so they do not
//!   wait for a running insert either.
//! - With `--read-only` the database is opened without writing to it,
//!   every read is served and inserts are refused (405).
//! - Routes, their errors and the OpenAPI document are in [`routes`];
//!   Host, Origin and token checks in [`routes::guard`]; `/metrics` in
//!   [`metrics`].

#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![deny(missing_docs)]

mod app;
mod body;
mod committed;
mod error;
mod metrics;
mod render;
mod routes;
mod server;
mod view;
mod writer;

pub use app::{Limits, ParseFact};
pub use routes::served;
pub use server::{serve, Database, Options};
pub use writer::Explain;
