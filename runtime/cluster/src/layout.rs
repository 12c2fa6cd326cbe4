//! Where a job's things live on the server: one work-queue stream per job
//! (chunk events, merge tasks, database events on three subjects, each
//! with its own durable consumer), one object store per job (chunks and
//! databases), and two key-value buckets shared by all jobs (manifests and
//! coordinator state; worker heartbeats, which expire).

/// The key-value bucket of manifests and coordinator state.
pub const JOBS_BUCKET: &str = "fold_jobs";
/// The key-value bucket of worker heartbeats (entries expire).
pub const WORKERS_BUCKET: &str = "fold_workers";
/// The durable consumer workers take chunk events from.
pub const CHUNKS_CONSUMER: &str = "chunks";
/// The durable consumer workers take merge tasks from.
pub const MERGES_CONSUMER: &str = "merges";
/// The durable consumer the coordinator takes database events from.
pub const DBS_CONSUMER: &str = "collector";

/// Whether `name` can name a job: letters, digits, `-` and `_` (it is part
/// of subjects, stream and bucket names).
pub fn valid_job_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The names of one job's stream, subjects, object store and keys.
#[derive(Clone, Debug)]
pub struct Job {
    pub name: String,
}

impl Job {
    pub fn new(name: &str) -> Result<Job, String> {
        if !valid_job_name(name) {
            return Err(format!(
                "`{name}` cannot name a job: use letters, digits, `-` and `_` (at most 64)"
            ));
        }
        Ok(Job {
            name: name.to_string(),
        })
    }
    pub fn stream(&self) -> String {
        format!("FOLD_{}", self.name)
    }
    pub fn subjects(&self) -> String {
        format!("fold.{}.>", self.name)
    }
    pub fn chunk_subject(&self) -> String {
        format!("fold.{}.chunk", self.name)
    }
    pub fn merge_subject(&self) -> String {
        format!("fold.{}.merge", self.name)
    }
    pub fn db_subject(&self) -> String {
        format!("fold.{}.db", self.name)
    }
    pub fn objects(&self) -> String {
        format!("fold_{}", self.name)
    }
    pub fn manifest_key(&self) -> String {
        format!("{}.manifest", self.name)
    }
    pub fn state_key(&self) -> String {
        format!("{}.state", self.name)
    }
    /// The key a chunk past its last delivery is recorded under.
    pub fn poison_key(&self, chunk: u32) -> String {
        format!("{}.poison.{chunk}", self.name)
    }
    pub fn poison_prefix(&self) -> String {
        format!("{}.poison.", self.name)
    }
}

/// The job a manifest key names.
pub fn job_of_manifest_key(key: &str) -> Option<&str> {
    key.strip_suffix(".manifest").filter(|j| valid_job_name(j))
}
