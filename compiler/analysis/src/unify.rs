//! Unification with levels (for let-generalization) and numeric classes.

use crate::types::{Class, Con, Scheme, Type};

/// Level of variables that have been generalized.
pub const GENERIC: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Var {
    binding: Option<Type>,
    level: u32,
    class: Class,
}

/// Why two types could not be unified.
#[derive(Debug)]
pub enum UnifyError {
    /// Different constructors or shapes.
    Mismatch,
    /// A variable would contain itself.
    Occurs,
    /// A constrained variable met a type outside its class.
    Class(Class, Type),
}

/// The substitution built up during inference.
#[derive(Default)]
pub struct Unifier {
    vars: Vec<Var>,
    /// The current let-nesting level.
    pub level: u32,
}

impl Unifier {
    /// A fresh variable at the current level.
    pub fn fresh(&mut self) -> Type {
        self.fresh_class(Class::ANY)
    }

    /// A fresh variable restricted to `class`.
    pub fn fresh_class(&mut self, class: Class) -> Type {
        self.vars.push(Var { binding: None, level: self.level, class });
        Type::Var(self.vars.len() as u32 - 1)
    }

    /// Follows bindings at the top of `ty`.
    pub fn shallow(&self, ty: &Type) -> Type {
        self.shallow_ref(ty).clone()
    }

    /// Follows bindings at the top of `ty`, without copying anything.
    pub fn shallow_ref<'t>(&'t self, ty: &'t Type) -> &'t Type {
        let mut ty = ty;
        while let Type::Var(v) = ty {
            match &self.vars[*v as usize].binding {
                Some(bound) => ty = bound,
                None => break,
            }
        }
        ty
    }

    /// `ty` with every bound variable replaced, all the way down.
    pub fn resolve(&self, ty: &Type) -> Type {
        match self.shallow_ref(ty) {
            Type::App(con, args) => Type::App(con.clone(), args.iter().map(|arg| self.resolve(arg)).collect()),
            Type::Fun(a, b) => Type::fun(self.resolve(a), self.resolve(b)),
            other => other.clone(),
        }
    }

    /// The class of an unbound variable.
    pub fn class_of(&self, var: u32) -> Class {
        self.vars[var as usize].class
    }

    /// The level of an unbound variable.
    pub fn level_of(&self, var: u32) -> u32 {
        self.vars[var as usize].level
    }

    /// Binds an unbound variable (used for defaulting).
    pub fn bind(&mut self, var: u32, ty: Type) {
        self.vars[var as usize].binding = Some(ty);
    }

    /// Restricts `ty` to `class`, binding nothing.
    pub fn constrain(&mut self, ty: &Type, class: Class) -> Result<(), UnifyError> {
        match self.shallow(ty) {
            Type::Var(v) => {
                let current = self.vars[v as usize].class;
                match current.meet(class) {
                    Some(meet) => {
                        self.vars[v as usize].class = meet;
                        Ok(())
                    }
                    None => Err(UnifyError::Class(class, Type::Var(v))),
                }
            }
            Type::App(con, args) if (args.is_empty() || con == Con::List) && class.admits(&con) => Ok(()),
            _ if class == Class::ANY => Ok(()),
            other => Err(UnifyError::Class(class, other)),
        }
    }

    /// Makes `a` and `b` equal.
    pub fn unify(&mut self, a: &Type, b: &Type) -> Result<(), UnifyError> {
        let a = self.shallow(a);
        let b = self.shallow(b);
        match (a, b) {
            (Type::Var(x), Type::Var(y)) if x == y => Ok(()),
            (Type::Var(x), Type::Var(y)) => {
                let (vx, vy) = (&self.vars[x as usize], &self.vars[y as usize]);
                let class = vx.class.meet(vy.class).ok_or(UnifyError::Class(vx.class, Type::Var(y)))?;
                let level = vx.level.min(vy.level);
                self.vars[y as usize].class = class;
                self.vars[y as usize].level = level;
                self.vars[x as usize].binding = Some(Type::Var(y));
                Ok(())
            }
            (Type::Var(x), other) | (other, Type::Var(x)) => self.bind_var(x, other),
            (Type::Fun(a1, b1), Type::Fun(a2, b2)) => {
                self.unify(&a1, &a2)?;
                self.unify(&b1, &b2)
            }
            (Type::App(c1, args1), Type::App(c2, args2)) if c1 == c2 && args1.len() == args2.len() => {
                for (x, y) in args1.iter().zip(&args2) {
                    self.unify(x, y)?;
                }
                Ok(())
            }
            _ => Err(UnifyError::Mismatch),
        }
    }

    fn bind_var(&mut self, var: u32, ty: Type) -> Result<(), UnifyError> {
        let class = self.vars[var as usize].class;
        if class != Class::ANY {
            match &ty {
                Type::App(con, args) if (args.is_empty() || *con == Con::List) && class.admits(con) => {}
                _ => return Err(UnifyError::Class(class, ty)),
            }
        }
        let level = self.vars[var as usize].level;
        if self.occurs_and_adjust(var, level, &ty) {
            return Err(UnifyError::Occurs);
        }
        self.vars[var as usize].binding = Some(ty);
        Ok(())
    }

