//! What the run-time library keeps of a program: its constructors, spans
//! and names, which helper arguments and object headers refer to by index.

use std::collections::HashMap;

use min_core::Constructor;
use min_diagnostics::Span;
use min_lir::Program;
use min_lir::abi::NO_SPAN;

/// A program's constructors, spans and names.
#[derive(Debug)]
pub(crate) struct Tables {
    /// Constructors by id.
    pub(crate) constructors: Vec<Constructor>,
    /// Ids of the constructors of each name.
    ids_by_name: HashMap<String, Vec<u32>>,
    /// Spans by index.
    spans: Vec<Span>,
    /// Names by index.
    names: Vec<String>,
}

impl Tables {
    /// The tables of `program`.
    pub(crate) fn new(program: &Program) -> Tables {
        let mut ids_by_name: HashMap<String, Vec<u32>> = HashMap::new();
        for (id, constructor) in program.constructors.iter().enumerate() {
            let id = u32::try_from(id).expect("fewer than 2^32 constructors");
            ids_by_name.entry(constructor.name.clone()).or_default().push(id);
        }
        Tables {
            constructors: program.constructors.clone(),
            ids_by_name,
            spans: program.spans.clone(),
            names: program.names.clone(),
        }
    }

    /// The id of a constructor: the one equal to it in every respect, else
    /// the first of the same name, tag and arity (a value built from another
    /// copy of the program's types, which may lack field names).
    pub(crate) fn constructor_id(&self, constructor: &Constructor) -> Option<u32> {
        let ids = self.ids_by_name.get(&constructor.name)?;
        let of = |id: &u32| &self.constructors[*id as usize];
        ids.iter()
            .find(|id| of(id) == constructor)
            .or_else(|| ids.iter().find(|id| of(id).tag == constructor.tag && of(id).arity == constructor.arity))
            .copied()
    }

    /// The span of a helper's span argument: `None` for [`NO_SPAN`] or an
    /// index the program does not have.
    pub(crate) fn span(&self, index: u64) -> Option<Span> {
        if index == NO_SPAN {
            return None;
        }
        usize::try_from(index).ok().and_then(|index| self.spans.get(index)).copied()
    }

    /// The name of a helper's name argument.
    pub(crate) fn name(&self, index: u64) -> &str {
        usize::try_from(index).ok().and_then(|index| self.names.get(index)).map_or("<unknown>", String::as_str)
    }
}
