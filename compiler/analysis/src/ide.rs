//! The questions an editor asks, answered from the checked modules: what is
//! under the cursor, where it is defined, where it is used, what could be
//! typed here, and the outline of a file. Offsets are byte offsets in the
//! file's text; the language server converts them to editor positions.

use crate::check::{NameInfo, Target};
use crate::db::SourceFile;
use crate::interface::Interface;
use crate::workspace::Workspace;
use min_diagnostics::{FileId, Span};
use min_syntax::ast::{self, TypeBody};

/// What hovering shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// The name hovered.
    pub span: Span,
    /// Markdown: the name with its type, then its documentation.
    pub markdown: String,
}

/// The kinds of things the outline and completion list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A definition with parameters.
    Function,
    /// A definition without parameters.
    Value,
    /// An algebraic data type.
    Type,
    /// A record type.
    Record,
    /// A constructor of a type.
    Constructor,
    /// A field of a record or constructor.
    Field,
    /// A parameter or local binding.
    Local,
    /// A module.
    Module,
    /// A keyword.
    Keyword,
}

/// An entry of a file's outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Its type or signature, when it has one.
    pub detail: String,
    /// The whole definition.
    pub span: Span,
    /// The name in the definition.
    pub name_span: Span,
    /// Nested symbols: a type's constructors, a constructor's fields.
    pub children: Vec<Symbol>,
}

/// A completion candidate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The text to insert.
    pub label: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Its type.
    pub detail: String,
    /// Its documentation.
    pub documentation: String,
}

/// A type as Min source.
fn show(ty: &crate::types::Type) -> String {
    crate::types::TypePrinter::default().show(ty)
}

/// The name occurrence at `offset` in `file`, the innermost if several.
pub fn name_at(workspace: &Workspace, file: SourceFile, offset: u32) -> Option<NameInfo> {
    let id = file.id(workspace.db());
    workspace
        .check(file)
        .names
        .iter()
        .filter(|name| name.span.file == id && name.span.contains(offset))
        .min_by_key(|name| name.span.end - name.span.start)
        .cloned()
}

/// The type and documentation of the name at `offset`.
pub fn hover(workspace: &Workspace, file: SourceFile, offset: u32) -> Option<Hover> {
    let name = name_at(workspace, file, offset)?;
    let text = workspace.file_text(name.span.file);
    let written = text.get(name.span.range()).unwrap_or("").to_string();
    let heading = match &name.target {
        Target::Type(qualified) => type_definition(workspace, qualified).unwrap_or_else(|| written.clone()),
        _ => format!("{written} : {}", show(&name.ty)),
    };
    let mut markdown = format!("```min\n{heading}\n```");
    let doc = match &name.target {
        Target::Global(qualified) => global_doc(workspace, qualified),
        Target::Constructor(adt, _) | Target::Type(adt) => type_doc(workspace, adt),
        Target::Local(_) | Target::Prim(_) => None,
    };
    if let Some(doc) = doc.filter(|doc| !doc.is_empty()) {
        markdown.push_str("\n\n");
        markdown.push_str(&doc);
    }
    if let Target::Global(qualified) = &name.target
        && let Some((module, _)) = qualified.rsplit_once('.')
        && let Some(procedure) =
            workspace.interface_of(module).and_then(|i| i.procedures.iter().find(|p| &p.name == qualified))
    {
        markdown.push_str(&format!("\n\n**procedure**: {}", procedure.summary()));
    }
    if let Target::Global(qualified) = &name.target
        && let Some(definition) = workspace.ownership(file).iter().find(|d| &d.qualified == qualified)
    {
        markdown.push_str(&format!("\n\n**ownership**: {}", definition.summary()));
    }
    let linear_types = workspace.interface_of(workspace.module_name(file)).map(|i| &i.linear_types);
    if matches!(name.target, Target::Local(_) | Target::Global(_))
        && linear_types.is_some_and(|linear| crate::check::holds_linear(&name.ty, linear))
    {
        markdown.push_str("\n\n*linear*: it holds an asset, so it is used exactly once, never copied or dropped");
    }
    if let Target::Global(qualified) = &name.target
        && let Some((module, _)) = qualified.rsplit_once('.')
        && module != workspace.module_name(file)
    {
        markdown.push_str(&format!("\n\n*from module `{module}`*"));
    }
    Some(Hover { span: name.span, markdown })
}

