//! A whole devnet in one process: S shards, each a committee of n
//! validators running `min_chain::node` on commonware's tokio runtime,
//! every validator with its own authenticated, encrypted connection to each
//! member of its committee over loopback TCP (`commonware_p2p`'s `lookup`
//! network) and a second one to every validator of every shard for
//! cross-shard commits, and the JSON-RPC server in front of them. The same
//! code runs one validator of such a network in a process of its own
//! (`DevnetConfig::validator`), its peers in processes of theirs.

use crate::config::{ConfigError, DevnetConfig, ValidatorPlace};
use crate::control::{Control, Reply};
use crate::hex;
use crate::keys::{DevnetKeys, ValidatorKeys, address_of};
use crate::routing::{Router, ValidatorHandle};
use crate::rpc::RpcState;
use crate::rpc::server::ServerThread;
use crate::snapshots::{self, SnapshotError, Snapshots};
use crate::wallet;
use commonware_cryptography::{ChaCha20Poly1305, ed25519};
use commonware_p2p::authenticated::lookup;
use commonware_p2p::{Address as PeerAddress, AddressableManager as _, Recipients, Sender as _};
use commonware_runtime::{Clock as _, Quota, Runner as _, Supervisor as _, tokio as runtime};
use commonware_stream::cups::{self, Cups};
use commonware_stream::sake::{self, Sake};
use commonware_utils::ordered::{BiMap, Map};
use commonware_utils::{NZU32, NZUsize};
use ed25519_dalek::SigningKey;
use min_chain::block::BLOCK_BYTES_MAX;
use min_chain::contracts::{ContractHost, NoContracts};
use min_chain::node::{
    CONSENSUS_NAMESPACE, Channels, CrossShardConfig, PublicKey, Scheme, Store, StoreError, ValidatorConfig,
};
use min_chain::objects::Address;
use min_chain::sbac::{Committees, Member};
use min_chain::shard::ShardId;
use min_chain::signatures::SignatureCache;
use min_chain::state::ShardState;
use min_contract_host::RuntimeHost;
use std::fmt;
use std::fs::{File, TryLockError};
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::mpsc;

/// The most a message between validators may carry: a full block and its tag.
const MAX_MESSAGE_BYTES: u32 = BLOCK_BYTES_MAX as u32 + 1024;
/// How long the devnet may take to finalize a first block on every shard.
const STARTUP_DEADLINE: Duration = Duration::from_secs(30);
/// The channel numbers of a validator's network.
const CHANNEL_VOTES: u64 = 0;
const CHANNEL_CERTIFICATES: u64 = 1;
const CHANNEL_RESOLVER: u64 = 2;
const CHANNEL_BLOCKS: u64 = 3;
/// The channel number of S-BAC on the cross-shard network.
const CHANNEL_CROSS_SHARD: u64 = 0;
/// How long consensus waits for the committees to connect before starting anyway.
const CONNECT_DEADLINE: Duration = Duration::from_secs(5);
/// The tag of the connectivity probe on the blocks channel, which the
/// validator's application ignores (its own tags are 0 and 1).
const WIRE_PROBE: u8 = 0xff;

/// What a running devnet reports once every shard has finalized a block.
pub struct Started {
    /// Where the JSON-RPC server listens.
    pub rpc_address: SocketAddr,
    /// The number of shards.
    pub shards: u32,
    /// The number of validators per shard.
    pub validators: u32,
    /// The one validator this process runs, when its peers run in
    /// processes of their own; `None` when it runs them all.
    pub running: Option<ValidatorPlace>,
    /// Each validator's network address, shard by shard.
    pub p2p_addresses: Vec<Vec<SocketAddr>>,
    /// The accounts funded at genesis.
    pub accounts: Vec<SigningKey>,
    /// What each genesis coin of an account holds.
    pub account_balance: u128,
    /// How many such coins each account holds on each shard.
    pub coins_per_account: u32,
    /// The router over the validators, for in-process clients (a load
    /// generator) that skip JSON-RPC. It is the first run's: a snapshot or
    /// a revert starts the chain again with a new router and stops this
    /// one, so a client that takes them goes through JSON-RPC.
    pub router: Arc<Router>,
    /// The faucet's address.
    pub faucet: Address,
    /// Where the validators keep their consensus journals.
    pub storage: PathBuf,
    /// Whether that directory is removed at exit.
    pub ephemeral: bool,
    /// From the call to [`run`] until every shard finalized its first block.
    pub startup: Duration,
}

