//! Calls of the run-time library.

use std::panic::{AssertUnwindSafe, catch_unwind};

use min_lir::host::{Backend, Host, Memory};
use min_lir::{BinOp, Expr, Helper, Stmt, VmVar, abi};

use crate::support::*;

#[test]
fn helpers_of_every_arity_get_their_arguments() {
    // One helper of each arity, with distinct arguments, one of them read
    // from a parameter and one from a VM variable.
    let helpers: Vec<Helper> = (0..=5).map(helper_of_arity).collect();
    let functions = (helpers.iter())
        .map(|&helper| {
            let args = (0..helper.arity()).map(|i| {
                if i == 0 {
                    v(0)
                } else if i == 1 {
                    Expr::Vm(VmVar::Depth)
                } else {
                    c(i as u64 * 11)
                }
            });
            function(helper.name(), 1, 1, vec![ret(Expr::Helper(helper, args.collect()))])
        })
        .collect();
    let mut backend = compile(&program(functions));
    backend.set_vm(VmVar::Depth, 3);
    for (id, &helper) in helpers.iter().enumerate() {
        assert_eq!(helper.arity(), id);
        let mut host = TestHost::default();
        let result = backend.invoke(id as u32, &[u64::MAX - 1], &mut host);
        let expected_args: Vec<u64> = (0..id)
            .map(|i| {
                if i == 0 {
                    u64::MAX - 1
                } else if i == 1 {
                    3
                } else {
                    i as u64 * 11
                }
            })
            .collect();
        assert_eq!(host.calls, vec![(helper, expected_args.clone())]);
        assert_eq!(result, answer(helper, &expected_args));
    }
}

#[test]
fn region_grow_takes_memory_the_program_can_use() {
    // f0(region): p = region_grow(region, 24); [p] = 1; [p + 16] = 3; return p
    let body = vec![
        Stmt::Set(1, Expr::Helper(Helper::RegionGrow, vec![v(0), c(24)])),
        Stmt::Store(v(1), 0, c(1)),
        Stmt::Store(v(1), 16, c(3)),
        ret(v(1)),
    ];
    let mut backend = compile(&program(vec![function("f", 1, 2, body)]));
    let region = backend.memory().grow(abi::words(abi::REGION_WORDS)).unwrap();
    let mut host = TestHost::default();
    let address = backend.invoke(0, &[region], &mut host);
    let memory = backend.memory();
    assert_eq!(address % 8, 0);
    assert_eq!(memory.load(region), address + 24);
    assert_eq!(memory.load(region + 8), address + 4096);
    assert_eq!((memory.load(address), memory.load(address + 8), memory.load(address + 16)), (1, 0, 3));
}

/// A host whose helpers panic.
struct PanickingHost {
    calls: usize,
}

impl Host for PanickingHost {
    fn helper(&mut self, _: &mut dyn Memory, _: Helper, _: &[u64]) -> u64 {
        self.calls += 1;
        panic!("the host gave up");
    }
}

#[test]
fn a_host_panic_fails_the_helpers_and_resumes_after_the_call() {
    // f0(): a = h(1); b = h(2); Depth = a; return b
    let helper = helper_of_arity(1);
    let body = vec![
        Stmt::Set(0, Expr::Helper(helper, vec![c(1)])),
        Stmt::Set(1, Expr::Helper(helper, vec![c(2)])),
        Stmt::SetVm(VmVar::Depth, v(0)),
        ret(bin(BinOp::Add, v(1), c(0))),
    ];
    let mut backend = compile(&program(vec![function("f", 0, 2, body)]));
    let mut host = PanickingHost { calls: 0 };
    let outcome = catch_unwind(AssertUnwindSafe(|| backend.invoke(0, &[], &mut host)));
    let payload = outcome.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"the host gave up"));
    assert_eq!(host.calls, 1);
    assert_eq!(backend.vm(VmVar::Depth), abi::FAIL);
    // The backend stays usable.
    let mut host = TestHost::default();
    assert_eq!(backend.invoke(0, &[], &mut host), answer(helper, &[2]));
    assert_eq!(host.calls.len(), 2);
}
