//! The server's state: the analysis workspace, which of its files the editor
//! has open, and the URI of every file that has one.
//!
//! Files enter the workspace and never leave it (the workspace has no way to
//! remove one): a document the editor opens is added, or found again by its
//! path; the modules it imports that sit beside it on disk (`import
//! Geometry` finds `Geometry.min`, as `minc` does) are added too, so that
//! names defined there resolve. Closing a document puts back the text on
//! disk. Only `file:` URIs are analysed: a buffer of another scheme (a diff
//! view, an untitled buffer) has no folder to import from, and its module
//! name would shadow the real file's.

use crate::position::{Encoding, LineIndex};
use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_diagnostics::{FileId, Span};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types::{Location, Position, Range, Uri};

/// The largest document analysed, about 400,000 lines. Past it the text is
/// replaced by an empty one: spans are 32-bit offsets, and checking such a
/// document on every keystroke would stall the editor.
pub const DOCUMENT_BYTES_LIMIT: usize = 16 << 20;

/// A document the editor has open.
#[derive(Clone, Copy, Debug)]
struct Open {
    file: SourceFile,
    version: i32,
}

/// The workspace and the editor's view of it.
pub struct Documents {
    /// The analysis of every file, the standard library's included.
    pub workspace: Workspace,
    /// How positions count characters, as negotiated at initialisation.
    pub encoding: Encoding,
    /// Every file added, by its path on disk.
    by_path: HashMap<PathBuf, SourceFile>,
    /// The URI of every file added (the standard library's have none).
    uris: HashMap<FileId, Uri>,
    /// Read-only copies of standard modules written for the editor to show, by file.
    stdlib_copies: std::cell::RefCell<HashMap<FileId, Uri>>,
    /// The documents the editor has open.
    open: HashMap<Uri, Open>,
    /// Problems already told, so that each keystroke does not repeat them.
    told: HashSet<String>,
}

impl Default for Documents {
    fn default() -> Self {
        Documents::new()
    }
}

impl Documents {
    /// A workspace holding only the standard library.
    pub fn new() -> Documents {
        Documents {
            workspace: Workspace::new(),
            encoding: Encoding::default(),
            by_path: HashMap::new(),
            uris: HashMap::new(),
            stdlib_copies: Default::default(),
            open: HashMap::new(),
            told: HashSet::new(),
        }
    }

    /// Adds or updates the document at `uri` with the editor's text, then
    /// the modules it imports from its folder. Returns the problems to tell
    /// the user about (a file that could not be read), or why the document
    /// is not analysed at all.
    pub fn open(&mut self, uri: &Uri, text: String, version: i32) -> Result<Vec<String>, String> {
        let path = file_path(uri).ok_or_else(|| format!("{} is not a file, so it is not analysed", uri.as_str()))?;
        let (text, warning) = bounded(text);
        let file = match self.by_path.get(&path) {
            Some(&file) => {
                self.set_text(file, text);
                file
            }
            None => self.add(&path, text),
        };
        // The editor's spelling of the URI wins over the one made from the path.
        self.uris.insert(file.id(self.workspace.db()), uri.clone());
        self.open.insert(uri.clone(), Open { file, version });
        let mut problems: Vec<String> = warning.into_iter().collect();
        problems.extend(self.load_imports(file, &path));
        Ok(self.untold(problems))
    }

    /// Replaces the text of an open document; returns as [`Documents::open`] does.
    pub fn change(&mut self, uri: &Uri, text: String, version: i32) -> Result<Vec<String>, String> {
        let Some(open) = self.open.get_mut(uri) else {
            return Err(format!("{} changed but was never opened", uri.as_str()));
        };
        open.version = version;
        let file = open.file;
        let (text, warning) = bounded(text);
        self.set_text(file, text);
        let mut problems: Vec<String> = warning.into_iter().collect();
        if let Some(path) = file_path(uri) {
            problems.extend(self.load_imports(file, &path));
        }
        Ok(self.untold(problems))
    }

    fn untold(&mut self, problems: Vec<String>) -> Vec<String> {
        problems.into_iter().filter(|problem| self.told.insert(problem.clone())).collect()
    }

    /// Forgets that the editor has `uri` open; its file goes back to the
    /// text on disk, which its importers see from now on.
    pub fn close(&mut self, uri: &Uri) {
        let Some(open) = self.open.remove(uri) else { return };
        let on_disk = file_path(uri).and_then(|path| read(&path).ok());
        if let Some(text) = on_disk {
            self.set_text(open.file, bounded(text).0);
        }
    }

