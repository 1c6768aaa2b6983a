//! The front door for tools: a salsa database holding the standard library
//! and the user's files, with the questions `minc` and the language server ask.

use crate::check::Checked;
use crate::db::{Project, SourceFile, check, dependency_order, diagnostics, parse};
use crate::stdlib;
use min_diagnostics::{Diagnostic, FileId, SourceLookup};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The salsa database.
#[salsa::db]
#[derive(Clone, Default)]
pub struct Database {
    storage: salsa::Storage<Self>,
    /// Names of the queries executed, when logging was asked for.
    log: Option<Arc<Mutex<Vec<String>>>>,
}

impl Database {
    /// A database that records every query it executes (for tests of incrementality).
    pub fn with_query_log() -> Database {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                sink.lock().expect("query log").push(format!("{database_key:?}"));
            }
        })));
        Database { storage, log: Some(log) }
    }
}

#[salsa::db]
impl salsa::Database for Database {}

/// A set of Min files and the standard library, checked on demand.
pub struct Workspace {
    db: Database,
    project: Project,
    files: Vec<SourceFile>,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

impl Workspace {
    /// A workspace holding the standard library.
    pub fn new() -> Workspace {
        Workspace::with_database(Database::default())
    }

    /// A workspace that records the queries it executes; see [`Workspace::take_query_log`].
    pub fn with_query_log() -> Workspace {
        Workspace::with_database(Database::with_query_log())
    }

    /// The queries executed since the last call, such as `check(Id(3))`
    /// (empty unless made by [`Workspace::with_query_log`]).
    pub fn take_query_log(&self) -> Vec<String> {
        self.db.log.as_ref().map(|log| std::mem::take(&mut *log.lock().expect("query log"))).unwrap_or_default()
    }

    fn with_database(db: Database) -> Workspace {
        let project = Project::new(&db, BTreeMap::new());
        let mut workspace = Workspace { db, project, files: Vec::new() };
        for (name, text) in stdlib::MODULES {
            workspace.add_module(&format!("<stdlib>/{name}.min"), name, text.to_string());
        }
        workspace
    }

    /// Adds a file; its module name is the file's stem.
    pub fn add_file(&mut self, path: &str, text: String) -> SourceFile {
        let module = Path::new(path).file_stem().and_then(|stem| stem.to_str()).unwrap_or("Main").to_string();
        self.add_module(path, &module, text)
    }

    fn add_module(&mut self, path: &str, module: &str, text: String) -> SourceFile {
        let id = FileId(self.files.len() as u32);
        let file = SourceFile::new(&self.db, path.to_string(), module.to_string(), text, id);
        self.files.push(file);
        let mut modules = self.project.modules(&self.db).clone();
        modules.insert(module.to_string(), file);
        use salsa::Setter;
        self.project.set_modules(&mut self.db).to(modules);
        file
    }

    /// The file of module `name`, if it is loaded.
    pub fn module_file(&self, name: &str) -> Option<SourceFile> {
        self.project.modules(&self.db).get(name).copied()
    }

    /// Replaces a file's text (an edit in the editor).
    pub fn set_text(&mut self, file: SourceFile, text: String) {
        use salsa::Setter;
        file.set_text(&mut self.db).to(text);
    }

    /// Every file, the standard library's first.
    pub fn files(&self) -> impl Iterator<Item = SourceFile> + '_ {
        self.files.iter().copied()
    }

    /// Whether `file` is part of the built-in standard library.
    pub fn is_stdlib(&self, file: SourceFile) -> bool {
        (file.id(&self.db).0 as usize) < stdlib::MODULES.len()
    }

    /// The text of the file with this id (empty if there is none).
    pub fn file_text(&self, id: FileId) -> &str {
        self.file(id).map_or("", |f| f.text(&self.db).as_str())
    }

    /// Whether a module of this name is loaded.
    pub fn has_module(&self, name: &str) -> bool {
        self.project.modules(&self.db).contains_key(name)
    }

    /// The file with this id.
    pub fn file(&self, id: FileId) -> Option<SourceFile> {
        self.files.get(id.0 as usize).copied()
    }

    /// The result of checking a file.
    pub fn check(&self, file: SourceFile) -> &Checked {
        check(&self.db, self.project, file)
    }

    /// What checking a file in one pass gives, without checking any
    /// definition apart and without keeping the result: [`Workspace::check`]
    /// gives the same.
    pub fn check_in_one_pass(&self, file: SourceFile) -> Checked {
        crate::db::check_in_one_pass(&self.db, self.project, file)
    }

    /// Every diagnostic of a file: those of [`Workspace::check`], found
    /// without putting the file's other results together.
    pub fn diagnostics(&self, file: SourceFile) -> &[Diagnostic] {
        diagnostics(&self.db, self.project, file)
    }

    /// The syntax tree of a file.
    pub fn syntax(&self, file: SourceFile) -> &min_syntax::ast::Module {
        &parse(&self.db, file).module
    }

    /// What region and ownership inference decided for each top-level
    /// definition of `file`.
    pub fn ownership(&self, file: SourceFile) -> &[crate::ownership::Definition] {
        crate::ownership::ownership(&self.db, self.project, file)
    }

    /// The core IR of a file and of every module it needs at run time.
    pub fn program(&self, file: SourceFile) -> Vec<min_core::Module> {
        dependency_order(&self.db, self.project, file).into_iter().map(|f| self.check(f).core.clone()).collect()
    }

    /// The interfaces of `file` and of every module it needs, by module
    /// name, with the positions of their definitions (for tools).
    pub fn interfaces(&self, file: SourceFile) -> BTreeMap<String, std::sync::Arc<crate::interface::Interface>> {
        dependency_order(&self.db, self.project, file)
            .into_iter()
            .map(|f| (f.module(&self.db).clone(), std::sync::Arc::new(self.check(f).interface.clone())))
            .collect()
    }

    /// The interface of the module called `name`, with the positions of its
    /// definitions, if it is loaded.
    pub fn interface_of(&self, name: &str) -> Option<&crate::interface::Interface> {
        let file = *self.project.modules(&self.db).get(name)?;
        Some(&self.check(file).interface)
    }

    /// Modules `file` depends on (itself included) that have errors.
    pub fn broken_dependencies(&self, file: SourceFile) -> Vec<SourceFile> {
        dependency_order(&self.db, self.project, file)
            .into_iter()
            .filter(|&f| f != file && self.diagnostics(f).iter().any(Diagnostic::is_error))
            .collect()
    }

    /// The module name of a file.
    pub fn module_name(&self, file: SourceFile) -> &str {
        file.module(&self.db)
    }

    /// The database, for queries not wrapped here.
    pub fn db(&self) -> &Database {
        &self.db
    }
}

impl SourceLookup for Workspace {
    fn name(&self, file: FileId) -> String {
        self.file(file).map_or_else(|| "<unknown>".to_string(), |f| f.path(&self.db).clone())
    }

    fn text(&self, file: FileId) -> &str {
        self.file(file).map_or("", |f| f.text(&self.db).as_str())
    }
}
