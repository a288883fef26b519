//! Environment decisions: loading `gitops-kit.yaml`, resolving branches, and deploy gates,
//! including the worst cases of `next_open` (a leap-day window years ahead; a deny window
//! every minute that never lets the gate open, which must stay bounded).
//!
//! Run: `cargo bench -p gitops-kit-benches --bench env -- --warm-up-time 1 --measurement-time 3`.
//! Before criterion's report, one line of ratios is printed: each case against one gate
//! evaluation on the sample configuration.

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use gitops_kit::env::{Approval, Config, parse_instant};

const SAMPLE: &str = include_str!("../../examples/gitops-kit.yaml");
const LEAP: &str = "version: 1\nenvironments:\n  x:\n    manifest_branch: x\n    windows: {allow: [{cron: \"0 0 29 2 *\", duration: 1d}]}\n";
const NEVER: &str = "version: 1\nenvironments:\n  x:\n    manifest_branch: x\n    windows:\n      allow: [{cron: \"0 9 * * *\", duration: 1h}]\n      deny: [{cron: \"* * * * *\", duration: 1m}]\n";

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let sample = Config::from_str(SAMPLE, "gitops-kit.yaml").expect("sample");
    let leap = Config::from_str(LEAP, "leap.yaml").expect("leap");
    let never = Config::from_str(NEVER, "never.yaml").expect("never");
    let at = parse_instant("2026-12-01T09:00:00Z").expect("time");
    let friday = parse_instant("2026-11-27T10:00:00Z").expect("time");
    let approvals: Vec<Approval> =
        vec!["ann:sre".parse().expect("a"), "ben:orders-owners".parse().expect("b")];

    let gate = best(200, || sample.gate("prd", at, &approvals, Some("cat")));
    let ratio = |t: f64| t / gate;
    println!(
        "env ratios vs one open gate on the sample: load {:.1}x, resolve {:.2}x, closed gate + next_open {:.1}x, leap-day next_open {:.1}x, never-open (bounded) {:.0}x",
        ratio(best(50, || Config::from_str(SAMPLE, "gitops-kit.yaml"))),
        ratio(best(200, || sample.resolve("pr-1234"))),
        ratio(best(200, || sample.gate("prd", friday, &[], None))),
        ratio(best(20, || leap.gate("x", at, &[], None))),
        ratio(best(3, || never.gate("x", at, &[], None))),
    );

    let mut c = Criterion::default().configure_from_args();
    c.bench_function("env/load-sample", |b| {
        b.iter(|| Config::from_str(black_box(SAMPLE), "gitops-kit.yaml"))
    });
    c.bench_function("env/resolve-preview", |b| b.iter(|| sample.resolve(black_box("pr-1234"))));
    c.bench_function("env/gate-open", |b| {
        b.iter(|| sample.gate("prd", black_box(at), &approvals, Some("cat")))
    });
    c.bench_function("env/gate-closed-next-open", |b| {
        b.iter(|| sample.gate("prd", black_box(friday), &[], None))
    });
    c.bench_function("env/gate-leap-day", |b| b.iter(|| leap.gate("x", black_box(at), &[], None)));
    c.final_summary();
}
