//! Transactions: a built-in procedure, the object versions it consumes, the
//! objects it reads, its parameters, the outputs the client computed, and
//! the client's ed25519 signature. Validators check the outputs with the
//! procedure's checker instead of re-running the client's computation.

use crate::encoding::{DecodeError, Reader, Writer};
use crate::objects::{Address, ObjectId, ObjectRef, TypeTag, data_bytes_max};
use commonware_cryptography::{Hasher as _, Sha256};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use std::borrow::Borrow;
use std::fmt;

/// The most inputs a transaction may consume.
pub const INPUTS_MAX: usize = 16;
/// The most reference inputs a transaction may read.
pub const REFERENCES_MAX: usize = 16;
/// The most outputs a transaction may create.
pub const OUTPUTS_MAX: usize = 16;
/// The largest parameter string, in bytes: a contract call's parameters
/// carry its claimed results and the records of its calls of other
/// contracts besides its parameter values.
pub const PARAMS_BYTES_MAX: usize = 64 * 1024;
/// The longest procedure name a call may carry, in bytes.
pub const PROCEDURE_NAME_BYTES_MAX: usize = 128;
/// The largest encoded transaction, in bytes.
pub const TRANSACTION_BYTES_MAX: usize = 256 * 1024;

/// Prefixes the hash of a transaction's body, so no other message of the
/// protocol can be taken for one.
const TRANSACTION_DOMAIN: &[u8] = b"min-chain/transaction/v1";
/// Prefixes what a client signs.
const SIGNATURE_DOMAIN: &[u8] = b"min-chain/signature/v1";
/// Prefixes the derivation of an output's id.
const OUTPUT_DOMAIN: &[u8] = b"min-chain/output/v1";

/// What a transaction runs: a built-in procedure over coins, the publication
/// of a compiled contract, or a procedure of a published contract.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Procedure {
    /// Pays `amount` from the signer's input coins to the first output;
    /// a second output, owned by the signer, takes the change.
    Transfer {
        /// The value of the first output.
        amount: u128,
    },
    /// Splits the signer's one input coin into several coins of the same
    /// total value, all owned by the signer.
    Split,
    /// Creates one coin of `amount` out of nothing; only the faucet may sign it.
    Mint {
        /// The value of the new coin.
        amount: u128,
    },
    /// Publishes a compiled contract: the one output is its package
    /// (`crate::contracts`), created on every shard.
    Publish,
    /// Runs procedure `name` of the contract whose package is the first
    /// reference input; `params` carries its encoded parameters.
    Call {
        /// The procedure's name in the contract.
        name: String,
        /// Free: the client chooses it so that otherwise equal calls differ
        /// and so that the outputs' ids land on the shard of the inputs.
        salt: u64,
    },
}

impl Procedure {
    /// The length of its encoding, in bytes, computed without encoding.
    fn encoded_len(&self) -> usize {
        match self {
            Self::Transfer { .. } | Self::Mint { .. } => 1 + 16,
            Self::Split | Self::Publish => 1,
            Self::Call { name, .. } => 1 + 4 + name.len() + 8,
        }
    }

    fn encode(&self, writer: &mut Writer) {
        match *self {
            Self::Transfer { amount } => {
                writer.u8(0);
                writer.u128(amount);
            }
            Self::Split => writer.u8(1),
            Self::Mint { amount } => {
                writer.u8(2);
                writer.u128(amount);
            }
            Self::Publish => writer.u8(3),
            Self::Call { ref name, salt } => {
                writer.u8(4);
                writer.bytes(name.as_bytes());
                writer.u64(salt);
            }
        }
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match reader.u8("procedure")? {
            0 => Ok(Self::Transfer { amount: reader.u128("transfer amount")? }),
            1 => Ok(Self::Split),
            2 => Ok(Self::Mint { amount: reader.u128("mint amount")? }),
            3 => Ok(Self::Publish),
            4 => {
                let name = reader.bytes("procedure name", PROCEDURE_NAME_BYTES_MAX)?;
                let name = String::from_utf8(name)
                    .map_err(|_| DecodeError::Invalid { reason: "a procedure name is UTF-8" })?;
                Ok(Self::Call { name, salt: reader.u64("call salt")? })
            }
            tag => Err(DecodeError::UnknownTag { what: "procedure", tag }),
        }
    }
}

/// An object a transaction creates, as the client computed it; the chain
/// gives it a fresh id derived from the transaction's hash and version 1.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Output {
    /// Who will own the object.
    pub owner: Address,
    /// Its type.
    pub type_tag: TypeTag,
    /// Its contents.
    pub data: Vec<u8>,
}