impl Started {
    /// What a person starting the devnet wants to see: where it listens,
    /// its shape, where its state is, and the funded accounts with their keys.
    pub fn summary(&self) -> String {
        let mut text = match self.running {
            None => format!(
                "min devnet: {} shard(s) x {} validator(s), first blocks finalized in {} ms\n",
                self.shards,
                self.validators,
                self.startup.as_millis()
            ),
            Some(place) => format!(
                "min node: validator {place} of {} shard(s) x {} validator(s), its shard's first block finalized in {} ms\n",
                self.shards,
                self.validators,
                self.startup.as_millis()
            ),
        };
        text += &format!("JSON-RPC: http://{}\n", self.rpc_address);
        for (shard, committee) in self.p2p_addresses.iter().enumerate() {
            let ports: Vec<String> = committee.iter().map(|address| address.port().to_string()).collect();
            text += &format!("shard {shard}: validators on 127.0.0.1 ports {}\n", ports.join(", "));
        }
        let kept = if self.ephemeral { " (removed at exit)" } else { "" };
        text += &format!("state: {}{kept}\n", self.storage.display());
        text += &format!("faucet: {}\n", hex::encode(&self.faucet.0));
        let coins = match self.coins_per_account {
            1 => format!("{}", self.account_balance),
            count => format!("{count} coins of {}", self.account_balance),
        };
        text += &format!("funded accounts ({coins} on each shard):\n");
        for (index, key) in self.accounts.iter().enumerate() {
            text += &format!(
                "  ({index}) address {}\n      secret  {}\n",
                hex::encode(&address_of(key).0),
                hex::encode(&key.to_bytes())
            );
        }
        text
    }
}

/// Why a devnet could not start.
#[derive(Debug)]
pub enum DevnetError {
    /// The configuration is out of bounds.
    Config(ConfigError),
    /// A port or directory could not be used.
    Io(String),
    /// Some shard finalized no block in time.
    NoProgress(Duration),
    /// The contract runtime could not start.
    Contracts(String),
    /// A validator's store could not be opened or belongs to another chain.
    Store {
        /// The devnet's directory.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for DevnetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(error) => write!(f, "{error}"),
            Self::Io(message) => f.write_str(message),
            Self::NoProgress(waited) => write!(f, "some shard finalized no block within {waited:?}"),
            Self::Contracts(reason) => write!(f, "the contract runtime cannot start: {reason}"),
            Self::Store { dir, reason } => write!(
                f,
                "{reason}\nhelp: start with `--reset` to clear {} and begin from genesis, or with `--ephemeral`",
                dir.display()
            ),
        }
    }
}

impl std::error::Error for DevnetError {}

impl From<ConfigError> for DevnetError {
    fn from(error: ConfigError) -> Self {
        Self::Config(error)
    }
}

