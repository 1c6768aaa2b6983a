//! Written types: type definitions, signatures and annotations.

use super::Checker;
use crate::interface::{AdtDef, ConstructorDef};
use crate::types::{Con, Scheme, Type};
use crate::unify::substitute_generics;
use min_diagnostics::{Diagnostic, codes};
use min_syntax::ast::{self, TypeBody, TypeExpr, TypeExprKind};
use std::sync::Arc;

/// How lowercase names in a written type are read.
pub(crate) enum TypeVars<'v> {
    /// Type parameters of a definition, by position: become `Gen(i)`.
    Params(&'v [String]),
    /// Collected as they appear: become `Gen(i)` in order (signatures).
    Collect(&'v mut Vec<String>),
    /// Fresh unification variables, shared by name (annotations).
    Flexible(&'v mut Vec<(String, Type)>),
}

impl Checker {
    /// Declares the module's types: names first, so that types may refer to
    /// each other and to themselves, then constructors and fields.
    pub(crate) fn declare_types(&mut self, types: &[ast::TypeDef]) {
        for def in types {
            if self.env.own_types.contains_key(&def.name.text) {
                self.error(Diagnostic::error(
                    codes::E0104,
                    def.name.span,
                    format!("the type `{}` is defined twice", def.name.text),
                ));
                continue;
            }
            let adt = AdtDef {
                qualified: Arc::from(format!("{}.{}", self.env.module, def.name.text)),
                params: def.params.iter().map(|p| p.text.clone()).collect(),
                constructors: Vec::new(),
                record: matches!(def.body, TypeBody::Record(_)),
                kind: def.kind,
                span: def.span,
                doc: def.doc.clone(),
            };
            Arc::make_mut(&mut self.env.own_types).insert(def.name.text.clone(), Arc::new(adt));
        }
        let mut constructor_owner: rustc_hash::FxHashMap<String, String> = Default::default();
        for def in types {
            let Some(existing) = self.env.own_types.get(&def.name.text) else { continue };
            if existing.span != def.span {
                continue;
            }
            let params: Vec<String> = existing.params.clone();
            let qualified = existing.qualified.clone();
            let constructors = match &def.body {
                TypeBody::Variants(variants) => variants
                    .iter()
                    .map(|variant| {
                        let fields = self.lower_fields(&variant.fields, &params);
                        let authority = self.authorities(def, &variant.fields, &fields);
                        ConstructorDef { name: variant.name.text.clone(), fields, authority, span: variant.span }
                    })
                    .collect(),
                TypeBody::Record(written) => {
                    let fields = self.lower_fields(written, &params);
                    let authority = self.authorities(def, written, &fields);
                    vec![ConstructorDef { name: def.name.text.clone(), fields, authority, span: def.span }]
                }
            };
            for constructor in &constructors {
                let names: Vec<&str> = constructor.fields.iter().filter_map(|(name, _)| name.as_deref()).collect();
                for (i, name) in names.iter().enumerate() {
                    if names[..i].contains(name) {
                        self.error(Diagnostic::error(
                            codes::E0104,
                            constructor.span,
                            format!("`{}` has two fields named `{name}`", constructor.name),
                        ));
                    }
                }
                if let Some(owner) = constructor_owner.insert(constructor.name.clone(), def.name.text.clone()) {
                    self.error(Diagnostic::error(
                        codes::E0104,
                        constructor.span,
                        format!("the constructor `{}` is defined twice (also in `{owner}`)", constructor.name),
                    ));
                }
            }
            let shown = Type::App(Con::Adt(qualified.clone()), (0..params.len() as u32).map(Type::Gen).collect());
            self.record_name(def.name.span, shown.clone(), crate::check::Target::Type(qualified.to_string()), true);
            if let TypeBody::Variants(variants) = &def.body {
                for (tag, (variant, constructor)) in variants.iter().zip(&constructors).enumerate() {
                    let ty =
                        constructor.fields.iter().rev().fold(shown.clone(), |acc, (_, f)| Type::fun(f.clone(), acc));
                    let target = crate::check::Target::Constructor(qualified.to_string(), tag as u32);
                    self.record_name(variant.name.span, ty, target, true);
                }
            }
            let adt =
                Arc::make_mut(Arc::make_mut(&mut self.env.own_types).get_mut(&def.name.text).expect("declared above"));
            adt.constructors = constructors;
        }
    }

    /// A constructor's fields: names and types over the type's `params`.
    fn lower_fields(&mut self, fields: &[ast::Field], params: &[String]) -> Vec<(Option<String>, Type)> {
        fields
            .iter()
            .map(|field| {
                (field.name.as_ref().map(|n| n.text.clone()), self.lower_type(&field.ty, &mut TypeVars::Params(params)))
            })
            .collect()
    }

    /// The authority each field is written under (`balance:ℕ{owner}`), as
    /// the index of the field that names it; empty when there is none. The
    /// authority must be an `S` field of the same constructor, and only an
    /// `object` type's fields may have one (`spec/security.md`).
    fn authorities(
        &mut self,
        def: &ast::TypeDef,
        written: &[ast::Field],
        fields: &[(Option<String>, Type)],
    ) -> Vec<Option<u32>> {
        if written.iter().all(|field| field.authority.is_none()) {
            return Vec::new();
        }
        let mut authority = Vec::with_capacity(written.len());
        for field in written {
            let Some(principal) = &field.authority else {
                authority.push(None);
                continue;
            };
            if def.kind != ast::TypeKind::Object {
                self.error(
                    Diagnostic::error(
                        codes::E0803,
                        principal.span,
                        format!("`{}` is not an object type, so its fields cannot name an authority", def.name.text),
                    )
                    .with_help(format!(
                        "authorities guard state on the chain: declare it `object {} = …`",
                        def.name.text
                    )),
                );
                authority.push(None);
                continue;
            }
            let index = fields.iter().position(|(name, _)| name.as_deref() == Some(principal.text.as_str()));
            match index {
                Some(index) if fields[index].1 == Type::App(Con::Str, Vec::new()) => authority.push(Some(index as u32)),
                Some(_) => {
                    self.error(
                        Diagnostic::error(
                            codes::E0803,
                            principal.span,
                            format!(
                                "the authority `{}` is not an address: its field has another type than `S`",
                                principal.text
                            ),
                        )
                        .with_help(
                            "an authority is an `S` field holding the address of the account that may change this one",
                        ),
                    );
                    authority.push(None);
                }
                None => {
                    self.error(
                        Diagnostic::error(
                            codes::E0803,
                            principal.span,
                            format!(
                                "`{}` has no field `{}` to be this field's authority",
                                def.name.text, principal.text
                            ),
                        )
                        .with_help("name an `S` field of the same value, such as `owner:S`"),
                    );
                    authority.push(None);
                }
            }
        }
        authority
    }

    /// Builds the lookup tables of constructors and record fields.
    pub(crate) fn index_types(&mut self) {
        for adt in self.env.imported_types.values().chain(self.env.own_types.values()) {
            for (tag, constructor) in adt.constructors.iter().enumerate() {
                Arc::make_mut(&mut self.env.constructor_index)
                    .insert(constructor.name.clone(), (adt.clone(), tag as u32));
            }
            if adt.record {
                for (field, _) in &adt.constructors[0].fields {
                    if let Some(field) = field {
                        let entry = Arc::make_mut(&mut self.env.record_index).entry(field.clone()).or_default();
                        entry.retain(|other| other.qualified != adt.qualified);
                        entry.push(adt.clone());
                    }
                }
            }
        }
    }

    /// The scheme a signature declares: its type variables are quantified.
    pub(crate) fn signature_scheme(&mut self, signature: &TypeExpr) -> Scheme {
        let mut names = Vec::new();
        let ty = self.lower_type(signature, &mut TypeVars::Collect(&mut names));
        Scheme { classes: vec![Default::default(); names.len()], ty }
    }

    /// The signature's type with its variables held abstract, for checking the body.
    pub(crate) fn rigid_instance(&mut self, scheme: &Scheme, signature: &TypeExpr) -> Type {
        let mut names = Vec::new();
        let _ = self.lower_type(signature, &mut TypeVars::Collect(&mut names));
        // Each signature's variables are its own: `a` in a local signature is
        // not the enclosing signature's `a` (the suffix keeps them apart and
        // is not shown).
        self.next_binding += 1;
        let instance = self.next_binding;
        let rigid: Vec<Type> =
            names.iter().map(|name| Type::con(Con::Rigid(Arc::from(format!("{name}#{instance}"))))).collect();
        substitute_generics(&scheme.ty, &rigid)
    }

    /// Lowers a written type.
    pub(crate) fn lower_type(&mut self, ty: &TypeExpr, vars: &mut TypeVars) -> Type {
        match &ty.kind {
            TypeExprKind::Function(a, b) => {
                let a = self.lower_type(a, vars);
                let b = self.lower_type(b, vars);
                Type::fun(a, b)
            }
            TypeExprKind::List(item) => Type::list(self.lower_type(item, vars)),
            TypeExprKind::Tuple(items) => {
                let items: Vec<Type> = items.iter().map(|item| self.lower_type(item, vars)).collect();
                Type::App(Con::Tuple(items.len() as u32), items)
            }
            TypeExprKind::Var(name) => match vars {
                TypeVars::Params(params) => match params.iter().position(|p| *p == name.text) {
                    Some(i) => Type::Gen(i as u32),
                    None => {
                        self.error(
                            Diagnostic::error(
                                codes::E0102,
                                name.span,
                                format!("unknown type variable `{}`", name.text),
                            )
                            .with_help("declare it as a parameter of the type: `T a = …`"),
                        );
                        self.u.fresh()
                    }
                },
                TypeVars::Collect(names) => {
                    let i = names.iter().position(|n| *n == name.text).unwrap_or_else(|| {
                        names.push(name.text.clone());
                        names.len() - 1
                    });
                    Type::Gen(i as u32)
                }
                TypeVars::Flexible(known) => {
                    if let Some((_, ty)) = known.iter().find(|(n, _)| *n == name.text) {
                        return ty.clone();
                    }
                    let fresh = self.u.fresh();
                    known.push((name.text.clone(), fresh.clone()));
                    fresh
                }
            },
            TypeExprKind::Named(path, args) => {
                let args: Vec<Type> = args.iter().map(|arg| self.lower_type(arg, vars)).collect();
                self.named_type(path, args, ty)
            }
            TypeExprKind::Error => self.u.fresh(),
        }
    }

    fn named_type(&mut self, path: &[ast::Name], args: Vec<Type>, ty: &TypeExpr) -> Type {
        let name = &path[path.len() - 1];
        let builtin = match (path.len(), name.text.as_str()) {
            (1, "ℕ" | "Nat") => Some(Con::Nat),
            (1, "ℤ" | "Int") => Some(Con::Int),
            (1, "ℝ" | "Real") => Some(Con::Real),
            (1, "Bool" | "𝔹") => Some(Con::Bool),
            (1, "Char") => Some(Con::Char),
            (1, "S" | "String") => Some(Con::Str),
            (1, "List") => Some(Con::List),
            _ => None,
        };
        if let Some(con) = builtin {
            let expected = usize::from(con == Con::List);
            if args.len() != expected {
                self.error(Diagnostic::error(
                    codes::E0205,
                    ty.span,
                    format!("`{}` takes {expected} type argument{}, found {}", name.text, plural(expected), args.len()),
                ));
                return self.u.fresh();
            }
            return Type::App(con, args);
        }
        let Some(adt) = self.find_type(path) else {
            self.error(Diagnostic::error(codes::E0102, name.span, format!("unknown type `{}`", join(path))).with_help(
                "the built-in types are ℕ ℤ ℝ Bool Char S, [a] and (a, b); others must be defined or imported",
            ));
            return self.u.fresh();
        };
        let shown = Type::App(Con::Adt(adt.qualified.clone()), (0..adt.params.len() as u32).map(Type::Gen).collect());
        self.record_name(name.span, shown, crate::check::Target::Type(adt.qualified.to_string()), false);
        if args.len() != adt.params.len() {
            self.error(Diagnostic::error(
                codes::E0205,
                ty.span,
                format!(
                    "`{}` takes {} type argument{}, found {}",
                    name.text,
                    adt.params.len(),
                    plural(adt.params.len()),
                    args.len()
                ),
            ));
            return self.u.fresh();
        }
        Type::App(Con::Adt(adt.qualified.clone()), args)
    }

    /// Looks a type up: this module's, imported ones, or `Module.Type`.
    pub(crate) fn find_type(&self, path: &[ast::Name]) -> Option<Arc<AdtDef>> {
        match path {
            [name] => self.env.own_types.get(&name.text).or_else(|| self.env.imported_types.get(&name.text)).cloned(),
            [module, name] => self.env.modules.get(&module.text)?.types.get(&name.text).cloned(),
            _ => None,
        }
    }

    /// The type definition behind a qualified type name.
    pub(crate) fn adt_by_qualified(&self, qualified: &str) -> Option<Arc<AdtDef>> {
        let (module, name) = qualified.rsplit_once('.')?;
        if module == self.env.module {
            return self.env.own_types.get(name).cloned();
        }
        self.env
            .modules
            .get(module)
            .and_then(|m| m.types.get(name).cloned())
            .or_else(|| self.env.imported_types.get(name).filter(|adt| &*adt.qualified == qualified).cloned())
    }

    /// A scheme with no unification variables left, for the interface.
    pub(crate) fn close_scheme(&self, scheme: &Scheme) -> Scheme {
        let ty = self.u.resolve(&scheme.ty);
        let mut free = Vec::new();
        self.u.free_vars(&ty, &mut free);
        if free.is_empty() {
            return Scheme { classes: scheme.classes.clone(), ty };
        }
        let mut classes = scheme.classes.clone();
        let base = classes.len() as u32;
        let mut replacements = Vec::new();
        for (i, &v) in free.iter().enumerate() {
            classes.push(self.u.class_of(v));
            replacements.push((v, Type::Gen(base + i as u32)));
        }
        Scheme { classes, ty: replace_vars(&ty, &replacements) }
    }
}

fn replace_vars(ty: &Type, replacements: &[(u32, Type)]) -> Type {
    match ty {
        Type::Var(v) => replacements.iter().find(|(w, _)| w == v).map_or_else(|| ty.clone(), |(_, t)| t.clone()),
        Type::App(con, args) => Type::App(con.clone(), args.iter().map(|a| replace_vars(a, replacements)).collect()),
        Type::Fun(a, b) => Type::fun(replace_vars(a, replacements), replace_vars(b, replacements)),
        Type::Gen(_) => ty.clone(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `A.B.c` as written.
pub(crate) fn join(path: &[ast::Name]) -> String {
    path.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join(".")
}
