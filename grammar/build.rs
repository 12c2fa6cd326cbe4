//! Generates the parser from src/fold.lalrpop into OUT_DIR (never into src/).
fn main() {
    lalrpop::Configuration::new()
        .use_cargo_dir_conventions()
        .emit_rerun_directives(true)
        .process()
        .unwrap_or_else(|e| panic!("generating the fold parser failed: {e}"));
}
