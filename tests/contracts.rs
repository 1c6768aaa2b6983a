//! Contracts: procedures' dependency sets follow from their types, a
//! contract consumes and creates only its own objects, and a path that
//! aborts loses nothing (the transaction changes nothing).

use min_analysis::Workspace;
use min_analysis::types::TypePrinter;
use min_diagnostics::render_plain;
use min_tests::root;

/// The example bank, checked, with its diagnostics rendered.
fn bank() -> (Workspace, min_analysis::db::SourceFile) {
    let path = root().join("examples").join("bank.min");
    let mut workspace = Workspace::new();
    let file = workspace.add_file("bank.min", std::fs::read_to_string(path).expect("the example exists"));
    (workspace, file)
}

/// The codes of the diagnostics of `text`, added as `name`, each with its line.
fn codes_by_line(workspace: &mut Workspace, name: &str, text: &str) -> Vec<(&'static str, usize)> {
    let file = workspace.add_file(name, text.to_string());
    workspace
        .diagnostics(file)
        .iter()
        .map(|d| (d.code.info().name, text[..d.span.start as usize].matches('\n').count() + 1))
        .collect()
}

#[test]
fn each_procedure_lists_what_its_transactions_consume_carry_create_and_return() {
    let (workspace, file) = bank();
    assert!(workspace.diagnostics(file).is_empty(), "{}", render_plain(workspace.diagnostics(file), &workspace));
    let mut printer = TypePrinter::default();
    let mut show =
        |types: &[min_analysis::types::Type]| types.iter().map(|ty| printer.show(ty)).collect::<Vec<_>>().join(", ");
    let described: Vec<String> = workspace
        .check(file)
        .interface
        .procedures
        .iter()
        .map(|p| {
            format!(
                "{}: in [{}] params [{}] out [{}] returns [{}]",
                p.name,
                show(&p.inputs),
                show(&p.params),
                show(&p.outputs),
                show(&p.returns)
            )
        })
        .collect();
    assert_eq!(
        described,
        [
            "bank.open: in [] params [S] out [Account] returns []",
            "bank.deposit: in [Account] params [ℕ] out [Account] returns []",
            "bank.transfer: in [Account, Account] params [ℕ] out [Account, Account] returns []",
            "bank.close: in [Account] params [] out [] returns [ℕ]",
            "bank.balance_of: in [Account] params [] out [Account] returns [ℕ]",
        ]
    );
}

#[test]
fn a_contract_cannot_consume_or_create_another_contracts_objects() {
    let mut workspace = Workspace::new();
    let bank = std::fs::read_to_string(root().join("examples").join("bank.min")).expect("the example exists");
    workspace.add_file("Bank.min", bank);
    let shop = "\
import Bank (..)

procedure grab : Account → ℕ → Account
grab a n = deposit a n

procedure mint : S → Account
mint who = open who
";
    assert_eq!(codes_by_line(&mut workspace, "Shop.min", shop), [("E0603", 3), ("E0603", 6)]);
}

#[test]
fn an_aborting_path_loses_no_object() {
    let mut workspace = Workspace::new();
    let text = "\
object Account = Record holder:S balance:ℕ

procedure withdraw : Account → ℕ → (Account, ℕ)
withdraw a n = if n ≤ a.balance then ({a | balance = a.balance - n}, n) else abort \"insufficient funds\"

procedure drop : Account → ℕ
drop a = if a.balance == 0 then 0 else 1
";
    let file = workspace.add_file("Vault.min", text.to_string());
    let codes: Vec<&str> = workspace.diagnostics(file).iter().map(|d| d.code.info().name).collect();
    assert_eq!(codes, ["E0502"], "{}", render_plain(workspace.diagnostics(file), &workspace));
}

#[test]
fn events_are_plain_data_that_only_their_module_builds() {
    let mut workspace = Workspace::new();
    let ledger = std::fs::read_to_string(root().join("examples").join("ledger.min")).expect("the example exists");
    let ledger_file = workspace.add_file("Ledger.min", ledger);
    let logs: Vec<String> = workspace
        .check(ledger_file)
        .interface
        .procedures
        .iter()
        .map(|p| format!("{}: {}", p.name, p.summary()))
        .collect();
    assert_eq!(
        logs,
        [
            "Ledger.open: takes S · creates Wallet",
            "Ledger.mint: consumes Wallet · takes ℕ · creates Wallet · logs Supply",
            "Ledger.transfer: consumes Wallet, Wallet · takes ℕ · creates Wallet, Wallet · logs Transferred",
            "Ledger.close: consumes Wallet · returns ℕ · logs [Supply]",
        ]
    );
    // Copied and dropped freely: an event is not linear.
    let own = "\
event Paid = Record to:S amount:ℕ

twice : Paid → (Paid, Paid)
twice p = (p, p)

forget : Paid → ℕ
forget p = 0
";
    let own_file = workspace.add_file("Own.min", own.to_string());
    assert!(
        workspace.diagnostics(own_file).is_empty(),
        "{}",
        render_plain(workspace.diagnostics(own_file), &workspace)
    );
    // Another module neither builds one nor takes one apart.
    let forger = "\
import Ledger (..)

fake : Transferred
fake = {from = \"ada\", to = \"eve\", amount = 1000}

peek : Transferred → ℕ
peek {from, to, amount} = amount
";
    assert_eq!(codes_by_line(&mut workspace, "Forger.min", forger), [("E0504", 4), ("E0504", 7)]);
}
