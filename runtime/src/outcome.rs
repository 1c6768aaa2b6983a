//! What a call gives back: its outcome as values ([`Outcome`]) or in the
//! canonical encoding ([`EncodedOutcome`]), a checker's [`Verdict`], and
//! the [`Argument`]s a call takes.

use min_interp::Value;
use min_metadata::{ProcedureInfo, Role, TypeDesc};

use crate::codec::DecodeError;
use crate::contract::Contract;

/// An argument of a call: a value, or the canonical encoding of one (an
/// object's data as the chain stores it, a parameter as a transaction
/// carries it), which is checked and read straight into the instance.
#[derive(Clone, Copy, Debug)]
pub enum Argument<'a, 'c> {
    /// A value of the argument's type.
    Value(&'a Value<'c>),
    /// The canonical encoding of a value of the argument's type (for a
    /// `Ref` parameter, of the object it refers to).
    Encoded(&'a [u8]),
}

impl Argument<'_, '_> {
    /// The bytes of an encoded argument; 0 for a value.
    pub(crate) fn encoded_len(&self) -> usize {
        match self {
            Argument::Value(_) => 0,
            Argument::Encoded(bytes) => bytes.len(),
        }
    }
}

/// What a call of a procedure produced.
#[derive(Clone, Debug)]
pub struct Outcome<'c> {
    /// The objects it created, in the order of its result's components.
    pub outputs: Vec<Value<'c>>,
    /// The other values it returned, in the same order.
    pub returns: Vec<Value<'c>>,
    /// The events it logged, in the order of its result's components (a
    /// list of events gives its elements in order).
    pub events: Vec<Event<'c>>,
    /// The components of its result in order, as the procedure made them:
    /// what [`Contract::check`] takes as a claim.
    pub result: Vec<Value<'c>>,
    /// The gas the call used, at most its limit (`spec/gas.md`).
    pub gas_used: u64,
}

