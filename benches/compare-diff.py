#!/usr/bin/env python3
"""Times `gitops-kit diff` end to end on two versions of a generated manifest set, in one run,
against GNU `diff -ru` on the same files (a text floor) and against our own parse-only time
(`gitops-kit manifests` on both sides), and prints ratios (machines here are shared and noisy:
compare the ratios, not the seconds).

Data set (diff issue, benchmark section): APPS apps of a Deployment (two containers, env,
resources, probes), a Service and a ConfigMap, 200 apps per file; `--apps 3334` gives 10,002
resources per side. In NEW, every fifth resource is changed: Deployments in image, env and
resources, Services in labels, ConfigMaps in data.

Goals: >= 40 MB/s of input per CPU-second end to end; identical inputs >= 3x faster than
changed ones; peak memory < 3x the input (both sides).

    cargo build --release -p gitops-kit-cli
    python3 benches/compare-diff.py --gitops-kit target/release/gitops-kit
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels:
    app.kubernetes.io/name: app-{i}
    app.kubernetes.io/version: "{version}"
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      containers:
      - name: app
        image: registry.example.com/team/app-{i}:{image}
        ports:
        - {{containerPort: 8080, name: http}}
        env:
        - {{name: LOG_LEVEL, value: {level}}}
        - {{name: REGION, value: eu-west-1}}
        resources:
          requests: {{cpu: {cpu}, memory: 256Mi}}
          limits: {{cpu: "1", memory: 512Mi}}
        readinessProbe:
          httpGet: {{path: /healthz, port: http}}
      - name: sidecar
        image: registry.example.com/proxy:1.4
        volumeMounts:
        - {{name: config, mountPath: /etc/proxy}}
      volumes:
      - name: config
        configMap: {{name: app-{i}-proxy}}
"""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels: {{tier: {tier}}}
spec:
  selector: {{app: app-{i}}}
  ports:
  - {{port: 80, targetPort: 8080, name: http}}
"""

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata: {{name: app-{i}-proxy, namespace: team-{ns}}}
data:
  proxy.yaml: |
    listen: 15001
    upstream: 127.0.0.1:{port}
"""


def app(i: int, changed: set[int]) -> str:
    base = 3 * i
    d, s, c = (base in changed, base + 1 in changed, base + 2 in changed)
    image, cpu, level, version = ("2.0", "750m", "debug", "2") if d else ("1.0", "500m", "info", "1")
    return "---\n".join([
        DEPLOYMENT.format(i=i, ns=i % 40, image=image, cpu=cpu, level=level, version=version),
        SERVICE.format(i=i, ns=i % 40, tier="edge" if s else "web"),
        CONFIGMAP.format(i=i, ns=i % 40, port=9090 if c else 8080),
    ])


def write_side(dir: pathlib.Path, apps: int, changed: set[int]) -> int:
    dir.mkdir(parents=True, exist_ok=True)
    total = 0
    for f in range(0, apps, 200):
        text = "---\n".join(app(i, changed) for i in range(f, min(f + 200, apps)))
        (dir / f"apps-{f // 200:04d}.yaml").write_text(text)
        total += len(text)
    return total


def run(cmd: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one run. CPU from the rusage of GNU time, which
    includes the command it waited for (microseconds: time's own 10 ms steps are too coarse
    for runs of a tenth of a second); peak RSS as GNU time reports it (a child forked from
    Python would count Python's memory)."""
    out = tempfile.NamedTemporaryFile(delete=False)
    out.close()
    start = time.perf_counter()
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", out.name, *cmd],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    rss = pathlib.Path(out.name).read_text().split()[-1]
    os.unlink(out.name)
    return wall, usage.ru_utime + usage.ru_stime, int(rss) / 1024


def median(cmd: list[str], reps: int) -> tuple[float, float, float]:
    runs = sorted((run(cmd) for _ in range(reps)), key=lambda r: r[1])
    return runs[len(runs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gitops-kit", default="target/release/gitops-kit")
    ap.add_argument("--apps", type=int, default=3334)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        raise SystemExit("needs GNU time at /usr/bin/time")

    work = pathlib.Path(tempfile.mkdtemp(prefix="gk-diff-compare-"))
    resources = 3 * args.apps
    changed = set(range(0, resources, 5))
    old_bytes = write_side(work / "old", args.apps, set())
    new_bytes = write_side(work / "new", args.apps, changed)
    shutil.copytree(work / "old", work / "same")
    mb = (old_bytes + new_bytes) / 1e6
    gk = args.gitops_kit
    rows = {
        "gitops-kit diff (changed, -o json)": median([gk, "diff", str(work / "old"), str(work / "new"), "-o", "json"], args.reps),
        "gitops-kit diff (identical, -o json)": median([gk, "diff", str(work / "old"), str(work / "same"), "-o", "json"], args.reps),
        "gitops-kit manifests (parse both sides)": median([gk, "manifests", str(work / "old"), str(work / "new"), "-o", "json"], args.reps),
    }
    if shutil.which("diff"):
        rows["GNU diff -ru (text floor)"] = median(["diff", "-ru", str(work / "old"), str(work / "new")], args.reps)

    print(f"{resources} resources per side, {len(changed)} changed; {mb:.1f} MB both sides")
    print(f"{'run':42} {'wall s':>8} {'CPU s':>8} {'RSS MiB':>8} {'MB/CPU-s':>9}")
    for name, (wall, cpu, rss) in rows.items():
        print(f"{name:42} {wall:8.2f} {cpu:8.2f} {rss:8.1f} {mb / cpu if cpu else float('nan'):9.1f}")
    ch, same, parse = rows["gitops-kit diff (changed, -o json)"], rows["gitops-kit diff (identical, -o json)"], rows["gitops-kit manifests (parse both sides)"]
    print(f"end to end: {mb / ch[1]:.1f} MB per CPU-second (goal >= 40); "
          f"changed/identical CPU = {ch[1] / same[1]:.2f} (goal >= 3); "
          f"diff/parse-only CPU = {ch[1] / parse[1]:.2f}; "
          f"peak memory = {ch[2] * 1.048576 / mb:.2f}x the input (goal < 3)")
    if "GNU diff -ru (text floor)" in rows:
        gnu = rows["GNU diff -ru (text floor)"][1]
        print(f"ours / GNU diff -ru (CPU) = {ch[1] / gnu:.1f}" if gnu > 0 else "GNU diff -ru: too fast to time")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
