//! `foldc serve PROG --db DIR`: a database kept open behind a small HTTP
//! service that counts, inserts and queries facts.
//!
//! On start the database is brought up to date as `foldc run --db` would
//! (the program's inputs and facts, an interrupted run finished). Then,
//! one request at a time:
//!
//! - `GET /count`: every category's number of facts, as JSON;
//! - `GET /count/CAT`: one category's;
//! - `GET /facts/CAT?field=value&...`: its facts as the sorted CSV
//!   `foldc export` writes, only those whose fields equal the values given;
//! - `POST /insert/CAT` with a CSV body (a header naming the fields, then
//!   rows): the new rows become facts, the rules run to the fixpoint and
//!   the database is checkpointed before the reply, as JSON, says what
//!   was read, what was new and how many facts were found. A body that
//!   does not parse inserts nothing (400, with the line and column).
//!
//! Every insert is durable when it is answered, so stopping the service
//! (Ctrl-C) loses nothing; the database stays an ordinary one.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use fold_runtime::db::{Session, SessionError};
use fold_runtime::plan::{CatId, Plan};
use fold_runtime::value::{Type, Word};
use fold_runtime::{value, RunOptions};
use serde_json::json;

use crate::backend;
use crate::db_run::{self, DbArgs};
use crate::out::errln;
use crate::source::Program;
use crate::Outcome;

#[derive(clap::Args)]
pub struct Args {
    /// The program that writes the database.
    program: PathBuf,
    /// The database (created if new, as by `foldc run --db`).
    #[arg(long, value_name = "DIR")]
    db: PathBuf,
    /// The port to listen on (0 for any free port; the one taken is
    /// printed).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The interface to listen on (`0.0.0.0` for every one).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Worker threads for the runs (default: one per core; at most 1024).
    #[arg(long, default_value_t = 0, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1024))]
    threads: usize,
}

/// The largest request body read (an insert's CSV): bigger ones are
/// refused (413) before they are read into memory.
const MAX_BODY: u64 = 64 << 20;

/// The open database, its engine holding the facts.
struct Service {
    plan: Arc<Plan>,
    session: Session,
    opts: RunOptions,
    /// Inserts answered, to name each one's facts in provenance.
    inserts: u64,
    started: u128,
}

/// A field's value a query asks for.
enum Wanted {
    Word(Word),
    /// As a CSV field writes it (strings and lists).
    Text(String),
}

/// An answer: status and body.
enum Reply {
    Json(u16, serde_json::Value),
    Csv(Vec<u8>),
}

fn error(status: u16, message: impl Into<String>) -> Reply {
    Reply::Json(status, json!({ "error": message.into() }))
}