impl<'c> Outcome<'c> {
    /// The outcome of a call of `info` whose result has `components` (of
    /// the declared types), with `gas_used`: objects into outputs, events
    /// into events (a list of events gives its elements), other values
    /// into returns.
    pub fn of(info: &ProcedureInfo, components: Vec<Value<'c>>, gas_used: u64) -> Outcome<'c> {
        let mut outcome = Outcome {
            outputs: Vec::new(),
            returns: Vec::new(),
            events: Vec::new(),
            result: components.clone(),
            gas_used,
        };
        for (component, slot) in components.into_iter().zip(&info.results) {
            match (slot.role, &slot.r#type) {
                (Role::Output, _) => outcome.outputs.push(component),
                (Role::Event, TypeDesc::List(item)) => {
                    let mut rest = component;
                    while let Value::Cons(pair) = rest {
                        outcome.events.push(Event { r#type: (**item).clone(), value: pair.head.clone() });
                        rest = pair.tail.clone();
                    }
                }
                (Role::Event, ty) => outcome.events.push(Event { r#type: ty.clone(), value: component }),
                _ => outcome.returns.push(component),
            }
        }
        outcome
    }
}

/// What a procedure's checker says of a claimed result.
#[derive(Clone, Debug)]
pub enum Verdict<'c> {
    /// The procedure makes exactly the claimed result: the claim, split as
    /// [`Contract::call`] splits a result, with the gas the check used.
    Accepted(Outcome<'c>),
    /// The procedure makes another result, or aborts on these arguments.
    Refused {
        /// The abort's message, when the procedure aborts.
        aborted: Option<String>,
    },
}

/// What a procedure's checker says of a claimed result given in the
/// canonical encoding ([`crate::Contract::check_encoded`]): [`Verdict`]
/// without the claim, which the caller has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodedVerdict {
    /// The procedure makes exactly the claimed result; the check used
    /// `gas_used`.
    Accepted {
        /// The gas the check used.
        gas_used: u64,
    },
    /// The procedure makes another result, or aborts on these arguments.
    Refused {
        /// The abort's message, when the procedure aborts.
        aborted: Option<String>,
    },
}

/// An event a call logged: a value of one of the contract's `event` types.
#[derive(Clone, Debug)]
pub struct Event<'c> {
    /// The event's type, [`TypeDesc::Data`] of an event type.
    pub r#type: TypeDesc,
    /// Its value.
    pub value: Value<'c>,
}

impl Event<'_> {
    /// The qualified name of the event's type (`bank.Transferred`).
    pub fn type_name(&self) -> &str {
        event_type_name(&self.r#type)
    }
}

/// The qualified name of the event type `ty` (`bank.Transferred`): its
/// data type's name, as the chain records events by (empty for a type
/// that is no data type, which no event has).
pub fn event_type_name(ty: &TypeDesc) -> &str {
    match ty {
        TypeDesc::Data { name, .. } => name,
        _ => "",
    }
}

/// One component of a procedure's result, encoded: a value's bytes, or a
/// list of events as each event's.
#[derive(Clone, Debug)]
pub(crate) enum Piece {
    /// The component's encoding.
    One(Vec<u8>),
    /// The encoding of each event of a list of events.
    Events(Vec<Vec<u8>>),
}

impl Piece {
    /// The component as a value of type `ty` (a list of events as the list).
    pub(crate) fn decode<'c>(&self, contract: &'c Contract, ty: &TypeDesc) -> Result<Value<'c>, DecodeError> {
        match (self, ty) {
            (Piece::One(bytes), _) => contract.decode(bytes, ty),
            (Piece::Events(events), TypeDesc::List(item)) => {
                let values = events.iter().map(|bytes| contract.decode(bytes, item)).collect::<Result<_, _>>()?;
                Ok(Value::list(values))
            }
            (Piece::Events(_), _) => {
                Err(DecodeError { offset: 0, reason: "a list of events whose type is not a list".into() })
            }
        }
    }
}

/// What a call of a procedure produced, in the canonical encoding:
/// [`Outcome`] with each value's bytes.
#[derive(Clone, Debug)]
pub struct EncodedOutcome<'c> {
    /// The objects it created, in the order of its result's components:
    /// each one's data.
    pub outputs: Vec<Vec<u8>>,
    /// The other values it returned, in the same order.
    pub returns: Vec<Vec<u8>>,
    /// The events it logged, in the order of its result's components (a
    /// list of events gives its elements in order).
    pub events: Vec<EncodedEvent<'c>>,
    /// The gas the call used, at most its limit (`spec/gas.md`).
    pub gas_used: u64,
}

/// An event a call logged, in the canonical encoding.
#[derive(Clone, Debug)]
pub struct EncodedEvent<'c> {
    /// The event's type, [`TypeDesc::Data`] of an event type.
    pub r#type: &'c TypeDesc,
    /// Its encoding.
    pub data: Vec<u8>,
}

impl<'c> EncodedOutcome<'c> {
    /// The outcome of a call of `info` whose result's components are
    /// `pieces`, split as [`Outcome::of`] splits values.
    pub(crate) fn of(info: &'c ProcedureInfo, pieces: Vec<Piece>, gas_used: u64) -> EncodedOutcome<'c> {
        let mut outcome = EncodedOutcome { outputs: Vec::new(), returns: Vec::new(), events: Vec::new(), gas_used };
        for (piece, slot) in pieces.into_iter().zip(&info.results) {
            match (piece, slot.role, &slot.r#type) {
                (Piece::Events(events), _, TypeDesc::List(item)) => {
                    outcome.events.extend(events.into_iter().map(|data| EncodedEvent { r#type: item, data }));
                }
                (Piece::Events(events), _, ty) => {
                    outcome.events.extend(events.into_iter().map(|data| EncodedEvent { r#type: ty, data }));
                }
                (Piece::One(data), Role::Output, _) => outcome.outputs.push(data),
                (Piece::One(data), Role::Event, ty) => outcome.events.push(EncodedEvent { r#type: ty, data }),
                (Piece::One(data), _, _) => outcome.returns.push(data),
            }
        }
        outcome
    }
}

impl EncodedEvent<'_> {
    /// The qualified name of the event's type (`bank.Transferred`).
    pub fn type_name(&self) -> &str {
        event_type_name(self.r#type)
    }
}
