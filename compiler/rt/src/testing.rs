//! What the unit tests share: a stand-in for a backend's memory (a
//! `Vec<u8>` with addresses starting above zero, as 0 means "no chunk" in a
//! descriptor), a small program, and structural equality of values.

use min_core::Constructor;
use min_diagnostics::{FileId, Span};
use min_interp::Value;
use min_lir::Program;
use min_lir::host::Memory;

/// The address of the first byte.
const BASE: u64 = 0x1_0000;

/// Memory as a growable byte vector, optionally with a capacity past which
/// [`Memory::grow`] fails.
pub(crate) struct TestMemory {
    bytes: Vec<u8>,
    capacity: usize,
}

impl TestMemory {
    /// Memory that grows as far as the test needs.
    pub(crate) fn new() -> TestMemory {
        TestMemory::with_capacity(usize::MAX)
    }

    /// Memory that cannot grow past `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> TestMemory {
        TestMemory { bytes: Vec::new(), capacity }
    }

    /// The byte offset of `len` bytes at `address`, asserting they are inside.
    fn offset(&self, address: u64, len: usize) -> usize {
        let offset = address.checked_sub(BASE).expect("address below the test memory") as usize;
        assert!(offset + len <= self.bytes.len(), "address {address:#x} outside the test memory");
        offset
    }
}

impl Memory for TestMemory {
    fn load(&self, address: u64) -> u64 {
        assert_eq!(address % 8, 0, "unaligned load at {address:#x}");
        let offset = self.offset(address, 8);
        u64::from_le_bytes(self.bytes[offset..offset + 8].try_into().expect("eight bytes"))
    }

    fn store(&mut self, address: u64, word: u64) {
        assert_eq!(address % 8, 0, "unaligned store at {address:#x}");
        let offset = self.offset(address, 8);
        self.bytes[offset..offset + 8].copy_from_slice(&word.to_le_bytes());
    }

    fn read(&self, address: u64, len: usize) -> Vec<u8> {
        let offset = self.offset(address, len);
        self.bytes[offset..offset + len].to_vec()
    }

    fn write(&mut self, address: u64, bytes: &[u8]) {
        let offset = self.offset(address, bytes.len());
        self.bytes[offset..offset + bytes.len()].copy_from_slice(bytes);
    }

    fn grow(&mut self, bytes: u64) -> Option<u64> {
        assert_eq!(bytes % 8, 0, "growing by {bytes} bytes, not whole words");
        let start = self.bytes.len();
        let end = start.checked_add(usize::try_from(bytes).ok()?)?;
        if end > self.capacity {
            return None;
        }
        // Fresh memory is garbage on some backends: fill it so that a test
        // relying on zeros fails.
        self.bytes.resize(end, 0xA5);
        Some(BASE + start as u64)
    }
}

/// A fresh, zeroed region descriptor in `memory`.
pub(crate) fn descriptor(memory: &mut dyn Memory) -> u64 {
    let region = memory.grow(24).expect("room for a descriptor");
    for offset in [0, 8, 16] {
        memory.store(region + offset, 0);
    }
    region
}

/// The span `start..end` of file 0.
pub(crate) fn span(start: usize, end: usize) -> Span {
    Span::new(FileId(0), start, end)
}

/// A constructor of positional fields.
pub(crate) fn constructor(name: &str, tag: u32, arity: u32) -> Constructor {
    Constructor { name: name.to_string(), tag, arity, fields: Vec::new(), record: false }
}

/// A program with Peano numbers (`Z`, `S`), `Term` constructors with a
/// nullary `Nil` and a binary `Apply`, a record `Point`, three spans and
/// three names; no functions.
pub(crate) fn program() -> Program {
    let point = Constructor {
        name: "Point".to_string(),
        tag: 0,
        arity: 2,
        fields: vec!["x".to_string(), "y".to_string()],
        record: true,
    };
    Program {
        constructors: vec![
            constructor("Z", 0, 0),
            constructor("S", 1, 1),
            constructor("Nil", 1, 0),
            constructor("Apply", 2, 2),
            point,
        ],
        spans: vec![span(3, 7), span(10, 20), span(30, 31)],
        names: vec!["Main.f".to_string(), "Main.g".to_string(), "Main.v".to_string()],
        ..Program::default()
    }
}

/// Whether two values are the same: same variants, numbers of the same
/// type and bits, same constructors (by name and tag), functions of the
/// same arity. Walks with a work list, so any depth is fine.
pub(crate) fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    let mut pending = vec![(a.clone(), b.clone())];
    while let Some((a, b)) = pending.pop() {
        let equal = match (&a, &b) {
            (Value::Nat(x), Value::Nat(y)) => x == y,
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Char(x), Value::Char(y)) => x == y,
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::Unit, Value::Unit) | (Value::Nil, Value::Nil) => true,
            (Value::Tuple(xs), Value::Tuple(ys)) => {
                pending.extend(xs.iter().cloned().zip(ys.iter().cloned()));
                xs.len() == ys.len()
            }
            (Value::Cons(x), Value::Cons(y)) => {
                pending.push((x.head.clone(), y.head.clone()));
                pending.push((x.tail.clone(), y.tail.clone()));
                true
            }
            (Value::Data(x), Value::Data(y)) => {
                pending.extend(x.fields.iter().cloned().zip(y.fields.iter().cloned()));
                x.constructor.name == y.constructor.name
                    && x.constructor.tag == y.constructor.tag
                    && x.fields.len() == y.fields.len()
            }
            (Value::Function(x), Value::Function(y)) => x.arity() == y.arity(),
            _ => false,
        };
        if !equal {
            return false;
        }
    }
    true
}
