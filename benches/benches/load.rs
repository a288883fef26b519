//! Throughput of (a) raw parser events and (b) a full load into a `ManifestSet`, on the real
//! corpus and on a generated 50 MB stream of Deployments, plus peak memory of (b).
//!
//! Goals (issue #2): (b) at least 70% of (a); peak memory at most 4x the input size.
//! Run: `cargo bench -p gitops-kit-benches --bench load` (corpus from `$GITOPS_KIT_CORPUS`,
//! default `../shared/corpus`; skipped when absent).

use criterion::{Criterion, Throughput};
use gitops_kit::manifest::ManifestSet;
use gitops_kit::yaml::ParseOptions;
use gitops_kit_benches::{CountingAlloc, corpus_dir, manifest_files, synthetic_deployments};
use std::hint::black_box;
use std::time::Instant;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Counts the events of every input: the floor any tree must pay.
fn raw_events(inputs: &[(String, String)]) -> usize {
    let mut n = 0;
    for (_, text) in inputs {
        for event in granit_parser::Parser::new_from_str(text) {
            if event.is_err() {
                break;
            }
            n += 1;
        }
    }
    n
}

fn full_load(inputs: &[(String, String)], options: &ParseOptions) -> usize {
    inputs
        .iter()
        .map(|(name, text)| ManifestSet::from_str_with(text, name, options).map_or(0, |s| s.len()))
        .sum()
}

fn best_secs(mut f: impl FnMut(), runs: usize) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn report(label: &str, inputs: &[(String, String)], options: &ParseOptions) {
    let bytes: usize = inputs.iter().map(|(_, t)| t.len()).sum();
    let mb = bytes as f64 / 1e6;
    let events = best_secs(
        || {
            black_box(raw_events(inputs));
        },
        3,
    );
    let load = best_secs(
        || {
            black_box(full_load(inputs, options));
        },
        3,
    );
    let base = CountingAlloc::reset_peak();
    let kept: Vec<ManifestSet> = inputs
        .iter()
        .filter_map(|(name, text)| ManifestSet::from_str_with(text, name, options).ok())
        .collect();
    let peak = CountingAlloc::peak() - base;
    drop(kept);
    println!(
        "{label}: {mb:.1} MB; events {:.1} MB/s; full load {:.1} MB/s; load/events = {:.2} (goal >= 0.70); peak memory of the loaded set = {:.2}x input (goal <= 4, input held separately)",
        mb / events,
        mb / load,
        events / load,
        peak as f64 / bytes as f64,
    );
}

fn bench(c: &mut Criterion) {
    let lenient = ParseOptions::lenient();
    let mut sets: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    if let Some(dir) = corpus_dir() {
        let files = manifest_files(&dir)
            .into_iter()
            .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
            .collect();
        sets.push(("corpus", files));
    } else {
        eprintln!("corpus not found: set GITOPS_KIT_CORPUS to include it");
    }
    let size = std::env::var("GITOPS_KIT_SYNTHETIC_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(50usize);
    sets.push(("deployments", vec![("synthetic.yaml".to_string(), synthetic_deployments(size << 20))]));

    for (label, inputs) in &sets {
        report(label, inputs, &lenient);
        let bytes: usize = inputs.iter().map(|(_, t)| t.len()).sum();
        let mut group = c.benchmark_group(format!("load/{label}"));
        group.sample_size(10).throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("raw-events", |b| b.iter(|| raw_events(black_box(inputs))));
        group.bench_function("manifest-set", |b| b.iter(|| full_load(black_box(inputs), &lenient)));
        group.finish();
    }
}

criterion::criterion_group!(benches, bench);
criterion::criterion_main!(benches);
