//! The records that travel through the server, as JSON: a job's manifest,
//! the events on its stream, the coordinator's state and the workers'
//! heartbeats. Everything read back is checked before use (a message is
//! input like any other).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How workers take a job's chunks.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// Chunk events per fetch at most.
    pub batch_size: usize,
    /// Non-empty fetches one local database absorbs before it is written
    /// out.
    pub batch_count: usize,
    /// How long a fetch waits for chunk events; an empty fetch means the
    /// queue drained.
    pub timeout_ms: u64,
    /// How long a delivered message stays with its worker without a sign
    /// of progress before the server delivers it again.
    pub ack_wait_ms: u64,
    /// Deliveries of one message at most; past it, a chunk is poison.
    pub max_deliver: i64,
}

/// One chunk of input: a piece of one CSV file, cut on a record boundary,
/// with the file's header line.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Chunk {
    pub n: u32,
    /// The category it is input of (`None`: a chunk without input, which
    /// runs the program's own facts).
    pub category: Option<String>,
    /// The object holding its CSV text.
    pub object: Option<String>,
    /// The file it was cut from.
    pub file: String,
    pub rows: u64,
    pub bytes: u64,
    /// CRC-32 of its CSV text.
    pub checksum: u32,
    /// In a sharded job: the inputs every shard gets whole, loaded once
    /// into each local database along with its first shard.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub whole: Vec<WholeInput>,
}

/// An input file given whole to every shard of a sharded job.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct WholeInput {
    pub category: String,
    /// The object holding its CSV text.
    pub object: String,
    /// The file it was read from.
    pub file: String,
    pub bytes: u64,
    /// CRC-32 of its CSV text.
    pub checksum: u32,
}

/// How a sharded job is split: one input's facts partitioned by one field
/// into `shards` chunks (one per shard, chunk `n` is shard `n`), every
/// other input whole.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SplitSpec {
    /// `CAT.FIELD`, as given to `submit --split`.
    pub key: String,
    pub shards: u32,
    /// Whether workers upload their databases too (so that `collect --db`
    /// can merge them); without it they upload sorted exports only.
    pub databases: bool,
    /// Whether shards hold ranges of key values in value order (jobs
    /// submitted before ranges were hash-partitioned): then workers cut
    /// their exports per shard and `collect` concatenates them.
    #[serde(default)]
    pub ranged: bool,
}

/// A job: the program, its fingerprint, the settings and every chunk
/// submitted so far. The program and fingerprint never change; a later
/// submit only appends chunks.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub job: String,
    /// The program's file name, as records and messages call it.
    pub program_name: String,
    pub source: String,
    pub fingerprint: String,
    pub settings: Settings,
    pub chunks: Vec<Chunk>,
    /// Present for a sharded job (`submit --split`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitSpec>,
}

impl Manifest {
    /// Every chunk number.
    pub fn chunk_set(&self) -> BTreeSet<u32> {
        self.chunks.iter().map(|c| c.n).collect()
    }
}

/// A database on the server: its object and the chunks it holds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DbRef {
    pub object: String,
    pub chunks: BTreeSet<u32>,
    /// The packed size (the cost of a merge follows the smaller side).
    pub bytes: u64,
    /// In a sharded job: the object holding the sorted exports of its
    /// public categories (what `collect --out` merges without a database
    /// merge). When the job uploads no databases, `object` names it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exports: Option<String>,
}

impl DbRef {
    /// Whether this database holds every chunk `other` holds.
    pub fn covers(&self, other: &DbRef) -> bool {
        other.chunks.is_subset(&self.chunks)
    }

    /// The objects it consists of on the server.
    pub fn objects(&self) -> Vec<String> {
        let mut names = vec![self.object.clone()];
        names.extend(self.exports.iter().filter(|e| **e != self.object).cloned());
        names
    }
}

/// The object name of the database over `chunks`: two databases over one
/// chunk set hold the same facts, so they may share a name.
pub fn db_object(chunks: &BTreeSet<u32>) -> String {
    format!("db.{}", chunk_set_hash(chunks))
}