/// Runs a devnet until `shutdown` completes. Once every shard has
/// finalized a first block, `on_ready` is called with what started.
/// Blocks the calling thread (the runtime's threads do the work).
///
/// The JSON-RPC server runs on a thread of its own for the whole run. The
/// chain (validators, networks, router) runs on commonware's runtime, and
/// is stopped and started again on its directory when a client asks for a
/// snapshot or a revert (`snapshots.rs`), which need it still.
pub fn run<S, R>(config: DevnetConfig, shutdown: S, on_ready: R) -> Result<(), DevnetError>
where
    S: Future<Output = ()> + Send + 'static,
    R: FnOnce(&Started) + Send + 'static,
{
    let began = Instant::now();
    config.validate()?;
    let shards = NonZeroU32::new(config.shards).expect("validated");
    let rpc_port = config.rpc_port_here();
    let rpc_listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, rpc_port))
        .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
        .map_err(|error| DevnetError::Io(format!("cannot listen on 127.0.0.1:{rpc_port}: {error}")))?;
    // Held until the devnet stops, so a second devnet cannot clear this one's state.
    let (root, _lock) = prepare_state(&config)?;
    let rpc_address = rpc_listener.local_addr().map_err(|error| DevnetError::Io(error.to_string()))?;
    let keys = DevnetKeys::derive(config.seed, config.shards, config.validators, config.accounts);
    let chain = Chain {
        committees: Arc::new(committees(&keys)),
        genesis: genesis_states(&keys, shards, u128::from(config.account_balance), config.coins_per_account),
        // Every validator of the process and the router check a signature once between them.
        signatures: Arc::new(SignatureCache::default()),
        // One contract runtime serves every validator of the process and the router.
        contracts: Arc::new(RuntimeHost::new().map_err(DevnetError::Contracts)?),
        keys,
        root: root.clone(),
        config,
    };
    let (control, mut controls) = mpsc::unbounded_channel();
    // Snapshots and reverts stop and restart the whole chain: a devnet in one process only.
    let snapshots_control = chain.config.validator.is_none().then(|| control.clone());
    let peers = crate::peers::Peers::of(&chain.config);
    let rpc = Arc::new(RpcState::new(chain.keys.accounts.clone(), snapshots_control, peers));
    let watch = async move {
        shutdown.await;
        let _ = control.send(Control::Stop);
    };
    let server = ServerThread::spawn(rpc_listener, rpc.clone(), watch)
        .map_err(|error| DevnetError::Io(format!("cannot serve JSON-RPC on {rpc_address}: {error}")))?;
    let mut snapshots = Snapshots::open(&root).map_err(|error| DevnetError::Io(error.to_string()))?;

    let mut ready = Some((began, rpc_address, on_ready));
    let mut answer = None;
    let result = loop {
        let (returned, request) = match chain.run(&rpc, controls, ready.take(), &mut answer) {
            Ok(stopped) => stopped,
            Err(error) => {
                if let Some(answer) = answer.take() {
                    answer.send(Err(&error));
                }
                break Err(error);
            }
        };
        controls = returned;
        // The chain is stopped: nothing writes its state.
        answer = match request {
            Control::Stop => break Ok(()),
            Control::Snapshot(reply) => Some(Answer::Snapshot(reply, snapshots.take())),
            Control::Revert(id, reply) => Some(Answer::Revert(reply, snapshots.restore(id))),
        };
    };
    rpc.close();
    let _ = server.stop();
    if chain.config.ephemeral {
        let _ = std::fs::remove_dir_all(&root);
    }
    result
}

/// A reply to a snapshot or a revert, sent once the chain runs again.
enum Answer {
    Snapshot(Reply<u64>, Result<u64, SnapshotError>),
    Revert(Reply<()>, Result<(), SnapshotError>),
}

impl Answer {
    /// Sends the answer once the chain runs again, or, when it did not
    /// start again (`restarted` is the error), that failure instead. A
    /// client that stopped waiting needs no answer.
    fn send(self, restarted: Result<(), &DevnetError>) {
        let restarted = restarted.map_err(|error| SnapshotError::Io(format!("the chain did not start again: {error}")));
        match self {
            Answer::Snapshot(reply, taken) => {
                let _ = reply.send(restarted.and(taken));
            }
            Answer::Revert(reply, restored) => {
                let _ = reply.send(restarted.and(restored));
            }
        }
    }
}

/// How long a snapshot waits for the transactions routed before it to be final.
const SNAPSHOT_WAIT: Duration = Duration::from_secs(30);

/// What every run of the chain shares: its configuration, keys and genesis.
struct Chain {
    config: DevnetConfig,
    keys: DevnetKeys,
    committees: Arc<Committees>,
    genesis: Vec<ShardState>,
    signatures: Arc<SignatureCache>,
    contracts: Arc<dyn ContractHost>,
    /// The devnet's state: the stores, the consensus journals and the snapshots.
    root: PathBuf,
}

/// What a run of the chain was asked to stop for, with the channel the
/// next run listens on.
type Stopped = (mpsc::UnboundedReceiver<Control>, Control);

