//! The run-time ABI shared by the lowering, the run-time library and both
//! backends: how a value is a 64-bit word, how heap objects and regions are
//! laid out, and how functions are called.
//!
//! # Values
//!
//! Every Min value is one 64-bit word, NaN-boxed:
//!
//! | top 16 bits | value | low 48 bits |
//! |---|---|---|
//! | `< 0xFFF9` | a real (`ℝ`), the word is its IEEE bits; the only NaN is [`CANONICAL_NAN`] | — |
//! | `0xFFF9` | a heap object | its address |
//! | `0xFFFA` | a small natural | the number, `0 ..= SMALL_NAT_MAX` |
//! | `0xFFFB` | a small integer | the number, two's complement in 48 bits |
//! | `0xFFFC` | a boolean | 0 or 1 |
//! | `0xFFFD` | a character | its scalar value |
//! | `0xFFFE` | an atom | [`UNIT`], [`NIL`], or a constructor without fields |
//! | `0xFFFF` | — | only [`FAIL`] |
//!
//! A natural or integer outside the small range is a [`Kind::BigNat`] or
//! [`Kind::BigInt`] object; a number that fits the small range is never
//! boxed, so equal numbers are equal words.
//!
//! # Heap objects
//!
//! An object is a sequence of 8-byte words at an 8-aligned address. Word 0
//! is the header, [`header`]`(kind, a, b)` (or a [`data_header`]); the rest
//! depends on the kind (see [`Kind`]). Objects are immutable once built.
//!
//! # Regions
//!
//! Objects live in regions. A region is a descriptor of [`REGION_WORDS`]
//! words: `[cursor, limit, chunks]`, where `cursor..limit` is the free part
//! of its current chunk and `chunks` is the run-time library's list of the
//! chunks it owns (0 when none). Allocating `n` bytes bumps `cursor` when
//! `cursor + n <= limit` and otherwise calls [`crate::Helper::RegionGrow`].
//! Freeing a region hands all its chunks back at once
//! ([`crate::Helper::RegionRelease`]); nothing is freed object by object.
//!
//! The descriptors of the regions that calls open live on a stack in memory:
//! the VM variable [`crate::VmVar::RegionTop`] points at the next free
//! descriptor. The static region (for zero-argument globals and the
//! arguments of a run) is [`crate::VmVar::StaticRegion`].
//!
//! # Calls
//!
//! Every generated function takes and returns 64-bit words. Its first two
//! parameters are regions (descriptor addresses): `dest`, where its result
//! is built, and `scratch`, for what it allocates that does not escape.
//! Code reached through a closure takes the closure itself as third
//! parameter. A function that fails records the fault with the run-time
//! library and returns [`FAIL`]; every caller checks and passes it on.

/// How far the tag is shifted.
pub const TAG_SHIFT: u32 = 48;
/// The low 48 bits: the payload of a non-real word.
pub const PAYLOAD_MASK: u64 = (1 << TAG_SHIFT) - 1;

/// Tag of a heap object's address.
pub const TAG_PTR: u64 = 0xFFF9 << TAG_SHIFT;
/// Tag of a small natural.
pub const TAG_NAT: u64 = 0xFFFA << TAG_SHIFT;
/// Tag of a small integer.
pub const TAG_INT: u64 = 0xFFFB << TAG_SHIFT;
/// Tag of a boolean.
pub const TAG_BOOL: u64 = 0xFFFC << TAG_SHIFT;
/// Tag of a character.
pub const TAG_CHAR: u64 = 0xFFFD << TAG_SHIFT;
/// Tag of an atom: unit, the empty list, or a constructor without fields.
pub const TAG_ATOM: u64 = 0xFFFE << TAG_SHIFT;
/// The mask that selects the tag.
pub const TAG_MASK: u64 = 0xFFFF << TAG_SHIFT;
/// Words below this are reals.
pub const FIRST_TAGGED: u64 = TAG_PTR;

