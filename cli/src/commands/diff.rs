//! `gitops-kit diff OLD NEW`: semantic, Kubernetes-aware diff of two manifest sets, or of a live
//! export (OLD) and the desired state (NEW).

use crate::output;
use gitops_kit::diff::{self, DiffOptions, IgnoreRule, Impact, Mode};
use gitops_kit::yaml::ParseOptions;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// One block per change with before → after and file:line:column.
    Text,
    /// The `gitops-kit/diff/v1` report.
    Json,
    /// A pull-request comment: counts per kind and collapsible details.
    Markdown,
    /// A unified YAML diff of the normalized documents, one header pair per object.
    Unified,
    /// The `gitops-kit/diff-patch/v1` report: an RFC 6902 JSON Patch per object.
    Patch,
}

impl DiffFormat {
    fn core(self) -> diff::Format {
        match self {
            DiffFormat::Text => diff::Format::Text,
            DiffFormat::Json => diff::Format::Json,
            DiffFormat::Markdown => diff::Format::Markdown,
            DiffFormat::Unified => diff::Format::Unified,
            DiffFormat::Patch => diff::Format::Patch,
        }
    }
}

/// Comparison mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// Only fields the desired side (NEW) or the live object's last-applied annotation sets.
    Apply,
    /// Every field, minus the normalization profile.
    Strict,
    /// The live `managedFields` decide: live-only fields of other managers are "foreign".
    Ownership,
}

/// When to colour text output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    /// When standard output is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `diff`.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 no differences, 1 differences (or, with --fail-on, a change of those classes), 2 error.\n\
Examples:\n  gitops-kit diff git:prd:manifests git:stg:manifests\n  kubectl get deploy,svc -o yaml > live.yaml && gitops-kit diff live.yaml manifests/\n  gitops-kit diff old/ new/ --ignore 'spec.template.spec.containers[name=istio-proxy]' -o json\n  gitops-kit diff git:prd:manifests git:stg:manifests -o unified\n  gitops-kit diff old/ new/ -o patch --show-secrets > changes.json\n  gitops-kit diff live.yaml manifests/ --mode ownership --manager argocd-controller --show-foreign\n  gitops-kit diff live.yaml manifests/ --write-baseline drift.json && gitops-kit diff live.yaml manifests/ --baseline drift.json\n  gitops-kit diff old/ new/ --hide 'metadata.labels[\"helm.sh/chart\"]'"
)]
pub struct Args {
    /// OLD and NEW sources: files, directories, `-`, or `git:REF:PATH`.
    #[arg(value_name = "SOURCE", num_args = 0..=2)]
    sources: Vec<String>,
    /// More OLD sources (repeatable).
    #[arg(long = "old", value_name = "SOURCE")]
    old: Vec<String>,
    /// More NEW sources (repeatable).
    #[arg(long = "new", value_name = "SOURCE")]
    new: Vec<String>,
    /// `apply` (default), `strict` or `ownership`.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Ownership mode: a field manager (glob) that applies the desired state (repeatable;
    /// default: argocd-controller, argocd-application-controller, kustomize-controller,
    /// helm-controller, helm, kubectl, kubectl-client-side-apply, gitops-kit).
    #[arg(long = "manager", value_name = "NAME")]
    managers: Vec<String>,
    /// Ownership mode: list the foreign changes (live-only fields other managers or webhooks
    /// wrote); they never count toward the exit code.
    #[arg(long)]
    show_foreign: bool,
    /// Ignore rule: a path (`spec.replicas`, `/spec/replicas`, `containers[name=istio-proxy]`) or a
    /// flow mapping `{path: ..., kind: ..., name: ..., namespace: ..., labels: ..., manager: ...}`.
    #[arg(long, value_name = "RULE")]
    ignore: Vec<String>,
    /// Output-only filter (same syntax as --ignore): matching changes are left out of the output
    /// but still count toward the exit code; a notice says how many are hidden.
    #[arg(long, value_name = "RULE")]
    hide: Vec<String>,
    /// Compare a list as a set, order ignored: `Kind:path` or `hpa-metrics-set` (repeatable).
    #[arg(long, value_name = "KIND:PATH")]
    set_semantics: Vec<String>,
    /// Baseline file (`gitops-kit/diff-baseline/v1`): the changes it lists are acknowledged, not
    /// reported and not counted in the exit code.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Write the ids of the current changes (and those already acknowledged) to FILE as a
    /// baseline, keeping the notes and expiries of --baseline.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// gitops-kit.yaml whose `diff:` section gives defaults for these options.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Namespace of namespaced objects that set none (default `default`).
    #[arg(long, short = 'n', value_name = "NS")]
    namespace: Option<String>,
    /// Show Secret values instead of "changed (hidden)".
    #[arg(long)]
    show_secrets: bool,
    /// Fingerprint hidden Secret values with HMAC-SHA256 keyed by this environment variable's
    /// value: equal values get equal fingerprints, and nobody without the key can test guesses.
    #[arg(long, value_name = "VAR")]
    secret_key_env: Option<String>,
    /// List every normalization step that equalized or ignored something.
    #[arg(long)]
    explain: bool,
    /// Exit 1 only for changes of these impact classes (rollout, scale, metadata, immutable, destructive, config).
    #[arg(long, value_name = "CLASS", value_delimiter = ',')]
    fail_on: Vec<String>,
    /// Extra pod-spec location in a custom kind, `Kind:path` (repeatable).
    #[arg(long, value_name = "KIND:PATH")]
    pod_spec: Vec<String>,
    /// Do not pair removed and added objects as renames.
    #[arg(long)]
    no_renames: bool,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Text)]
    output: DiffFormat,
    /// Colour text output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Repository for `git:` sources (default: the one containing the current directory).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
    /// Accept duplicate mapping keys (last wins) like kubectl does.
    #[arg(long)]
    lenient: bool,
}

