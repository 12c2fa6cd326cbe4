//! Standard output and error for every command. A reader that goes away
//! early (`foldc run prog.fold | head`) is not an error of foldc: printing
//! stops and the process exits successfully, as `cat` and `grep` do,
//! instead of the panic `print!` gives on a closed pipe. Every command has
//! finished its work (and its database) before it prints, so stopping
//! loses nothing. Messages for standard error that cannot be written (a
//! full disk, a closed pipe) are dropped: the exit code still tells,
//! where `eprint!` would panic.

use std::io::{ErrorKind, Write};

pub fn write(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|()| stdout.flush()) {
        if e.kind() == ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        write_err(format_args!(
            "error: cannot write to standard output: {e}\n"
        ));
        std::process::exit(1);
    }
}

/// Write to standard error; a failure is dropped (see the module docs).
pub fn write_err(args: std::fmt::Arguments<'_>) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_fmt(args).and_then(|()| stderr.flush());
}

/// `print!` that stops quietly when the reader is gone.
macro_rules! out {
    ($($arg:tt)*) => { $crate::out::write(format_args!($($arg)*)) };
}

/// `println!` that stops quietly when the reader is gone.
macro_rules! outln {
    () => { $crate::out::write(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::out::write_err(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {err, errln, out, outln};
