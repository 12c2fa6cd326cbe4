//! `--format text|json`, as the commands that report in both take it.

/// How a command reports on standard output: for people, or as one JSON
/// object (each command's shape is in `schemas/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}
