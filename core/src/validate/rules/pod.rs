//! Pod-spec rules, per container: port names (GK-S014), container names (GK-S011), duplicate
//! env (GK-S017), selector/labels (GK-R001), probes (GK-R006), requests (GK-R007), jobs
//! (GK-R010), security (GK-SEC001..008, GK-SEC011), images (GK-G001, GK-G002, GK-G011) and
//! baked configuration (GK-G008).

use super::At;
use super::{Container, Ctx, as_int, containers, is_true, pod_spec, string_map, syntax};
use crate::image::{ImageRef, ParseMode};
use crate::yaml::{NodeRef, ScalarValue};
use std::collections::HashMap;

/// Host paths whose mount gives control of the node.
const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run",
    "/run",
    "/proc",
    "/sys",
    "/root",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/boot",
    "/dev",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
];

/// Sysctls Kubernetes considers safe (kubelet's default allow-list).
const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

/// Env var names that look like secrets.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "ACCESS_KEY",
    "CREDENTIAL",
];

/// Runs every pod-spec rule of a workload.
pub(crate) fn check(ctx: &mut Ctx<'_>) {
    let kind = ctx.kind();
    let Some((spec, spec_ptr)) = pod_spec(&ctx.root, kind) else { return };
    selector(ctx);
    jobs(ctx);
    restart_policy(ctx, &spec, spec_ptr);
    pod_security(ctx, &spec, spec_ptr);
    for c in containers(&spec, spec_ptr) {
        container_names(ctx, &c);
        ports(ctx, &c);
        env(ctx, &c);
        image(ctx, &c);
        if !c.init {
            probes(ctx, &c);
            requests(ctx, &c);
        }
        security(ctx, &c, &spec);
    }
}

/// The restart policies a controller accepts for its pod template (the API server rejects the
/// others with "Unsupported value"): long-running controllers only `Always`, Jobs never `Always`.
fn allowed_restart_policies(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    match (group, kind) {
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("", "ReplicationController") => Some(&["Always"]),
        ("batch", "Job" | "CronJob") => Some(&["OnFailure", "Never"]),
        _ => None,
    }
}

/// GK-S005: a restart policy valid for pods but not for this controller kind.
fn restart_policy(ctx: &mut Ctx<'_>, spec: &NodeRef<'_>, spec_ptr: &str) {
    let Some(allowed) = allowed_restart_policies(ctx.group(), ctx.kind()) else { return };
    let Some(node) = spec.get("restartPolicy") else { return };
    // Values outside Always/OnFailure/Never are the schema enum's finding already.
    let Some(value) = node.as_str().filter(|v| ["Always", "OnFailure", "Never"].contains(v)) else { return };
    if !allowed.contains(&value) {
        let kind = ctx.kind();
        let msg = format!("restartPolicy {value:?} is not allowed in a {kind}: use {}", allowed.join(" or "));
        ctx.report("GK-S005", &node, &format!("{spec_ptr}/restartPolicy"), msg);
    }
}

fn container_names(ctx: &mut Ctx<'_>, c: &Container<'_>) {
    let Some(node) = c.node.get("name") else { return };
    let Some(name) = node.as_str() else { return };
    if let Err(why) = syntax::dns1123_label(name) {
        ctx.report(
            "GK-S011",
            &node,
            &format!("{}/name", c.pointer),
            format!("container name {name:?} is invalid: {why}"),
        );
    }
}

fn ports(ctx: &mut Ctx<'_>, c: &Container<'_>) {
    let Some(list) = c.node.get("ports") else { return };
    for (i, port) in list.items().enumerate() {
        let Some(node) = port.get("name") else { continue };
        let Some(name) = node.as_str() else { continue };
        if let Err(why) = syntax::port_name(name) {
            let p = format!("{}/ports/{i}/name", c.pointer);
            ctx.report("GK-S014", &node, &p, format!("port name {name:?} is invalid: {why}"));
        }
    }
}

