//! What a call costs: the gas schedule of `spec/gas.md`. Gas is wasmtime's
//! fuel: Wasm code burns one unit per instruction (wasmtime's own
//! accounting, which leaves a few structural instructions free), and the
//! runtime charges the same fuel for what happens outside Wasm code.

use min_lir::Helper;
use min_wasm::HelperUse;

/// Charged before a call starts: instantiating the module and setting up
/// its memory.
pub const CALL_BASE: u64 = 1_000;
/// Charged per byte of the arguments' canonical encoding, before the call.
pub const ARGUMENT_BYTE: u64 = 1;
/// Charged per byte of the results' canonical encoding, after the call.
pub const RESULT_BYTE: u64 = 1;
/// Charged per word of linear memory a helper reads or writes.
pub const HELPER_WORD: u64 = 1;
/// A helper that takes fresh memory for a region is charged one unit per
/// this many bytes.
pub const GROWN_BYTES_PER_UNIT: u64 = 64;

/// The fixed part of a helper call's cost, by helper.
pub const fn helper_base(helper: Helper) -> u64 {
    match helper {
        Helper::RegionGrow | Helper::RegionRelease => 20,
        Helper::Arith | Helper::Pow | Helper::Neg | Helper::Compare | Helper::Concat => 30,
        Helper::Prim1 | Helper::Prim2 => 50,
        Helper::MatchFailure | Helper::DepthExceeded | Helper::CellCycle | Helper::Unwind => 10,
    }
}

/// What a helper call costs: its fixed part, plus the words of memory it
/// touched, plus the fresh memory it took.
pub fn helper_cost(used: HelperUse) -> u64 {
    helper_base(used.helper)
        .saturating_add(used.words.saturating_mul(HELPER_WORD))
        .saturating_add(used.grown_bytes.div_ceil(GROWN_BYTES_PER_UNIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helper_pays_for_the_memory_it_touches() {
        let small = helper_cost(HelperUse { helper: Helper::Arith, words: 3, grown_bytes: 0 });
        assert_eq!(small, 33);
        let grown = helper_cost(HelperUse { helper: Helper::RegionGrow, words: 2, grown_bytes: 65_536 });
        assert_eq!(grown, 20 + 2 + 1024);
        let huge = helper_cost(HelperUse { helper: Helper::Concat, words: u64::MAX, grown_bytes: u64::MAX });
        assert_eq!(huge, u64::MAX);
    }
}
