//! The standard library's sources, built into the compiler so that `minc`
//! works from any directory.

/// Every standard module: name and source.
pub const MODULES: &[(&str, &str)] = &[
    ("Prelude", include_str!("../../../stdlib/Prelude.min")),
    ("List", include_str!("../../../stdlib/List.min")),
    ("Option", include_str!("../../../stdlib/Option.min")),
    ("Result", include_str!("../../../stdlib/Result.min")),
    ("String", include_str!("../../../stdlib/String.min")),
    ("Math", include_str!("../../../stdlib/Math.min")),
    ("Normal", include_str!("../../../stdlib/Normal.min")),
];
