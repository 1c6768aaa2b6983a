//! Local variables: lexical scopes, function frames with numbered slots, and
//! the captures a closure copies from the frames around it.

use super::linearity::Flow;
use super::{Checker, Target};
use crate::types::{Scheme, Type};
use min_diagnostics::Span;
use std::sync::Arc;

/// A local variable in scope.
#[derive(Clone, Debug)]
pub(crate) struct Local {
    pub name: Arc<str>,
    /// Unique among all locals of the module.
    pub binding: u32,
    /// The frame (function nesting depth) that owns the slot.
    pub frame: usize,
    /// The slot in that frame.
    pub slot: u32,
    /// Its type; generalized for let-bound functions.
    pub scheme: Scheme,
    /// Where it is bound.
    pub span: Span,
}

/// The slots of one function body being lowered.
#[derive(Default, Debug)]
pub(crate) struct Frame {
    pub next_slot: u32,
    pub size: u32,
    /// The name (empty for a compiler-made slot) and type of each slot.
    pub slots: Vec<(Arc<str>, Type)>,
    /// Captured outer locals: (binding, slot in the parent frame, slot here).
    pub captures: Vec<(u32, u32, u32)>,
}

impl Frame {
    /// A new slot for a local called `name` of type `ty`.
    fn allocate(&mut self, name: Arc<str>, ty: &Type) -> u32 {
        let slot = self.next_slot;
        self.next_slot += 1;
        self.size = self.size.max(self.next_slot);
        self.slots.push((name, ty.clone()));
        slot
    }
}

impl Checker {
    /// Opens a lexical scope.
    pub(crate) fn push_scope(&mut self) {
        self.scopes.push(Vec::new());
    }

    /// Closes the innermost lexical scope.
    pub(crate) fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    /// Allocates a slot in the current frame for a local called `name`
    /// (empty for one the compiler makes) of type `ty`.
    pub(crate) fn alloc_slot(&mut self, name: Arc<str>, ty: &Type) -> u32 {
        let frame = self.frames.last_mut().expect("a frame is open while lowering a body");
        frame.allocate(name, ty)
    }

    /// Binds `name` in the innermost scope to a new slot; returns the slot.
    pub(crate) fn bind_local(&mut self, name: &str, scheme: Scheme, span: Span) -> u32 {
        let slot = self.alloc_slot(Arc::from(name), &scheme.ty);
        self.bind_local_at(name, scheme, span, slot);
        slot
    }

    /// Binds `name` in the innermost scope to an existing slot of the current frame.
    pub(crate) fn bind_local_at(&mut self, name: &str, scheme: Scheme, span: Span, slot: u32) {
        self.next_binding += 1;
        self.record_name(span, scheme.ty.clone(), Target::Local(span), true);
        let (binding, ty) = (self.next_binding, scheme.ty.clone());
        let name: Arc<str> = match self.frames.last_mut().and_then(|frame| frame.slots.get_mut(slot as usize)) {
            // The slot already has the local's type; a slot the compiler
            // made for a parameter gets the name the equation gives it.
            Some(entry) => {
                if &*entry.0 != name {
                    entry.0 = Arc::from(name);
                }
                entry.0.clone()
            }
            None => Arc::from(name),
        };
        self.flow(Flow::Bind { binding, name: name.clone(), ty, span });
        let local = Local { name, binding: self.next_binding, frame: self.frames.len() - 1, slot, scheme, span };
        self.scopes.last_mut().expect("a scope is open").push(local);
    }

    /// The innermost local called `name`.
    pub(crate) fn find_local(&self, name: &str) -> Option<Local> {
        self.scopes.iter().rev().flat_map(|scope| scope.iter().rev()).find(|local| &*local.name == name).cloned()
    }

    /// The slot through which the current frame reaches `local`, adding
    /// captures to every closure between its frame and this one.
    pub(crate) fn slot_in_current_frame(&mut self, local: &Local) -> u32 {
        let current = self.frames.len() - 1;
        let mut slot = local.slot;
        for depth in local.frame + 1..=current {
            let frame = &mut self.frames[depth];
            if let Some(&(_, _, here)) = frame.captures.iter().find(|(binding, _, _)| *binding == local.binding) {
                slot = here;
                continue;
            }
            let here = frame.allocate(local.name.clone(), &local.scheme.ty);
            frame.captures.push((local.binding, slot, here));
            slot = here;
        }
        slot
    }
}