impl Chain {
    /// Runs the chain on its directory until the controller is asked for
    /// something that needs it stopped. The JSON-RPC server serves it as
    /// soon as its validators run; `answer`, the reply to the request that
    /// stopped the previous run, is sent then. The first run reports to
    /// `ready` once every shard has finalized a block.
    fn run<R>(
        &self,
        rpc: &Arc<RpcState>,
        mut controls: mpsc::UnboundedReceiver<Control>,
        ready: Option<(Instant, SocketAddr, R)>,
        answer: &mut Option<Answer>,
    ) -> Result<Stopped, DevnetError>
    where
        R: FnOnce(&Started) + Send + 'static,
    {
        let config = &self.config;
        let (p2p_addresses, cross_shard_addresses) = p2p_addresses(config)?;
        let everyone = everyone(&self.keys, &cross_shard_addresses);
        let mut stores = open_stores(config, &self.root)?;
        let runtime_config = runtime::Config::new()
            .with_worker_threads(2)
            .with_storage_directory(self.root.join(snapshots::CONSENSUS_DIR));
        let rpc = rpc.clone();
        let dir = config.dir.clone();
        runtime::Runner::new(runtime_config).start(move |context| async move {
            let mut wired = Vec::new();
            for (shard, committee) in self.keys.validators.iter().enumerate() {
                let addresses = &p2p_addresses[shard];
                let mut shard_wired = Vec::new();
                for (index, validator) in committee.iter().enumerate() {
                    let Some(store) = stores[shard][index].take() else { continue };
                    let context =
                        context.child("validator").with_attribute("shard", shard).with_attribute("index", index);
                    let setup = ValidatorSetup {
                        shard,
                        index,
                        committee,
                        addresses,
                        cross_shard_address: cross_shard_addresses[shard][index],
                        everyone: &everyone,
                        committees: self.committees.clone(),
                        state: self.genesis[shard].clone(),
                        store,
                        signatures: self.signatures.clone(),
                        contracts: self.contracts.clone(),
                        leader_timeout: Duration::from_millis(config.leader_timeout_ms),
                        block_interval: Duration::from_millis(config.block_interval_ms),
                        idle_block_interval: Duration::from_millis(config.idle_block_interval_ms),
                    };
                    shard_wired.push(connect(context, validator, setup));
                }
                wired.push(shard_wired);
            }
            // Consensus starts once every committee is connected (or after a
            // deadline): the first round's messages are not lost to links
            // still being set up, which would cost a leader timeout.
            let deadline = context.current() + CONNECT_DEADLINE;
            while !wired.iter_mut().flatten().all(Wired::is_connected) && context.current() < deadline {
                context.sleep(Duration::from_millis(5)).await;
            }
            let mut handles = Vec::new();
            for shard in wired {
                let started: Result<Vec<ValidatorHandle>, _> = shard.into_iter().map(Wired::start).collect();
                handles
                    .push(started.map_err(|error| DevnetError::Store { dir: dir.clone(), reason: error.to_string() })?);
            }
            let router = Arc::new(Router::new(
                handles,
                config.validators as usize,
                self.keys.faucet.clone(),
                self.contracts.clone(),
                self.signatures.clone(),
            ));
            rpc.set_router(Some(router.clone()));
            if let Some(answer) = answer.take() {
                answer.send(Ok(()));
            }

            if let Some((began, rpc_address, on_ready)) = ready {
                let deadline = context.current() + STARTUP_DEADLINE;
                while router.shard_statuses().iter().any(|status| status.height == 0) {
                    if context.current() > deadline {
                        return Err(DevnetError::NoProgress(STARTUP_DEADLINE));
                    }
                    context.sleep(Duration::from_millis(5)).await;
                }
                on_ready(&Started {
                    rpc_address,
                    shards: config.shards,
                    validators: config.validators,
                    running: config.validator,
                    p2p_addresses,
                    accounts: self.keys.accounts.clone(),
                    account_balance: u128::from(config.account_balance),
                    coins_per_account: config.coins_per_account,
                    router: router.clone(),
                    faucet: address_of(&self.keys.faucet),
                    storage: if config.ephemeral { self.root.clone() } else { config.state_dir() },
                    ephemeral: config.ephemeral,
                    startup: began.elapsed(),
                });
            }
            loop {
                let request = controls.recv().await.unwrap_or(Control::Stop);
                if let Control::Snapshot(reply) = request {
                    // A snapshot holds no transaction half done: every
                    // routed one is final on all its shards first.
                    let deadline = context.current() + SNAPSHOT_WAIT;
                    while router.unfinished() > 0 && context.current() < deadline {
                        context.sleep(Duration::from_millis(5)).await;
                    }
                    match router.unfinished() {
                        0 => {
                            release(&rpc, router, &context).await;
                            return Ok((controls, Control::Snapshot(reply)));
                        }
                        pending => {
                            let _ = reply.send(Err(SnapshotError::Pending(pending)));
                        }
                    }
                } else {
                    release(&rpc, router, &context).await;
                    return Ok((controls, request));
                }
            }
        })
    }
}

