//! Which input files a workload runs on, and the directory each run reads:
//! `CAT.csv` for every input category (a symlink to the shared file, or a
//! generated file) plus the fold program `WORKLOAD.fold` beside them.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::ValueEnum;

use crate::gen;
use crate::workload::Spec;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Size {
    /// Quick smoke run: generated tc 1000 nodes/2000 edges, generated sg tree
    /// of 4000 nodes, cspa10k, csda10k.
    Small,
    /// The shared inputs: tc-random-2000-4000, sg-tree-10000, cspa10k, csda100k.
    Medium,
    /// Generated tc 4000 nodes/8000 edges, generated sg tree of 15000 nodes,
    /// cspa100k, csda100k.
    Large,
}

pub struct DataOpts {
    /// The shared data folder (holds `bench/`, `cspa/`, `csda/`).
    pub data_root: PathBuf,
    /// Where run directories are made.
    pub work_root: PathBuf,
    pub size: Size,
    /// Custom generated size for tc (nodes, edges) and sg (nodes).
    pub nodes: Option<u64>,
    pub edges: Option<u64>,
    pub seed: u64,
}

/// A prepared run directory.
pub struct Dataset {
    /// Human-readable name of the input, e.g. `cspa10k` or `gen 4000n/8000e`.
    pub label: String,
    pub dir: PathBuf,
    pub program: PathBuf,
    /// Expected fact count of each output (spec order), where known.
    pub expected: Option<Vec<u64>>,
}

