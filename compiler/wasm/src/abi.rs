//! What an emitted module and whoever runs it agree on: the names of its
//! imports and exports, and where things live in its linear memory.

use min_lir::{FuncId, Helper, VmVar};

/// The module every helper is imported from.
pub const IMPORT_MODULE: &str = "min";
/// The export name of the linear memory.
pub const MEMORY: &str = "memory";
/// The export name of the function table that code words index.
pub const FUNCTIONS: &str = "functions";
/// The export name of the immutable global holding the first address that
/// neither a static object nor a cell uses.
pub const HEAP_BASE: &str = "heap_base";

/// The export name of the immutable global holding how deep the module's
/// calls can nest ([`min_lir::depth_bound`]), when that is known: a host
/// may lower its depth limit to it, and the module's memory has room for
/// the region stack of that depth.
pub const DEPTH_BOUND: &str = "depth_bound";

/// The address of the first static object. The bytes below stay zero and
/// unused, so that a stray near-zero address finds nothing that looks like
/// an object.
pub const STATIC_BASE: u64 = 1024;
/// Bytes in a Wasm page.
pub const PAGE_BYTES: u64 = 1 << 16;

/// The VM variables, in the order of their globals.
pub const VM_VARS: [VmVar; 4] = [VmVar::Depth, VmVar::DepthLimit, VmVar::RegionTop, VmVar::StaticRegion];

/// The export name of a VM variable's global.
pub const fn vm_global(var: VmVar) -> &'static str {
    match var {
        VmVar::Depth => "depth",
        VmVar::DepthLimit => "depth_limit",
        VmVar::RegionTop => "region_top",
        VmVar::StaticRegion => "static_region",
    }
}

/// The index of a VM variable's global (and its position in [`VM_VARS`]).
pub(crate) const fn vm_global_index(var: VmVar) -> u32 {
    match var {
        VmVar::Depth => 0,
        VmVar::DepthLimit => 1,
        VmVar::RegionTop => 2,
        VmVar::StaticRegion => 3,
    }
}

/// The code word of a function: its index in the [`FUNCTIONS`] table.
pub const fn code_word(function: FuncId) -> u64 {
    function as u64 + 1
}

/// The index of a helper's imported function: its position in
/// [`Helper::ALL`].
pub(crate) fn helper_index(helper: Helper) -> u32 {
    let position = Helper::ALL.iter().position(|each| *each == helper);
    position.expect("Helper::ALL lists every helper") as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_globals_follow_vm_vars() {
        for (index, var) in VM_VARS.into_iter().enumerate() {
            assert_eq!(vm_global_index(var) as usize, index);
        }
    }
}
