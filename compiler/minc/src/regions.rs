//! `minc build --emit regions`: the source of a file with what region and
//! ownership inference decided, as `#|` comment lines above each definition.
//!
//! For each parameter: *copied* (a number, boolean, character or unit: a
//! word, never allocated), *moved* (it may reach the result, so it is part
//! of what the function returns), or *borrowed* (read and left to the
//! caller). For the result: built in the caller's region, or a copied word.
//! For each constructor application: the region its value is built in.

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_analysis::types::{Con, Type, TypePrinter};
use min_diagnostics::line_column;
use min_lir::regions::Summaries;
use min_syntax::ast::PatKind;

/// The file's source with the annotations inserted.
pub fn annotate(workspace: &Workspace, file: SourceFile) -> String {
    let program = workspace.program(file);
    let summaries = Summaries::of(&program);
    let checked = workspace.check(file);
    let syntax = workspace.syntax(file);
    let text = workspace.file_text(file.id(workspace.db()));
    let mut notes: Vec<(usize, Vec<String>)> = Vec::new();
    let mut printer = TypePrinter::default();
    for global in &checked.core.globals {
        let Some(value) = checked.interface.values.values().find(|value| value.qualified == global.name) else {
            continue;
        };
        let names: Vec<String> =
            syntax.defs.iter().find(|def| def.span.start == global.span.start).map(parameter_names).unwrap_or_default();
        let (params, result) = value.scheme.ty.parameters_and_result();
        let mut lines = Vec::new();
        if !params.is_empty() {
            let described: Vec<String> = params
                .iter()
                .enumerate()
                .map(|(index, param)| {
                    let name = names.get(index).cloned().unwrap_or_else(|| format!("#{}", index + 1));
                    // Nothing reaches a result that is a single word.
                    let mode = if is_word(param) {
                        "copied"
                    } else if !is_word(result) && summaries.parameter_escapes(&global.name, index) {
                        "moved into the result"
                    } else {
                        "borrowed"
                    };
                    format!("{name} : {} {mode}", printer.show(param))
                })
                .collect();
            lines.push(format!("#| {}", described.join(" · ")));
        }
        lines.push(if is_word(result) {
            format!("#| result : {} copied", printer.show(result))
        } else {
            format!("#| result : {} built in the caller's region", printer.show(result))
        });
        for allocation in summaries.allocations(global) {
            let (line, column) = line_column(text, allocation.span.start as usize);
            let region = if allocation.escapes { "the caller's region" } else { "scratch, freed on return" };
            lines.push(format!("#|   {} at {line}:{column} → {region}", allocation.constructor));
        }
        let line_start = text[..global.span.start as usize].rfind('\n').map_or(0, |newline| newline + 1);
        notes.push((line_start, lines));
    }
    notes.sort_by_key(|(offset, _)| *offset);
    let mut out = String::new();
    let mut copied = 0;
    for (offset, lines) in notes {
        out.push_str(&text[copied..offset]);
        for line in lines {
            out.push_str(&line);
            out.push('\n');
        }
        copied = offset;
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether values of `ty` are single words that are copied, never allocated.
fn is_word(ty: &Type) -> bool {
    matches!(ty, Type::App(Con::Nat | Con::Int | Con::Real | Con::Bool | Con::Char | Con::Tuple(0), _))
}

/// The parameters' names as written, where a definition names them.
fn parameter_names(def: &min_syntax::ast::Def) -> Vec<String> {
    if !def.param_names.is_empty() {
        return def.param_names.iter().map(|name| name.text.clone()).collect();
    }
    let Some(clause) = def.clauses.first().filter(|_| !def.rules) else {
        return Vec::new();
    };
    clause
        .patterns
        .iter()
        .map(|pattern| match &pattern.kind {
            PatKind::Var(name) => name.clone(),
            _ => "_".to_string(),
        })
        .collect()
}
