//! Integration tests of `gitops_kit::validate`: embedded versions, strictness, CRDs from files,
//! configuration, renderers, and agreement with kubeconform's fixtures on the shared corpus.

use gitops_kit::validate::{self, Config, Options, OutputFormat, Severity, render, validate_str};
use std::path::{Path, PathBuf};

fn rules_of(report: &validate::Report) -> Vec<(String, u32, u32)> {
    report.findings.iter().map(|f| (f.rule.clone(), f.line, f.column)).collect()
}

const TYPO: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\ndatta: {k: v}\n";

#[test]
fn every_version_from_1_27_is_embedded_and_selectable() {
    let versions = validate::kubernetes_versions();
    assert_eq!(versions.first().map(String::as_str), Some("1.27"));
    assert!(versions.len() >= 11, "{versions:?}");
    for v in &versions {
        let options = Options { kubernetes_version: Some(format!("v{v}.3")), ..Options::default() };
        let report = validate_str(TYPO, "cm.yaml", &options).unwrap();
        assert_eq!(report.kubernetes_version, *v);
        assert_eq!(rules_of(&report), vec![("GK-S006".to_string(), 4, 1)], "{v}");
    }
    let err = validate_str(
        TYPO,
        "cm.yaml",
        &Options { kubernetes_version: Some("1.20".into()), ..Options::default() },
    )
    .unwrap_err();
    assert_eq!(err.code(), "validate.unknown-version");
    assert!(err.to_string().contains("1.27"), "{err}");
    assert!(validate::schema_source().contains("kubernetes-validate"));
}

#[test]
fn strictness_is_on_by_default_and_can_be_relaxed() {
    let relaxed = Options { strict: Some(false), ..Options::default() };
    assert!(validate_str(TYPO, "cm.yaml", &relaxed).unwrap().findings.is_empty());
    let config = Config::from_yaml("validation:\n  strict: false\n", "g.yaml").unwrap();
    let from_config = Options { config: Some(config), ..Options::default() };
    assert!(validate_str(TYPO, "cm.yaml", &from_config).unwrap().findings.is_empty());
}

#[test]
fn apis_removed_between_versions_follow_the_chosen_version() {
    let text = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: f}\nspec:\n  priorityLevelConfiguration: {name: p}\n";
    let at = |v: &str| {
        let options = Options { kubernetes_version: Some(v.into()), ..Options::default() };
        validate_str(text, "f.yaml", &options)
            .unwrap()
            .findings
            .into_iter()
            .filter(|f| f.rule == "GK-S009")
            .collect::<Vec<_>>()
    };
    // v1beta3 is served (deprecated, v1 exists) by 1.29 and removed in 1.32.
    let old = at("1.29");
    assert_eq!(old.len(), 1);
    assert_eq!(old[0].severity, Severity::Warning);
    let new = at("1.32");
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].severity, Severity::Error);
}

fn tmp_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn crds_from_a_separate_path_validate_custom_resources() {
    let dir = tempfile::tempdir().unwrap();
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n                size: {type: integer}\n";
    let crd_path = tmp_file(dir.path(), "crd.yaml", crd);
    let cr = tmp_file(
        dir.path(),
        "cr.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: big}\n",
    );
    let cr = cr.to_str().unwrap();
    let without = validate::validate(&[cr], None, &Options::default()).unwrap();
    assert_eq!(without.findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), ["GK-S007"]);
    let options = Options { crds: vec![crd_path.display().to_string()], ..Options::default() };
    let with = validate::validate(&[cr], None, &options).unwrap();
    assert_eq!(rules_of(&with), vec![("GK-S008".to_string(), 4, 14)]);
    assert_eq!(with.findings[0].pointer, "/spec/size");
    // Missing schemas can be made errors or ignored by configuration.
    let config = Config::from_yaml("validation:\n  rules:\n    GK-S007: error\n", "g.yaml").unwrap();
    let strict =
        validate::validate(&[cr], None, &Options { config: Some(config), ..Options::default() }).unwrap();
    assert!(strict.fails(Severity::Error));
    let config = Config::from_yaml("validation:\n  rules:\n    GK-S007: off\n", "g.yaml").unwrap();
    let quiet =
        validate::validate(&[cr], None, &Options { config: Some(config), ..Options::default() }).unwrap();
    assert!(quiet.findings.is_empty());
}

