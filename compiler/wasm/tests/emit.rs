//! The emitted module itself: that it validates, what it imports and
//! exports, where its data goes, and the errors of malformed programs.

mod support;

use min_lir::{BinOp, Expr, Helper, Static, StaticWord, Stmt, abi};
use min_wasm::abi::{FUNCTIONS, HEAP_BASE, IMPORT_MODULE, MEMORY, STATIC_BASE, VM_VARS, vm_global};
use min_wasm::{MemoryPages, WASM_STACK_BYTES_DEFAULT, WasmBackend, WasmError, emit, emit_with};
use support::{bin, c, func, program, ret, v};
use wasmparser::{ExternalKind, Operator, Parser, Payload, TypeRef, Validator, WasmFeatures};

/// A program that uses a bit of everything: statics, cells, every helper,
/// VM variables, direct, indirect and tail calls.
fn sample() -> min_lir::Program {
    let helpers: Vec<Stmt> =
        Helper::ALL.iter().map(|helper| Stmt::Drop(Expr::Helper(*helper, vec![c(1); helper.arity()]))).collect();
    let mut main = helpers;
    main.extend([
        Stmt::SetVm(min_lir::VmVar::Depth, bin(BinOp::Add, Expr::Vm(min_lir::VmVar::Depth), c(1))),
        Stmt::Store(Expr::Cell(0), 0, Expr::Static(0)),
        Stmt::Drop(Expr::CallIndirect(Box::new(Expr::Code(1)), vec![c(2)])),
        Stmt::TailCall(1, vec![v(0)]),
    ]);
    let next = func("next", 1, 1, vec![Stmt::TailCallIndirect(Expr::Code(1), vec![v(0)])]);
    let mut program = program(vec![func("main", 1, 1, main), next]);
    program.statics = vec![Static { words: vec![StaticWord::Raw(7), StaticWord::Code(1), StaticWord::Object(0)] }];
    program.cells = 2;
    program
}

#[test]
fn emitted_modules_validate_with_tail_calls_only() {
    let bytes = emit(&sample()).expect("emits");
    let features = WasmFeatures::WASM1 | WasmFeatures::TAIL_CALL;
    Validator::new_with_features(features).validate_all(&bytes).expect("valid with tail calls");
    let without_tail_calls = Validator::new_with_features(WasmFeatures::WASM1).validate_all(&bytes);
    assert!(without_tail_calls.is_err(), "tail calls are return_call instructions");
}

/// The memory of an emitted module: its initial size in pages and its
/// page size in bytes; and its heap base.
fn memory_and_heap_base(bytes: &[u8]) -> ((u64, u64), u64) {
    let mut memory = None;
    let mut heap_base = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.expect("parses") {
            Payload::MemorySection(reader) => {
                let each = reader.into_iter().next().expect("a memory").expect("parses");
                memory = Some((each.initial, each.page_size_log2.map_or(1 << 16, |log2| 1 << log2)));
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.expect("a global");
                    if !global.ty.mutable
                        && let Ok(Operator::I64Const { value }) = global.init_expr.get_operators_reader().read()
                    {
                        heap_base = Some(value as u64);
                    }
                }
            }
            _ => {}
        }
    }
    (memory.expect("a memory"), heap_base.expect("a heap base"))
}

#[test]
fn a_deployable_module_has_a_memory_of_bytes_that_ends_where_its_headroom_does() {
    let ((pages, page_bytes), heap_base) = memory_and_heap_base(&emit(&sample()).expect("emits"));
    assert_eq!((pages, page_bytes), ((heap_base + (32 << 10)).div_ceil(1 << 16), 1 << 16), "whole Wasm pages");
    let deployable = emit_with(&sample(), MemoryPages::Bytes).expect("emits");
    let ((bytes, byte_pages), same_base) = memory_and_heap_base(&deployable);
    assert_eq!((bytes, byte_pages, same_base), (heap_base + (32 << 10), 1, heap_base), "1-byte pages");
    let mut without_custom_pages = Validator::new_with_features(WasmFeatures::WASM1 | WasmFeatures::TAIL_CALL);
    assert!(without_custom_pages.validate_all(&deployable).is_err(), "custom page sizes are a proposal");
    // It runs like the other, growing its memory by bytes.
    let mut backend = WasmBackend::new(&deployable, WASM_STACK_BYTES_DEFAULT).expect("instantiates");
    let memory = min_lir::host::Backend::memory(&mut backend);
    let first = memory.grow(40 << 10).expect("room past the headroom");
    assert_eq!(memory.grow(8).expect("room"), first + (40 << 10));
}