    /// Whether `var` occurs in `ty`; lowers the levels of `ty`'s variables to `level`.
    fn occurs_and_adjust(&mut self, var: u32, level: u32, ty: &Type) -> bool {
        match self.shallow_ref(ty).clone() {
            Type::Var(v) => {
                if v == var {
                    return true;
                }
                let slot = &mut self.vars[v as usize];
                slot.level = slot.level.min(level);
                false
            }
            Type::App(_, args) => args.iter().any(|arg| self.occurs_and_adjust(var, level, arg)),
            Type::Fun(a, b) => self.occurs_and_adjust(var, level, &a) || self.occurs_and_adjust(var, level, &b),
            Type::Gen(_) => false,
        }
    }

    /// A fresh instance of a scheme.
    pub fn instantiate(&mut self, scheme: &Scheme) -> Type {
        self.instantiate_with_args(scheme).0
    }

    /// Like [`Unifier::instantiate`], and also gives the fresh variable
    /// that stands for each quantified one.
    pub fn instantiate_with_args(&mut self, scheme: &Scheme) -> (Type, Vec<Type>) {
        let fresh: Vec<Type> = scheme.classes.iter().map(|&class| self.fresh_class(class)).collect();
        (substitute_generics(&scheme.ty, &fresh), fresh)
    }

    /// Generalizes the variables of `ty` above the current level. With
    /// `keep_classes` false, class-constrained variables stay monomorphic
    /// (values are not generalized over number types).
    ///
    /// A class-constrained variable is generalized only when it occurs in a
    /// parameter: then the argument values carry the number type at run time.
    /// One that occurs only in the result (`g x = 10 - 20`) is left to the
    /// module's defaults, so the result's type never depends on the caller alone.
    pub fn generalize(&mut self, ty: &Type, keep_classes: bool) -> Scheme {
        let mut in_parameters: Vec<u32> = Vec::new();
        let mut rest = self.shallow(ty);
        while let Type::Fun(param, result) = rest {
            self.free_vars(&param, &mut in_parameters);
            rest = self.shallow(&result);
        }
        let mut generics: Vec<u32> = Vec::new();
        self.collect_generics(ty, keep_classes, &mut generics);
        generics.retain(|&v| self.vars[v as usize].class == Class::ANY || in_parameters.contains(&v));
        // What stays monomorphic belongs to the enclosing level from now on,
        // so that no outer generalization picks it up either.
        let mut free = Vec::new();
        self.free_vars(ty, &mut free);
        for v in free {
            if !generics.contains(&v) && self.vars[v as usize].level > self.level {
                self.vars[v as usize].level = self.level;
            }
        }
        let classes = generics.iter().map(|&v| self.vars[v as usize].class).collect();
        let ty = self.replace_generics(ty, &generics);
        for &v in &generics {
            self.vars[v as usize].level = GENERIC;
        }
        Scheme { classes, ty }
    }

    fn collect_generics(&self, ty: &Type, keep_classes: bool, out: &mut Vec<u32>) {
        match self.shallow_ref(ty) {
            Type::Var(v) => {
                let var = &self.vars[*v as usize];
                if var.level > self.level && (keep_classes || var.class == Class::ANY) && !out.contains(v) {
                    out.push(*v);
                }
            }
            Type::App(_, args) => args.iter().for_each(|arg| self.collect_generics(arg, keep_classes, out)),
            Type::Fun(a, b) => {
                self.collect_generics(a, keep_classes, out);
                self.collect_generics(b, keep_classes, out);
            }
            Type::Gen(_) => {}
        }
    }

    fn replace_generics(&self, ty: &Type, generics: &[u32]) -> Type {
        match self.shallow(ty) {
            Type::Var(v) => match generics.iter().position(|&g| g == v) {
                Some(i) => Type::Gen(i as u32),
                None => Type::Var(v),
            },
            Type::App(con, args) => {
                Type::App(con, args.iter().map(|arg| self.replace_generics(arg, generics)).collect())
            }
            Type::Fun(a, b) => Type::fun(self.replace_generics(&a, generics), self.replace_generics(&b, generics)),
            Type::Gen(i) => Type::Gen(i),
        }
    }

    /// Unbound variables of `ty` (after resolution).
    pub fn free_vars(&self, ty: &Type, out: &mut Vec<u32>) {
        match self.shallow_ref(ty) {
            Type::Var(v) => {
                if !out.contains(v) {
                    out.push(*v);
                }
            }
            Type::App(_, args) => args.iter().for_each(|arg| self.free_vars(arg, out)),
            Type::Fun(a, b) => {
                self.free_vars(a, out);
                self.free_vars(b, out);
            }
            Type::Gen(_) => {}
        }
    }

    /// How many variables exist (for scanning all of them when defaulting).
    pub fn var_count(&self) -> u32 {
        self.vars.len() as u32
    }

    /// Whether variable `v` is unbound.
    pub fn is_unbound(&self, v: u32) -> bool {
        self.vars[v as usize].binding.is_none()
    }
}

/// Replaces `Gen(i)` by `args[i]`.
pub fn substitute_generics(ty: &Type, args: &[Type]) -> Type {
    match ty {
        Type::Gen(i) => args.get(*i as usize).cloned().unwrap_or_else(|| ty.clone()),
        Type::App(con, items) => Type::App(con.clone(), items.iter().map(|t| substitute_generics(t, args)).collect()),
        Type::Fun(a, b) => Type::fun(substitute_generics(a, args), substitute_generics(b, args)),
        Type::Var(_) => ty.clone(),
    }
}

/// Whether `ty` is one of the number types.
pub fn is_number(con: &Con) -> bool {
    matches!(con, Con::Nat | Con::Int | Con::Real)
}
