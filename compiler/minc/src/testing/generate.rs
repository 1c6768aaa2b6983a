//! The values of a property test's parameters: a seeded generator writes
//! each as a Min literal of the parameter's type, which `args` then reads
//! like a `minc run` argument. The literal is what a failure reports, so
//! the inputs shown are exactly the inputs run.

use min_analysis::interface::{AdtDef, Interface};
use min_analysis::types::{Con, Type};
use min_analysis::unify::substitute_generics;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How deep generated lists and data types nest.
const DEPTH_MAX: u32 = 4;

/// The longest generated list or string.
const LENGTH_MAX: u64 = 6;

/// SplitMix64: small, fast, and the same sequence on every machine and
/// every version, so a seed always reproduces its inputs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator started at `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..=max`.
    pub fn below_or(&mut self, max: u64) -> u64 {
        if max == u64::MAX { self.next_u64() } else { self.next_u64() % (max + 1) }
    }
}

/// The seed of one test's cases: the run's seed mixed with the test's
/// name, so that choosing tests with `--filter` does not change the inputs
/// of the others.
pub fn test_seed(seed: u64, name: &str) -> u64 {
    // FNV-1a over the name, then one SplitMix step with the run's seed.
    let mut hash: u64 = 0xCBF2_9CE4_8422_2325;
    for byte in name.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3);
    }
    Rng::new(seed ^ hash).next_u64()
}

/// Writes random Min literals of given types.
pub struct Generator<'a> {
    rng: &'a mut Rng,
    interfaces: &'a BTreeMap<String, Arc<Interface>>,
}

impl<'a> Generator<'a> {
    /// A generator drawing from `rng`; `interfaces` resolves data types.
    pub fn new(rng: &'a mut Rng, interfaces: &'a BTreeMap<String, Arc<Interface>>) -> Generator<'a> {
        Generator { rng, interfaces }
    }

    /// A literal of type `ty`, or why there is none (the checker rejects
    /// such parameters with `E0209`, so this is only a safeguard).
    pub fn literal(&mut self, ty: &Type) -> Result<String, String> {
        self.value(ty, 0)
    }

    fn value(&mut self, ty: &Type, depth: u32) -> Result<String, String> {
        let Type::App(con, args) = ty else {
            return Err("no values of a function type or a type variable can be generated".to_string());
        };
        Ok(match con {
            Con::Nat => self.natural().to_string(),
            Con::Int => {
                let magnitude = self.natural();
                if self.rng.below_or(1) == 1 && magnitude != 0 {
                    format!("-{magnitude}")
                } else {
                    magnitude.to_string()
                }
            }
            Con::Real => {
                let whole = self.rng.below_or(1000);
                let fraction = self.rng.below_or(99);
                let sign = if self.rng.below_or(1) == 1 { "-" } else { "" };
                format!("{sign}{whole}.{fraction}")
            }
            Con::Bool => (self.rng.below_or(1) == 1).to_string(),
            Con::Char => format!("'{}'", self.letter()),
            Con::Str => {
                let length = self.rng.below_or(LENGTH_MAX);
                format!("\"{}\"", (0..length).map(|_| self.letter()).collect::<String>())
            }
            Con::List => {
                let length = if depth >= DEPTH_MAX { 0 } else { self.rng.below_or(LENGTH_MAX) };
                let items: Result<Vec<String>, String> = (0..length).map(|_| self.value(&args[0], depth + 1)).collect();
                format!("[{}]", items?.join(", "))
            }
            Con::Tuple(0) => "()".to_string(),
            Con::Tuple(_) => {
                let items: Result<Vec<String>, String> = args.iter().map(|arg| self.value(arg, depth + 1)).collect();
                format!("({})", items?.join(", "))
            }
            Con::Adt(qualified) => self.data(qualified, args, depth)?,
            Con::Rigid(_) => return Err("no values of a type variable can be generated".to_string()),
        })
    }

    /// Small numbers most of the time, where off-by-one mistakes show;
    /// sometimes large ones, where overflow does.
    fn natural(&mut self) -> u64 {
        match self.rng.below_or(9) {
            0 => 0,
            1 => 1,
            2..=5 => self.rng.below_or(100),
            6 | 7 => self.rng.below_or(1_000_000),
            8 => self.rng.below_or(u64::from(u32::MAX)),
            _ => self.rng.next_u64(),
        }
    }

    fn letter(&mut self) -> char {
        char::from(b'a' + self.rng.below_or(25) as u8)
    }

    fn data(&mut self, qualified: &str, args: &[Type], depth: u32) -> Result<String, String> {
        let adt = self.adt(qualified).ok_or_else(|| format!("the type `{qualified}` is not known"))?;
        if adt.record {
            let constructor = &adt.constructors[0];
            let mut fields = Vec::with_capacity(constructor.fields.len());
            for (name, field) in &constructor.fields {
                let value = self.value(&substitute_generics(field, args), depth + 1)?;
                fields.push(format!("{} = {value}", name.as_deref().unwrap_or("_")));
            }
            return Ok(format!("{{{}}}", fields.join(", ")));
        }
        // Past the depth limit, only constructors that do not hold the type again.
        let candidates: Vec<usize> = (0..adt.constructors.len())
            .filter(|&i| {
                depth < DEPTH_MAX || !adt.constructors[i].fields.iter().any(|(_, field)| mentions(field, qualified))
            })
            .collect();
        let chosen =
            if candidates.is_empty() { 0 } else { candidates[self.rng.below_or(candidates.len() as u64 - 1) as usize] };
        let constructor = &adt.constructors[chosen];
        let mut text = constructor.name.clone();
        for (_, field) in &constructor.fields {
            let value = self.value(&substitute_generics(field, args), depth + 1)?;
            text.push_str(&format!(" ({value})"));
        }
        Ok(text)
    }

    fn adt(&self, qualified: &str) -> Option<Arc<AdtDef>> {
        let (module, name) = qualified.rsplit_once('.')?;
        self.interfaces.get(module).and_then(|interface| interface.types.get(name)).cloned()
    }
}

