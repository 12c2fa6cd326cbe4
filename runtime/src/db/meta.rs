//! The two small records of a database: which program wrote it, and the
//! state of its last checkpoint. Both are JSON (readable with any sled
//! tool, a few kilobytes); the bulk of a database is packed blocks.

use serde::{Deserialize, Serialize};

use crate::exec::invalidate::Seen;
use crate::exec::stats::{labels, HandlerLabel, Stats};
use crate::exec::timings::Timings;
use crate::plan::finds::rule_finds;
use crate::plan::print::print_plan;
use crate::plan::{Plan, Rule, RuleId};

/// The layout version written by this foldc for a new database: 2 added
/// merged facts' origin ([`crate::exec::origin::Origin::Merged`]) and the
/// merge records; 3 keeps the blocks in segment files beside sled, sled
/// holding where each lies ([`super::segments`]).
pub const FORMAT: u32 = 3;
/// The format from which blocks are in segment files.
pub const SEGMENTS_FORMAT: u32 = 3;
/// The oldest layout this foldc reads. Format 2 only added cases to 1, so
/// a database of format 1 or 2 is read as it is and written on as format
/// 2, its blocks staying in sled.
pub const OLDEST_FORMAT: u32 = 1;

/// Which program a database belongs to, and enough of it to print stats
/// without the program.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ProgramMeta {
    /// The format version the database was written in (at most `FORMAT`).
    pub format: u32,
    /// The program's path as given on the command line.
    pub program: String,
    /// [`fingerprint`] of its plan.
    pub fingerprint: String,
    /// Category names, by id.
    pub categories: Vec<String>,
    /// Rule, position and trigger of every handler, by id.
    pub handlers: Vec<HandlerLabel>,
    /// The categories each rule finds, by rule id (empty in a database
    /// written before foldc recorded them).
    #[serde(default)]
    pub finds: Vec<RuleFinds>,
}

/// The categories one rule finds facts of (its edges out in the event
/// graph of `foldc report`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RuleFinds {
    /// The rule's name, as in [`HandlerLabel::rule`].
    pub rule: String,
    /// Category names, each once.
    pub categories: Vec<String>,
}

impl ProgramMeta {
    /// The record for `plan`, compiled from the program at path `program`
    /// (as given on the command line).
    pub(crate) fn new(plan: &Plan, program: &str) -> ProgramMeta {
        ProgramMeta {
            format: FORMAT,
            program: program.to_string(),
            fingerprint: fingerprint(plan),
            categories: plan.categories.iter().map(|c| c.name.clone()).collect(),
            handlers: labels(plan),
            finds: plan
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| RuleFinds {
                    rule: r.name.clone(),
                    categories: rule_finds(plan, RuleId(i as u32))
                        .into_iter()
                        .map(|c| plan.category(c).name.clone())
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Everything of a run that is not a block: saved with every checkpoint.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct StateMeta {
    /// Checkpoints written so far (this one included).
    pub checkpoint: u64,
    /// The run that wrote it finished (no pending events).
    pub complete: bool,
    /// Per category: rows (fact blocks cover exactly `0..rows`).
    pub rows: Vec<u32>,
    /// Per category: given facts logged (given blocks cover `0..given`).
    pub given: Vec<u32>,
    /// Per category: resets so far.
    pub generation: Vec<u32>,
    /// Per stratum: its basis (see [`crate::exec::invalidate`]).
    pub basis: Vec<Option<Vec<Seen>>>,
    /// Per handler: the next trigger row not yet scheduled.
    pub watermarks: Vec<u32>,
    /// Per handler: queued prioritized events (the `q` record's length).
    pub queued: Vec<u32>,
    /// The lifecycle counters of the whole history of runs.
    pub stats: Stats,
    /// Time spent per handler and stratum over the same history (empty
    /// in a database written before foldc recorded it).
    #[serde(default)]
    pub timings: Timings,
    /// Input files, by the id provenance uses.
    pub files: Vec<String>,
    /// Strings in the symbol tables.
    pub strings: u32,
    /// Lists in the symbol tables.
    pub lists: u32,
    /// The list types symbol entries refer to (see `symbols`).
    pub list_types: Vec<String>,
}

/// A hash of the program's meaning: the printed plan of its categories,
/// strata, rules and handlers, without what does not change the facts a
/// run derives or how it derives them (rule names and lines, inputs,
/// outputs, program facts, examples). Comments, formatting and moving
/// rules up or down a line leave it unchanged; new program facts and
/// other input files are new input, not a new program.
pub fn fingerprint(plan: &Plan) -> String {
    let canonical = Plan {
        categories: plan.categories.clone(),
        rules: plan
            .rules
            .iter()
            .map(|r| Rule {
                name: String::new(),
                line: 0,
                ..r.clone()
            })
            .collect(),
        handlers: plan.handlers.clone(),
        strata: plan.strata.clone(),
        ..Plan::default()
    };
    // A join marked `exists` runs its body once instead of once per row:
    // how facts are found, not which. Printed as a plain join, a program
    // keeps the fingerprint it had before foldc marked existence checks,
    // so its databases stay its own.
    let printed = print_plan(&canonical);
    let text: String = printed
        .split_inclusive('\n')
        .map(|line| {
            let op = line.trim_start();
            match op.strip_prefix("exists ") {
                Some(rest) => format!("{}join {rest}", &line[..line.len() - op.len()]),
                None => line.to_string(),
            }
        })
        .collect();
    format!("{:016x}", fnv1a(text.as_bytes()))
}

/// 64-bit FNV-1a: tiny, and fixed forever (a library hash may change
/// between versions, which would orphan every database).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_published_function() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
