//! What the contract host's tests share: keys and addresses, examples
//! built into packages, two shards with a package published on both, and
//! calls prepared as a client prepares them. Each test binary uses a part.

#![allow(dead_code)]

use commonware_cryptography::bls12381::primitives::group::Private;
use commonware_cryptography::bls12381::primitives::ops;
use commonware_cryptography::{Signer as _, ed25519};
use commonware_utils::TestRng;
use ed25519_dalek::SigningKey;
use min_analysis::Workspace;
use min_chain::contracts::Package;
use min_chain::objects::{Address, Object, ObjectId, ObjectRef, TypeTag};
use min_chain::sbac::BlsVariant;
use min_chain::sbac::{Acceptance, BatchProof, Certificate, Committees, Member, Vote};
use min_chain::shard::{ShardId, shard_of, shards_touched};
use min_chain::state::{Abort, Applied, ShardState};
use min_chain::transaction::{Output, Procedure, Transaction, TransactionBody};
use min_contract_host::{CallRequest, LinkedContract, PreparedCall, RuntimeHost, prepare_call};
use min_runtime::{Contract, Engine, Value};
use std::collections::BTreeMap;
use std::num::NonZeroU32;

pub const SHARDS: u32 = 2;

pub fn shards() -> NonZeroU32 {
    NonZeroU32::new(SHARDS).unwrap()
}

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub fn address(key: &SigningKey) -> Address {
    Address(key.verifying_key().to_bytes())
}

/// The example `path` (under `examples/`) built into a package.
pub fn package(path: &str) -> Package {
    let full = format!("{}/../../examples/{path}", env!("CARGO_MANIFEST_DIR"));
    let mut workspace = Workspace::new();
    let file = minc::load::load(&mut workspace, std::path::Path::new(&full)).expect("the example loads");
    let artifact = minc::artifact::build(&workspace, file).expect("the example builds");
    Package { wasm: artifact.wasm, metadata: artifact.metadata.into_bytes(), links: Vec::new() }
}

/// The publication of `package`, signed by key 1.
pub fn publication(package: &Package) -> Transaction {
    let publisher = key(1);
    TransactionBody {
        procedure: Procedure::Publish,
        inputs: vec![],
        references: vec![],
        params: vec![],
        outputs: vec![Output { owner: address(&publisher), type_tag: TypeTag::PACKAGE, data: package.to_bytes() }],
        signer: address(&publisher),
    }
    .sign(&publisher)
}

/// Two shards with the same validators' view, and a package published on
/// both: the one clients call, with the contracts it links to.
pub struct Chain {
    pub states: Vec<ShardState>,
    pub host: RuntimeHost,
    pub package: ObjectId,
    pub linked: Vec<LinkedContract>,
}

impl Chain {
    pub fn new(package: &Package) -> Chain {
        let host = RuntimeHost::new().unwrap();
        let publish = publication(package);
        let mut states: Vec<ShardState> =
            (0..SHARDS).map(|shard| ShardState::new(ShardId(shard), shards(), address(&key(200)))).collect();
        let mut ids = Vec::new();
        for state in &mut states {
            ids.push(state.apply(&publish, true, &host).expect("the package publishes")[0].id);
        }
        assert!(ids.iter().all(|id| *id == ids[0]));
        Chain { states, host, package: ids[0], linked: Vec::new() }
    }

    /// Applies `transaction` on the one shard it touches; returns the created objects.
    pub fn apply(&mut self, transaction: &Transaction) -> Result<Vec<Object>, Abort> {
        let touched = shards_touched(transaction.body(), shards());
        assert_eq!(touched.len(), 1, "the salt keeps the call on one shard");
        let shard = touched.first().unwrap().0 as usize;
        let created = self.states[shard].apply(transaction, true, &self.host)?;
        Ok(created.iter().map(|reference| self.states[shard].object(&reference.id).unwrap().clone()).collect())
    }
}

/// A committee of one validator per shard with its BLS key, for S-BAC
/// certificates in a test (a real committee has more members; the
/// protocol is the same).
pub struct OneValidatorCommittees {
    pub committees: Committees,
    keys: Vec<Private>,
}

impl OneValidatorCommittees {
    pub fn new() -> Self {
        let mut rng = TestRng::new(11);
        let (members, keys) = (0..SHARDS)
            .map(|shard| {
                let identity = ed25519::PrivateKey::from_seed(u64::from(shard)).public_key();
                let (private, public) = ops::keypair::<_, BlsVariant>(&mut rng);
                (vec![Member { identity, key: public }], private)
            })
            .unzip();
        OneValidatorCommittees { committees: Committees::new(members), keys }
    }
}

