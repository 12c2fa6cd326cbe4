//! Text in and out: input CSV, sorted output CSV, terminal tables and the
//! progress line.

pub mod csv_in;
pub mod csv_out;
pub mod progress;
pub mod table;
