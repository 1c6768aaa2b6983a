//! Min's Wasm backend: an LIR [`Program`](min_lir::Program) as a Wasm module
//! ([`emit()`]), and a wasmtime instance of such a module that runs it for the
//! run-time library ([`WasmBackend`]).
//!
//! # The module
//!
//! Every LIR word is an `i64`. Function `f` of `n` parameters becomes a Wasm
//! function `(i64 × n) → i64`; its other variables are `i64` locals. The
//! module
//!
//! - imports one function per [`Helper`](min_lir::Helper), in the order of
//!   [`Helper::ALL`](min_lir::Helper::ALL), from module [`abi::IMPORT_MODULE`]
//!   under [`Helper::name`](min_lir::Helper::name), of type
//!   `(i64 × arity) → i64`;
//! - has one table, exported as [`abi::FUNCTIONS`], holding every LIR function
//!   at index [`abi::code_word`]`(f)`; a closure's code word is that index,
//!   and slot 0 stays empty so that calling a zero word traps;
//! - exports the LIR [`Export`](min_lir::Export)s by their qualified names,
//!   the linear memory as [`abi::MEMORY`], each VM variable as a mutable
//!   `i64` global named by [`abi::vm_global`], and [`abi::HEAP_BASE`], an
//!   immutable `i64` global.
//!
//! # Linear memory
//!
//! One 32-bit memory without a maximum. Addresses below [`abi::STATIC_BASE`]
//! are never used. From there the static objects follow each other, then
//! one word per cell (initially [`CELL_EMPTY`](min_lir::abi::CELL_EMPTY)),
//! all laid out by an active data segment. The first 8-aligned address after
//! them is `heap_base`: [`Memory::grow`](min_lir::host::Memory::grow) hands out
//! memory from there upwards, growing the Wasm memory page by page. The
//! memory starts with room for the heap's first needs; a deployable module
//! measures it in bytes ([`MemoryPages::Bytes`]).
//!
//! Start reading at `emit/mod.rs` (the module's sections), then
//! `emit/check.rs` (what a program must satisfy) and `emit/body.rs` (one
//! function); the runner is `run/mod.rs`, its helper imports `run/host.rs`.

#![warn(missing_docs)]

pub mod abi;
mod emit;
mod error;
mod run;

pub use emit::{MemoryPages, emit, emit_with};
pub use error::WasmError;
pub use run::{FuelExhausted, HelperMeter, HelperUse, Prepared, WASM_STACK_BYTES_DEFAULT, WasmBackend};
