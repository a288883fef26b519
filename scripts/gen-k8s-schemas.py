#!/usr/bin/env python3
"""Generate the embedded Kubernetes schema bundle (core/src/validate/schemas/k8s.json.gz).

Source: the JSON schemas shipped in the `kubernetes-validate` PyPI wheel (Apache-2.0),
directories `kubernetes-json-schema/vX.Y.0-local/_definitions.json`.

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    python3 scripts/gen-k8s-schemas.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl

What the script does:
- keeps Kubernetes 1.27 and newer (the versions gitops-kit supports);
- strips descriptions and every keyword the validator does not read;
- content-addresses definitions: a definition whose stripped text is the same in several
  versions is stored once; each version maps definition names to content hashes, and `$ref`s
  stay names, resolved through the version's own map (so a shared definition that refers to a
  changed one is still correct);
- writes deterministic, gzip-compressed JSON (mtime 0).

Enums of built-in kinds: the source's schemas carry no `enum` for core types (its descriptions
say "One of Always, Never, IfNotPresent" in prose), so `imagePullPolicy: Allways` would pass.
`ENUMS` below is a curated table of the string fields whose values the API server itself
validates (`Unsupported value` errors in k8s.io/kubernetes pkg/apis/*/validation); the script
injects each list as an `enum` into every version that has the field, and checks it against the
version's own OpenAPI description: an entry marked `listed` must have every value named in that
description (the generation fails otherwise), which catches typos and values that a version does
not know yet. Values added in a later version carry their first minor version. The empty string
is always accepted: the API server defaults an empty policy field (or treats it as unset).

Strictness is not baked in: the validator treats an object schema with `properties` and no
`additionalProperties` as closed when strict mode is on (that is exactly what the wheel's
`-strict` variant adds).
"""
import gzip
import hashlib
import io
import json
import re
import sys
import zipfile

MIN_MINOR = 27
KEEP = {"type", "properties", "items", "required", "enum", "format", "additionalProperties",
        "$ref", "oneOf", "minimum", "maximum", "pattern", "minLength", "maxLength"}


