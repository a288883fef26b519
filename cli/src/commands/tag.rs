//! `gitops-kit tag render|parse`: tag schemes such as `{branch}-{sha:12}-{ts}`.

use crate::output::{self, Format};
use gitops_kit::image::{self, TagScheme};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `tag`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Render the tag of a commit.
    Render(RenderArgs),
    /// Parse tags back into their fields and sort keys; exit 1 if any does not fit.
    Parse(ParseArgs),
}

#[derive(clap::Args)]
struct RenderArgs {
    /// Tag scheme: literals and {branch}, {sha}, {sha:N}, {ts}, {semver}, {pr}, {build}.
    #[arg(long)]
    scheme: String,
    /// The code repository (default: the one containing the current directory).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// The commit (default HEAD).
    #[arg(long, default_value = "HEAD")]
    rev: String,
    /// Branch for {branch} (default: REV when it names a branch).
    #[arg(long)]
    branch: Option<String>,
    /// Build number for {build}.
    #[arg(long)]
    build: Option<u64>,
    /// Pull-request number for {pr}.
    #[arg(long)]
    pr: Option<u64>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

#[derive(clap::Args)]
struct ParseArgs {
    /// Tag scheme.
    #[arg(long)]
    scheme: String,
    /// Tags to parse.
    #[arg(required = true, value_name = "TAG")]
    tags: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

/// Runs a `tag` subcommand.
pub fn run(args: &Args) -> Result<ExitCode, gitops_kit::Error> {
    match &args.command {
        Command::Render(a) => render(a),
        Command::Parse(a) => parse(a),
    }
}

fn render(a: &RenderArgs) -> Result<ExitCode, gitops_kit::Error> {
    let scheme = TagScheme::parse(&a.scheme)?;
    let repo = match &a.repo {
        Some(dir) => gitops_kit::git::Repo::open(dir)?,
        None => gitops_kit::git::Repo::discover(".")?,
    };
    // Default branch: the revision itself when it is a branch name.
    let branch = a.branch.clone().or_else(|| {
        (a.rev != "HEAD" && repo.resolve(&format!("refs/heads/{}", a.rev)).is_ok()).then(|| a.rev.clone())
    });
    let result = image::tags_for_commit(&scheme, &repo, &a.rev, branch.as_deref(), a.build, a.pr)?;
    let text = match a.output {
        Format::Json => output::json(&serde_json::json!({
            "schema": "gitops-kit/tag-render/v1",
            "scheme": scheme.as_str(),
            "tag": result.tag,
            "facts": result.facts,
        })),
        Format::Text => format!("{}\n", result.tag),
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn parse(a: &ParseArgs) -> Result<ExitCode, gitops_kit::Error> {
    let scheme = TagScheme::parse(&a.scheme)?;
    let mut results = Vec::new();
    let mut failed = false;
    for tag in &a.tags {
        match scheme.parse_tag(tag) {
            Ok(p) => results.push(serde_json::json!({"tag": tag, "valid": true, "parsed": p, "error": null})),
            Err(e) => {
                failed = true;
                results.push(serde_json::json!({"tag": tag, "valid": false, "parsed": null,
                    "error": {"code": e.code(), "message": e.to_string()}}));
            }
        }
    }
    let text = match a.output {
        Format::Json => {
            output::json(&serde_json::json!({"schema": "gitops-kit/tag-parse/v1", "results": results}))
        }
        Format::Text => {
            let mut out = String::new();
            for r in &results {
                let tag = r["tag"].as_str().unwrap_or_default();
                if let Some(fields) = r["parsed"]["fields"].as_object() {
                    let list: Vec<String> = fields
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect();
                    let _ = writeln!(out, "{tag}\t{}", list.join(" "));
                } else {
                    let _ = writeln!(
                        out,
                        "{tag}\terror[{}]: {}",
                        r["error"]["code"].as_str().unwrap_or_default(),
                        r["error"]["message"].as_str().unwrap_or_default()
                    );
                }
            }
            out
        }
    };
    output::print(&text)?;
    Ok(output::exit_code(failed))
}
