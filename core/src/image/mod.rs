//! Image references, image sites in manifests, format-preserving rewrites, tag schemes and
//! image ↔ commit linking.
//!
//! One parser ([`ImageRef::parse`]) follows the `distribution/reference` grammar exactly and is
//! used everywhere: for lints ([`lint`]), matching with registry aliases ([`Aliases`]), finding
//! images in manifests ([`sites`]), rewriting them ([`set_images`]) and linking tags to commits
//! ([`TagScheme`], [`link`]).
//!
//! ```
//! use gitops_kit::image::{parse_report, ParseMode};
//! let report = parse_report("index.docker.io/library/nginx:1.25", ParseMode::Normalize);
//! assert!(report.valid);
//! assert_eq!(report.canonical.as_deref(), Some("docker.io/library/nginx:1.25"));
//! assert_eq!(report.familiar.as_deref(), Some("nginx:1.25"));
//! ```

mod error;
mod link;
mod lint;
mod reference;
mod report;
mod rewrite;
mod scheme;
mod sites;

pub use error::Error;
pub use link::{GitOrderEntry, Link, LinkEvidence, TagsForCommit, link, order_by_git, tags_for_commit};
pub use lint::{Aliases, Lint, LintOptions, MUTABLE_TAGS, lint, same_repository, sanitize_tag};
pub use reference::{DOCKER_HUB, ImageRef, MAX_PATH_LEN, MAX_TAG_LEN, ParseMode, RefSpans, is_valid_tag};
pub use report::{ParseReport, RefError, parse_report};
pub use rewrite::{
    FileChange, ImageChange, ImageEdit, SetOptions, SetReport, SetResult, set_images, set_images_in_paths,
};
pub use scheme::{CommitFacts, ParsedTag, SortPart, TagScheme, commit_facts};
pub(crate) use sites::walk as image_sites_of;
pub use sites::{ExtraPath, ImageSite, SiteOptions, SiteResource, SitesReport, sites};

/// Reads an options struct from JSON (`null` gives the defaults; unknown keys are refused).
///
/// # Errors
/// `image.invalid-argument` naming the problem.
pub fn options_from_json<T: serde::de::DeserializeOwned + Default>(
    value: &serde_json::Value,
) -> Result<T, Error> {
    if value.is_null() {
        return Ok(T::default());
    }
    serde_json::from_value(value.clone()).map_err(|e| Error::InvalidArgument(format!("invalid options: {e}")))
}
