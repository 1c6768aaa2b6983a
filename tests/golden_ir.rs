//! Every `tests/ir/*.min` is lowered to the core IR; its text (as
//! `minc build --emit ir` prints it) must equal the `.ir` file beside it.

#[test]
fn core_ir_matches_its_golden_files() {
    min_tests::check_rendered_goldens("ir", "ir", |workspace, file| {
        min_core::module_to_string(&workspace.check(file).core)
    });
}
