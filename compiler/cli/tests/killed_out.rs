//! A `run --out` killed while writing leaves `.CAT.csv.tmpPID` behind (a
//! killed process cannot clean up): the next run that writes the folder
//! removes those of processes no longer running, and leaves those of a
//! process still writing.

mod common;

use common::{ok, TC};

#[test]
fn temporary_files_of_a_killed_run_go_with_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("tc.fold"), TC).unwrap();
    std::fs::write(d.join("edge.csv"), "src,dst\n1,2\n").unwrap();
    let out = d.join("out");
    std::fs::create_dir(&out).unwrap();
    // No process has this id (above any pid_max).
    let dead = out.join(".path.csv.tmp4000000000");
    // This test's process is running: its file is not touched.
    let live = out.join(format!(".path.csv.tmp{}", std::process::id()));
    // Another category's name, and the user's own file: not touched.
    let other = out.join(".edge.csv.tmp");
    for f in [&dead, &live, &other] {
        std::fs::write(f, "partial").unwrap();
    }
    ok(&["run", "tc.fold", "--out", "out"], d);
    if std::path::Path::new("/proc/self").exists() {
        assert!(!dead.exists(), "a killed run's temporary file stays");
    }
    assert!(live.exists() && other.exists());
    assert_eq!(
        std::fs::read_to_string(out.join("path.csv")).unwrap(),
        "src,dst\n1,2\n"
    );
}
