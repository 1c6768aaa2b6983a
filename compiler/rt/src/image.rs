//! Objects built outside memory and placed in a region at once: a call's
//! arguments read straight from their canonical bytes, without a
//! [`min_interp::Value`] in between.
//!
//! An [`Image`] lays objects out one after another in a buffer, word by
//! word in the layouts of [`min_lir::abi`], with pointers relative to the
//! buffer's start. [`Image::place`] takes one block of that size from a region,
//! moves the pointers to it and writes the whole buffer with one write.

use min_lir::abi::{self, Kind};
use min_lir::host::Memory;

use crate::Fault;
use crate::encode::{DATA_FIELD_MAX, DATA_ID_MAX, DATA_TAG_MAX, header_count, invalid};
use crate::runtime::Runtime;

/// Objects laid out to be placed in memory together. Words it hands out
/// that point to its objects are relative until [`Image::place`] moves
/// them; the others are final.
#[derive(Debug, Default)]
pub struct Image {
    /// The objects, one after another, each word little-endian.
    bytes: Vec<u8>,
    /// The offsets in `bytes` of the words that point to an object.
    pointers: Vec<usize>,
}

impl Image {
    /// An empty image.
    pub fn new() -> Image {
        Image::default()
    }

    /// An empty image with room for `bytes` bytes of objects.
    pub fn with_capacity(bytes: usize) -> Image {
        Image { bytes: Vec::with_capacity(bytes), pointers: Vec::new() }
    }

    /// The word of a natural: small, or a big-number object.
    pub fn nat(&mut self, n: u128) -> u64 {
        abi::small_nat(n).unwrap_or_else(|| self.object(&[abi::header(Kind::BigNat, 0, 0), n as u64, (n >> 64) as u64]))
    }

    /// The word of an integer: small, or a big-number object.
    pub fn int(&mut self, i: i128) -> u64 {
        let bits = i as u128;
        abi::small_int(i)
            .unwrap_or_else(|| self.object(&[abi::header(Kind::BigInt, 0, 0), bits as u64, (bits >> 64) as u64]))
    }

    /// A string object.
    pub fn string(&mut self, text: &str) -> Result<u64, Fault> {
        let len = header_count(text.len()).map_err(|_| invalid("a string of 4 GiB or more"))?;
        let address = self.bytes.len();
        self.push(abi::header(Kind::Str, len, 0));
        self.bytes.extend_from_slice(text.as_bytes());
        self.bytes.resize(address + abi::string_bytes(text.len() as u64) as usize, 0);
        Ok(relative(address))
    }

    /// A tuple of two or more components.
    pub fn tuple(&mut self, components: &[u64]) -> Result<u64, Fault> {
        if components.len() < 2 {
            return Err(invalid("a tuple object of fewer than two components"));
        }
        let count = header_count(components.len())?;
        Ok(self.compound(abi::header(Kind::Tuple, count, 0), components))
    }

    /// The list of `items` in order.
    pub fn list(&mut self, items: &[u64]) -> u64 {
        items.iter().rev().fold(abi::NIL, |tail, &head| self.compound(abi::header(Kind::Cons, 0, 0), &[head, tail]))
    }

    /// Constructor data: the atom of constructor `id` (with `tag` in its
    /// type) without fields, or an object of its fields.
    pub fn data(&mut self, id: u32, tag: u32, fields: &[u64]) -> Result<u64, Fault> {
        if id > DATA_ID_MAX || tag > DATA_TAG_MAX {
            return Err(invalid(format!("constructor {id} is past the constructors a word can name")));
        }
        if fields.is_empty() {
            return Ok(abi::atom_of_constructor(id, tag));
        }
        let arity = u32::try_from(fields.len()).ok().filter(|arity| *arity <= DATA_FIELD_MAX);
        let arity =
            arity.ok_or_else(|| invalid(format!("constructor {id} has more fields than a data object holds")))?;
        Ok(self.compound(abi::data_header(id, tag, arity), fields))
    }

