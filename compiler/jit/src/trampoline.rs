//! Entry points from Rust into generated code: one per arity, of the
//! platform's C calling convention, that loads the arguments from an array
//! and calls a generated function (of the `tail` convention) by address.

use cranelift_codegen::Context;
use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::Module;

use crate::ctx::Ctx;
use crate::error::JitError;
use crate::function::tail_signature;

/// A trampoline as Rust calls it: the context, the address of a generated
/// function, and a pointer to as many words as that function has parameters.
pub(crate) type Trampoline = unsafe extern "C" fn(*mut Ctx, *const u8, *const u64) -> u64;

/// The signature of [`Trampoline`] in the calling convention `call_conv`
/// (the platform's C convention).
pub(crate) fn signature(call_conv: CallConv) -> Signature {
    let mut signature = Signature::new(call_conv);
    signature.params.extend(std::iter::repeat_n(AbiParam::new(I64), 3));
    signature.returns.push(AbiParam::new(I64));
    signature
}

/// Defines the trampoline for functions of `arity` parameters.
pub(crate) fn define(
    module: &mut JITModule,
    id: cranelift_module::FuncId,
    arity: usize,
    context: &mut Context,
    builder_context: &mut FunctionBuilderContext,
) -> Result<(), JitError> {
    context.func.signature = signature(module.isa().default_call_conv());
    context.func.name = UserFuncName::user(0, id.as_u32());
    let mut builder = FunctionBuilder::new(&mut context.func, builder_context);
    let entry = builder.create_block();
    builder.append_block_params_for_function_params(entry);
    builder.switch_to_block(entry);
    builder.seal_block(entry);
    let &[ctx, code, args] = builder.block_params(entry) else {
        unreachable!("a trampoline has three parameters");
    };
    let mut values = vec![ctx];
    for index in 0..arity {
        let offset =
            i32::try_from(index * 8).map_err(|_| JitError::Backend(format!("{arity} parameters are too many")))?;
        values.push(builder.ins().load(I64, MemFlagsData::trusted(), args, offset));
    }
    let callee = builder.import_signature(tail_signature(arity));
    let call = builder.ins().call_indirect(callee, code, &values);
    let result = builder.inst_results(call)[0];
    builder.ins().return_(&[result]);
    builder.finalize(module.target_config());

    let defined = module.define_function(id, context);
    module.clear_context(context);
    defined.map_err(|error| JitError::Backend(format!("the entry point for {arity} parameters: {error}")))
}