impl Chain {
    /// Commits `transaction` across both shards by S-BAC: each shard
    /// prepares it in a block of the time `prepared_at` gives it (seconds),
    /// its validator certifies the decision, and each shard accepts the
    /// acceptance carrying both certificates. Each shard's outcome.
    pub fn commit_across_shards(
        &mut self,
        transaction: &Transaction,
        prepared_at: [u64; SHARDS as usize],
        signers: &OneValidatorCommittees,
    ) -> Vec<Result<Vec<ObjectRef>, Abort>> {
        let mut certificates = Vec::new();
        for (state, time) in self.states.iter_mut().zip(prepared_at) {
            state.set_time(time);
            let Applied::Prepared(decision) = state.prepare(transaction, true) else { panic!("the shard prepares it") };
            let vote = Vote::sign(vec![decision.clone()], 0, &signers.keys[decision.shard.0 as usize]);
            let signatures = BTreeMap::from([(0, vote.signature)]);
            certificates.push(
                Certificate::aggregate(decision, BatchProof::default(), &signatures)
                    .expect("one vote is a quorum of one"),
            );
        }
        let acceptance = Acceptance { transaction: transaction.id(), certificates };
        self.states
            .iter_mut()
            .map(|state| state.accept(&acceptance, &signers.committees, &self.host).expect("the certificates verify"))
            .collect()
    }
}

/// A call of `procedure` by `caller`, prepared as a client prepares it on
/// shard 1: the transaction's body, what it returns and the events it logs.
pub fn prepare<'c>(
    contract: &'c Contract,
    chain: &Chain,
    caller: &SigningKey,
    procedure: &str,
    inputs: &[Object],
    params: &[Value<'c>],
) -> Result<PreparedCall<'c>, String> {
    prepare_reading(contract, chain, caller, procedure, (inputs, &[]), params)
}

/// [`prepare`] for a procedure that also reads objects by reference:
/// `objects` holds those it consumes and those it reads.
pub fn prepare_reading<'c>(
    contract: &'c Contract,
    chain: &Chain,
    caller: &SigningKey,
    procedure: &str,
    (inputs, references): (&[Object], &[Object]),
    params: &[Value<'c>],
) -> Result<PreparedCall<'c>, String> {
    prepare_on_shard(contract, chain, caller, procedure, (inputs, references), params, ShardId(1))
}

/// [`prepare_reading`] placing what a call without inputs creates on `shard`
/// (a call with inputs keeps its outputs on its first input's shard), at
/// that shard's time.
pub fn prepare_on_shard<'c>(
    contract: &'c Contract,
    chain: &Chain,
    caller: &SigningKey,
    procedure: &str,
    (inputs, references): (&[Object], &[Object]),
    params: &[Value<'c>],
    shard: ShardId,
) -> Result<PreparedCall<'c>, String> {
    let request = CallRequest {
        package: chain.package,
        linked: &chain.linked,
        procedure,
        inputs,
        references,
        params,
        signer: address(caller),
        time: chain.states[shard.0 as usize].time(),
        salt_from: 0,
        shard: Some(shard),
    };
    prepare_call(&Engine::new().unwrap(), contract, &request, shards())
}

/// A call of `procedure` by `caller`, signed, and what it returns.
pub fn call<'c>(
    contract: &'c Contract,
    chain: &Chain,
    caller: &SigningKey,
    procedure: &str,
    inputs: &[Object],
    params: &[Value<'c>],
) -> Result<(Transaction, Vec<Value<'c>>), String> {
    let prepared = prepare(contract, chain, caller, procedure, inputs, params)?;
    Ok((prepared.body.sign(caller), prepared.returns))
}

/// `body` with its salt moved on until its outputs land on shard 1 (a
/// dishonest client can place its outputs as well as an honest one).
pub fn placed(mut body: TransactionBody, signer: &SigningKey) -> Transaction {
    let Procedure::Call { name, salt } = body.procedure.clone() else { panic!("a call") };
    for next in salt.. {
        body.procedure = Procedure::Call { name: name.clone(), salt: next };
        let id = body.id();
        if (0..body.outputs.len()).all(|index| shard_of(&id.output_id(index), shards()) == ShardId(1)) {
            break;
        }
    }
    body.sign(signer)
}
