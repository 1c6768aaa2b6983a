//! Logged events as JSON: each event's value decoded against its
//! contract's types, the contract loaded from its package once per request.

use super::views;
use crate::hex;
use crate::routing::{LoggedEvent, Router};
use min_chain::contracts::{Event, Package};
use min_chain::objects::ObjectId;
use min_contract_host::{Contract, event_value, load_package};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Shows events, loading each contract they name once.
pub struct EventViews<'a> {
    router: &'a Router,
    contracts: BTreeMap<ObjectId, Result<Contract, String>>,
}

impl<'a> EventViews<'a> {
    /// Views that read packages through `router`.
    pub fn new(router: &'a Router) -> Self {
        Self { router, contracts: BTreeMap::new() }
    }

    /// An event: its contract's package, its type, its encoded value, and
    /// the value's fields as JSON (`null`, with `decodeError`, when the
    /// value does not decode).
    pub fn event(&mut self, event: &Event) -> Value {
        let mut shown = json!({
            "package": hex::encode(&event.package.0),
            "type": event.type_name,
            "data": hex::encode(&event.data),
            "fields": Value::Null,
        });
        match self.decoded(event) {
            Ok(fields) => shown["fields"] = fields,
            Err(reason) => shown["decodeError"] = Value::String(reason),
        }
        shown
    }

    /// A listed event: where it was logged, and the event.
    pub fn logged(&mut self, logged: &LoggedEvent) -> Value {
        let mut shown = self.event(&logged.event);
        shown["txId"] = Value::String(hex::encode(&logged.transaction.0));
        shown["shard"] = json!(logged.shard.0);
        shown["height"] = json!(logged.height);
        shown["index"] = json!(logged.index);
        shown
    }

    fn decoded(&mut self, event: &Event) -> Result<Value, String> {
        let router = self.router;
        let contract = self.contracts.entry(event.package).or_insert_with(|| {
            let object = router.object(&event.package).ok_or("the package is not on the chain")?.object;
            let package = Package::from_bytes(&object.data).map_err(|error| error.to_string())?;
            load_package(&package)
        });
        let contract = contract.as_ref().map_err(Clone::clone)?;
        event_value(contract, event).map(|value| views::value(&value))
    }
}
