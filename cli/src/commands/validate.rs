//! `gitops-kit validate SOURCE...`: schemas, syntax rules and the rule catalog, every finding
//! located. Exit 0 when no finding reaches `--fail-on`, 1 otherwise, 2 on input errors.

use crate::output;
use gitops_kit::validate::{self, Options, OutputFormat, Severity};
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Compiler-style findings with excerpts.
    Text,
    /// `gitops-kit/validate/v1` JSON.
    Json,
    /// JUnit XML (one test case per object).
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
    /// TAP 13.
    Tap,
}

/// Severity threshold of `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Info,
}

/// Arguments of `validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Files, directories (read recursively), `-` for standard input, or `git:REF:PATH`.
    #[arg(value_name = "SOURCE", required_unless_present_any = ["list_versions", "list_rules"])]
    sources: Vec<String>,
    /// Kubernetes version whose schemas to use (default: the config's, else the newest embedded).
    #[arg(long, value_name = "V")]
    kubernetes_version: Option<String>,
    /// Accept unknown fields (strict by default).
    #[arg(long)]
    no_strict: bool,
    /// CustomResourceDefinitions to validate custom resources with (file, directory; repeatable).
    #[arg(long, value_name = "PATH")]
    crd: Vec<String>,
    /// gitops-kit.yaml with a `validation:` section (rules, severities, parameters, excludes).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not run this rule (repeatable, or comma-separated).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    skip_rule: Vec<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    output: Format,
    /// Repository for `git:` sources (default: the one containing the current directory).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// Validate for this environment of the --config file's `environments:` (its namespace,
    /// policy, images; GK-G003, GK-G006, GK-R009, GK-G002 as error in production).
    #[arg(long = "env", value_name = "NAME")]
    environment: Option<String>,
    /// Validate for the environment this manifest branch deploys to (exact, glob or preview).
    #[arg(long, value_name = "BRANCH")]
    branch: Option<String>,
    /// The code commit CI built or recorded for the environment (GK-G003).
    #[arg(long, value_name = "SHA")]
    commit: Option<String>,
    /// Code repository to link image tags to commits in (GK-G003).
    #[arg(long, value_name = "DIR")]
    code_repo: Option<PathBuf>,
    /// Baseline to compare overlays with (GK-G010), e.g. `git:stg:deploy` (repeatable).
    #[arg(long, value_name = "SOURCE")]
    against: Vec<String>,
    /// Print the embedded Kubernetes versions and exit.
    #[arg(long)]
    list_versions: bool,
    /// Print the rule catalog (id, default severity, title) and exit.
    #[arg(long)]
    list_rules: bool,
}

/// Validates the sources and prints the report.
pub fn run(args: &Args) -> Result<ExitCode, gitops_kit::Error> {
    if args.list_versions {
        let text = format!("{}\n", validate::kubernetes_versions().join("\n"));
        output::print(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.list_rules {
        let mut text = String::new();
        for r in validate::rules() {
            let sev = r.severity.map_or("off", Severity::as_str);
            text.push_str(&format!("{:<10} {:<8} {}\n", r.id, sev, r.title));
        }
        output::print(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut options = Options {
        kubernetes_version: args.kubernetes_version.clone(),
        strict: args.no_strict.then_some(false),
        crds: args.crd.clone(),
        skip_rules: args.skip_rule.clone(),
        environment: args.environment.clone(),
        branch: args.branch.clone(),
        commit: args.commit.clone(),
        code_repo: args.code_repo.clone(),
        against: args.against.clone(),
        ..Options::default()
    };
    if let Some(path) = &args.config {
        options.use_config_file(path)?;
    }
    let report = validate::validate(&args.sources, args.repo.as_deref(), &options)?;
    let format = match args.output {
        Format::Text => OutputFormat::Text,
        Format::Json => OutputFormat::Json,
        Format::Junit => OutputFormat::Junit,
        Format::Sarif => OutputFormat::Sarif,
        Format::Github => OutputFormat::Github,
        Format::Tap => OutputFormat::Tap,
    };
    output::print(&validate::render(&report, format))?;
    let level = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    Ok(output::exit_code(report.fails(level)))
}
