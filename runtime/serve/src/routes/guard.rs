//! Who may ask: the Host a request is addressed to (so a web page cannot
//! reach a loopback service by rebinding a name to 127.0.0.1), the Origin
//! of a write (so a page of another site cannot post facts from a
//! visitor's browser), and the bearer token when one is set.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::App;
use crate::error::ApiError;

pub async fn check(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    match allowed(&app, &request) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn allowed(app: &App, request: &Request) -> Result<(), ApiError> {
    let headers = request.headers();
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::BadRequest("a request names its Host".to_string()))?;
    let limits = &app.limits;
    if !limits.hosts.is_empty() && !limits.hosts.iter().any(|h| h == host_name(host)) {
        return Err(ApiError::Forbidden(format!(
            "this service does not answer for host `{}`",
            host_name(host)
        )));
    }
    let write = !matches!(*request.method(), Method::GET | Method::HEAD);
    if write {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("");
            let same = origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
            if !same && !limits.origins.iter().any(|o| o == origin) {
                return Err(ApiError::Forbidden(format!(
                    "writes from origin `{origin}` are not accepted (--allow-origin adds one)"
                )));
            }
        }
    }
    if let Some(token) = &limits.token {
        let open = request.uri().path() == "/healthz";
        if (write || limits.token_reads) && !open {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "));
            if !given.is_some_and(|g| same_secret(g.as_bytes(), token.as_bytes())) {
                return Err(ApiError::Unauthorized(
                    "this needs the service's token: Authorization: Bearer TOKEN".to_string(),
                ));
            }
        }
    }
    Ok(())
}

/// The host of a Host header, without its port (`[::1]:80` → `[::1]`).
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |i| &host[..=i]);
    }
    host.rsplit_once(':').map_or(host, |(name, _)| name)
}

/// Compare secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