enum Source {
    /// Shared files: one relative path (under `data_root`) per input category.
    Shared(&'static str, &'static [&'static str], &'static [u64]),
    Graph {
        nodes: u64,
        edges: u64,
    },
    Tree {
        nodes: u64,
    },
}

/// Fact counts of the generated presets with the default seed (measured with
/// every peer agreeing); other sizes are checked by agreement between engines.
const KNOWN_GENERATED: &[(&str, u64, u64, u64)] = &[
    // (workload, nodes, edges, output facts)
    ("tc", 1000, 2000, 621_724),
    ("tc", 4000, 8000, 10_294_627),
    ("sg", 4000, 0, 1_399_150),
    ("sg", 15000, 0, 23_185_130),
    ("sg", 20000, 0, 39_061_924),
];

fn source(spec: &Spec, opts: &DataOpts) -> Result<Source, String> {
    let custom = opts.nodes;
    let src = match (spec.name, opts.size, custom) {
        ("tc", _, Some(nodes)) => Source::Graph {
            nodes,
            edges: opts.edges.unwrap_or(2 * nodes),
        },
        ("tc", Size::Small, None) => Source::Graph {
            nodes: 1000,
            edges: 2000,
        },
        ("tc", Size::Medium, None) => Source::Shared(
            "tc-random-2000-4000",
            &["bench/tc-random-2000-4000.csv"],
            &[2_502_565],
        ),
        ("tc", Size::Large, None) => Source::Graph {
            nodes: 4000,
            edges: 8000,
        },
        ("sg", _, Some(nodes)) => Source::Tree { nodes },
        ("sg", Size::Small, None) => Source::Tree { nodes: 4000 },
        ("sg", Size::Medium, None) => {
            Source::Shared("sg-tree-10000", &["bench/sg-tree-10000.csv"], &[9_142_212])
        }
        ("sg", Size::Large, None) => Source::Tree { nodes: 15000 },
        ("cspa", Size::Small | Size::Medium, _) => Source::Shared(
            "cspa10k",
            &["cspa/cspa10k/assign.csv", "cspa/cspa10k/dereference.csv"],
            &[30_152, 112_761, 384_485],
        ),
        ("cspa", Size::Large, _) => Source::Shared(
            "cspa100k",
            &["cspa/cspa100k/assign.csv", "cspa/cspa100k/dereference.csv"],
            &[303_801, 1_515_902, 5_003_241],
        ),
        ("csda", Size::Small, _) => Source::Shared(
            "csda10k",
            &["csda/csda10k/arc.csv", "csda/csda10k/null_edge.csv"],
            &[12_456],
        ),
        ("csda", Size::Medium | Size::Large, _) => Source::Shared(
            "csda100k",
            &["csda/csda100k/arc.csv", "csda/csda100k/null_edge.csv"],
            &[170_698],
        ),
        (name, _, _) => return Err(format!("no inputs are defined for workload {name}")),
    };
    Ok(src)
}

/// Makes (or refreshes) the run directory of `spec` at the chosen size.
pub fn prepare(spec: &Spec, opts: &DataOpts) -> Result<Dataset, String> {
    let io = |what: &str, p: &Path, e: std::io::Error| format!("{what} {}: {e}", p.display());
    let src = source(spec, opts)?;
    let (tag, label, expected) = match &src {
        Source::Shared(tag, _, counts) => (tag.to_string(), tag.to_string(), Some(counts.to_vec())),
        Source::Graph { nodes, edges } => (
            format!("gen-n{nodes}-m{edges}-s{:x}", opts.seed),
            format!("gen {nodes}n/{edges}e"),
            known(spec.name, *nodes, *edges, opts.seed),
        ),
        Source::Tree { nodes } => (
            format!("gen-n{nodes}-s{:x}", opts.seed),
            format!("gen tree {nodes}n"),
            known(spec.name, *nodes, 0, opts.seed),
        ),
    };
    let dir = opts.work_root.join(format!("{}-{tag}", spec.name));
    std::fs::create_dir_all(&dir).map_err(|e| io("cannot create", &dir, e))?;
    match src {
        Source::Shared(_, files, _) => {
            let root = opts.data_root.canonicalize().map_err(|e| {
                format!(
                    "no shared data at {} (pass --data DIR): {e}",
                    opts.data_root.display()
                )
            })?;
            for (cat, rel) in spec.inputs.iter().zip(files) {
                let target = root.join(rel);
                if !target.is_file() {
                    return Err(format!("missing input {}", target.display()));
                }
                let link = dir.join(format!("{cat}.csv"));
                let _ = std::fs::remove_file(&link);
                std::os::unix::fs::symlink(&target, &link)
                    .map_err(|e| io("cannot link", &link, e))?;
            }
        }
        Source::Graph { nodes, edges } => {
            generate(spec, &dir, nodes, Some(edges), opts.seed)?;
        }
        Source::Tree { nodes } => generate(spec, &dir, nodes, None, opts.seed)?,
    }
    let program = dir.join(format!("{}.fold", spec.name));
    std::fs::write(&program, spec.program).map_err(|e| io("cannot write", &program, e))?;
    Ok(Dataset {
        label,
        dir,
        program,
        expected,
    })
}

/// Writes the generated input of `spec` into `dir` by running `fold-bench gen`
/// as a child: the harness itself never holds the rows, so its memory
/// high-water mark (which every child's `ru_maxrss` starts from) stays small.
fn generate(
    spec: &Spec,
    dir: &Path,
    nodes: u64,
    edges: Option<u64>,
    seed: u64,
) -> Result<(), String> {
    // Generated workloads have exactly one input category.
    let path = dir.join(format!("{}.csv", spec.inputs[0]));
    let exe = std::env::current_exe().map_err(|e| format!("cannot find fold-bench itself: {e}"))?;
    let mut cmd = Command::new(exe);
    cmd.args(["gen", spec.name, "--nodes", &nodes.to_string()])
        .args(["--seed", &seed.to_string()])
        .arg("--out")
        .arg(&path);
    if let Some(edges) = edges {
        cmd.args(["--edges", &edges.to_string()]);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run fold-bench gen: {e}"))?;
    if !status.success() {
        return Err(format!("generating {} failed ({status})", path.display()));
    }
    Ok(())
}

fn known(workload: &str, nodes: u64, edges: u64, seed: u64) -> Option<Vec<u64>> {
    if seed != gen::SEED {
        return None;
    }
    KNOWN_GENERATED
        .iter()
        .find(|k| k.0 == workload && k.1 == nodes && k.2 == edges)
        .map(|k| vec![k.3])
}