/// A type's definition as Min source, `Shape = Tag` and its variants.
fn type_definition(workspace: &Workspace, qualified: &str) -> Option<String> {
    let (module, name) = qualified.rsplit_once('.')?;
    let adt = workspace.interface_of(module)?.types.get(name)?.clone();
    let mut printer = crate::types::TypePrinter::default();
    let params: Vec<crate::types::Type> = adt
        .params
        .iter()
        .map(|param| crate::types::Type::con(crate::types::Con::Rigid(std::sync::Arc::from(param.as_str()))))
        .collect();
    let field = |printer: &mut crate::types::TypePrinter, (field_name, ty): &(Option<String>, crate::types::Type)| {
        let ty = printer.show(&crate::unify::substitute_generics(ty, &params));
        let ty = if ty.contains(' ') { format!("({ty})") } else { ty };
        match field_name {
            Some(field_name) => format!("{field_name}:{ty}"),
            None => ty,
        }
    };
    let mut out = std::iter::once(name.to_string()).chain(adt.params.iter().cloned()).collect::<Vec<_>>().join(" ");
    if adt.kind.owned() {
        out.insert_str(0, &format!("{} ", adt.kind.keyword()));
    }
    let fields = |printer: &mut crate::types::TypePrinter, constructor: &crate::interface::ConstructorDef| {
        let mut out = String::new();
        for (index, f) in constructor.fields.iter().enumerate() {
            out.push(' ');
            out.push_str(&field(printer, f));
            let authority = constructor.authority.get(index).copied().flatten();
            if let Some((Some(principal), _)) = authority.and_then(|a| constructor.fields.get(a as usize)) {
                out.push_str(&format!("{{{principal}}}"));
            }
        }
        out
    };
    if adt.record {
        out.push_str(" = Record");
        out.push_str(&fields(&mut printer, &adt.constructors[0]));
    } else {
        out.push_str(" = Tag");
        for constructor in &adt.constructors {
            out.push_str("\n  ");
            out.push_str(&constructor.name);
            out.push_str(&fields(&mut printer, constructor));
        }
    }
    if adt.has_authority() {
        out.push_str("\n# a field under {a} changes only in transactions that `a` signs");
    }
    Some(out)
}

fn global_doc(workspace: &Workspace, qualified: &str) -> Option<String> {
    let (module, name) = qualified.rsplit_once('.')?;
    workspace.interface_of(module)?.values.get(name).map(|value| value.doc.clone())
}

fn type_doc(workspace: &Workspace, qualified: &str) -> Option<String> {
    let (module, name) = qualified.rsplit_once('.')?;
    workspace.interface_of(module)?.types.get(name).map(|adt| adt.doc.clone())
}

/// Where the name at `offset` is defined.
pub fn definition(workspace: &Workspace, file: SourceFile, offset: u32) -> Option<Span> {
    let name = name_at(workspace, file, offset)?;
    target_span(workspace, &name.target)
}

fn target_span(workspace: &Workspace, target: &Target) -> Option<Span> {
    match target {
        Target::Local(span) => Some(*span),
        Target::Global(qualified) => {
            let (module, name) = qualified.rsplit_once('.')?;
            workspace.interface_of(module)?.values.get(name).map(|value| value.span)
        }
        Target::Constructor(adt, tag) => {
            let (module, name) = adt.rsplit_once('.')?;
            let interface = workspace.interface_of(module)?;
            interface.types.get(name)?.constructors.get(*tag as usize).map(|c| c.span)
        }
        Target::Type(adt) => {
            let (module, name) = adt.rsplit_once('.')?;
            workspace.interface_of(module)?.types.get(name).map(|adt| adt.span)
        }
        Target::Prim(_) => None,
    }
}

