//! Runs every conformance vector of `tests/vectors/**` through the Rust API. The pytest and
//! node:test suites run the same files through the bindings.

use gitops_kit::image;
use gitops_kit::manifest::ManifestSet;
use gitops_kit::yaml::{self, Edit, ParseOptions};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn vector_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("vectors directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn text(args: &Value, key: &str) -> String {
    args[key].as_str().unwrap_or_default().to_string()
}

fn file(args: &Value) -> String {
    args["file"].as_str().unwrap_or("<string>").to_string()
}

fn call(name: &str, args: &Value) -> Result<Value, gitops_kit::Error> {
    // diff (issue 4): its `options` are diff options, not parse options.
    if name == "diff_texts" {
        let options = gitops_kit::diff::DiffOptions::from_json(&args["options"])?;
        let report = gitops_kit::diff::diff_texts(&text(args, "old"), &text(args, "new"), &options)?;
        return Ok(serde_json::to_value(&report).expect("serializable"));
    }
    // diff outputs (issue 4): text, json, markdown, unified or patch of two texts.
    if name == "diff_texts_render" {
        let options = gitops_kit::diff::DiffOptions::from_json(&args["options"])?;
        let format = gitops_kit::diff::Format::parse(args["format"].as_str().unwrap_or("text"))?;
        let rendered =
            gitops_kit::diff::render_texts(&text(args, "old"), &text(args, "new"), &options, format)?;
        return Ok(json!(rendered.output));
    }
    // validate (issue 3): its `options` are validation options, not parse options.
    if name == "validate_text" {
        let options = gitops_kit::validate::Options::from_json(&args["options"])?;
        let report = gitops_kit::validate::validate_str(&text(args, "text"), &file(args), &options)?;
        return Ok(report.to_json());
    }
    let options = ParseOptions::from_json(&args["options"])?;
    let to_value = |v: &dyn erased::Ser| v.to_value();
    Ok(match name {
        "yaml_to_json" => json!(yaml::to_json_documents(&text(args, "text"), &file(args), &options)?),
        "yaml_hazards" => to_value(&yaml::hazards(&text(args, "text"), &file(args), &options)?),
        "locate" => {
            let document = args["document"].as_u64().unwrap_or(0) as usize;
            to_value(&yaml::locate(
                &text(args, "text"),
                &file(args),
                document,
                &text(args, "pointer"),
                &options,
            )?)
        }
        "apply_edits" => {
            let edits: Vec<Edit> = args["edits"]
                .as_array()
                .expect("edits")
                .iter()
                .map(|e| Edit {
                    range: e["start"].as_u64().unwrap() as usize..e["end"].as_u64().unwrap() as usize,
                    replacement: e["replacement"].as_str().unwrap().to_string(),
                })
                .collect();
            json!(yaml::apply_edits(&text(args, "text"), &edits, &file(args))?)
        }
        "to_yaml" => json!(yaml::to_yaml_string(&args["value"])),
        "parse_manifests" => {
            to_value(&ManifestSet::from_str_with(&text(args, "text"), &file(args), &options)?.summaries())
        }
        "manifest_report" => ManifestSet::from_str_with(&text(args, "text"), &file(args), &options)?.report(),
        // image (issue 5)
        "parse_image" => {
            let mode = image::ParseMode::from_name(args["mode"].as_str().unwrap_or("normalize"))?;
            to_value(&image::parse_report(&text(args, "reference"), mode))
        }
        "lint_image" => {
            let opts: image::LintOptions = image::options_from_json(&args["settings"])?;
            to_value(&image::lint(&text(args, "reference"), &opts)?)
        }
        "sanitize_tag" => {
            json!(image::sanitize_tag(&text(args, "branch"), args["lowercase"].as_bool().unwrap_or(false))?)
        }
        "same_repository" => {
            let pairs: std::collections::BTreeMap<String, String> =
                image::options_from_json(&args["aliases"])?;
            let aliases = image::Aliases::from_pairs(pairs.iter().map(|(a, t)| (a.as_str(), t.as_str())));
            json!(image::same_repository(&text(args, "a"), &text(args, "b"), &aliases)?)
        }
        "image_sites" => {
            let opts: image::SiteOptions = image::options_from_json(&args["settings"])?;
            let set = ManifestSet::from_str(&text(args, "text"), &file(args))?;
            to_value(&image::sites(&set, &opts))
        }
        "set_images" => {
            let opts: image::SetOptions = image::options_from_json(&args["settings"])?;
            let edits = image::ImageEdit::list_from_json(&args["edits"])?;
            to_value(&image::set_images(&text(args, "text"), &file(args), &edits, &opts)?)
        }
        "render_tag" => {
            let scheme = image::TagScheme::parse(&text(args, "scheme"))?;
            let facts: image::CommitFacts = image::options_from_json(&args["facts"])?;
            json!(scheme.render(&facts)?)
        }
        "parse_tag" => {
            to_value(&image::TagScheme::parse(&text(args, "scheme"))?.parse_tag(&text(args, "tag"))?)
        }
        // end of image
        // env (issue 6): `config` is the text of a gitops-kit.yaml.
        "resolve" => to_value(&env_config(args)?.resolve(&text(args, "branch"))?),
        "gate" => {
            let approvals = gitops_kit::env::Approval::list_from_json(&args["approvals"])?;
            let config = env_config(args)?;
            let (environment, at) = (text(args, "environment"), text(args, "at"));
            to_value(&config.gate_at(&environment, &at, &approvals, args["author"].as_str())?)
        }
        "load_config" => {
            // Error vectors only: a loaded config is an object in Python and Node.
            gitops_kit::env::Config::from_str(&text(args, "text"), &file(args))?;
            Value::Null
        }
        "check_config" => to_value(&gitops_kit::env::Config::check(&text(args, "text"), &file(args))?),
        other => panic!("unknown call {other:?}"),
    })
}