#[test]
fn unparseable_files_are_findings_and_the_other_files_are_still_validated() {
    let dir = tempfile::tempdir().unwrap();
    tmp_file(dir.path(), "a-broken.yaml", "kind: [x\n");
    tmp_file(dir.path(), "b.yaml", TYPO);
    tmp_file(dir.path(), "c.yaml", "\u{0}\u{1}binary");
    let report = validate::validate(&[dir.path().to_str().unwrap()], None, &Options::default()).unwrap();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["GK-S001", "GK-S006", "GK-S001"]);
    assert_eq!(report.summary.files, 3);
    assert_eq!(report.summary.resources, 1);
    let missing =
        validate::validate(&[dir.path().join("nope.yaml").to_str().unwrap()], None, &Options::default());
    assert_eq!(missing.unwrap_err().code(), "manifest.not-found");
}

#[test]
fn config_errors_are_located() {
    let err = Config::from_yaml("validation:\n  rules:\n    GK-S005: loud\n", "g.yaml").unwrap_err();
    assert_eq!(err.code(), "validate.config");
    let err =
        Config::from_yaml("validation:\n  params:\n    allowedTagPattern: '('\n", "g.yaml").unwrap_err();
    assert_eq!(err.code(), "validate.invalid-argument");
    let unknown = Options { skip_rules: vec!["GK-NOPE".into()], ..Options::default() };
    assert_eq!(validate_str(TYPO, "x.yaml", &unknown).unwrap_err().code(), "validate.unknown-rule");
}

#[test]
fn renderers_carry_real_regions() {
    let report = validate_str(TYPO, "cm.yaml", &Options::default()).unwrap();
    let text = render(&report, OutputFormat::Text);
    assert!(
        text.starts_with("cm.yaml:4:1: error[GK-S006]: unknown field \"datta\" (did you mean \"data\"?)\n"),
        "{text}"
    );
    assert!(text.contains("4 | datta: {k: v}\n  | ^^^^^\n"), "{text}");
    let sarif: serde_json::Value = serde_json::from_str(&render(&report, OutputFormat::Sarif)).unwrap();
    let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region, &serde_json::json!({"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 6}));
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["rules"][0]["id"], "GK-S006");
    let gh = render(&report, OutputFormat::Github);
    assert_eq!(
        gh,
        "::error file=cm.yaml,line=4,col=1,endLine=4,endColumn=6,title=GK-S006::unknown field \"datta\" (did you mean \"data\"?)\n"
    );
    let junit = render(&report, OutputFormat::Junit);
    assert!(junit.contains("<testcase name=\"ConfigMap shop/a\" classname=\"ConfigMap@v1\">"), "{junit}");
    let tap = render(&report, OutputFormat::Tap);
    assert!(tap.starts_with("TAP version 13\nnot ok 1 - cm.yaml ConfigMap shop/a\n"), "{tap}");
    assert!(tap.ends_with("1..1\n"), "{tap}");
}

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// kubeconform's fixtures say which files are valid: we agree on every `valid*`/`invalid*` one.
#[test]
fn agrees_with_kubeconform_fixtures() {
    let Some(corpus) = corpus() else { return };
    let fixtures = corpus.join("yannh__kubeconform/fixtures");
    let schema_rules = ["GK-S001", "GK-S002", "GK-S004", "GK-S005", "GK-S006", "GK-S009"];
    let mut checked = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let expect_valid = if name.starts_with("valid") || name.contains("_valid") {
            true
        } else if name.starts_with("invalid") || name.contains("_invalid") {
            false
        } else {
            continue;
        };
        let report = validate::validate(&[path.to_str().unwrap()], None, &Options::default()).unwrap();
        let invalid = report.findings.iter().any(|f| schema_rules.contains(&f.rule.as_str()));
        assert_eq!(!invalid, expect_valid, "{name}: {:?}", rules_of(&report));
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
}

/// The whole shared corpus: no crash, no error, and the input problems every tool reports.
#[test]
fn whole_corpus_validates_without_crashing() {
    let Some(corpus) = corpus() else { return };
    let report = validate::validate(&[corpus.to_str().unwrap()], None, &Options::default()).unwrap();
    assert!(report.summary.files > 1000, "{:?}", report.summary);
    assert!(report.summary.resources > 2000, "{:?}", report.summary);
    for f in &report.findings {
        assert!(f.line >= 1 && f.column >= 1, "{f:?}");
        assert!((f.end_line, f.end_column) >= (f.line, f.column), "{f:?}");
    }
    // kubeconform's own "invalid" fixture is found at its field.
    let invalid = report
        .findings
        .iter()
        .find(|f| f.file.ends_with("yannh__kubeconform/fixtures/invalid.yaml") && f.rule == "GK-S005")
        .expect("invalid.yaml");
    assert_eq!((invalid.line, invalid.pointer.as_str()), (6, "/spec/replicas"));
    // Alternative bundles of one directory (argo-cd's install.yaml and namespace-install.yaml,
    // istio's route variants) are not duplicates: every GK-S016 is within one file.
    for f in report.findings.iter().filter(|f| f.rule == "GK-S016") {
        assert!(f.message.contains(&format!("(first at {}:", f.file)), "{f:?}");
    }
    // Curated enums and controller restart policies: kube-linter's invalid fixtures are found.
    let restart = report
        .findings
        .iter()
        .filter(|f| {
            f.file.ends_with("stackrox__kube-linter/tests/checks/restart-policy.yaml")
                && f.rule == "GK-S005"
                && f.message.starts_with("restartPolicy")
        })
        .count();
    assert_eq!(restart, 10);
}

const CM: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {mode: fast}\n";

fn rule_hits(dir: &Path, rule: &str) -> Vec<(String, u32)> {
    let report = validate::validate(&[dir.to_str().unwrap()], None, &Options::default()).unwrap();
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.file.rsplit('/').next().unwrap().to_string(), f.line))
        .collect()
}

