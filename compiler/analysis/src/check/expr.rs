//! Expressions: inference and lowering in one walk. Juxtaposition is
//! resolved here: a function applies to what follows it, numbers multiply.

use super::group::{BodyShape, ClauseRef};
use super::linearity::{Callee, Discard, Flow};
use super::types::{TypeVars, join};
use super::{Checker, Target};
use crate::exhaustive::coverage;
use crate::types::{Class, Con, Scheme, Type, TypePrinter};
use crate::unify::is_number;
use min_core::{self as core, ArithOp, CmpOp, NumKind, Prim};
use min_diagnostics::{Diagnostic, Span, codes};
use min_syntax::ast::{Expr, ExprKind, Name, UnOp};
use min_syntax::token::BinOp;

impl Checker {
    /// Lowers `expr`, requiring it to have type `expected`.
    pub(crate) fn check(&mut self, expr: &Expr, expected: &Type) -> core::Expr {
        if let ExprKind::Record(fields) = &expr.kind {
            // The expected type picks the record type when field names are shared.
            let (lowered, actual) = self.infer_record(fields, expr.span, expected);
            self.unify_at(&actual, expected, expr.span, "this record has the wrong type");
            return lowered;
        }
        let (lowered, actual) = self.infer(expr);
        self.unify_at(&actual, expected, expr.span, "this expression has the wrong type");
        lowered
    }