/// Every occurrence of the name at `offset`, across the workspace's files
/// (a local only in its own file); definitions included when asked.
pub fn references(workspace: &Workspace, file: SourceFile, offset: u32, include_definition: bool) -> Vec<Span> {
    let Some(name) = name_at(workspace, file, offset) else { return Vec::new() };
    let files: Vec<SourceFile> = match name.target {
        Target::Local(_) => vec![file],
        _ => workspace.files().collect(),
    };
    let occurrences: Vec<NameInfo> = files
        .into_iter()
        .flat_map(|f| workspace.check(f).names.iter().filter(|n| n.target == name.target).cloned().collect::<Vec<_>>())
        .collect();
    let defined_among_them = occurrences.iter().any(|n| n.definition);
    let mut spans: Vec<Span> =
        occurrences.into_iter().filter(|n| include_definition || !n.definition).map(|n| n.span).collect();
    if include_definition
        && !defined_among_them
        && let Some(span) = target_span(workspace, &name.target)
        && !spans.contains(&span)
    {
        spans.push(span);
    }
    spans.sort();
    spans.dedup();
    spans
}

/// The spans to replace to rename the name at `offset` to `new_name`, or why
/// it cannot be renamed.
pub fn rename(workspace: &Workspace, file: SourceFile, offset: u32, new_name: &str) -> Result<Vec<Span>, String> {
    let name = name_at(workspace, file, offset).ok_or("there is no name here to rename")?;
    let old_upper = workspace
        .file_text(name.span.file)
        .get(name.span.range())
        .and_then(|t| t.chars().next())
        .is_some_and(char::is_uppercase);
    let (tokens, errors) = min_syntax::lexer::lex(FileId(0), new_name);
    let valid = errors.is_empty()
        && tokens.len() == 1
        && matches!(&tokens[0].1, min_syntax::token::Tok::Lower(_) | min_syntax::token::Tok::Upper(_));
    if !valid {
        return Err(format!("`{new_name}` is not a Min name"));
    }
    let new_upper = new_name.chars().next().is_some_and(char::is_uppercase);
    if old_upper != new_upper {
        return Err(
            "a value's name starts lowercase and a constructor's uppercase; keep the case of the first letter".into()
        );
    }
    if matches!(name.target, Target::Prim(_)) {
        return Err("primitives cannot be renamed".into());
    }
    if let Some(clash) = rename_clash(workspace, file, &name, new_name) {
        return Err(clash);
    }
    let spans = references(workspace, file, offset, true);
    let stdlib = spans.iter().any(|span| workspace.file(span.file).is_some_and(|f| workspace.is_stdlib(f)));
    if stdlib {
        return Err("this name is defined in the standard library".into());
    }
    Ok(spans)
}

/// Why renaming `name` to `new_name` would change what other names mean:
/// the module already defines `new_name`, or (for a local) `new_name` is
/// bound in the same definition.
fn rename_clash(workspace: &Workspace, file: SourceFile, name: &NameInfo, new_name: &str) -> Option<String> {
    let text_of = |span: Span| workspace.file_text(span.file).get(span.range()).unwrap_or("").to_string();
    if text_of(name.span) == new_name {
        return None;
    }
    match &name.target {
        Target::Global(qualified) | Target::Constructor(qualified, _) | Target::Type(qualified) => {
            let (module, _) = qualified.rsplit_once('.')?;
            let interface = workspace.interface_of(module)?;
            let taken = interface.values.contains_key(new_name)
                || interface.types.contains_key(new_name)
                || interface.types.values().any(|adt| adt.constructor_index(new_name).is_some());
            taken.then(|| format!("`{module}` already defines `{new_name}`"))
        }
        Target::Local(binding) => {
            let def = workspace
                .syntax(file)
                .defs
                .iter()
                .find(|def| def.span.start <= binding.start && binding.end <= def.span.end)?
                .span;
            let taken = workspace.check(file).names.iter().any(|other| {
                other.definition
                    && matches!(other.target, Target::Local(_))
                    && other.span.start >= def.start
                    && other.span.end <= def.end
                    && text_of(other.span) == new_name
            });
            taken.then(|| format!("`{new_name}` is already bound in this definition"))
        }
        Target::Prim(_) => None,
    }
}

