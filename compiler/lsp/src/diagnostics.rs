//! Compiler diagnostics as LSP diagnostics: the same code, message and
//! span as `foldc check`; the primary label, help and note in the
//! message; secondary labels as related information.

use fold_compiler::diag::{Diagnostic as FoldDiagnostic, Severity};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use crate::text::LineIndex;

pub fn convert(uri: &Uri, index: &LineIndex, d: &FoldDiagnostic) -> Diagnostic {
    let span = d.primary.span;
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() {
        message.push_str(&format!("\n{}", d.primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    if let Some(note) = &d.note {
        message.push_str(&format!("\nnote: {note}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(
                uri.clone(),
                index.range(l.span.start as usize, l.span.end as usize),
            ),
            message: l.message.clone(),
        })
        .collect();
    Diagnostic {
        range: index.range(span.start as usize, span.end as usize),
        severity: Some(match d.severity() {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("foldc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

/// The name a "did you mean `X`?" help suggests.
pub fn suggestion(d: &FoldDiagnostic) -> Option<String> {
    let help = d.help.as_deref()?;
    let at = help.find("did you mean `")? + "did you mean `".len();
    let rest = &help[at..];
    Some(rest[..rest.find('`')?].to_string())
}
