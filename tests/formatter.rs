//! `minc fmt` on every example and standard module: formatting twice
//! changes nothing more, and the formatted program checks to the same
//! definitions with the same types.

use min_analysis::Workspace;
use min_syntax::format::format;
use min_tests::{cases_in, relative, root};

#[test]
fn formatting_is_idempotent_and_keeps_the_program() {
    let mut failures = Vec::new();
    let mut workspace = Workspace::new();
    for folder in ["examples", "examples/calls", "stdlib"] {
        for path in cases_in(&root().join(folder)) {
            let text = std::fs::read_to_string(&path).expect("read");
            let formatted = format(&text).unwrap_or_else(|_| panic!("{} formats", relative(&path)));
            if formatted != text {
                failures.push(format!("{}: not formatted (run `minc fmt` on it)", relative(&path)));
            }
            if format(&formatted).as_ref() != Ok(&formatted) {
                failures.push(format!("{}: formatting twice changes it again", relative(&path)));
            }
            let original = workspace.add_file(&format!("original/{}", relative(&path)), text);
            let reformatted = workspace.add_file(&format!("formatted/{}", relative(&path)), formatted);
            let types = |file| -> Vec<(String, String)> {
                workspace
                    .check(file)
                    .interface
                    .values
                    .iter()
                    .map(|(name, value)| {
                        (name.clone(), min_analysis::types::TypePrinter::default().show(&value.scheme.ty))
                    })
                    .collect()
            };
            if types(original) != types(reformatted) {
                failures.push(format!("{}: the formatted program has other types", relative(&path)));
            }
            if workspace.diagnostics(reformatted).len() != workspace.diagnostics(original).len() {
                failures.push(format!("{}: the formatted program has other diagnostics", relative(&path)));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