#[test]
fn a_module_whose_calls_nest_a_known_depth_says_so_and_has_room_for_that_region_stack() {
    // `main` counts against the depth limit and calls `leaf`, which does too.
    let count = |var| Stmt::SetVm(var, bin(BinOp::Add, Expr::Vm(var), c(1)));
    let check = Stmt::Drop(Expr::Vm(min_lir::VmVar::DepthLimit));
    let main = func(
        "main",
        1,
        1,
        vec![check.clone(), count(min_lir::VmVar::Depth), Stmt::Drop(Expr::Call(1, vec![v(0)])), ret(c(0))],
    );
    let leaf = func("leaf", 1, 1, vec![check, count(min_lir::VmVar::Depth), ret(c(1))]);
    let program = program(vec![main, leaf]);
    assert_eq!(min_lir::depth_bound(&program), Some(2));
    let bytes = emit_with(&program, MemoryPages::Bytes).expect("emits");
    let mut constants = Vec::new();
    let mut exported = None;
    let mut memory_bytes = None;
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.expect("parses") {
            Payload::MemorySection(reader) => {
                memory_bytes = Some(reader.into_iter().next().expect("a memory").expect("parses").initial);
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global.expect("a global");
                    constants.push(match global.init_expr.get_operators_reader().read() {
                        Ok(Operator::I64Const { value }) => value,
                        _ => panic!("globals start as constants"),
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("an export");
                    if export.name == min_wasm::abi::DEPTH_BOUND {
                        assert_eq!(export.kind, ExternalKind::Global);
                        exported = Some(export.index as usize);
                    }
                }
            }
            _ => {}
        }
    }
    let heap_base = constants[VM_VARS.len()] as u64;
    assert_eq!(exported.map(|index| constants[index]), Some(2), "the bound is exported");
    // The static and arguments' descriptors, a stack of 2 + 2, two chunks.
    let headroom = abi::session_descriptor_bytes(2).expect("small") + 2 * 4096;
    assert_eq!(headroom, 6 * 24 + 8192);
    assert_eq!(memory_bytes, Some(heap_base + headroom));
    // A program that may recurse exports no bound and keeps the room for
    // a thousand-deep stack.
    assert!(!String::from_utf8_lossy(&emit(&sample()).expect("emits")).contains(min_wasm::abi::DEPTH_BOUND));
}

#[test]
fn imports_are_the_helpers_and_exports_the_entry_points() {
    let bytes = emit(&sample()).expect("emits");
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut data = Vec::new();
    let mut heap_base = None;
    let mut function_types = Vec::new();
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.expect("parses") {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group.expect("a type").into_types() {
                        let function = ty.unwrap_func().clone();
                        function_types.push((function.params().len(), function.results().len()));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.expect("an import");
                    let TypeRef::Func(ty) = import.ty else { panic!("only functions are imported") };
                    imports.push((import.module.to_string(), import.name.to_string(), function_types[ty as usize]));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("an export");
                    exports.push((export.name.to_string(), export.kind));
                }
            }
            Payload::GlobalSection(reader) => {
                let globals: Vec<_> = reader.into_iter().map(|global| global.expect("a global")).collect();
                assert_eq!(globals.len(), VM_VARS.len() + 1);
                assert!(globals[..VM_VARS.len()].iter().all(|global| global.ty.mutable));
                let last = &globals[VM_VARS.len()];
                assert!(!last.ty.mutable);
                let mut operators = last.init_expr.get_operators_reader();
                let Operator::I64Const { value } = operators.read().expect("an operator") else { panic!() };
                heap_base = Some(value as u64);
            }
            Payload::DataSection(reader) => {
                for segment in reader {
                    data.push(segment.expect("a segment").data.to_vec());
                }
            }
            _ => {}
        }
    }

    let expected_imports: Vec<_> = Helper::ALL
        .iter()
        .map(|helper| (IMPORT_MODULE.to_string(), helper.name().to_string(), (helper.arity(), 1)))
        .collect();
    assert_eq!(imports, expected_imports);

    let mut expected_exports =
        vec![(MEMORY.to_string(), ExternalKind::Memory), (FUNCTIONS.to_string(), ExternalKind::Table)];
    expected_exports.extend(VM_VARS.iter().map(|var| (vm_global(*var).to_string(), ExternalKind::Global)));
    expected_exports.push((HEAP_BASE.to_string(), ExternalKind::Global));
    expected_exports.push(("Test.main".to_string(), ExternalKind::Func));
    expected_exports.push(("Test.next".to_string(), ExternalKind::Func));
    assert_eq!(exports, expected_exports);

    // One static of three words, two cells.
    assert_eq!(heap_base, Some(STATIC_BASE + 5 * 8));
    let words: Vec<u64> = data[0].chunks(8).map(|word| u64::from_le_bytes(word.try_into().unwrap())).collect();
    let static_word = abi::pointer_word(STATIC_BASE);
    assert_eq!(words, [7, min_wasm::abi::code_word(1), static_word, abi::CELL_EMPTY, abi::CELL_EMPTY]);
}