/// GK-S016 is scoped to what is applied together: alternatives in one directory do not collide,
/// the same file and the files of one kustomization do.
#[test]
fn duplicates_are_scoped_to_files_applied_together() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("install.yaml"), CM).unwrap();
    std::fs::write(dir.path().join("namespace-install.yaml"), CM).unwrap();
    assert_eq!(rule_hits(dir.path(), "GK-S016"), vec![]);

    std::fs::write(dir.path().join("all-in-one.yaml"), format!("{CM}---\n{CM}")).unwrap();
    assert_eq!(rule_hits(dir.path(), "GK-S016"), vec![("all-in-one.yaml".to_string(), 8)]);
    std::fs::remove_file(dir.path().join("all-in-one.yaml")).unwrap();

    // A kustomization (without apiVersion/kind) listing both files: kustomize would fail.
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources:\n  - install.yaml\n  - ./namespace-install.yaml\n",
    )
    .unwrap();
    assert_eq!(rule_hits(dir.path(), "GK-S016").len(), 1);

    // An overlay listing the base directory and its own redefinition collides too; two overlays
    // of one base do not collide with each other.
    let base = dir.path().join("base");
    std::fs::create_dir(&base).unwrap();
    std::fs::write(base.join("cm.yaml"), CM).unwrap();
    std::fs::write(base.join("kustomization.yaml"), "resources: [cm.yaml]\n").unwrap();
    for overlay in ["dev", "prod"] {
        let o = dir.path().join(overlay);
        std::fs::create_dir(&o).unwrap();
        std::fs::write(o.join("cm.yaml"), CM).unwrap();
    }
    std::fs::write(dir.path().join("dev/kustomization.yaml"), "resources: [../base, cm.yaml]\n").unwrap();
    std::fs::write(dir.path().join("prod/kustomization.yaml"), "resources: [../base]\n").unwrap();
    std::fs::remove_file(dir.path().join("kustomization.yaml")).unwrap();
    let hits = rule_hits(dir.path(), "GK-S016");
    assert_eq!(hits.len(), 1, "{hits:?}");
}

