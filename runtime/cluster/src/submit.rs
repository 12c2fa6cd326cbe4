//! `foldc submit`: a job's inputs as chunks on the server, its manifest,
//! and one chunk event per chunk on the job's work queue.
//!
//! The chunk objects go first, then the manifest (created, or for a job
//! submitted before, extended by compare-and-set), then the events, each
//! with the deduplication id `<job>:chunk:<n>`: a submit that is run again
//! after a failure publishes nothing twice.

use std::path::{Path, PathBuf};

use crate::layout::Job;
use fold_compiler::check::split::SplitKey;
use fold_runtime::plan::{CatId, Plan};

use crate::manifest::{self, Chunk, Manifest, Settings, SplitSpec, WholeInput};
use crate::nats::{self, Conn};
use crate::program;
use crate::shard;
use crate::split::{split_csv, Piece};

/// What to submit.
pub struct SubmitOptions {
    pub program: PathBuf,
    pub server: String,
    /// The job's name (default: the program's file stem).
    pub job: Option<String>,
    /// `CAT=FILE` replacing the program's `input` lines for CAT.
    pub inputs: Vec<String>,
    /// Records per chunk at most.
    pub chunk_rows: usize,
    pub settings: Settings,
    /// `CAT.FIELD`: run as a sharded job split on this key.
    pub split: Option<String>,
    /// Shards of a sharded job.
    pub shards: u32,
    /// Run a program that does not decompose on `split` as a general job
    /// instead of refusing it.
    pub general: bool,
    /// In a sharded job, upload each worker's database too (for
    /// `collect --db`).
    pub databases: bool,
}

/// What a submit did.
#[derive(Debug)]
pub struct Submitted {
    pub job: String,
    /// The chunks added by this submit.
    pub chunks: Vec<Chunk>,
    /// Whether the job existed (this submit added input to it).
    pub extended: bool,
    /// The job's shards (0: a general job).
    pub shards: u32,
    /// Why a program submitted with `--split --general` runs as a general
    /// job.
    pub general_because: Option<String>,
}

