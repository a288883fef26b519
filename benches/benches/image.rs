//! Rewriting one repository's image across a 50 MB stream of Deployments with
//! `gitops_kit::image::set_images` (parse every document, find every image site, byte-span edit
//! the matches). Goal: at least 50 MB/s.
//!
//! Run: `cargo bench -p gitops-kit-benches --bench image` (size via `GITOPS_KIT_SYNTHETIC_MB`).
//! After criterion's report it prints `image-set: N MB/s; ratio to goal (50 MB/s) = X.XX`
//! (above 1 meets the goal).

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use gitops_kit::image::{ImageEdit, SetOptions, set_images};
use gitops_kit_benches::synthetic_deployments;

const GOAL_MB_S: f64 = 50.0;

fn rewrite(text: &str, edits: &[ImageEdit]) -> usize {
    let out = set_images(text, "stream.yaml", edits, &SetOptions::default()).expect("rewrite");
    assert_eq!(out.changes.len(), 1, "exactly one site of the repository");
    out.text.len()
}

fn bench(c: &mut Criterion) {
    let size = std::env::var("GITOPS_KIT_SYNTHETIC_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(50usize);
    let text = synthetic_deployments(size << 20);
    let edits = [ImageEdit::parse("registry.example.com/payments/svc-2=:v2.0.0").expect("edit")];
    let mb = text.len() as f64 / 1e6;
    let best = (0..3)
        .map(|_| {
            let t = Instant::now();
            black_box(rewrite(&text, &edits));
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    let rate = mb / best;
    println!(
        "image-set: {mb:.1} MB in {best:.3} s = {rate:.1} MB/s; ratio to goal ({GOAL_MB_S} MB/s) = {:.2}",
        rate / GOAL_MB_S
    );
    // Worst case: a path alias turns the text prefilter off, so every document is parsed.
    let mut all = SetOptions::default();
    all.aliases.insert("mirror.example.com/payments".into(), "registry.example.com/payments".into());
    let worst = (0..3)
        .map(|_| {
            let t = Instant::now();
            let out = set_images(&text, "stream.yaml", &edits, &all).expect("rewrite");
            assert_eq!(out.changes.len(), 1);
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    println!(
        "image-set, every document parsed: {:.1} MB/s; ratio to goal ({GOAL_MB_S} MB/s) = {:.2}",
        mb / worst,
        mb / worst / GOAL_MB_S
    );
    let mut group = c.benchmark_group("image");
    group.sample_size(10).throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("set-images-50mb", |b| b.iter(|| rewrite(black_box(&text), &edits)));
    group.finish();
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
