//! What the run-time library keeps of a program: its constructors, spans
//! and names, which helper arguments and object headers refer to by index.

use rustc_hash::FxHashMap as HashMap;

use min_core::Constructor;
use min_diagnostics::Span;
use min_lir::Program;
use min_lir::abi::NO_SPAN;

/// What the run-time library needs of a program besides its code: the
/// constructors, spans and names that helper arguments and object headers
/// refer to by index. A host that has only a compiled module and its
/// metadata builds them with [`Tables::new`]; one that has the LIR program,
/// with [`Tables::of`].
#[derive(Clone, Debug, Default)]
pub struct Tables {
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
    pub fn of(program: &Program) -> Tables {
        Tables::new(program.constructors.clone(), program.spans.clone(), program.names.clone())
    }

    /// Tables of constructors by id, spans by index and names by index. A
    /// span or name index beyond the tables is reported without one.
    pub fn new(constructors: Vec<Constructor>, spans: Vec<Span>, names: Vec<String>) -> Tables {
        let mut ids_by_name: HashMap<String, Vec<u32>> = HashMap::default();
        for (id, constructor) in constructors.iter().enumerate() {
            // Ids beyond `u32` cannot occur in a header; such constructors are never found by name.
            if let Ok(id) = u32::try_from(id) {
                ids_by_name.entry(constructor.name.clone()).or_default().push(id);
            }
        }
        Tables { constructors, ids_by_name, spans, names }
    }

    /// The constructors, by id.
    pub fn constructors(&self) -> &[Constructor] {
        &self.constructors
    }

    /// The id of a constructor: the one equal to it in every respect, else
    /// the first of the same name, tag and arity (a value built from another
    /// copy of the program's types, which may lack field names).
    pub fn constructor_id(&self, constructor: &Constructor) -> Option<u32> {
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