/// The word a failed function returns: the fault is with the run-time library.
pub const FAIL: u64 = u64::MAX;
/// `false`.
pub const FALSE: u64 = TAG_BOOL;
/// `true`.
pub const TRUE: u64 = TAG_BOOL | 1;
/// `()`.
pub const UNIT: u64 = TAG_ATOM;
/// `[]`.
pub const NIL: u64 = TAG_ATOM | 1;
/// The only NaN a real word holds.
pub const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;

/// The largest natural stored in a word.
pub const SMALL_NAT_MAX: u128 = (1 << TAG_SHIFT) - 1;
/// The smallest integer stored in a word.
pub const SMALL_INT_MIN: i128 = -(1 << (TAG_SHIFT - 1));
/// The largest integer stored in a word.
pub const SMALL_INT_MAX: i128 = (1 << (TAG_SHIFT - 1)) - 1;

/// Words in a region descriptor: cursor, limit, chunks.
pub const REGION_WORDS: u32 = 3;

/// Descriptors a session lays out before the region stack: the static
/// region's and the arguments'.
pub const SESSION_FIXED_DESCRIPTORS: u64 = 2;

/// Bytes of the region descriptors a session lays out for calls nesting
/// at most `depth_limit` deep: the static region's, the arguments', and a
/// stack of `depth_limit + 2` for the calls' regions. `None` past `u64`.
pub const fn session_descriptor_bytes(depth_limit: u64) -> Option<u64> {
    // The stack holds a call's result and scratch regions besides one per level.
    match depth_limit.checked_add(SESSION_FIXED_DESCRIPTORS + 2) {
        Some(descriptors) => descriptors.checked_mul(REGION_WORDS as u64 * 8),
        None => None,
    }
}
/// Byte offset of a region's cursor.
pub const REGION_CURSOR: i32 = 0;
/// Byte offset of a region's limit.
pub const REGION_LIMIT: i32 = 8;
/// Byte offset of a region's chunk list.
pub const REGION_CHUNKS: i32 = 16;

/// The word of a constructor without fields: its id (index in
/// `Program::constructors`) in payload bits 16..48, plus 2, and its tag (its
/// index among its type's constructors) in bits 0..16, so that a pattern
/// tests the tag with a mask.
pub const fn atom_of_constructor(id: u32, tag: u32) -> u64 {
    TAG_ATOM | (id as u64 + 2) << 16 | (tag as u64 & 0xFFFF)
}

/// The constructor id of an atom word, if it is one of a constructor.
pub const fn constructor_of_atom(word: u64) -> Option<u32> {
    if word & TAG_MASK == TAG_ATOM && word & PAYLOAD_MASK >= 2 << 16 {
        Some((((word & PAYLOAD_MASK) >> 16) - 2) as u32)
    } else {
        None
    }
}

/// The word of a boolean.
pub const fn bool_word(b: bool) -> u64 {
    if b { TRUE } else { FALSE }
}

/// The word of a character.
pub const fn char_word(c: char) -> u64 {
    TAG_CHAR | c as u64
}

/// The word of a small natural, if `n` is small.
pub const fn small_nat(n: u128) -> Option<u64> {
    if n <= SMALL_NAT_MAX { Some(TAG_NAT | n as u64) } else { None }
}

/// The word of a small integer, if `i` is small.
pub const fn small_int(i: i128) -> Option<u64> {
    if SMALL_INT_MIN <= i && i <= SMALL_INT_MAX { Some(TAG_INT | (i as u64 & PAYLOAD_MASK)) } else { None }
}

/// The payload of a small integer word, sign-extended.
pub const fn small_int_value(word: u64) -> i64 {
    ((word << 16) as i64) >> 16
}

/// The word of a real: its bits, with every NaN made canonical.
pub fn real_word(x: f64) -> u64 {
    if x.is_nan() { CANONICAL_NAN } else { x.to_bits() }
}

/// Whether a word is a real.
pub const fn is_real(word: u64) -> bool {
    word < FIRST_TAGGED
}

/// The tagged word of a heap object at `address`.
pub const fn pointer_word(address: u64) -> u64 {
    TAG_PTR | address
}