    /// Puts the image in the region whose descriptor is at `region` and
    /// makes `roots`, words the image handed out, point there. Fails as an
    /// allocation does when memory cannot grow.
    pub fn place(
        &mut self,
        runtime: &mut Runtime,
        memory: &mut dyn Memory,
        region: u64,
        roots: &mut [u64],
    ) -> Result<(), Fault> {
        if self.bytes.is_empty() {
            return Ok(());
        }
        let base = runtime.regions.allocate(memory, region, self.bytes.len() as u64)?;
        let moved = |word: u64| abi::pointer_word((word & abi::PAYLOAD_MASK) + base);
        for &offset in &self.pointers {
            let slot = &mut self.bytes[offset..offset + 8];
            let word = u64::from_le_bytes(slot.try_into().expect("a word is 8 bytes"));
            slot.copy_from_slice(&moved(word).to_le_bytes());
        }
        for root in roots.iter_mut().filter(|root| is_pointer(**root)) {
            *root = moved(*root);
        }
        memory.write(base, &self.bytes);
        Ok(())
    }

    /// An object of `header` and `components`.
    fn compound(&mut self, header: u64, components: &[u64]) -> u64 {
        let address = self.bytes.len();
        self.push(header);
        for &word in components {
            if is_pointer(word) {
                self.pointers.push(self.bytes.len());
            }
            self.push(word);
        }
        relative(address)
    }

    /// An object of `words` without pointers.
    fn object(&mut self, words: &[u64]) -> u64 {
        let address = self.bytes.len();
        for &word in words {
            self.push(word);
        }
        relative(address)
    }

    fn push(&mut self, word: u64) {
        self.bytes.extend_from_slice(&word.to_le_bytes());
    }
}

/// The relative pointer to the object at byte `offset` of the image.
fn relative(offset: usize) -> u64 {
    abi::pointer_word(offset as u64)
}

/// Whether `word` points to an object.
fn is_pointer(word: u64) -> bool {
    !abi::is_real(word) && word & abi::TAG_MASK == abi::TAG_PTR
}

#[cfg(test)]
mod tests {
    use min_interp::Value;
    use min_lir::host::Memory;

    use super::Image;
    use crate::Runtime;
    use crate::testing::{TestMemory, descriptor, program, same};

    #[test]
    fn placed_objects_decode_as_the_values_they_were_built_from() {
        let program = program();
        let constructors = &program.constructors;
        let mut memory = TestMemory::new();
        let mut runtime = Runtime::new(&program, 100);
        let region = descriptor(&mut memory);
        let mut image = Image::new();
        let text = image.string("nine bytes, and more").unwrap();
        let big = image.nat(u128::MAX);
        let negative = image.int(i128::MIN);
        let pair = image.tuple(&[text, big]).unwrap();
        let data = image.data(2, 1, &[pair]).unwrap();
        let list = image.list(&[data, negative, abi_small(3)]);
        let mut roots = [list, image.nat(7)];
        image.place(&mut runtime, &mut memory, region, &mut roots).unwrap();
        let expected = Value::list(vec![
            Value::data(
                &constructors[2],
                vec![Value::tuple(vec![Value::string("nine bytes, and more"), Value::Nat(u128::MAX)])],
            ),
            Value::Int(i128::MIN),
            Value::Nat(3),
        ]);
        let decoded = runtime.decode(&memory, roots[0], constructors);
        assert!(same(&decoded, &expected), "{decoded}");
        assert!(same(&runtime.decode(&memory, roots[1], constructors), &Value::Nat(7)));
        assert!(runtime.stats().bytes_in_use > 0);
        runtime.release(&mut memory, region);
        assert_eq!(memory.load(region), 0);
    }

    #[test]
    fn data_without_fields_is_an_atom_and_a_short_tuple_is_refused() {
        let program = program();
        let mut image = Image::new();
        let atom = image.data(0, 0, &[]).unwrap();
        assert!(same(&crate::decode::decode(&TestMemory::new(), atom, &program.constructors), &{
            Value::data(&program.constructors[0], Vec::new())
        }));
        assert!(image.tuple(&[atom]).is_err());
        assert!(image.data(1 << 24, 0, &[atom]).is_err());
    }

    fn abi_small(n: u128) -> u64 {
        min_lir::abi::small_nat(n).unwrap()
    }
}
