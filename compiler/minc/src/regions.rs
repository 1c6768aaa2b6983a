//! `minc build --emit regions`: the source of a file with what region and
//! ownership inference decided (`min_analysis::ownership`), as `#|` comment
//! lines above each definition.
//!
//! For each parameter: *copied* (a number, boolean, character or unit: a
//! word, never allocated), *moved into the result* (it may reach the
//! result), *consumed* (a linear value used up without reaching it), or
//! *borrowed* (read and left to the caller). For the result: built in the
//! caller's region, or a copied word. For each constructor application: the
//! region its value is built in.

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use min_analysis::types::TypePrinter;
use min_diagnostics::line_column;

/// The file's source with the annotations inserted.
pub fn annotate(workspace: &Workspace, file: SourceFile) -> String {
    let text = workspace.file_text(file.id(workspace.db()));
    let mut printer = TypePrinter::default();
    let mut notes: Vec<(usize, Vec<String>)> = Vec::new();
    for definition in workspace.ownership(file) {
        let mut lines = Vec::new();
        if !definition.parameters.is_empty() {
            let described: Vec<String> = definition
                .parameters
                .iter()
                .map(|p| format!("{} : {} {}", p.name, printer.show(&p.ty), p.passing.describe()))
                .collect();
            lines.push(format!("#| {}", described.join(" · ")));
        }
        let result = printer.show(&definition.result);
        lines.push(if definition.result_copied {
            format!("#| result : {result} copied")
        } else {
            format!("#| result : {result} built in the caller's region")
        });
        for allocation in &definition.allocations {
            let (line, column) = line_column(text, allocation.span.start as usize);
            let region = if allocation.escapes { "the caller's region" } else { "scratch, freed on return" };
            lines.push(format!("#|   {} at {line}:{column} → {region}", allocation.constructor));
        }
        let line_start = text[..definition.span.start as usize].rfind('\n').map_or(0, |newline| newline + 1);
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