/// GK-R003 judges a reference only when the files applied with the referencing object manage
/// the referenced kind: a ServiceAccount in another, unrelated file does not make it judged.
#[test]
fn dangling_references_respect_partial_sets() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceAccountName: web\n  containers: [{name: web, image: nginx:1.27.0}]\n";
    let sa = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: other, namespace: shop}\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    std::fs::write(dir.path().join("sa.yaml"), sa).unwrap();
    assert_eq!(rule_hits(dir.path(), "GK-R003"), vec![]);
    std::fs::write(dir.path().join("kustomization.yaml"), "resources: [pod.yaml, sa.yaml]\n").unwrap();
    assert_eq!(rule_hits(dir.path(), "GK-R003"), vec![("pod.yaml".to_string(), 5)]);
}

/// The curated enums of built-in kinds are in every embedded version.
#[test]
fn builtin_enums_are_checked_in_every_version() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  containers: [{name: web, image: nginx:1.27.0, imagePullPolicy: Allways}]\n";
    for v in validate::kubernetes_versions() {
        let options = Options { kubernetes_version: Some(v.clone()), ..Options::default() };
        let report = validate_str(text, "pod.yaml", &options).unwrap();
        let f = report.findings.iter().find(|f| f.rule == "GK-S005").expect(&v);
        assert_eq!((f.line, f.column), (5, 66), "{v}");
        assert!(f.message.ends_with("(did you mean \"Always\"?)"), "{v}: {}", f.message);
    }
}

/// A kustomize base leaves to its kustomization what it adds when rendering: the namespace,
/// selectors (commonLabels), labels and generated ConfigMaps. Those absences are no findings for files it builds, and
/// still are for the same file outside any kustomization.
#[test]
fn fields_a_kustomization_fills_in_are_not_reported_missing() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: r/web:1.2.3\n        envFrom:\n        - configMapRef: {name: web-env}\n";
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    std::fs::create_dir_all(&base).unwrap();
    tmp_file(&base, "deployment.yaml", deployment);
    tmp_file(
        &base,
        "kustomization.yaml",
        "namespace: shop\ncommonLabels:\n  app.kubernetes.io/name: web\n  app.kubernetes.io/part-of: shop\nresources:\n- deployment.yaml\nconfigMapGenerator:\n- name: web-env\n  literals: [A=1]\n",
    );
    let plain = dir.path().join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    tmp_file(&plain, "deployment.yaml", deployment);
    let findings = |d: &Path| -> Vec<(String, String)> {
        let report = validate::validate(&[d.to_str().unwrap()], None, &validate::Options::default()).unwrap();
        report.findings.iter().map(|f| (f.rule.clone(), f.pointer.clone())).collect()
    };
    let missing = [
        ("GK-G006".to_string(), "/metadata".to_string()),
        ("GK-S005".to_string(), "/spec".to_string()),
        ("GK-G005".to_string(), "/metadata/labels".to_string()),
        ("GK-G009".to_string(), "/spec/template/spec/containers/0/envFrom/0/configMapRef/name".to_string()),
    ];
    let (in_base, outside) = (findings(&base), findings(&plain));
    for m in &missing {
        assert!(outside.contains(m), "{m:?} should be reported outside a kustomization: {outside:?}");
        assert!(!in_base.contains(m), "{m:?} is filled in by the kustomization: {in_base:?}");
    }
}

/// Operators create the pods of their custom resources: a Service selecting them is not
/// dangling when its namespace holds custom resources, and is without them.
#[test]
fn services_of_operator_managed_pods_are_not_dangling() {
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: prometheus, namespace: monitoring}\nspec:\n  selector: {prometheus: k8s}\n  ports: [{port: 9090}]\n";
    let cr = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: monitoring}\nspec: {replicas: 2}\n";
    let r002 = |text: &str| {
        let report = validate::validate_str(text, "m.yaml", &validate::Options::default()).unwrap();
        report.findings.iter().filter(|f| f.rule == "GK-R002").count()
    };
    assert_eq!(r002(service), 1);
    assert_eq!(r002(&format!("{service}---\n{cr}")), 0);
}