/// Submit a job (see the module docs).
pub fn submit(opts: &SubmitOptions) -> Result<Submitted, String> {
    let (source, name) = read_program(&opts.program)?;
    let dir = opts.program.parent().map(|d| {
        if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        }
    });
    let located = fold_compiler::compile(&source, dir);
    let Some(plan) = &located.plan else {
        // Compile again without a folder for the same error list.
        return Err(program::compile(&source, &name)
            .err()
            .unwrap_or_else(|| format!("`{name}` has errors; nothing was submitted")));
    };
    let compiled = program::compile(&source, &name)?;
    let mut general_because = None;
    let split = match &opts.split {
        None => None,
        Some(key) => match shard::check(&located, &source, &name, key) {
            Ok(k) => Some((key.clone(), k)),
            Err(shard::Refused::NotDecomposable(why)) if opts.general => {
                general_because = Some(why);
                None
            }
            Err(shard::Refused::NotDecomposable(why) | shard::Refused::BadKey(why)) => {
                return Err(why)
            }
        },
    };
    let inputs = inputs(plan, &opts.inputs)?;
    let job_name = match &opts.job {
        Some(j) => j.clone(),
        None => opts
            .program
            .file_stem()
            .map(|s| {
                s.to_string_lossy().replace(
                    |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_',
                    "_",
                )
            })
            .unwrap_or_else(|| "job".to_string()),
    };
    let job = Job::new(&job_name)?;
    for (cat, path) in &inputs {
        let category = plan.category(*cat);
        if category.private {
            return Err(format!(
                "`{}` is private: its facts never travel between workers, so its input `{}` \
                 cannot be submitted (drop `private`, or derive it from public input)",
                category.name,
                path.display()
            ));
        }
    }
    // Cut every file before anything goes to the server.
    let (pieces, whole) = match &split {
        None => (chunk_pieces(plan, &inputs, opts.chunk_rows)?, Vec::new()),
        Some((_, key)) => shard_pieces(plan, &inputs, *key, opts.shards)?,
    };
    crate::block_on(async {
        let conn = nats::connect(&opts.server).await?;
        let existing = nats::manifest(&conn, &job).await?;
        if let Some((m, _)) = &existing {
            if m.split.is_some() || split.is_some() {
                return Err(format!(
                    "job `{}` exists; a sharded job takes all its input at once (every \
                     record of one key must land on one shard), so it cannot be extended \
                     and a job cannot become sharded: name a new job with --job",
                    job.name
                ));
            }
        }
        let settings = match &existing {
            Some((m, _)) => {
                if m.fingerprint != compiled.fingerprint {
                    return Err(format!(
                        "job `{}` runs another program (fingerprint {}, this one {}); name \
                         another job with --job",
                        job.name, m.fingerprint, compiled.fingerprint
                    ));
                }
                m.settings.clone()
            }
            None => opts.settings.clone(),
        };
        let handles = nats::open_job(&conn, &job, &settings).await?;
        let first = existing
            .as_ref()
            .and_then(|(m, _)| m.chunks.iter().map(|c| c.n + 1).max())
            .unwrap_or(0);
        let mut whole_refs = Vec::new();
        for (i, (category, path, bytes)) in whole.iter().enumerate() {
            let object = format!("whole.{i}");
            let mut reader: &[u8] = bytes;
            handles
                .objects
                .put(object.as_str(), &mut reader)
                .await
                .map_err(|e| format!("cannot store `{}`: {e}", path.display()))?;
            whole_refs.push(WholeInput {
                category: category.clone(),
                object,
                file: path.display().to_string(),
                bytes: bytes.len() as u64,
                checksum: crc32fast::hash(bytes),
            });
        }
        let mut chunks = Vec::new();
        for (i, (category, path, piece)) in pieces.iter().enumerate() {
            let n = first + i as u32;
            let object = format!("chunk.{n}");
            let mut reader: &[u8] = &piece.bytes;
            handles
                .objects
                .put(object.as_str(), &mut reader)
                .await
                .map_err(|e| format!("cannot store chunk {n} of `{path}`: {e}"))?;
            chunks.push(Chunk {
                n,
                category: Some(category.clone()),
                object: Some(object),
                file: path.clone(),
                rows: piece.rows,
                bytes: piece.bytes.len() as u64,
                checksum: crc32fast::hash(&piece.bytes),
                whole: whole_refs.clone(),
            });
        }
        if chunks.is_empty() && existing.is_none() {
            // No input: one chunk runs the program's own facts.
            chunks.push(Chunk {
                n: 0,
                category: None,
                object: None,
                file: String::new(),
                rows: 0,
                bytes: 0,
                checksum: 0,
                whole: Vec::new(),
            });
        }
        let extended = existing.is_some();
        let spec = split.as_ref().map(|(key, _)| SplitSpec {
            key: key.clone(),
            shards: opts.shards.max(1),
            databases: opts.databases,
            ranged: true,
        });
        record_manifest(
            &conn,
            &job,
            existing,
            &name,
            &source,
            &compiled.fingerprint,
            settings,
            &chunks,
            spec.clone(),
        )
        .await?;
        for chunk in &chunks {
            nats::publish(
                &conn,
                job.chunk_subject(),
                &format!("{}:chunk:{}", job.name, chunk.n),
                manifest::to_bytes(chunk),
            )
            .await?;
        }
        Ok(Submitted {
            job: job.name.clone(),
            chunks,
            extended,
            shards: spec.map(|s| s.shards).unwrap_or(0),
            general_because,
        })
    })
}

