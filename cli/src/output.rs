//! Printing shared by the commands: errors with their code and location, and output formats.

use std::io::Write;
use std::process::ExitCode;

/// Exit code for usage and input errors.
pub const EXIT_ERROR: u8 = 2;

/// Output format of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// Machine-readable JSON with a `schema` field.
    Json,
}

/// Prints `error[CODE]: file:line:column: message` and the excerpt; exit code 2.
pub fn report_error(err: &gitops_kit::Error) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error[{}]: {err}", err.code());
    let yaml_error = match err {
        gitops_kit::Error::Yaml(e) | gitops_kit::Error::Manifest(gitops_kit::manifest::Error::Yaml(e)) => {
            Some(e)
        }
        _ => None,
    };
    for line in yaml_error.map(|e| e.excerpt()).unwrap_or_default().lines() {
        let _ = writeln!(stderr, "  | {line}");
    }
    ExitCode::from(EXIT_ERROR)
}

/// Writes `text` to standard output; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> Result<(), gitops_kit::Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(stdout_error(&e)),
        _ => Ok(()),
    }
}

/// Streams output to standard output through `write`; a closed pipe is not an error.
pub fn print_with(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), gitops_kit::Error> {
    let mut stdout = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(stdout_error(&e)),
        _ => Ok(()),
    }
}

/// Pretty JSON with a trailing newline, straight from any serializable report.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Exit code 1 when a command found something (findings, differences, a closed gate), else 0.
pub fn exit_code(found: bool) -> ExitCode {
    if found { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Left-aligned columns separated by two spaces; the last column is not padded.
pub fn table<const N: usize>(header: &[String; N], rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in std::iter::once(header).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Reads a file argument (`-` is standard input) into a named, UTF-8-checked source.
pub fn read_source(arg: &str) -> Result<gitops_kit::yaml::Source, gitops_kit::Error> {
    use std::io::Read;
    let (name, bytes) = if arg == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes).map_err(|e| io_error("<stdin>", &e))?;
        ("<stdin>".to_string(), bytes)
    } else {
        (arg.to_string(), std::fs::read(arg).map_err(|e| io_error(arg, &e))?)
    };
    Ok(gitops_kit::yaml::Source::from_bytes(name, bytes)?)
}

fn io_error(path: &str, e: &std::io::Error) -> gitops_kit::Error {
    let err = if e.kind() == std::io::ErrorKind::NotFound {
        gitops_kit::manifest::Error::NotFound { path: path.to_string() }
    } else {
        gitops_kit::manifest::Error::Io { path: path.to_string(), message: e.to_string() }
    };
    err.into()
}

/// An error writing standard output.
fn stdout_error(e: &std::io::Error) -> gitops_kit::Error {
    io_error("<stdout>", e)
}