# (definition under io.k8s.api., property, values, listed in the description?). A value may be
# written "Value@N": accepted from Kubernetes 1.N on. Array fields get the enum on their items.
ENUMS = [
    ("core.v1.Container", "imagePullPolicy", ["Always", "IfNotPresent", "Never"], True),
    ("core.v1.Container", "terminationMessagePolicy", ["File", "FallbackToLogsOnError"], True),
    ("core.v1.EphemeralContainer", "imagePullPolicy", ["Always", "IfNotPresent", "Never"], True),
    ("core.v1.EphemeralContainer", "terminationMessagePolicy", ["File", "FallbackToLogsOnError"], True),
    ("core.v1.ContainerPort", "protocol", ["TCP", "UDP", "SCTP"], True),
    ("core.v1.ServicePort", "protocol", ["TCP", "UDP", "SCTP"], True),
    ("core.v1.EndpointPort", "protocol", ["TCP", "UDP", "SCTP"], True),
    ("discovery.v1.EndpointPort", "protocol", ["TCP", "UDP", "SCTP"], True),
    ("networking.v1.NetworkPolicyPort", "protocol", ["TCP", "UDP", "SCTP"], True),
    ("core.v1.PodSpec", "restartPolicy", ["Always", "OnFailure", "Never"], True),
    ("core.v1.PodSpec", "dnsPolicy", ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"], True),
    ("core.v1.PodSpec", "preemptionPolicy", ["PreemptLowerPriority", "Never"], True),
    ("scheduling.v1.PriorityClass", "preemptionPolicy", ["PreemptLowerPriority", "Never"], True),
    ("core.v1.ServiceSpec", "type", ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"], True),
    ("core.v1.ServiceSpec", "externalTrafficPolicy", ["Cluster", "Local"], True),
    ("core.v1.ServiceSpec", "internalTrafficPolicy", ["Cluster", "Local"], True),
    ("core.v1.ServiceSpec", "sessionAffinity", ["ClientIP", "None"], True),
    ("core.v1.ServiceSpec", "ipFamilyPolicy", ["SingleStack", "PreferDualStack", "RequireDualStack"], True),
    ("core.v1.ServiceSpec", "ipFamilies", ["IPv4", "IPv6"], True),
    ("core.v1.PersistentVolumeClaimSpec", "accessModes",
     ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"], False),
    ("core.v1.PersistentVolumeClaimSpec", "volumeMode", ["Filesystem", "Block"], False),
    ("core.v1.PersistentVolumeSpec", "accessModes",
     ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"], False),
    ("core.v1.PersistentVolumeSpec", "volumeMode", ["Filesystem", "Block"], False),
    ("core.v1.PersistentVolumeSpec", "persistentVolumeReclaimPolicy", ["Retain", "Delete", "Recycle"], True),
    ("apps.v1.DeploymentStrategy", "type", ["Recreate", "RollingUpdate"], True),
    ("apps.v1.StatefulSetSpec", "podManagementPolicy", ["OrderedReady", "Parallel"], True),
    ("apps.v1.StatefulSetUpdateStrategy", "type", ["RollingUpdate", "OnDelete"], False),
    ("apps.v1.DaemonSetUpdateStrategy", "type", ["RollingUpdate", "OnDelete"], True),
    ("apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", "whenDeleted", ["Retain", "Delete"], True),
    ("apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", "whenScaled", ["Retain", "Delete"], True),
    ("batch.v1.CronJobSpec", "concurrencyPolicy", ["Allow", "Forbid", "Replace"], True),
    ("batch.v1.JobSpec", "completionMode", ["NonIndexed", "Indexed"], True),
    ("batch.v1.JobSpec", "podReplacementPolicy", ["TerminatingOrFailed", "Failed"], True),
    ("batch.v1.PodFailurePolicyRule", "action", ["FailJob", "FailIndex@28", "Ignore", "Count"], True),
    ("batch.v1.PodFailurePolicyOnExitCodesRequirement", "operator", ["In", "NotIn"], True),
    ("core.v1.Toleration", "operator", ["Exists", "Equal", "Lt@35", "Gt@35"], True),
    ("core.v1.Toleration", "effect", ["NoSchedule", "PreferNoSchedule", "NoExecute"], True),
    ("core.v1.Taint", "effect", ["NoSchedule", "PreferNoSchedule", "NoExecute"], True),
    ("networking.v1.HTTPIngressPath", "pathType", ["Exact", "Prefix", "ImplementationSpecific"], True),
    ("networking.v1.NetworkPolicySpec", "policyTypes", ["Ingress", "Egress"], True),
    ("autoscaling.v2.MetricSpec", "type", ["ContainerResource", "External", "Object", "Pods", "Resource"], True),
    ("autoscaling.v2.MetricTarget", "type", ["Utilization", "Value", "AverageValue"], True),
    ("autoscaling.v2.HPAScalingRules", "selectPolicy", ["Max", "Min", "Disabled"], False),
    ("autoscaling.v2.HPAScalingPolicy", "type", ["Pods", "Percent"], False),
    ("core.v1.SeccompProfile", "type", ["RuntimeDefault", "Unconfined", "Localhost"], True),
    ("core.v1.AppArmorProfile", "type", ["RuntimeDefault", "Unconfined", "Localhost"], True),
    ("core.v1.PodSecurityContext", "fsGroupChangePolicy", ["OnRootMismatch", "Always"], True),
    ("core.v1.HTTPGetAction", "scheme", ["HTTP", "HTTPS"], False),
    ("core.v1.NodeSelectorRequirement", "operator", ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], True),
    ("core.v1.TopologySpreadConstraint", "whenUnsatisfiable", ["DoNotSchedule", "ScheduleAnyway"], True),
    ("core.v1.TopologySpreadConstraint", "nodeAffinityPolicy", ["Honor", "Ignore"], True),
    ("core.v1.TopologySpreadConstraint", "nodeTaintsPolicy", ["Honor", "Ignore"], True),
    ("policy.v1.PodDisruptionBudgetSpec", "unhealthyPodEvictionPolicy", ["IfHealthyBudget", "AlwaysAllow"], True),
    ("storage.v1.StorageClass", "reclaimPolicy", ["Delete", "Retain"], False),
    ("storage.v1.StorageClass", "volumeBindingMode", ["Immediate", "WaitForFirstConsumer"], False),
    ("rbac.v1.Subject", "kind", ["User", "Group", "ServiceAccount"], True),
    ("rbac.v1.RoleRef", "kind", ["Role", "ClusterRole"], False),
    ("admissionregistration.v1.ValidatingWebhook", "failurePolicy", ["Ignore", "Fail"], True),
    ("admissionregistration.v1.MutatingWebhook", "failurePolicy", ["Ignore", "Fail"], True),
    ("admissionregistration.v1.ValidatingWebhook", "sideEffects", ["None", "NoneOnDryRun"], True),
    ("admissionregistration.v1.MutatingWebhook", "sideEffects", ["None", "NoneOnDryRun"], True),
    ("discovery.v1.EndpointSlice", "addressType", ["IPv4", "IPv6", "FQDN"], True),
]


def add_enums(raw, minor):
    """Injects the curated `ENUMS` into one version's definitions; returns how many it set."""
    count = 0
    for definition, prop, values, listed in ENUMS:
        schema = raw.get(f"io.k8s.api.{definition}", {}).get("properties", {}).get(prop)
        if schema is None:
            continue  # the field does not exist in this version yet
        active = [v.split("@")[0] for v in values if "@" not in v or minor >= int(v.split("@")[1])]
        description = schema.get("description", "")
        missing = [v for v in active if listed and not re.search(rf"\b{re.escape(v)}\b", description)]
        if missing:
            sys.exit(f"1.{minor} {definition}.{prop}: {missing} not in its description: {description!r}")
        target = schema["items"] if schema.get("type") in ("array", ["array", "null"]) else schema
        target["enum"] = active + [""]
        count += 1
    return count


def strip(schema):
    if isinstance(schema, list):
        return [strip(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key not in KEEP:
            continue
        if key == "properties":
            out[key] = {name: strip(s) for name, s in sorted(value.items())}
        elif key == "$ref":
            out[key] = value.rsplit("/", 1)[-1]
        else:
            out[key] = strip(value)
    return out


def main():
    wheel = sys.argv[1]
    out_path = sys.argv[2] if len(sys.argv) > 2 else "core/src/validate/schemas/k8s.json.gz"
    zf = zipfile.ZipFile(wheel)
    wheel_version = re.search(r"kubernetes_validate-([^-]+)-", wheel).group(1)
    pattern = re.compile(r"kubernetes-json-schema/v1\.(\d+)\.0-local/_definitions\.json$")
    defs_store = {}
    versions = {}
    for name in sorted(zf.namelist()):
        m = pattern.search(name)
        if not m or int(m.group(1)) < MIN_MINOR:
            continue
        minor = int(m.group(1))
        raw = json.load(io.BytesIO(zf.read(name)))["$defs"]
        enums = add_enums(raw, minor)
        names = {}
        gvks = {}
        for def_name, schema in sorted(raw.items()):
            for gvk in schema.get("x-kubernetes-group-version-kind", []):
                group, version = gvk.get("group", ""), gvk["version"]
                api_version = f"{group}/{version}" if group else version
                gvks[f"{api_version}/{gvk['kind']}"] = def_name
            stripped = strip(schema)
            text = json.dumps(stripped, sort_keys=True, separators=(",", ":"))
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            defs_store[digest] = stripped
            names[def_name] = digest
        versions[f"1.{minor}"] = {"definitions": names, "kinds": gvks}
        print(f"1.{minor}: {enums} curated enums")
    if enums != len(ENUMS):
        sys.exit(f"the newest version has only {enums} of the {len(ENUMS)} curated enum fields: check ENUMS")
    bundle = {
        "source": f"kubernetes-validate {wheel_version} (PyPI wheel, Apache-2.0)",
        "versions": versions,
        "schemas": dict(sorted(defs_store.items())),
    }
    data = json.dumps(bundle, sort_keys=True, separators=(",", ":")).encode()
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0, filename="") as gz:
        gz.write(data)
    with open(out_path, "wb") as f:
        f.write(buf.getvalue())
    print(f"{len(versions)} versions ({', '.join(versions)}), {len(defs_store)} distinct definitions, "
          f"{len(data)} bytes JSON, {len(buf.getvalue())} bytes gzip -> {out_path}")


if __name__ == "__main__":
    main()