/// Whether `ty` mentions the data type `qualified`.
fn mentions(ty: &Type, qualified: &str) -> bool {
    match ty {
        Type::App(Con::Adt(name), args) => &**name == qualified || args.iter().any(|arg| mentions(arg, qualified)),
        Type::App(_, args) => args.iter().any(|arg| mentions(arg, qualified)),
        Type::Fun(a, b) => mentions(a, qualified) || mentions(b, qualified),
        Type::Var(_) | Type::Gen(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_sequence_and_another_seed_another() {
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn literals_of_base_types_have_their_type() {
        let interfaces = BTreeMap::new();
        let mut rng = Rng::new(1);
        let mut generator = Generator::new(&mut rng, &interfaces);
        for _ in 0..200 {
            let nat = generator.literal(&Type::con(Con::Nat)).expect("ℕ");
            assert!(nat.parse::<u64>().is_ok(), "{nat}");
            let int = generator.literal(&Type::con(Con::Int)).expect("ℤ");
            assert!(int.parse::<i128>().is_ok(), "{int}");
            let text = generator.literal(&Type::con(Con::Str)).expect("S");
            assert!(text.starts_with('"') && text.ends_with('"') && text.len() >= 2, "{text}");
            let list = generator.literal(&Type::list(Type::con(Con::Bool))).expect("[Bool]");
            assert!(list.starts_with('[') && list.ends_with(']'), "{list}");
        }
        assert!(generator.literal(&Type::fun(Type::con(Con::Nat), Type::con(Con::Nat))).is_err());
    }

    #[test]
    fn a_test_seed_depends_on_the_run_seed_and_the_name() {
        assert_eq!(test_seed(1, "a"), test_seed(1, "a"));
        assert_ne!(test_seed(1, "a"), test_seed(2, "a"));
        assert_ne!(test_seed(1, "a"), test_seed(1, "b"));
    }
}
