//! The engines the harness compares.

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// `ascent!`, single-threaded (the baseline of the ratio columns).
    Ascent,
    /// `ascent_par!` on a rayon pool of `--threads` threads.
    #[value(name = "ascent_par")]
    AscentPar,
    /// datafrog's `Iteration`/`Variable` API, single-threaded.
    Datafrog,
    /// `crepe!`, single-threaded, with FxHash (`run_with_hasher`).
    Crepe,
    /// The foldc binary: `foldc run PROG.fold --out DIR --threads N`.
    Foldc,
}

impl Engine {
    pub const ALL: [Engine; 5] = [
        Engine::Ascent,
        Engine::AscentPar,
        Engine::Datafrog,
        Engine::Crepe,
        Engine::Foldc,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Ascent => "ascent",
            Engine::AscentPar => "ascent_par",
            Engine::Datafrog => "datafrog",
            Engine::Crepe => "crepe",
            Engine::Foldc => "foldc",
        }
    }
}
