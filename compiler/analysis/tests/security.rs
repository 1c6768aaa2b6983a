//! Information flow in contract procedures (`spec/security.md`): what the
//! analysis accepts and what it rejects, on small contracts.

use min_analysis::Workspace;

const WALLET: &str = "object Wallet = Record owner:S balance:ℕ{owner} note:S\n\n";

/// The codes of the diagnostics of `source` after `prelude`, as file `name`.
fn codes_after(name: &str, prelude: &str, source: &str) -> Vec<&'static str> {
    let mut workspace = Workspace::new();
    let file = workspace.add_file(name, format!("{prelude}{source}"));
    workspace.diagnostics(file).iter().map(|d| d.code.info().name).collect()
}

/// The codes of the diagnostics of `source` (after the wallet type).
fn codes(source: &str) -> Vec<&'static str> {
    codes_after("wallet.min", WALLET, source)
}

#[test]
fn an_owner_check_joined_with_another_condition_authorizes_the_change() {
    let source = "procedure take : Signer → Wallet → ℕ → Wallet\n\
take me w n = if n ≤ w.balance ∧ w.owner == me.address then {w | balance = w.balance - n} else Prim.abort \"no\"\n";
    assert_eq!(codes(source), Vec::<&str>::new());
}

#[test]
fn an_inequality_authorizes_the_branch_where_it_is_false() {
    let source = "procedure take : Signer → Wallet → ℕ → Wallet\n\
take me w n = if me.address ≠ w.owner then Prim.abort \"no\" else {w | balance = n}\n";
    assert_eq!(codes(source), Vec::<&str>::new());
}

#[test]
fn the_check_holds_only_in_its_own_branch() {
    let source = "procedure take : Signer → Wallet → ℕ → Wallet\n\
take me w n = if me.address == w.owner then w else {w | balance = n}\n";
    assert_eq!(codes(source), vec!["E0801"]);
}

#[test]
fn comparing_with_a_parameter_is_not_an_owner_check() {
    let source = "procedure take : S → Wallet → ℕ → Wallet\n\
take who w n = if who == w.owner then {w | balance = n} else Prim.abort \"no\"\n";
    assert_eq!(codes(source), vec!["E0801"]);
}

#[test]
fn a_signer_built_by_the_procedure_is_not_authenticated() {
    let source = "procedure take : Wallet → ℕ → Wallet\n\
take w n = grant {address = w.owner} w n\n\n\
grant : Signer → Wallet → ℕ → Wallet\n\
grant me w n = if me.address == w.owner then {w | balance = n} else Prim.abort \"no\"\n";
    let mut found = codes(source);
    found.sort_unstable();
    assert_eq!(found, ["E0801", "E0809"], "the change is unauthorized, and the signer is forged");
}

#[test]
fn a_signer_only_tests_use_may_be_built_and_one_from_another_module_may_not() {
    let helper = "ada : Signer\nada = {address = \"ada\"}\n\n\
procedure spend : Signer → Wallet → Wallet\n\
spend me w = if me.address == w.owner then {w | balance = 0} else Prim.abort \"no\"\n\n\
test \"ada spends her wallet\" = (spend ada {owner = \"ada\", balance = 3, note = \"\"}).balance == 0\n";
    assert_eq!(codes(helper), Vec::<&str>::new(), "a signer only tests use");

    let mut workspace = Workspace::new();
    workspace.add_file("Keys.min", "admin : Signer\nadmin = {address = \"admin\"}\n".to_owned());
    let user = workspace.add_file(
        "user.min",
        format!(
            "import Keys\n\n{WALLET}procedure spend : Wallet → Wallet\nspend w = grant Keys.admin w\n\n\
grant : Signer → Wallet → Wallet\n\
grant me w = if me.address == w.owner then {{w | balance = 0}} else Prim.abort \"no\"\n"
        ),
    );
    let codes: Vec<&str> = workspace.diagnostics(user).iter().map(|d| d.code.info().name).collect();
    assert!(codes.contains(&"E0809"), "a signer that another module made: {codes:?}");
}

