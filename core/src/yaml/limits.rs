//! Limits that stop hostile or accidental huge input, and the parsing policy knobs.

/// Resource limits applied while parsing. Every limit produces a `yaml.limit` error naming it.
///
/// The defaults are generous enough for the largest real manifests (multi-megabyte CRD bundles,
/// nesting depth 38 in cert-manager's CRDs) and small enough that a "billion laughs" document or a
/// 100,000-deep nesting fails at once with little memory.
///
/// ```
/// use gitops_kit::yaml::{Limits, ParseOptions};
/// let opts = ParseOptions { limits: Limits { max_depth: 8, ..Limits::default() }, ..ParseOptions::default() };
/// let err = gitops_kit::yaml::parse_str_with("a: [[[[[[[[[1]]]]]]]]]", "deep.yaml", &opts).unwrap_err();
/// assert_eq!(err.code(), "yaml.limit");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_input_bytes: usize,
    /// Deepest nesting of collections, counted after alias expansion. Values above
    /// [`MAX_DEPTH_CAP`] act as the cap.
    pub max_depth: usize,
    /// Most nodes (scalars and collections, keys included) in one document.
    pub max_nodes: usize,
    /// Most nodes that aliases and merge keys may add to one document when expanded.
    pub max_alias_expansion: usize,
    /// Longest scalar, in bytes.
    pub max_scalar_bytes: usize,
    /// Most documents in one stream.
    pub max_documents: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 256 << 20,
            max_depth: 128,
            max_nodes: 10_000_000,
            max_alias_expansion: 100_000,
            max_scalar_bytes: 32 << 20,
            max_documents: 100_000,
        }
    }
}

/// The highest effective nesting depth, whatever [`Limits::max_depth`] says: consumers of the
/// tree (serde_json values, Python and Node objects) drop and convert values recursively, and
/// must never overflow a thread's stack.
pub const MAX_DEPTH_CAP: usize = 1000;

/// What to do when a mapping has the same key twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DuplicateKeys {
    /// Fail with a `yaml.duplicate-key` error that names both locations (Kubernetes' strict mode).
    #[default]
    Error,
    /// Keep the last value and record a warning (what `kubectl apply` does, non-strict).
    LastWins,
}

/// Options of [`crate::yaml::parse_str_with`] and [`crate::yaml::Documents`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParseOptions {
    /// Size, depth and expansion limits.
    pub limits: Limits,
    /// Duplicate-key policy.
    pub duplicate_keys: DuplicateKeys,
}

impl ParseOptions {
    /// Options that accept duplicate keys (last wins, with a warning), as Kubernetes' non-strict
    /// decoder does. Real repositories have such files.
    #[must_use]
    pub fn lenient() -> ParseOptions {
        ParseOptions { duplicate_keys: DuplicateKeys::LastWins, ..ParseOptions::default() }
    }
}

impl ParseOptions {
    /// Reads options from a JSON object, as the bindings receive them: `lenient` (bool) and the
    /// [`Limits`] fields, in `snake_case` or `camelCase` (`max_depth` or `maxDepth`). `null`
    /// means the defaults.
    ///
    /// ```
    /// use gitops_kit::yaml::{DuplicateKeys, ParseOptions};
    /// let o = ParseOptions::from_json(&serde_json::json!({"lenient": true, "maxDepth": 10})).unwrap();
    /// assert_eq!((o.duplicate_keys, o.limits.max_depth), (DuplicateKeys::LastWins, 10));
    /// assert_eq!(ParseOptions::from_json(&serde_json::json!({"depth": 1})).unwrap_err().code(), "invalid-argument");
    /// ```
    ///
    /// # Errors
    /// `invalid-argument` for unknown keys or values of the wrong type.
    pub fn from_json(value: &serde_json::Value) -> Result<ParseOptions, crate::Error> {
        let mut options = ParseOptions::default();
        let map = match value {
            serde_json::Value::Null => return Ok(options),
            serde_json::Value::Object(map) => map,
            _ => return Err(invalid("parse options must be an object")),
        };
        for (key, v) in map {
            let snake = camel_to_snake(key);
            if snake == "lenient" {
                let lenient = v.as_bool().ok_or_else(|| invalid("option lenient must be a boolean"))?;
                options.duplicate_keys = if lenient { DuplicateKeys::LastWins } else { DuplicateKeys::Error };
                continue;
            }
            if v.is_null() {
                continue;
            }
            let n = v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| invalid(&format!("option {key} must be a non-negative integer")))?;
            let limits = &mut options.limits;
            let slot = match snake.as_str() {
                "max_input_bytes" => &mut limits.max_input_bytes,
                "max_depth" => &mut limits.max_depth,
                "max_nodes" => &mut limits.max_nodes,
                "max_alias_expansion" => &mut limits.max_alias_expansion,
                "max_scalar_bytes" => &mut limits.max_scalar_bytes,
                "max_documents" => &mut limits.max_documents,
                _ => return Err(invalid(&format!("unknown parse option {key:?}"))),
            };
            *slot = n;
        }
        Ok(options)
    }
}

fn invalid(message: &str) -> crate::Error {
    crate::Error::InvalidArgument(message.to_string())
}

fn camel_to_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