pub fn run(args: Args) -> Outcome {
    let mut program = Program::load(&args.program)?;
    let plan = Arc::new(program.checked_plan("nothing was served")?);
    let (natives, _) = backend::compile(&plan, backend::Backend::Jit);
    let inputs = crate::run::inputs(&plan, &[])?;
    let opts = RunOptions {
        threads: args.threads,
        quiet: true,
    };
    let db = DbArgs {
        dir: &args.db,
        program: &program.display_name(),
        fresh: false,
        checkpoint_ms: None,
    };
    let (session, _, _) = db_run::update(&plan, natives, &db, &inputs, &opts)?;
    let server = tiny_http::Server::http((args.host.as_str(), args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let address = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("{}:{}", args.host, args.port), |a| a.to_string());
    let mut service = Service {
        plan,
        session,
        opts,
        inserts: 0,
        started: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis()),
    };
    errln!(
        "foldc serve: database `{}` ({} facts) on http://{address} \
         (GET /count, GET /facts/CAT, POST /insert/CAT; Ctrl-C stops)",
        args.db.display(),
        service.total()
    );
    for mut request in server.incoming_requests() {
        let mut body = Vec::new();
        let read = request
            .as_reader()
            .take(MAX_BODY + 1)
            .read_to_end(&mut body);
        let reply = match read {
            Err(e) => error(400, format!("cannot read the request: {e}")),
            Ok(n) if n as u64 > MAX_BODY => error(
                413,
                format!(
                    "a request body holds at most {} MiB: insert in parts",
                    MAX_BODY >> 20
                ),
            ),
            Ok(_) => service.handle(request.method(), request.url(), &body),
        };
        let fatal = matches!(&reply, Reply::Json(503, _));
        let (status, bytes, kind) = match reply {
            Reply::Json(status, value) => (
                status,
                format!("{value}\n").into_bytes(),
                "application/json",
            ),
            Reply::Csv(bytes) => (200, bytes, "text/csv; charset=utf-8"),
        };
        let mut response = tiny_http::Response::from_data(bytes).with_status_code(status);
        if let Ok(header) = tiny_http::Header::from_bytes("Content-Type", kind) {
            response = response.with_header(header);
        }
        if let Err(e) = request.respond(response) {
            errln!("foldc serve: a reply was not delivered: {e}");
        }
        if fatal {
            return Err(
                "the database could not be written; the service stopped (what was answered \
                 before is kept)"
                    .to_string(),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

impl Service {
    fn handle(&mut self, method: &tiny_http::Method, url: &str, body: &[u8]) -> Reply {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let parts: Result<Vec<String>, String> = path
            .split('/')
            .filter(|p| !p.is_empty())
            .map(|p| decode(p, false))
            .collect();
        let parts = match parts {
            Ok(parts) => parts,
            Err(e) => return error(400, e),
        };
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        use tiny_http::Method::{Get, Post};
        match (method, parts.as_slice()) {
            (Get, ["count"]) => {
                let counts: serde_json::Map<String, serde_json::Value> = self
                    .plan
                    .categories
                    .iter()
                    .enumerate()
                    .map(|(c, cat)| (cat.name.clone(), self.session.engine().count(CatId(c as u32)).into()))
                    .collect();
                Reply::Json(200, json!({ "counts": counts }))
            }
            (Get, ["count", cat]) => match self.category(cat) {
                Ok(c) => Reply::Json(
                    200,
                    json!({ "category": cat, "count": self.session.engine().count(c) }),
                ),
                Err(e) => e,
            },
            (Get, ["facts", cat]) => match self.category(cat) {
                Ok(c) => self.facts(c, query),
                Err(e) => e,
            },
            (Post, ["insert", cat]) => match self.category(cat) {
                Ok(c) => self.insert(c, cat, body),
                Err(e) => e,
            },
            (_, ["count"] | ["count", _] | ["facts", _] | ["insert", _]) => error(
                405,
                "count and facts are read with GET, insert is a POST with a CSV body",
            ),
            _ => error(
                404,
                format!("no such endpoint `{path}`: GET /count, GET /count/CAT, GET /facts/CAT, POST /insert/CAT"),
            ),
        }
    }

    fn category(&self, name: &str) -> Result<CatId, Reply> {
        self.plan.category_named(name).ok_or_else(|| {
            let names: Vec<&str> = self
                .plan
                .categories
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            error(
                404,
                format!("no category `{name}` (categories: {})", names.join(", ")),
            )
        })
    }

    /// The facts of `cat` whose fields equal the query's `field=value`
    /// pairs, as sorted CSV.
    fn facts(&self, cat: CatId, query: &str) -> Reply {
        let category = self.plan.category(cat);
        let types = category.types();
        let mut wanted = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (field, text) = pair.split_once('=').unwrap_or((pair, ""));
            let (field, text) = match (decode(field, true), decode(text, true)) {
                (Ok(field), Ok(text)) => (field, text),
                (Err(e), _) | (_, Err(e)) => return error(400, e),
            };
            let Some(f) = category.fields.iter().position(|x| x.name == field) else {
                return error(400, format!("`{}` has no field `{field}`", category.name));
            };
            // Strings and lists compare as text: parsing them would
            // intern every value a client asks for, for good.
            let want = match &types[f] {
                Type::Str | Type::List(_) => Wanted::Text(text),
                ty => match value::parse_plain(ty, &text) {
                    Ok(w) => Wanted::Word(w),
                    Err(e) => return error(400, format!("field `{field}`: {e}")),
                },
            };
            wanted.push((f, want));
        }
        let facts = self.session.engine().facts(cat);
        let fields: Vec<String> = category.fields.iter().map(|f| f.name.clone()).collect();
        let mut out = Vec::new();
        let mut shown = String::new();
        let rows = facts
            .iter()
            .filter(|row| {
                wanted.iter().all(|(f, want)| match want {
                    Wanted::Word(w) => row[*f] == *w,
                    Wanted::Text(t) => {
                        shown.clear();
                        value::write_plain(&mut shown, &types[*f], row[*f]);
                        shown == *t
                    }
                })
            })
            .map(Vec::as_slice);
        match fold_runtime::csv::write_rows(&mut out, &types, &fields, rows) {
            Ok(()) => Reply::Csv(out),
            Err(e) => error(500, e.to_string()),
        }
    }

    /// Insert the CSV `body` into `cat`, run to the fixpoint, checkpoint.
    fn insert(&mut self, cat: CatId, name: &str, body: &[u8]) -> Reply {
        self.inserts += 1;
        let source = format!("serve-{}-{}/{name}.csv", self.started, self.inserts);
        let before = self.total();
        let update = match self
            .session
            .insert_csv(cat, Path::new(&source), body, &self.opts)
        {
            Ok(update) => update,
            Err(SessionError::Input(e)) => return error(400, format!("{e}; nothing was inserted")),
            Err(e) => return error(503, e.to_string()),
        };
        let (report, summary) = (update.report, update.summary);
        let read: usize = report.files.iter().map(|f| f.rows).sum();
        let new: usize = report.files.iter().map(|f| f.new).sum();
        // A recomputed stratum (negation, aggregates) may hold fewer.
        let after = self.total();
        Reply::Json(
            200,
            json!({
                "category": name,
                "read": read,
                "new": new,
                "facts": after,
                "change": after as i64 - before as i64,
                "rounds": summary.rounds,
                "events": summary.events,
            }),
        )
    }

    /// Facts of every category.
    fn total(&self) -> usize {
        (0..self.plan.categories.len())
            .map(|c| self.session.engine().count(CatId(c as u32)))
            .sum()
    }
}

/// Undo URL encoding: `%XX` bytes and, in a query (`plus_is_space`), `+`
/// for a space; `Err` for text that is not UTF-8 once decoded.
fn decode(text: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| format!("`{text}` is not UTF-8 once decoded"))
}
