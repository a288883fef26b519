//! The `kubernetes` normalization profile, applied to each object before comparison. Every step
//! that changes an object is recorded so `--explain` can list it. Per-field equivalences
//! (quantities, numbers, defaults, null/empty/absent) happen during comparison, field by field,
//! so an unknown field never switches normalization off for the rest of the object.

use serde_json::{Map, Value};

/// Metadata the API server writes: never part of a desired state.
const SERVER_METADATA: [&str; 10] = [
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "namespace",
    "name",
];

/// Annotations written by tools and controllers, not by the desired state.
const NOISE_ANNOTATIONS: [&str; 3] = [
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "kubernetes.io/change-cause",
];

/// Names of the profile's steps, as `--explain` prints them.
pub const STEPS: [(&str, &str); 13] = [
    (
        "drop-server-metadata",
        "metadata the API server writes (managedFields, resourceVersion, uid, generation, creationTimestamp, selfLink, deletion*) is dropped",
    ),
    (
        "drop-noise-annotation",
        "last-applied-configuration, deployment revision and change-cause annotations are dropped",
    ),
    ("drop-status", "status is dropped"),
    ("fold-string-data", "Secret stringData is base64-encoded into data"),
    ("null-secret-value", "a null Secret data value is \"\""),
    (
        "quantity-canonical",
        "quantities compare by value (1000m = 1, 1Gi = 1024Mi; ResourceList values round up to milli)",
    ),
    ("number-canonical", "numbers compare by value (1 = 1.0)"),
    (
        "duration-canonical",
        "Go durations compare by value where the CRD schema (format: duration, or a pattern of Go duration units) or a known field (Flux interval/timeout/retryInterval, cert-manager Certificate duration/renewBefore) says so (90s = 1m30s)",
    ),
    ("omitempty", "an empty value (0, false, \"\", [], {}) of a typed field equals an absent one"),
    ("null-absent", "null equals absent"),
    (
        "server-default:FIELD",
        "a value only one side has that equals the server default (built-in or CRD schema) is not drift",
    ),
    (
        "not-owned",
        "apply mode: a live-only field neither the desired object nor its last-applied annotation sets",
    ),
    ("version-skew", "apiVersions differ: fields only one version has are not compared"),
];

/// An object ready for comparison.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The normalized object (no apiVersion, kind, name, namespace).
    pub value: Value,
    /// The parsed last-applied annotation, if any.
    pub last_applied: Option<Value>,
    /// `(manager, fieldsV1)` of `metadata.managedFields`.
    pub managed: Vec<(String, Value)>,
    /// Whether the object looks like a live export (server metadata or status present).
    pub live: bool,
    /// Steps applied: `(step, pointer)`.
    pub steps: Vec<(String, String)>,
}

/// Normalizes one object of `kind`.
pub(crate) fn prepare(kind: &str, mut value: Value) -> Prepared {
    let mut steps = Vec::new();
    let mut last_applied = None;
    let mut managed = Vec::new();
    let mut live = false;
    if let Some(obj) = value.as_object_mut() {
        obj.remove("apiVersion");
        obj.remove("kind");
        if obj.remove("status").is_some() {
            live = true;
            steps.push(("drop-status".into(), "/status".into()));
        }
        if let Some(Value::Object(meta)) = obj.get_mut("metadata") {
            live |= ["managedFields", "resourceVersion", "uid", "creationTimestamp"]
                .iter()
                .any(|k| meta.get(*k).is_some_and(|v| !v.is_null()));
            if let Some(Value::Array(fields)) = meta.get("managedFields") {
                for f in fields {
                    if let (Some(m), Some(fv)) = (f.get("manager").and_then(Value::as_str), f.get("fieldsV1"))
                    {
                        managed.push((m.to_string(), fv.clone()));
                    }
                }
            }
            for key in SERVER_METADATA {
                if meta.remove(key).is_some() && !matches!(key, "name" | "namespace") {
                    steps.push(("drop-server-metadata".into(), format!("/metadata/{key}")));
                }
            }
            meta.remove("generateName");
            if let Some(Value::Object(ann)) = meta.get_mut("annotations") {
                if let Some(Value::String(text)) = ann.get(NOISE_ANNOTATIONS[0]) {
                    last_applied = serde_json::from_str::<Value>(text).ok();
                    live = true;
                }
                for key in NOISE_ANNOTATIONS {
                    if ann.remove(key).is_some() {
                        steps.push((
                            "drop-noise-annotation".into(),
                            format!("/metadata/annotations/{}", crate::yaml::escape_pointer_token(key)),
                        ));
                    }
                }
            }
        }
        drop_template_timestamps(obj);
        if kind == "Secret" {
            fold_string_data(obj, &mut steps);
        }
    }
    // The last-applied object is compared the same way, so strip it alike.
    if let Some(Value::Object(la)) = &mut last_applied {
        la.remove("apiVersion");
        la.remove("kind");
        la.remove("status");
        if kind == "Secret" {
            fold_string_data(la, &mut Vec::new());
        }
    }
    Prepared { value, last_applied, managed, live, steps }
}

/// `creationTimestamp: null` in embedded templates (written by typed Go clients).
fn drop_template_timestamps(obj: &mut Map<String, Value>) {
    let spec = obj.get_mut("spec");
    if let Some(spec) = spec {
        for p in ["/template/metadata", "/jobTemplate/metadata", "/jobTemplate/spec/template/metadata"] {
            if let Some(Value::Object(meta)) = spec.pointer_mut(p) {
                meta.remove("creationTimestamp");
            }
        }
        if let Some(Value::Array(vcts)) = spec.get_mut("volumeClaimTemplates") {
            for t in vcts {
                if let Some(Value::Object(meta)) = t.get_mut("metadata") {
                    meta.remove("creationTimestamp");
                }
                if let Some(o) = t.as_object_mut() {
                    o.remove("status");
                }
            }
        }
    }
}

/// Secret `stringData` moves into `data` (base64), as the API server stores it.
fn fold_string_data(obj: &mut Map<String, Value>, steps: &mut Vec<(String, String)>) {
    if let Some(Value::Object(string_data)) = obj.remove("stringData") {
        let data = obj.entry("data").or_insert_with(|| Value::Object(Map::new()));
        if data.is_null() {
            *data = Value::Object(Map::new());
        }
        if let Value::Object(data) = data {
            for (k, v) in string_data {
                let text = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                steps.push((
                    "fold-string-data".into(),
                    format!("/stringData/{}", crate::yaml::escape_pointer_token(&k)),
                ));
                data.insert(k, Value::String(base64(text.as_bytes())));
            }
        }
    }
    if let Some(Value::Object(data)) = obj.get_mut("data") {
        for (k, v) in data.iter_mut() {
            if v.is_null() {
                *v = Value::String(String::new());
                steps.push((
                    "null-secret-value".into(),
                    format!("/data/{}", crate::yaml::escape_pointer_token(k)),
                ));
            }
        }
    }
}

/// Standard base64 with padding.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b"hunter2"), "aHVudGVyMg==");
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
    }

    #[test]
    fn secret_folds_and_live_detected() {
        let p = prepare(
            "Secret",
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "uid": "x"}, "stringData": {"a": "hunter2"}, "data": {"b": null}}),
        );
        assert!(p.live);
        assert_eq!(p.value, json!({"metadata": {}, "data": {"a": "aHVudGVyMg==", "b": ""}}));
    }
}
