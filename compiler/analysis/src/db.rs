//! The salsa database: source files are inputs, and parsing, interfaces and
//! checking are tracked queries. An edit re-runs only the queries whose
//! inputs changed, and a module whose interface did not change does not
//! re-check the modules that import it.

use crate::check::{Checked, Environment, Parts, Separate, check_frame, check_module, check_separate};
use crate::interface::Interface;
use crate::retire::retire;
use min_diagnostics::{Diagnostic, FileId, Span, codes};
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

impl Drop for Parsed {
    /// The tree is freed on the retiring thread (see [`crate::retire`]).
    fn drop(&mut self) {
        retire(std::mem::take(&mut self.module));
    }
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
            let item = ItemText::new(db, &text[region.start..region.end], id, region.followed);
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

/// Checks a module: names, types, patterns, and its core IR. The
/// definitions that can be checked apart from the module (see
/// [`crate::check::separable_definitions`]) are checked by
/// [`check_definition`], each on its own; the rest by [`frame`]. Not
/// compared with the previous result either: importers depend on
/// `interface`, which is.
#[salsa::tracked(returns(ref), no_eq)]
pub fn check(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Checked {
    let mut checked = match &frame(db, project, file).outcome {
        FrameOutcome::Whole(checked) => checked.clone(),
        FrameOutcome::Split { parts, .. } => {
            let separate = separate_results(db, project, file).map(|(result, by)| result.moved(by)).collect();
            parts.placed(&placer(db, file)).assemble(separate)
        }
    };
    checked.diagnostics = with_context(db, project, file, std::mem::take(&mut checked.diagnostics));
    checked
}

/// Every problem in a file: the diagnostics of [`check`], without putting
/// the module's other results (core IR, names, interface) together, which
/// an edit would otherwise pay for before its diagnostics are shown.
/// Compared with the previous ones, so that an edit that leaves them equal
/// changes nothing that depends on them.
#[salsa::tracked(returns(ref))]
pub fn diagnostics(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Vec<Diagnostic> {
    let checked = match &frame(db, project, file).outcome {
        FrameOutcome::Whole(checked) => checked.diagnostics.clone(),
        FrameOutcome::Split { parts, .. } => {
            parts.diagnostics_with(&placer(db, file), separate_results(db, project, file))
        }
    };
    with_context(db, project, file, checked)
}

/// The results of the definitions of `file` checked apart, in order, each
/// with how far its results are to be moved to where it is (they count
/// from its start).
fn separate_results(
    db: &dyn salsa::Database,
    project: Project,
    file: SourceFile,
) -> impl Iterator<Item = (&Separate, u32)> {
    separate_definitions(db, file).iter().filter_map(move |&(definition, start)| {
        Some((check_definition(db, project, file, definition).as_ref()?, start))
    })
}

/// A module's checking diagnostics after the problems with its imports
/// and its syntax errors.
fn with_context(
    db: &dyn salsa::Database,
    project: Project,
    file: SourceFile,
    mut checked: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let place = placer(db, file);
    let mut diagnostics = frame(db, project, file).context.clone();
    diagnostics.iter_mut().for_each(|diagnostic| diagnostic.map_spans(&place));
    diagnostics.extend(parse(db, file).diagnostics.iter().cloned());
    diagnostics.append(&mut checked);
    diagnostics
}

/// Checks a module in one pass, as [`check`] would without checking any
/// definition apart, and without keeping the result: what [`check`]'s
/// results are compared with.
pub fn check_in_one_pass(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Checked {
    let parsed = parse(db, file);
    let (mut diagnostics, available, known, prelude) = module_context(db, project, file, &parsed.module);
    diagnostics.extend(parsed.diagnostics.iter().cloned());
    let mut checked = check_module(file.module(db), &parsed.module, &available, &known, prelude.as_ref());
    diagnostics.append(&mut checked.diagnostics);
    checked.diagnostics = diagnostics;
    checked
}

/// A module without the bodies it may check apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skeleton {
    /// The module, those bodies left out (see [`crate::check::frame_module`]).
    pub module: Arc<ast::Module>,
    /// The indices of the definitions checked apart.
    pub separate: Vec<usize>,
}

impl Drop for Skeleton {
    /// The frame is freed on the retiring thread (see [`crate::retire`]).
    fn drop(&mut self) {
        retire(std::mem::take(&mut self.module));
    }
}

/// The module's frame, with its items counted from their own starts
/// ([`min_syntax::by_items`]): an edit inside the body of a definition
/// checked apart leaves it equal, even one that moves what follows, and
/// then nothing that depends on it re-runs.
#[salsa::tracked(returns(ref))]
pub fn skeleton(db: &dyn salsa::Database, file: SourceFile) -> Skeleton {
    laid_out(db, file).skeleton.clone()
}

/// Where the items of the frame really start, to put the spans of what
/// checking it gives where they are in the file; `None` when the frame
/// keeps the file's spans.
#[salsa::tracked(returns(ref))]
pub fn layout(db: &dyn salsa::Database, file: SourceFile) -> Option<min_syntax::ItemLayout> {
    laid_out(db, file).layout.clone()
}

/// The frame laid out by items, and where they start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaidOut {
    /// The frame, its items counted from their own starts.
    pub skeleton: Skeleton,
    /// Where they start in the file.
    pub layout: Option<min_syntax::ItemLayout>,
}

/// The frame of `file` and its layout, made once for [`skeleton`] and
/// [`layout`], which are compared.
#[salsa::tracked(returns(ref), no_eq)]
pub fn laid_out(db: &dyn salsa::Database, file: SourceFile) -> LaidOut {
    let module = &parse(db, file).module;
    let separate = crate::check::separable_definitions(module);
    let frame = crate::check::frame_module(module, &separate);
    let (module, layout) = min_syntax::by_items(frame, file.text(db).len());
    LaidOut { skeleton: Skeleton { module: Arc::new(module), separate }, layout }
}

/// Puts a span of what checking the frame gives where it is in the file.
fn placer(db: &dyn salsa::Database, file: SourceFile) -> impl Fn(Span) -> Span + '_ {
    let layout = layout(db, file);
    move |span| layout.as_ref().map_or(span, |layout| layout.place(span))
}

/// What checking a module's frame gives.
#[derive(Clone, Debug)]
pub struct Frame {
    /// Problems with the module's imports.
    pub context: Vec<Diagnostic>,
    /// The frame's results, or the whole module's.
    pub outcome: FrameOutcome,
}

/// How a module is checked.
#[derive(Clone, Debug)]
pub enum FrameOutcome {
    /// In parts: the frame, and the separate definitions in the
    /// environment it gives.
    Split {
        /// The frame's results.
        parts: Parts,
        /// What the separate definitions see.
        environment: Arc<Environment>,
    },
    /// In one pass: it has no definition to check apart, or they cannot be
    /// checked apart (see [`crate::check::check_frame`]).
    Whole(Checked),
}

/// Checks a module's frame, or the whole module when it cannot be split.
#[salsa::tracked(returns(ref), no_eq)]
pub fn frame(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Frame {
    let skeleton = skeleton(db, file);
    let name = file.module(db).clone();
    let (context, available, known, prelude) = module_context(db, project, file, &skeleton.module);
    if !skeleton.separate.is_empty() {
        let separate = skeleton.separate.iter().map(|&i| skeleton.module.defs[i].name.text.clone()).collect();
        if let Some((parts, environment)) =
            check_frame(&name, &skeleton.module, &separate, &available, &known, prelude.as_ref())
        {
            return Frame { context, outcome: FrameOutcome::Split { parts, environment: Arc::new(environment) } };
        }
    }
    let checked = check_module(&name, &parse(db, file).module, &available, &known, prelude.as_ref());
    Frame { context, outcome: FrameOutcome::Whole(checked) }
}

/// The environment the separate definitions of a module are checked in.
/// Compared with the previous one: an edit that leaves it equal does not
/// re-check them.
#[salsa::tracked(returns(ref))]
pub fn environment(db: &dyn salsa::Database, project: Project, file: SourceFile) -> Option<Arc<Environment>> {
    match &frame(db, project, file).outcome {
        FrameOutcome::Split { environment, .. } => Some(environment.clone()),
        FrameOutcome::Whole(_) => None,
    }
}

/// A definition of a file that is checked apart from its module, known by
/// its index among the module's definitions and its syntax tree, with its
/// spans counted from its own start: an edit elsewhere leaves it the same
/// definition, even one that moves it (an insertion above it), and it is
/// not checked again.
#[salsa::interned(debug)]
pub struct SeparateDefinition<'db> {
    /// Its index among the module's definitions.
    #[returns(copy)]
    pub index: usize,
    /// The definition.
    #[returns(ref)]
    pub def: ast::Def,
}

/// The definitions of `file` checked apart, in order, each with where it
/// starts in the file (its spans count from there). Interning looks each
/// one up by its content.
#[salsa::tracked(returns(ref))]
pub fn separate_definitions(db: &dyn salsa::Database, file: SourceFile) -> Vec<(SeparateDefinition<'_>, u32)> {
    let defs = &parse(db, file).module.defs;
    skeleton(db, file)
        .separate
        .iter()
        .filter_map(|&index| {
            let def = defs.get(index)?;
            Some((SeparateDefinition::new(db, index, min_syntax::def_from_start(def)), def.start()))
        })
        .collect()
}

/// Checks a definition apart from its module: re-runs only when the
/// definition or the environment changed.
#[salsa::tracked(returns(ref), no_eq)]
pub fn check_definition<'db>(
    db: &'db dyn salsa::Database,
    project: Project,
    file: SourceFile,
    definition: SeparateDefinition<'db>,
) -> Option<Separate> {
    let environment = environment(db, project, file).as_ref()?;
    check_separate(environment, definition.def(db), definition.index(db))
}

/// What checking `file` needs from the rest of the project: problems with
/// its imports, the interfaces it may import, every module's name, and the
/// prelude's interface.
type Context = (Vec<Diagnostic>, BTreeMap<String, Arc<Interface>>, Vec<String>, Option<Arc<Interface>>);

fn module_context(db: &dyn salsa::Database, project: Project, file: SourceFile, module: &ast::Module) -> Context {
    let name = file.module(db).clone();
    let modules = project.modules(db);
    let mut diagnostics = Vec::new();
    let mut available: BTreeMap<String, Arc<Interface>> = BTreeMap::new();
    for import in &module.imports {
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
    (diagnostics, available, known, prelude)
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
