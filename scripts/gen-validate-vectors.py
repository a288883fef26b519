#!/usr/bin/env python3
"""Writes tests/vectors/validate/*.yaml: a failing and a passing case per rule, the YAML gotchas
of the validation reference (Appendix 2), CRDs, suppression and configuration.

The expected results are computed with the installed `gitops_kit` wheel and then REVIEWED by
hand (rule, line, column, pointer of each finding) before committing: the vectors pin the
behaviour across Rust, Python and Node, they do not define it.

    python3 scripts/gen-validate-vectors.py
"""
import json
import pathlib
import textwrap

import gitops_kit

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "vectors" / "validate"

# A Deployment that passes every default rule: each failing case changes one thing.
GOOD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: web
          image: registry.example.com/web:1.2.3
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /ready, port: http}}
          resources: {requests: {cpu: 100m, memory: 128Mi}}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
"""

SVC = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  labels: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
"""

CM = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: fast}
"""


def sub(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


CASES = {}


def case(name, description, text, options=None):
    CASES[name] = (description, text, options)


def pair(rule, what, bad, good=GOOD, options=None):
    slug = rule.lower()
    case(f"{slug}-fails", f"{rule}: {what} (failing case)", bad, options)
    case(f"{slug}-passes", f"{rule}: {what} (passing case)", good, options)


# --- schema and syntax (GK-S) ------------------------------------------------------------------
pair("GK-S001", "a file that does not parse is a finding, not an error", "apiVersion: v1\nkind: [ConfigMap\n", CM)
pair("GK-S002", "duplicate mapping key", sub(CM, "data: {mode: fast}", "data:\n  mode: fast\n  mode: slow"), CM)
pair("GK-S003", "YAML 1.1 boolean where a string is expected", sub(CM, "mode: fast", "mode: on"), sub(CM, "mode: fast", "mode: 'on'"))
pair("GK-S004", "document that is not an object", "just: data\n", CM)
pair("GK-S005", "type mismatch (string replicas)", sub(GOOD, "spec:\n  selector", "spec:\n  replicas: \"3\"\n  selector"),
     sub(GOOD, "spec:\n  selector", "spec:\n  replicas: 3\n  selector"))
pair("GK-S006", "unknown field (typo)", sub(GOOD, "          image:", "          imagePullPolcy: Always\n          image:"))
pair("GK-S007", "custom resource without a CRD", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 1}\n",
     "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 1}\n", {"skip_rules": []})
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, minimum: 1, maximum: 10}
                color: {type: string, enum: [red, blue]}
                port: {x-kubernetes-int-or-string: true}
                name: {type: string, pattern: '^[a-z]+$', maxLength: 8}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
                tags: {type: array, items: {type: string}, maxItems: 2}
                labels: {type: object, additionalProperties: {type: string}}
---
"""
case("gk-s007-passes", "GK-S007: a CRD in the input gives the custom resource a schema (passing case)",
     CRD + "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 1, port: http, extra: {any: [thing]}, labels: {a: b}}\n")
pair("GK-S008", "custom resource invalid against its CRD",
     CRD + "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec:\n  size: 11\n  color: green\n  port: 1.5\n  name: Abc\n  tags: [a, b, c]\n  labels: {a: 1}\n  sise: 2\n",
     CRD + "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec: {size: 10, color: red, port: 8080, name: abc, tags: [a], labels: {a: b}}\n")
case("gk-s008-missing-required", "GK-S008: a required field of the CRD schema is reported at the parent key",
     CRD + "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\nspec:\n  color: red\n")
pair("GK-S009", "apiVersion no longer served", sub(GOOD, "apiVersion: apps/v1", "apiVersion: apps/v1beta2"))
case("gk-s009-older-version", "GK-S009: autoscaling/v2beta2 is served by Kubernetes 1.25 but not by 1.27",
     "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n",
     {"kubernetes_version": "1.27"})
