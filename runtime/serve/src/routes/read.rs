//! The reads: categories, counts, facts, explanations, counters, health
//! and metrics. Each answers from the last published commit and never
//! waits for an insert (explanations read the record staged at that
//! commit, see [`crate::committed`]).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::App;
use crate::error::{ApiError, ErrorBody};
use crate::render::{self, MAX_LIMIT};
use crate::view::query;

/// A field of a category.
#[derive(Serialize, ToSchema)]
pub struct FieldInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
}

/// A category: its fields and facts.
#[derive(Serialize, ToSchema)]
pub struct CategoryInfo {
    pub name: String,
    pub fields: Vec<FieldInfo>,
    /// Current facts.
    pub count: usize,
    /// Whether rules derive its facts (inserting needs a flag).
    pub derived: bool,
    /// Whether a key identifies its facts (a better fact supersedes).
    pub keyed: bool,
    /// Facts ever added (its log's length: the last offset).
    pub offset: usize,
}

/// Every category.
#[derive(Serialize, ToSchema)]
pub struct Categories {
    pub commit: u64,
    pub categories: Vec<CategoryInfo>,
}

#[utoipa::path(get, path = "/categories", responses((status = 200, body = Categories)))]
pub async fn categories(State(app): State<Arc<App>>) -> Json<Categories> {
    let snapshot = app.published.get();
    let categories = app
        .plan
        .categories
        .iter()
        .zip(&snapshot.cats)
        .zip(&app.derived)
        .map(|((cat, view), &derived)| CategoryInfo {
            name: cat.name.clone(),
            fields: cat
                .fields
                .iter()
                .map(|f| FieldInfo {
                    name: f.name.clone(),
                    ty: f.ty.to_string(),
                })
                .collect(),
            count: view.live,
            derived,
            keyed: cat.key.is_some(),
            offset: view.rows,
        })
        .collect();
    Json(Categories {
        commit: snapshot.commit,
        categories,
    })
}

/// One category's count.
#[derive(Serialize, ToSchema)]
pub struct Count {
    pub category: String,
    pub count: usize,
}

#[utoipa::path(get, path = "/categories/{cat}/count",
    params(("cat" = String, Path, description = "category")),
    responses((status = 200, body = Count), (status = 404, body = ErrorBody)))]
pub async fn count(
    State(app): State<Arc<App>>,
    Path(cat): Path<String>,
) -> Result<Json<Count>, ApiError> {
    let c = app.category(&cat)?;
    let count = app.published.get().cats[c.index()].live;
    Ok(Json(Count {
        category: cat,
        count,
    }))
}

/// A page of facts.
#[derive(Serialize, ToSchema)]
pub struct Facts {
    pub category: String,
    /// The fields the facts are sorted by, in turn.
    pub order: Vec<String>,
    #[schema(value_type = Vec<Object>)]
    pub facts: Vec<serde_json::Value>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next: Option<String>,
    pub commit: u64,
}

/// The default page size.
const DEFAULT_LIMIT: usize = 100;

#[utoipa::path(get, path = "/categories/{cat}/facts",
    params(("cat" = String, Path, description = "category"),
        ("limit" = Option<usize>, Query, minimum = 1, maximum = 10000, description = "facts per page (1 to 10000, default 100)"),
        ("cursor" = Option<String>, Query, description = "the `next` of the page before"),
        ("filters" = Option<Object>, Query, style = Form, explode,
            description = "the filters, one query parameter each, named by the category's fields: FIELD=V (equal), FIELD.eq|lt|le|gt|ge=V; an unknown field is a 400")),
    responses((status = 200, body = Facts), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn facts(
    State(app): State<Arc<App>>,
    Path(cat): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Facts>, ApiError> {
    let c = app.category(&cat)?;
    let category = app.plan.category(c);
    let q = render::facts_query(category, raw.as_deref().unwrap_or(""))?;
    let types = category.types();
    let cursor = q
        .cursor
        .as_deref()
        .map(|t| render::read_cursor(&types, t))
        .transpose()?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT);
    app.read(move |app| {
        let snapshot = app.published.get();
        let category = app.plan.category(c);
        let view = &snapshot.cats[c.index()];
        let (rows, more) = query::run(view, &types, &q.filters, cursor.as_deref(), limit);
        let lead = query::lead(&q.filters);
        let mut order = vec![category.fields[lead].name.clone()];
        order.extend(
            category
                .fields
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != lead)
                .map(|(_, f)| f.name.clone()),
        );
        let next = match rows.last() {
            Some(last) if more => Some(render::cursor(&types, last)),
            _ => None,
        };
        Facts {
            category: category.name.clone(),
            order,
            facts: rows
                .iter()
                .map(|r| render::fact(category, &types, r))
                .collect(),
            next,
            commit: snapshot.commit,
        }
    })
    .await
    .map(Json)
}

/// The query of `/explain` (read by hand, to answer a missing `fact`
/// in JSON; this describes it in the OpenAPI document).
#[allow(dead_code)]
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExplainQuery {
    /// The fact as written in the program: `path(1, 4)`.
    pub fact: String,
}

/// Why a fact holds.
#[derive(Serialize, ToSchema)]
pub struct Explanation {
    pub fact: String,
    /// The tree `foldc explain` prints.
    pub explanation: String,
}

#[utoipa::path(get, path = "/explain", params(ExplainQuery),
    responses((status = 200, body = Explanation), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn explain(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Explanation>, ApiError> {
    let raw = raw.unwrap_or_default();
    let fact = raw
        .split('&')
        .find_map(|p| p.strip_prefix("fact="))
        .ok_or_else(|| ApiError::BadRequest("`fact=` names the fact: path(1, 4)".to_string()))?;
    let fact = render::decode(fact, true)?;
    let (cat, tuple) = (app.parse_fact)(&fact).map_err(ApiError::BadRequest)?;
    let explanation = app.explain(cat, tuple).await?;
    Ok(Json(Explanation { fact, explanation }))
}

/// The lifecycle counters.
#[derive(Serialize, ToSchema)]
pub struct StatsReply {
    pub commit: u64,
    pub facts: usize,
    /// Served with `--read-only`: nothing is written, inserts are refused.
    pub read_only: bool,
    /// As `foldc stats --format json` shows them.
    #[schema(value_type = Object)]
    pub stats: serde_json::Value,
}

#[utoipa::path(get, path = "/stats", responses((status = 200, body = StatsReply)))]
pub async fn stats(State(app): State<Arc<App>>) -> Json<StatsReply> {
    let snapshot = app.published.get();
    Json(StatsReply {
        commit: snapshot.commit,
        facts: snapshot.total(),
        read_only: app.read_only,
        stats: (*snapshot.stats).clone(),
    })
}

/// The service is up.
#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub commit: u64,
    /// Served with `--read-only`: nothing is written, inserts are refused.
    pub read_only: bool,
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health)))]
pub async fn healthz(State(app): State<Arc<App>>) -> Json<Health> {
    Json(Health {
        status: "ok".to_string(),
        commit: app.published.get().commit,
        read_only: app.read_only,
    })
}

#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(app): State<Arc<App>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
}