/// The outline of a file: its types (with constructors and fields), its definitions and its tests.
pub fn document_symbols(workspace: &Workspace, file: SourceFile) -> Vec<Symbol> {
    let syntax = workspace.syntax(file);
    let checked = workspace.check(file);
    let types_by_span: std::collections::HashMap<Span, &crate::types::Type> =
        checked.names.iter().filter(|n| n.definition).map(|n| (n.span, &n.ty)).collect();
    let mut symbols: Vec<Symbol> = Vec::new();
    for def in &syntax.types {
        symbols.push(type_symbol(def));
    }
    for def in &syntax.defs {
        let detail = types_by_span.get(&def.name.span).map(|ty| show(ty)).unwrap_or_default();
        let function = def.rules || def.clauses.first().is_some_and(|c| !c.patterns.is_empty());
        symbols.push(Symbol {
            name: def.name.text.clone(),
            kind: if function { SymbolKind::Function } else { SymbolKind::Value },
            detail,
            span: def.span,
            name_span: def.name.span,
            children: Vec::new(),
        });
    }
    for test in &syntax.tests {
        symbols.push(Symbol {
            name: format!("test \"{}\"", test.name),
            kind: SymbolKind::Function,
            detail: "test".to_string(),
            span: test.span,
            name_span: test.name_span,
            children: Vec::new(),
        });
    }
    symbols.sort_by_key(|symbol| symbol.span.start);
    symbols
}

fn type_symbol(def: &ast::TypeDef) -> Symbol {
    let field_symbols = |fields: &[ast::Field]| -> Vec<Symbol> {
        fields
            .iter()
            .filter_map(|field| {
                let name = field.name.as_ref()?;
                Some(Symbol {
                    name: name.text.clone(),
                    kind: SymbolKind::Field,
                    detail: String::new(),
                    span: name.span.to(field.ty.span),
                    name_span: name.span,
                    children: Vec::new(),
                })
            })
            .collect()
    };
    let (kind, children) = match &def.body {
        TypeBody::Variants(variants) => (
            SymbolKind::Type,
            variants
                .iter()
                .map(|variant| Symbol {
                    name: variant.name.text.clone(),
                    kind: SymbolKind::Constructor,
                    detail: String::new(),
                    span: variant.span,
                    name_span: variant.name.span,
                    children: field_symbols(&variant.fields),
                })
                .collect(),
        ),
        TypeBody::Record(fields) => (SymbolKind::Record, field_symbols(fields)),
    };
    Symbol {
        name: def.name.text.clone(),
        kind,
        detail: String::new(),
        span: def.span,
        name_span: def.name.span,
        children,
    }
}

/// Top-level definitions and types of the workspace's own files whose name contains `query`.
pub fn workspace_symbols(workspace: &Workspace, query: &str) -> Vec<Symbol> {
    let query = query.to_lowercase();
    let mut found = Vec::new();
    let mut pending: Vec<Symbol> = workspace
        .files()
        .filter(|&file| !workspace.is_stdlib(file))
        .flat_map(|file| document_symbols(workspace, file))
        .collect();
    // Constructors and fields are found too, each on its own.
    while let Some(mut symbol) = pending.pop() {
        pending.append(&mut symbol.children);
        if symbol.name.to_lowercase().contains(&query) {
            found.push(symbol);
        }
    }
    found.sort_by_key(|symbol| (symbol.span.file, symbol.span.start));
    found
}

const KEYWORDS: &[&str] = &[
    "import",
    "asset",
    "object",
    "event",
    "procedure",
    "let",
    "in",
    "if",
    "then",
    "else",
    "match",
    "Tag",
    "Record",
    "true",
    "false",
];

