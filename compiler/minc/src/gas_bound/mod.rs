//! Static gas bounds (`spec/gas.md`, "Static bounds"): for each contract
//! procedure, a polynomial `G(b)` such that a call whose arguments encode to
//! `b` bytes never uses more than `G(b)` gas, computed by `minc build` from
//! the module it emits.
//!
//! A call's gas is the schedule's fixed charges, the fuel of the Wasm
//! instructions it runs, the helpers it calls, the fresh memory its regions
//! take, and the reading and encoding of its result. The pieces:
//!
//! - [`encoding`]: the words the arguments take in memory, from their bytes;
//! - [`sizes`]: on the core IR, the sizes of the values the call builds,
//!   the words the size-dependent helpers touch on the dearest path, the
//!   words it allocates and its result, from the arguments' words;
//! - [`code`]: the longest path through the Wasm code, each helper call
//!   priced by its fixed part, the allocations on it, and how many regions
//!   can be open at once.
//!
//! A procedure that may recurse, or calls a function value, gets no bound,
//! with the reason.

mod code;
mod encoding;
mod linear;
pub mod poly;
mod sizes;

use linear::Linear;
use min_core::Module;
use min_lir::{Helper, VmVar};
use min_metadata::{DataTypeInfo, GasBound, ProcedureInfo, TypeDesc};
use min_rt::CHUNK_BYTES;
use min_runtime::gas::{ARGUMENT_BYTE, CALL_BASE, GROWN_BYTES_PER_UNIT, HELPER_WORD, RESULT_BYTE, helper_base};
use poly::Poly;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Region descriptors open before the procedure's code runs: the static
/// region, and the result and scratch regions of the call.
const REGIONS_AT_ENTRY: u64 = 3;
/// Words a chunk taken for a region costs to set up and later sort back
/// into the pool, at most.
const CHUNK_SETUP_WORDS: u64 = 32;

/// What `minc build` says about one procedure's cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcedureCost {
    /// The procedure's qualified name.
    pub name: String,
    /// Bytes of Wasm code it may run: its function and all it may call.
    pub code_bytes: u64,
    /// Its static gas bound, in the bytes of its arguments.
    pub gas: GasBound,
}

/// The cost of every procedure of a module that `minc build` emitted as
/// `wasm` from `program`; `called` has the result type of each procedure
/// of another contract that they call (by qualified name).
pub fn procedure_costs(
    program: &[Module],
    wasm: &[u8],
    procedures: &[ProcedureInfo],
    data_types: &[DataTypeInfo],
    called: &BTreeMap<String, TypeDesc>,
) -> Result<Vec<ProcedureCost>, String> {
    let code = code::Code::parse(wasm)?;
    let called = called_result_words(called, data_types);
    Ok(procedures
        .iter()
        .map(|procedure| {
            let function = code.export(&procedure.name);
            ProcedureCost {
                name: procedure.name.clone(),
                code_bytes: function.map_or(0, |f| code.reachable_bytes(f)),
                gas: match function {
                    Some(function) => match gas_bound(program, &code, function, procedure, data_types, &called) {
                        Ok(bound) => GasBound::Polynomial(bound.coefficients().to_vec()),
                        Err(reason) => GasBound::None(reason),
                    },
                    None => GasBound::None("the module does not export it".into()),
                },
            }
        })
        .collect())
}

