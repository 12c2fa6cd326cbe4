//! The OpenAPI document checked against the service it describes. Every
//! route the router serves is in the document and every operation in the
//! document is served; for each operation a request built from the
//! document (its path parameters, required query parameters and request
//! body type) gets a success status the document declares, with the
//! declared content type and the required fields of the declared schema;
//! requests naming an unknown category or missing a required parameter
//! get an error status the document declares for that operation.

use std::collections::BTreeSet;
use std::io::{BufRead, Read};

use serde_json::Value;

use crate::client::{Conn, Reply, Server};
use crate::tc_dir;

/// What a request to `path` (a document path, `{cat}` filled) sends.
struct Ask<'a> {
    method: &'a str,
    url: String,
    content_type: Option<&'a str>,
    body: &'a str,
}

/// The request the document describes for an operation: `cat` for the
/// category, every required query parameter given when `required`.
fn ask<'a>(method: &'a str, path: &str, op: &'a Value, cat: &str, required: bool) -> Ask<'a> {
    let mut query = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().expect("a parameter's name");
        if p["in"] == "path" {
            let slot = format!("{{{name}}}");
            assert!(
                path.contains(&slot),
                "{method} {path}: no {slot} in the path"
            );
        }
        if p["in"] == "query" && p["required"] == true && required {
            let value = match name {
                "fact" => "path(1,%202)",
                other => panic!("no example value for the required parameter `{other}`"),
            };
            query.push(format!("{name}={value}"));
        }
    }
    let mut url = path.replace("{cat}", cat);
    if !query.is_empty() {
        url = format!("{url}?{}", query.join("&"));
    }
    let content_type = op["requestBody"]["content"]
        .as_object()
        .and_then(|c| c.keys().next())
        .map(String::as_str);
    let body = match content_type {
        Some("application/json") => "[{\"src\": 20, \"dst\": 21}]",
        Some("text/csv") => "src,dst\n21,22\n",
        Some(other) => panic!("no example body of type {other}"),
        None => "",
    };
    Ask {
        method,
        url,
        content_type,
        body,
    }
}

/// Send `ask`; a stream (server-sent events) is read to its headers only
/// (an error reply to the end).
fn send(port: u16, ask: &Ask, stream: bool) -> Reply {
    let mut conn = Conn::open(port);
    let headers: Vec<(&str, &str)> = ask
        .content_type
        .map(|t| vec![("Content-Type", t)])
        .unwrap_or_default();
    conn.send(ask.method, &ask.url, &headers, ask.body.as_bytes());
    if !stream {
        return conn.receive();
    }
    let mut line = String::new();
    conn.reader.read_line(&mut line).expect("status line");
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut headers = Vec::new();
    loop {
        line.clear();
        conn.reader.read_line(&mut line).expect("header");
        let Some((n, v)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let mut body = String::new();
    if status != 200 {
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .expect("an error reply's length");
        let mut bytes = vec![0; length];
        conn.reader.read_exact(&mut bytes).expect("body");
        body = String::from_utf8_lossy(&bytes).into_owned();
    }
    Reply {
        status,
        headers,
        body,
    }
}

/// Check `reply` against what `op` declares for its status: the status
/// is declared, the content type is the declared one, and a JSON body
/// holds the required fields of the declared schema.
fn check(doc: &Value, op: &Value, what: &str, reply: &Reply) {
    let status = reply.status.to_string();
    let declared = &op["responses"][&status];
    let all: Vec<&String> = op["responses"]
        .as_object()
        .map(|r| r.keys().collect())
        .unwrap_or_default();
    assert!(
        declared.is_object(),
        "{what}: {status} is not declared ({all:?}): {}",
        reply.body
    );
    let Some(content) = declared["content"].as_object() else {
        return;
    };
    let got = reply
        .header("content-type")
        .and_then(|t| t.split(';').next())
        .unwrap_or("");
    let Some(media) = content.get(got) else {
        panic!(
            "{what}: content type `{got}`, declared {:?}",
            content.keys()
        );
    };
    if got != "application/json" {
        return;
    }
    let body: Value = serde_json::from_str(&reply.body)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", reply.body));
    let schema = match media["schema"]["$ref"].as_str() {
        Some(r) => {
            let name = r.rsplit('/').next().expect("a schema name");
            &doc["components"]["schemas"][name]
        }
        None => &media["schema"],
    };
    for field in schema["required"].as_array().into_iter().flatten() {
        let field = field.as_str().expect("a field name");
        assert!(
            body.get(field).is_some(),
            "{what}: `{field}` missing: {}",
            reply.body
        );
    }
}

#[test]
fn the_openapi_document_describes_what_the_service_answers() {
    let dir = tc_dir();
    let s = Server::start(dir.path(), "tc.fold", &[]);
    let doc = s.json("/openapi.json");
    let paths = doc["paths"].as_object().expect("paths");
    let methods = ["get", "post", "put", "patch", "delete", "head", "options"];
    let documented: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flat_map(|ops| ops.keys())
                .filter(|m| methods.contains(&m.as_str()))
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> = fold_serve::served()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        documented, served,
        "the routes served and the routes documented differ"
    );
    let mut checked = 0;
    for (method, path) in &documented {
        let op = &doc["paths"][path][method.to_lowercase()];
        let stream = op["responses"]["200"]["content"]["text/event-stream"].is_object();
        // Inserts go to the input category; reads ask the derived one.
        let cat = if method == "POST" { "edge" } else { "path" };
        let what = format!("{method} {path}");
        let good = ask(method, path, op, cat, true);
        let reply = send(s.port, &good, stream);
        assert!(
            (200..300).contains(&reply.status),
            "{what} ({}): {} {}",
            good.url,
            reply.status,
            reply.body
        );
        check(&doc, op, &what, &reply);
        checked += 1;
        if path.contains("{cat}") {
            let unknown = send(s.port, &ask(method, path, op, "nope", true), stream);
            assert_eq!(unknown.status, 404, "{what} of an unknown category");
            check(&doc, op, &format!("{what} (unknown category)"), &unknown);
            checked += 1;
        }
        let needs = op["parameters"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["required"] == true && p["in"] == "query")
        });
        if needs {
            let missing = send(s.port, &ask(method, path, op, cat, false), stream);
            assert_eq!(missing.status, 400, "{what} without its parameters");
            check(&doc, op, &format!("{what} (no parameters)"), &missing);
            checked += 1;
        }
    }
    eprintln!(
        "{} operations documented and served; {checked} requests checked against the document",
        documented.len()
    );
}