#[test]
fn a_module_without_statics_has_no_data() {
    let bytes = emit(&program(vec![func("unit", 0, 0, vec![ret(c(abi::UNIT))])])).expect("emits");
    let data = Parser::new(0).parse_all(&bytes).filter(|payload| matches!(payload, Ok(Payload::DataSection(_))));
    assert_eq!(data.count(), 0);
}

#[test]
fn malformed_programs_are_errors() {
    let cases = [
        (vec![Stmt::Break(3), ret(c(0))], "break L3 outside its block in bad"),
        (vec![ret(v(1))], "variable v1 out of range in bad"),
        (vec![ret(Expr::Call(9, vec![]))], "function f9 does not exist in bad"),
        (vec![ret(Expr::Code(9))], "function f9 does not exist in bad"),
        (vec![Stmt::TailCall(9, vec![])], "function f9 does not exist in bad"),
        (vec![ret(Expr::Static(0))], "static s0 does not exist in bad"),
        (vec![ret(Expr::Cell(0))], "cell0 does not exist in bad"),
        (vec![Stmt::Set(1, c(0)), ret(c(0))], "variable v1 out of range in bad"),
        (vec![Stmt::Block(0, vec![]), Stmt::Break(0), ret(c(0))], "break L0 outside its block in bad"),
    ];
    for (body, message) in cases {
        let error = emit(&program(vec![func("bad", 1, 1, body)])).expect_err(message);
        assert_eq!(error, WasmError::Malformed(message.to_string()));
    }

    let error = emit(&program(vec![func("bad", 2, 1, vec![ret(c(0))])])).expect_err("more parameters than variables");
    assert_eq!(error, WasmError::Malformed("2 parameters but 1 variables in bad".to_string()));

    let mut dangling = program(vec![func("unit", 0, 0, vec![ret(c(abi::UNIT))])]);
    dangling.statics = vec![Static { words: vec![StaticWord::Object(1)] }];
    assert!(matches!(emit(&dangling), Err(WasmError::Malformed(_))));
    dangling.statics = vec![Static { words: vec![StaticWord::Code(1)] }];
    assert!(matches!(emit(&dangling), Err(WasmError::Malformed(_))));
}

#[test]
fn ill_typed_programs_are_invalid() {
    let callee = func("callee", 1, 1, vec![ret(v(0))]);
    let caller = func("caller", 0, 0, vec![ret(Expr::Call(1, vec![]))]);
    let error = emit(&program(vec![caller, callee])).expect_err("too few arguments");
    assert!(matches!(error, WasmError::Invalid(_)), "{error}");
}

#[test]
fn statics_too_large_for_memory32_are_an_error() {
    let mut program = program(vec![func("unit", 0, 0, vec![ret(c(abi::UNIT))])]);
    program.cells = u32::MAX / 4;
    let error = emit(&program).expect_err("too large");
    assert!(matches!(error, WasmError::TooLarge { .. }), "{error}");
}

#[test]
fn bytes_that_are_not_a_module_are_an_error() {
    let error = WasmBackend::new(b"\0asm\x01\0\0\0garbage", WASM_STACK_BYTES_DEFAULT).err().expect("rejected");
    assert!(matches!(error, WasmError::Runtime(_)), "{error}");
    let foreign = wasm_without_exports();
    let error = WasmBackend::new(&foreign, WASM_STACK_BYTES_DEFAULT).err().expect("rejected");
    assert_eq!(error, WasmError::Runtime(format!("the module has no export {MEMORY} of the expected kind")));
}

/// The smallest valid module: no imports, no exports.
fn wasm_without_exports() -> Vec<u8> {
    b"\0asm\x01\0\0\0".to_vec()
}

/// `0 + 1 + 1 + …`, nested `depth` deep.
fn nested_sum(depth: u64) -> Expr {
    (1..depth).fold(c(0), |sum, _| bin(BinOp::Add, sum, c(1)))
}

#[test]
fn nesting_is_bounded() {
    let fine = program(vec![func("fine", 0, 0, vec![ret(nested_sum(999))])]);
    assert_eq!(support::run(&fine, 0, &[]), 998);
    let deep = program(vec![func("deep", 0, 0, vec![ret(nested_sum(5_000))])]);
    let message = "statements and expressions nest deeper than 1000 in deep".to_string();
    assert_eq!(emit(&deep).expect_err("too deep"), WasmError::Malformed(message));
}
