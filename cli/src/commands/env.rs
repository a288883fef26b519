//! `gitops-kit env resolve|gate|list|check-config`: branch → environment and deploy gates.

use crate::output::{self, Format};
use gitops_kit::env::{Approval, CheckReport, Config, EnvList, Gate, Resolution};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `env`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Which environment a manifest branch deploys to (exit 0 match, 1 no environment or preview).
    Resolve {
        /// The manifest branch, e.g. `prd` or `pr-42`.
        branch: String,
        #[command(flatten)]
        common: Common,
    },
    /// May ENV be deployed now (or --at)? Exit 0 open, 1 closed (with reasons and the next opening).
    Gate {
        /// The environment name.
        environment: String,
        /// The instant to decide for, RFC 3339 with an offset (default: now).
        #[arg(long, value_name = "RFC3339")]
        at: Option<String>,
        /// An approval: `USER` or `USER:GROUP[,GROUP]`; repeat for several approvers.
        #[arg(long = "approved-by", value_name = "USER[:GROUP]")]
        approved_by: Vec<String>,
        /// The change's author: their own approval does not count when self-approval is prevented.
        #[arg(long, value_name = "USER")]
        author: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Environments in promotion order, with targets and windows in words.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Check a configuration and report every problem (exit 0 valid, 1 invalid, 2 unreadable).
    CheckConfig {
        /// The configuration file (default: gitops-kit.yaml in the current directory).
        #[arg(default_value = "gitops-kit.yaml")]
        file: PathBuf,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = Format::Text)]
        output: Format,
    },
}

#[derive(clap::Args)]
struct Common {
    /// The configuration file.
    #[arg(long, value_name = "FILE", default_value = "gitops-kit.yaml")]
    config: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
}

/// Runs the subcommand.
pub fn run(args: &Args) -> Result<ExitCode, gitops_kit::Error> {
    match &args.command {
        Sub::Resolve { branch, common } => {
            let resolution = Config::from_path(&common.config)?.resolve(branch)?;
            output::print(&match common.output {
                Format::Json => match &resolution {
                    Some(r) => output::json(r),
                    None => output::json(&serde_json::json!({
                        "schema": "gitops-kit/env/v1", "environment": null, "branch": branch,
                        "preview": null, "target": null, "promotion": null
                    })),
                },
                Format::Text => resolution_text(branch, resolution.as_ref()),
            })?;
            Ok(output::exit_code(resolution.is_none()))
        }
        Sub::Gate { environment, at, approved_by, author, common } => {
            let config = Config::from_path(&common.config)?;
            let approvals =
                approved_by.iter().map(|a| a.parse::<Approval>()).collect::<Result<Vec<_>, _>>()?;
            // The only place the clock is read: the default of --at.
            let at = match at {
                Some(text) => gitops_kit::env::parse_instant(text)?,
                None => jiff::Timestamp::now(),
            };
            let gate = config.gate(environment, at, &approvals, author.as_deref())?;
            output::print(&match common.output {
                Format::Json => output::json(&gate),
                Format::Text => gate_text(&gate),
            })?;
            Ok(output::exit_code(!gate.open))
        }
        Sub::List { common } => {
            let list = Config::from_path(&common.config)?.list();
            output::print(&match common.output {
                Format::Json => output::json(&list),
                Format::Text => list_text(&list),
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Sub::CheckConfig { file, output: format } => {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(file)
                .map_err(|e| gitops_kit::env::Error::Io { path: name.clone(), message: e.to_string() })?;
            let report = Config::check(&text, &name)?;
            output::print(&match format {
                Format::Json => output::json(&report),
                Format::Text => check_text(&report),
            })?;
            Ok(output::exit_code(!report.valid))
        }
    }
}

fn resolution_text(branch: &str, r: Option<&Resolution>) -> String {
    let Some(r) = r else {
        return format!("branch {branch:?}: no environment or preview matches\n");
    };
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let list = |v: &[String]| if v.is_empty() { "-".to_string() } else { v.join(", ") };
    let mut out = format!(
        "branch {:?} -> environment {} ({} {:?})\n",
        r.branch, r.environment, r.matched_by, r.pattern
    );
    let _ = writeln!(
        out,
        "  target     cluster {} namespace {}",
        dash(&r.target.cluster),
        dash(&r.target.namespace)
    );
    let _ = writeln!(out, "  promotion  {}", r.promotion["mode"].as_str().unwrap_or("manual"));
    let _ = writeln!(out, "  after      {}", list(&r.after));
    let _ = writeln!(out, "  next       {}", list(&r.next));
    if let Some(p) = &r.preview {
        let _ = writeln!(out, "  preview    pr {} ttl {}", p.pr, dash(&p.ttl));
    }
    out
}

fn gate_text(g: &Gate) -> String {
    let state = if g.open { "OPEN" } else { "CLOSED" };
    let mut out = format!("{} at {}: {state}\n", g.environment, g.at);
    for r in &g.reasons {
        let _ = writeln!(out, "  {}: {} ({}:{}:{})", r.code, r.message, r.file, r.line, r.column);
    }
    if let Some(w) = &g.window {
        let what = w.description.clone().or_else(|| w.expression.clone()).unwrap_or_default();
        let _ = writeln!(out, "  window: {} {what:?} {} to {} ({})", w.kind, w.start, w.end, w.timezone);
    }
    if let Some(a) = &g.approvals {
        let _ = writeln!(out, "  approvals: {} of {} ({})", a.received, a.required, a.approvers.join(", "));
    }
    if let Some(n) = &g.next_open {
        let _ = writeln!(out, "  next open: {n}");
    }
    out
}

fn list_text(l: &EnvList) -> String {
    let header =
        ["ENVIRONMENT", "BRANCH", "CLUSTER", "NAMESPACE", "AFTER", "MODE", "APPROVALS"].map(String::from);
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let rows: Vec<[String; 7]> = l
        .environments
        .iter()
        .map(|e| {
            [
                e.name.clone(),
                e.manifest_branch.clone(),
                dash(&e.target.cluster),
                dash(&e.target.namespace),
                if e.after.is_empty() { "-".into() } else { e.after.join(",") },
                e.mode.clone(),
                e.approvals_required.to_string(),
            ]
        })
        .collect();
    let mut out = output::table(&header, &rows);
    for e in &l.environments {
        for w in &e.windows {
            let _ = writeln!(out, "{}: {w}", e.name);
        }
    }
    if let Some(p) = &l.previews {
        let _ = writeln!(out, "previews: {p}");
    }
    out
}

fn check_text(r: &CheckReport) -> String {
    let mut out = String::new();
    for (level, list) in [("error", &r.errors), ("warning", &r.warnings)] {
        for p in list {
            let _ = writeln!(out, "{level}[{}]: {}:{}:{}: {}", p.code, p.file, p.line, p.column, p.message);
        }
    }
    let _ = writeln!(
        out,
        "{}: {} ({} errors, {} warnings; environments: {})",
        r.file,
        if r.valid { "valid" } else { "invalid" },
        r.errors.len(),
        r.warnings.len(),
        r.environments.join(" -> ")
    );
    out
}
