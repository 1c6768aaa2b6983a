//! Support for Min's cross-crate tests: golden files that are compared with
//! what the toolchain prints, and re-blessed with `MIN_BLESS=1 cargo test`.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the repository").to_path_buf()
}

/// The `.min` files of a folder under `tests/`, sorted.
pub fn cases(folder: &str) -> Vec<PathBuf> {
    cases_in(&root().join("tests").join(folder))
}

/// The `.min` files of a folder, sorted.
pub fn cases_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "min"))
        .collect();
    files.sort();
    files
}

/// The path of `file` relative to the repository root, with `/` separators.
pub fn relative(file: &Path) -> String {
    file.strip_prefix(root()).unwrap_or(file).to_string_lossy().replace('\\', "/")
}

/// Compares `actual` with the golden file `expected_path`, or rewrites the
/// golden file when `MIN_BLESS` is set. Returns a description of the
/// difference, if any.
pub fn compare_golden(expected_path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("MIN_BLESS").is_some() {
        if actual.is_empty() {
            let _ = std::fs::remove_file(expected_path);
        } else {
            std::fs::write(expected_path, actual).expect("write golden file");
        }
        return None;
    }
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    (expected != actual)
        .then(|| format!("{}:\n--- expected\n{expected}\n--- actual\n{actual}", relative(expected_path)))
}

/// The first line where two transcripts differ, with both versions.
pub fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for number in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (None, None) => break,
            (e, a) if e == a => {}
            (e, a) => {
                return format!(
                    "line {number}:\n  expected {}\n  actual   {}",
                    e.unwrap_or("(end)"),
                    a.unwrap_or("(end)")
                );
            }
        }
    }
    "no difference".to_string()
}

/// Checks every `tests/FOLDER/*.min` that checks without a diagnostic: what
/// `render` makes of it must equal the golden file with `extension` beside
/// it. Panics with every difference.
pub fn check_rendered_goldens(
    folder: &str,
    extension: &str,
    render: impl Fn(&min_analysis::Workspace, min_analysis::db::SourceFile) -> String,
) {
    let mut workspace = min_analysis::Workspace::new();
    let mut failures = Vec::new();
    for path in cases(folder) {
        let text = std::fs::read_to_string(&path).expect("read case");
        let file = workspace.add_file(&relative(&path), text);
        let diagnostics = workspace.diagnostics(file);
        if !diagnostics.is_empty() {
            failures.push(format!("{}:\n{}", relative(&path), min_diagnostics::render_plain(diagnostics, &workspace)));
            continue;
        }
        failures.extend(compare_golden(&path.with_extension(extension), &render(&workspace, file)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