fn env(ctx: &mut Ctx<'_>, c: &Container<'_>) {
    let Some(list) = c.node.get("env") else { return };
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut literals = 0usize;
    for (i, var) in list.items().enumerate() {
        let Some(name_node) = var.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        let p = format!("{}/env/{i}", c.pointer);
        if let Some(first) = seen.insert(name.to_string(), name_node.span().start.line) {
            let msg = format!("env var {name:?} is defined twice in the container (first at line {first})");
            ctx.report("GK-S017", &name_node, &format!("{p}/name"), msg);
        }
        if let Some(value) = var.get("value") {
            literals += 1;
            if let Ok(Some(ScalarValue::Str(text))) = value.value()
                && looks_secret(name, text)
            {
                let msg = format!("env var {name:?} holds a literal that looks like a secret");
                ctx.report("GK-SEC008", &value, &format!("{p}/value"), msg);
            }
        }
    }
    if literals > ctx.params.max_literal_env {
        let max = ctx.params.max_literal_env;
        let msg =
            format!("{literals} literal env values (more than {max}): configuration baked into the workload");
        ctx.report("GK-G008", &list, &format!("{}/env", c.pointer), msg);
    }
}

/// Secret-looking: a secret-ish name and a non-trivial value with some entropy (not a
/// reference such as `$(VAR)` or a file path).
fn looks_secret(name: &str, value: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if !SECRET_WORDS.iter().any(|w| upper.contains(w)) || upper.ends_with("_FILE") || upper.ends_with("_PATH")
    {
        return false;
    }
    if value.len() < 8 || value.starts_with('/') || value.contains("$(") || value.contains("{{") {
        return false;
    }
    let distinct: std::collections::HashSet<char> = value.chars().collect();
    distinct.len() >= 6
}

fn image(ctx: &mut Ctx<'_>, c: &Container<'_>) {
    let Some(node) = c.node.get("image") else { return };
    let Some(image) = node.as_str() else { return };
    let p = format!("{}/image", c.pointer);
    // The library's one reference parser (`core::image`), as the API server's kubelet reads it.
    let reference = match ImageRef::parse(image, ParseMode::Normalize) {
        Ok(r) => r,
        Err(e) => {
            ctx.report("GK-G001", &node, &p, format!("image {image:?} is not a valid reference: {e}"));
            return;
        }
    };
    if reference.digest.is_none() {
        // An environment whose policy has `forbid_latest: false` accepts latest and no tag.
        let latest_ok = !ctx.params.forbid_latest;
        match reference.tag.as_deref() {
            None | Some("latest") if latest_ok => {}
            None => ctx.report("GK-G001", &node, &p, format!("image {image:?} has no tag (means :latest)")),
            Some("latest") => {
                ctx.report("GK-G001", &node, &p, format!("image {image:?} uses the mutable tag latest"))
            }
            Some(_) if ctx.params.require_digest => {
                let msg =
                    format!("image {image:?} is not pinned to a digest, which the environment requires");
                ctx.report("GK-G002", &node, &p, msg);
            }
            Some(t) if !ctx.params.tag_pattern.is_match(t) => {
                let msg = format!(
                    "image {image:?} is not pinned: no digest, and tag {t:?} does not match {:?}",
                    ctx.params.tag_pattern.as_str()
                );
                ctx.report("GK-G002", &node, &p, msg);
            }
            Some(_) => {}
        }
    }
    let allowed = &ctx.params.allowed_registries;
    if !allowed.is_empty() {
        let (registry, name) = (reference.domain.as_str(), reference.name());
        if !allowed.iter().any(|a| a == registry || name.starts_with(&format!("{a}/"))) {
            ctx.report(
                "GK-G002",
                &node,
                &p,
                format!("image {image:?} comes from registry {registry:?}, not an allowed one"),
            );
        }
    }
    let policy = c.node.get("imagePullPolicy");
    if policy.and_then(|n| n.as_str()) != Some("Always") {
        let at = policy.unwrap_or(node);
        ctx.report(
            "GK-G011",
            &at,
            &format!("{}/imagePullPolicy", c.pointer),
            "imagePullPolicy is not Always".into(),
        );
    }
}

