//! A module with each item's spans counted from the item's own start, the
//! items laid out one per fixed-size stride: the same items in the same
//! order give an equal module wherever they sit in the file, so an edit
//! that only moves items (an insertion above them) leaves it equal. An
//! [`ItemLayout`] puts the spans of anything computed from such a module
//! back where they are in the file.

use crate::ast::{Def, Module, Test, TypeDef};
use crate::shift::Shift;
use min_diagnostics::{FileId, Span};

/// Where each item of a module laid out by [`by_items`] really starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemLayout {
    /// The file whose spans it places.
    file: FileId,
    /// Item `k` is laid out from `k << bits`.
    bits: u32,
    /// Where item `k` starts in the file.
    starts: Vec<u32>,
}

impl ItemLayout {
    /// `span`, of the module laid out by items, where it is in the file;
    /// a span of another file is left alone.
    pub fn place(&self, span: Span) -> Span {
        if span.file != self.file {
            return span;
        }
        let at = |position: u32| {
            let item = (position >> self.bits) as usize;
            let start = self.starts.get(item).copied().unwrap_or(0);
            start.wrapping_add(position & ((1u32 << self.bits) - 1))
        };
        Span { file: span.file, start: at(span.start), end: at(span.end) }
    }
}

/// `module`, of a file `text_len` bytes long, with each import, type,
/// definition and test counted from its own start and laid out one per
/// stride (a power of two above the longest item), in the order they
/// start; and where each really starts. The module unchanged and no
/// layout when the strides would not fit in a span's 32 bits.
pub fn by_items(mut module: Module, text_len: usize) -> (Module, Option<ItemLayout>) {
    match layout_of(&module, text_len) {
        Some(layout) => {
            lay_out(&mut module, &layout);
            (module, Some(layout))
        }
        None => (module, None),
    }
}

/// Where each item of `module` starts, and the stride that fits them all.
fn layout_of(module: &Module, text_len: usize) -> Option<ItemLayout> {
    let mut starts: Vec<u32> = Vec::new();
    starts.extend(module.imports.iter().map(|import| import.span.start));
    starts.extend(module.types.iter().map(TypeDef::start));
    starts.extend(module.defs.iter().map(Def::start));
    starts.extend(module.tests.iter().map(Test::start));
    starts.sort_unstable();
    starts.dedup();
    // Each item's text runs to the next one's start (the last one's to the
    // end of the file), so its spans lie within that length.
    let ends = starts.iter().skip(1).copied().chain(std::iter::once(u32::try_from(text_len).ok()?));
    let longest = starts.iter().zip(ends).map(|(start, end)| end.saturating_sub(*start)).max().unwrap_or(0);
    let stride = u64::from(longest).checked_add(1)?.next_power_of_two();
    if stride.checked_mul(starts.len() as u64 + 1)? > u64::from(u32::MAX) {
        return None;
    }
    Some(ItemLayout { file: module.file, bits: stride.trailing_zeros(), starts })
}

/// Moves each item of `module` to its stride in `layout`.
fn lay_out(module: &mut Module, layout: &ItemLayout) {
    let moved = |start: u32| {
        let item = layout.starts.binary_search(&start).unwrap_or_else(|at| at) as u32;
        (item << layout.bits).wrapping_sub(start)
    };
    for import in &mut module.imports {
        import.shift(moved(import.span.start));
    }
    for def in &mut module.types {
        def.shift(moved(def.start()));
    }
    for def in &mut module.defs {
        def.shift(moved(def.start()));
    }
    for test in &mut module.tests {
        test.shift(moved(test.start()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_module;

    const TEXT: &str = "import List\n\nShape = Tag\n  Circle r:ℝ\n  Dot\n\narea : Shape → ℝ\narea s = match s\n  Circle r → 3.0 r\n  Dot → 0.0\n\nsize xs = List.length xs\n";

    #[test]
    fn moved_items_lay_out_equal_and_their_spans_are_placed_back() {
        let file = FileId(0);
        let longer = TEXT.replace("3.0 r", "3.25 r");
        let (module, _) = parse_module(file, TEXT);
        let (moved, _) = parse_module(file, &longer);
        assert_ne!(module, moved, "the longer body moves `size`");
        let (laid, layout) = by_items(module.clone(), TEXT.len());
        let (laid_moved, layout_moved) = by_items(moved.clone(), longer.len());
        let (layout, layout_moved) = (layout.expect("it fits"), layout_moved.expect("it fits"));
        // `size` is the same item in both, at the same place once laid out.
        assert_eq!(laid.defs[1], laid_moved.defs[1]);
        assert_eq!(laid.types, laid_moved.types);
        assert_ne!(layout, layout_moved);
        // Every laid-out span goes back to where it is in its text.
        for (laid, layout, module, text) in
            [(&laid, &layout, &module, TEXT), (&laid_moved, &layout_moved, &moved, longer.as_str())]
        {
            let placed = layout.place(laid.defs[1].name.span);
            assert_eq!(placed, module.defs[1].name.span);
            assert_eq!(&text[placed.range()], "size");
            assert_eq!(layout.place(laid.types[0].span), module.types[0].span);
            assert_eq!(layout.place(laid.imports[0].span), module.imports[0].span);
        }
        // A span of another file is left alone.
        let other = Span::new(FileId(1), 3, 7);
        assert_eq!(layout.place(other), other);
    }
}
