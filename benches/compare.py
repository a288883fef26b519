#!/usr/bin/env python3
"""Times `gitops-kit validate` against the registry-installable peers on the same data, in one
run, and prints CPU-time ratios (ours / theirs, per resource; below 1 means we use less CPU).

Data set (validation reference, section (d)): one file per app holding a Deployment (labels,
selector, one container with image, named port, envFrom ConfigMap, requests/limits, probes,
securityContext), a Service (named targetPort) and a ConfigMap (3 keys). `--apps 3334` gives
10,002 resources. Slow peers run on the first `--peer-apps` files and are compared per resource.

Peers (skipped when missing):
  kubernetes-validate (PyPI)   kubernetes-validate --strict --quiet -k 1.33.0 FILES
  yamllint (PyPI)              yamllint -d relaxed DIR
  kubernetes-models + ajv (npm) node validate.mjs DIR   (needs --node-modules DIR with
                               `npm install kubernetes-models js-yaml` done in it)

    cargo build --release -p gitops-kit-cli
    pip install kubernetes-validate yamllint
    python3 benches/compare.py --gitops-kit target/release/gitops-kit --node-modules /tmp/peer
"""
from __future__ import annotations

import argparse
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i:05d}
  namespace: shop
  labels:
    app.kubernetes.io/name: app-{i:05d}
    app.kubernetes.io/part-of: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i:05d}
  template:
    metadata:
      labels:
        app: app-{i:05d}
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/app-{i:05d}:1.{a}.{b}
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: app-{i:05d}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
          livenessProbe:
            httpGet: {{path: /live, port: http}}
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i:05d}
  namespace: shop
  labels:
    app.kubernetes.io/name: app-{i:05d}
    app.kubernetes.io/part-of: shop
spec:
  selector:
    app: app-{i:05d}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i:05d}
  namespace: shop
data:
  LOG_LEVEL: info
  REGION: eu-west-1
  FEATURES: a,b,c
"""

NODE_SCRIPT = """\
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as yaml from 'js-yaml'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { Service } from 'kubernetes-models/v1/Service'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
const kinds = { Deployment, Service, ConfigMap }
const dir = process.argv[2]
let n = 0, bad = 0
for (const f of readdirSync(dir).sort()) {
  for (const doc of yaml.loadAll(readFileSync(join(dir, f), 'utf8'))) {
    if (!doc) continue
    n++
    try { new kinds[doc.kind](doc).validate() } catch (e) { bad++ }
  }
}
console.log(`${n} resources, ${bad} invalid`)
"""


def write_set(dir: pathlib.Path, apps: int) -> None:
    dir.mkdir(parents=True, exist_ok=True)
    for i in range(apps):
        (dir / f"app-{i:05d}.yaml").write_text(APP.format(i=i, a=i % 10, b=i % 7))


def run(cmd: list[str], cwd: str | None = None) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MiB, exit code) of one run, via /usr/bin/time when present."""
    timer = shutil.which("time") or "/usr/bin/time"
    out = tempfile.NamedTemporaryFile(delete=False)
    out.close()
    start = time.perf_counter()
    if os.path.exists(timer):
        proc = subprocess.run([timer, "-f", "%U %S %M", "-o", out.name, *cmd], cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        user, sys_, rss = pathlib.Path(out.name).read_text().split()[-3:]
        os.unlink(out.name)
        return wall, float(user) + float(sys_), int(rss) / 1024, proc.returncode
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.perf_counter() - start, cpu, after.ru_maxrss / 1024, proc.returncode


def best(cmd: list[str], reps: int, cwd: str | None = None) -> tuple[float, float, float, int]:
    runs = sorted((run(cmd, cwd) for _ in range(reps)), key=lambda r: r[1])
    return runs[len(runs) // 2]


def tool(name: str) -> str | None:
    here = pathlib.Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gitops-kit", default="target/release/gitops-kit")
    ap.add_argument("--apps", type=int, default=3334)
    ap.add_argument("--peer-apps", type=int, default=334, help="apps for the slow Python peers")
    ap.add_argument("--node-modules", help="directory with kubernetes-models and js-yaml installed")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="gk-validate-compare-"))
    full, small = work / "full", work / "small"
    write_set(full, args.apps)
    write_set(small, args.peer_apps)
    n_full, n_small = 3 * args.apps, 3 * args.peer_apps

    results: dict[str, tuple[int, tuple[float, float, float, int]]] = {}
    ours = [args.gitops_kit, "validate", "--kubernetes-version", "1.33", "-o", "json"]
    results["gitops-kit validate (strict, default rules)"] = (n_full, best([*ours, str(full)], args.reps))
    results["gitops-kit validate (small set)"] = (n_small, best([*ours, str(small)], args.reps))
    kv = tool("kubernetes-validate")
    if kv:
        files = sorted(str(p) for p in small.iterdir())
        results["kubernetes-validate --strict (small set)"] = (n_small, best([kv, "--strict", "--quiet", "-k", "1.33.0", *files], 1))
    yl = tool("yamllint")
    if yl:
        results["yamllint -d relaxed (small set)"] = (n_small, best([yl, "-d", "relaxed", str(small)], 1))
    node = shutil.which("node")
    if node and args.node_modules and (pathlib.Path(args.node_modules) / "node_modules" / "kubernetes-models").is_dir():
        script = pathlib.Path(args.node_modules) / "gk-validate-peer.mjs"
        script.write_text(NODE_SCRIPT)
        results["kubernetes-models + ajv (node)"] = (n_full, best([node, str(script), str(full)], args.reps, cwd=args.node_modules))

    ours_cpu = results["gitops-kit validate (strict, default rules)"][1][1] / n_full
    print(f"{'tool':48} {'resources':>9} {'wall s':>8} {'CPU s':>8} {'RSS MiB':>8} {'exit':>4} {'CPU/res ours/theirs':>20}")
    for name, (n, (wall, cpu, rss, code)) in results.items():
        ratio = ours_cpu / (cpu / n) if cpu > 0 else float("nan")
        print(f"{name:48} {n:9} {wall:8.2f} {cpu:8.2f} {rss:8.1f} {code:4} {ratio:20.3f}")
    print(f"gitops-kit: {ours_cpu * 10000:.2f} CPU-s per 10k resources "
          f"(kubeconform reference: 2.4 CPU-s; ratio ours/kubeconform = {ours_cpu * 10000 / 2.4:.3f})")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
