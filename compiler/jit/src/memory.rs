//! The memory a compiled program runs in: real addresses of this process.
//!
//! Generated code reads and writes words at the addresses it computes,
//! without checks. The run-time library reaches the same words through
//! [`Memory`]; there every access is checked against the chunks handed out
//! by [`Memory::grow`], so that a wrong address from the run-time library is
//! a panic rather than a stray write into the process.

use std::alloc::{self, Layout};

use min_lir::abi;
use min_lir::host::Memory;

/// How many bytes [`RawMemory::grow`] hands out in all before it says there
/// is no more: a program that allocates without bound fails with a fault
/// instead of taking the machine's memory.
pub(crate) const MEMORY_BYTES_LIMIT: u64 = 8 << 30;

/// One allocation of the system allocator.
struct Chunk {
    start: u64,
    layout: Layout,
}

impl Chunk {
    fn end(&self) -> u64 {
        self.start + self.layout.size() as u64
    }
}

/// Zeroed, 8-aligned chunks of the system allocator, kept until the memory
/// is dropped.
pub(crate) struct RawMemory {
    /// Sorted by address, disjoint.
    chunks: Vec<Chunk>,
    bytes_used: u64,
    /// The chunk the last access fell in: the run-time library reads an
    /// object's words one after another, so most checks stop here.
    last: std::cell::Cell<usize>,
}

impl RawMemory {
    pub(crate) fn new() -> RawMemory {
        RawMemory { chunks: Vec::new(), bytes_used: 0, last: std::cell::Cell::new(0) }
    }

    /// The pointer to `len` bytes at `address`, which must lie in one chunk.
    fn pointer(&self, address: u64, len: usize) -> *mut u8 {
        let fits = |chunk: &Chunk| {
            chunk.start <= address && address.checked_add(len as u64).is_some_and(|end| end <= chunk.end())
        };
        if self.chunks.get(self.last.get()).is_some_and(fits) {
            return address as usize as *mut u8;
        }
        let index = self.chunks.partition_point(|chunk| chunk.start <= address);
        let inside = index > 0 && fits(&self.chunks[index - 1]);
        assert!(inside, "memory access of {len} bytes at {address:#x} is outside the program's memory");
        self.last.set(index - 1);
        address as usize as *mut u8
    }
}

impl Memory for RawMemory {
    fn load(&self, address: u64) -> u64 {
        assert!(address.is_multiple_of(8), "word load at unaligned address {address:#x}");
        let pointer = self.pointer(address, 8) as *const u64;
        // SAFETY: `pointer` is 8-aligned and its 8 bytes lie in a live chunk
        // of this memory (checked above).
        unsafe { pointer.read() }
    }

    fn store(&mut self, address: u64, word: u64) {
        assert!(address.is_multiple_of(8), "word store at unaligned address {address:#x}");
        let pointer = self.pointer(address, 8) as *mut u64;
        // SAFETY: as in `load`; no Rust reference into the chunks exists.
        unsafe { pointer.write(word) }
    }

    fn read(&self, address: u64, len: usize) -> Vec<u8> {
        if len == 0 {
            return Vec::new();
        }
        let pointer = self.pointer(address, len);
        // SAFETY: the `len` bytes at `pointer` lie in a live, initialised chunk.
        unsafe { std::slice::from_raw_parts(pointer, len) }.to_vec()
    }

    fn write(&mut self, address: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let pointer = self.pointer(address, bytes.len());
        // SAFETY: the destination lies in a live chunk, which `bytes` (a Rust
        // slice the memory does not own) cannot overlap.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), pointer, bytes.len()) }
    }

    fn grow(&mut self, bytes: u64) -> Option<u64> {
        // A zero-sized allocation is not allowed; an empty request still gets
        // a distinct address.
        let size = bytes.max(8).next_multiple_of(8);
        if self.bytes_used.checked_add(size)? > MEMORY_BYTES_LIMIT {
            return None;
        }
        let layout = Layout::from_size_align(usize::try_from(size).ok()?, 8).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let pointer = unsafe { alloc::alloc_zeroed(layout) };
        if pointer.is_null() {
            return None;
        }
        let start = pointer as usize as u64;
        let chunk = Chunk { start, layout };
        if chunk.end() > abi::PAYLOAD_MASK {
            // A heap object's address must fit in the 48 bits of a pointer word.
            // SAFETY: allocated just above with this layout.
            unsafe { alloc::dealloc(pointer, layout) };
            return None;
        }
        let index = self.chunks.partition_point(|other| other.start < start);
        self.chunks.insert(index, chunk);
        self.bytes_used += size;
        Some(start)
    }

    /// Every chunk comes from `alloc_zeroed`: nothing to write.
    fn grow_zeroed(&mut self, bytes: u64) -> Option<u64> {
        self.grow(bytes)
    }
}

impl Drop for RawMemory {
    fn drop(&mut self) {
        for chunk in self.chunks.drain(..) {
            // SAFETY: every chunk was allocated by `grow` with its layout and
            // is freed once.
            unsafe { alloc::dealloc(chunk.start as usize as *mut u8, chunk.layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grown_memory_is_zeroed_aligned_and_usable() {
        let mut memory = RawMemory::new();
        let a = memory.grow(24).unwrap();
        let b = memory.grow(0).unwrap();
        assert_eq!(a % 8, 0);
        assert_ne!(a, b);
        assert_eq!(memory.load(a + 16), 0);
        memory.store(a + 8, 0xDEAD_BEEF);
        assert_eq!(memory.load(a + 8), 0xDEAD_BEEF);
        memory.write(a + 1, b"hi");
        assert_eq!(memory.read(a, 3), vec![0, b'h', b'i']);
    }

    #[test]
    fn access_outside_the_chunks_panics() {
        let mut memory = RawMemory::new();
        let a = memory.grow(8).unwrap();
        let outside = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| memory.read(a, 9)));
        assert!(outside.is_err());
    }

    #[test]
    fn growth_stops_at_the_limit() {
        let mut memory = RawMemory::new();
        assert_eq!(memory.grow(MEMORY_BYTES_LIMIT + 8), None);
    }
}
