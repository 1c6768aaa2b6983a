//! Linear asset types across modules: only the declaring module builds or
//! takes apart an asset, and what other modules infer about their generic
//! definitions (which variables may stand for an asset) reaches importers.

use min_analysis::Workspace;
use min_diagnostics::{Diagnostic, render_plain};

const COIN: &str = "\
asset Coin = Record value:ℕ
asset Ticket = Tag Seat row:ℕ | Standing

mint : ℕ → Coin
mint n = {value = n}

merge : Coin → Coin → Coin
merge {value = a} {value = b} = {value = a + b}

burn : Coin → ℕ
burn {value = v} = v

seat : ℕ → Ticket
seat row = Seat row
";

const BAG: &str = "\
import Coin (Coin)

# Holds a coin: linear, though not itself an asset.
Bag = Record coin:Coin label:S

# Generic helpers: `keep` uses its argument once, `twice` copies it.
keep : a → a
keep x = x

twice : a → (a, a)
twice x = (x, x)

pack : Coin → S → Bag
pack c label = {coin = c, label = label}
";

/// The diagnostics of `files` (name, text), as (file, line, code) and rendered.
fn check(files: &[(&str, &str)]) -> (Vec<(String, usize, String)>, String) {
    let mut workspace = Workspace::new();
    let handles: Vec<_> = files.iter().map(|(name, text)| workspace.add_file(name, text.to_string())).collect();
    let mut found = Vec::new();
    let mut all: Vec<Diagnostic> = Vec::new();
    for (&file, (name, text)) in handles.iter().zip(files) {
        for diagnostic in workspace.diagnostics(file) {
            let line = text[..diagnostic.span.start as usize].matches('\n').count() + 1;
            found.push((name.to_string(), line, diagnostic.code.info().name.to_string()));
            all.push(diagnostic.clone());
        }
    }
    let rendered = render_plain(&all, &workspace);
    (found, rendered)
}

fn expect(files: &[(&str, &str)], expected: &[(&str, usize, &str)]) {
    let (found, rendered) = check(files);
    let expected: Vec<(String, usize, String)> =
        expected.iter().map(|(f, l, c)| (f.to_string(), *l, c.to_string())).collect();
    assert_eq!(found, expected, "{rendered}");
}

#[test]
fn the_declaring_module_and_its_users_check_cleanly() {
    let user = "\
import Coin (..)
import Bag (..)

pay : Coin → Coin → Coin
pay a b = merge a b

bagged : ℕ → Bag
bagged n = pack (mint n) \"tips\"

unbag : Bag → Coin
unbag {coin, label} = coin

label_of : Bag → (S, Bag)
label_of b = (b.label, b)

kept : Coin → Coin
kept c = keep c

values : [Coin] → [ℕ]
values cs = map burn cs
";
    expect(&[("Coin.min", COIN), ("Bag.min", BAG), ("User.min", user)], &[]);
}

#[test]
fn other_modules_cannot_build_or_take_apart_an_asset() {
    let thief = "\
import Coin (..)

forge : ℕ → Coin
forge n = {value = n}

forge_too : ℕ → Coin
forge_too n = Coin n

inflate : Coin → Coin
inflate c = {c | value = 1000}

melt : Coin → ℕ
melt {value = v} = v

usher : Ticket → ℕ
usher t = match t
  Seat row → row
  Standing → 0

print : ℕ → Ticket
print row = Seat row
";
    expect(
        &[("Coin.min", COIN), ("Thief.min", thief)],
        &[
            ("Thief.min", 4, "E0504"),
            ("Thief.min", 7, "E0504"),
            ("Thief.min", 10, "E0504"),
            ("Thief.min", 13, "E0504"),
            ("Thief.min", 17, "E0504"),
            ("Thief.min", 18, "E0504"),
            ("Thief.min", 21, "E0504"),
        ],
    );
}

#[test]
fn what_a_module_infers_about_its_generic_definitions_reaches_its_importers() {
    let user = "\
import Coin (..)
import Bag (..)

copies : Coin → (Coin, Coin)
copies c = twice c

bags : Bag → (Bag, Bag)
bags b = twice b

keeps : Bag → Bag
keeps b = keep b

loses : Bag → ℕ
loses b = 0

steals : Bag → Coin
steals b = b.coin
";
    expect(
        &[("Coin.min", COIN), ("Bag.min", BAG), ("User.min", user)],
        &[("User.min", 5, "E0505"), ("User.min", 8, "E0505"), ("User.min", 14, "E0502"), ("User.min", 17, "E0507")],
    );
}

#[test]
fn only_the_contract_builds_or_takes_apart_its_objects() {
    let bank = "\
object Account = Record holder:S balance:ℕ

open : S → Account
open who = {holder = who, balance = 0}

deposit : Account → ℕ → Account
deposit a amount = {a | balance = a.balance + amount}
";
    let user = "\
import Bank (..)

mine : S → Account
mine who = deposit (open who) 10

counterfeit : S → Account
counterfeit who = {holder = who, balance = 1000}

drain : Account → ℕ
drain {balance} = balance
";
    expect(&[("Bank.min", bank), ("User.min", user)], &[("User.min", 7, "E0504"), ("User.min", 10, "E0504")]);
}

#[test]
fn the_prelude_says_which_of_its_variables_may_be_linear() {
    let user = "\
import Coin (..)

kept : [Coin] → [Coin]
kept cs = reverse (map (λc → c) cs ++ foldr (λc acc → c :: acc) [] [])

first : (Coin, ℕ) → Coin
first p = fst p

first_of_two : (Coin, Coin) → Coin
first_of_two p = fst p

rich : [Coin] → ℕ
rich cs = length cs
";
    expect(&[("Coin.min", COIN), ("User.min", user)], &[("User.min", 10, "E0505"), ("User.min", 13, "E0505")]);
}
