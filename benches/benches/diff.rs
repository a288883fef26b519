//! Semantic diff of two generated manifest sets (Deployments, Services, ConfigMaps; 20 % of the
//! Deployments changed in image, env, resources or labels) against the cost of loading them.
//!
//! Run: `cargo bench -p gitops-kit-benches --bench diff -- --warm-up-time 1 --measurement-time 3`.
//! Before criterion's report, one line of ratios is printed for a set of `GITOPS_KIT_DIFF_MB`
//! (default 50) MB per side, in files of 200 apps: load MB/s, diff-only MB/s, diff/load for changed and identical
//! sets, `diff_sources` (load + diff through `DiffInputs`, which keeps only what differs)
//! changed / identical, and load + diff against GNU `diff -ru` on the same files when available. The CLI end to
//! end, in CPU-seconds per MB and peak memory, is measured by `benches/compare-diff.py`.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use gitops_kit::diff::{DiffOptions, diff, diff_sources};
use gitops_kit::manifest::ManifestSet;
use gitops_kit::yaml::ParseOptions;

fn deployment(i: usize, changed: bool) -> String {
    let (image, cpu, level, version) =
        if changed { ("2.0", "750m", "debug", "2") } else { ("1.0", "500m", "info", "1") };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: team-{ns}\n  labels:\n    app.kubernetes.io/name: app-{i}\n    app.kubernetes.io/version: \"{version}\"\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/team/app-{i}:{image}\n        ports:\n        - {{containerPort: 8080, name: http}}\n        env:\n        - {{name: LOG_LEVEL, value: {level}}}\n        - {{name: REGION, value: eu-west-1}}\n        resources:\n          requests: {{cpu: {cpu}, memory: 256Mi}}\n          limits: {{cpu: \"1\", memory: 512Mi}}\n        readinessProbe:\n          httpGet: {{path: /healthz, port: http}}\n      - name: sidecar\n        image: registry.example.com/proxy:1.4\n        volumeMounts:\n        - {{name: config, mountPath: /etc/proxy}}\n      volumes:\n      - name: config\n        configMap: {{name: app-{i}-proxy}}\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: app-{i}, namespace: team-{ns}}}\nspec:\n  selector: {{app: app-{i}}}\n  ports:\n  - {{port: 80, targetPort: 8080, name: http}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app-{i}-proxy, namespace: team-{ns}}}\ndata:\n  proxy.yaml: |\n    listen: 15001\n    upstream: 127.0.0.1:8080\n",
        ns = i % 40,
    )
}

/// Two versions of a set of about `bytes` bytes per side, written as files of 200 apps under
/// `dir/old` and `dir/new`; every fifth Deployment differs. Returns the bytes of both sides.
fn write_sets(dir: &Path, bytes: usize) -> usize {
    let (old_dir, new_dir) = (dir.join("old"), dir.join("new"));
    std::fs::create_dir_all(&old_dir).expect("mkdir");
    std::fs::create_dir_all(&new_dir).expect("mkdir");
    let (mut written, mut total, mut i, mut file) = (0, 0, 0, 0);
    while written < bytes {
        let (mut old, mut new) = (String::new(), String::new());
        for _ in 0..200 {
            old.push_str(&deployment(i, false));
            old.push_str("---\n");
            new.push_str(&deployment(i, i % 5 == 0));
            new.push_str("---\n");
            i += 1;
        }
        std::fs::write(old_dir.join(format!("f{file:04}.yaml")), &old).expect("write");
        std::fs::write(new_dir.join(format!("f{file:04}.yaml")), &new).expect("write");
        written += old.len();
        total += old.len() + new.len();
        file += 1;
    }
    total
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn load(dir: &Path) -> ManifestSet {
    ManifestSet::load_args(&[dir.to_str().expect("utf-8 path")], None, &ParseOptions::default())
        .expect("generated YAML loads")
}

fn report(mb_per_side: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = write_sets(dir.path(), mb_per_side << 20);
    let mb = bytes as f64 / 1e6;
    let (pa, pb) = (dir.path().join("old"), dir.path().join("new"));
    let options = DiffOptions::default();
    let load_secs = best(3, || (load(&pa), load(&pb)));
    let (a, b, a2) = (load(&pa), load(&pb), load(&pa));
    let changed = best(3, || diff(&a, &b, &options));
    let identical = best(3, || diff(&a, &a2, &options));
    let report = diff(&a, &b, &options);
    assert_eq!(report.summary.changed, (a.len() / 3).div_ceil(5), "every fifth Deployment changed");
    print!(
        "diff: {mb:.1} MB (both sides), {} objects per side, {} changed; load {:.1} MB/s; diff-only changed {:.1} MB/s, identical {:.1} MB/s; \
         diff/load changed = {:.2}, identical = {:.2}; changed/identical = {:.2} (goal >= 3: hash fast path); load + diff {:.1} MB/s wall, all cores \
         (per-core CLI figures: benches/compare-diff.py)",
        a.len(),
        report.summary.changed,
        mb / load_secs,
        mb / changed,
        mb / identical,
        changed / load_secs,
        identical / load_secs,
        changed / identical,
        mb / (load_secs + changed),
    );
    let sources = |a: &Path, b: &Path| {
        let (a, b) = (a.to_str().expect("utf-8 path"), b.to_str().expect("utf-8 path"));
        diff_sources(&[a], &[b], None, &options).expect("generated YAML diffs")
    };
    let sources_changed = best(3, || sources(&pa, &pb));
    let sources_identical = best(3, || sources(&pa, &pa));
    print!(
        "; diff_sources (DiffInputs) changed {:.1} MB/s, identical {:.1} MB/s, changed/identical = {:.2}",
        mb / sources_changed,
        mb / sources_identical,
        sources_changed / sources_identical
    );
    let gnu = best(3, || Command::new("diff").arg("-ru").arg(&pa).arg(&pb).output());
    if Command::new("diff").arg("--version").output().is_ok() {
        println!("; ours end-to-end / GNU diff -ru = {:.2}", (load_secs + changed) / gnu);
    } else {
        println!();
    }
}

fn bench(c: &mut Criterion) {
    let size = std::env::var("GITOPS_KIT_DIFF_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(50usize);
    report(size);
    // Criterion samples a smaller set so a run stays short.
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = write_sets(dir.path(), 4 << 20);
    let (pa, pb) = (dir.path().join("old"), dir.path().join("new"));
    let (a, b, a2) = (load(&pa), load(&pb), load(&pa));
    let options = DiffOptions::default();
    let mut group = c.benchmark_group("diff");
    group.sample_size(10).throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("load-both", |bch| bch.iter(|| (load(&pa), load(&pb))));
    group.bench_function("diff-changed", |bch| bch.iter(|| diff(black_box(&a), black_box(&b), &options)));
    group.bench_function("diff-identical", |bch| bch.iter(|| diff(black_box(&a), black_box(&a2), &options)));
    let (sa, sb) = (pa.to_str().expect("utf-8 path"), pb.to_str().expect("utf-8 path"));
    group.bench_function("sources-changed", |bch| bch.iter(|| diff_sources(&[sa], &[sb], None, &options)));
    group.bench_function("sources-identical", |bch| bch.iter(|| diff_sources(&[sa], &[sa], None, &options)));
    group.finish();
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