/// The header word of an object.
pub const fn header(kind: Kind, a: u32, b: u32) -> u64 {
    kind as u64 | (a as u64) << 8 | (b as u64) << 40
}

/// The parts of a header word: kind byte, `a` (32 bits), `b` (24 bits).
pub const fn header_parts(word: u64) -> (u8, u32, u32) {
    (word as u8, (word >> 8) as u32, (word >> 40) as u32)
}

/// The header of a [`Kind::Data`] object, laid out differently from the
/// others: constructor id in bits 8..32, tag in bits 32..48, arity in bits 48..64.
pub const fn data_header(id: u32, tag: u32, arity: u32) -> u64 {
    Kind::Data as u64 | (id as u64 & 0xFF_FFFF) << 8 | (tag as u64 & 0xFFFF) << 32 | (arity as u64 & 0xFFFF) << 48
}

/// Constructor id, tag and arity of a [`Kind::Data`] header.
pub const fn data_header_parts(word: u64) -> (u32, u32, u32) {
    (((word >> 8) & 0xFF_FFFF) as u32, ((word >> 32) & 0xFFFF) as u32, (word >> 48) as u32)
}

/// Bit offset of a data header's tag.
pub const DATA_TAG_SHIFT: u32 = 32;
/// Bit offset of a data header's arity.
pub const DATA_ARITY_SHIFT: u32 = 48;

/// What a heap object is. Field words are values unless said otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Kind {
    /// A string: `a` is its length in bytes; its UTF-8 bytes follow the
    /// header, padded with zeros to a whole word.
    Str = 1,
    /// A natural outside the small range: word 1 the low 64 bits, word 2 the high.
    BigNat = 2,
    /// An integer outside the small range: word 1 the low 64 bits, word 2 the
    /// high, two's complement.
    BigInt = 3,
    /// A tuple of `a ≥ 2` components, words `1..=a`.
    Tuple = 4,
    /// A list cell: word 1 the head, word 2 the tail.
    Cons = 5,
    /// A constructor with fields or a record. Its header is a
    /// [`data_header`] (constructor id, tag, arity); fields in words `1..=arity`.
    Data = 6,
    /// A function value: `a` is how many more arguments it takes (at least
    /// one), `b` how many environment words it has. Word 1 is its code (a
    /// function of `a + 3` parameters: dest, scratch, the closure, then the
    /// arguments), words `2..2 + b` its environment.
    Closure = 7,
}

impl Kind {
    /// The kind of a header's kind byte.
    pub const fn from_byte(byte: u8) -> Option<Kind> {
        Some(match byte {
            1 => Kind::Str,
            2 => Kind::BigNat,
            3 => Kind::BigInt,
            4 => Kind::Tuple,
            5 => Kind::Cons,
            6 => Kind::Data,
            7 => Kind::Closure,
            _ => return None,
        })
    }
}

/// Bytes an object of `words` words takes.
pub const fn words(words: u32) -> u64 {
    words as u64 * 8
}

/// Bytes a string object of `len` UTF-8 bytes takes, header included.
pub const fn string_bytes(len: u64) -> u64 {
    8 + len.div_ceil(8) * 8
}

/// The words of a string object: its header, then its UTF-8 bytes, padded
/// with zeros to a whole word.
pub fn string_words(text: &str) -> Vec<u64> {
    let bytes = text.as_bytes();
    let mut words = vec![header(Kind::Str, bytes.len() as u32, 0)];
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        words.push(u64::from_le_bytes(word));
    }
    words
}

/// A zero-argument global's cell before its first use.
pub const CELL_EMPTY: u64 = 0xFFFF_0000_0000_0001;
/// A zero-argument global's cell while its value is being computed: meeting
/// it again is a cycle.
pub const CELL_BUSY: u64 = 0xFFFF_0000_0000_0002;

/// "No span" where a helper takes a span index.
pub const NO_SPAN: u64 = u64::MAX;

/// "No name" where a helper takes a name index.
pub const NO_NAME: u64 = u64::MAX;