fn usage(message: &str) -> gitops_kit::Error {
    gitops_kit::Error::InvalidArgument(message.to_string())
}

fn options(args: &Args) -> Result<DiffOptions, gitops_kit::Error> {
    let mut o = match &args.config {
        Some(path) => DiffOptions::from_config_file(path)?,
        None => DiffOptions::default(),
    };
    if let Some(m) = args.mode {
        o.mode = match m {
            ModeArg::Apply => Mode::Apply,
            ModeArg::Strict => Mode::Strict,
            ModeArg::Ownership => Mode::Ownership,
        };
    }
    for rule in &args.ignore {
        o.ignore.push(IgnoreRule::from_json(&serde_json::Value::String(rule.clone()))?);
    }
    for rule in &args.hide {
        o.hide.push(IgnoreRule::from_json(&serde_json::Value::String(rule.clone()))?);
    }
    if !args.managers.is_empty() {
        o.managers.clone_from(&args.managers);
    }
    o.show_foreign |= args.show_foreign;
    o.set_semantics.extend(args.set_semantics.iter().cloned());
    if !o.set_semantics.is_empty() {
        // Checked here so a typo is an error, not a silently unused entry.
        DiffOptions::from_json(&serde_json::json!({"set_semantics": o.set_semantics}))?;
    }
    if let Some(path) = &args.baseline {
        o.baseline = Some(diff::Baseline::from_path(path)?);
    }
    if args.namespace.is_some() {
        o.namespace.clone_from(&args.namespace);
    }
    o.show_secrets |= args.show_secrets;
    if let Some(var) = &args.secret_key_env {
        // From the environment, never from the command line (visible in process lists).
        let key = std::env::var_os(var)
            .ok_or_else(|| usage(&format!("--secret-key-env: environment variable {var} is not set")))?;
        o.secret_key = Some(diff::SecretKey::new(key.into_encoded_bytes())?);
    }
    o.explain |= args.explain;
    o.no_renames |= args.no_renames;
    for class in &args.fail_on {
        o.fail_on.push(Impact::parse(class)?);
    }
    o.pod_specs.extend(args.pod_spec.iter().cloned());
    if args.lenient {
        o.parse = ParseOptions::lenient();
    }
    Ok(o)
}

/// Diffs OLD against NEW and prints the report; the exit code is the report's.
pub fn run(args: &Args) -> Result<ExitCode, gitops_kit::Error> {
    let mut old: Vec<String> = args.sources.first().cloned().into_iter().collect();
    let mut new: Vec<String> = args.sources.get(1).cloned().into_iter().collect();
    old.extend(args.old.iter().cloned());
    new.extend(args.new.iter().cloned());
    if old.is_empty() || new.is_empty() {
        return Err(usage("diff needs an OLD and a NEW source (positional or --old/--new)"));
    }
    if old.iter().chain(&new).filter(|s| s.as_str() == "-").count() > 1 {
        return Err(usage("standard input (-) can be only one of the sources"));
    }
    let options = options(args)?;
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    // Only the objects that may differ are kept in memory (byte-identical pairs are counted).
    let inputs = diff::DiffInputs::load(&old, &new, args.repo.as_deref(), &options)?;
    let report = inputs.diff();
    if let Some(path) = &args.write_baseline {
        diff::Baseline::from_report(&report, options.baseline.as_ref()).write(path)?;
    }
    output::print_with(|out| inputs.write(&report, args.output.core(), color, out))?;
    Ok(ExitCode::from(u8::try_from(report.exit_code).unwrap_or(2)))
}
