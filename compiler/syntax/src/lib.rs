//! Min's syntax: the logos lexer, the layout pass that turns indentation
//! into block tokens, the lalrpop grammar, and the syntax tree.
//!
//! Invariant: nothing in this crate panics on any input. Every problem is a
//! [`min_diagnostics::Diagnostic`], and the parser always returns a module
//! holding every item that parsed.

pub mod ast;
mod depth;
pub mod format;
pub mod layout;
mod layout_items;
pub mod lexer;
mod parse;
mod raw;
mod shift;
pub mod test_decl;
pub mod token;

#[allow(clippy::all, unused_parens, unused_imports, dead_code, missing_docs)]
mod grammar {
    lalrpop_util::lalrpop_mod!(grammar, "/grammar.rs");
    pub use grammar::*;
}

pub use depth::DEPTH_LIMIT;
pub use layout_items::{ItemLayout, by_items};
pub use parse::{
    ItemRegion, NESTING_LIMIT, ParsedItem, assemble, item_regions, parse_expression, parse_item, parse_module,
};
pub use shift::def_from_start;
