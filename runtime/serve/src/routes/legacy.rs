//! The routes of the first `foldc serve`, kept as aliases: `GET /count`,
//! `GET /count/{cat}`, `GET /facts/{cat}` (sorted CSV, equality filters)
//! and `POST /insert/{cat}` (a CSV body).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;

use crate::app::App;
use crate::body::Kind;
use crate::error::{ApiError, ErrorBody};
use crate::render;
use crate::routes::insert::insert_as;
use crate::view::query::{self, Op};

/// Every category's count (an alias of `/categories`' counts).
#[utoipa::path(get, path = "/count",
    responses((status = 200, description = "`{\"counts\": {CATEGORY: N}}`", body = Object)))]
pub async fn counts(State(app): State<Arc<App>>) -> Json<serde_json::Value> {
    let snapshot = app.published.get();
    let counts: serde_json::Map<String, serde_json::Value> = app
        .plan
        .categories
        .iter()
        .zip(&snapshot.cats)
        .map(|(cat, view)| (cat.name.clone(), view.live.into()))
        .collect();
    Json(json!({ "counts": counts }))
}

/// One category's count (an alias of `/categories/{cat}/count`).
#[utoipa::path(get, path = "/count/{cat}",
    params(("cat" = String, Path, description = "category")),
    responses((status = 200, body = crate::routes::read::Count), (status = 404, body = ErrorBody)))]
pub async fn count(
    state: State<Arc<App>>,
    cat: Path<String>,
) -> Result<Json<crate::routes::read::Count>, ApiError> {
    crate::routes::read::count(state, cat).await
}

/// All facts passing equality filters, as the sorted CSV `foldc export`
/// writes.
#[utoipa::path(get, path = "/facts/{cat}",
    params(("cat" = String, Path, description = "category"),
        ("filters" = Option<Object>, Query, style = Form, explode,
            description = "the filters, one query parameter each, named by the category's fields: FIELD=V (equal); an unknown field is a 400")),
    responses((status = 200, description = "sorted CSV with a header", content_type = "text/csv", body = String),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn facts_csv(
    State(app): State<Arc<App>>,
    Path(cat): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let c = app.category(&cat)?;
    let category = app.plan.category(c);
    let q = render::facts_query(category, raw.as_deref().unwrap_or(""))?;
    if q.limit.is_some() || q.cursor.is_some() || q.filters.iter().any(|f| f.op != Op::Eq) {
        return Err(ApiError::BadRequest(format!(
            "/facts/{cat} takes equality filters only: page and compare with /categories/{cat}/facts"
        )));
    }
    let bytes = app
        .read(move |app| {
            let snapshot = app.published.get();
            let category = app.plan.category(c);
            let types = category.types();
            let (rows, _) = query::run(
                &snapshot.cats[c.index()],
                &types,
                &q.filters,
                None,
                usize::MAX,
            );
            let fields: Vec<String> = category.fields.iter().map(|f| f.name.clone()).collect();
            let mut out = Vec::new();
            fold_runtime::csv::write_rows(&mut out, &types, &fields, rows.into_iter())
                .map(|()| out)
                .map_err(|_| ApiError::Unavailable("the facts could not be written".to_string()))
        })
        .await??;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes))
}

/// Insert a CSV body (an alias of `POST /categories/{cat}/facts`).
#[utoipa::path(post, path = "/insert/{cat}",
    params(("cat" = String, Path, description = "category")),
    request_body(content = String, description = "CSV with a header", content_type = "text/csv"),
    responses((status = 200, body = crate::writer::Inserted), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 405, body = ErrorBody, description = "the service is read-only (--read-only)"),
        (status = 408, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn insert_csv(
    State(app): State<Arc<App>>,
    Path(cat): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<crate::writer::Inserted>, ApiError> {
    insert_as(&app, &cat, &headers, body, Kind::Csv)
        .await
        .map(Json)
}
