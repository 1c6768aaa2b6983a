//! The names of the prelude's types that the chain gives meaning to, shared
//! by the checker, which gives procedures' parameters their roles, and the
//! contract runtime, which builds their values.

/// The qualified name of the prelude's `Signer`, the type of the parameter
/// the chain fills in with a transaction's signer (`spec/security.md`).
pub const SIGNER: &str = "Prelude.Signer";

/// The qualified name of the prelude's `Time`, the type of the parameter
/// the chain fills in with the time of the block that runs a transaction
/// (`spec/security.md`).
pub const TIME: &str = "Prelude.Time";

/// The qualified name of the prelude's `Ref`, the type of a reference
/// input: an object a transaction reads without consuming it
/// (`spec/contracts.md`).
pub const REF: &str = "Prelude.Ref";
