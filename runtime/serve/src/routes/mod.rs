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
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::app::App;
use crate::error::ApiError;

/// The OpenAPI document, from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "foldc serve", description = "A fold database over HTTP: counts, indexed queries, inserts, explanations, subscriptions."),
    paths(read::categories, read::count, read::facts, insert::insert, changes::changes,
        read::explain, read::stats, read::healthz, read::metrics),
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

async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

/// Every route, wrapped.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/categories", get(read::categories))
        .route("/categories/{cat}/count", get(read::count))
        .route(
            "/categories/{cat}/facts",
            get(read::facts).post(insert::insert),
        )
        .route("/categories/{cat}/changes", get(changes::changes))
        .route("/explain", get(read::explain))
        .route("/stats", get(read::stats))
        .route("/healthz", get(read::healthz))
        .route("/metrics", get(read::metrics))
        .route("/openapi.json", get(openapi))
        .route("/count", get(legacy::counts))
        .route("/count/{cat}", get(read::count))
        .route("/facts/{cat}", get(legacy::facts_csv))
        .route("/insert/{cat}", axum::routing::post(legacy::insert_csv))
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
        let (mut parts, _) = response.into_parts();
        let allow = allowed_methods(&route);
        parts
            .headers
            .insert(header::ALLOW, header::HeaderValue::from_static(allow));
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

/// The methods a route takes (for `Allow`).
fn allowed_methods(route: &str) -> &'static str {
    match route {
        "/categories/{cat}/facts" => "GET,POST",
        "/insert/{cat}" => "POST",
        _ => "GET",
    }
}