    /// Lowers `expr` and infers its type.
    pub(crate) fn infer(&mut self, expr: &Expr) -> (core::Expr, Type) {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Path(path) => self.infer_path(path, span),
            ExprKind::Int(value) => {
                let ty = self.u.fresh_class(Class::NUM);
                let pending = self.pend(&ty);
                (core::Expr::Lit(core::Lit::PendingInt(*value, false, pending)), ty)
            }
            ExprKind::Real(bits) => (core::Expr::Lit(core::Lit::Real(*bits)), Type::con(Con::Real)),
            ExprKind::Str(text) => (core::Expr::Lit(core::Lit::Str(text.clone())), Type::con(Con::Str)),
            ExprKind::Char(c) => {
                let ty = self.u.fresh_class(Class::TEXT);
                let pending = self.pend(&ty);
                (core::Expr::Lit(core::Lit::PendingChar(*c, pending)), ty)
            }
            ExprKind::Bool(value) => (core::Expr::Lit(core::Lit::Bool(*value)), Type::con(Con::Bool)),
            ExprKind::Wildcard => {
                self.error(
                    Diagnostic::error(codes::E0012, span, "`_` can only be used in a pattern")
                        .with_help("in an expression, name the value you mean"),
                );
                (core::Expr::Lit(core::Lit::Unit), self.u.fresh())
            }
            ExprKind::Error => (core::Expr::Lit(core::Lit::Unit), self.u.fresh()),
            ExprKind::Juxtaposition(items) => self.infer_juxtaposition(items, span),
            ExprKind::Binary(op, a, b) => self.infer_binary(*op, a, b, span),
            ExprKind::Unary(op, operand) => self.infer_unary(*op, operand, span),
            ExprKind::Field(base, name) => self.infer_field(base, name, span),
            ExprKind::Tuple(items) if items.is_empty() => (core::Expr::Lit(core::Lit::Unit), Type::unit()),
            ExprKind::Tuple(items) => {
                let (cores, types): (Vec<_>, Vec<_>) = items.iter().map(|item| self.infer(item)).unzip();
                (core::Expr::Tuple(cores), Type::App(Con::Tuple(items.len() as u32), types))
            }
            ExprKind::List(items) => {
                let element = self.u.fresh();
                let cores = items.iter().map(|item| self.check(item, &element)).collect();
                (core::Expr::List(cores), Type::list(element))
            }
            ExprKind::Record(fields) => {
                let unknown = self.u.fresh();
                self.infer_record(fields, span, &unknown)
            }
            ExprKind::Update(base, fields) => self.infer_update(base, fields, span),
            ExprKind::Annotated(inner, ty) => {
                let mut vars = Vec::new();
                let annotated = self.lower_type(ty, &mut TypeVars::Flexible(&mut vars));
                let lowered = self.check(inner, &annotated);
                (lowered, annotated)
            }
            ExprKind::If(condition, then, otherwise) => self.infer_if(condition, then, otherwise),
            ExprKind::Lambda(patterns, body) => self.infer_lambda(patterns, body, span),
            ExprKind::Let(defs, body) | ExprKind::Where(body, defs) => self.lower_local_group(defs, body, span),
            ExprKind::Match(scrutinee, clauses) => self.infer_match(scrutinee, clauses, span),
        }
    }

    fn infer_path(&mut self, path: &[Name], span: Span) -> (core::Expr, Type) {
        let last = &path[path.len() - 1];
        if starts_upper(&last.text) {
            return match self.find_constructor(path) {
                Some((adt, tag)) => {
                    self.check_asset_access(&adt, last.span, true);
                    let (fields, result) = self.instantiate_constructor(&adt, tag);
                    let ty = fields.iter().rev().fold(result, |acc, field| Type::fun(field.clone(), acc));
                    self.record_name(last.span, ty.clone(), Target::Constructor(adt.qualified.to_string(), tag), false);
                    (core::Expr::Constructor(adt.core_constructor(tag)), ty)
                }
                None => {
                    if path.len() == 1 && self.env.modules.contains_key(&last.text) {
                        self.error(
                            Diagnostic::error(codes::E0101, span, format!("`{}` is a module, not a value", last.text))
                                .with_help(format!("use one of its definitions: `{}.name`", last.text)),
                        );
                    } else {
                        self.unknown_constructor(path, span);
                    }
                    (core::Expr::Lit(core::Lit::Unit), self.u.fresh())
                }
            };
        }
        match path {
            [name] => self.infer_name(name, span),
            [module, name] if module.text == "Prim" => {
                match Prim::ALL.iter().find(|(n, prim)| *n == name.text && prim.is_public()) {
                    Some(&(_, prim)) => {
                        let scheme = prim_scheme(prim);
                        let (ty, args) = self.u.instantiate_with_args(&scheme);
                        self.flow_instance(|| Callee::Prim(prim), args, name.span);
                        self.record_name(name.span, ty.clone(), Target::Prim(name.text.clone()), false);
                        (core::Expr::Prim(prim), ty)
                    }
                    None => {
                        let names: Vec<&str> =
                            Prim::ALL.iter().filter(|(_, prim)| prim.is_public()).map(|(n, _)| *n).collect();
                        self.error(
                            Diagnostic::error(codes::E0101, span, format!("`Prim` has no primitive `{}`", name.text))
                                .with_help(format!("the primitives are {}", names.join(", "))),
                        );
                        (core::Expr::Lit(core::Lit::Unit), self.u.fresh())
                    }
                }
            }
            [module, name] => {
                let Some(interface) = self.env.modules.get(&module.text).cloned() else {
                    self.error(
                        Diagnostic::error(
                            codes::E0103,
                            module.span,
                            format!("`{}` is not an imported module", module.text),
                        )
                        .with_help(format!("add `import {}` at the top of the file", module.text)),
                    );
                    return (core::Expr::Lit(core::Lit::Unit), self.u.fresh());
                };
                match interface.values.get(&name.text) {
                    Some(value) => {
                        self.check_foreign_definition(value, name.span);
                        self.check_chain_given_imported(value, name.span);
                        let (ty, args) = self.u.instantiate_with_args(&value.scheme);
                        self.flow_instance(|| Callee::Global(value.qualified.clone()), args, name.span);
                        self.record_name(name.span, ty.clone(), Target::Global(value.qualified.clone()), false);
                        (core::Expr::Global(value.qualified.clone()), ty)
                    }
                    None => {
                        let suggestion = closest(&name.text, interface.values.keys().map(String::as_str));
                        let mut diagnostic = Diagnostic::error(
                            codes::E0101,
                            name.span,
                            format!("module `{}` has no `{}`", module.text, name.text),
                        );
                        if let Some(suggestion) = suggestion {
                            diagnostic = diagnostic.with_help(format!("did you mean `{}.{suggestion}`?", module.text));
                        }
                        self.error(diagnostic);
                        (core::Expr::Lit(core::Lit::Unit), self.u.fresh())
                    }
                }
            }
            _ => {
                self.error(Diagnostic::error(codes::E0101, span, format!("unknown name `{}`", join(path))));
                (core::Expr::Lit(core::Lit::Unit), self.u.fresh())
            }
        }
    }

    fn infer_name(&mut self, name: &Name, span: Span) -> (core::Expr, Type) {
        if let Some(local) = self.find_local(&name.text) {
            let slot = self.slot_in_current_frame(&local);
            let (ty, args) = self.u.instantiate_with_args(&local.scheme);
            let captured = local.frame + 1 < self.frames.len();
            self.flow(Flow::Use { binding: local.binding, span, captured });
            self.flow_instance(|| Callee::Local(name.text.clone()), args, span);
            self.record_name(span, ty.clone(), Target::Local(local.span), false);
            return (core::Expr::Local(slot), ty);
        }
        let global = self.env.globals.get(&name.text).map(|g| (g.qualified.clone(), g.scheme.clone()));
        if global.is_none() {
            let imported = self.env.imported_values.clone();
            if let Some(value) = imported.get(&name.text) {
                self.check_foreign_definition(value, span);
                self.check_chain_given_imported(value, span);
            }
        }
        let imported = || self.env.imported_values.get(&name.text).map(|v| (v.qualified.clone(), v.scheme.clone()));
        if let Some((qualified, scheme)) = global.or_else(imported) {
            let (ty, args) = self.u.instantiate_with_args(&scheme);
            self.flow_instance(|| Callee::Global(qualified.clone()), args, span);
            self.record_name(span, ty.clone(), Target::Global(qualified.clone()), false);
            return (core::Expr::Global(qualified), ty);
        }
        let locals: Vec<String> = self.scopes.iter().flatten().map(|local| local.name.to_string()).collect();
        let candidates = locals
            .iter()
            .map(String::as_str)
            .chain(self.env.globals.keys().map(String::as_str))
            .chain(self.env.imported_values.keys().map(String::as_str));
        let mut diagnostic = Diagnostic::error(codes::E0101, span, format!("unknown name `{}`", name.text))
            .with_span_label("not defined here or in any imported module");
        if let Some(suggestion) = closest(&name.text, candidates) {
            diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
        }
        self.error(diagnostic);
        (core::Expr::Lit(core::Lit::Unit), self.u.fresh())
    }

    /// `a b c …`: each function takes the item after it as its argument;
    /// the numbers that remain are multiplied.
    fn infer_juxtaposition(&mut self, items: &[Expr], span: Span) -> (core::Expr, Type) {
        let (mut current, mut current_ty) = self.infer(&items[0]);
        // Applied to this many arguments, the head never returns.
        let diverges_after = self.diverging_arity(&current);
        let mut current_span = items[0].span;
        let mut factors: Vec<(core::Expr, Type, Span)> = Vec::new();
        // The arguments of the application being built, for the linearity check.
        let mut arguments: Vec<(Type, Span)> = Vec::new();
        for item in &items[1..] {
            match self.u.shallow(&current_ty) {
                Type::Fun(param, result) => {
                    if self.may_be_linear(&param) {
                        arguments.push(((*param).clone(), item.span));
                    }
                    let argument = self.check(item, &param);
                    current = apply(current, argument, current_span.to(item.span));
                    current_ty = (*result).clone();
                    current_span = current_span.to(item.span);
                }
                Type::Var(v) if self.u.class_of(v) == Class::ANY => {
                    let (param, result) = (self.u.fresh(), self.u.fresh());
                    self.unify_at(&current_ty, &Type::fun(param.clone(), result.clone()), current_span, "applied here");
                    arguments.push((param.clone(), item.span));
                    let argument = self.check(item, &param);
                    current = apply(current, argument, current_span.to(item.span));
                    current_ty = result;
                    current_span = current_span.to(item.span);
                }
                Type::Var(_) => {
                    self.flow_application(std::mem::take(&mut arguments), &current_ty);
                    factors.push((current, current_ty, current_span));
                    (current, current_ty) = self.infer(item);
                    current_span = item.span;
                }
                Type::App(con, _) if is_number(&con) => {
                    self.flow_application(std::mem::take(&mut arguments), &current_ty);
                    factors.push((current, current_ty, current_span));
                    (current, current_ty) = self.infer(item);
                    current_span = item.span;
                }
                other => {
                    let shown = TypePrinter::default().show(&self.u.resolve(&other));
                    self.error(
                        Diagnostic::error(
                            codes::E0203,
                            current_span,
                            format!("this has type `{shown}`, so it can neither be applied nor multiplied"),
                        )
                        .with_label(item.span, "so it cannot be followed by this")
                        .with_help("only a function takes an argument by juxtaposition, and only numbers multiply"),
                    );
                    let _ = self.infer(item);
                }
            }
        }
        if diverges_after.is_some_and(|arity| factors.is_empty() && arity < items.len()) {
            self.flow(Flow::Diverge(span));
        }
        self.flow_application(arguments, &current_ty);
        if factors.is_empty() {
            return (current, current_ty);
        }
        factors.push((current, current_ty, current_span));
        let mut factors = factors.into_iter();
        let (mut product, product_ty, _) = factors.next().expect("two factors at least");
        if self.u.constrain(&product_ty, Class::NUM).is_err() {
            let shown = match self.u.shallow(&product_ty) {
                Type::Var(v) => self.u.class_of(v).describe().to_string(),
                other => format!("a `{}`", TypePrinter::default().show(&self.u.resolve(&other))),
            };
            self.error(
                Diagnostic::error(codes::E0204, span, format!("{shown} cannot be multiplied"))
                    .with_help("side by side, only numbers multiply and only functions take arguments"),
            );
        }
        for (factor, ty, factor_span) in factors {
            self.unify_at(&ty, &product_ty, factor_span, "the factors of a product must be the same number type");
            let pending = self.pend(&product_ty);
            product =
                core::Expr::Arith(ArithOp::Mul, NumKind::Pending(pending), Box::new(product), Box::new(factor), span);
        }
        (product, product_ty)
    }

    fn infer_binary(&mut self, op: BinOp, a: &Expr, b: &Expr, span: Span) -> (core::Expr, Type) {
        let context = format!("the operands of `{}`", op.symbol());
        let arith = |op: BinOp| match op {
            BinOp::Add => Some(ArithOp::Add),
            BinOp::Sub => Some(ArithOp::Sub),
            BinOp::Mul => Some(ArithOp::Mul),
            BinOp::Div => Some(ArithOp::Div),
            BinOp::Rem => Some(ArithOp::Rem),
            _ => None,
        };
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let class = if op == BinOp::Rem { Class::INTEGRAL } else { Class::NUM };
                let (left, left_ty) = self.infer(a);
                let ty = self.operand_type(left_ty, class, a.span, &context);
                let right = self.check_operand(b, &ty, &context);
                let pending = self.pend(&ty);
                let op = arith(op).expect("arithmetic operator");
                (core::Expr::Arith(op, NumKind::Pending(pending), Box::new(left), Box::new(right), span), ty)
            }
            BinOp::Pow => {
                let ty = self.u.fresh_class(Class::NUM);
                let (base, base_ty) = self.infer(a);
                self.unify_at(&base_ty, &ty, a.span, "the base of a power");
                let exponent = self.check_operand(b, &Type::con(Con::Nat), "the exponent of a power (a ℕ)");
                let pending = self.pend(&ty);
                (core::Expr::Pow(NumKind::Pending(pending), Box::new(base), Box::new(exponent), span), ty)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let class = if matches!(op, BinOp::Eq | BinOp::Ne) { Class::ANY } else { Class::ORD };
                let (left, left_ty) = self.infer(a);
                self.flow_compared(&left_ty, a.span);
                let ty = self.operand_type(left_ty, class, a.span, &context);
                let right = self.check_operand(b, &ty, &context);
                self.flow_compared(&ty, b.span);
                if class == Class::ANY {
                    self.equality_checks.push((ty.clone(), span));
                }
                let cmp = match op {
                    BinOp::Eq => CmpOp::Eq,
                    BinOp::Ne => CmpOp::Ne,
                    BinOp::Lt => CmpOp::Lt,
                    BinOp::Le => CmpOp::Le,
                    BinOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                (core::Expr::Compare(cmp, Box::new(left), Box::new(right), span), Type::con(Con::Bool))
            }
            BinOp::And | BinOp::Or => self.infer_short_circuit(op, a, b, span, &context),
            BinOp::Cons => {
                let (head, element) = self.infer(a);
                let list = Type::list(element);
                let tail = self.check_operand(b, &list, "the tail of `::` (a list of the head's type)");
                (core::Expr::Cons(Box::new(head), Box::new(tail)), list)
            }
            BinOp::Concat => {
                let (left, left_ty) = self.infer(a);
                let ty = self.operand_type(left_ty, Class::APPEND, a.span, &context);
                let right = self.check_operand(b, &ty, &context);
                (core::Expr::Concat(Box::new(left), Box::new(right)), ty)
            }
        }
    }

    /// The type both operands of an operator share: the left operand's type
    /// when it is in `class`. When it is not, the error is reported once and
    /// the left operand's type is used anyway, so the right operand and the
    /// result do not report the same mistake again.
    /// `if c then a else b`: the branches are alternatives.
    fn infer_if(&mut self, condition: &Expr, then: &Expr, otherwise: &Expr) -> (core::Expr, Type) {
        let condition = self.check(condition, &Type::con(Con::Bool));
        self.flow_open();
        let (then_lowered, ty) = self.infer(then);
        let then_flow = self.flow_close();
        self.flow_open();
        let otherwise_lowered = self.check(otherwise, &ty);
        let otherwise_flow = self.flow_close();
        self.flow(Flow::Branch(vec![(then.span, then_flow), (otherwise.span, otherwise_flow)]));
        (core::Expr::If(Box::new(condition), Box::new(then_lowered), Box::new(otherwise_lowered)), ty)
    }

    /// `a ∧ b` and `a ∨ b`: `b` may not run.
    fn infer_short_circuit(&mut self, op: BinOp, a: &Expr, b: &Expr, span: Span, context: &str) -> (core::Expr, Type) {
        let bool_ty = Type::con(Con::Bool);
        let left = self.check_operand(a, &bool_ty, context);
        self.flow_open();
        let right = self.check_operand(b, &bool_ty, context);
        let right_flow = self.flow_close();
        self.flow(Flow::Branch(vec![(b.span, right_flow), (span, Vec::new())]));
        let lowered = if op == BinOp::And {
            core::Expr::And(Box::new(left), Box::new(right))
        } else {
            core::Expr::Or(Box::new(left), Box::new(right))
        };
        (lowered, bool_ty)
    }

    fn operand_type(&mut self, left: Type, class: Class, span: Span, context: &str) -> Type {
        let shared = self.u.fresh_class(class);
        if self.unify_at(&left, &shared, span, context) { shared } else { left }
    }

    fn check_operand(&mut self, operand: &Expr, expected: &Type, context: &str) -> core::Expr {
        let (lowered, actual) = self.infer(operand);
        self.unify_at(&actual, expected, operand.span, context);
        lowered
    }

    fn infer_unary(&mut self, op: UnOp, operand: &Expr, span: Span) -> (core::Expr, Type) {
        match op {
            UnOp::Neg => {
                if let ExprKind::Int(value) = operand.kind {
                    let ty = self.u.fresh_class(Class::SIGNED);
                    let pending = self.pend(&ty);
                    return (core::Expr::Lit(core::Lit::PendingInt(value, true, pending)), ty);
                }
                if let ExprKind::Real(bits) = operand.kind {
                    let negated = (-f64::from_bits(bits)).to_bits();
                    return (core::Expr::Lit(core::Lit::Real(negated)), Type::con(Con::Real));
                }
                let ty = self.u.fresh_class(Class::SIGNED);
                let inner = self.check_operand(operand, &ty, "the operand of `-`");
                let pending = self.pend(&ty);
                (core::Expr::Neg(NumKind::Pending(pending), Box::new(inner), span), ty)
            }
            UnOp::Not => {
                let bool_ty = Type::con(Con::Bool);
                let inner = self.check_operand(operand, &bool_ty, "the operand of `¬`");
                (core::Expr::Not(Box::new(inner)), bool_ty)
            }
            UnOp::Sqrt => {
                let real = Type::con(Con::Real);
                let inner = self.check_operand(operand, &real, "the operand of `√`");
                (core::Expr::Apply(Box::new(core::Expr::Prim(Prim::Sqrt)), vec![inner], span), real)
            }
        }
    }

    /// `base.name`. A path of reads (`a.units.amount`) reads only its last
    /// field out: the values on the way are never kept, so reading a plain
    /// field through a linear one copies nothing.
    fn infer_field(&mut self, base: &Expr, name: &Name, span: Span) -> (core::Expr, Type) {
        let (lowered, ty, path) = self.infer_read_base(base);
        let by_reference = path.by_reference || crate::interface::referenced(&self.u.shallow(&ty)).is_some();
        let (lowered, ty) = self.field_step(lowered, &ty, base.span, name, span);
        let field = name.text.clone();
        self.flow(Flow::FieldRead { field, ty: ty.clone(), span: name.span, base: path.local, by_reference });
        (lowered, ty)
    }

    /// The value a field is read from, and where the path of reads starts.
    /// A field read there is a step of the same path (see [`Self::infer_field`]).
    fn infer_read_base(&mut self, base: &Expr) -> (core::Expr, Type, ReadPath) {
        if let ExprKind::Field(inner, name) = &base.kind {
            let (lowered, ty, mut path) = self.infer_read_base(inner);
            path.by_reference |= crate::interface::referenced(&self.u.shallow(&ty)).is_some();
            let (lowered, ty) = self.field_step(lowered, &ty, inner.span, name, base.span);
            return (lowered, ty, path);
        }
        let (lowered, ty) = self.infer(base);
        let local = self.flow_borrow(base.span);
        if local.is_none() {
            self.flow(Flow::Discard { ty: ty.clone(), span: base.span, why: Discard::ReadTemporary });
        }
        (lowered, ty, ReadPath { local, by_reference: false })
    }

    /// Reads field `name` of `lowered`, a value of type `ty` written at
    /// `base_span`. A reference's fields are its object's: `r.price` reads
    /// `r.target.price`.
    fn field_step(
        &mut self,
        mut lowered: core::Expr,
        ty: &Type,
        base_span: Span,
        name: &Name,
        span: Span,
    ) -> (core::Expr, Type) {
        let mut ty = ty.clone();
        if name.text != "target"
            && let Some(object) = crate::interface::referenced(&self.u.shallow(&ty)).cloned()
        {
            lowered = core::Expr::Field(Box::new(lowered), 0);
            ty = object;
        }
        let Some(adt) = self.record_with_fields(&[name.text.as_str()], &ty, span, false) else {
            return (core::Expr::Lit(core::Lit::Unit), self.u.fresh());
        };
        let (fields, result) = self.instantiate_constructor(&adt, 0);
        self.unify_at(&ty, &result, base_span, "this value has no such field");
        match adt.constructors[0].fields.iter().position(|(n, _)| n.as_deref() == Some(&name.text)) {
            Some(index) => (core::Expr::Field(Box::new(lowered), index as u32), fields[index].clone()),
            None => {
                self.error(Diagnostic::error(
                    codes::E0106,
                    name.span,
                    format!("`{}` has no field `{}`", crate::types::short_name(&adt.qualified), name.text),
                ));
                (core::Expr::Lit(core::Lit::Unit), self.u.fresh())
            }
        }
    }

    fn infer_record(&mut self, fields: &[(Name, Expr)], span: Span, expected: &Type) -> (core::Expr, Type) {
        let mut names: Vec<&str> = Vec::new();
        for (name, _) in fields {
            if !names.contains(&name.text.as_str()) {
                names.push(&name.text);
            }
        }
        let Some(adt) = self.record_with_fields(&names, expected, span, true) else {
            return (core::Expr::Lit(core::Lit::Unit), self.u.fresh());
        };
        self.check_asset_access(&adt, span, true);
        let (field_types, result) = self.instantiate_constructor(&adt, 0);
        let declared = adt.constructors[0].fields.clone();
        let mut values: Vec<Option<core::Expr>> = vec![None; declared.len()];
        for (name, value) in fields {
            let Some(index) = declared.iter().position(|(n, _)| n.as_deref() == Some(&name.text)) else {
                // The expected type chose the record, and it lacks this field.
                self.error(Diagnostic::error(
                    codes::E0106,
                    name.span,
                    format!("`{}` has no field `{}`", crate::types::short_name(&adt.qualified), name.text),
                ));
                let _ = self.infer(value);
                continue;
            };
            let lowered = self.check(value, &field_types[index]);
            if values[index].replace(lowered).is_some() {
                self.error(Diagnostic::error(
                    codes::E0107,
                    name.span,
                    format!("the field `{}` is given twice", name.text),
                ));
            }
        }
        let missing: Vec<String> = declared
            .iter()
            .zip(&values)
            .filter(|(_, value)| value.is_none())
            .filter_map(|((name, _), _)| name.clone())
            .collect();
        if !missing.is_empty() {
            self.error(
                Diagnostic::error(
                    codes::E0107,
                    span,
                    format!(
                        "this `{}` misses the field{} {}",
                        crate::types::short_name(&adt.qualified),
                        if missing.len() == 1 { "" } else { "s" },
                        missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_help("a record literal gives every field a value"),
            );
        }
        let constructor = adt.core_constructor(0);
        let args = values.into_iter().map(|v| v.unwrap_or(core::Expr::Lit(core::Lit::Unit))).collect();
        (core::Expr::Apply(Box::new(core::Expr::Constructor(constructor)), args, span), result)
    }

    fn infer_update(&mut self, base: &Expr, fields: &[(Name, Expr)], span: Span) -> (core::Expr, Type) {
        let (lowered, ty) = self.infer(base);
        let names: Vec<&str> = fields.iter().map(|(name, _)| name.text.as_str()).collect();
        let Some(adt) = self.record_with_fields(&names, &ty, span, false) else {
            return (lowered, ty);
        };
        self.check_asset_access(&adt, span, true);
        let (field_types, result) = self.instantiate_constructor(&adt, 0);
        self.unify_at(&ty, &result, base.span, "only a record can be updated");
        let mut updates = Vec::new();
        for (name, value) in fields {
            match adt.constructors[0].fields.iter().position(|(n, _)| n.as_deref() == Some(&name.text)) {
                Some(index) => {
                    let why = Discard::OverwrittenField(name.text.clone());
                    self.flow(Flow::Discard { ty: field_types[index].clone(), span: name.span, why });
                    let value = self.check(value, &field_types[index]);
                    updates.push((index as u32, value));
                }
                None => self.error(Diagnostic::error(
                    codes::E0106,
                    name.span,
                    format!("`{}` has no field `{}`", crate::types::short_name(&adt.qualified), name.text),
                )),
            }
        }
        (core::Expr::Update(Box::new(lowered), updates, span), result)
    }

    fn infer_lambda(&mut self, patterns: &[min_syntax::ast::Pat], body: &Expr, span: Span) -> (core::Expr, Type) {
        self.frames.push(Default::default());
        let params: Vec<Type> = patterns.iter().map(|_| self.u.fresh()).collect();
        let result = self.u.fresh();
        let clause = ClauseRef { patterns, body, span };
        let shape = BodyShape { rules: false, may_fall_through: false, name: "λ", span };
        let lowered = self.lower_clauses(&[clause], &params, &result, &shape);
        let frame = self.frames.pop().expect("pushed above");
        let lambda = core::Lambda {
            params: patterns.len() as u32,
            captures: frame.captures.iter().map(|&(_, outer, inner)| (outer, inner)).collect(),
            frame_size: frame.size,
            body: lowered,
            slots: self.pending_slots(&frame),
        };
        let ty = params.iter().rev().fold(result, |acc, param| Type::fun(param.clone(), acc));
        (core::Expr::Lambda(Box::new(lambda)), ty)
    }

    fn infer_match(&mut self, scrutinee: &Expr, clauses: &[min_syntax::ast::Clause], span: Span) -> (core::Expr, Type) {
        let (value, value_ty) = self.infer(scrutinee);
        let result = self.u.fresh();
        let mut arms = Vec::new();
        let mut rows = Vec::new();
        let mut alternatives = Vec::new();
        for clause in clauses {
            self.push_scope();
            self.flow_open();
            let grouped = self.group_patterns(&clause.patterns, 1, clause.span);
            let mut bound = Vec::new();
            let (pattern, spat) = self.check_pattern(&grouped[0], &value_ty, &mut bound);
            let body = self.check(&clause.body, &result);
            alternatives.push((clause.span, self.flow_close()));
            self.pop_scope();
            arms.push((pattern, body));
            rows.push((vec![spat], clause.span));
        }
        self.flow(Flow::Branch(alternatives));
        let matrix: Vec<_> = rows.iter().map(|(row, _)| row.clone()).collect();
        let coverage = coverage(&matrix, 1);
        for index in coverage.unreachable {
            self.error(
                Diagnostic::error(codes::W0302, rows[index].1, "this rule is never reached")
                    .with_span_label("the rules above already match every value this one matches"),
            );
        }
        if let Some(witness) = coverage.missing {
            self.error(
                Diagnostic::error(codes::E0301, span, format!("this `match` does not cover `{}`", witness[0]))
                    .with_help(format!("add a rule for `{}`, or end with `_ → …`", witness[0])),
            );
        }
        let lowered = core::Match { scrutinee: value, arms, otherwise: core::Otherwise::Abort, span };
        (core::Expr::Match(Box::new(lowered)), result)
    }
}

/// `f a` with the arguments of nested applications flattened: `f a b` is one call.
fn apply(function: core::Expr, argument: core::Expr, span: Span) -> core::Expr {
    match function {
        core::Expr::Apply(callee, mut args, _) => {
            args.push(argument);
            core::Expr::Apply(callee, args, span)
        }
        other => core::Expr::Apply(Box::new(other), vec![argument], span),
    }
}

fn starts_upper(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

/// The type of a primitive, for display.
pub(crate) fn prim_type(prim: Prim) -> Type {
    prim_scheme(prim).ty
}

/// The type of a primitive.
pub(crate) fn prim_scheme(prim: Prim) -> Scheme {
    let real = || Type::con(Con::Real);
    let int = || Type::con(Con::Int);
    let nat = || Type::con(Con::Nat);
    let text = || Type::con(Con::Str);
    let generic = |ty: Type| Scheme { classes: vec![Class::ANY], ty };
    let mono = Scheme::mono;
    match prim {
        Prim::Sqrt => mono(Type::fun(real(), real())),
        Prim::Scale => mono(Type::fun(real(), Type::fun(int(), real()))),
        Prim::Exponent | Prim::Floor => mono(Type::fun(real(), int())),
        Prim::RealOfInt => mono(Type::fun(int(), real())),
        Prim::RealOfNat => mono(Type::fun(nat(), real())),
        Prim::IntOfNat => mono(Type::fun(nat(), int())),
        Prim::NatOfInt => mono(Type::fun(int(), nat())),
        Prim::IsNan => mono(Type::fun(real(), Type::con(Con::Bool))),
        Prim::Infinity | Prim::Nan => mono(real()),
        Prim::Abort => generic(Type::fun(text(), Type::Gen(0))),
        Prim::Show => generic(Type::fun(Type::Gen(0), text())),
        Prim::Length => mono(Type::fun(text(), nat())),
        Prim::Chars => mono(Type::fun(text(), Type::list(Type::con(Con::Char)))),
        Prim::FromChars => mono(Type::fun(Type::list(Type::con(Con::Char)), text())),
        Prim::Code => mono(Type::fun(Type::con(Con::Char), nat())),
        Prim::FromCode => mono(Type::fun(nat(), Type::con(Con::Char))),
        Prim::CallContract => Scheme {
            classes: vec![Class::ANY, Class::ANY],
            ty: Type::fun(text(), Type::fun(Type::Gen(0), Type::Gen(1))),
        },
    }
}

/// The candidate closest to `name` by edit distance, if close enough to suggest.
pub(crate) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .filter(|candidate| *candidate != name)
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == cb { previous } else { 1 + previous.min(row[j]).min(row[j + 1]) };
            previous = current;
        }
    }
    row[b.len()]
}