    /// A file on disk changed (or appeared): a module loaded from disk and
    /// not open in the editor takes its new text. Returns whether anything
    /// was reloaded.
    pub fn reload_from_disk(&mut self, uri: &Uri) -> bool {
        if self.open.contains_key(uri) {
            return false;
        }
        let Some(path) = file_path(uri) else { return false };
        let Some(&file) = self.by_path.get(&path) else { return false };
        let text = read(&path).unwrap_or_default();
        self.set_text(file, bounded(text).0);
        true
    }

    /// The open documents, with their versions.
    pub fn open_documents(&self) -> impl Iterator<Item = (&Uri, SourceFile, i32)> + '_ {
        self.open.iter().map(|(uri, open)| (uri, open.file, open.version))
    }

    /// A URI the editor can open for a standard module: a copy of its text in
    /// a folder of the system's temporary directory, written on first use.
    pub fn stdlib_uri(&self, file: FileId) -> Option<Uri> {
        if let Some(uri) = self.stdlib_copies.borrow().get(&file) {
            return Some(uri.clone());
        }
        let source = self.workspace.file(file).filter(|&f| self.workspace.is_stdlib(f))?;
        let folder = std::env::temp_dir().join(format!("min-stdlib-{}", env!("CARGO_PKG_VERSION")));
        std::fs::create_dir_all(&folder).ok()?;
        let path = folder.join(format!("{}.min", self.workspace.module_name(source)));
        let text = self.workspace.file_text(file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            std::fs::write(&path, text).ok()?;
        }
        let uri = Uri::from_file_path(&path)?;
        self.stdlib_copies.borrow_mut().insert(file, uri.clone());
        Some(uri)
    }

    /// The file of a document: an open one, or one loaded from disk.
    pub fn file(&self, uri: &Uri) -> Option<SourceFile> {
        if let Some(open) = self.open.get(uri) {
            return Some(open.file);
        }
        file_path(uri).and_then(|path| self.by_path.get(&path).copied())
    }

    /// The URI of a file, if it has one (files of the standard library do not).
    pub fn uri(&self, file: FileId) -> Option<&Uri> {
        self.uris.get(&file)
    }

    /// The text of a file.
    pub fn text(&self, file: FileId) -> &str {
        self.workspace.file_text(file)
    }

    /// The byte offset of `position` in `file`.
    pub fn offset(&self, file: SourceFile, position: Position) -> u32 {
        let text = self.text(file.id(self.workspace.db()));
        LineIndex::new(text).offset(position, self.encoding)
    }

    /// A converter of spans to editor ranges, for one request.
    pub fn ranges(&self) -> Ranges<'_> {
        Ranges { documents: self, indexes: RefCell::new(HashMap::new()) }
    }

    fn add(&mut self, path: &Path, text: String) -> SourceFile {
        let file = self.workspace.add_file(&path.display().to_string(), text);
        self.by_path.insert(path.to_path_buf(), file);
        if let Some(uri) = Uri::from_file_path(path) {
            self.uris.insert(file.id(self.workspace.db()), uri);
        }
        file
    }

    fn set_text(&mut self, file: SourceFile, text: String) {
        // Setting an input, even to the same text, starts a new revision.
        if self.workspace.file_text(file.id(self.workspace.db())) != text {
            self.workspace.set_text(file, text);
        }
    }

    /// Adds the modules that `file` imports, transitively, which are not
    /// loaded yet and exist beside it on disk. Returns the files that could
    /// not be read.
    fn load_imports(&mut self, file: SourceFile, path: &Path) -> Vec<String> {
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut problems = Vec::new();
        let mut pending = vec![file];
        while let Some(file) = pending.pop() {
            let imports: Vec<String> =
                self.workspace.syntax(file).imports.iter().map(|import| import.module.text.clone()).collect();
            for module in imports {
                let candidate = folder.join(format!("{module}.min"));
                if self.workspace.has_module(&module) || !candidate.is_file() {
                    continue;
                }
                match read(&candidate) {
                    Ok(text) => pending.push(self.add(&candidate, bounded(text).0)),
                    Err(error) => problems.push(format!("cannot read {}: {error}", candidate.display())),
                }
            }
        }
        problems
    }
}

/// Converts spans to editor ranges, indexing the lines of each file once:
/// an outline or a list of references converts thousands of spans.
pub struct Ranges<'a> {
    documents: &'a Documents,
    indexes: RefCell<HashMap<FileId, LineIndex<'a>>>,
}

