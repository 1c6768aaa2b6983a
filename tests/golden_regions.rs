//! Every `tests/regions/*.min`, annotated with the ownership of each
//! parameter and the region of each allocation (as `minc build --emit
//! regions` prints it), must equal the `.regions` file beside it.

#[test]
fn region_annotations_match_their_golden_files() {
    min_tests::check_rendered_goldens("regions", "regions", minc::regions::annotate);
}
