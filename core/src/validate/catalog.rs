//! The rule catalog: ids, default severities (the recommended default profile), titles and help.

use super::finding::Severity;

/// One rule of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RuleInfo {
    /// Stable id (`GK-S005`).
    pub id: &'static str,
    /// Default severity; `None` when the rule is off by default.
    pub severity: Option<Severity>,
    /// One-line title.
    pub title: &'static str,
    /// How to fix a finding.
    pub help: &'static str,
}

const E: Option<Severity> = Some(Severity::Error);
const W: Option<Severity> = Some(Severity::Warning);
const I: Option<Severity> = Some(Severity::Info);

const fn r(
    id: &'static str,
    severity: Option<Severity>,
    title: &'static str,
    help: &'static str,
) -> RuleInfo {
    RuleInfo { id, severity, title, help }
}

/// Every rule, sorted by id family then number.
pub const RULES: &[RuleInfo] = &[
    r(
        "GK-S001",
        E,
        "YAML syntax error",
        "fix the YAML syntax at the reported position; nothing after it in the file was validated",
    ),
    r(
        "GK-S002",
        E,
        "duplicate mapping key",
        "remove one of the keys: Kubernetes keeps the last one silently",
    ),
    r(
        "GK-S003",
        W,
        "ambiguous plain scalar",
        "quote the value: Kubernetes reads it with YAML 1.1 rules (yes/no/on/off are booleans, 0644 is octal)",
    ),
    r("GK-S004", E, "not a Kubernetes object", "every document needs apiVersion, kind and metadata.name"),
    r(
        "GK-S005",
        E,
        "schema mismatch",
        "fix the value to match the Kubernetes OpenAPI schema of the target version (enum fields take one of the listed values, exact case; pod templates restart Always in Deployments, StatefulSets, DaemonSets and ReplicaSets, OnFailure or Never in Jobs and CronJobs)",
    ),
    r(
        "GK-S006",
        E,
        "unknown field",
        "remove the field or fix its spelling (strict mode; --no-strict accepts unknown fields)",
    ),
    r(
        "GK-S007",
        W,
        "no schema for kind",
        "add the CustomResourceDefinition to the input or pass it with --crd",
    ),
    r(
        "GK-S008",
        E,
        "custom resource invalid against its CRD",
        "fix the value to match the CRD's openAPIV3Schema",
    ),
    r(
        "GK-S009",
        E,
        "apiVersion removed or deprecated",
        "move to the served apiVersion of this kind for the target Kubernetes version",
    ),
    r(
        "GK-S010",
        E,
        "invalid resource quantity",
        "write a quantity such as 500m, 1.5, 128Mi or 1G (binary suffixes Ki..Ei, decimal n u m k M G T P E)",
    ),
    r(
        "GK-S011",
        E,
        "invalid object name",
        "names are lowercase DNS-1123 subdomains (Services and Namespaces: DNS labels of at most 63 characters)",
    ),
    r(
        "GK-S012",
        E,
        "invalid label key or value",
        "label keys are [prefix/]name with name <= 63 characters of [A-Za-z0-9-_.]; values <= 63 characters, same charset",
    ),
    r(
        "GK-S013",
        E,
        "invalid annotation key or size",
        "annotation keys are [prefix/]name like label keys; all annotations together <= 256 KiB",
    ),
    r(
        "GK-S014",
        E,
        "invalid port name",
        "port names are at most 15 characters of [-a-z0-9] with at least one letter, no leading, trailing or double hyphen",
    ),
    r("GK-S015", E, "invalid ConfigMap or Secret key", "keys are [-._a-zA-Z0-9]+ and at most 253 characters"),
    r(
        "GK-S016",
        E,
        "duplicate object",
        "the same apiVersion group, kind, namespace and name is defined twice in one file or in the files of one kustomization; keep one",
    ),
    r(
        "GK-S017",
        W,
        "duplicate env var",
        "the same env var name appears twice in a container; the last one wins",
    ),
    r(
        "GK-R001",
        E,
        "selector does not match template labels",
        "make spec.selector.matchLabels a subset of spec.template.metadata.labels",
    ),
    r(
        "GK-R002",
        W,
        "Service selects no workload",
        "fix the Service selector or add the workload to the input",
    ),
    r(
        "GK-R003",
        W,
        "dangling reference",
        "add the referenced object to the input or fix the reference (judged only when the files applied together define objects of the referenced kind in that namespace)",
    ),
    r("GK-R004", E, "port name not declared", "name a port the container declares in its ports list"),
    r("GK-R005", W, "no readiness probe", "add a readinessProbe to containers behind a Service"),
    r(
        "GK-R006",
        I,
        "liveness probe identical to readiness probe",
        "make the liveness probe less strict than the readiness probe",
    ),
    r("GK-R007", I, "resource requests missing", "set resources.requests.cpu and memory (limits: info)"),
    r(
        "GK-R008",
        I,
        "PDB never allows a disruption",
        "allow at least one disruption: maxUnavailable > 0 or minAvailable below the replicas",
    ),
    r(
        "GK-R009",
        I,
        "single replica without a PodDisruptionBudget (production)",
        "run at least 2 replicas or add a PodDisruptionBudget selecting the pods",
    ),
    r(
        "GK-R010",
        I,
        "Job without TTL, CronJob without deadline",
        "set ttlSecondsAfterFinished on Jobs and startingDeadlineSeconds on CronJobs",
    ),
    r("GK-SEC001", E, "privileged container", "remove securityContext.privileged: true"),
    r("GK-SEC002", E, "host namespace shared", "remove hostNetwork, hostPID and hostIPC"),
    r("GK-SEC003", W, "privilege escalation allowed", "set securityContext.allowPrivilegeEscalation: false"),
    r("GK-SEC004", W, "may run as root", "set securityContext.runAsNonRoot: true and a non-zero runAsUser"),
    r(
        "GK-SEC005",
        E,
        "sensitive host path mounted",
        "do not mount the docker socket or host system directories",
    ),
    r(
        "GK-SEC006",
        W,
        "dangerous capabilities",
        "drop ALL capabilities and add only what is needed (never SYS_ADMIN, NET_ADMIN, ALL)",
    ),
    r("GK-SEC007", E, "unsafe sysctl or procMount", "use only safe sysctls and the Default procMount"),
    r(
        "GK-SEC008",
        E,
        "secret-looking literal in env",
        "read secrets from a Secret with valueFrom.secretKeyRef, not a literal value",
    ),
    r(
        "GK-SEC009",
        E,
        "plain Secret committed",
        "commit a SealedSecret, a SOPS-encrypted file or an ExternalSecret instead",
    ),
    r(
        "GK-SEC010",
        W,
        "RBAC wildcard or cluster-admin binding",
        "list the verbs and resources explicitly; avoid binding cluster-admin",
    ),
    r(
        "GK-SEC011",
        I,
        "hardening missing",
        "set readOnlyRootFilesystem: true and seccompProfile RuntimeDefault; disable SA token automount",
    ),
    r("GK-G001", E, "image tag missing or latest", "pin the image to a release tag or a digest"),
    r(
        "GK-G002",
        W,
        "image not pinned",
        "use a @sha256 digest or a tag matching the release pattern (semver or a commit SHA)",
    ),
    r(
        "GK-G003",
        E,
        "image does not match the environment's commit",
        "deploy the image CI built for this environment: a tag in the image's tag scheme naming the recorded commit, built from an allowed code ref",
    ),
    r(
        "GK-G004",
        W,
        "replicas set while an HPA targets the workload",
        "remove spec.replicas: the HorizontalPodAutoscaler owns it",
    ),
    r(
        "GK-G005",
        W,
        "required labels missing",
        "add the required labels (default app.kubernetes.io/name and app.kubernetes.io/part-of)",
    ),
    r(
        "GK-G006",
        W,
        "namespace missing, or not the environment's",
        "set metadata.namespace so the object lands where intended (with --env: the environment's target.namespace, or the preview's)",
    ),
    r(
        "GK-G007",
        W,
        "live-cluster field committed",
        "remove status, uid, resourceVersion, generation, creationTimestamp, managedFields and last-applied annotations",
    ),
    r(
        "GK-G008",
        I,
        "configuration baked into the workload",
        "move many literal env values into a ConfigMap (envFrom)",
    ),
    r(
        "GK-G009",
        W,
        "ConfigMap or Secret referenced but missing",
        "add the ConfigMap/Secret to the input or fix the reference",
    ),
    r(
        "GK-G010",
        I,
        "overlay differs from the baseline outside the allowed fields",
        "keep environments alike except in allowed fields (images, replicas, resources, env values, namespace, labels, annotations; validation.params.overlayAllowedPaths)",
    ),
    r("GK-G011", None, "imagePullPolicy not Always", "set imagePullPolicy: Always (off by default)"),
];

/// The catalog entry of a rule id.
#[must_use]
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// The whole catalog.
///
/// ```
/// let rules = gitops_kit::validate::rules();
/// assert!(rules.iter().any(|r| r.id == "GK-S006"));
/// ```
#[must_use]
pub fn rules() -> &'static [RuleInfo] {
    RULES
}
