//! Diagnostics as data: every problem the compiler finds is a
//! [`Diagnostic`] with a stable [`Code`], pushed to a [`Sink`]. Nothing is
//! printed here; `render.rs` is the one place that formats them.

mod excerpt;
pub mod explain;
pub mod render;
pub mod suggest;
mod syntax;

pub use syntax::syntax_diagnostic;

use fold_grammar::ast::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($($name:ident = $code:literal, $sev:ident, $title:literal;)*) => {
        /// Every diagnostic the compiler can emit. The code string is stable:
        /// tools match on it, and each has a ui test that triggers it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($name),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code),* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev),* }
            }

            /// A one-line description, for `foldc explain-code` and docs.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title),* }
            }

            /// The long explanation (Markdown): what the code means, an
            /// example that triggers it and the fix, from
            /// `compiler/src/diag/codes/CODE.md` (see [`explain`]).
            pub fn explanation(self) -> &'static str {
                match self {
                    $(Code::$name => include_str!(concat!("codes/", $code, ".md"))),*
                }
            }

            /// Whether the parser reported it (the program's text does not
            /// parse), rather than a later check.
            pub fn is_syntax(self) -> bool {
                matches!(
                    self,
                    Code::SyntaxError
                        | Code::UnexpectedEnd
                        | Code::InvalidToken
                        | Code::IntTooLarge
                        | Code::TooDeep
                        | Code::SouffleSyntax
                )
            }
        }
    };
}

codes! {
    // Syntax.
    SyntaxError = "E0001", Error, "unexpected token";
    UnexpectedEnd = "E0002", Error, "unexpected end of file";
    InvalidToken = "E0003", Error, "text that is not a token";
    IntTooLarge = "E0004", Error, "integer literal out of range";
    TooDeep = "E0005", Error, "expressions nested too deeply";
    // Names and declarations.
    UnknownCategory = "E0100", Error, "unknown category";
    DuplicateCategory = "E0101", Error, "category declared twice";
    DuplicateRule = "E0102", Error, "rule name used twice";
    ArityMismatch = "E0103", Error, "wrong number of fields in an atom";
    UnknownType = "E0104", Error, "unknown field type";
    UnknownKeyField = "E0105", Error, "`key` or `keep` names a field the category lacks";
    BadKeep = "E0106", Error, "`keep` is not `min` or `max`, or has no `key`";
    DuplicateField = "E0107", Error, "field declared twice";
    // Types.
    TypeMismatch = "E0200", Error, "type mismatch";
    UnknownFunction = "E0201", Error, "unknown function";
    WrongArgCount = "E0202", Error, "wrong number of arguments";
    NoMatchingOverload = "E0203", Error, "no overload of a function takes these argument types";
    CannotInfer = "E0204", Error, "type cannot be inferred";
    // Variables and binding.
    UnboundVariable = "E0300", Error, "variable not bound by an atom, `let` or `for`";
    UsedBeforeBound = "E0301", Error, "variable used before its stage binds it";
    UnboundInNegation = "E0302", Error, "negated atom with unbound variables";
    MisplacedWildcard = "E0303", Error, "`_` outside an atom";
    AlreadyBound = "E0304", Error, "variable bound twice";
    BadAggregate = "E0305", Error, "malformed aggregate";
    // Stratification.
    NegationCycle = "E0400", Error, "cycle through negation or aggregation";
    // Rule structure.
    MissingOn = "E0500", Error, "lifecycle rule without a leading `on`";
    DuplicateOn = "E0501", Error, "lifecycle rule with more than one `on`";
    StageOrder = "E0502", Error, "stage out of lifecycle order";
    NoPositiveAtom = "E0503", Error, "rule without a positive atom to trigger it";
    NotAFact = "E0504", Error, "fact with non-constant arguments";
    BadPriority = "E0505", Error, "priority that is not a number of the data";
    // Examples.
    UnknownExampleTarget = "E0600", Error, "example names an unknown rule or category";
    BadExampleKind = "E0601", Error, "example kind is not hit, miss or near_miss";
    BadExampleFacts = "E0602", Error, "example facts do not fit the example kind";
    // The Soufflé front end (`.dl`).
    SouffleSyntax = "E0700", Error, "Soufflé text that does not parse";
    SouffleUnsupported = "E0701", Error, "Soufflé construct foldc does not run";
    SouffleBadIo = "E0702", Error, "Soufflé I/O directive foldc cannot follow";
    SouffleUnknownType = "E0703", Error, "unknown or ill-formed Soufflé type";

    BadSplitKey = "E0800", Error, "split key that names no field of an input category";
    NotDecomposable = "E0801", Error, "program that does not decompose on the split key";
    // Warnings.
    UnusedVariable = "W0001", Warning, "variable bound but never used";
    SingletonVariable = "W0002", Warning, "variable that occurs only once";
    UnusedCategory = "W0003", Warning, "category never used";
    MissingInput = "W0004", Warning, "input file missing";
    NoEffect = "W0005", Warning, "declaration that changes nothing";
    PrivateOutput = "W0006", Warning, "private category named as an output";
}

/// A labelled span.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// Where the problem is; the first label's span.
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub note: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            help: None,
            note: None,
        }
    }

    /// The text under the primary span.
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    pub fn also(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

/// Where diagnostics collect during compilation.
#[derive(Default, Debug)]
pub struct Sink {
    diagnostics: Vec<Diagnostic>,
}

impl Sink {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    /// All diagnostics, sorted by position, then code.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by(|a, b| {
            (a.primary.span.start, a.primary.span.end, a.code, &a.message).cmp(&(
                b.primary.span.start,
                b.primary.span.end,
                b.code,
                &b.message,
            ))
        });
        self.diagnostics.dedup();
        self.diagnostics
    }
}