/// What can be written at `offset`: locals bound before it in the same
/// definition, the module's definitions and types, imported names, and
/// after `Module.`, that module's names.
pub fn completions(workspace: &Workspace, file: SourceFile, offset: u32) -> Vec<Completion> {
    let text = workspace.file_text(file.id(workspace.db()));
    let before = text.get(..offset as usize).unwrap_or("");
    let word_start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    if let Some(qualifier) = before[..word_start].strip_suffix('.') {
        let module_start = qualifier.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
        return module_completions(workspace, file, &qualifier[module_start..]);
    }
    let mut out: Vec<Completion> = Vec::new();
    let checked = workspace.check(file);
    let syntax = workspace.syntax(file);
    if let Some(def) = syntax.defs.iter().find(|def| def.span.start <= offset && offset <= def.span.end) {
        for name in checked.names.iter().filter(|n| {
            n.definition
                && matches!(n.target, Target::Local(_))
                && n.span.start >= def.span.start
                && n.span.end <= offset
        }) {
            let label = text.get(name.span.range()).unwrap_or("").to_string();
            out.push(Completion {
                label,
                kind: SymbolKind::Local,
                detail: show(&name.ty),
                documentation: String::new(),
            });
        }
    }
    let own = &checked.interface;
    add_interface(&mut out, own, true);
    let interfaces = |module: &str| workspace.interface_of(module);
    if let Some(prelude) = interfaces(crate::db::PRELUDE) {
        add_interface(&mut out, prelude, true);
    }
    for import in &syntax.imports {
        match &import.names {
            ast::ImportNames::All => {
                if let Some(interface) = interfaces(&import.module.text) {
                    add_interface(&mut out, interface, true);
                }
            }
            ast::ImportNames::Some(names) => {
                if let Some(interface) = interfaces(&import.module.text) {
                    for name in names {
                        if let Some(value) = interface.values.get(&name.text) {
                            out.push(Completion {
                                label: name.text.clone(),
                                kind: SymbolKind::Function,
                                detail: crate::types::TypePrinter::default().show(&value.scheme.ty),
                                documentation: value.doc.clone(),
                            });
                        }
                    }
                }
            }
            ast::ImportNames::Qualified => {}
        }
        out.push(Completion {
            label: import.module.text.clone(),
            kind: SymbolKind::Module,
            detail: String::new(),
            documentation: String::new(),
        });
    }
    for keyword in KEYWORDS {
        out.push(Completion {
            label: keyword.to_string(),
            kind: SymbolKind::Keyword,
            detail: String::new(),
            documentation: String::new(),
        });
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|completion| seen.insert(completion.label.clone()));
    out
}

/// Adds an interface's definitions, types and constructors.
fn add_interface(out: &mut Vec<Completion>, interface: &Interface, documentation_of_types: bool) {
    for (name, value) in &interface.values {
        let shown = crate::types::TypePrinter::default().show(&value.scheme.ty);
        let function = matches!(value.scheme.ty, crate::types::Type::Fun(..));
        out.push(Completion {
            label: name.clone(),
            kind: if function { SymbolKind::Function } else { SymbolKind::Value },
            detail: shown,
            documentation: value.doc.clone(),
        });
    }
    for (name, adt) in &interface.types {
        let kind = if adt.record { SymbolKind::Record } else { SymbolKind::Type };
        let documentation = if documentation_of_types { adt.doc.clone() } else { String::new() };
        out.push(Completion { label: name.clone(), kind, detail: String::new(), documentation });
        for constructor in adt.constructors.iter().filter(|_| !adt.record) {
            out.push(Completion {
                label: constructor.name.clone(),
                kind: SymbolKind::Constructor,
                detail: name.clone(),
                documentation: String::new(),
            });
        }
    }
}

fn module_completions(workspace: &Workspace, file: SourceFile, module: &str) -> Vec<Completion> {
    if module == "Prim" {
        return min_core::Prim::ALL
            .iter()
            .filter(|(_, prim)| prim.is_public())
            .map(|(name, prim)| Completion {
                label: name.to_string(),
                kind: SymbolKind::Function,
                detail: crate::types::TypePrinter::default().show(&crate::check::prim_type(*prim)),
                documentation: String::new(),
            })
            .collect();
    }
    let imported = workspace.syntax(file).imports.iter().any(|import| import.module.text == module);
    let Some(interface) = workspace.interface_of(module).filter(|_| imported || module == crate::db::PRELUDE) else {
        return Vec::new();
    };
    let mut out: Vec<Completion> = interface
        .values
        .iter()
        .map(|(name, value)| Completion {
            label: name.clone(),
            kind: if matches!(value.scheme.ty, crate::types::Type::Fun(..)) {
                SymbolKind::Function
            } else {
                SymbolKind::Value
            },
            detail: crate::types::TypePrinter::default().show(&value.scheme.ty),
            documentation: value.doc.clone(),
        })
        .collect();
    for adt in interface.types.values().filter(|adt| !adt.record) {
        for constructor in &adt.constructors {
            out.push(Completion {
                label: constructor.name.clone(),
                kind: SymbolKind::Constructor,
                detail: crate::types::short_name(&adt.qualified).to_string(),
                documentation: String::new(),
            });
        }
    }
    out
}

/// A type shown after a name whose type is inferred, not written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where the hint goes: right after the name.
    pub offset: u32,
    /// The text, `: ℝ → ℝ`.
    pub label: String,
}

