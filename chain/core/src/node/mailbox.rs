//! The handle simplex holds on the application: it asks for proposals and
//! verdicts and reports finalizations through it. Every call becomes a
//! message to the application actor, so consensus never waits on state.

use super::{ConsensusContext, Digest, Scheme};
use crate::transaction::Transaction;
use commonware_actor::Feedback;
use commonware_consensus::simplex::Plan;
use commonware_consensus::simplex::types::{Activity, Finalization};
use commonware_consensus::{Automaton, CertifiableAutomaton, Relay, Reporter};
use commonware_cryptography::ed25519;
use commonware_utils::channel::{mpsc, oneshot};
use std::sync::Arc;

/// What the application actor is asked to do.
pub(super) enum Message {
    /// Build a block on `context.parent` and answer its digest.
    Propose { context: ConsensusContext, response: oneshot::Sender<Digest> },
    /// Answer whether the block `payload` is a valid child of `context.parent`.
    Verify { context: ConsensusContext, payload: Digest, response: oneshot::Sender<bool> },
    /// A block was finalized, with its certificate.
    Finalized(Box<Finalization<Scheme, Digest>>),
    /// A client submits a transaction.
    Submit(Arc<Transaction>),
    /// A client submits a transaction to this validator alone, which shares
    /// it with its committee.
    Share(Arc<Transaction>),
}

/// The application's side of simplex, and the door clients submit through.
#[derive(Clone)]
pub struct Mailbox {
    sender: mpsc::UnboundedSender<Message>,
}

impl Mailbox {
    pub(super) fn new(sender: mpsc::UnboundedSender<Message>) -> Self {
        Self { sender }
    }

    /// Submits a transaction to this validator's mempool. A full mempool or
    /// a stopped validator drops it; the client submits again if it must.
    /// The validators of a committee share one copy of it.
    pub fn submit(&self, transaction: Arc<Transaction>) {
        let _ = self.sender.send(Message::Submit(transaction));
    }

    /// [`Mailbox::submit`] for a client that reaches this validator alone:
    /// a transaction it admits, it also sends to every member of its
    /// committee (best effort, once), so that whichever leads next orders
    /// it.
    pub fn share(&self, transaction: Arc<Transaction>) {
        let _ = self.sender.send(Message::Share(transaction));
    }

    fn send(&self, message: Message) {
        // A closed actor means the validator is shutting down; consensus
        // sees a dropped response and treats it as no answer.
        let _ = self.sender.send(message);
    }
}

impl Automaton for Mailbox {
    type Context = ConsensusContext;
    type Digest = Digest;

    async fn propose(&mut self, context: ConsensusContext) -> oneshot::Receiver<Digest> {
        let (response, receiver) = oneshot::channel();
        self.send(Message::Propose { context, response });
        receiver
    }

    async fn verify(&mut self, context: ConsensusContext, payload: Digest) -> oneshot::Receiver<bool> {
        let (response, receiver) = oneshot::channel();
        self.send(Message::Verify { context, payload, response });
        receiver
    }
}

/// Every verified block is certifiable: execution happens after finality,
/// so there is nothing more to check between notarization and finalization.
impl CertifiableAutomaton for Mailbox {}

impl Relay for Mailbox {
    type Digest = Digest;
    type PublicKey = ed25519::PublicKey;
    type Plan = Plan<ed25519::PublicKey>;

    fn broadcast(&mut self, _payload: Digest, _plan: Self::Plan) -> Feedback {
        // The actor sends each block to every peer when it builds it, and
        // peers fetch a block they miss by digest.
        Feedback::Ok
    }
}

impl Reporter for Mailbox {
    type Activity = Activity<Scheme, Digest>;

    fn report(&mut self, activity: Self::Activity) -> Feedback {
        if let Activity::Finalization(finalization) = activity {
            self.send(Message::Finalized(Box::new(finalization)));
        }
        Feedback::Ok
    }
}
