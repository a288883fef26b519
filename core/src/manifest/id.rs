//! Resource identity: API group and version, kind, namespace and name.

use std::fmt;

/// Who a resource is. Two resources with the same group, kind, namespace and name are the same
/// object for the API server, whatever their `apiVersion`'s version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct ResourceId {
    /// API group (`apps`, `networking.k8s.io`); empty for the core group.
    pub group: String,
    /// API version within the group (`v1`, `v1beta1`).
    pub version: String,
    /// Kind (`Deployment`).
    pub kind: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.name`, or the `metadata.generateName` prefix when `generate_name` is set.
    pub name: String,
    /// The object has no name but a `generateName` prefix: the server picks the name.
    pub generate_name: bool,
}

impl ResourceId {
    /// Splits an `apiVersion` into group and version.
    ///
    /// ```
    /// use gitops_kit::manifest::ResourceId;
    /// assert_eq!(ResourceId::split_api_version("apps/v1"), ("apps", "v1"));
    /// assert_eq!(ResourceId::split_api_version("v1"), ("", "v1"));
    /// ```
    #[must_use]
    pub fn split_api_version(api_version: &str) -> (&str, &str) {
        api_version.rsplit_once('/').unwrap_or(("", api_version))
    }

    /// The `apiVersion` this identity was read from.
    #[must_use]
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }
}

/// `group/Kind/namespace/name` as Argo CD writes resource keys (`apps/Deployment/shop/web`,
/// `/Service/shop/web`, `/Namespace//shop`); a `generateName` prefix ends in `*`.
impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let star = if self.generate_name { "*" } else { "" };
        write!(
            f,
            "{}/{}/{}/{}{star}",
            self.group,
            self.kind,
            self.namespace.as_deref().unwrap_or(""),
            self.name
        )
    }
}