impl Ranges<'_> {
    /// The editor range of `span`.
    pub fn range(&self, span: Span) -> Range {
        let mut indexes = self.indexes.borrow_mut();
        let index = indexes.entry(span.file).or_insert_with(|| LineIndex::new(self.documents.text(span.file)));
        index.range(span.start, span.end, self.documents.encoding)
    }

    /// The editor location of `span`, if its file has a URI.
    pub fn location(&self, span: Span) -> Option<Location> {
        Some(Location { uri: self.documents.uri(span.file)?.clone(), range: self.range(span) })
    }
}

/// The path of a `file:` URI.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    let scheme = uri.scheme().as_str();
    if !scheme.eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

/// A file's text as an editor shows it: without a byte order mark.
fn read(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// `text`, or an empty text and a warning if it is over the limit.
fn bounded(text: String) -> (String, Option<String>) {
    if text.len() <= DOCUMENT_BYTES_LIMIT {
        return (text, None);
    }
    let warning =
        format!("a document of {} bytes is over the limit of {DOCUMENT_BYTES_LIMIT} and is not analysed", text.len());
    (String::new(), Some(warning))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn uri(text: &str) -> Uri {
        Uri::from_str(text).expect("a URI")
    }

    #[test]
    fn opening_and_changing_a_document_updates_its_file() {
        let mut documents = Documents::new();
        let main = uri("file:///nowhere/Main.min");
        assert_eq!(documents.open(&main, "x = 1\n".into(), 1), Ok(Vec::new()));
        let file = documents.file(&main).expect("open");
        assert_eq!(documents.workspace.module_name(file), "Main");
        documents.change(&main, "x = 2\n".into(), 2).expect("changed");
        assert_eq!(documents.text(file.id(documents.workspace.db())), "x = 2\n");
        assert_eq!(documents.open_documents().map(|(_, _, version)| version).collect::<Vec<_>>(), vec![2]);
        let id = file.id(documents.workspace.db());
        assert_eq!(documents.uri(id), Some(&main));
    }

    #[test]
    fn reopening_finds_the_same_file() {
        let mut documents = Documents::new();
        let main = uri("file:///nowhere/Main.min");
        documents.open(&main, "x = 1\n".into(), 1).expect("opened");
        let first = documents.file(&main).expect("open");
        documents.close(&main);
        assert!(documents.open_documents().next().is_none());
        assert_eq!(documents.file(&main), Some(first), "still loaded");
        documents.open(&main, "x = 3\n".into(), 1).expect("opened");
        assert_eq!(documents.file(&main), Some(first));
    }

    #[test]
    fn other_schemes_and_unknown_documents_are_refused() {
        let mut documents = Documents::new();
        let untitled = uri("untitled:Untitled-1");
        assert!(documents.open(&untitled, "x = 1\n".into(), 1).is_err());
        assert!(documents.change(&untitled, "x = 1\n".into(), 2).is_err());
        assert_eq!(documents.file(&untitled), None);
        documents.close(&untitled);
    }

    #[test]
    fn oversized_documents_are_not_analysed() {
        let mut documents = Documents::new();
        let main = uri("file:///nowhere/Big.min");
        let problems = documents.open(&main, "x".repeat(DOCUMENT_BYTES_LIMIT + 1), 1).expect("opened");
        assert!(problems[0].contains("over the limit"), "{problems:?}");
        let again = documents.change(&main, "x".repeat(DOCUMENT_BYTES_LIMIT + 1), 2).expect("changed");
        assert!(again.is_empty(), "told once: {again:?}");
        let file = documents.file(&main).expect("still tracked");
        assert_eq!(documents.text(file.id(documents.workspace.db())), "");
    }

    #[test]
    fn imports_beside_the_file_are_loaded() {
        let folder = std::env::temp_dir().join(format!("min-lsp-documents-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("a temporary folder");
        std::fs::write(folder.join("Geometry.min"), "\u{feff}import Units\narea = 1.0\n").expect("written");
        std::fs::write(folder.join("Units.min"), "metre = 1.0\n").expect("written");
        let mut documents = Documents::new();
        let main = Uri::from_file_path(folder.join("Main.min")).expect("a file URI");
        documents.open(&main, "import Geometry\nx = Geometry.area\n".into(), 1).expect("opened");
        assert!(documents.workspace.has_module("Geometry"));
        assert!(documents.workspace.has_module("Units"), "imports are followed transitively");
        let geometry = Uri::from_file_path(folder.join("Geometry.min")).expect("a file URI");
        let file = documents.file(&geometry).expect("loaded from disk");
        assert!(documents.text(file.id(documents.workspace.db())).starts_with("import"), "no byte order mark");
        std::fs::remove_dir_all(&folder).expect("cleaned up");
    }
}
