//! Regions: bump arenas whose chunks come from a pool over
//! [`Memory::grow`].
//!
//! A chunk is `2^k` bytes for a size class `k ≥ 12`. A region's first
//! chunk is [`CHUNK_BYTES`] (class 12, a page), and each chunk it takes
//! after one of class `k` is of class `k + 1`, up to 15 (32 KiB): a region
//! that allocates little touches little memory, and one that allocates
//! much takes a new chunk rarely. An object too big for the chunk its
//! region would take gets a chunk of the smallest class that holds it. Every chunk starts with a
//! header of [`CHUNK_HEADER_BYTES`]:
//!
//! | word | meaning |
//! |---|---|
//! | 0 | the next chunk in the list it is on (0 ends the list) |
//! | 1 | the chunk's size in bytes |
//! | 2 | for the first chunk of a region's list: the list's last chunk |
//! | 3 | for the first chunk of a region's list: how many chunks the list has |
//! | 4 | for the first chunk of a region's list: their bytes in total |
//!
//! A region's `chunks` word points at the chunk it took last, the head of
//! its list. Because the head knows the tail, releasing a region splices its
//! whole list onto the pool's `released` list in constant time, whatever its
//! length; the head's counts keep the statistics exact without walking it.
//! Released chunks are sorted into per-class free lists lazily, when a
//! chunk of some class is wanted and none is free: each chunk is sorted at
//! most once per release, so taking a chunk is amortized constant time too.
//! Memory is never given back to [`Memory`], which has no free; the pool
//! reuses it, so a program whose live data stays bounded takes a bounded
//! amount of memory from the system however long it runs.

use min_interp::RuntimeError;
use min_lir::abi::{REGION_CHUNKS, REGION_CURSOR, REGION_LIMIT};
use min_lir::host::Memory;

use crate::Fault;

/// The size class of a region's first chunk: `2^12` bytes, a page, so that
/// a call that allocates little touches little memory (a kept instance's
/// memory is put back by reading it).
const CLASS_MIN: u32 = 12;
/// The class a region's chunks grow to, one class per chunk taken.
const CLASS_GROWN: u32 = 15;
/// The largest size class: addresses have 48 bits.
const CLASS_MAX: u32 = 47;
/// How many size classes there are.
const CLASSES: usize = (CLASS_MAX - CLASS_MIN + 1) as usize;

/// Bytes of a region's first chunk, header included.
pub const CHUNK_BYTES: u64 = 1 << CLASS_MIN;
/// Bytes of a chunk's header: the rest of the chunk holds objects.
pub const CHUNK_HEADER_BYTES: u64 = 40;

/// Byte offsets of the chunk header's words.
const NEXT: u64 = 0;
const SIZE: u64 = 8;
const TAIL: u64 = 16;
const LIST_CHUNKS: u64 = 24;
const LIST_BYTES: u64 = 32;

/// How much memory the regions have taken from the system and how much of
/// it regions hold now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegionStats {
    /// Chunks ever taken from [`Memory::grow`].
    pub chunks_from_system: u64,
    /// Bytes ever taken from [`Memory::grow`] for chunks.
    pub bytes_from_system: u64,
    /// Chunks that regions hold now.
    pub chunks_in_use: u64,
    /// Bytes of the chunks that regions hold now.
    pub bytes_in_use: u64,
}

impl RegionStats {
    /// Chunks in the pool, waiting for a region.
    pub fn chunks_free(&self) -> u64 {
        self.chunks_from_system - self.chunks_in_use
    }
}

/// The chunk pool and the regions' allocation.
#[derive(Debug)]
pub(crate) struct Regions {
    /// Per size class, the first free chunk of that class (0 for none).
    free: [u64; CLASSES],
    /// Chunks of released regions, of every class, not yet sorted into `free`.
    released: u64,
    stats: RegionStats,
    /// The highest descriptor address that got a chunk since the last
    /// [`Regions::forget_deepest`].
    deepest: u64,
}

impl Regions {
    /// An empty pool.
    pub(crate) fn new() -> Regions {
        Regions { free: [0; CLASSES], released: 0, stats: RegionStats::default(), deepest: 0 }
    }

