//! The contracts one call reaches, each with the package it is published
//! as: the called contract, and the contracts it calls (those its package
//! links to). An object type belongs to the contract whose module
//! qualifies its name, and objects of that type are tagged with, and owned
//! by, that contract's package.

use min_chain::contracts::{contract_owner, contract_type_tag};
use min_chain::objects::{Address, ObjectId, TypeTag};
use min_runtime::Contract;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A contract that a call may call, loaded, with the package it is
/// published as.
#[derive(Clone)]
pub struct LinkedContract {
    /// Its package's id.
    pub package: ObjectId,
    /// Its contract.
    pub contract: Arc<Contract>,
}

/// The packages that a call of one contract reaches.
#[derive(Clone, Copy)]
pub struct Packages<'a> {
    /// The called contract's package.
    pub own: ObjectId,
    /// The contracts its package links to, in order.
    pub linked: &'a [LinkedContract],
}

impl Packages<'_> {
    /// The packages a call of the contract published as `own` reaches:
    /// `linked`, every contract its links reach (`reachable_packages`).
    /// Two of them of one module are refused: a procedure names the
    /// contracts it calls by module.
    pub fn reaching(own: ObjectId, linked: &[LinkedContract]) -> Result<Packages<'_>, String> {
        for (index, first) in linked.iter().enumerate() {
            let module = &first.contract.metadata().module;
            if let Some(second) = linked[index + 1..].iter().find(|other| &other.contract.metadata().module == module) {
                return Err(format!(
                    "the contracts the call reaches publish module {module} twice, as {} and {}",
                    first.package, second.package
                ));
            }
        }
        Ok(Packages { own, linked })
    }

    /// A call that reaches only the contract published as `own`.
    pub fn alone(own: ObjectId) -> Packages<'static> {
        Packages { own, linked: &[] }
    }

    /// The packages that a call of the contract published as `own`
    /// reaches, when it is one of these linked contracts: the same
    /// contracts, seen from it.
    pub fn of(&self, own: ObjectId) -> Packages<'_> {
        Packages { own, linked: self.linked }
    }

    /// The linked contract whose module qualifies `name` (a type's or a
    /// procedure's), if one does.
    pub fn linked_for(&self, name: &str) -> Option<&LinkedContract> {
        let (module, _) = name.rsplit_once('.')?;
        self.linked.iter().find(|linked| linked.contract.metadata().module == module)
    }

    /// The package of the contract that declares the type `type_name`: a
    /// linked contract's when its module qualifies the name, otherwise the
    /// called contract's (its own types and those of the libraries it
    /// imports).
    pub fn of_type(&self, type_name: &str) -> ObjectId {
        self.linked_for(type_name).map_or(self.own, |linked| linked.package)
    }

    /// Whether objects of type `type_name` belong to a contract the call calls.
    pub fn is_foreign(&self, type_name: &str) -> bool {
        self.of_type(type_name) != self.own
    }

    /// The tag of objects of type `type_name`.
    pub fn tag(&self, type_name: &str) -> TypeTag {
        contract_type_tag(self.of_type(type_name), type_name)
    }

    /// The owner of objects of type `type_name`: the contract that declares it.
    pub fn owner(&self, type_name: &str) -> Address {
        contract_owner(self.of_type(type_name))
    }

    /// The linked contracts by module name, as the handlers of calls
    /// between contracts (`min_runtime::calls`) take them.
    pub fn by_module(&self) -> BTreeMap<String, Arc<Contract>> {
        let by_module =
            self.linked.iter().map(|linked| (linked.contract.metadata().module.clone(), linked.contract.clone()));
        by_module.collect()
    }
}
