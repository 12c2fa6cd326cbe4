//! Any bytes as the files of a database: the input is split at each
//! `\n--file--\n` into `foldc.json`, sled's `conf` and `db`, and the
//! segment `blocks/1.seg`, written to a scratch folder, then opened as
//! `foldc stats` and `foldc db verify` open it (every page and block
//! checked). Opening must succeed or fail with an error; never a panic.
#![no_main]

use fold_runtime::db::Db;
use libfuzzer_sys::fuzz_target;

mod stack;

const FILES: [&str; 4] = ["foldc.json", "conf", "db", "blocks/1.seg"];

fuzz_target!(|data: &[u8]| {
    stack::on_foldc_stack(|| {
        let dir = std::env::temp_dir().join(format!("fold-fuzz-db-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        if std::fs::create_dir_all(dir.join("blocks")).is_err() {
            return;
        }
        let sep = b"\n--file--\n";
        let mut rest = data;
        for name in FILES {
            let (part, next) = match rest.windows(sep.len()).position(|w| w == sep) {
                Some(at) => (&rest[..at], &rest[at + sep.len()..]),
                None => (rest, &rest[rest.len()..]),
            };
            if !part.is_empty() && std::fs::write(dir.join(name), part).is_err() {
                return;
            }
            rest = next;
        }
        if let Ok(db) = Db::open_existing(&dir) {
            let _ = db.verify_all();
            let _ = db.check_tables();
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
});
