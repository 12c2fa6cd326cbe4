//! `foldc lsp`: the fold language server, over stdio.
//!
//! Synchronous: one thread reads messages and answers them in order
//! (`lsp-server` does the framing on two I/O threads of its own). Edits
//! are debounced: a change only marks its document stale, and the
//! document is compiled and its diagnostics published once no further
//! change has come for [`QUIET`], so an edit superseded while typing is
//! never compiled at all. Requests (hover, completion, ...) compile the
//! current text at once if it is stale.
//!
//! `.fold` documents get every feature; Soufflé `.dl` documents get
//! diagnostics and formatting is refused (no formatter for them).

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod diagnostics;
mod document;
mod features;
mod symbols;
mod text;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fold_compiler::Dialect;
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    References, Request as _, SemanticTokensFullRequest,
};
use lsp_types::*;
use serde_json::Value;

use document::Document;
use text::LineIndex;

/// How long the text must stay unchanged before it is compiled.
pub const QUIET: Duration = Duration::from_millis(100);

/// Serve one editor on stdin/stdout until it says `exit`.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    let capabilities = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    connection
        .initialize(capabilities)
        .map_err(|e| format!("the editor did not initialize the server: {e}"))?;
    let served = Server {
        connection: &connection,
        docs: HashMap::new(),
        stale: HashMap::new(),
    }
    .run();
    // The writer thread ends when the last sender is gone: drop the
    // connection before waiting for it, or the wait never ends.
    drop(connection);
    served?;
    io.join().map_err(|e| format!("stdio: {e}"))
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["(".into(), ",".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: SemanticTokensLegend {
                    token_types: features::TOKEN_TYPES.to_vec(),
                    token_modifiers: vec![],
                },
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                ..SemanticTokensOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

struct Server<'a> {
    connection: &'a Connection,
    docs: HashMap<Uri, Document>,
    /// Documents changed since their diagnostics were published, with
    /// when their last change came.
    stale: HashMap<Uri, Instant>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), String> {
        loop {
            let next = self.stale.values().min().map(|t| *t + QUIET);
            let message = match next {
                None => match self.connection.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                },
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(m) => m,
                        Err(crossbeam_timeout) if crossbeam_timeout.is_timeout() => {
                            self.publish_due();
                            continue;
                        }
                        Err(_) => return Ok(()),
                    }
                }
            };
            match message {
                Message::Request(req) => {
                    if self
                        .connection
                        .handle_shutdown(&req)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    let response = self.request(req);
                    self.send(Message::Response(response));
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, message: Message) {
        // The editor is gone if this fails; the loop ends at the next read.
        let _ = self.connection.sender.send(message);
    }

    /// Publish the diagnostics of every document quiet for long enough.
    fn publish_due(&mut self) {
        let now = Instant::now();
        let due: Vec<Uri> = self
            .stale
            .iter()
            .filter(|(_, t)| now.duration_since(**t) >= QUIET)
            .map(|(u, _)| u.clone())
            .collect();
        for uri in due {
            self.stale.remove(&uri);
            self.publish(&uri);
        }
    }

    fn publish(&mut self, uri: &Uri) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        let text = doc.text.clone();
        let analysis = doc.analysis();
        // A Soufflé program's diagnostics point into its text after
        // `#include`s when it has any.
        let shown = analysis
            .compiled
            .expanded_source
            .as_deref()
            .unwrap_or(&text);
        let index = LineIndex::new(shown);
        let diagnostics = analysis
            .compiled
            .diagnostics
            .iter()
            .map(|d| diagnostics::convert(uri, &index, d))
            .collect();
        let params = PublishDiagnosticsParams::new(uri.clone(), diagnostics, None);
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.docs.insert(
                        uri.clone(),
                        Document::new(uri.clone(), p.text_document.text),
                    );
                    // Opening is not typing: diagnostics at once.
                    self.stale.remove(&uri);
                    self.publish(&uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    // Full sync: the last change holds the whole text.
                    if let (Some(doc), Some(change)) = (
                        self.docs.get_mut(&uri),
                        p.content_changes.into_iter().last(),
                    ) {
                        doc.set_text(change.text);
                        self.stale.insert(uri, Instant::now());
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.docs.remove(&uri);
                    self.stale.remove(&uri);
                    let params = PublishDiagnosticsParams::new(uri, Vec::new(), None);
                    self.send(Message::Notification(Notification::new(
                        PublishDiagnostics::METHOD.to_string(),
                        params,
                    )));
                }
            }
            _ => {}
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match self.answer(req) {
            Ok(value) => Response::new_ok(id, value),
            Err(message) => {
                Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, message)
            }
        }
    }

    /// The document a request is about, and the byte offset it points at.
    fn locate(
        &mut self,
        uri: &Uri,
        at: Option<Position>,
    ) -> Result<(&mut Document, usize), String> {
        let doc = self
            .docs
            .get_mut(uri)
            .ok_or_else(|| format!("`{}` is not open", uri.as_str()))?;
        let offset = at.map_or(0, |p| LineIndex::new(&doc.text).offset(p));
        Ok((doc, offset))
    }

    fn answer(&mut self, req: Request) -> Result<Value, String> {
        let to_json = |v: Result<Value, serde_json::Error>| v.map_err(|e| e.to_string());
        let params = req.params;
        let parse = |e: serde_json::Error| format!("bad parameters for `{}`: {e}", req.method);
        match req.method.as_str() {
            HoverRequest::METHOD => {
                let p: HoverParams = serde_json::from_value(params).map_err(parse)?;
                let tp = p.text_document_position_params;
                let (doc, offset) = self.locate(&tp.text_document.uri, Some(tp.position))?;
                if doc.dialect != Dialect::Fold {
                    return Ok(Value::Null);
                }
                let hover = features::hover(doc.analysis(), offset).map(|text| Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: text,
                    }),
                    range: None,
                });
                to_json(serde_json::to_value(hover))
            }
            GotoDefinition::METHOD => {
                let p: GotoDefinitionParams = serde_json::from_value(params).map_err(parse)?;
                let tp = p.text_document_position_params;
                let uri = tp.text_document.uri.clone();
                let (doc, offset) = self.locate(&uri, Some(tp.position))?;
                if doc.dialect != Dialect::Fold {
                    return Ok(Value::Null);
                }
                let text = doc.text.clone();
                let span = features::definition(doc.analysis(), offset);
                let index = LineIndex::new(&text);
                let location = span.map(|s| {
                    GotoDefinitionResponse::Scalar(Location::new(
                        uri,
                        index.range(s.start as usize, s.end as usize),
                    ))
                });
                to_json(serde_json::to_value(location))
            }
            References::METHOD => {
                let p: ReferenceParams = serde_json::from_value(params).map_err(parse)?;
                let tp = p.text_document_position;
                let uri = tp.text_document.uri.clone();
                let (doc, offset) = self.locate(&uri, Some(tp.position))?;
                if doc.dialect != Dialect::Fold {
                    return Ok(Value::Null);
                }
                let text = doc.text.clone();
                let spans =
                    features::references(doc.analysis(), offset, p.context.include_declaration);
                let index = LineIndex::new(&text);
                let locations: Vec<Location> = spans
                    .into_iter()
                    .map(|s| {
                        Location::new(uri.clone(), index.range(s.start as usize, s.end as usize))
                    })
                    .collect();
                to_json(serde_json::to_value(locations))
            }
            Completion::METHOD => {
                let p: CompletionParams = serde_json::from_value(params).map_err(parse)?;
                let tp = p.text_document_position;
                let (doc, offset) = self.locate(&tp.text_document.uri, Some(tp.position))?;
                if doc.dialect != Dialect::Fold {
                    return Ok(Value::Null);
                }
                let text = doc.text.clone();
                let items = features::completion(doc.analysis(), &text, offset);
                to_json(serde_json::to_value(CompletionResponse::Array(items)))
            }
            DocumentSymbolRequest::METHOD => {
                let p: DocumentSymbolParams = serde_json::from_value(params).map_err(parse)?;
                let (doc, _) = self.locate(&p.text_document.uri, None)?;
                if doc.dialect != Dialect::Fold {
                    return Ok(Value::Null);
                }
                let text = doc.text.clone();
                let symbols = features::document_symbols(doc.analysis(), &LineIndex::new(&text));
                to_json(serde_json::to_value(DocumentSymbolResponse::Nested(
                    symbols,
                )))
            }
            CodeActionRequest::METHOD => {
                let p: CodeActionParams = serde_json::from_value(params).map_err(parse)?;
                let uri = p.text_document.uri.clone();
                let (doc, _) = self.locate(&uri, None)?;
                let text = doc.text.clone();
                if doc.dialect != Dialect::Fold {
                    return Ok(Value::Null);
                }
                let actions = features::code_actions(
                    doc.analysis(),
                    &uri,
                    &LineIndex::new(&text),
                    &text,
                    p.range,
                );
                to_json(serde_json::to_value(actions))
            }
            SemanticTokensFullRequest::METHOD => {
                let p: SemanticTokensParams = serde_json::from_value(params).map_err(parse)?;
                let (doc, _) = self.locate(&p.text_document.uri, None)?;
                if doc.dialect != Dialect::Fold {
                    return Ok(Value::Null);
                }
                let text = doc.text.clone();
                let data = features::semantic_tokens(doc.analysis(), &text, &LineIndex::new(&text));
                to_json(serde_json::to_value(SemanticTokensResult::Tokens(
                    SemanticTokens {
                        result_id: None,
                        data,
                    },
                )))
            }
            Formatting::METHOD => {
                let p: DocumentFormattingParams = serde_json::from_value(params).map_err(parse)?;
                let (doc, _) = self.locate(&p.text_document.uri, None)?;
                if doc.dialect != Dialect::Fold {
                    return Err("foldc formats fold programs, not Soufflé".into());
                }
                // A program with syntax errors is left as it is.
                let edits = features::formatting(&doc.text, &LineIndex::new(&doc.text));
                to_json(serde_json::to_value(edits))
            }
            other => Err(format!("foldc lsp does not answer `{other}`")),
        }
    }
}
