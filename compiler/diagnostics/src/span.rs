/// Identifies one source file of a compilation. The database that loaded the
/// file knows its path and text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct FileId(pub u32);

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Span {
    /// The file the range is in.
    pub file: FileId,
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// The range `start..end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span { file, start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The span `by` bytes later in its file, wrapping: a shift by
    /// `0u32.wrapping_sub(n)` moves it `n` bytes earlier.
    pub fn shifted(self, by: u32) -> Span {
        Span { file: self.file, start: self.start.wrapping_add(by), end: self.end.wrapping_add(by) }
    }

    /// The empty span at the end of `self`.
    pub fn end_point(self) -> Span {
        Span { file: self.file, start: self.end, end: self.end }
    }

    /// The byte range, for slicing the source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether `offset` lies inside the span (end inclusive, so a cursor just
    /// after an identifier still touches it).
    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset <= self.end
    }
}