    /// The counters.
    pub(crate) fn stats(&self) -> RegionStats {
        self.stats
    }

    /// The address of `bytes` fresh bytes (rounded up to whole words) in the
    /// region whose descriptor is at `region`, and the region's cursor moved
    /// past them: bumped in the current chunk when they fit, else at the
    /// start of a new chunk, which becomes the current one.
    pub(crate) fn allocate(&mut self, memory: &mut dyn Memory, region: u64, bytes: u64) -> Result<u64, Fault> {
        let bytes = bytes.checked_next_multiple_of(8).ok_or_else(|| out_of_memory(bytes))?;
        let cursor = memory.load(region + REGION_CURSOR as u64);
        let limit = memory.load(region + REGION_LIMIT as u64);
        if cursor != 0 && cursor <= limit && limit - cursor >= bytes {
            memory.store(region + REGION_CURSOR as u64, cursor + bytes);
            return Ok(cursor);
        }
        let head = memory.load(region + REGION_CHUNKS as u64);
        let grown =
            if head == 0 { CLASS_MIN } else { (memory.load(head + SIZE).trailing_zeros() + 1).min(CLASS_GROWN) };
        let class = class_of(bytes).ok_or_else(|| out_of_memory(bytes))?.max(grown);
        let chunk = self.take_chunk(memory, class)?;
        let size = 1 << class;
        let (tail, list_chunks, list_bytes) = if head == 0 {
            (chunk, 1, size)
        } else {
            (memory.load(head + TAIL), memory.load(head + LIST_CHUNKS) + 1, memory.load(head + LIST_BYTES) + size)
        };
        memory.store(chunk + NEXT, head);
        memory.store(chunk + TAIL, tail);
        memory.store(chunk + LIST_CHUNKS, list_chunks);
        memory.store(chunk + LIST_BYTES, list_bytes);
        memory.store(region + REGION_CHUNKS as u64, chunk);
        let address = chunk + CHUNK_HEADER_BYTES;
        memory.store(region + REGION_CURSOR as u64, address + bytes);
        memory.store(region + REGION_LIMIT as u64, chunk + size);
        self.stats.chunks_in_use += 1;
        self.stats.bytes_in_use += size;
        self.deepest = self.deepest.max(region);
        Ok(address)
    }

    /// Gives every chunk of the region back to the pool, in constant time,
    /// and leaves its descriptor `[0, 0, 0]`.
    pub(crate) fn release(&mut self, memory: &mut dyn Memory, region: u64) {
        let head = memory.load(region + REGION_CHUNKS as u64);
        if head != 0 {
            let tail = memory.load(head + TAIL);
            memory.store(tail + NEXT, self.released);
            self.released = head;
            let chunks = memory.load(head + LIST_CHUNKS);
            let bytes = memory.load(head + LIST_BYTES);
            assert!(chunks <= self.stats.chunks_in_use, "region {region:#x} releases chunks it does not hold");
            self.stats.chunks_in_use -= chunks;
            self.stats.bytes_in_use -= bytes;
        }
        memory.store(region + REGION_CURSOR as u64, 0);
        memory.store(region + REGION_LIMIT as u64, 0);
        memory.store(region + REGION_CHUNKS as u64, 0);
    }

    /// The highest descriptor address that got a chunk since the last call
    /// of [`Regions::forget_deepest`] (0 if none did): no region above it
    /// holds chunks taken since.
    pub(crate) fn deepest(&self) -> u64 {
        self.deepest
    }

    /// Starts watching [`Regions::deepest`] afresh.
    pub(crate) fn forget_deepest(&mut self) {
        self.deepest = 0;
    }

    /// A chunk of size class `class`: a free one, else one sorted out of the
    /// released lists, else a new one from the system.
    fn take_chunk(&mut self, memory: &mut dyn Memory, class: u32) -> Result<u64, Fault> {
        let index = (class - CLASS_MIN) as usize;
        if self.free[index] != 0 {
            let chunk = self.free[index];
            self.free[index] = memory.load(chunk + NEXT);
            return Ok(chunk);
        }
        while self.released != 0 {
            let chunk = self.released;
            self.released = memory.load(chunk + NEXT);
            let size = memory.load(chunk + SIZE);
            if size == 1 << class {
                return Ok(chunk);
            }
            let other = (size.trailing_zeros() - CLASS_MIN) as usize;
            memory.store(chunk + NEXT, self.free[other]);
            self.free[other] = chunk;
        }
        let size = 1 << class;
        let chunk = memory.grow(size).ok_or_else(|| out_of_memory(size))?;
        memory.store(chunk + SIZE, size);
        self.stats.chunks_from_system += 1;
        self.stats.bytes_from_system += size;
        Ok(chunk)
    }
}