#[test]
fn a_helper_called_under_the_check_may_change_and_destroy() {
    let source = "procedure drain : Signer → Wallet → ℕ → ℕ\n\
drain me w n = if me.address == w.owner then close (set w n) else Prim.abort \"no\"\n\n\
set : Wallet → ℕ → Wallet\n\
set w n = {w | balance = n}\n\n\
close : Wallet → ℕ\n\
close {owner, balance, note} = balance\n";
    assert_eq!(codes(source), Vec::<&str>::new());
}

#[test]
fn a_helper_called_without_the_check_is_rejected_inside() {
    let source = "procedure drain : Wallet → ℕ → ℕ\n\
drain w n = close (set w n)\n\n\
set : Wallet → ℕ → Wallet\n\
set w n = {w | balance = n}\n\n\
close : Wallet → ℕ\n\
close {owner, balance, note} = balance\n";
    assert_eq!(codes(source), vec!["E0801", "E0802"]);
}

#[test]
fn unguarded_fields_change_freely() {
    let source = "procedure annotate : Wallet → S → Wallet\n\
annotate w text = {w | note = text, balance = w.balance}\n";
    assert_eq!(codes(source), Vec::<&str>::new());
}

#[test]
fn any_change_to_a_guarded_field_needs_its_authority() {
    let source = "procedure reset : Wallet → Wallet\nreset w = {w | balance = 0}\n";
    assert_eq!(codes(source), vec!["E0801"]);
}

#[test]
fn a_new_object_may_hold_anything_for_anyone() {
    let source = "procedure open_for : S → ℕ → Wallet\nopen_for who n = {owner = who, balance = n, note = \"\"}\n";
    assert_eq!(codes(source), Vec::<&str>::new());
}

#[test]
fn a_field_anyone_may_set_is_chosen_by_the_sender() {
    let source = "procedure copy : Wallet → Wallet\n\
copy w = {w | balance = Prim.length w.note}\n";
    assert!(codes(source).contains(&"E0801"), "{:?}", codes(source));
}

#[test]
fn a_new_object_owned_by_the_signer_takes_any_value() {
    let source = "procedure open : Signer → ℕ → Wallet\n\
open me n = {owner = me.address, balance = n, note = \"\"}\n";
    assert_eq!(codes(source), Vec::<&str>::new());
}

#[test]
fn recursion_is_analysed_with_arguments_the_sender_chose() {
    let source = "procedure pay : Signer → Wallet → [ℕ] → Wallet\n\
pay me w amounts = if me.address == w.owner then add w amounts else Prim.abort \"no\"\n\n\
add : Wallet → [ℕ] → Wallet\n\
add w [] = w\n\
add w (a :: rest) = add {w | balance = w.balance + a} rest\n\n\
procedure sneak : Wallet → [ℕ] → Wallet\n\
sneak w amounts = add w amounts\n";
    assert_eq!(codes(source), vec!["E0801"]);
}

const PURSE: &str = "asset Coin = Record value:ℕ\n\nobject Purse = Record owner:S coin:Coin{owner}\n\n\
add : Coin → Coin → Coin\nadd {value = a} {value = b} = {value = a + b}\n\n";

/// The codes of the diagnostics of `source` (after the purse types).
fn purse_codes(source: &str) -> Vec<&'static str> {
    codes_after("purse.min", PURSE, source)
}

#[test]
fn taking_an_object_apart_to_build_its_next_version_is_not_destroying_it() {
    let source = "procedure top_up : Purse → Purse → (Purse, Purse)\n\
top_up mine theirs = if 1 == 1 then pour mine theirs else Prim.abort \"never\"\n\n\
pour : Purse → Purse → (Purse, Purse)\n\
pour {owner = a, coin = x} {owner = b, coin = y} = ({owner = a, coin = {value = 0}}, {owner = b, coin = add x y})\n";
    assert_eq!(purse_codes(source), vec!["E0801", "E0801"], "both purses change without their owners");
    let signed = "procedure give : Signer → Purse → S → (Purse, Purse)\n\
give me mine to = if me.address == mine.owner then hand mine to else Prim.abort \"not yours\"\n\n\
hand : Purse → S → (Purse, Purse)\n\
hand {owner, coin} to = ({owner = owner, coin = {value = 0}}, {owner = to, coin = coin})\n";
    assert_eq!(purse_codes(signed), Vec::<&str>::new());
}

