//! Python bindings of gitops-kit: the native module `gitops_kit._native`, re-exported by the
//! pure-Python package `gitops_kit`.
//!
//! Every function is thin: convert the arguments, call one core function with the GIL released
//! (`py.detach`), convert the result into plain Python objects (the JSON shapes the CLI prints).
//! Core errors become [`errors::GitopsKitError`] subclasses carrying the stable code and location.

mod convert;
mod diff;
mod env;
mod errors;
mod git;
mod image;
mod manifests;
mod validate;
mod yaml;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    yaml::register(m)?;
    manifests::register(m)?;
    git::register(m)?;
    diff::register(m)?;
    image::register(m)?;
    env::register(m)?;
    validate::register(m)?;
    Ok(())
}