/// A transaction's hash: sha256 of its body's canonical encoding under a
/// domain prefix. Two signatures over the same body have the same id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TxId(pub [u8; 32]);

impl fmt::Debug for TxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: String = self.0[..4].iter().map(|b| format!("{b:02x}")).collect();
        write!(f, "TxId({prefix})")
    }
}

impl TxId {
    /// The id of the `index`-th output of this transaction.
    pub fn output_id(&self, index: usize) -> ObjectId {
        let index = u32::try_from(index).expect("outputs are bounded by OUTPUTS_MAX");
        let digest = Sha256::hash(&[OUTPUT_DOMAIN, &self.0, &index.to_le_bytes()]);
        ObjectId(digest.0)
    }

    /// The reference of the `index`-th output as created: its id at version 1.
    pub fn output_ref(&self, index: usize) -> ObjectRef {
        ObjectRef { id: self.output_id(index), version: 1 }
    }
}

/// Everything a transaction says except its signature.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TransactionBody {
    /// What to run.
    pub procedure: Procedure,
    /// The object versions it consumes.
    pub inputs: Vec<ObjectRef>,
    /// The object versions it reads without consuming.
    pub references: Vec<ObjectRef>,
    /// Procedure parameters; for the built-ins, free bytes that make
    /// otherwise equal transactions distinct.
    pub params: Vec<u8>,
    /// The objects it creates, as the client computed them.
    pub outputs: Vec<Output>,
    /// Who signs, and must own every input.
    pub signer: Address,
}

/// A signed transaction. Its body cannot change once signed, so its id
/// is computed once, when it is signed or decoded.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Transaction {
    body: TransactionBody,
    /// The body's id.
    id: TxId,
    /// The signer's ed25519 signature over the body's id.
    pub signature: [u8; 64],
}

impl TransactionBody {
    /// The length of its encoding, in bytes, computed without encoding:
    /// every list and byte string is a 4-byte length and its items.
    fn encoded_len(&self) -> usize {
        let references = |list: &[ObjectRef]| 4 + list.len() * (32 + 8);
        let outputs: usize = self.outputs.iter().map(|output| 32 + 32 + 4 + output.data.len()).sum();
        self.procedure.encoded_len()
            + references(&self.inputs)
            + references(&self.references)
            + 4
            + self.params.len()
            + 4
            + outputs
            + 32
    }

    fn encode(&self, writer: &mut Writer) {
        self.procedure.encode(writer);
        encode_refs(writer, &self.inputs);
        encode_refs(writer, &self.references);
        writer.bytes(&self.params);
        writer.length(self.outputs.len());
        for output in &self.outputs {
            writer.array(&output.owner.0);
            writer.array(&output.type_tag.0);
            writer.bytes(&output.data);
        }
        writer.array(&self.signer.0);
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let procedure = Procedure::decode(reader)?;
        let inputs = decode_refs(reader, "inputs", INPUTS_MAX)?;
        let references = decode_refs(reader, "references", REFERENCES_MAX)?;
        let params = reader.bytes("params", PARAMS_BYTES_MAX)?;
        let outputs = reader.list("outputs", OUTPUTS_MAX, |reader| {
            let owner = Address(reader.array("output owner")?);
            let type_tag = TypeTag(reader.array("output type tag")?);
            let data = reader.bytes("output data", data_bytes_max(type_tag))?;
            Ok(Output { owner, type_tag, data })
        })?;
        let signer = Address(reader.array("signer")?);
        Ok(Self { procedure, inputs, references, params, outputs, signer })
    }

    /// The canonical encoding of the body alone.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        self.encode(&mut writer);
        writer.into_bytes()
    }

    /// The transaction's id, the same on every node.
    pub fn id(&self) -> TxId {
        TxId(Sha256::hash(&[TRANSACTION_DOMAIN, &self.to_bytes()]).0)
    }

    /// Signs the body with `key`, which must be the signer's.
    pub fn sign(self, key: &SigningKey) -> Transaction {
        assert_eq!(key.verifying_key().to_bytes(), self.signer.0, "a transaction is signed by its signer");
        let id = self.id();
        let signature = key.sign(&signing_message(&id)).to_bytes();
        Transaction { body: self, id, signature }
    }
}

impl Transaction {
    /// A transaction of `body` carrying `signature`, which may or may not
    /// be the signer's (a signature is checked where it matters).
    pub fn with_signature(body: TransactionBody, signature: [u8; 64]) -> Self {
        Self { id: body.id(), body, signature }
    }

    /// What the transaction says.
    pub fn body(&self) -> &TransactionBody {
        &self.body
    }

