//! Byte offsets, which the analysis speaks, against LSP positions, which
//! count lines and then code units of the negotiated encoding within a line.
//!
//! Min source is full of characters outside ASCII (`σ φ ℝ → √ ²`) and some
//! outside the Basic Multilingual Plane (`𝔹`), so the three counts differ on
//! most lines: `𝔹` is four bytes, two UTF-16 units and one character.
//!
//! Conversions never fail. An offset past the end, or inside a character,
//! moves back to the nearest character boundary; a position past the end of
//! its line moves to the line's end, and one past the last line to the end of
//! the text, as the protocol asks.

use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

/// How the `character` of a position counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Bytes of UTF-8, the same unit as the analysis's offsets.
    Utf8,
    /// Code units of UTF-16, the protocol's default.
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion work at all), else
    /// UTF-16, which every client must understand.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if utf8 { Encoding::Utf8 } else { Encoding::Utf16 }
    }

    /// The name of this encoding in the protocol.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// The start of every line of a text, for converting many offsets of the
/// same text. Lines end with `\n`, `\r\n` or a lone `\r`, as in the protocol.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// The byte offset where each line starts; the first is 0.
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                line_starts.push(i + 1);
            }
        }
        LineIndex { text, line_starts }
    }

    /// The position of byte `offset`, clamped to the text and moved back to
    /// a character boundary. An offset inside a line break is its line's end.
    pub fn position(&self, offset: u32, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(self.text, offset as usize);
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = self.line_starts[line];
        let end = offset.min(self.content_end(line));
        let character = self.text[start..end].chars().map(|c| encoding.units(c)).sum();
        Position { line: line as u32, character }
    }

    /// The byte offset of `position`, always a character boundary of the text.
    pub fn offset(&self, position: Position, encoding: Encoding) -> u32 {
        let line = position.line as usize;
        let Some(&start) = self.line_starts.get(line) else { return self.text.len() as u32 };
        let content = &self.text[start..self.content_end(line)];
        let mut counted = 0;
        for (i, c) in content.char_indices() {
            let next = counted + encoding.units(c);
            if next > position.character {
                // The position is before this character or inside it (half a
                // surrogate pair, or bytes in the middle of a UTF-8 sequence).
                return (start + i) as u32;
            }
            counted = next;
        }
        (start + content.len()) as u32
    }

    /// The range covering bytes `start..end`.
    pub fn range(&self, start: u32, end: u32, encoding: Encoding) -> Range {
        Range { start: self.position(start, encoding), end: self.position(end.max(start), encoding) }
    }

    /// The byte offset where `line`'s content ends, before its line break.
    fn content_end(&self, line: usize) -> usize {
        let Some(&next) = self.line_starts.get(line + 1) else { return self.text.len() };
        let bytes = self.text.as_bytes();
        if next >= 2 && bytes[next - 1] == b'\n' && bytes[next - 2] == b'\r' { next - 2 } else { next - 1 }
    }
}

