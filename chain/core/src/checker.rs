//! The stateless checkers of the built-in procedures: given the consumed
//! inputs, the reference inputs, the parameters and the outputs the client
//! computed, each says whether the outputs are a correct result.

use crate::objects::{Address, Object, coin_value};
use crate::transaction::{Output, Procedure};

/// The facts a checker needs from the transaction and the shard.
pub struct CheckerInput<'a> {
    /// Who signed the transaction.
    pub signer: Address,
    /// The objects consumed, in the transaction's order.
    pub inputs: &'a [&'a Object],
    /// The objects read, in the transaction's order.
    pub references: &'a [&'a Object],
    /// The outputs the client computed.
    pub outputs: &'a [Output],
    /// The one key allowed to mint.
    pub faucet: Address,
}

/// Runs the checker of `procedure`; `Err` names the rule the outputs break.
pub fn check(procedure: &Procedure, facts: &CheckerInput<'_>) -> Result<(), &'static str> {
    if !facts.references.is_empty() {
        return Err("built-in procedures read no reference inputs");
    }
    match procedure {
        Procedure::Transfer { amount } => check_transfer(*amount, facts),
        Procedure::Split => check_split(facts),
        Procedure::Mint { amount } => check_mint(*amount, facts),
        Procedure::Publish | Procedure::Call { .. } => Err("contract transactions have no built-in checker"),
    }
}

fn check_transfer(amount: u128, facts: &CheckerInput<'_>) -> Result<(), &'static str> {
    if facts.inputs.is_empty() {
        return Err("a transfer consumes at least one coin");
    }
    let [payment, change @ ..] = facts.outputs else {
        return Err("a transfer creates a payment and at most one change coin");
    };
    if change.len() > 1 {
        return Err("a transfer creates a payment and at most one change coin");
    }
    if output_value(payment)? != amount {
        return Err("the payment's value differs from the amount");
    }
    if change.iter().any(|coin| coin.owner != facts.signer) {
        return Err("the change goes back to the signer");
    }
    conserves_value(facts)
}

fn check_split(facts: &CheckerInput<'_>) -> Result<(), &'static str> {
    if facts.inputs.len() != 1 {
        return Err("a split consumes exactly one coin");
    }
    if facts.outputs.len() < 2 {
        return Err("a split creates at least two coins");
    }
    if facts.outputs.iter().any(|coin| coin.owner != facts.signer) {
        return Err("a split's coins stay with the signer");
    }
    for coin in facts.outputs {
        if output_value(coin)? == 0 {
            return Err("a split creates no empty coin");
        }
    }
    conserves_value(facts)
}

fn check_mint(amount: u128, facts: &CheckerInput<'_>) -> Result<(), &'static str> {
    if facts.signer != facts.faucet {
        return Err("only the faucet mints");
    }
    if !facts.inputs.is_empty() {
        return Err("a mint consumes nothing");
    }
    let [coin] = facts.outputs else {
        return Err("a mint creates exactly one coin");
    };
    if output_value(coin)? != amount {
        return Err("the minted coin's value differs from the amount");
    }
    Ok(())
}

/// The outputs are worth exactly what the inputs were, with no overflow.
fn conserves_value(facts: &CheckerInput<'_>) -> Result<(), &'static str> {
    let mut consumed: u128 = 0;
    for input in facts.inputs {
        let value = input.coin_value().ok_or("an input is not a coin")?;
        consumed = consumed.checked_add(value).ok_or("the inputs' total value overflows")?;
    }
    let mut created: u128 = 0;
    for output in facts.outputs {
        created = created.checked_add(output_value(output)?).ok_or("the outputs' total value overflows")?;
    }
    if consumed != created {
        return Err("the outputs' value differs from the inputs'");
    }
    Ok(())
}

fn output_value(output: &Output) -> Result<u128, &'static str> {
    coin_value(output.type_tag, &output.data).ok_or("an output is not a coin")
}