fn probes(ctx: &mut Ctx<'_>, c: &Container<'_>) {
    // Probe ports must name a declared port (GK-R004).
    let declared: Vec<String> = c
        .node
        .get("ports")
        .map(|l| l.items().filter_map(|p| p.get("name")?.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        for handler in ["httpGet", "tcpSocket", "grpc"] {
            let Some(port) = c.node.get(probe).and_then(|p| p.get(handler)).and_then(|h| h.get("port"))
            else {
                continue;
            };
            if let Ok(Some(ScalarValue::Str(name))) = port.value()
                && !declared.iter().any(|d| d == name)
            {
                let p = format!("{}/{probe}/{handler}/port", c.pointer);
                ctx.report(
                    "GK-R004",
                    &port,
                    &p,
                    format!("{probe} uses port {name:?}, which the container does not declare"),
                );
            }
        }
    }
    if let (Some(live), Some(ready)) = (c.node.get("livenessProbe"), c.node.get("readinessProbe"))
        && live.to_json().ok() == ready.to_json().ok()
    {
        let p = format!("{}/livenessProbe", c.pointer);
        ctx.report("GK-R006", &live, &p, "liveness probe is identical to the readiness probe".into());
    }
}

fn requests(ctx: &mut Ctx<'_>, c: &Container<'_>) {
    let resources = c.node.get("resources");
    let requests = resources.and_then(|r| r.get("requests"));
    let missing: Vec<&str> =
        ["cpu", "memory"].into_iter().filter(|r| requests.and_then(|m| m.get(r)).is_none()).collect();
    if !missing.is_empty() {
        let at = resources.or_else(|| c.node.get_entry("name").map(|(k, _)| k)).unwrap_or(c.node);
        let msg = format!("container sets no {} request", missing.join(" or "));
        ctx.report("GK-R007", &at, &format!("{}/resources", c.pointer), msg);
    }
}

fn selector(ctx: &mut Ctx<'_>) {
    let root = ctx.root;
    let Some(match_labels) = root.at("/spec/selector/matchLabels") else { return };
    let template = string_map(root.at("/spec/template/metadata/labels"));
    for (key, value) in string_map(Some(match_labels)) {
        if !template.iter().any(|(k, v)| *k == key && *v == value) {
            let node = match_labels.get(&key).unwrap_or(match_labels);
            let p = format!("/spec/selector/matchLabels/{}", super::tok(&key));
            ctx.report(
                "GK-R001",
                &node,
                &p,
                format!("selector {key}={value} does not match the pod template labels"),
            );
        }
    }
}

fn jobs(ctx: &mut Ctx<'_>) {
    let root = ctx.root;
    match (ctx.group(), ctx.kind()) {
        ("batch", "Job") if root.at("/spec/ttlSecondsAfterFinished").is_none() => {
            let owned = root.at("/metadata/ownerReferences").is_some();
            if !owned {
                let at = root.get_entry("spec").map_or(root, |(k, _)| k);
                ctx.report("GK-R010", &at, "/spec", "Job sets no ttlSecondsAfterFinished".into());
            }
        }
        ("batch", "CronJob") if root.at("/spec/startingDeadlineSeconds").is_none() => {
            let at = root.get_entry("spec").map_or(root, |(k, _)| k);
            ctx.report("GK-R010", &at, "/spec", "CronJob sets no startingDeadlineSeconds".into());
        }
        _ => {}
    }
}

fn pod_security(ctx: &mut Ctx<'_>, spec: &NodeRef<'_>, sp: &str) {
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if let Some(node) = spec.get(field).filter(|n| is_true(Some(*n))) {
            ctx.report(
                "GK-SEC002",
                &node,
                &format!("{sp}/{field}"),
                format!("pod shares the host's namespace ({field}: true)"),
            );
        }
    }
    if let Some(volumes) = spec.get("volumes") {
        for (i, vol) in volumes.items().enumerate() {
            let Some(path_node) = vol.get("hostPath").and_then(|h| h.get("path")) else { continue };
            let Some(path) = path_node.as_str() else { continue };
            let trimmed = path.trim_end_matches('/');
            let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
            let p = format!("{sp}/volumes/{i}/hostPath/path");
            if SENSITIVE_HOST_PATHS.contains(&trimmed)
                || trimmed.ends_with("docker.sock")
                || trimmed.ends_with("containerd.sock")
            {
                ctx.report("GK-SEC005", &path_node, &p, format!("sensitive host path {path:?} is mounted"));
            } else {
                let f = super::super::finding::Finding::at(
                    "GK-SEC005",
                    &path_node,
                    p,
                    format!("host path {path:?} is mounted"),
                )
                .severity(super::super::finding::Severity::Warning);
                ctx.out.push(f);
            }
        }
    }
    if let Some(sysctls) = spec.at("/securityContext/sysctls") {
        for (i, s) in sysctls.items().enumerate() {
            let Some(name_node) = s.get("name") else { continue };
            let Some(name) = name_node.as_str() else { continue };
            if !SAFE_SYSCTLS.contains(&name) {
                let p = format!("{sp}/securityContext/sysctls/{i}/name");
                ctx.report("GK-SEC007", &name_node, &p, format!("unsafe sysctl {name:?}"));
            }
        }
    }
    if let Some(node) = spec.get("automountServiceAccountToken")
        && is_true(Some(node))
    {
        ctx.report(
            "GK-SEC011",
            &node,
            &format!("{sp}/automountServiceAccountToken"),
            "service account token is mounted".into(),
        );
    }
}