/// The largest character boundary of `text` at or before `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    /// A line of the Black–Scholes example: `σ` is two bytes and one UTF-16 unit.
    const SIGMA: &str = "  d1 = d0 / σ √t\n";

    #[test]
    fn ascii_is_the_same_in_both_encodings() {
        let index = LineIndex::new("ab\ncd");
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            assert_eq!(index.position(0, encoding), pos(0, 0));
            assert_eq!(index.position(2, encoding), pos(0, 2));
            assert_eq!(index.position(3, encoding), pos(1, 0));
            assert_eq!(index.position(5, encoding), pos(1, 2));
            assert_eq!(index.offset(pos(1, 1), encoding), 4);
        }
    }

    #[test]
    fn two_byte_and_three_byte_characters() {
        let index = LineIndex::new(SIGMA);
        let t = SIGMA.find('t').expect("t") as u32;
        // `σ` is 2 bytes, `√` is 3 bytes; each one UTF-16 unit.
        assert_eq!(index.position(t, Encoding::Utf8), pos(0, t));
        assert_eq!(index.position(t, Encoding::Utf16), pos(0, t - 1 - 2));
        assert_eq!(index.offset(pos(0, t - 3), Encoding::Utf16), t);
        assert_eq!(index.offset(pos(0, t), Encoding::Utf8), t);
    }

    #[test]
    fn astral_characters_are_two_utf16_units() {
        let text = "x : 𝔹 = a";
        let index = LineIndex::new(text);
        let equals = text.find('=').expect("=") as u32;
        assert_eq!(equals, 9, "𝔹 is four bytes");
        assert_eq!(index.position(equals, Encoding::Utf16), pos(0, 7));
        assert_eq!(index.position(equals, Encoding::Utf8), pos(0, 9));
        assert_eq!(index.offset(pos(0, 7), Encoding::Utf16), equals);
        // The middle of the surrogate pair falls back to the start of `𝔹`.
        assert_eq!(index.offset(pos(0, 5), Encoding::Utf16), 4);
        // So do bytes in the middle of its UTF-8 sequence.
        for inside in 5..8 {
            assert_eq!(index.offset(pos(0, inside), Encoding::Utf8), 4);
            assert_eq!(index.position(inside, Encoding::Utf8), pos(0, 4));
        }
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let index = LineIndex::new("σ\nτ");
        assert_eq!(index.position(1000, Encoding::Utf16), pos(1, 1));
        assert_eq!(index.position(u32::MAX, Encoding::Utf8), pos(1, 2));
        assert_eq!(index.offset(pos(1, 1000), Encoding::Utf16), 5);
        assert_eq!(index.offset(pos(0, 1000), Encoding::Utf16), 2, "the end of line 0, before its break");
        assert_eq!(index.offset(pos(7, 0), Encoding::Utf16), 5);
        assert_eq!(index.offset(pos(u32::MAX, u32::MAX), Encoding::Utf8), 5);
    }

    #[test]
    fn empty_text_has_one_empty_line() {
        let index = LineIndex::new("");
        assert_eq!(index.position(0, Encoding::Utf16), pos(0, 0));
        assert_eq!(index.position(3, Encoding::Utf16), pos(0, 0));
        assert_eq!(index.offset(pos(0, 3), Encoding::Utf16), 0);
        assert_eq!(index.offset(pos(2, 0), Encoding::Utf8), 0);
    }

    #[test]
    fn every_kind_of_line_break_ends_a_line() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.position(3, Encoding::Utf16), pos(1, 0));
        assert_eq!(index.position(5, Encoding::Utf16), pos(2, 0));
        assert_eq!(index.position(7, Encoding::Utf16), pos(3, 0));
        // Between `\r` and `\n` is still the end of line 0.
        assert_eq!(index.position(2, Encoding::Utf16), pos(0, 1));
        assert_eq!(index.offset(pos(0, 5), Encoding::Utf16), 1);
        assert_eq!(index.offset(pos(1, 5), Encoding::Utf16), 4);
        assert_eq!(index.offset(pos(3, 1), Encoding::Utf16), 8);
    }

    #[test]
    fn a_text_ending_with_a_line_break_has_an_empty_last_line() {
        let index = LineIndex::new("ℝ\n");
        assert_eq!(index.position(4, Encoding::Utf16), pos(1, 0));
        assert_eq!(index.offset(pos(1, 0), Encoding::Utf16), 4);
    }

    #[test]
    fn ranges_never_end_before_they_start() {
        let index = LineIndex::new("φ = Normal.cdf");
        let range = index.range(4, 2, Encoding::Utf16);
        assert_eq!(range.start, range.end);
        assert_eq!(index.range(0, 2, Encoding::Utf16), Range { start: pos(0, 0), end: pos(0, 1) });
    }

    #[test]
    fn negotiation_prefers_utf8_and_falls_back_to_utf16() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        assert_eq!(Encoding::negotiate(Some(&[PositionEncodingKind::UTF32])), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(Some(&[])), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(Encoding::Utf8.kind(), PositionEncodingKind::UTF8);
    }

    /// Text with many line breaks and characters of every UTF-8 length.
    fn text() -> impl Strategy<Value = String> {
        let interesting =
            prop_oneof![Just('\n'), Just('\r'), Just('σ'), Just('→'), Just('√'), Just('²'), Just('𝔹'), Just('a'),];
        proptest::collection::vec(prop_oneof![any::<char>(), interesting], 0..48)
            .prop_map(|chars| chars.into_iter().collect())
    }

    /// Whether `offset` is a character boundary that is not between the
    /// `\r` and `\n` of a line break (which has no position of its own).
    fn addressable(text: &str, offset: usize) -> bool {
        text.is_char_boundary(offset) && !(text[..offset].ends_with('\r') && text[offset..].starts_with('\n'))
    }

    proptest! {
        #[test]
        fn offset_to_position_and_back_is_the_identity(text in text()) {
            let index = LineIndex::new(&text);
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                for offset in (0..=text.len()).filter(|&o| addressable(&text, o)) {
                    let position = index.position(offset as u32, encoding);
                    prop_assert_eq!(index.offset(position, encoding), offset as u32, "{:?} {:?}", encoding, position);
                }
            }
        }

        #[test]
        fn utf16_columns_count_what_javascript_counts(text in text()) {
            let index = LineIndex::new(&text);
            for offset in (0..=text.len()).filter(|&o| addressable(&text, o)) {
                let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                let expected = text[line_start..offset].encode_utf16().count() as u32;
                prop_assert_eq!(index.position(offset as u32, Encoding::Utf16).character, expected);
            }
        }

        #[test]
        fn positions_grow_with_offsets(text in text()) {
            let index = LineIndex::new(&text);
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let positions: Vec<Position> = (0..=text.len() as u32 + 2).map(|o| index.position(o, encoding)).collect();
                prop_assert!(positions.windows(2).all(|pair| pair[0] <= pair[1]));
            }
        }

        #[test]
        fn any_position_lands_on_a_character_boundary(text in text(), line in 0u32..8, character in 0u32..64) {
            let index = LineIndex::new(&text);
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                let offset = index.offset(Position { line, character }, encoding) as usize;
                prop_assert!(offset <= text.len() && text.is_char_boundary(offset));
                let back = index.position(offset as u32, encoding);
                prop_assert!(back.line < line || (back.line == line && back.character <= character) || line as usize >= index.line_starts.len());
            }
        }
    }
}