/// How long the end of a run waits for requests that hold its router.
const RELEASE_WAIT: Duration = Duration::from_secs(5);

/// Takes the run's router from the JSON-RPC server and waits (a little)
/// for the requests that hold it to finish: its validators' stores close
/// only once nothing holds it, and the next run opens them again.
async fn release(rpc: &RpcState, router: Arc<Router>, context: &runtime::Context) {
    rpc.set_router(None);
    let deadline = context.current() + RELEASE_WAIT;
    while Arc::strong_count(&router) > 1 && context.current() < deadline {
        context.sleep(Duration::from_millis(2)).await;
    }
}

/// The devnet's root directory, holding its state ([`snapshots::STATE_PARTS`])
/// and snapshots: the configured directory, locked first (`DIR/lock`, and
/// the lock returned: a devnet never touches the state of another that is
/// running), its state cleared when `reset`; or, when ephemeral, a fresh
/// directory in `/dev/shm` (memory) or the system's temporary directory,
/// removed at exit.
fn prepare_state(config: &DevnetConfig) -> Result<(PathBuf, Option<File>), DevnetError> {
    let lock = if config.ephemeral { None } else { Some(lock_directory(&config.state_dir())?) };
    let root = if config.ephemeral {
        let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let shared_memory = PathBuf::from("/dev/shm");
        let base = if shared_memory.is_dir() { shared_memory } else { std::env::temp_dir() };
        base.join(format!("min-devnet-{}-{stamp}", std::process::id()))
    } else {
        config.state_dir()
    };
    if config.reset || config.ephemeral {
        for part in snapshots::STATE_PARTS.into_iter().chain([snapshots::SNAPSHOTS_DIR]) {
            let state = root.join(part);
            if state.exists() {
                std::fs::remove_dir_all(&state)
                    .map_err(|error| DevnetError::Io(format!("cannot clear {}: {error}", state.display())))?;
            }
        }
    }
    for part in snapshots::STATE_PARTS {
        let state = root.join(part);
        std::fs::create_dir_all(&state)
            .map_err(|error| DevnetError::Io(format!("cannot create {}: {error}", state.display())))?;
    }
    Ok((root, lock))
}

/// The store of each validator this process runs, shard by shard (`None`
/// for the others): `ROOT/validators/shard-S-validator-I.redb`.
fn open_stores(config: &DevnetConfig, root: &Path) -> Result<Vec<Vec<Option<Store>>>, DevnetError> {
    let store_error = |reason: String| DevnetError::Store { dir: config.state_dir(), reason };
    let directory = root.join(snapshots::STORES_DIR);
    (0..config.shards)
        .map(|shard| {
            (0..config.validators)
                .map(|index| {
                    let path = directory.join(format!("shard-{shard}-validator-{index}.redb"));
                    let store = config.runs(shard, index).then(|| {
                        Store::open(&path).map(|store| store.staggered(index as usize, config.validators as usize))
                    });
                    store.transpose().map_err(|error| store_error(error.to_string()))
                })
                .collect()
        })
        .collect()
}