    /// The transaction's id (that of its body).
    pub fn id(&self) -> TxId {
        self.id
    }

    /// The canonical encoding: the body, then the 64 signature bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut writer = Writer::new();
        self.encode(&mut writer);
        writer.into_bytes()
    }

    /// The length of the canonical encoding, in bytes, computed without
    /// encoding (a proposer sizes every transaction it considers).
    pub fn encoded_len(&self) -> usize {
        self.body.encoded_len() + 64
    }

    /// Writes the canonical encoding.
    pub fn encode(&self, writer: &mut Writer) {
        self.body.encode(writer);
        writer.array(&self.signature);
    }

    /// Decodes exactly one transaction from `bytes`, rejecting oversized,
    /// truncated or trailing input.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        if bytes.len() > TRANSACTION_BYTES_MAX {
            return Err(DecodeError::TooLong {
                what: "transaction",
                length: bytes.len() as u64,
                limit: TRANSACTION_BYTES_MAX as u64,
            });
        }
        let mut reader = Reader::new(bytes);
        let body = TransactionBody::decode(&mut reader)?;
        let signature = reader.array("signature")?;
        reader.finish()?;
        Ok(Self::with_signature(body, signature))
    }

    /// Whether the signature is the signer's over this body, by the same
    /// (batch) verification equation that [`verify_signatures`] uses, so a
    /// transaction is valid alone exactly when it is valid in a batch.
    pub fn verify_signature(&self) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&self.body.signer.0) else {
            return false;
        };
        let signature = Signature::from_bytes(&self.signature);
        let message = signing_message(&self.id());
        ed25519_dalek::verify_batch(&[message.as_slice()], &[signature], &[key]).is_ok()
    }
}

/// Which transactions of `transactions` carry a valid signature, one flag
/// per transaction (given as values or as references). All are checked in
/// one ed25519 batch; only if the batch fails is each checked on its own,
/// to find the bad ones.
pub fn verify_signatures<T: Borrow<Transaction>>(transactions: &[T]) -> Vec<bool> {
    let keys =
        transactions.iter().map(|transaction| VerifyingKey::from_bytes(&transaction.borrow().body.signer.0).ok());
    verify_signatures_with_keys(transactions, keys.collect())
}

/// [`verify_signatures`], given each transaction's signer key with its
/// point decompressed (`None` where the signer's address is not a key),
/// which a caller may have remembered from before.
pub fn verify_signatures_with_keys<T: Borrow<Transaction>>(
    transactions: &[T],
    signer_keys: Vec<Option<VerifyingKey>>,
) -> Vec<bool> {
    let each_alone = || transactions.iter().map(|transaction| transaction.borrow().verify_signature()).collect();
    let mut messages = Vec::with_capacity(transactions.len());
    let mut signatures = Vec::with_capacity(transactions.len());
    let mut keys = Vec::with_capacity(transactions.len());
    for (transaction, key) in transactions.iter().map(Borrow::borrow).zip(signer_keys) {
        let Some(key) = key else {
            return each_alone();
        };
        messages.push(signing_message(&transaction.id()));
        signatures.push(Signature::from_bytes(&transaction.signature));
        keys.push(key);
    }
    let message_refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    if ed25519_dalek::verify_batch(&message_refs, &signatures, &keys).is_ok() {
        return vec![true; transactions.len()];
    }
    each_alone()
}

/// A signed transaction that names no object, by the key made from
/// `seed`, told apart by `nonce`: for unit tests that need a valid one.
#[cfg(test)]
pub(crate) fn signed_for_tests(seed: u8, nonce: u8) -> Transaction {
    let key = SigningKey::from_bytes(&[seed; 32]);
    TransactionBody {
        procedure: Procedure::Split,
        inputs: vec![],
        references: vec![],
        params: vec![nonce],
        outputs: vec![],
        signer: Address(key.verifying_key().to_bytes()),
    }
    .sign(&key)
}

fn signing_message(id: &TxId) -> Vec<u8> {
    [SIGNATURE_DOMAIN, &id.0].concat()
}

pub(crate) fn encode_refs(writer: &mut Writer, refs: &[ObjectRef]) {
    writer.length(refs.len());
    for reference in refs {
        writer.array(&reference.id.0);
        writer.u64(reference.version);
    }
}

pub(crate) fn decode_refs(
    reader: &mut Reader<'_>,
    what: &'static str,
    limit: usize,
) -> Result<Vec<ObjectRef>, DecodeError> {
    reader.list(what, limit, |reader| {
        Ok(ObjectRef { id: ObjectId(reader.array("object id")?), version: reader.u64("object version")? })
    })
}
