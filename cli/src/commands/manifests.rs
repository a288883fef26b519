//! `gitops-kit manifests SOURCE...`: list objects with identity and location.

use crate::output::{self, Format};
use gitops_kit::manifest::ManifestSet;
use gitops_kit::yaml::ParseOptions;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `manifests`.
#[derive(clap::Args)]
pub struct Args {
    /// Files, directories (read recursively), `-` for standard input, or `git:REF:PATH`.
    #[arg(required = true, value_name = "SOURCE")]
    sources: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
    /// Repository for `git:` sources (default: the one containing the current directory).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// Accept duplicate mapping keys (last wins, reported as a problem) like kubectl does.
    #[arg(long)]
    lenient: bool,
}

/// Loads every source and prints the objects.
pub fn run(args: &Args) -> Result<ExitCode, gitops_kit::Error> {
    let set = load(&args.sources, args.repo.as_deref(), args.lenient)?;
    let text = match args.output {
        Format::Json => output::json(&set.report()),
        Format::Text => text_report(&set),
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Loads sources as given on the command line.
pub fn load(
    sources: &[String],
    repo: Option<&std::path::Path>,
    lenient: bool,
) -> Result<ManifestSet, gitops_kit::Error> {
    let options = if lenient { ParseOptions::lenient() } else { ParseOptions::default() };
    Ok(ManifestSet::load_args(sources, repo, &options)?)
}

fn text_report(set: &ManifestSet) -> String {
    let header = ["KIND", "NAMESPACE", "NAME", "API VERSION", "LOCATION"].map(String::from);
    let rows: Vec<[String; 5]> = set
        .summaries()
        .into_iter()
        .map(|s| {
            let star = if s.generate_name { "*" } else { "" };
            [
                s.kind,
                s.namespace.unwrap_or_else(|| "-".into()),
                format!("{}{star}", s.name),
                s.api_version,
                format!("{}:{}:{}", s.file, s.line, s.column),
            ]
        })
        .collect();
    let mut out = output::table(&header, &rows);
    for p in set.problems() {
        let _ = writeln!(out, "warning[{}]: {}:{}:{}: {}", p.code, p.file, p.line, p.column, p.message);
    }
    let _ = writeln!(
        out,
        "{} resources, {} problems in {} files",
        set.len(),
        set.problems().len(),
        set.files().len()
    );
    out
}
