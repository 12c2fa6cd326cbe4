//! `POST /categories/{cat}/facts`: an insert. The body's size is checked
//! from `Content-Length` before any of it is read, it is read within the
//! body timeout (a slow client holds only its own connection), validated
//! whole, then queued for the writer, which runs and commits it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::Json;
use futures_util::StreamExt;

use crate::app::App;
use crate::body;
use crate::error::{ApiError, ErrorBody};
use crate::writer::{Inserted, Job};

#[utoipa::path(post, path = "/categories/{cat}/facts",
    params(("cat" = String, Path, description = "category")),
    request_body(description = "the facts: a JSON array of objects, one field each (application/json), or CSV with a header (text/csv)",
        content(([Object] = "application/json"), (String = "text/csv"))),
    responses((status = 200, body = Inserted), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 405, body = ErrorBody, description = "the service is read-only (--read-only)"),
        (status = 408, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn insert(
    State(app): State<Arc<App>>,
    Path(cat): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Inserted>, ApiError> {
    writable(&app)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let kind = body::kind(content_type).ok_or_else(|| {
        ApiError::UnsupportedType(
            "an insert's body is application/json (an array of objects) or text/csv".to_string(),
        )
    })?;
    insert_as(&app, &cat, &headers, body, kind).await.map(Json)
}

/// 405 with a reason on a service started with `--read-only`.
fn writable(app: &App) -> Result<(), ApiError> {
    if app.read_only {
        return Err(ApiError::ReadOnly(
            "this service is read-only (foldc serve --read-only): it answers reads and \
             writes nothing; insert through a service started without --read-only"
                .to_string(),
        ));
    }
    Ok(())
}

/// Read, check and insert a body of `kind` into the category `cat`.
pub async fn insert_as(
    app: &Arc<App>,
    cat: &str,
    headers: &HeaderMap,
    body: Body,
    kind: body::Kind,
) -> Result<Inserted, ApiError> {
    writable(app)?;
    let c = app.category(cat)?;
    if app.derived[c.index()] && !app.limits.allow_derived {
        return Err(ApiError::Conflict(format!(
            "`{cat}` is derived by rules: inserting into it would add facts the rules did not \
             find (start the service with --allow-derived-inserts to allow it)"
        )));
    }
    let max = app.limits.max_body;
    let too_large = || {
        ApiError::TooLarge(format!(
            "a request body holds at most {} bytes: insert in parts",
            max
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(too_large());
    }
    let read = async {
        let mut stream = body.into_data_stream();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::BadRequest("the body could not be read; nothing was inserted".into())
            })?;
            if (bytes.len() + chunk.len()) as u64 > max {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    };
    let bytes = tokio::time::timeout(app.limits.body_timeout, read)
        .await
        .map_err(|_| {
            ApiError::Timeout(format!(
                "the body did not arrive within {} s; nothing was inserted",
                app.limits.body_timeout.as_secs()
            ))
        })??;
    let category = app.plan.category(c);
    let csv = body::validate(category, kind, &bytes)?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    let stopping = || ApiError::Unavailable("the service is stopping".to_string());
    tokio::time::timeout(app.limits.insert_timeout, async {
        app.jobs
            .send(Job::Insert { cat: c, csv, reply })
            .await
            .map_err(|_| stopping())?;
        answer.await.map_err(|_| stopping())?
    })
    .await
    .map_err(|_| {
        ApiError::Unavailable(format!(
            "the insert took longer than {} s to answer; it may still commit (see /stats)",
            app.limits.insert_timeout.as_secs()
        ))
    })?
}
