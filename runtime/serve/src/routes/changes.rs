//! `GET /categories/{cat}/changes?after=OFFSET`: every fact of a category
//! in commit order as server-sent events, each with its offset as the
//! event id, from just after the client's offset, then live as commits
//! publish more.
//!
//! The log is the category's rows in row-id order: row `r` has offset
//! `r + 1`. Row ids are kept by the database across restarts (rows are
//! replayed under the ids they had), so an offset means the same fact
//! after a restart and a client that resumes from the last id it saw gets
//! every later fact once. A fact already superseded when sent says so;
//! one superseded while the client is connected is announced with a
//! `superseded` event naming its offset. A recomputed category
//! (negation, aggregates) renumbers its rows: a `reset` event says so and
//! the stream starts over from offset 0.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use serde_json::json;

use fold_runtime::plan::CatId;

use crate::app::App;
use crate::error::{ApiError, ErrorBody};
use crate::render;
use crate::view::CatView;

/// Facts sent per step at most (a long backlog streams in steps).
const BATCH: usize = 1024;

/// Where a subscription stands.
struct Follow {
    app: Arc<App>,
    cat: CatId,
    /// The next row to send.
    next: usize,
    /// The view the last step sent from (its epoch and superseded rows).
    seen: Option<Arc<CatView>>,
    done: bool,
}

#[utoipa::path(get, path = "/categories/{cat}/changes",
    params(("cat" = String, Path, description = "category"),
        ("after" = Option<u64>, Query, description = "the last offset the client has (default: the Last-Event-ID header, else 0: from the start)")),
    responses((status = 200, description = "server-sent events `fact` ({offset, fact, superseded}), `superseded` ({offset}), `reset`", content_type = "text/event-stream"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn changes(
    State(app): State<Arc<App>>,
    Path(cat): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let c = app.category(&cat)?;
    let bad = || ApiError::BadRequest("`after` is an offset: 0 or more".to_string());
    let after = match raw
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|p| p.strip_prefix("after="))
    {
        Some(text) => text.parse::<u64>().map_err(|_| bad())?,
        None => match headers.get("last-event-id") {
            Some(v) => v
                .to_str()
                .ok()
                .and_then(|t| t.trim().parse::<u64>().ok())
                .ok_or_else(bad)?,
            None => 0,
        },
    };
    let follow = Follow {
        app,
        cat: c,
        next: usize::try_from(after).map_err(|_| bad())?,
        seen: None,
        done: false,
    };
    let events = stream::unfold(follow, step).flat_map(stream::iter);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The next events: the backlog from the current snapshot, or, once
/// caught up, whatever the next commit brings; the end on shutdown.
async fn step(mut f: Follow) -> Option<(Vec<Result<Event, Infallible>>, Follow)> {
    if f.done {
        return None;
    }
    let mut commits = f.app.commits.clone();
    let mut shutdown = f.app.shutdown.clone();
    loop {
        // Marked seen before reading, so a commit published meanwhile
        // wakes the wait below.
        commits.borrow_and_update();
        let snapshot = f.app.published.get();
        let view = Arc::clone(&snapshot.cats[f.cat.index()]);
        let mut events = Vec::new();
        if let Some(seen) = &f.seen {
            if seen.epoch != view.epoch {
                events.push(Ok(Event::default().event("reset").data("{}")));
                f.next = 0;
            } else {
                announce_superseded(seen, &view, f.next, &mut events);
            }
        }
        let category = f.app.plan.category(f.cat);
        let types = category.types();
        let end = view.rows.min(f.next + BATCH);
        for row in f.next..end {
            let Some(words) = view.row(types.len(), row) else {
                break;
            };
            let offset = row + 1;
            let data = json!({
                "offset": offset,
                "fact": render::fact(category, &types, words),
                "superseded": view.is_dead(row),
            });
            events.push(Ok(Event::default()
                .event("fact")
                .id(offset.to_string())
                .data(data.to_string())));
        }
        f.next = f.next.max(end);
        f.seen = Some(view);
        if !events.is_empty() {
            return Some((events, f));
        }
        if *shutdown.borrow() {
            return None;
        }
        tokio::select! {
            changed = commits.changed() => {
                if changed.is_err() {
                    f.done = true;
                }
            }
            _ = shutdown.changed() => return None,
        }
    }
}

/// `superseded` events for rows below `sent` that `seen` had current and
/// `now` has superseded.
fn announce_superseded(
    seen: &CatView,
    now: &CatView,
    sent: usize,
    events: &mut Vec<Result<Event, Infallible>>,
) {
    if Arc::ptr_eq(&seen.dead, &now.dead) {
        return;
    }
    for (i, &bits) in now.dead.iter().enumerate() {
        let before = seen.dead.get(i).copied().unwrap_or(0);
        let mut fresh = bits & !before;
        while fresh != 0 {
            let row = i * 64 + fresh.trailing_zeros() as usize;
            fresh &= fresh - 1;
            if row < sent {
                let data = json!({ "offset": row + 1 });
                events.push(Ok(Event::default()
                    .event("superseded")
                    .data(data.to_string())));
            }
        }
    }
}