/// Types for the definitions written without a signature, top-level and
/// local, whose names lie in `start..end`.
pub fn inlay_hints(workspace: &Workspace, file: SourceFile, start: u32, end: u32) -> Vec<InlayHint> {
    let checked = workspace.check(file);
    let types: std::collections::HashMap<Span, &crate::types::Type> =
        checked.names.iter().filter(|n| n.definition).map(|n| (n.span, &n.ty)).collect();
    let mut unsigned: Vec<Span> = Vec::new();
    for def in &workspace.syntax(file).defs {
        collect_unsigned(def, &mut unsigned);
    }
    unsigned
        .into_iter()
        .filter(|span| span.start >= start && span.end <= end)
        .filter_map(|span| types.get(&span).map(|ty| InlayHint { offset: span.end, label: format!(": {}", show(ty)) }))
        .collect()
}

/// The names of `def` and of the definitions nested in it that have no signature.
fn collect_unsigned(def: &ast::Def, out: &mut Vec<Span>) {
    if def.signature.is_none() {
        out.push(def.name.span);
    }
    for clause in &def.clauses {
        collect_unsigned_in(&clause.body, out);
    }
}

fn collect_unsigned_in(expr: &ast::Expr, out: &mut Vec<Span>) {
    if let ast::ExprKind::Let(defs, _) | ast::ExprKind::Where(_, defs) = &expr.kind {
        out.extend(defs.iter().filter(|def| def.signature.is_none()).map(|def| def.name.span));
    }
    // The children include the bodies of the local definitions.
    for child in expr.children() {
        collect_unsigned_in(child, out);
    }
}

/// What a token is, for semantic highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `if`, `match`, `Tag`, …
    Keyword,
    /// A top-level definition that takes parameters, or a primitive.
    Function,
    /// A top-level value.
    Value,
    /// A parameter or local binding.
    Local,
    /// A type name.
    Type,
    /// A constructor.
    Constructor,
    /// A module qualifier.
    Module,
    /// A number literal.
    Number,
    /// A string or character literal.
    String,
    /// An operator.
    Operator,
}

/// Every token of `file` that has a meaning worth colouring, in order, with
/// whether it is where the name is defined.
pub fn semantic_tokens(workspace: &Workspace, file: SourceFile) -> Vec<(Span, TokenKind, bool)> {
    use min_syntax::token::Tok;
    let id = file.id(workspace.db());
    let text = workspace.file_text(id);
    let checked = workspace.check(file);
    let names: std::collections::HashMap<(u32, u32), &NameInfo> =
        checked.names.iter().filter(|n| n.span.file == id).map(|n| ((n.span.start, n.span.end), n)).collect();
    let (tokens, _) = min_syntax::lexer::lex(id, text);
    let mut out = Vec::with_capacity(tokens.len());
    for (index, (start, tok, end)) in tokens.iter().enumerate() {
        let span = Span::new(id, *start, *end);
        let next_is_dot = matches!(tokens.get(index + 1), Some((_, Tok::Dot, _)));
        let kind = match tok {
            Tok::Lower(_) | Tok::Upper(_) => match names.get(&(span.start, span.end)) {
                Some(name) => {
                    let kind = match &name.target {
                        Target::Local(_) => TokenKind::Local,
                        Target::Global(_) if matches!(name.ty, crate::types::Type::Fun(..)) => TokenKind::Function,
                        Target::Global(_) => TokenKind::Value,
                        Target::Constructor(..) => TokenKind::Constructor,
                        Target::Type(_) => TokenKind::Type,
                        Target::Prim(_) => TokenKind::Function,
                    };
                    out.push((span, kind, name.definition));
                    continue;
                }
                None if matches!(tok, Tok::Upper(_)) && next_is_dot => TokenKind::Module,
                None if matches!(tok, Tok::Upper(_)) => TokenKind::Type,
                None => continue,
            },
            Tok::Int(_) | Tok::Real(_) => TokenKind::Number,
            Tok::Str(_) | Tok::Char(_) => TokenKind::String,
            Tok::Import
            | Tok::Asset
            | Tok::Object
            | Tok::Event
            | Tok::Procedure
            | Tok::Let
            | Tok::In
            | Tok::If
            | Tok::Then
            | Tok::Else
            | Tok::Match
            | Tok::Tag
            | Tok::Record
            | Tok::True
            | Tok::False
            | Tok::Lambda => TokenKind::Keyword,
            Tok::Op(..) | Tok::Neg | Tok::Sqrt | Tok::Not | Tok::Sup(_) | Tok::Caret | Tok::Arrow | Tok::At => {
                TokenKind::Operator
            }
            _ => continue,
        };
        out.push((span, kind, false));
    }
    out
}

