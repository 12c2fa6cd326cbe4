//! The routes and what wraps them: Host, Origin and token checks, the
//! per-request timeout, request metrics, JSON for 404 and 405.

pub mod changes;
pub mod guard;
pub mod insert;
pub mod legacy;
pub mod read;

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::app::App;
use crate::error::ApiError;

/// The OpenAPI document, from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "foldc serve", description = "A fold database over HTTP: counts, indexed queries, inserts, explanations, subscriptions."),
    paths(read::categories, read::count, read::facts, insert::insert, changes::changes,
        read::explain, read::stats, read::healthz, read::metrics, openapi,
        legacy::counts, legacy::count, legacy::facts_csv, legacy::insert_csv),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the bearer token scheme writes use.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// This document.
#[utoipa::path(get, path = "/openapi.json",
    responses((status = 200, description = "the OpenAPI 3 document of the service", body = Object)))]
async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// A route: its path, the methods it takes, its handlers.
struct Route {
    path: &'static str,
    methods: &'static [&'static str],
    handlers: MethodRouter<Arc<App>>,
}

/// Every route the router serves, in one table (the router, `Allow` and
/// [`served`] are made from it).
fn table() -> Vec<Route> {
    let route = |path, methods, handlers| Route {
        path,
        methods,
        handlers,
    };
    vec![
        route("/categories", &["GET"], get(read::categories)),
        route("/categories/{cat}/count", &["GET"], get(read::count)),
        route(
            "/categories/{cat}/facts",
            &["GET", "POST"],
            get(read::facts).post(insert::insert),
        ),
        route("/categories/{cat}/changes", &["GET"], get(changes::changes)),
        route("/explain", &["GET"], get(read::explain)),
        route("/stats", &["GET"], get(read::stats)),
        route("/healthz", &["GET"], get(read::healthz)),
        route("/metrics", &["GET"], get(read::metrics)),
        route("/openapi.json", &["GET"], get(openapi)),
        route("/count", &["GET"], get(legacy::counts)),
        route("/count/{cat}", &["GET"], get(legacy::count)),
        route("/facts/{cat}", &["GET"], get(legacy::facts_csv)),
        route("/insert/{cat}", &["POST"], post(legacy::insert_csv)),
    ]
}

/// Every route the router serves: its methods and path (as the OpenAPI
/// document writes paths).
pub fn served() -> Vec<(&'static str, &'static str)> {
    table()
        .iter()
        .flat_map(|r| r.methods.iter().map(|m| (*m, r.path)))
        .collect()
}

/// Every route, wrapped.
pub fn router(app: Arc<App>) -> Router {
    table()
        .into_iter()
        .fold(Router::new(), |router, r| router.route(r.path, r.handlers))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(app.clone(), timeout))
        .layer(middleware::from_fn_with_state(app.clone(), guard::check))
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "no route `{}`: see /openapi.json for the routes",
        uri.path()
    ))
}

/// Reads answer within the request timeout (inserts and subscriptions
/// have limits of their own).
async fn timeout(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let long = request.method() == Method::POST || request.uri().path().ends_with("/changes");
    if long {
        return next.run(request).await;
    }
    let limit = app.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::Unavailable(format!(
            "the request took longer than {} s",
            limit.as_secs()
        ))
        .into_response(),
    }
}

/// Count the request by route and status; give a bare 405 a JSON body.
async fn observe(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |m| m.as_str())
        .to_string();
    let response = next.run(request).await;
    let status = response.status();
    app.metrics
        .requests
        .with_label_values(&[route.as_str(), status.as_str()])
        .inc();
    if status == StatusCode::METHOD_NOT_ALLOWED {
        let (mut parts, body) = response.into_parts();
        let allow = allowed_methods(&route, app.read_only);
        if let Ok(value) = header::HeaderValue::from_str(&allow) {
            parts.headers.insert(header::ALLOW, value);
        }
        if parts.headers.contains_key(header::CONTENT_TYPE) {
            // A refusal of our own (a write to a read-only service)
            // keeps its reason.
            return Response::from_parts(parts, body);
        }
        let body = Json(crate::error::ErrorBody {
            error: format!("this route takes {allow} only"),
        });
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/json"),
        );
        return Response::from_parts(parts, body.into_response().into_body());
    }
    response
}

/// The methods a route takes (for `Allow`): a read-only service takes
/// no POST.
fn allowed_methods(route: &str, read_only: bool) -> String {
    let methods: Vec<&str> = table()
        .iter()
        .find(|r| r.path == route)
        .map_or(&["GET"][..], |r| r.methods)
        .iter()
        .copied()
        .filter(|m| !(read_only && *m == "POST"))
        .collect();
    methods.join(",")
}
