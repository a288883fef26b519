//! `gitops_kit::validate` on the reference data set (validation reference, section (d)): one file
//! per app with a Deployment, a Service and a ConfigMap, strict schemas and the default rules.
//!
//! Run: `cargo bench -p gitops-kit-benches --bench validate -- --warm-up-time 1 --measurement-time 3`.
//! Before criterion's report, one line says where the time goes for `GITOPS_KIT_VALIDATE_APPS`
//! apps (default 3,334, i.e. 10,000 resources): parsing alone (`ManifestSet::from_path`), schemas
//! (every rule but GK-S* skipped) and the whole run, as shares of the whole run, plus resources
//! per CPU-second of the whole run. `benches/compare.py` times the CLI against peers.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use gitops_kit::manifest::ManifestSet;
use gitops_kit::validate::{self, Options};
use gitops_kit::yaml::ParseOptions;

fn app(i: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i:05}\n  namespace: shop\n  labels:\n    app.kubernetes.io/name: app-{i:05}\n    app.kubernetes.io/part-of: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-{i:05}\n  template:\n    metadata:\n      labels:\n        app: app-{i:05}\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/shop/app-{i:05}:1.{}.{}\n          ports:\n            - name: http\n              containerPort: 8080\n          envFrom:\n            - configMapRef:\n                name: app-{i:05}\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{cpu: 500m, memory: 256Mi}}\n          readinessProbe:\n            httpGet: {{path: /ready, port: http}}\n          livenessProbe:\n            httpGet: {{path: /live, port: http}}\n          securityContext:\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i:05}\n  namespace: shop\n  labels:\n    app.kubernetes.io/name: app-{i:05}\n    app.kubernetes.io/part-of: shop\nspec:\n  selector:\n    app: app-{i:05}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{i:05}\n  namespace: shop\ndata:\n  LOG_LEVEL: info\n  REGION: eu-west-1\n  FEATURES: a,b,c\n",
        i % 10,
        i % 7
    )
}

/// Writes `apps` files of three objects each below `dir`.
fn write_set(dir: &Path, apps: usize) {
    for i in 0..apps {
        std::fs::write(dir.join(format!("app-{i:05}.yaml")), app(i)).expect("write");
    }
}

fn cpu_seconds() -> f64 {
    // user + system time of this process, from /proc (Linux); wall time elsewhere.
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let fields: Vec<&str> = s.rsplit_once(')')?.1.split_whitespace().collect();
            let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn timed(reps: usize, f: &dyn Fn()) -> f64 {
    median(
        (0..reps)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

fn schema_only() -> Options {
    let skip = validate::rules()
        .iter()
        .map(|r| r.id)
        .filter(|id| !id.starts_with("GK-S"))
        .map(String::from)
        .collect();
    Options { skip_rules: skip, ..Options::default() }
}

fn main() {
    let apps: usize =
        std::env::var("GITOPS_KIT_VALIDATE_APPS").ok().and_then(|v| v.parse().ok()).unwrap_or(3334);
    let dir = tempfile::tempdir().expect("tempdir");
    write_set(dir.path(), apps);
    let path = dir.path().to_str().expect("utf-8 path").to_string();
    let sources = [path.as_str()];
    // Warm the schema cache (decompression and compilation happen once per process).
    let warm = validate::validate(&sources, None, &Options::default()).expect("validate");
    assert_eq!(warm.summary.errors, 0, "the generated set is valid: {:?}", warm.findings.first());

    let parse = timed(5, &|| {
        black_box(ManifestSet::from_path(dir.path(), &ParseOptions::default()).expect("load"));
    });
    let schema = timed(5, &|| {
        black_box(validate::validate(&sources, None, &schema_only()).expect("validate"));
    });
    let cpu0 = cpu_seconds();
    let full = timed(5, &|| {
        black_box(validate::validate(&sources, None, &Options::default()).expect("validate"));
    });
    let cpu = (cpu_seconds() - cpu0) / 5.0;
    let resources = warm.summary.resources;
    println!(
        "validate {resources} resources: parse {:.0}% / +schemas {:.0}% / +rules {:.0}% of the whole run; {:.0} resources per CPU-second ({:.2} CPU-s per 10k resources)",
        100.0 * parse / full,
        100.0 * (schema - parse).max(0.0) / full,
        100.0 * (full - schema).max(0.0) / full,
        resources as f64 / cpu.max(1e-9),
        cpu * 10_000.0 / resources as f64,
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("validate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(resources as u64));
    group.bench_function("default-rules", |b| {
        b.iter(|| black_box(validate::validate(&sources, None, &Options::default()).expect("validate")));
    });
    group.bench_function("schemas-only", |b| {
        let options = schema_only();
        b.iter(|| black_box(validate::validate(&sources, None, &options).expect("validate")));
    });
    group.bench_function("parse-only", |b| {
        b.iter(|| black_box(ManifestSet::from_path(dir.path(), &ParseOptions::default()).expect("load")));
    });
    group.finish();
    c.final_summary();
}