/// The size class of the chunk for an object of `bytes`, or `None` when
/// no chunk could hold it.
fn class_of(bytes: u64) -> Option<u32> {
    let needed = bytes.checked_add(CHUNK_HEADER_BYTES)?;
    let class = needed.next_power_of_two().trailing_zeros().max(CLASS_MIN);
    (class <= CLASS_MAX && needed <= 1 << CLASS_MAX).then_some(class)
}

/// The fault when the program's memory cannot grow by `bytes`.
pub(crate) fn out_of_memory(bytes: u64) -> Fault {
    Box::new(RuntimeError {
        code: min_diagnostics::codes::E0412,
        message: format!("out of memory: the program's memory cannot grow by {bytes} bytes"),
        span: None,
        trace: Vec::new(),
        repeats: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestMemory, descriptor};

    #[test]
    fn size_classes_fit_the_object_and_its_header() {
        assert_eq!(class_of(8), Some(CLASS_MIN));
        assert_eq!(class_of(CHUNK_BYTES - CHUNK_HEADER_BYTES), Some(CLASS_MIN));
        assert_eq!(class_of(CHUNK_BYTES - CHUNK_HEADER_BYTES + 8), Some(CLASS_MIN + 1));
        assert_eq!(class_of(1 << 20), Some(21));
        assert_eq!(class_of(1 << 47), None);
        assert_eq!(class_of(u64::MAX - 7), None);
    }

    #[test]
    fn allocation_bumps_inside_a_chunk_and_moves_to_a_new_one_when_full() {
        let mut memory = TestMemory::new();
        let mut regions = Regions::new();
        let region = descriptor(&mut memory);
        let first = regions.allocate(&mut memory, region, 24).unwrap();
        let second = regions.allocate(&mut memory, region, 13).unwrap();
        assert_eq!(second, first + 24);
        assert_eq!(memory.load(region), second + 16, "sizes round up to whole words");
        // Fill the chunk: the next object starts a second one.
        let rest = memory.load(region + 8) - memory.load(region);
        regions.allocate(&mut memory, region, rest).unwrap();
        let third = regions.allocate(&mut memory, region, 8).unwrap();
        assert_eq!(regions.stats().chunks_in_use, 2);
        assert_eq!(memory.load(region), third + 8);
        assert_eq!(first % 8, 0);
        assert_eq!(third % 8, 0);
    }

    #[test]
    fn big_objects_get_a_chunk_of_their_own_class() {
        let mut memory = TestMemory::new();
        let mut regions = Regions::new();
        let region = descriptor(&mut memory);
        let address = regions.allocate(&mut memory, region, 100_000).unwrap();
        assert_eq!(regions.stats().bytes_in_use, 1 << 17);
        // The rest of the big chunk serves the next small objects.
        assert_eq!(regions.allocate(&mut memory, region, 8).unwrap(), address + 100_000);
        regions.release(&mut memory, region);
        assert_eq!(regions.stats().chunks_in_use, 0);
        // The same chunk comes back for the next object of its class.
        assert_eq!(regions.allocate(&mut memory, region, 100_000).unwrap(), address);
        assert_eq!(regions.stats().chunks_from_system, 1);
    }

    #[test]
    fn release_returns_every_chunk_and_clears_the_descriptor() {
        let mut memory = TestMemory::new();
        let mut regions = Regions::new();
        let region = descriptor(&mut memory);
        for _ in 0..10 {
            regions.allocate(&mut memory, region, CHUNK_BYTES / 2).unwrap();
        }
        regions.allocate(&mut memory, region, 3 * CHUNK_BYTES).unwrap();
        let held = regions.stats().chunks_in_use;
        assert!(held > 2, "{:?}", regions.stats());
        regions.release(&mut memory, region);
        assert_eq!([memory.load(region), memory.load(region + 8), memory.load(region + 16)], [0, 0, 0]);
        assert_eq!(regions.stats().chunks_in_use, 0);
        assert_eq!(regions.stats().bytes_in_use, 0);
        assert_eq!(regions.stats().chunks_free(), held);
        // Releasing an empty region is harmless.
        regions.release(&mut memory, region);
        assert_eq!(regions.stats().chunks_free(), held);
    }

    #[test]
    fn a_regions_chunks_double_from_a_page_up_to_32_kib() {
        let mut memory = TestMemory::new();
        let mut regions = Regions::new();
        let region = descriptor(&mut memory);
        let mut sizes = Vec::new();
        for _ in 0..200 {
            let before = regions.stats().bytes_in_use;
            regions.allocate(&mut memory, region, 1000).unwrap();
            let taken = regions.stats().bytes_in_use - before;
            if taken > 0 {
                sizes.push(taken);
            }
        }
        assert_eq!(sizes[..6], [4096, 8192, 16384, 32768, 32768, 32768]);
        assert!(sizes.iter().all(|size| *size <= 32768));
        // A fresh region starts small again, with a chunk from the pool.
        regions.release(&mut memory, region);
        let from_system = regions.stats().chunks_from_system;
        let other = descriptor(&mut memory);
        regions.allocate(&mut memory, other, 8).unwrap();
        assert_eq!(regions.stats().bytes_in_use, CHUNK_BYTES);
        assert_eq!(regions.stats().chunks_from_system, from_system);
    }

    #[test]
    fn memory_from_the_system_stays_flat_across_many_region_lifetimes() {
        let mut memory = TestMemory::new();
        let mut regions = Regions::new();
        let outer = descriptor(&mut memory);
        let inner = descriptor(&mut memory);
        let mut after_warm_up = None;
        for cycle in 0..100_000u64 {
            // A mix of small objects, a few chunks' worth now and then, and a
            // big object every so often, in two regions released in turn.
            regions.allocate(&mut memory, outer, 8 + cycle % 64 * 8).unwrap();
            regions.allocate(&mut memory, inner, 16).unwrap();
            if cycle % 100 == 0 {
                for _ in 0..3 {
                    regions.allocate(&mut memory, inner, CHUNK_BYTES - CHUNK_HEADER_BYTES).unwrap();
                }
            }
            if cycle % 1000 == 0 {
                regions.allocate(&mut memory, outer, 5 * CHUNK_BYTES).unwrap();
            }
            regions.release(&mut memory, inner);
            if cycle % 7 == 0 {
                regions.release(&mut memory, outer);
            }
            if cycle == 1000 {
                after_warm_up = Some(regions.stats().bytes_from_system);
            }
        }
        regions.release(&mut memory, outer);
        let stats = regions.stats();
        assert_eq!(Some(stats.bytes_from_system), after_warm_up);
        assert!(stats.chunks_from_system <= 8, "{stats:?}");
        assert_eq!(stats.chunks_in_use, 0);
    }

    #[test]
    fn exhausted_memory_is_a_fault() {
        let mut memory = TestMemory::with_capacity(1 << 16);
        let mut regions = Regions::new();
        let region = descriptor(&mut memory);
        let fault = regions.allocate(&mut memory, region, 1 << 20).unwrap_err();
        assert_eq!(fault.code, min_diagnostics::codes::E0412);
        assert!(fault.message.starts_with("out of memory"), "{}", fault.message);
    }

    #[test]
    fn deepest_remembers_the_highest_region_that_took_a_chunk() {
        let mut memory = TestMemory::new();
        let mut regions = Regions::new();
        let low = descriptor(&mut memory);
        let high = descriptor(&mut memory);
        regions.allocate(&mut memory, high, 8).unwrap();
        regions.allocate(&mut memory, low, 8).unwrap();
        assert_eq!(regions.deepest(), high);
        regions.forget_deepest();
        regions.allocate(&mut memory, high, 8).unwrap();
        assert_eq!(regions.deepest(), 0, "a bump within the current chunk takes no chunk");
    }
}
