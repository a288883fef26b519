//! `gitops-kit image parse|lint|list|set|link`: image references, image sites in manifests,
//! format-preserving rewrites and linking an image to its code commit.

use crate::output::{self, Format};
use gitops_kit::image::{
    self, ExtraPath, ImageEdit, LintOptions, ParseMode, SetOptions, SiteOptions, TagScheme,
};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `image`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Parse image references (distribution/reference grammar); exit 1 if any is invalid.
    Parse(ParseArgs),
    /// Lint image references (latest, missing tag, mutable tags, tag and digest); exit 1 on errors.
    Lint(LintArgs),
    /// List every image in manifests, with resource, container and position.
    List(ListArgs),
    /// Rewrite images in files, changing only the bytes of the image values.
    Set(SetArgs),
    /// Find the code commit an image was built from, through a tag scheme.
    Link(LinkArgs),
}

#[derive(clap::Args)]
struct ParseArgs {
    /// Image references.
    #[arg(required = true, value_name = "REF")]
    refs: Vec<String>,
    /// Grammar only: no Docker Hub defaults (`user/app` has the registry `user`).
    #[arg(long)]
    strict: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

#[derive(clap::Args)]
struct LintArgs {
    /// Image references.
    #[arg(required = true, value_name = "REF")]
    refs: Vec<String>,
    /// Another tag name to treat as mutable (repeatable).
    #[arg(long = "mutable-tag", value_name = "TAG")]
    mutable_tags: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

#[derive(clap::Args)]
struct ListArgs {
    /// Files, directories (read recursively), `-` for standard input, or `git:REF:PATH`.
    #[arg(required = true, value_name = "SOURCE")]
    sources: Vec<String>,
    /// An extra image field: `Kind:/json/pointer` (`*` matches any kind, index or key; repeatable).
    #[arg(long = "field", value_name = "KIND:POINTER")]
    fields: Vec<String>,
    /// Repository for `git:` sources (default: the one containing the current directory).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// Accept duplicate mapping keys (last wins) like kubectl does.
    #[arg(long)]
    lenient: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

#[derive(clap::Args)]
struct SetArgs {
    /// `SELECTOR=NEW` edits (NEW is `:tag`, `@digest`, `:tag@digest` or a full reference),
    /// followed by files or directories. Arguments containing `=` are edits.
    #[arg(required = true, value_name = "SELECTOR=NEW... PATH")]
    args: Vec<String>,
    /// Write the changed files instead of printing their new text.
    #[arg(long)]
    in_place: bool,
    /// Refuse to write `latest` or a reference without tag and digest.
    #[arg(long)]
    forbid_latest: bool,
    /// A registry alias `MIRROR=TARGET` (repeatable), e.g. `mirror.example.com=registry.example.com`.
    #[arg(long = "alias", value_name = "MIRROR=TARGET")]
    aliases: Vec<String>,
    /// An extra image field: `Kind:/json/pointer` (repeatable).
    #[arg(long = "field", value_name = "KIND:POINTER")]
    fields: Vec<String>,
    /// Output format: the new texts (or a summary with --in-place), or the JSON report.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

#[derive(clap::Args)]
struct LinkArgs {
    /// The image reference (its tag is read through the scheme).
    #[arg(value_name = "REF")]
    image: String,
    /// Tag scheme, e.g. `{branch}-{sha:12}-{ts}`.
    #[arg(long)]
    scheme: String,
    /// The code repository.
    #[arg(long, value_name = "DIR")]
    code_repo: PathBuf,
    /// Check that the commit is on this branch's first-parent history.
    #[arg(long)]
    branch: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

/// Runs an `image` subcommand.
pub fn run(args: &Args) -> Result<ExitCode, gitops_kit::Error> {
    match &args.command {
        Command::Parse(a) => parse(a),
        Command::Lint(a) => lint(a),
        Command::List(a) => list(a),
        Command::Set(a) => set(a),
        Command::Link(a) => link(a),
    }
}

fn parse(a: &ParseArgs) -> Result<ExitCode, gitops_kit::Error> {
    let mode = if a.strict { ParseMode::Strict } else { ParseMode::Normalize };
    let reports: Vec<_> = a.refs.iter().map(|r| image::parse_report(r, mode)).collect();
    let text = match a.output {
        Format::Json => output::json(&reports),
        Format::Text => {
            let mut out = String::new();
            for r in &reports {
                match (&r.canonical, &r.error) {
                    (Some(c), _) => {
                        let _ = writeln!(out, "{}\t{c}", r.input);
                    }
                    (None, Some(e)) => {
                        let _ = writeln!(out, "{}\terror[{}]: {}", r.input, e.code, e.message);
                    }
                    (None, None) => {}
                }
            }
            out
        }
    };
    output::print(&text)?;
    Ok(output::exit_code(reports.iter().any(|r| !r.valid)))
}

fn lint(a: &LintArgs) -> Result<ExitCode, gitops_kit::Error> {
    let options = LintOptions { mutable_tags: a.mutable_tags.clone(), ..LintOptions::default() };
    let mut results = Vec::new();
    for r in &a.refs {
        results.push(serde_json::json!({"image": r, "lints": image::lint(r, &options)?}));
    }
    let failed = results
        .iter()
        .any(|r| r["lints"].as_array().is_some_and(|l| l.iter().any(|l| l["severity"] == "error")));
    let text = match a.output {
        Format::Json => {
            output::json(&serde_json::json!({"schema": "gitops-kit/image-lint/v1", "results": results}))
        }
        Format::Text => {
            let mut out = String::new();
            for r in &results {
                for l in r["lints"].as_array().into_iter().flatten() {
                    let _ = writeln!(
                        out,
                        "{}: {}[{}]: {}",
                        r["image"].as_str().unwrap_or_default(),
                        l["severity"].as_str().unwrap_or_default(),
                        l["code"].as_str().unwrap_or_default(),
                        l["message"].as_str().unwrap_or_default()
                    );
                }
            }
            out
        }
    };
    output::print(&text)?;
    Ok(output::exit_code(failed))
}

fn extra_paths(fields: &[String]) -> Result<Vec<ExtraPath>, gitops_kit::Error> {
    Ok(fields.iter().map(|f| ExtraPath::parse(f)).collect::<Result<_, _>>()?)
}

fn list(a: &ListArgs) -> Result<ExitCode, gitops_kit::Error> {
    let set = super::manifests::load(&a.sources, a.repo.as_deref(), a.lenient)?;
    let report = image::sites(&set, &SiteOptions { extra_paths: extra_paths(&a.fields)? });
    let text = match a.output {
        Format::Json => output::json(&report),
        Format::Text => {
            let header = ["IMAGE", "KIND", "NAMESPACE", "NAME", "CONTAINER", "LOCATION"].map(String::from);
            let rows: Vec<[String; 6]> = report
                .sites
                .iter()
                .map(|s| {
                    [
                        s.image.clone(),
                        s.resource.kind.clone(),
                        s.resource.namespace.clone().unwrap_or_else(|| "-".into()),
                        s.resource.name.clone(),
                        s.container.clone().unwrap_or_else(|| "-".into()),
                        format!("{}:{}:{}", s.file, s.line, s.column),
                    ]
                })
                .collect();
            let mut out = output::table(&header, &rows);
            let _ = writeln!(out, "{} images", report.sites.len());
            out
        }
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn set(a: &SetArgs) -> Result<ExitCode, gitops_kit::Error> {
    let (edit_args, paths): (Vec<&String>, Vec<&String>) = a.args.iter().partition(|s| s.contains('='));
    if edit_args.is_empty() || paths.is_empty() {
        return Err(gitops_kit::Error::InvalidArgument(
            "image set needs at least one SELECTOR=NEW edit and one PATH".into(),
        ));
    }
    let edits = edit_args.iter().map(|e| ImageEdit::parse(e)).collect::<Result<Vec<_>, _>>()?;
    let mut options = SetOptions {
        forbid_latest: a.forbid_latest,
        extra_paths: extra_paths(&a.fields)?,
        ..Default::default()
    };
    for alias in &a.aliases {
        let (from, to) = alias.split_once('=').ok_or_else(|| {
            gitops_kit::Error::InvalidArgument(format!("--alias {alias:?} must be MIRROR=TARGET"))
        })?;
        options.aliases.insert(from.to_string(), to.to_string());
    }
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let report = image::set_images_in_paths(&paths, &edits, &options, a.in_place)?;
    let text = match a.output {
        Format::Json => output::json(&report),
        Format::Text if a.in_place => {
            let mut out = String::new();
            for f in &report.files {
                for c in &f.changes {
                    let _ = writeln!(out, "{}:{}:{}: {} -> {}", c.file, c.line, c.column, c.old, c.new);
                }
            }
            out
        }
        Format::Text => report.files.iter().filter_map(|f| f.text.clone()).collect(),
    };
    output::print(&text)?;
    for s in &report.unmatched {
        eprintln!("warning: no image matched {s:?}");
    }
    Ok(output::exit_code(!report.unmatched.is_empty()))
}

fn link(a: &LinkArgs) -> Result<ExitCode, gitops_kit::Error> {
    let scheme = TagScheme::parse(&a.scheme)?;
    let repo = gitops_kit::git::Repo::open(&a.code_repo)?;
    let link = image::link(&a.image, &scheme, &repo, a.branch.as_deref())?;
    let text = match a.output {
        Format::Json => output::json(&link),
        Format::Text => {
            let mut out = format!("{}\t{}\tconfidence {}\n", link.image, link.commit, link.confidence);
            for e in &link.evidence {
                let _ = writeln!(out, "  {} {}: {}", if e.supports { "+" } else { "-" }, e.kind, e.detail);
            }
            out
        }
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
