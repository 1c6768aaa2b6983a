//! The salsa database: source files are inputs, and parsing, interfaces and
//! checking are tracked queries. An edit re-runs only the queries whose
//! inputs changed, and a module whose interface did not change does not
//! re-check the modules that import it.

use crate::check::{Checked, check_module};
use crate::interface::Interface;
use min_diagnostics::{Diagnostic, FileId, codes};
use min_syntax::ast;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One source file: a module.
#[salsa::input(debug)]
pub struct SourceFile {
    /// The path shown in diagnostics.
    #[returns(ref)]
    pub path: String,
    /// The module's name (the file's stem).
    #[returns(ref)]
    pub module: String,
    /// The file's text.
    #[returns(ref)]
    pub text: String,
    /// The id spans refer to.
    #[returns(copy)]
    pub id: FileId,
}

/// The set of modules that can import each other.
#[salsa::input(debug)]
pub struct Project {
    /// Every module, by name.
    #[returns(ref)]
    pub modules: BTreeMap<String, SourceFile>,
}

/// A parsed file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The syntax tree.
    pub module: Arc<ast::Module>,
    /// Syntax errors.
    pub diagnostics: Vec<Diagnostic>,
}

/// The text of one top-level item of a file (see
/// [`min_syntax::item_regions`]): the unit that is parsed on its own. The
/// same text in the same file is the same item wherever it sits, so an edit
/// re-parses only the items whose text it changed.
#[salsa::interned(debug)]
pub struct ItemText {
    /// The item's text, from the start of its first line to the start of
    /// the next item.
    #[returns(ref)]
    pub text: String,
    /// The file it is in.
    #[returns(copy)]
    pub file: FileId,
    /// Whether another item follows it.
    #[returns(copy)]
    pub followed: bool,
}

/// Parses one item on its own text: spans count from the item's start.
/// Not compared with a previous result: an item's text never changes.
#[salsa::tracked(returns(ref), no_eq)]
pub fn parse_item(db: &dyn salsa::Database, item: ItemText<'_>) -> min_syntax::ParsedItem {
    min_syntax::parse_item(item.file(db), item.text(db), item.followed(db))
}

/// Parses a file: splits it into items, parses each (reusing the items
/// whose text is unchanged, moved to where they are now), and assembles
/// the module. Not compared with the previous result: a changed file almost
/// always parses differently (if only in positions), and the comparison
/// would walk the tree.
#[salsa::tracked(returns(ref), no_eq)]
pub fn parse(db: &dyn salsa::Database, file: SourceFile) -> Parsed {
    let (id, text) = (file.id(db), file.text(db));
    let items = min_syntax::item_regions(text)
        .into_iter()
        .map(|region| {
            let item = ItemText::new(db, text[region.start..region.end].to_string(), id, region.followed);
            parse_item(db, item).moved(region.start)
        })
        .collect();
    let (module, diagnostics) = min_syntax::assemble(id, text, items);
    Parsed { module: Arc::new(module), diagnostics }
}

/// The names of the modules `file` imports, as written. Most edits leave
/// them unchanged, and then nothing that follows imports re-runs.
#[salsa::tracked(returns(ref))]
pub fn imports(db: &dyn salsa::Database, file: SourceFile) -> Vec<String> {
    parse(db, file).module.imports.iter().map(|import| import.module.text.clone()).collect()
}

/// What importers of `file` see: its types and the schemes of its
/// definitions, without source positions. Equal interfaces are not
/// propagated, so editing a function's body (even one that moves the
/// definitions below it) does not re-check its importers. Tools that need
/// positions read them from [`check`].
#[salsa::tracked(returns(ref))]
pub fn interface(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Arc<Interface> {
    Arc::new(check(db, project, file).interface.without_positions())
}

/// Checks a module: names, types, patterns, and its core IR. Not compared
/// with the previous result either: importers depend on `interface`, which is.
#[salsa::tracked(returns(ref), no_eq)]
pub fn check(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Checked {
    let parsed = parse(db, file);
    let name = file.module(db).clone();
    let modules = project.modules(db);
    let mut diagnostics = Vec::new();
    let mut available: BTreeMap<String, Arc<Interface>> = BTreeMap::new();
    for import in &parsed.module.imports {
        let Some(&imported) = modules.get(&import.module.text) else { continue };
        if let Some(cycle) = import_path(db, project, imported, &name) {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0109,
                    import.span,
                    format!("importing `{}` makes a cycle", import.module.text),
                )
                .with_span_label(format!("{} → {}", name, cycle.join(" → ")))
                .with_help("move what both modules need into a third module that both import"),
            );
            continue;
        }
        available.insert(import.module.text.clone(), interface(db, project, imported).clone());
    }
    let prelude =
        (name != PRELUDE).then(|| modules.get(PRELUDE).map(|&file| interface(db, project, file).clone())).flatten();
    let known: Vec<String> = modules.keys().cloned().collect();
    let mut checked = check_module(&name, &parsed.module, &available, &known, prelude.as_ref());
    diagnostics.extend(parsed.diagnostics.iter().cloned());
    diagnostics.append(&mut checked.diagnostics);
    checked.diagnostics = diagnostics;
    checked
}

/// The name of the module every other module imports unqualified.
pub const PRELUDE: &str = "Prelude";

/// A chain of imports from `from` back to the module `target`, if any.
fn import_path(db: &dyn salsa::Database, project: Project, from: SourceFile, target: &str) -> Option<Vec<String>> {
    let modules = project.modules(db);
    let mut stack: Vec<(SourceFile, Vec<String>)> = vec![(from, vec![from.module(db).clone()])];
    let mut seen: Vec<String> = Vec::new();
    while let Some((file, path)) = stack.pop() {
        let module = file.module(db).clone();
        if module == target {
            return Some(path);
        }
        if seen.contains(&module) {
            continue;
        }
        seen.push(module);
        for import in imports(db, file) {
            if let Some(&next) = modules.get(import) {
                let mut next_path = path.clone();
                next_path.push(import.clone());
                stack.push((next, next_path));
            }
        }
    }
    None
}

/// The modules `file` needs at run time (itself, its imports, the prelude),
/// dependencies first.
pub fn dependency_order(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Vec<SourceFile> {
    fn visit(
        db: &dyn salsa::Database,
        project: Project,
        file: SourceFile,
        seen: &mut Vec<SourceFile>,
        out: &mut Vec<SourceFile>,
    ) {
        if seen.contains(&file) {
            return;
        }
        seen.push(file);
        let modules = project.modules(db);
        let mut needed: Vec<String> = imports(db, file).clone();
        if file.module(db) != PRELUDE {
            needed.push(PRELUDE.to_string());
        }
        for import in needed {
            if let Some(&next) = modules.get(&import) {
                visit(db, project, next, seen, out);
            }
        }
        out.push(file);
    }
    let mut out = Vec::new();
    visit(db, project, file, &mut Vec::new(), &mut out);
    out
}
