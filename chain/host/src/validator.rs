//! A validator's check of a call on the bytes the chain holds: the
//! objects' data, the transaction's parameters and its claim go into the
//! checker in their canonical encoding (`Contract::check_encoded`), and the
//! objects and events it accepts are the transaction's own bytes, never
//! decoded into values and encoded again.

use min_chain::contracts::{CreatedObject, Event};
use min_chain::transaction::Output;
use min_runtime::{Argument, Contract, ProcedureInfo, Role, TypeDesc, Value, event_type_name};

use crate::{Given, Objects, Packages, check_counts, check_object_type, check_output, object_type_name};

/// The arguments a call's transaction does not carry, made by the host:
/// the encoding of its signer and the value of its block time, for a
/// procedure that takes them.
pub(crate) struct Made<'c> {
    signer: Option<Vec<u8>>,
    time: Option<Value<'c>>,
}

impl<'c> Made<'c> {
    /// What `info` takes of `given`.
    pub(crate) fn of(contract: &'c Contract, info: &ProcedureInfo, given: Given) -> Result<Made<'c>, String> {
        let takes = |role: Role| info.arguments.iter().any(|slot| slot.role == role);
        let signer = match takes(Role::Signer) {
            true => Some(contract.signer_bytes(&given.signer.to_string()).map_err(|error| error.to_string())?),
            false => None,
        };
        let time = match takes(Role::Time) {
            true => Some(contract.time_value(given.time).map_err(|error| error.to_string())?),
            false => None,
        };
        Ok(Made { signer, time })
    }
}

/// A call's objects (consumed or read by reference) and parameters as the
/// checker takes them, in the procedure's order: each object's data, each
/// carried parameter's encoding, and what the host made at their places.
pub(crate) fn arguments<'a, 'c>(
    info: &ProcedureInfo,
    packages: &Packages<'_>,
    objects: &Objects<'a>,
    carried: &'a [Vec<u8>],
    made: &'a Made<'c>,
) -> Result<(Vec<Argument<'a, 'c>>, Vec<Argument<'a, 'c>>), String> {
    check_counts(info, objects)?;
    let (mut inputs, mut references) = (objects.inputs.iter(), objects.references.iter());
    let mut carried = carried.iter();
    let (mut object_arguments, mut param_arguments) = (Vec::new(), Vec::new());
    for slot in &info.arguments {
        match (slot.role, &slot.r#type) {
            (Role::Input, ty) => {
                let object = inputs.next().expect("counted");
                check_object_type(packages, object, ty)?;
                object_arguments.push(Argument::Encoded(&object.data));
            }
            (Role::Reference, TypeDesc::Data { args, .. }) if args.len() == 1 => {
                let object = references.next().expect("counted");
                check_object_type(packages, object, &args[0])?;
                object_arguments.push(Argument::Encoded(&object.data));
            }
            (Role::Reference, ty) => return Err(format!("{} reads a reference of type {ty:?}", info.name)),
            (Role::Param, _) => param_arguments.extend(carried.next().map(|bytes| Argument::Encoded(bytes))),
            (Role::Time, _) => param_arguments.extend(made.time.as_ref().map(Argument::Value)),
            (Role::Signer, _) => param_arguments.extend(made.signer.as_deref().map(Argument::Encoded)),
            (Role::Output | Role::Return | Role::Event, _) => {}
        }
    }
    Ok((object_arguments, param_arguments))
}

/// The components of the result a transaction claims, in order: each
/// created object's data from its outputs (each must be an object of its
/// type owned by the contract that declares it), the others as its
/// parameters carry them.
pub(crate) fn claim<'a, 'c>(
    info: &ProcedureInfo,
    packages: &Packages<'_>,
    outputs: &'a [Output],
    claimed: &'a [Vec<u8>],
) -> Result<Vec<Argument<'a, 'c>>, String> {
    let created = info.results.iter().filter(|slot| slot.role == Role::Output).count();
    if outputs.len() != created {
        return Err(format!("{} creates {created} objects, and the transaction {}", info.name, outputs.len()));
    }
    let (mut outputs, mut claimed) = (outputs.iter(), claimed.iter());
    let mut components = Vec::with_capacity(info.results.len());
    for slot in &info.results {
        let next = if slot.role == Role::Output {
            let Some(output) = outputs.next() else { unreachable!("the outputs were counted") };
            check_output(packages, output, &slot.r#type, components.len())?;
            &output.data
        } else {
            claimed.next().ok_or_else(|| format!("the transaction claims too few of {}'s results", info.name))?
        };
        components.push(Argument::Encoded(next));
    }
    Ok(components)
}

/// The objects an accepted claim creates and the events it logs, as the
/// chain keeps them: each created object's data as its output states it,
/// of the package of the contract that declares its type, and each event's
/// encoding as claimed (a list of events gives each element's), of the
/// contract's own package.
pub(crate) fn effects(
    contract: &Contract,
    info: &ProcedureInfo,
    packages: &Packages<'_>,
    outputs: &[Output],
    claimed: &[Vec<u8>],
) -> Result<(Vec<CreatedObject>, Vec<Event>), String> {
    let mut created = Vec::with_capacity(outputs.len());
    let (mut outputs, mut claimed) = (outputs.iter(), claimed.iter());
    let mut events = Vec::new();
    for slot in &info.results {
        match (slot.role, &slot.r#type) {
            (Role::Output, ty) => {
                let output = outputs.next().ok_or("the outputs were counted")?;
                let type_name = object_type_name(ty)?;
                created.push(CreatedObject {
                    package: packages.of_type(type_name),
                    type_name: type_name.to_owned(),
                    data: output.data.clone(),
                });
            }
            (Role::Event, TypeDesc::List(item)) => {
                let bytes = claimed.next().ok_or("the claim was counted")?;
                let type_name = event_type_name(item);
                for data in contract.elements(bytes, item).map_err(|error| error.to_string())? {
                    events.push(Event { package: packages.own, type_name: type_name.to_owned(), data: data.to_vec() });
                }
            }
            (Role::Event, ty) => {
                let data = claimed.next().ok_or("the claim was counted")?.clone();
                events.push(Event { package: packages.own, type_name: event_type_name(ty).to_owned(), data });
            }
            (_, _) => {
                claimed.next().ok_or("the claim was counted")?;
            }
        }
    }
    Ok((created, events))
}