/// Takes the exclusive lock on `dir/lock`, creating the directory if needed.
fn lock_directory(dir: &Path) -> Result<File, DevnetError> {
    let path = dir.join("lock");
    let file = std::fs::create_dir_all(dir)
        .and_then(|()| File::options().create(true).truncate(false).write(true).open(&path))
        .map_err(|error| DevnetError::Io(format!("cannot open {}: {error}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => {
            Err(DevnetError::Io(format!("another devnet is running in {}", dir.display())))
        }
        Err(TryLockError::Error(error)) => Err(DevnetError::Io(format!("cannot lock {}: {error}", path.display()))),
    }
}

/// Where a devnet without a base port looks for free ports: below the
/// ephemeral range Linux gives outgoing connections (32768 and up), so that
/// no connection takes a port between the moment it is picked and the
/// moment its validator listens on it.
const FREE_PORTS: std::ops::Range<u16> = 20_000..32_000;

/// Moves each search for free ports in this process somewhere new.
static PORT_SEARCHES: AtomicUsize = AtomicUsize::new(0);

/// `count` distinct ports free on 127.0.0.1 now, from [`FREE_PORTS`],
/// starting at a place that differs between processes and searches.
fn free_ports(count: usize) -> Result<Vec<u16>, DevnetError> {
    let span = FREE_PORTS.len();
    let search = PORT_SEARCHES.fetch_add(1, Ordering::Relaxed);
    let start = (std::process::id() as usize).wrapping_mul(7_919).wrapping_add(search.wrapping_mul(613)) % span;
    // Hold every listener until all ports are picked, so none repeats.
    let mut listeners = Vec::with_capacity(count);
    for step in 0..span {
        if listeners.len() == count {
            break;
        }
        let port = FREE_PORTS.start + ((start + step) % span) as u16;
        if let Ok(listener) = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port)) {
            listeners.push(listener);
        }
    }
    if listeners.len() < count {
        return Err(DevnetError::Io(format!(
            "cannot find {count} free ports on 127.0.0.1 between {} and {}",
            FREE_PORTS.start, FREE_PORTS.end
        )));
    }
    listeners
        .iter()
        .map(|listener| listener.local_addr().map(|address| address.port()))
        .collect::<Result<_, _>>()
        .map_err(|error| DevnetError::Io(error.to_string()))
}

/// Each validator's two addresses on 127.0.0.1, shard by shard: for its
/// committee's network and for the cross-shard network. Consecutive ports
/// from the base, or free ports the system picks.
type Addresses = Vec<Vec<SocketAddr>>;
fn p2p_addresses(config: &DevnetConfig) -> Result<(Addresses, Addresses), DevnetError> {
    let count = (config.shards * config.validators) as usize;
    let ports: Vec<u16> = if config.p2p_base_port != 0 {
        (0..2 * count).map(|offset| config.p2p_base_port + offset as u16).collect()
    } else {
        free_ports(2 * count)?
    };
    let addresses: Vec<SocketAddr> =
        ports.into_iter().map(|port| SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))).collect();
    let by_shard =
        |addresses: &[SocketAddr]| addresses.chunks(config.validators as usize).map(<[SocketAddr]>::to_vec).collect();
    Ok((by_shard(&addresses[..count]), by_shard(&addresses[count..])))
}

/// Every shard's committee with the validators' BLS keys, for S-BAC certificates.
fn committees(keys: &DevnetKeys) -> Committees {
    Committees::new(
        keys.validators
            .iter()
            .map(|committee| {
                committee
                    .iter()
                    .map(|member| Member { identity: member.public_key(), key: member.bls_public })
                    .collect()
            })
            .collect(),
    )
}

/// Every validator's identity and cross-shard address.
fn everyone(keys: &DevnetKeys, cross_shard_addresses: &Addresses) -> Map<PublicKey, PeerAddress> {
    keys.validators
        .iter()
        .flatten()
        .zip(cross_shard_addresses.iter().flatten())
        .map(|(member, address)| (member.public_key(), PeerAddress::from(*address)))
        .collect::<Vec<_>>()
        .try_into()
        .expect("validator identities are distinct")
}