fn env_config(args: &Value) -> Result<gitops_kit::env::Config, gitops_kit::Error> {
    gitops_kit::env::Config::from_str(&text(args, "config"), &file(args))
}

/// Serialize trait objects without naming each result type.
mod erased {
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).expect("serializable")
        }
    }
}

fn check(path: &Path) -> Result<(), String> {
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let docs = yaml::to_json_documents(&source, &path.display().to_string(), &ParseOptions::default())
        .map_err(|e| format!("cannot read vector: {e}"))?;
    let vector = &docs[0];
    let name = vector["call"].as_str().ok_or("no call")?;
    let outcome = call(name, &vector["args"]);
    let expect = &vector["expect"];
    match (outcome, expect.get("error")) {
        (Ok(got), None) => {
            if &got == expect.get("result").ok_or("no expect.result")? {
                Ok(())
            } else {
                Err(format!(
                    "got {}\nwant {}",
                    serde_json::to_string(&got).unwrap(),
                    serde_json::to_string(&expect["result"]).unwrap()
                ))
            }
        }
        (Ok(got), Some(_)) => Err(format!("expected an error, got {got}")),
        (Err(e), None) => Err(format!("unexpected error [{}] {e}", e.code())),
        (Err(e), Some(want)) => {
            let loc = e.location();
            let got = json!({
                "code": e.code(),
                "file": loc.map(|l| l.file.clone()),
                "line": loc.map(|l| l.line),
                "column": loc.map(|l| l.column),
            });
            for (k, v) in want.as_object().ok_or("error must be a mapping")? {
                if &got[k] != v {
                    return Err(format!("error {k}: got {} want {v} ({e})", got[k]));
                }
            }
            Ok(())
        }
    }
}

#[test]
fn all_vectors_pass() {
    let files = vector_files();
    assert!(files.len() >= 20, "vectors missing: {}", files.len());
    let failures: Vec<String> =
        files.iter().filter_map(|f| check(f).err().map(|e| format!("{}: {e}", f.display()))).collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}