/// The signature of the function being applied at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureHelp {
    /// `name : A → B → C`.
    pub label: String,
    /// Where each parameter's type is in `label` (character offsets).
    pub parameters: Vec<(u32, u32)>,
    /// The parameter the cursor is at.
    pub active: u32,
    /// The function's documentation.
    pub documentation: String,
}

/// In `f a b|`, the signature of `f` with the parameter the cursor is at.
pub fn signature_help(workspace: &Workspace, file: SourceFile, offset: u32) -> Option<SignatureHelp> {
    let syntax = workspace.syntax(file);
    let text = workspace.file_text(file.id(workspace.db()));
    // The cursor may sit in blanks after the last argument written so far.
    let reaches = |span: Span| {
        span.start <= offset
            && (offset <= span.end
                || text
                    .get(span.end as usize..offset as usize)
                    .is_some_and(|gap| gap.trim().is_empty() && !gap.contains('\n')))
    };
    let def = syntax.defs.iter().find(|def| reaches(def.span))?;
    let mut innermost: Option<&[ast::Expr]> = None;
    let mut pending: Vec<&ast::Expr> = def.clauses.iter().map(|clause| &clause.body).collect();
    while let Some(expr) = pending.pop() {
        if !reaches(expr.span) {
            continue;
        }
        if let ast::ExprKind::Juxtaposition(items) = &expr.kind
            && matches!(items[0].kind, ast::ExprKind::Path(_))
        {
            innermost = Some(items);
        }
        pending.extend(expr.children());
    }
    let items = innermost?;
    let head = &items[0];
    let name = name_at(workspace, file, head.span.end.saturating_sub(1))?;
    let mut params: Vec<String> = Vec::new();
    let mut ty = &name.ty;
    while let crate::types::Type::Fun(param, result) = ty {
        params.push(show(param));
        ty = result;
    }
    if params.is_empty() {
        return None;
    }
    let written = workspace.file_text(name.span.file).get(name.span.range()).unwrap_or("").to_string();
    let mut label = format!("{written} : ");
    let mut parameters = Vec::new();
    for param in &params {
        let start = label.chars().count() as u32;
        label.push_str(param);
        parameters.push((start, label.chars().count() as u32));
        label.push_str(" → ");
    }
    label.push_str(&show(ty));
    // The argument the cursor touches, or else the next one to write.
    let arguments = &items[1..];
    let active = arguments
        .iter()
        .position(|argument| argument.span.start <= offset && offset <= argument.span.end)
        .unwrap_or_else(|| arguments.iter().filter(|argument| argument.span.end < offset).count())
        .min(params.len() - 1) as u32;
    let documentation = match &name.target {
        Target::Global(qualified) => global_doc(workspace, qualified).unwrap_or_default(),
        _ => String::new(),
    };
    Some(SignatureHelp { label, parameters, active, documentation })
}

/// A definition that `minc run` can run: its name, where it is written,
/// and how many arguments it takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runnable {
    /// The name in the definition.
    pub name_span: Span,
    /// The definition's name.
    pub name: String,
    /// How many arguments its type takes.
    pub arguments: u32,
}

/// The top-level definitions of a file that has no errors, for "Run" lenses.
pub fn runnables(workspace: &Workspace, file: SourceFile) -> Vec<Runnable> {
    let checked = workspace.check(file);
    if checked.diagnostics.iter().any(|d| d.is_error()) {
        return Vec::new();
    }
    workspace
        .syntax(file)
        .defs
        .iter()
        .filter_map(|def| {
            let value = checked.interface.values.get(&def.name.text)?;
            let mut arguments = 0;
            let mut ty = &value.scheme.ty;
            while let crate::types::Type::Fun(_, result) = ty {
                arguments += 1;
                ty = result;
            }
            Some(Runnable { name_span: def.name.span, name: def.name.text.clone(), arguments })
        })
        .collect()
}