/// Effective security setting: the container's, else the pod's.
fn effective<'d>(c: &Container<'d>, spec: &NodeRef<'d>, field: &str) -> Option<NodeRef<'d>> {
    c.node
        .get("securityContext")
        .and_then(|s| s.get(field))
        .or_else(|| spec.get("securityContext").and_then(|s| s.get(field)))
}

fn security<'d>(ctx: &mut Ctx<'_>, c: &Container<'d>, spec: &NodeRef<'d>) {
    let sc = c.node.get("securityContext");
    let sp = format!("{}/securityContext", c.pointer);
    let at_container =
        |c: &Container<'d>| -> NodeRef<'d> { c.node.get_entry("name").map_or(c.node, |(k, _)| k) };
    if let Some(node) = sc.and_then(|s| s.get("privileged")).filter(|n| is_true(Some(*n))) {
        ctx.report("GK-SEC001", &node, &format!("{sp}/privileged"), "container runs privileged".into());
    }
    let escalation = sc.and_then(|s| s.get("allowPrivilegeEscalation"));
    if !matches!(escalation.and_then(|n| n.value().ok().flatten()), Some(ScalarValue::Bool(false))) {
        let at = escalation.unwrap_or_else(|| at_container(c));
        ctx.report(
            "GK-SEC003",
            &at,
            &format!("{sp}/allowPrivilegeEscalation"),
            "allowPrivilegeEscalation is not false".into(),
        );
    }
    let non_root = effective(c, spec, "runAsNonRoot");
    let user = effective(c, spec, "runAsUser");
    if as_int(user) == Some(0) {
        let node = user.unwrap_or(c.node);
        ctx.report(
            "GK-SEC004",
            &node,
            &format!("{sp}/runAsUser"),
            "container runs as root (runAsUser: 0)".into(),
        );
    } else if !is_true(non_root) && as_int(user).is_none() {
        let at = non_root.unwrap_or_else(|| at_container(c));
        ctx.report(
            "GK-SEC004",
            &at,
            &format!("{sp}/runAsNonRoot"),
            "runAsNonRoot is not true and no runAsUser is set".into(),
        );
    }
    if let Some(caps) = sc.and_then(|s| s.get("capabilities"))
        && let Some(add) = caps.get("add")
    {
        for (i, cap) in add.items().enumerate() {
            let Some(name) = cap.as_str() else { continue };
            let bare = name.trim_start_matches("CAP_");
            if matches!(bare, "SYS_ADMIN" | "NET_ADMIN" | "ALL" | "SYS_PTRACE" | "SYS_MODULE") {
                ctx.report(
                    "GK-SEC006",
                    &cap,
                    &format!("{sp}/capabilities/add/{i}"),
                    format!("dangerous capability {name} added"),
                );
            }
        }
    }
    let drops = sc.and_then(|s| s.at("/capabilities/drop"));
    let dropped = drops
        .is_some_and(|d| d.items().any(|i| matches!(i.as_str(), Some("ALL" | "NET_RAW" | "CAP_NET_RAW"))));
    if !dropped {
        let at = drops.unwrap_or_else(|| at_container(c));
        let f = super::super::finding::Finding::at(
            "GK-SEC006",
            &at,
            format!("{sp}/capabilities/drop"),
            "NET_RAW is not dropped".into(),
        )
        .severity(super::super::finding::Severity::Info);
        ctx.out.push(f);
    }
    if let Some(node) = sc.and_then(|s| s.get("procMount"))
        && node.as_str() == Some("Unmasked")
    {
        ctx.report("GK-SEC007", &node, &format!("{sp}/procMount"), "procMount Unmasked".into());
    }
    let ro = sc.and_then(|s| s.get("readOnlyRootFilesystem"));
    if !is_true(ro) {
        let at = ro.unwrap_or_else(|| at_container(c));
        ctx.report(
            "GK-SEC011",
            &at,
            &format!("{sp}/readOnlyRootFilesystem"),
            "root filesystem is writable".into(),
        );
    }
    let seccomp = effective(c, spec, "seccompProfile").and_then(|s| s.get("type")).and_then(|t| t.as_str());
    if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
        let at = at_container(c);
        ctx.report(
            "GK-SEC011",
            &at,
            &format!("{sp}/seccompProfile"),
            "no seccomp profile (RuntimeDefault)".into(),
        );
    }
}
