//! `foldc completions SHELL` and `foldc man`: shell completions and a man
//! page, generated from the command line's own definition so they never
//! drift from `--help`.

use std::process::ExitCode;

use clap::CommandFactory;

use crate::out::out;
use crate::{Cli, Outcome};

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for. Install, e.g. for bash:
    /// `foldc completions bash > ~/.local/share/bash-completion/completions/foldc`.
    shell: clap_complete::Shell,
}

#[derive(clap::Args)]
pub struct ManArgs {}

pub fn completions(args: CompletionsArgs) -> Outcome {
    let mut command = Cli::command();
    let mut bytes = Vec::new();
    clap_complete::generate(args.shell, &mut command, "foldc", &mut bytes);
    out!("{}", String::from_utf8_lossy(&bytes));
    Ok(ExitCode::SUCCESS)
}

/// The man page (roff) of foldc and, after it, one section per
/// subcommand with its options.
pub fn man(_: ManArgs) -> Outcome {
    let command = Cli::command();
    let mut bytes = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut bytes)
        .map_err(|e| format!("cannot render the man page: {e}"))?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        // Each subcommand's page without its own header, under a
        // section of its name.
        bytes.extend_from_slice(
            format!(".SH \"FOLDC {}\"\n", sub.get_name().to_uppercase()).as_bytes(),
        );
        let man = clap_mangen::Man::new(sub.clone().bin_name(format!("foldc {}", sub.get_name())));
        man.render_description_section(&mut bytes)
            .and_then(|()| man.render_synopsis_section(&mut bytes))
            .and_then(|()| man.render_options_section(&mut bytes))
            .map_err(|e| format!("cannot render the man page: {e}"))?;
    }
    out!("{}", String::from_utf8_lossy(&bytes));
    Ok(ExitCode::SUCCESS)
}