pair("GK-S010", "quantity syntax", sub(GOOD, "memory: 128Mi", "memory: 1GB"))
pair("GK-S011", "object name syntax", sub(GOOD, "name: web\n  namespace", "name: Web_App\n  namespace"))
case("gk-s011-service", "GK-S011: Service names are DNS-1035 labels (no leading digit)", sub(SVC, "name: web\n  namespace", "name: 1-api\n  namespace"))
pair("GK-S012", "label key and value syntax", sub(GOOD, "app.kubernetes.io/part-of: shop}", "app.kubernetes.io/part-of: shop, -bad_key/Name: x, tier: " + "a" * 70 + "}"))
pair("GK-S013", "annotation key syntax", sub(CM, "metadata: {name: settings, namespace: shop}", "metadata: {name: settings, namespace: shop, annotations: {'bad key': x}}"), CM)
pair("GK-S014", "port name syntax", sub(GOOD, "ports: [{name: http,", "ports: [{name: very-long-port-name,").replace("port: http}}", "port: 8080}}"))
pair("GK-S015", "ConfigMap key syntax", sub(CM, "data: {mode: fast}", "data: {'a/b': x}"), CM)
pair("GK-S016", "same object defined twice", CM + "---\n" + CM, CM)
pair("GK-S017", "duplicate env var", sub(GOOD, "          resources:", "          env: [{name: A, value: one}, {name: A, value: two}]\n          resources:"))
# --- reliability (GK-R) ------------------------------------------------------------------------
pair("GK-R001", "selector does not match the template labels", sub(GOOD, "matchLabels: {app: web}", "matchLabels: {app: api}"))
pair("GK-R002", "Service selects nothing", GOOD + "---\n" + sub(SVC, "selector: {app: web}", "selector: {app: api}"), GOOD + "---\n" + SVC)
pair("GK-R003", "HPA targets a missing Deployment",
     "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  maxReplicas: 3\n",
     GOOD + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n")
pair("GK-R004", "probe port name not declared", sub(GOOD, "port: http}}", "port: metrics}}"))
pair("GK-R005", "no readiness probe behind a Service", sub(GOOD, "          readinessProbe: {httpGet: {path: /ready, port: http}}\n", "") + "---\n" + SVC, GOOD + "---\n" + SVC)
pair("GK-R006", "liveness identical to readiness", sub(GOOD, "          resources:", "          livenessProbe: {httpGet: {path: /ready, port: http}}\n          resources:"))
pair("GK-R007", "requests missing", sub(GOOD, "          resources: {requests: {cpu: 100m, memory: 128Mi}}\n", ""))
pair("GK-R008", "PDB allowing no disruption",
     "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec: {maxUnavailable: 0, selector: {matchLabels: {app: web}}}\n",
     "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}\n")
pair("GK-R010", "CronJob without startingDeadlineSeconds",
     "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: shop, labels: {app.kubernetes.io/name: c, app.kubernetes.io/part-of: shop}}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n          containers:\n            - name: c\n              image: registry.example.com/c:1.0.0\n              resources: {requests: {cpu: 10m, memory: 16Mi}}\n              securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n",
     "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: shop, labels: {app.kubernetes.io/name: c, app.kubernetes.io/part-of: shop}}\nspec:\n  schedule: '@daily'\n  startingDeadlineSeconds: 60\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n          containers:\n            - name: c\n              image: registry.example.com/c:1.0.0\n              resources: {requests: {cpu: 10m, memory: 16Mi}}\n              securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}\n")
# --- security (GK-SEC) -------------------------------------------------------------------------
pair("GK-SEC001", "privileged container", sub(GOOD, "allowPrivilegeEscalation: false,", "allowPrivilegeEscalation: false, privileged: true,"))
pair("GK-SEC002", "host network", sub(GOOD, "      securityContext: {runAsNonRoot", "      hostNetwork: true\n      securityContext: {runAsNonRoot"))
pair("GK-SEC003", "privilege escalation allowed", sub(GOOD, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"))
pair("GK-SEC004", "runs as root", sub(GOOD, "runAsNonRoot: true", "runAsUser: 0"))
pair("GK-SEC005", "docker socket mounted", sub(GOOD, "      containers:", "      volumes: [{name: sock, hostPath: {path: /var/run/docker.sock}}]\n      containers:"))
pair("GK-SEC006", "SYS_ADMIN added", sub(GOOD, "drop: [ALL]", "drop: [ALL], add: [SYS_ADMIN]"))
pair("GK-SEC007", "unsafe sysctl", sub(GOOD, "runAsNonRoot: true,", "runAsNonRoot: true, sysctls: [{name: kernel.msgmax, value: '65536'}],"))
pair("GK-SEC008", "secret-looking env literal", sub(GOOD, "          resources:", "          env: [{name: DB_PASSWORD, value: hunter2-Xy9zQ!}]\n          resources:"),
     sub(GOOD, "          resources:", "          env: [{name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password, optional: true}}}]\n          resources:"))
pair("GK-SEC009", "plain Secret committed", "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: not-here}\n",
     "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ntype: kubernetes.io/tls-placeholder\n")
pair("GK-SEC010", "RBAC wildcard", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: all, namespace: shop}\nrules: [{apiGroups: [''], resources: ['*'], verbs: [get]}]\n",
     "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: read, namespace: shop}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n")
pair("GK-SEC011", "writable root filesystem", sub(GOOD, "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))
# --- GitOps (GK-G) -----------------------------------------------------------------------------
pair("GK-G001", "latest tag", sub(GOOD, "web:1.2.3", "web:latest"))
pair("GK-G002", "tag not matching the release pattern", sub(GOOD, "web:1.2.3", "web:stable"))
case("gk-g002-digest", "GK-G002: a digest pins the image whatever the tag (passing case)", sub(GOOD, "web:1.2.3", "web:stable@sha256:" + "a" * 64))
case("gk-g002-config", "GK-G002: allowedTagPattern and allowedRegistries come from the configuration",
     sub(GOOD, "registry.example.com/web:1.2.3", "docker.io/library/web:v7"),
     {"config_text": "validation:\n  params:\n    allowedTagPattern: '^v\\d+$'\n    allowedRegistries: [registry.example.com]\n"})
pair("GK-G004", "replicas set while an HPA scales the Deployment",
     sub(GOOD, "spec:\n  selector", "spec:\n  replicas: 2\n  selector") + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n",
     GOOD + "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 3\n")
pair("GK-G005", "required labels missing", sub(GOOD, "  labels: {app.kubernetes.io/name: web, app.kubernetes.io/part-of: shop}\n", ""))
case("gk-g005-config", "GK-G005: requiredLabels from the configuration, severity raised to error",
     GOOD, {"config_text": "validation:\n  rules:\n    GK-G005: error\n  params:\n    requiredLabels: [team]\n"})
pair("GK-G006", "namespaced object without namespace", sub(CM, ", namespace: shop}", "}"), CM)
pair("GK-G007", "live-cluster fields committed", sub(CM, "metadata: {name: settings, namespace: shop}", "metadata: {name: settings, namespace: shop, uid: 0b1e, resourceVersion: '42'}\nstatus: {}"), CM)
pair("GK-G008", "many literal env values",
     sub(GOOD, "          resources:", "          env: [" + ", ".join(f"{{name: V{i}, value: x}}" for i in range(12)) + "]\n          resources:"))
pair("GK-G009", "ConfigMap referenced but missing", sub(GOOD, "          resources:", "          envFrom: [{configMapRef: {name: settings}}]\n          resources:"),
     sub(GOOD, "          resources:", "          envFrom: [{configMapRef: {name: settings}}]\n          resources:") + "---\n" + CM)
case("gk-g011-enabled", "GK-G011 is off by default; the configuration turns it on",
     GOOD, {"config_text": "validation:\n  rules:\n    GK-G011: on\n"})
# --- gotchas (reference Appendix 2) -------------------------------------------------------------
GOTCHAS = [
    ("duplicate-key", "duplicate key image: in a container", sub(GOOD, "          image: registry.example.com/web:1.2.3\n", "          image: registry.example.com/web:1.2.3\n          image: registry.example.com/web:1.2.4\n")),
    ("label-yes", "label enabled: yes is a YAML 1.1 boolean", sub(GOOD, "app.kubernetes.io/part-of: shop}", "app.kubernetes.io/part-of: shop, enabled: yes}")),
    ("norway", "ConfigMap data NO and on", sub(CM, "data: {mode: fast}", "data:\n  country: NO\n  flag: on")),
    ("octal-string", "ConfigMap data 01234 is octal 668", sub(CM, "data: {mode: fast}", "data:\n  zip: 01234")),
    ("octal-0o", "defaultMode: 0o644 is 420 for kubectl (no finding)", sub(GOOD, "      containers:", "      volumes: [{name: c, configMap: {name: settings, defaultMode: 0o644}}]\n      containers:") + "---\n" + CM),
    ("port-string", "containerPort: \"8080\" is a string", sub(GOOD, "containerPort: 8080", "containerPort: \"8080\"")),
    ("env-number", "env value: 8080 is a number", sub(GOOD, "          resources:", "          env: [{name: PORT, value: 8080}]\n          resources:")),
    ("quantity", "memory: 1GB and cpu: 0.5.0", sub(GOOD, "{cpu: 100m, memory: 128Mi}", "{cpu: 0.5.0, memory: 1GB}")),
    ("label-long", "label value of 70 characters", sub(GOOD, "{app: web}}\n    spec", "{app: web, v: " + "x" * 70 + "}}\n    spec")),
    ("label-key", "label key -bad_key/Name", sub(GOOD, "{app: web}}\n    spec", "{app: web, -bad_key/Name: x}}\n    spec")),
    ("name-upper", "Deployment name UPPER_Name", sub(GOOD, "name: web\n  namespace", "name: UPPER_Name\n  namespace")),
    ("service-name", "Service 1-api with a 22-character targetPort", sub(sub(SVC, "name: web\n  namespace", "name: 1-api\n  namespace"), "targetPort: http", "targetPort: a-twenty-two-chars-name")),
    ("typo", "typo imagePullPolcy", sub(GOOD, "          image:", "          imagePullPolcy: Always\n          image:")),
    ("port-name-long", "container port name longer than 15", sub(GOOD, "name: http, containerPort", "name: http-metrics-port, containerPort").replace("port: http}}", "port: 8080}}")),
    ("annotation-bool", "annotation prometheus.io/scrape: true", sub(CM, "metadata: {name: settings, namespace: shop}", "metadata: {name: settings, namespace: shop, annotations: {prometheus.io/scrape: true}}")),
    ("latest", "image :latest", sub(GOOD, "web:1.2.3", "web:latest")),
    ("no-selector", "Deployment without selector", sub(GOOD, "  selector: {matchLabels: {app: web}}\n", "")),
]
for slug, what, text in GOTCHAS:
    case(f"gotcha-{slug}", f"reference Appendix 2 gotcha: {what}", text)
# --- suppression, configuration, strictness, versions -------------------------------------------
case("suppress-annotation", "gitops-kit.io/ignore silences the listed rules on the object; they are counted as suppressed",
     sub(sub(GOOD, "web:1.2.3", "web:latest"), "  namespace: shop\n  labels", "  namespace: shop\n  annotations: {gitops-kit.io/ignore: 'GK-G001,GK-SEC011 -- pinned by the release job'}\n  labels"))
case("config-disable-exclude", "rules disabled and files excluded by the configuration",
     sub(sub(GOOD, "web:1.2.3", "web:latest"), "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"),
     {"config_text": "validation:\n  rules:\n    GK-G001: off\n  exclude:\n    - path: '*.yaml'\n      rules: [GK-SEC011]\n"})
case("skip-rules", "skip_rules drops rules", sub(GOOD, "web:1.2.3", "web:latest"), {"skip_rules": ["GK-G001"]})
case("no-strict", "strict false accepts unknown fields", sub(GOOD, "          image:", "          imagePullPolcy: Always\n          image:"), {"strict": False})
case("list-kind", "items of a List are validated at their own positions",
     "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a, namespace: shop}\n    data: {count: 1}\n")
case("required-at-parent-key", "a missing required field is reported at the key of the mapping that lacks it",
     sub(GOOD, "          ports: [{name: http, containerPort: 8080}]", "          ports: [{name: http}]").replace("port: http}}", "port: 8080}}"))
case("int32-range", "int32 fields reject values out of range", sub(GOOD, "containerPort: 8080", "containerPort: 3000000000"))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.yaml"):
        old.unlink()
    for name, (description, text, options) in sorted(CASES.items()):
        args = {"text": text, "file": "case.yaml"}
        if options:
            args["options"] = options
        result = gitops_kit.validate_text(text, "case.yaml", options)
        vector = {"description": description, "call": "validate_text", "args": args, "expect": {"result": result}}
        body = gitops_kit.to_yaml(vector)
        (OUT / f"{name}.yaml").write_text(body, encoding="utf-8")
    print(f"{len(CASES)} vectors in {OUT}")


if __name__ == "__main__":
    main()
