//! Where the static objects and cells go in linear memory, and the bytes
//! that put them there.

use min_lir::{CellId, Program, StaticId, StaticWord, abi};

use crate::WasmError;
use crate::abi::{STATIC_BASE, code_word};

/// The placement of a program's statics and cells.
pub(super) struct Layout {
    /// The address of each static object.
    statics: Vec<u64>,
    /// The address of cell 0; the others follow word by word.
    cells: u64,
    /// How many cells there are.
    cell_count: u32,
    /// The first address after statics and cells.
    pub heap_base: u64,
    /// The bytes from [`STATIC_BASE`] to `heap_base`.
    pub data: Vec<u8>,
}

impl Layout {
    /// Lays out the statics, then the cells.
    pub fn new(program: &Program) -> Result<Layout, WasmError> {
        let mut statics = Vec::with_capacity(program.statics.len());
        let mut address = STATIC_BASE;
        for object in &program.statics {
            statics.push(address);
            address += abi::words(object.words.len() as u32);
        }
        let cells = address;
        let heap_base = cells + abi::words(program.cells);
        if heap_base > u64::from(u32::MAX) {
            return Err(WasmError::TooLarge { bytes: heap_base });
        }
        let mut layout = Layout { statics, cells, cell_count: program.cells, heap_base, data: Vec::new() };
        let mut data = Vec::with_capacity((heap_base - STATIC_BASE) as usize);
        for object in &program.statics {
            for word in &object.words {
                let word = match *word {
                    StaticWord::Raw(raw) => raw,
                    StaticWord::Code(function) => {
                        if function as usize >= program.functions.len() {
                            return Err(WasmError::Malformed(format!("a static refers to function f{function}")));
                        }
                        code_word(function)
                    }
                    StaticWord::Object(object) => {
                        if object as usize >= program.statics.len() {
                            return Err(WasmError::Malformed(format!("a static refers to static s{object}")));
                        }
                        layout.static_word(object)
                    }
                };
                data.extend_from_slice(&word.to_le_bytes());
            }
        }
        for _ in 0..program.cells {
            data.extend_from_slice(&abi::CELL_EMPTY.to_le_bytes());
        }
        assert_eq!(STATIC_BASE + data.len() as u64, heap_base);
        layout.data = data;
        Ok(layout)
    }

    /// The tagged word of a static object that exists.
    pub fn static_word(&self, object: StaticId) -> u64 {
        abi::pointer_word(self.statics[object as usize])
    }

    /// The address of a cell that exists.
    pub fn cell_address(&self, cell: CellId) -> u64 {
        assert!(cell < self.cell_count, "cell{cell} of {}", self.cell_count);
        self.cells + abi::words(cell)
    }
}
