//! Reading validation inputs file by file, so that a file that does not parse becomes a
//! GK-S001 finding instead of stopping the run.

use crate::manifest::{ManifestSet, RepoChoice, SourceSpec, has_manifest_extension, manifest_files_below};
use crate::yaml::{ParseOptions, Source};
use rayon::prelude::*;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// One input file, read but not parsed.
pub(crate) struct Input {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The outcome of parsing one input.
pub(crate) enum Parsed {
    /// Objects and problems of a file that parsed.
    Set(ManifestSet),
    /// A file that did not parse: the error, the text (for excerpts) if it was text, and the
    /// objects of the documents before the error (still validated).
    Failed { error: crate::yaml::Error, source: Option<Arc<Source>>, partial: ManifestSet },
}

/// Reads every file of command-line style sources, in order (directories sorted, hidden
/// directories skipped, like `ManifestSet::from_path`).
pub(crate) fn read_sources<S: AsRef<str>>(
    sources: &[S],
    repo_dir: Option<&Path>,
) -> Result<Vec<Input>, crate::Error> {
    let specs = SourceSpec::parse_all(sources)?;
    let repo = RepoChoice::from_dir(repo_dir).for_sources(&specs)?;
    let mut inputs = Vec::new();
    for spec in specs {
        match spec {
            SourceSpec::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin().lock().read_to_end(&mut bytes).map_err(|e| crate::manifest::Error::Io {
                    path: "<stdin>".into(),
                    message: e.to_string(),
                })?;
                inputs.push(Input { name: "<stdin>".into(), bytes });
            }
            SourceSpec::Path(path) => read_path(&path, &mut inputs)?,
            SourceSpec::Git { rev, path } => {
                let Some(repo) = repo.as_ref() else { continue };
                let files = repo.read_files(&rev, &path)?;
                if files.is_empty() {
                    return Err(crate::manifest::Error::NotFound { path: format!("git:{rev}:{path}") }.into());
                }
                let single = files.len() == 1 && files[0].path == path;
                for f in files {
                    if single || has_manifest_extension(Path::new(&f.path)) {
                        inputs.push(Input { name: format!("git:{rev}:{}", f.path), bytes: f.data });
                    }
                }
            }
        }
    }
    Ok(inputs)
}

fn read_path(path: &Path, inputs: &mut Vec<Input>) -> Result<(), crate::Error> {
    let io = |p: &Path, e: std::io::Error| crate::manifest::Error::io(p, &e);
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    let files = if meta.is_dir() { manifest_files_below(path)? } else { vec![path.to_path_buf()] };
    let read: Vec<Result<Input, crate::Error>> = files
        .par_iter()
        .map(|f| {
            let bytes = std::fs::read(f).map_err(|e| io(f, e))?;
            Ok(Input { name: f.display().to_string(), bytes })
        })
        .collect();
    for r in read {
        inputs.push(r?);
    }
    Ok(())
}

/// Parses inputs in parallel, Kubernetes' lenient way (duplicate keys become problems, reported
/// as GK-S002), keeping input order.
pub(crate) fn parse_all(inputs: Vec<Input>) -> Vec<Parsed> {
    let options = ParseOptions::lenient();
    inputs.into_par_iter().map(|input| parse_one(input, &options)).collect()
}

fn parse_one(input: Input, options: &ParseOptions) -> Parsed {
    // The source is read once and shared: the set keeps it, and a failure keeps it for the
    // excerpt of its GK-S001 finding.
    let source = match Source::from_bytes(input.name, input.bytes) {
        Ok(source) => Arc::new(source),
        Err(error) => return Parsed::Failed { error, source: None, partial: ManifestSet::new() },
    };
    match ManifestSet::from_source_partial(Arc::clone(&source), options) {
        (set, None) => Parsed::Set(set),
        (partial, Some(error)) => Parsed::Failed { error, source: Some(source), partial },
    }
}