#[test]
fn a_new_version_with_another_owner_destroys_the_old_one() {
    let source = "procedure seize : Purse → S → Purse\n\
seize {owner, coin} thief = {owner = thief, coin = coin}\n";
    assert_eq!(purse_codes(source), vec!["E0802"]);
}

#[test]
fn rebuilding_on_one_branch_does_not_excuse_destroying_on_the_other() {
    let source = "object Pair = Record owner:S left:Coin{owner} right:Coin{owner}\n\n\
procedure split_off : Pair → Bool → (Pair, Purse)\n\
split_off {owner, left, right} keep = if keep then ({owner = owner, left = left, right = right}, {owner = owner, coin = {value = 0}}) else close owner left right\n\n\
close : S → Coin → Coin → (Pair, Purse)\n\
close owner left right = ({owner = \"nobody\", left = {value = 0}, right = {value = 0}}, {owner = owner, coin = add left right})\n";
    assert_eq!(purse_codes(source), vec!["E0802"]);
}

#[test]
fn calls_that_branch_out_at_every_level_are_analysed_in_bounded_time() {
    let mut source = String::from("procedure top : Wallet → Wallet\ntop w = f0 w\n\n");
    for level in 0..30 {
        let next = level + 1;
        source += &format!("f{level} : Wallet → Wallet\nf{level} w = f{next} (f{next} w)\n\n");
    }
    source += "f30 : Wallet → Wallet\nf30 w = {w | balance = 0}\n";
    // 2^30 paths through the calls: without the step budget this would not end.
    assert_eq!(codes(&source), vec!["E0801"]);
}

#[test]
fn the_standard_library_functions_without_a_bound_are_the_ones_that_count_down() {
    let workspace = Workspace::new();
    let modules = ["Prelude", "List", "String", "Math", "Normal", "Option", "Result"];
    let unbounded: Vec<String> = modules
        .iter()
        .filter_map(|module| workspace.interface_of(module))
        .flat_map(|interface| {
            let own = format!("{}.", interface.name);
            interface.unbounded.iter().filter(move |name| name.starts_with(&own)).cloned().collect::<Vec<_>>()
        })
        .collect();
    // `range`, `replicate` and `repeat` count a number down; `sort` recurses
    // on halves it computes and `pow` on `-x`, which the rule does not
    // recognise as smaller: it is conservative.
    let expected = ["Prelude.range", "List.replicate", "List.sort", "String.repeat", "Math.pow", "Math.pow_neg"];
    assert_eq!(unbounded, expected);
}

#[test]
fn a_procedure_that_counts_down_a_number_the_sender_chooses_is_rejected() {
    let bounded = "procedure total : Wallet → [ℕ] → Wallet\n\
total w xs = {w | note = Prim.show (sum xs)}\n\n\
sum : [ℕ] → ℕ\nsum [] = 0\nsum (x :: rest) = x + sum rest\n";
    assert_eq!(codes(bounded), Vec::<&str>::new());
    let unbounded = "procedure spin : Wallet → ℕ → Wallet\nspin w n = {w | note = Prim.show (down n)}\n\n\
down : ℕ → ℕ\ndown n = if n == 0 then 0 else down (n - 1)\n";
    assert_eq!(codes(unbounded), vec!["E0807"]);
}

#[test]
fn a_recursion_in_a_definition_checked_apart_still_bounds_its_importers() {
    let mut workspace = Workspace::new();
    // `down` is monomorphic and signed, so its module checks it apart.
    workspace.add_file("Helpers.min", "down : ℕ → ℕ\ndown n = if n == 0 then 0 else down (n - 1)\n".to_string());
    let contract =
        "import Helpers\n\nobject C = Record n:ℕ\n\nprocedure spin : C → ℕ → C\nspin c n = {c | n = Helpers.down n}\n";
    let file = workspace.add_file("contract.min", contract.to_string());
    let codes: Vec<&str> = workspace.diagnostics(file).iter().map(|d| d.code.info().name).collect();
    assert_eq!(codes, vec!["E0807"]);
}
