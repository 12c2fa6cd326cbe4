//! An open document and what compiling it tells: diagnostics, the syntax
//! tree's names ([`Symbols`]), and where its comments are.

use std::path::PathBuf;

use fold_compiler::{compile_dialect, Compiled, Dialect};
use lsp_types::Uri;

use crate::symbols::Symbols;

pub struct Document {
    pub uri: Uri,
    pub text: String,
    pub dialect: Dialect,
    /// The compiled text, while it is current.
    analysis: Option<Analysis>,
}

pub struct Analysis {
    pub compiled: Compiled,
    /// Names of a fold program (empty for Soufflé, whose tree is a
    /// translation with spans into another text).
    pub symbols: Symbols,
}

impl Document {
    pub fn new(uri: Uri, text: String) -> Document {
        let dialect = match path_of(&uri) {
            Some(path) => Dialect::of_path(&path),
            None if uri.as_str().ends_with(".dl") => Dialect::Souffle,
            None => Dialect::Fold,
        };
        Document {
            uri,
            text,
            dialect,
            analysis: None,
        }
    }

    pub fn set_text(&mut self, text: String) {
        self.text = text;
        self.analysis = None;
    }

    /// The analysis of the current text, compiled on first use.
    pub fn analysis(&mut self) -> &Analysis {
        let (text, uri, dialect) = (&self.text, &self.uri, self.dialect);
        self.analysis.get_or_insert_with(|| {
            let dir = path_of(uri).and_then(|p| p.parent().map(|d| d.to_path_buf()));
            let compiled = compile_dialect(text, dir.as_deref(), dialect);
            let symbols = match dialect {
                Dialect::Fold => Symbols::build(&compiled.ast, text),
                Dialect::Souffle => Symbols::default(),
            };
            Analysis { compiled, symbols }
        })
    }
}

/// The file a `file://` URI names (percent escapes decoded).
pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&rest[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}
