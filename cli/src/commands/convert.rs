//! `gitops-kit convert SOURCE...`: print documents as Kubernetes reads them (YAML 1.1 scalars
//! resolved, aliases and merge keys expanded), as JSON or normalized YAML.

use crate::output;
use gitops_kit::yaml::{self, ParseOptions};
use std::process::ExitCode;

/// Output of `convert`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ConvertFormat {
    /// One JSON document per line (JSON Lines).
    Json,
    /// YAML documents separated by `---`.
    Yaml,
}

/// Arguments of `convert`.
#[derive(clap::Args)]
pub struct Args {
    /// Files to convert, or `-` for standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ConvertFormat::Json)]
    output: ConvertFormat,
    /// Accept duplicate mapping keys (last wins).
    #[arg(long)]
    lenient: bool,
}

/// Converts every document of every file, in order.
pub fn run(args: &Args) -> Result<ExitCode, gitops_kit::Error> {
    let options = if args.lenient { ParseOptions::lenient() } else { ParseOptions::default() };
    let mut out = String::new();
    for file in &args.files {
        let source = output::read_source(file)?;
        for doc in yaml::to_json_documents(source.text(), source.name(), &options)? {
            match args.output {
                ConvertFormat::Json => {
                    out.push_str(&serde_json::to_string(&doc).unwrap_or_default());
                    out.push('\n');
                }
                ConvertFormat::Yaml => {
                    out.push_str("---\n");
                    out.push_str(&yaml::to_yaml_string(&doc));
                }
            }
        }
    }
    output::print(&out)?;
    Ok(ExitCode::SUCCESS)
}