/// Each shard's state at genesis: `coins` coins of `balance` for every
/// funded account, minted by the faucet and applied before consensus starts.
fn genesis_states(keys: &DevnetKeys, shards: NonZeroU32, balance: u128, coins: u32) -> Vec<ShardState> {
    let faucet = address_of(&keys.faucet);
    (0..shards.get())
        .map(|shard| {
            let mut state = ShardState::new(ShardId(shard), shards, faucet);
            for (index, account) in keys.accounts.iter().enumerate() {
                for coin in 0..coins {
                    // The first coin's label is that of a devnet with one coin per account.
                    let mut label = [b"min-devnet/genesis/".as_slice(), &(index as u64).to_le_bytes()].concat();
                    if coin > 0 {
                        label.extend_from_slice(&coin.to_le_bytes());
                    }
                    let mint =
                        wallet::mint(&keys.faucet, address_of(account), balance, &label, Some(ShardId(shard)), shards)
                            .expect("a positive genesis mint is always placed");
                    state.apply(&mint, true, &NoContracts).expect("a genesis mint by the faucet applies");
                }
            }
            state
        })
        .collect()
}

/// What one validator needs beyond its keys.
struct ValidatorSetup<'a> {
    shard: usize,
    index: usize,
    committee: &'a [ValidatorKeys],
    addresses: &'a [SocketAddr],
    cross_shard_address: SocketAddr,
    everyone: &'a Map<PublicKey, PeerAddress>,
    committees: Arc<Committees>,
    state: ShardState,
    store: Store,
    signatures: Arc<SignatureCache>,
    contracts: Arc<dyn ContractHost>,
    leader_timeout: Duration,
    block_interval: Duration,
    idle_block_interval: Duration,
}

/// A validator whose network runs, before its consensus starts.
struct Wired {
    context: runtime::Context,
    oracle: lookup::Oracle<PublicKey>,
    /// Kept so the cross-shard network keeps its peer set.
    _cross_shard_oracle: lookup::Oracle<PublicKey>,
    channels: Channels<lookup::Sender<PublicKey, runtime::Context>, lookup::Receiver<PublicKey>>,
    config: ValidatorConfig,
    peers: usize,
}

impl Wired {
    /// Whether the validator is connected to every other member of its
    /// committee: a send to all reaches exactly the connected peers. The
    /// probe's tag is one the application ignores.
    fn is_connected(&mut self) -> bool {
        let (sender, _) = &mut self.channels.blocks;
        sender.send(Recipients::All, vec![WIRE_PROBE], false).len() >= self.peers
    }

    /// Starts consensus and the application on the network.
    fn start(self) -> Result<ValidatorHandle, StoreError> {
        let validator = min_chain::node::start(self.context, self.config, self.oracle, self.channels)?;
        Ok(ValidatorHandle { mailbox: validator.mailbox, ledger: validator.ledger })
    }
}

/// Starts one validator's network on its port, dialing its committee.
fn connect(context: runtime::Context, keys: &ValidatorKeys, setup: ValidatorSetup<'_>) -> Wired {
    let namespace = format!("min-devnet/shard-{}/p2p", setup.shard);
    let peers: Map<PublicKey, PeerAddress> = setup
        .committee
        .iter()
        .zip(setup.addresses)
        .map(|(member, address)| (member.public_key(), PeerAddress::from(*address)))
        .collect::<Vec<_>>()
        .try_into()
        .expect("committee identities are distinct");
    let (mut network, oracle) =
        lookup_network(context.child("network"), keys, &namespace, setup.addresses[setup.index], peers);
    let quota = Quota::per_second(NZU32!(1_000));
    let votes = network.register(CHANNEL_VOTES, quota);
    let certificates = network.register(CHANNEL_CERTIFICATES, quota);
    let resolver = network.register(CHANNEL_RESOLVER, quota);
    let blocks = network.register(CHANNEL_BLOCKS, quota);
    network.start();
    let (mut cross_shard_network, cross_shard_oracle) = lookup_network(
        context.child("cross_shard_network"),
        keys,
        "min-devnet/cross-shard/p2p",
        setup.cross_shard_address,
        setup.everyone.clone(),
    );
    let cross_shard = cross_shard_network.register(CHANNEL_CROSS_SHARD, Quota::per_second(NZU32!(10_000)));
    cross_shard_network.start();
    let channels = Channels { votes, certificates, resolver, blocks, cross_shard };

    let committee: BiMap<PublicKey, _> = setup
        .committee
        .iter()
        .map(|member| (member.public_key(), member.bls_public))
        .collect::<Vec<_>>()
        .try_into()
        .expect("committee identities are distinct");
    let scheme = Scheme::signer(CONSENSUS_NAMESPACE, committee, keys.bls.clone()).expect("the key is in the committee");
    let config = ValidatorConfig {
        scheme,
        state: setup.state,
        store: setup.store,
        signatures: setup.signatures,
        contracts: setup.contracts,
        cross_shard: CrossShardConfig {
            identity: keys.public_key(),
            key: keys.bls.clone(),
            committees: setup.committees,
        },
        partition: format!("shard-{}-validator-{}", setup.shard, setup.index),
        leader_timeout: setup.leader_timeout,
        block_interval: setup.block_interval,
        idle_block_interval: setup.idle_block_interval,
    };
    Wired {
        context,
        oracle,
        _cross_shard_oracle: cross_shard_oracle,
        channels,
        config,
        peers: setup.committee.len() - 1,
    }
}

