//! A damage campaign: every file of a database (sled's log, snapshot and
//! configuration, the manifest, the segment files of blocks, the saved
//! tables) gets byte flips, truncations and deletion, over a fixed seed,
//! and every read command (`run`, `export`, `stats`, `explain`) is run on
//! each damaged copy. Each must either report the damage (exit 1, naming
//! the database, no panic) or give exactly the output of the undamaged
//! database (the damage was in something unused, or in a cache it
//! rebuilt): never different output read as good data.

mod common;

use std::path::{Path, PathBuf};

use common::{foldc, ok, text, TC};

/// A fixed-seed generator (xorshift64*): the campaign is the same on
/// every run, so a failure can be reproduced.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[derive(Debug, Clone)]
enum Damage {
    Flip { at: u64, bit: u8 },
    Truncate { to: u64 },
    Delete,
}

/// The commands run on each damaged database, with what they print (or
/// write) as the output compared with the undamaged one's.
const COMMANDS: [&str; 4] = ["run", "export", "stats", "explain"];

fn command(cmd: &str, db: &str, out: &str) -> Vec<String> {
    let v: &[&str] = match cmd {
        "run" => &["run", "tc.fold", "--db", db, "--out", out],
        "export" => &["export", "tc.fold", "--db", db, "--out", out],
        "stats" => &["stats", "--db", db],
        _ => &["explain", "tc.fold", "--db", db, "path(0, 5)"],
    };
    v.iter().map(|s| s.to_string()).collect()
}

/// What a command gave: its exit code, standard output and the files it
/// wrote (CSV), and standard error.
fn outcome(cmd: &str, db: &str, dir: &Path) -> (Option<i32>, String, String) {
    let out_dir = format!("out-{db}-{cmd}");
    let _ = std::fs::remove_dir_all(dir.join(&out_dir));
    let args = command(cmd, db, &out_dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = foldc(&args, dir);
    let mut shown = text(&o.stdout);
    if let Ok(files) = common::dir_texts(&dir.join(&out_dir)) {
        for (name, body) in files {
            shown.push_str(&format!("--- {name}\n{body}"));
        }
    }
    // `run` says how long things took and how much it saved: not output.
    if cmd == "run" {
        shown = shown
            .lines()
            .filter(|l| l.starts_with("---") || l.contains(','))
            .collect::<Vec<_>>()
            .join("\n");
    }
    // The database's name is in some outputs: the same for every copy.
    (o.status.code(), shown.replace(db, "DB"), text(&o.stderr))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let target = to.join(e.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn apply(file: &Path, d: &Damage) {
    match d {
        Damage::Flip { at, bit } => {
            let mut b = std::fs::read(file).unwrap();
            b[*at as usize] ^= 1 << bit;
            std::fs::write(file, b).unwrap();
        }
        Damage::Truncate { to } => {
            let f = std::fs::OpenOptions::new().write(true).open(file).unwrap();
            f.set_len(*to).unwrap();
        }
        Damage::Delete => std::fs::remove_file(file).unwrap(),
    }
}

/// The damages tried on a file of `len` bytes: flips at its first and
/// last byte and at random places (more in bigger files), truncations
/// and deletion.
fn damages(len: u64, rng: &mut Rng) -> Vec<Damage> {
    let mut out = Vec::new();
    if len > 0 {
        let flips = 4 + (len.ilog2() as usize) / 2;
        let mut at: Vec<u64> = vec![0, len - 1];
        at.extend((0..flips).map(|_| rng.below(len)));
        for a in at {
            out.push(Damage::Flip {
                at: a,
                bit: rng.below(8) as u8,
            });
        }
        out.push(Damage::Truncate { to: len - 1 });
        out.push(Damage::Truncate { to: len / 2 });
        out.push(Damage::Truncate { to: 0 });
    }
    out.push(Damage::Delete);
    out
}

#[test]
fn every_damage_is_reported_or_harmless() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A program with strings too, so the store holds string blocks.
    let program =
        format!("{TC}data name(id: int, s: str)\ninput name from \"name.csv\"\noutput name\n");
    std::fs::write(dir.join("tc.fold"), program).unwrap();
    // A chain of 400 edges: 80,200 paths, enough for saved tables.
    let edges: String = (0..400).map(|i| format!("{i},{}\n", i + 1)).collect();
    std::fs::write(dir.join("edge.csv"), format!("src,dst\n{edges}")).unwrap();
    let names: String = (0..50).map(|i| format!("{i},name {i}\n")).collect();
    std::fs::write(dir.join("name.csv"), format!("id,s\n{names}")).unwrap();
    ok(&["run", "tc.fold", "--db", "good", "--out", "o"], dir);
    // A second checkpoint of a second run: two segment files.
    let more: String = (400..460).map(|i| format!("{i},{}\n", i + 1)).collect();
    std::fs::write(dir.join("edge.csv"), format!("src,dst\n{edges}{more}")).unwrap();
    ok(&["run", "tc.fold", "--db", "good", "--out", "o"], dir);
    let good = dir.join("good");
    assert!(good.join("tables").read_dir().unwrap().next().is_some());
    let expected: Vec<_> = COMMANDS
        .iter()
        .map(|c| {
            copy_dir(&good, &dir.join("pristine"));
            let o = outcome(c, "pristine", dir);
            std::fs::remove_dir_all(dir.join("pristine")).unwrap();
            assert_eq!(o.0, Some(0), "{c} on the undamaged database: {}", o.2);
            o.1
        })
        .collect();

    let mut rng = Rng(0x5eed_f01d_c0de_0023);
    let (mut cases, mut reported, mut harmless, mut named) = (0, 0, 0, 0);
    let mut wrong = Vec::new();
    for file in files(&good) {
        let rel = file.strip_prefix(&good).unwrap().to_path_buf();
        let len = std::fs::metadata(&file).unwrap().len();
        for damage in damages(len, &mut rng) {
            for (c, want) in COMMANDS.iter().zip(&expected) {
                cases += 1;
                let copy = dir.join("copy");
                let _ = std::fs::remove_dir_all(&copy);
                copy_dir(&good, &copy);
                apply(&copy.join(&rel), &damage);
                let (code, got, err) = outcome(c, "copy", dir);
                let case = format!("{c} with {} {damage:?}", rel.display());
                match code {
                    Some(0) if got == *want => harmless += 1,
                    Some(1) if err.contains("database `copy`") && !err.contains("panicked") => {
                        reported += 1;
                        let file_name = rel.file_name().unwrap().to_string_lossy().into_owned();
                        if err.contains(&file_name) || err.contains(&rel.display().to_string()) {
                            named += 1;
                        }
                    }
                    _ => wrong.push(format!("{case}: exit {code:?}\n{err}")),
                }
            }
        }
    }
    eprintln!(
        "damage campaign: {cases} cases (damages x commands): {reported} reported \
         ({named} naming the damaged file), {harmless} with exactly the undamaged output, \
         {} wrong",
        wrong.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n---\n"));
    assert!(reported > 0 && harmless > 0);
}
