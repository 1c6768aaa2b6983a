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
fn a_contract_handles_another_contracts_objects_only_through_its_procedures() {
    let mut workspace = Workspace::new();
    let bank = std::fs::read_to_string(root().join("examples").join("bank.min")).expect("the example exists");
    workspace.add_file("Bank.min", bank);
    let shop = "\
import Bank (..)

procedure keep : Account → Account
keep a = a

procedure grab : Account → ℕ → Account
grab a n = deposit a n

procedure mint : S → Account
mint who = made who

made : S → Account
made who = open who
";
    // `keep` calls none of `Bank`'s procedures, so it could neither hand
    // the account on nor get one; the others call `deposit` and `open`.
    assert_eq!(codes_by_line(&mut workspace, "Shop.min", shop), [("E0603", 3)]);
    let file = workspace.add_file("Shop.min", shop.to_string());
    let calls: Vec<String> =
        workspace.check(file).interface.procedures.iter().map(|p| format!("{}: {}", p.name, p.summary())).collect();
    assert_eq!(
        calls,
        [
            "Shop.grab: consumes Account · takes ℕ · creates Account · calls Bank.deposit",
            "Shop.mint: takes S · creates Account · calls Bank.open",
        ]
    );
}

/// The coin contract that `examples/calls/Shop.min` calls, added as `Gold.min`.
fn with_gold() -> Workspace {
    let mut workspace = Workspace::new();
    let gold = std::fs::read_to_string(root().join("examples/calls/Gold.min")).expect("the example exists");
    workspace.add_file("Gold.min", gold);
    workspace
}

#[test]
fn a_contract_may_not_use_another_contracts_internals() {
    let mut workspace = with_gold();
    let qualified = "\
import Gold

procedure cut : Signer → Gold.Coin → (Gold.Coin, Gold.Coin)
cut me c = Gold.split c 1 me.address

procedure next : ℕ → ℕ
next n = if n < Gold.most then n + 1 else n
";
    // `split` makes coins without `pay`'s check of the owner; `most` is a
    // number. That one error says it all: no second one for the coins.
    assert_eq!(codes_by_line(&mut workspace, "Shop.min", qualified), [("E0605", 4)]);
    let dressed = "\
import Gold

procedure keep : Gold.Coin → Gold.Coin
keep c = if Gold.most > 0 then c else c
";
    // Using `Gold`'s plain functions is no call to `Gold`.
    assert_eq!(codes_by_line(&mut workspace, "Keeper.min", dressed), [("E0603", 3)]);
    let unqualified = "\
import Gold (split)

helper : Gold.Coin → (Gold.Coin, Gold.Coin)
helper c = split c 1 \"eve\"

test \"a test may take a coin apart\" = match Gold.mint {address = \"a\"} (Gold.start {address = \"a\"}) 2 \"a\"
  (_, coin) → match split coin 1 \"b\"
    (_, b) → b.units.amount == 1
";
    assert_eq!(codes_by_line(&mut workspace, "Cutter.min", unqualified), [("E0605", 4)]);
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

#[test]
fn a_contract_holds_another_contracts_objects_through_a_contract_that_calls_it() {
    let mut workspace = with_gold();
    let shop = std::fs::read_to_string(root().join("examples/calls/Shop.min")).expect("the example exists");
    workspace.add_file("Shop.min", shop);
    // `Shop.buy` calls `Gold.pay`: the coins the basket hands it and takes
    // back go through `Gold`'s procedures.
    let through = "\
import Gold
import Shop

procedure buy : Signer → Shop.Stall → Gold.Coin → (Shop.Stall, Gold.Coin, Gold.Coin)
buy me stall coin = Shop.buy me stall coin
";
    assert_eq!(codes_by_line(&mut workspace, "Basket.min", through), []);
    // `Shop.open` calls nothing: a coin beside it goes through no procedure of `Gold`.
    let beside = "\
import Gold
import Shop

procedure open : Signer → Gold.Coin → (Shop.Stall, Gold.Coin)
open me coin = (Shop.open me 1, coin)
";
    assert_eq!(codes_by_line(&mut workspace, "Beside.min", beside), [("E0603", 4)]);
}

#[test]
fn an_interface_hash_names_what_a_caller_sees_and_nothing_else() {
    let gold = std::fs::read_to_string(root().join("examples/calls/Gold.min")).expect("the example exists");
    let interface_of = |text: &str| {
        let mut workspace = Workspace::new();
        let file = workspace.add_file("Gold.min", text.to_string());
        minc::artifact::build(&workspace, file).expect("the variant builds").interface
    };
    let mut workspace = Workspace::new();
    let shop = minc::load::load(&mut workspace, &root().join("examples/calls/Shop.min")).expect("the example loads");
    let built = minc::artifact::build(&workspace, shop).expect("the caller builds");
    let called: Vec<(&str, &str)> = built.calls.iter().map(|c| (c.module.as_str(), c.interface.as_str())).collect();
    let original = interface_of(&gold);
    assert_eq!(called, [("Gold", original.as_str())], "the caller records the interface it was compiled against");
    let metadata = min_metadata::Metadata::from_json(built.metadata.as_bytes()).expect("the metadata reads");
    assert_eq!(metadata.interface, metadata.interface_hash(), "the recorded hash is the one its metadata makes");

    let other_code = gold.replace("\"the coin holds less than that\"", "\"not enough gold\"");
    assert_eq!(interface_of(&other_code), original, "another body, the same interface");
    let other_type = gold
        .replace("procedure value : Ref Coin → ℕ", "procedure value : Ref Coin → ℤ")
        .replace("value c = c.units.amount", "value c = Prim.int_of_nat c.units.amount");
    assert_ne!(interface_of(&other_type), original, "a procedure's type is part of it");
    let other_field = gold.replace("owner:S units", "holder:S units").replace("{owner}", "{holder}");
    assert_ne!(interface_of(&other_field.replace("owner", "holder")), original, "so are the types' fields");
}

#[test]
fn a_failure_another_contract_returns_is_not_ignored() {
    let mut workspace = Workspace::new();
    let bank = "\
object Account = Record owner:S{owner} balance:ℕ{owner}

procedure withdraw : Signer → Account → ℕ → (Account, Result S ℕ)
withdraw me a n = if me.address == a.owner ∧ n ≤ a.balance then ({a | balance = a.balance - n}, Ok n) else (a, Err \"refused\")
";
    workspace.add_file("Bank.min", bank.to_string());
    let ignoring = "\
import Bank

object Throne = Record king:S price:ℕ

procedure claim : Signer → Throne → Bank.Account → ℕ → (Throne, Bank.Account)
claim me t a offered = match Bank.withdraw me a offered
  (account, _) → ({t | king = me.address, price = offered}, account)
";
    // King of the Ether Throne across contracts: the withdrawal may fail,
    // and the throne changes hands anyway.
    assert_eq!(codes_by_line(&mut workspace, "King.min", ignoring), [("E0806", 6)]);
    let looking = ignoring.replace(
        "  (account, _) → ({t | king = me.address, price = offered}, account)",
        "  (account, Ok _) → ({t | king = me.address, price = offered}, account)\n  (account, Err reason) → Prim.abort reason",
    );
    assert_eq!(codes_by_line(&mut workspace, "King.min", &looking), []);
}