/// A validator's authenticated network over the encrypted handshake.
type LookupNetwork = lookup::Network<runtime::Context, Cups<Sake<ed25519::PrivateKey>, ChaCha20Poly1305>>;

/// A `lookup` network for `keys`'s validator on `address`, with the
/// authenticated, encrypted handshake, tracking `peers` as its one peer set.
fn lookup_network(
    context: runtime::Context,
    keys: &ValidatorKeys,
    namespace: &str,
    address: SocketAddr,
    peers: Map<PublicKey, PeerAddress>,
) -> (LookupNetwork, lookup::Oracle<PublicKey>) {
    let handshake = Cups::<_, ChaCha20Poly1305>::new(
        Sake {
            signer: keys.identity.clone(),
            synchrony_bound: Duration::from_secs(5),
            max_handshake_age: Duration::from_secs(10),
            version: sake::Version::V1,
        },
        cups::Version::V1,
    );
    let size = NZUsize!(peers.len());
    let mut p2p =
        lookup::Config::local(handshake, namespace.as_bytes(), address, size, MAX_MESSAGE_BYTES, NZUsize!(1024));
    // Everyone is on one machine: dial often and accept many handshakes
    // from 127.0.0.1, so the validators connect within milliseconds.
    p2p.dial_frequency = Duration::from_millis(20);
    p2p.peer_connection_cooldown = Duration::from_millis(100);
    p2p.allowed_handshake_rate_per_ip = Quota::per_second(NZU32!(1024));
    p2p.allowed_handshake_rate_per_subnet = Quota::per_second(NZU32!(1024));
    p2p.tracked_peer_sets = NZUsize!(1);
    let (network, mut oracle) = lookup::Network::new(context, p2p);
    let _ = oracle.track(0, peers);
    (network, oracle)
}

/// Completes when the process receives Ctrl-C; the usual `shutdown` for [`run`].
pub async fn ctrl_c() {
    // If the signal cannot be watched, run until killed.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_in_use_by_a_devnet_is_refused_to_another() {
        let stamp = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let dir = std::env::temp_dir().join(format!("min-devnet-lock-test-{}-{stamp}", std::process::id()));
        let held = lock_directory(&dir).unwrap();
        let refused = lock_directory(&dir).unwrap_err().to_string();
        assert_eq!(refused, format!("another devnet is running in {}", dir.display()));
        drop(held);
        assert!(lock_directory(&dir).is_ok(), "the lock is released with its holder");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn genesis_gives_each_account_its_coins_on_every_shard_and_keeps_the_first_coin_of_one() {
        let keys = DevnetKeys::derive(7, 2, 1, 3);
        let shards = NonZeroU32::new(2).unwrap();
        let single = genesis_states(&keys, shards, 10, 1);
        let several = genesis_states(&keys, shards, 10, 4);
        for (one, four) in single.iter().zip(&several) {
            for account in &keys.accounts {
                let owner = address_of(account);
                let first: Vec<_> = one.active_owned_by(owner).map(|object| object.id).collect();
                let all: Vec<_> = four.active_owned_by(owner).collect();
                assert_eq!(first.len(), 1);
                assert_eq!(all.len(), 4);
                assert!(all.iter().all(|coin| coin.coin_value() == Some(10)));
                assert!(all.iter().any(|coin| coin.id == first[0]), "the first coin is that of a one-coin genesis");
            }
        }
    }
}
