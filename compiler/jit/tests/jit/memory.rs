//! Loads and stores, cells, and VM variables.

use min_lir::host::Backend;
use min_lir::{BinOp, Expr, Stmt, VmVar, abi};

use crate::support::*;

#[test]
fn loads_and_stores_at_offsets() {
    // f0(p): [p + 8] = [p] + 1; [p + 16] = 7; return [p + 8] * [p + 16 - 8]
    let body = vec![
        Stmt::Store(v(0), 8, bin(BinOp::Add, load(v(0), 0), c(1))),
        Stmt::Store(bin(BinOp::Add, v(0), c(24)), -8, c(7)),
        ret(bin(BinOp::Mul, load(v(0), 8), load(bin(BinOp::Add, v(0), c(16)), -8))),
    ];
    let mut backend = compile(&program(vec![function("f", 1, 1, body)]));
    let address = backend.memory().grow(24).unwrap();
    assert_eq!(address % 8, 0);
    backend.memory().store(address, 41);
    assert_eq!(run(&mut backend, 0, &[address]), 42 * 42);
    assert_eq!(backend.memory().load(address + 8), 42);
    assert_eq!(backend.memory().load(address + 16), 7);
    assert_eq!(backend.memory().read(address + 16, 2), vec![7, 0]);
}

#[test]
fn cells_start_empty_and_keep_their_value_between_calls() {
    // f0(): if [cell1] == EMPTY { [cell1] = 5; return 0 } else return [cell1] + [cell0]
    let cell = |id| Expr::Cell(id);
    let body = vec![if_(
        bin(BinOp::Eq, load(cell(1), 0), c(abi::CELL_EMPTY)),
        vec![Stmt::Store(cell(1), 0, c(5)), ret(c(0))],
        vec![ret(bin(BinOp::Add, load(cell(1), 0), load(cell(0), 0)))],
    )];
    let address = function("address", 0, 0, vec![ret(cell(1))]);
    let mut program = program(vec![function("f", 0, 0, body), address]);
    program.cells = 2;
    let mut backend = compile(&program);
    assert_eq!(run(&mut backend, 0, &[]), 0);
    assert_eq!(run(&mut backend, 0, &[]), 5u64.wrapping_add(abi::CELL_EMPTY));
    let cell1 = backend.cell_address(1).unwrap();
    assert_eq!(run(&mut backend, 1, &[]), cell1);
    assert_eq!(backend.memory().load(cell1), 5);
    let cell0 = backend.cell_address(0).unwrap();
    assert_eq!(backend.memory().load(cell0), abi::CELL_EMPTY);
    assert_eq!(backend.cell_address(2), None);
}

#[test]
fn vm_variables_are_shared_with_the_backend() {
    let vars = [VmVar::Depth, VmVar::DepthLimit, VmVar::RegionTop, VmVar::StaticRegion];
    // f0(): each variable becomes 10 × itself + its index; returns the sum of the old values.
    let mut body = vec![Stmt::Set(0, c(0))];
    for (index, var) in vars.iter().enumerate() {
        body.push(Stmt::Set(0, bin(BinOp::Add, v(0), Expr::Vm(*var))));
        body.push(Stmt::SetVm(*var, bin(BinOp::Add, bin(BinOp::Mul, Expr::Vm(*var), c(10)), c(index as u64))));
    }
    body.push(ret(v(0)));
    let mut backend = compile(&program(vec![function("f", 0, 1, body)]));
    for var in vars {
        assert_eq!(backend.vm(var), 0);
    }
    for (index, var) in vars.iter().enumerate() {
        backend.set_vm(*var, index as u64 + 1);
    }
    assert_eq!(run(&mut backend, 0, &[]), 1 + 2 + 3 + 4);
    for (index, var) in vars.iter().enumerate() {
        assert_eq!(backend.vm(*var), (index as u64 + 1) * 10 + index as u64);
    }
}
