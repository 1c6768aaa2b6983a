//! The interfaces between a backend, the memory its programs run in, and the
//! run-time library: the backends implement [`Memory`] and [`Backend`], the
//! run-time library implements [`Host`], and neither depends on the other.

use crate::{FuncId, Helper, VmVar};

/// A program's memory: words and bytes at untagged addresses.
pub trait Memory {
    /// The word at `address` (8-aligned).
    fn load(&self, address: u64) -> u64;
    /// Stores a word at `address` (8-aligned).
    fn store(&mut self, address: u64, word: u64);
    /// `len` bytes from `address`.
    fn read(&self, address: u64, len: usize) -> Vec<u8>;
    /// Writes bytes at `address`.
    fn write(&mut self, address: u64, bytes: &[u8]);
    /// Takes `bytes` (a multiple of 8) of fresh memory from the system and
    /// returns its 8-aligned address, or `None` when there is no more. The
    /// memory is never given back while the program lives: the run-time
    /// library pools it.
    fn grow(&mut self, bytes: u64) -> Option<u64>;
    /// Like [`Memory::grow`], with the memory zeroed. Backends whose fresh
    /// memory is always zero (a new Wasm instance's, the JIT's zeroed
    /// allocations) skip the writes, so memory the program never uses is
    /// never touched.
    fn grow_zeroed(&mut self, bytes: u64) -> Option<u64> {
        let start = self.grow(bytes)?;
        self.write_zeros(start, bytes);
        Some(start)
    }

    /// Writes `bytes` zeros at `address`.
    fn write_zeros(&mut self, address: u64, bytes: u64) {
        const ZEROS: [u8; 4096] = [0; 4096];
        let mut done = 0;
        while done < bytes {
            let piece = (bytes - done).min(ZEROS.len() as u64);
            self.write(address + done, &ZEROS[..piece as usize]);
            done += piece;
        }
    }
}

/// The run-time library, as a backend calls it.
pub trait Host {
    /// Runs a helper on its arguments (exactly `helper.arity()` words).
    fn helper(&mut self, memory: &mut dyn Memory, helper: Helper, args: &[u64]) -> u64;
}

/// A compiled program, ready to run: the JIT's machine code or a Wasm
/// instance. Static objects are laid out and cells are empty when it is made.
pub trait Backend {
    /// The memory the program's objects live in.
    fn memory(&mut self) -> &mut dyn Memory;
    /// A VM variable.
    fn vm(&self, var: VmVar) -> u64;
    /// Sets a VM variable.
    fn set_vm(&mut self, var: VmVar, value: u64);
    /// Calls a function with `args` as its parameters (dest, scratch, …);
    /// its helper calls go to `host`. Returns its result word, which is
    /// [`crate::abi::FAIL`] when it failed.
    fn invoke(&mut self, function: FuncId, args: &[u64], host: &mut dyn Host) -> u64;
}