#[allow(clippy::too_many_arguments)]
async fn record_manifest(
    conn: &Conn,
    job: &Job,
    existing: Option<(Manifest, u64)>,
    name: &str,
    source: &str,
    fingerprint: &str,
    settings: Settings,
    chunks: &[Chunk],
    split: Option<SplitSpec>,
) -> Result<(), String> {
    match existing {
        None => {
            let m = Manifest {
                job: job.name.clone(),
                program_name: name.to_string(),
                source: source.to_string(),
                fingerprint: fingerprint.to_string(),
                settings,
                chunks: chunks.to_vec(),
                split,
            };
            conn.jobs
                .create(job.manifest_key(), manifest::to_bytes(&m).into())
                .await
                .map_err(|e| {
                    format!(
                        "cannot record the manifest of job `{}` (submitted twice at once?): {e}",
                        job.name
                    )
                })?;
        }
        Some((mut m, revision)) => {
            m.chunks.extend_from_slice(chunks);
            conn.jobs
                .update(job.manifest_key(), manifest::to_bytes(&m).into(), revision)
                .await
                .map_err(|e| {
                    format!(
                        "cannot extend the manifest of job `{}` (submitted twice at once?): {e}",
                        job.name
                    )
                })?;
        }
    }
    Ok(())
}

/// The program's text (without a byte order mark) and its file name.
pub fn read_program(path: &Path) -> Result<(String, String), String> {
    let mut src = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if let Some(rest) = src.strip_prefix('\u{feff}') {
        src = rest.to_string();
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok((src, name))
}

/// The plan's inputs, with `CAT=FILE` replacing a category's files (as
/// `foldc run --input` does).
fn inputs(
    plan: &fold_runtime::plan::Plan,
    overrides: &[String],
) -> Result<Vec<(fold_runtime::plan::CatId, PathBuf)>, String> {
    let mut replaced = Vec::new();
    for o in overrides {
        let Some((name, file)) = o.split_once('=') else {
            return Err(format!("`--input {o}`: expected CAT=FILE"));
        };
        let Some(cat) = plan.category_named(name.trim()) else {
            return Err(format!("`--input {o}`: no category `{name}`"));
        };
        if file.is_empty() {
            return Err(format!("`--input {o}`: no file after `=`"));
        }
        replaced.push((cat, PathBuf::from(file)));
    }
    let mut out: Vec<_> = plan
        .inputs
        .iter()
        .filter(|i| !replaced.iter().any(|(c, _)| *c == i.cat))
        .map(|i| (i.cat, i.path.clone()))
        .collect();
    out.extend(replaced);
    Ok(out)
}

/// Pieces to submit: `(category, file, piece)`.
type Pieces = Vec<(String, String, Piece)>;

/// A general job's chunks: every input file cut into pieces of at most
/// `rows` records.
fn chunk_pieces(plan: &Plan, inputs: &[(CatId, PathBuf)], rows: usize) -> Result<Pieces, String> {
    let mut pieces = Vec::new();
    for (cat, path) in inputs {
        let data =
            std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        for piece in split_csv(&data, rows, &path.display().to_string())? {
            pieces.push((
                plan.category(*cat).name.clone(),
                path.display().to_string(),
                piece,
            ));
        }
    }
    Ok(pieces)
}

/// A sharded job's chunks, one per shard of the split input, and the
/// other inputs' files, given whole to every shard: `(category, file,
/// bytes)`.
#[allow(clippy::type_complexity)]
fn shard_pieces(
    plan: &Plan,
    inputs: &[(CatId, PathBuf)],
    key: SplitKey,
    shards: u32,
) -> Result<(Pieces, Vec<(String, PathBuf, Vec<u8>)>), String> {
    let split_files: Vec<PathBuf> = inputs
        .iter()
        .filter(|(c, _)| *c == key.cat)
        .map(|(_, p)| p.clone())
        .collect();
    let name = plan.category(key.cat).name.clone();
    let pieces = shard::partition(plan, key.cat, key.field, &split_files, shards)?
        .into_iter()
        .enumerate()
        .map(|(s, piece)| (name.clone(), shard::shard_file(&name, s as u32), piece))
        .collect();
    let mut whole = Vec::new();
    for (cat, path) in inputs.iter().filter(|(c, _)| *c != key.cat) {
        let data =
            std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        whole.push((plan.category(*cat).name.clone(), path.clone(), data));
    }
    Ok((pieces, whole))
}