/// The bound of one procedure, as a polynomial in its arguments' bytes.
fn gas_bound(
    program: &[Module],
    code: &code::Code,
    function: u32,
    procedure: &ProcedureInfo,
    data_types: &[DataTypeInfo],
    called: &FxHashMap<String, Result<Linear, String>>,
) -> Result<Poly, String> {
    // The code first: it names the call that recurses, if one does.
    let fuel = code.bound(function, 1, &helper_fuel)?;
    // Each parameter's words, in the bytes of its parts.
    let mut variables = 0;
    let params = procedure
        .arguments
        .iter()
        .map(|slot| encoding::shape(&slot.r#type, data_types, &mut variables))
        .collect::<Result<Vec<_>, String>>()?;
    let found = sizes::walk(program, &procedure.name, params, called)?;
    let (helper_words, allocated, result) =
        (found.helper_words.in_bytes(), found.allocated.in_bytes(), found.result.in_bytes());
    let allocations = code.bound(function, 0, &|helper| Poly::constant(u64::from(allocates(helper))))?;
    let region_top =
        code.global(min_wasm::abi::vm_global(VmVar::RegionTop)).ok_or("the module does not export its region stack")?;
    let regions = REGIONS_AT_ENTRY.saturating_add(code.region_depth(function, region_top));
    let grown = grown_units(&allocated, &allocations, regions);
    // The result is read out word by word, then encoded.
    let result = result.scale(HELPER_WORD + 8 * RESULT_BYTE);
    Ok(Poly::linear(CALL_BASE, ARGUMENT_BYTE).add(&fuel).add(&helper_words.scale(HELPER_WORD)).add(&grown).add(&result))
}

/// The words each called procedure's result may take in the caller's
/// memory: its encoding is at most `CALL_RESULT_BYTES_MAX` bytes (the
/// runtime refuses more), and [`encoding::words_per_byte`] turns bytes of
/// its type into words. The called procedure's own gas is its own call's.
fn called_result_words(
    called: &BTreeMap<String, TypeDesc>,
    data_types: &[DataTypeInfo],
) -> FxHashMap<String, Result<Linear, String>> {
    let bytes = min_runtime::calls::CALL_RESULT_BYTES_MAX as u64;
    called
        .iter()
        .map(|(name, result)| {
            let words = encoding::words_per_byte(result, data_types)
                .map(|per_byte| Linear::constant((per_byte.alpha * bytes).div_ceil(8) + per_byte.beta))
                .map_err(|reason| format!("the result of `{name}`, which it calls, has no bound: {reason}"));
            (name.clone(), words)
        })
        .collect()
}

/// Whether a helper may allocate in a region (and so take a chunk).
fn allocates(helper: Helper) -> bool {
    matches!(
        helper,
        Helper::RegionGrow | Helper::Arith | Helper::Pow | Helper::Neg | Helper::Concat | Helper::Prim1 | Helper::Prim2
    )
}

/// The most a helper call costs besides fresh memory and the words that
/// depend on the size of its operands, which [`sizes`] counts on the core
/// IR: its fixed part, and the words of the helpers whose work does not
/// depend on sizes.
fn helper_fuel(helper: Helper) -> Poly {
    let words = match helper {
        Helper::RegionGrow => CHUNK_SETUP_WORDS,
        Helper::RegionRelease => 16,
        // Numbers take at most four words; the result is one object.
        Helper::Arith | Helper::Pow | Helper::Neg => 16 + CHUNK_SETUP_WORDS,
        Helper::Compare | Helper::Concat | Helper::Prim1 | Helper::Prim2 | Helper::MatchFailure => 0,
        Helper::DepthExceeded | Helper::CellCycle | Helper::Unwind => 4,
    };
    Poly::constant(helper_base(helper) + words * HELPER_WORD)
}

/// Gas for the fresh memory a call's regions take, at most. Chunks come
/// back to the pool when their region is released and are taken again
/// (by class) before any is taken from the system, so the chunks of a
/// class from the system are at most those of it in use at once. A
/// region's first chunk is `CHUNK_BYTES`, one per region open at once; it
/// takes another only when an object does not fit in its last one, and the
/// new one is at most twice the last one's size or twice the object's, so
/// it is smaller than twice the bytes of the last chunk's objects and the
/// new object with a header. `allocated` words are allocated in all, by at
/// most `allocations` allocations.
fn grown_units(allocated: &Poly, allocations: &Poly, regions: u64) -> Poly {
    let allocated_bytes = allocated.scale(8);
    // First chunks: (regions + 1) of CHUNK_BYTES; the others, less than
    // 2·(2·allocated + a header per allocation): under 5 bytes per byte
    // allocated and 128 per allocation.
    let fixed = (regions + 1).saturating_mul(CHUNK_BYTES);
    let per_allocation = allocations.scale(2 * 64);
    allocated_bytes.scale(5).add(&per_allocation).plus(fixed).div_ceil(GROWN_BYTES_PER_UNIT)
}

/// The table `minc build` prints: one row per procedure with its gas
/// bound and code size, then what its transactions do (`summaries`, one
/// line per procedure in the same order).
pub fn table(costs: &[ProcedureCost], summaries: &[String]) -> String {
    let mut rows: Vec<[String; 3]> =
        vec![["procedure".into(), "gas at most (b: bytes of arguments)".into(), "code".into()]];
    for cost in costs {
        let name = cost.name.rsplit_once('.').map_or(cost.name.as_str(), |(_, name)| name).to_string();
        let gas = match &cost.gas {
            GasBound::Polynomial(coefficients) => {
                Poly::from_coefficients(coefficients.clone()).display("b").to_string()
            }
            GasBound::None(reason) => format!("no bound: {reason}"),
        };
        rows.push([name, gas, format!("{} B", poly::grouped(cost.code_bytes))]);
    }
    let width = |column: usize| rows.iter().map(|row| row[column].chars().count()).max().unwrap_or(0);
    let (first, second) = (width(0), width(1));
    let mut out = String::new();
    for row in &rows {
        let line = format!("  {:<first$}  {:<second$}  {}", row[0], row[1], row[2]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if !summaries.is_empty() {
        out.push('\n');
        for summary in summaries {
            out.push_str(&format!("  {summary}\n"));
        }
    }
    out
}
