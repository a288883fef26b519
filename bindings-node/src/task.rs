//! One generic `AsyncTask` for every asynchronous call, and the matching synchronous helpers.
//!
//! An API call is written once as a closure returning an [`Outcome`]; [`Work::spawn`] runs it
//! on the libuv thread pool (the event loop keeps running) and settles the promise on the JS
//! thread, where the result becomes a JS value ([`IntoJs`]) or the failure a coded JS error.

use crate::convert::IntoJs;
use crate::errors::{Failure, Outcome};
use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi::{Env, ScopedTask};
use std::panic::{AssertUnwindSafe, catch_unwind};

type Job<T> = Box<dyn FnOnce() -> Outcome<T> + Send>;

/// A closure run off the JS thread; its result is converted to JS when the promise settles.
pub struct Work<T: IntoJs> {
    job: Option<Job<T>>,
}

impl<T: IntoJs> Work<T> {
    /// The promise-returning task of `job`. A panic in `job` rejects the promise with code
    /// `internal` instead of aborting the process.
    pub fn spawn(job: impl FnOnce() -> Outcome<T> + Send + 'static) -> AsyncTask<Work<T>> {
        AsyncTask::new(Work { job: Some(Box::new(job)) })
    }
}

impl<'task, T: IntoJs> ScopedTask<'task> for Work<T> {
    type Output = Outcome<T>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> napi::Result<Outcome<T>> {
        let job = self
            .job
            .take()
            .ok_or_else(|| napi::Error::from_reason("gitops-kit: an asynchronous task ran twice"))?;
        Ok(guarded(job))
    }

    fn resolve(&mut self, env: &'task Env, output: Outcome<T>) -> napi::Result<Unknown<'task>> {
        match output {
            Ok(value) => value.into_js(env),
            Err(failure) => Err(failure.into_napi(env)),
        }
    }
}

/// Runs `job` now, on the JS thread: its value, or the coded JS error (a panic becomes code
/// `internal`, as in [`Work`]).
pub fn call<T>(env: &Env, job: impl FnOnce() -> Outcome<T>) -> napi::Result<T> {
    guarded(job).map_err(|failure| failure.into_napi(env))
}

/// [`call`], converting the value with [`IntoJs`].
pub fn run<T: IntoJs>(env: &Env, job: impl FnOnce() -> Outcome<T>) -> napi::Result<Unknown<'_>> {
    call(env, job)?.into_js(env)
}

fn guarded<T>(job: impl FnOnce() -> Outcome<T>) -> Outcome<T> {
    catch_unwind(AssertUnwindSafe(job)).unwrap_or_else(|panic| Err(Failure::panic(&*panic)))
}
