//! `gitops-kit`: the command line. Parses arguments, calls one core function, prints the result.
//! Exit codes: 0 clean, 1 findings or differences, 2 usage or input error.

mod commands;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// mimalloc: -25 % CPU on validate. `--cfg gk_sysalloc` keeps the system allocator (heap profilers).
#[cfg_attr(not(gk_sysalloc), global_allocator)]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// GitOps primitives for Kubernetes: manifests, diffs, images, environments, validation.
#[derive(Parser)]
#[command(name = "gitops-kit", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the Kubernetes objects of manifests, with identity and location.
    Manifests(commands::manifests::Args),
    /// Print documents as Kubernetes reads them (YAML 1.1 scalars, aliases, merge keys), as JSON or YAML.
    Convert(commands::convert::Args),
    /// Semantic diff of two manifest sets, or drift of a live export against the desired state.
    Diff(commands::diff::Args),
    /// Environments: which environment a branch deploys to, promotion order, deploy gates.
    Env(commands::env::Args),
    /// Images: parse and lint references, list images in manifests, rewrite them in place, link to commits.
    Image(commands::image::Args),
    /// Tag schemes: render a commit's tag, parse tags back into fields.
    Tag(commands::tag::Args),
    /// Validate manifests: schemas for every Kubernetes version, CRDs, syntax and GitOps rules, located findings.
    Validate(commands::validate::Args),
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_t` (the same in its v2 and v3 headers).
#[cfg(not(gk_sysalloc))]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once. mimalloc v3 waits a second by default, longer
/// than most runs: a diff would hold the trees of every batch it freed (peak memory +25 %),
/// for no measurable gain in time.
fn allocator_options() {
    #[cfg(not(gk_sysalloc))]
    // SAFETY: sets an integer option of the allocator; valid at any time, from any thread.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

fn main() -> ExitCode {
    allocator_options();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Manifests(args) => commands::manifests::run(&args),
        Command::Convert(args) => commands::convert::run(&args),
        Command::Diff(args) => commands::diff::run(&args),
        Command::Env(args) => commands::env::run(&args),
        Command::Image(args) => commands::image::run(&args),
        Command::Tag(args) => commands::tag::run(&args),
        Command::Validate(args) => commands::validate::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => output::report_error(&err),
    }
}
