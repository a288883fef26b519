//! Shared helpers of the criterion benches: the corpus location, synthetic manifests, and a
//! counting allocator for peak-memory measurements.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The corpus of real manifests: `$GITOPS_KIT_CORPUS`, else `../shared/corpus` beside the
/// checkout when it exists.
#[must_use]
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("GITOPS_KIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus")));
    dir.is_dir().then_some(dir)
}

/// Every `.yaml`/`.yml`/`.json` file below `dir`, sorted.
#[must_use]
pub fn manifest_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A stream of realistic Deployments (labels, annotations, probes, env, resources, volumes)
/// of about `target_bytes`, deterministic for a given size.
#[must_use]
pub fn synthetic_deployments(target_bytes: usize) -> String {
    let mut out = String::with_capacity(target_bytes + 4096);
    let mut i = 0usize;
    while out.len() < target_bytes {
        let team = ["checkout", "catalog", "payments", "search", "identity"][i % 5];
        let env_count = 3 + i % 5;
        out.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {team}-svc-{i}\n  namespace: {team}\n  labels:\n    app.kubernetes.io/name: {team}-svc-{i}\n    app.kubernetes.io/part-of: {team}\n    app.kubernetes.io/version: \"1.{v}.{p}\"\n  annotations:\n    gitops-kit.io/commit: {sha:040x}\n    deployment.kubernetes.io/revision: \"{r}\"\nspec:\n  replicas: {rep}\n  revisionHistoryLimit: 5\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {team}-svc-{i}\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {{maxSurge: 25%, maxUnavailable: 0}}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {team}-svc-{i}\n        app.kubernetes.io/part-of: {team}\n    spec:\n      serviceAccountName: {team}\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n        - name: app\n          image: registry.example.com/{team}/svc-{i}:main-{sha:012x}\n          imagePullPolicy: IfNotPresent\n          ports:\n            - name: http\n              containerPort: 8080\n              protocol: TCP\n            - name: metrics\n              containerPort: 9090\n          env:\n",
            v = i % 30,
            p = i % 7,
            sha = (i as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835) & ((1u128 << 120) - 1),
            r = i % 40,
            rep = 1 + i % 4,
        ));
        for e in 0..env_count {
            out.push_str(&format!(
                "            - name: SETTING_{e}\n              value: \"value-{i}-{e}\"\n"
            ));
        }
        out.push_str(&format!(
            "            - name: POD_NAME\n              valueFrom:\n                fieldRef: {{fieldPath: metadata.name}}\n          resources:\n            requests: {{cpu: {c}m, memory: {m}Mi}}\n            limits: {{memory: {lm}Mi}}\n          readinessProbe:\n            httpGet: {{path: /healthz, port: http}}\n            periodSeconds: 10\n          livenessProbe:\n            httpGet: {{path: /livez, port: http}}\n            initialDelaySeconds: 15\n          volumeMounts:\n            - name: config\n              mountPath: /etc/{team}\n              readOnly: true\n      volumes:\n        - name: config\n          configMap:\n            name: {team}-svc-{i}-config\n",
            c = 50 + (i % 10) * 25,
            m = 64 << (i % 4),
            lm = 128 << (i % 4),
        ));
        i += 1;
    }
    out
}

/// Counts live and peak heap bytes. Install it in a bench binary with `#[global_allocator]`.
pub struct CountingAlloc;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

impl CountingAlloc {
    /// Resets the peak to the current live size; returns that size.
    pub fn reset_peak() -> usize {
        let now = CURRENT.load(Ordering::Relaxed);
        PEAK.store(now, Ordering::Relaxed);
        now
    }

    /// Highest live size since the last reset.
    pub fn peak() -> usize {
        PEAK.load(Ordering::Relaxed)
    }
}

// SAFETY: delegates to the system allocator; only adds relaxed counters.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size > layout.size() {
                let now =
                    CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}
