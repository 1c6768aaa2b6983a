//! The canonical binary encoding: fixed-width little-endian integers,
//! length-prefixed byte strings and lists, and a reader that checks every
//! length against a limit before it allocates, so malformed bytes are an
//! `Err` with a reason and never a panic.

use std::fmt;

/// Why a byte string could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended while `what` was being read.
    Truncated {
        /// The field being read.
        what: &'static str,
    },
    /// A length prefix of `what` exceeds its limit.
    TooLong {
        /// The field whose length is out of bounds.
        what: &'static str,
        /// The length the input announced.
        length: u64,
        /// The largest length accepted.
        limit: u64,
    },
    /// A tag byte names no known variant of `what`.
    UnknownTag {
        /// The enumeration being read.
        what: &'static str,
        /// The tag found.
        tag: u8,
    },
    /// Bytes are left over after a complete value.
    TrailingBytes {
        /// How many bytes were left.
        count: usize,
    },
    /// The value is well formed but breaks a rule of its type.
    Invalid {
        /// The rule that was broken.
        reason: &'static str,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { what } => write!(f, "input ends inside {what}"),
            Self::TooLong { what, length, limit } => {
                write!(f, "{what} has length {length}, more than the limit {limit}")
            }
            Self::UnknownTag { what, tag } => write!(f, "unknown {what} tag {tag}"),
            Self::TrailingBytes { count } => write!(f, "{count} bytes after the end of the value"),
            Self::Invalid { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Appends values in the canonical encoding to a byte vector.
#[derive(Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Writes one byte.
    pub fn u8(&mut self, value: u8) {
        self.bytes.push(value);
    }

    /// Writes a 32-bit integer, little-endian.
    pub fn u32(&mut self, value: u32) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// Writes a 64-bit integer, little-endian.
    pub fn u64(&mut self, value: u64) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// Writes a 128-bit integer, little-endian.
    pub fn u128(&mut self, value: u128) {
        self.bytes.extend_from_slice(&value.to_le_bytes());
    }

    /// Writes fixed-size bytes with no length prefix.
    pub fn array(&mut self, value: &[u8]) {
        self.bytes.extend_from_slice(value);
    }

    /// Writes a 32-bit length and then the bytes.
    pub fn bytes(&mut self, value: &[u8]) {
        self.length(value.len());
        self.bytes.extend_from_slice(value);
    }

    /// Writes a list's or byte string's length as 32 bits; every limit of
    /// the encoding is far below 2³², so a longer value is a programmer error.
    pub fn length(&mut self, length: usize) {
        let length = u32::try_from(length).expect("encoded lengths are bounded by their limits");
        self.u32(length);
    }
}

/// Reads values in the canonical encoding from a byte slice.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    /// Takes the next `count` bytes.
    pub fn take(&mut self, count: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < count {
            return Err(DecodeError::Truncated { what });
        }
        let (head, tail) = self.bytes.split_at(count);
        self.bytes = tail;
        Ok(head)
    }

    /// Reads `N` fixed bytes.
    pub fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a little-endian 32-bit integer.
    pub fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian 64-bit integer.
    pub fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian 128-bit integer.
    pub fn u128(&mut self, what: &'static str) -> Result<u128, DecodeError> {
        Ok(u128::from_le_bytes(self.array(what)?))
    }

    /// Reads a length prefix and checks it against `limit` before anything
    /// is allocated for it.
    pub fn length(&mut self, what: &'static str, limit: usize) -> Result<usize, DecodeError> {
        let length = self.u32(what)?;
        let length = usize::try_from(length).unwrap_or(usize::MAX);
        if length > limit {
            return Err(DecodeError::TooLong { what, length: length as u64, limit: limit as u64 });
        }
        Ok(length)
    }

    /// Reads a length-prefixed byte string of at most `limit` bytes.
    pub fn bytes(&mut self, what: &'static str, limit: usize) -> Result<Vec<u8>, DecodeError> {
        let length = self.length(what, limit)?;
        Ok(self.take(length, what)?.to_vec())
    }

    /// Reads a length-prefixed list of at most `limit` items, each read by
    /// `item`.
    pub fn list<T>(
        &mut self,
        what: &'static str,
        limit: usize,
        mut item: impl FnMut(&mut Self) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let length = self.length(what, limit)?;
        // Each item takes at least one byte, so a length beyond the input
        // is truncated input; checking first keeps the allocation honest.
        if length > self.bytes.len() {
            return Err(DecodeError::Truncated { what });
        }
        let mut items = Vec::with_capacity(length);
        for _ in 0..length {
            items.push(item(self)?);
        }
        Ok(items)
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Succeeds only if every byte has been read.
    pub fn finish(self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() { Ok(()) } else { Err(DecodeError::TrailingBytes { count: self.bytes.len() }) }
    }
}