impl Checker {
    /// Records the use of a generic definition at the types `args`.
    fn flow_instance(&mut self, callee: impl FnOnce() -> Callee, args: Vec<Type>, span: Span) {
        if !args.is_empty() {
            self.flow(Flow::Instance { callee: callee(), args, span });
        }
    }

    /// How many arguments make `head` (a primitive or global) stop the
    /// program: `Prim.abort`, and any definition whose result type is a
    /// variable that none of its parameters mentions (`S → a`), which can
    /// only abort.
    fn diverging_arity(&self, head: &core::Expr) -> Option<usize> {
        let scheme = match head {
            core::Expr::Prim(Prim::Abort) => return Some(1),
            core::Expr::Global(qualified) => self.scheme_of(qualified)?,
            _ => return None,
        };
        let (params, result) = scheme.ty.parameters_and_result();
        let Type::Gen(result) = result else { return None };
        let mut mentioned = Vec::new();
        params.iter().for_each(|param| collect_generics(param, &mut mentioned));
        (!mentioned.contains(result)).then_some(params.len())
    }

    /// The scheme of a top-level definition of this module or an imported one.
    fn scheme_of(&self, qualified: &str) -> Option<crate::types::Scheme> {
        let (module, name) = qualified.rsplit_once('.')?;
        if module == self.env.module {
            return self.env.globals.get(name).map(|entry| entry.scheme.clone());
        }
        self.env
            .modules
            .get(module)
            .and_then(|interface| interface.values.get(name))
            .or_else(|| self.env.imported_values.get(name).filter(|value| value.qualified == qualified))
            .map(|value| value.scheme.clone())
    }

    /// A comparison reads a variable operand without moving it; any other
    /// operand is thrown away after the comparison.
    fn flow_compared(&mut self, ty: &Type, span: Span) {
        if self.flow_borrow(span).is_none() {
            self.flow(Flow::Discard { ty: ty.clone(), span, why: Discard::Compared });
        }
    }
}

/// The quantified variables `ty` mentions.
fn collect_generics(ty: &Type, out: &mut Vec<u32>) {
    match ty {
        Type::Gen(i) => out.push(*i),
        Type::App(_, args) => args.iter().for_each(|arg| collect_generics(arg, out)),
        Type::Fun(a, b) => {
            collect_generics(a, out);
            collect_generics(b, out);
        }
        Type::Var(_) => {}
    }
}

/// Where a path of field reads starts: the local it borrows, if it starts
/// at one, and whether it goes through a reference input.
struct ReadPath {
    local: Option<u32>,
    by_reference: bool,
}
