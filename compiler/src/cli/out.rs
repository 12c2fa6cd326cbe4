//! Standard output for every command. A reader that goes away early
//! (`foldc run prog.fold | head`) is not an error of foldc: printing stops
//! and the process exits successfully, as `cat` and `grep` do, instead of
//! the panic `print!` gives on a closed pipe. Every command has finished
//! its work (and its database) before it prints, so stopping loses nothing.

use std::io::{ErrorKind, Write};

pub fn write(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// `print!` that stops quietly when the reader is gone.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::out::write(format_args!($($arg)*)) };
}

/// `println!` that stops quietly when the reader is gone.
macro_rules! outln {
    () => { $crate::cli::out::write(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};
