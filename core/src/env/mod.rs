//! Environments: the `gitops-kit.yaml` configuration at the manifest repository's root,
//! branch → environment resolution (exact names, globs, previews), promotion order, and deploy
//! gates (allow/deny windows with IANA time zones, freezes, approvals).
//!
//! One loader ([`Config::from_str`]) reads the whole file with the located YAML tree and
//! validates every entry; each error has a stable code and a file:line:column. The
//! `validation:` and `diff:` sections belong to those modules: [`Config::section`] hands them
//! the located nodes.
//!
//! Time zones come from the IANA database bundled at build time (never the machine's).
//! Daylight saving: a window whose local start time does not exist starts at the next valid
//! instant (the end of the gap); an ambiguous local start takes its first occurrence; durations
//! are elapsed time. Time is always an argument: nothing here reads the clock.
//!
//! ```
//! use gitops_kit::env::{Approval, Config, parse_instant};
//! let cfg = Config::from_str(r#"
//! version: 1
//! defaults: {timezone: Europe/Berlin}
//! environments:
//!   stg: {manifest_branch: stg}
//!   prd:
//!     manifest_branch: prd
//!     after: [stg]
//!     approvals: {required: 1, groups: [sre]}
//! "#, "gitops-kit.yaml").unwrap();
//! assert_eq!(cfg.resolve("prd").unwrap().unwrap().after, vec!["stg"]);
//! let at = parse_instant("2026-11-27T10:00:00Z").unwrap();
//! let bob = Approval { who: "bob".into(), groups: vec!["sre".into()] };
//! assert!(!cfg.gate("prd", at, &[bob.clone()], Some("bob")).unwrap().open); // self-approval
//! assert!(cfg.gate("prd", at, &[bob], Some("alice")).unwrap().open);
//! ```

mod config;
mod error;
mod gate;
mod preview;
mod resolve;
mod schedule;

pub use config::{
    ApprovalRule, BranchPattern, CheckReport, Config, Environment, Freeze, Previews, Problem, Site, Target,
    Window, WindowKind, Windows,
};
pub use error::{ConfigErrorKind, Error};
pub use gate::{
    Approval, ApprovalOutcome, Gate, IgnoredApproval, NEXT_OPEN_HORIZON_DAYS, WindowHit, evaluate_approvals,
};
pub use preview::{is_dns_label, preview_namespace};
pub use resolve::{EnvList, EnvSummary, PreviewInfo, Resolution};
pub use schedule::{
    Cron, RRule, Schedule, Zone, format_duration, parse_duration, parse_instant, parse_local,
};
