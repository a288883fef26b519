//! Keyed fingerprints of hidden Secret values (opt-in, reference d.22 and e.17).
//!
//! Without a key a hidden value shows only "changed". With a key, each hidden value gets
//! `hmac-sha256:` and the first 16 hex digits of HMAC-SHA256(key, decoded value): equal values
//! have equal fingerprints (in one diff, across runs and across environments diffed with the same
//! key), and without the key nobody can test guesses against them, which a plain hash of a short
//! password would allow. The length of the value is not revealed.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The key of Secret fingerprints. Its bytes never appear in any output, `Debug` included.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    /// A key from its bytes (for example an environment variable's value).
    ///
    /// # Errors
    /// `diff.invalid-argument` for an empty key (it would protect nothing).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<SecretKey, super::Error> {
        let bytes = bytes.into();
        if bytes.is_empty() {
            return Err(super::Error::InvalidArgument("the secret key is empty".into()));
        }
        Ok(SecretKey(bytes))
    }

    /// A key drawn once per process from the standard library's randomly seeded hasher (seeded
    /// by the operating system), for Secret digests when the caller gives no key.
    pub(crate) fn for_this_run() -> &'static SecretKey {
        static RUN_KEY: std::sync::LazyLock<SecretKey> = std::sync::LazyLock::new(|| {
            use std::hash::{BuildHasher, Hasher};
            let mut bytes = Vec::with_capacity(32);
            for i in 0u64..4 {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u64(i);
                bytes.extend_from_slice(&h.finish().to_le_bytes());
            }
            SecretKey(bytes)
        });
        &RUN_KEY
    }

    /// The fingerprint of one Secret `data` value (base64, as Kubernetes stores it): HMAC-SHA256
    /// of the decoded bytes (of the text itself when it is not base64), so it can be checked with
    /// `printf %s VALUE | openssl dgst -sha256 -hmac KEY`.
    ///
    /// ```
    /// let key = gitops_kit::diff::SecretKey::new("k").unwrap();
    /// let fp = key.fingerprint(&serde_json::json!("aHVudGVyMg=="));
    /// assert_eq!(fp, "hmac-sha256:0cd9cde64b418f83");
    /// assert_ne!(fp, key.fingerprint(&serde_json::json!("aHVudGVyMw==")));
    /// ```
    #[must_use]
    pub fn fingerprint(&self, value: &Value) -> String {
        let bytes = match value {
            Value::String(s) => decode_base64(s).unwrap_or_else(|| s.as_bytes().to_vec()),
            other => other.to_string().into_bytes(),
        };
        format!("hmac-sha256:{}", hex(&self.mac(&bytes)[..8]))
    }
}

impl SecretKey {
    /// HMAC-SHA256 of `bytes` under this key, as hex (feeds change ids; never printed).
    pub(crate) fn mac_hex(&self, bytes: &[u8]) -> String {
        hex(&self.mac(bytes))
    }

    fn mac(&self, bytes: &[u8]) -> Vec<u8> {
        // A key of any length is valid for HMAC: the error case cannot happen (and gives an
        // empty digest rather than a panic).
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.0) else { return Vec::new() };
        mac.update(bytes);
        mac.finalize().into_bytes().to_vec()
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        s.push_str(&format!("{b:02x}"));
        s
    })
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// Standard base64 (padding optional); `None` when `text` is not base64.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= digit(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, normalize};
    use serde_json::json;

    #[test]
    fn base64_round_trips() {
        for text in ["", "f", "fo", "foo", "hunter2", "correct-horse-battery"] {
            assert_eq!(decode_base64(&normalize::base64(text.as_bytes())).as_deref(), Some(text.as_bytes()));
        }
        assert_eq!(decode_base64("not base64!"), None);
        assert_eq!(decode_base64("a"), None);
    }

    #[test]
    fn fingerprint_is_hmac_of_the_decoded_value() {
        let key = SecretKey::new("k").unwrap();
        // printf %s hunter2 | openssl dgst -sha256 -hmac k
        let want = "hmac-sha256:0cd9cde64b418f83";
        assert_eq!(key.fingerprint(&json!("aHVudGVyMg==")), want);
        assert_eq!(key.fingerprint(&json!("aHVudGVyMg")), want, "padding is optional");
        let other = SecretKey::new("other").unwrap();
        assert_ne!(other.fingerprint(&json!("aHVudGVyMg==")), want);
        assert!(SecretKey::new("").is_err());
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }

    #[test]
    fn report_fingerprints_hidden_changes_only_with_a_key() {
        let old = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: aHVudGVyMg==}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: '1'}\n";
        let new = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: hunter3}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: '2'}\n";
        let options = DiffOptions::from_json(&json!({"secretKey": "k"})).unwrap();
        let report = crate::diff::diff_texts(old, new, &options).unwrap();
        let secret = report.resources.iter().find(|r| r.resource.kind == "Secret").unwrap();
        let c = &secret.changes[0];
        assert_eq!(c.old_fingerprint.as_deref(), Some("hmac-sha256:0cd9cde64b418f83"));
        assert!(c.new_fingerprint.is_some() && c.new_fingerprint != c.old_fingerprint);
        assert_eq!(report, crate::diff::diff_texts(old, new, &options).unwrap(), "stable across runs");
        let cm = report.resources.iter().find(|r| r.resource.kind == "ConfigMap").unwrap();
        assert!(cm.changes[0].old_fingerprint.is_none(), "only hidden values get fingerprints");
        let text = serde_json::to_string(&report).unwrap() + &crate::diff::render::text(&report, false);
        for leak in ["hunter", "aHVudGVy"] {
            assert!(!text.contains(leak), "{leak}: {text}");
        }
        assert!(text.contains("changed (hidden) hmac-sha256:0cd9cde64b418f83 → hmac-sha256:"), "{text}");
        let plain = crate::diff::diff_texts(old, new, &DiffOptions::default()).unwrap();
        assert!(plain.resources[1].changes[0].old_fingerprint.is_none());
        let bad = DiffOptions::from_json(&json!({"secret_key": 3})).unwrap_err();
        assert_eq!(bad.code(), "diff.invalid-argument");
    }
}