/// A chunk set's name: the first 16 bytes of the SHA-256 of its numbers,
/// in hex.
fn chunk_set_hash(chunks: &BTreeSet<u32>) -> String {
    let mut hash = Sha256::new();
    for c in chunks {
        hash.update(c.to_le_bytes());
    }
    let digest = hash.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The object name of the sorted exports of the shards in `chunks`.
pub fn exports_object(chunks: &BTreeSet<u32>) -> String {
    format!("exports.{}", chunk_set_hash(chunks))
}

/// A database written and uploaded: the message on `fold.<J>.db`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DbEvent {
    pub db: DbRef,
    pub fingerprint: String,
    /// The two databases merged into it, if a merge made it.
    pub from: Option<(String, String)>,
    /// Facts per category (for status and the closing report).
    pub facts: u64,
    /// Which worker wrote it.
    pub worker: String,
}

/// A merge task: the message on `fold.<J>.merge`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MergeTask {
    pub a: DbRef,
    pub b: DbRef,
}

impl MergeTask {
    /// The chunk set its result holds.
    pub fn union(&self) -> BTreeSet<u32> {
        self.a.chunks.union(&self.b.chunks).copied().collect()
    }
    /// The deduplication id of its publish.
    pub fn msg_id(&self) -> String {
        format!("merge:{}+{}", self.a.object, self.b.object)
    }
}

/// The coordinator's state of a job, kept in the jobs bucket so that
/// `collect` can be restarted anywhere.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct State {
    /// Databases not yet merged into another.
    pub live: Vec<DbRef>,
    /// Merge tasks published whose result has not come back.
    pub merging: Vec<MergeTask>,
    /// Databases events dropped because another covered them.
    pub dropped: u64,
    /// Merges whose result came back.
    pub merged: u64,
}

impl State {
    /// Whether `object` is still needed (live or an input of a merge).
    pub fn references(&self, object: &str) -> bool {
        let holds = |d: &DbRef| d.object == object || d.exports.as_deref() == Some(object);
        self.live.iter().any(holds) || self.merging.iter().any(|t| holds(&t.a) || holds(&t.b))
    }

    /// Live databases with exports that together hold every chunk of
    /// `all` (a sharded job's shards, ready for the k-way merge), in
    /// object order.
    pub fn exports_cover(&self, all: &BTreeSet<u32>) -> Option<Vec<DbRef>> {
        let mut with: Vec<DbRef> = self
            .live
            .iter()
            .filter(|d| d.exports.is_some())
            .cloned()
            .collect();
        with.sort_by(|a, b| a.object.cmp(&b.object));
        let held: BTreeSet<u32> = with.iter().flat_map(|d| d.chunks.iter().copied()).collect();
        (!with.is_empty() && all.is_subset(&held)).then_some(with)
    }

    /// Whether a live database or a pending merge's result already holds
    /// every chunk of `db`.
    pub fn covered(&self, db: &DbRef) -> bool {
        self.live.iter().any(|d| d.covers(db))
            || self.merging.iter().any(|t| db.chunks.is_subset(&t.union()))
    }

    /// The one database holding every chunk of `all`, when the job is
    /// final: one live database, no merge outstanding.
    pub fn final_db(&self, all: &BTreeSet<u32>) -> Option<&DbRef> {
        match (self.live.as_slice(), self.merging.is_empty()) {
            ([only], true) if &only.chunks == all => Some(only),
            _ => None,
        }
    }
}

/// A worker's sign of life in the workers bucket (the entry expires).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Heartbeat {
    pub worker: String,
    pub host: String,
    pub pid: u32,
    /// What it is doing.
    pub doing: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Parse a record read from the server; `what` names it in the error.
pub fn parse<T: for<'a> Deserialize<'a>>(bytes: &[u8], what: &str) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("{what} is not a valid record: {e}"))
}

/// A record as JSON bytes.
pub fn to_bytes<T: Serialize>(record: &T) -> Vec<u8> {
    // Serializing these plain structs cannot fail (no maps with non-string
    // keys, no failing Serialize impls).
    serde_json::to_vec(record).unwrap_or_default()
}
