//! The JIT module: target settings, the symbols native code may call
//! (runtime callbacks and stdlib native entries), defining one function
//! per handler, and owning the executable memory afterwards.

#![allow(unsafe_code)]

use std::collections::HashMap;
use std::sync::Arc;

use cranelift_codegen::ir::{types, AbiParam, Signature, UserFuncName};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};
use fold_runtime::native::Natives;
use fold_runtime::native::{self, AbiType, Callback, NativeEntry, NativeHandler};
use fold_runtime::plan::builtin::Builtin;
use fold_runtime::plan::Plan;
use fold_runtime::plan::{Handler, HandlerId};
use fold_runtime::value::{Type, Word};

/// A JIT module being filled with handlers.
pub(super) struct JitModule {
    module: JITModule,
    ctx: Context,
    fctx: FunctionBuilderContext,
    imports: Imports,
}

/// A handler's function, defined and waiting for [`JitModule::finish`].
pub(super) struct Defined {
    handler: HandlerId,
    id: FuncId,
    consts: Vec<Word>,
    types: Vec<Type>,
    /// The function's IR as text, when asked for.
    pub clif: Option<String>,
    /// Comment lines for the printed IR: constants and callees.
    pub notes: Vec<String>,
}

/// What a generated function produced besides its code.
pub(super) struct Built {
    pub consts: Vec<Word>,
    pub types: Vec<Type>,
    pub notes: Vec<String>,
}

/// The functions native code may call, declared in the module on first use.
pub(super) struct Imports {
    callbacks: HashMap<&'static str, Callback>,
    /// Stdlib builtins by address: their symbol name.
    builtins: HashMap<usize, String>,
    declared: HashMap<String, FuncId>,
}

impl Imports {
    /// The callback or builtin symbol `name`, declared on first use.
    pub fn func(&mut self, module: &mut JITModule, name: &str) -> Result<FuncId, String> {
        if let Some(id) = self.declared.get(name) {
            return Ok(*id);
        }
        let mut sig = module.make_signature();
        let ptr = module.target_config().pointer_type();
        let abi = |t: AbiType| {
            AbiParam::new(match t {
                AbiType::I32 => types::I32,
                AbiType::I64 => types::I64,
                AbiType::F64 => types::F64,
                AbiType::Ptr => ptr,
            })
        };
        match self.callbacks.get(name) {
            Some(cb) => {
                sig.params.extend(cb.params.iter().map(|&t| abi(t)));
                sig.returns.extend(cb.ret.map(abi));
            }
            // A builtin's native entry: `fn(&mut NativeFrame) -> u32`.
            None if self.builtins.values().any(|n| n == name) => {
                sig.params.push(AbiParam::new(ptr));
                sig.returns.push(AbiParam::new(types::I32));
            }
            None => return Err(format!("no native symbol `{name}`")),
        }
        let id = module
            .declare_function(name, Linkage::Import, &sig)
            .map_err(|e| format!("declaring `{name}`: {e}"))?;
        self.declared.insert(name.to_string(), id);
        Ok(id)
    }

    /// The symbol of a stdlib builtin, if it is one the JIT knows.
    pub fn builtin_symbol(&self, func: &'static Builtin) -> Option<&str> {
        self.builtins
            .get(&(func as *const Builtin as usize))
            .map(String::as_str)
    }
}

/// Owns a finalized module's executable memory; every [`NativeHandler`]
/// made from it holds an `Arc` of it, so the memory is freed only after
/// the last handler is gone.
struct CodeOwner(Option<JITModule>);

// Safety: after `finalize_definitions` the module is never used again,
// only dropped (which frees its memory); nothing in it is shared with or
// mutated by the threads that run its code, which only execute it.
unsafe impl Send for CodeOwner {}
// Safety: as above: no method of the module is ever called through a
// shared reference.
unsafe impl Sync for CodeOwner {}

impl Drop for CodeOwner {
    fn drop(&mut self) {
        if let Some(module) = self.0.take() {
            // Safety: the owner is dropped when the last `NativeHandler`
            // holding it is, so no pointer into this code can still be
            // called.
            unsafe { module.free_memory() };
        }
    }
}

impl JitModule {
    pub fn new() -> Result<JitModule, String> {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v)
                .map_err(|e| format!("cranelift setting {k}: {e}"))
        };
        // Handlers spend their time in index lookups and emits (runtime
        // callbacks), not in arithmetic, so Cranelift's optimizer buys
        // little at run time but triples compile time: measured on the
        // text-folding example (18 handlers), codegen took 34-57 ms with
        // `speed` and 13.5 ms with `none`, while same generation ran as fast
        // and an arithmetic-heavy handler stayed 18x faster than the
        // interpreter.
        set(&mut flags, "opt_level", "none")?;
        set(
            &mut flags,
            "enable_verifier",
            if cfg!(debug_assertions) {
                "true"
            } else {
                "false"
            },
        )?;
        // Calls reach runtime functions anywhere in the address space.
        set(&mut flags, "use_colocated_libcalls", "false")?;
        set(&mut flags, "is_pic", "false")?;
        let isa = cranelift_native::builder()
            .map_err(|e| format!("no native code for this machine: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| format!("no native code for this machine: {e}"))?;
        let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
        let mut callbacks = HashMap::new();
        for cb in native::callbacks() {
            builder.symbol(cb.name, cb.addr);
            callbacks.insert(cb.name, cb);
        }
        let mut builtins = HashMap::new();
        for b in fold_stdlib::all() {
            let name = b.signature();
            builder.symbol(name.clone(), b.native as *const u8);
            builtins.insert(*b as *const Builtin as usize, name);
        }
        let module = JITModule::new(builder);
        Ok(JitModule {
            ctx: module.make_context(),
            module,
            fctx: FunctionBuilderContext::new(),
            imports: Imports {
                callbacks,
                builtins,
                declared: HashMap::new(),
            },
        })
    }

    /// The signature of every handler: `(ctx, tuple)`.
    fn entry_signature(&self) -> Signature {
        let ptr = self.module.target_config().pointer_type();
        let mut sig = self.module.make_signature();
        sig.params.push(AbiParam::new(ptr));
        sig.params.push(AbiParam::new(ptr));
        sig
    }

    /// Generate and compile one handler's function.
    pub fn define(
        &mut self,
        plan: &Plan,
        handler: HandlerId,
        p: &Handler,
        clif: bool,
    ) -> Result<Defined, String> {
        let sig = self.entry_signature();
        let name = format!("handler{}", handler.0);
        let id = self
            .module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        self.ctx.func.signature = sig;
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let built = super::func::build(
            &mut self.ctx.func,
            &mut self.fctx,
            &mut self.module,
            &mut self.imports,
            plan,
            p,
        );
        let built = match built {
            Ok(b) => b,
            Err(why) => {
                self.module.clear_context(&mut self.ctx);
                // A builder abandoned midway leaves its context dirty.
                self.fctx = FunctionBuilderContext::new();
                return Err(why);
            }
        };
        let text = clif.then(|| self.ctx.func.display().to_string());
        let result = self
            .module
            .define_function(id, &mut self.ctx)
            .map_err(|e| format!("cranelift rejected the function: {e:?}"));
        self.module.clear_context(&mut self.ctx);
        result?;
        Ok(Defined {
            handler,
            id,
            consts: built.consts,
            types: built.types,
            clif: text,
            notes: built.notes,
        })
    }

    /// Link everything and hand out the native handlers defined.
    pub fn finish(mut self, done: Vec<Defined>) -> Result<Natives, String> {
        self.module
            .finalize_definitions()
            .map_err(|e| format!("linking native code: {e}"))?;
        let entries: Vec<(Defined, *const u8)> = done
            .into_iter()
            .map(|d| {
                let ptr = self.module.get_finalized_function(d.id);
                (d, ptr)
            })
            .collect();
        let owner: Arc<dyn Send + Sync> = Arc::new(CodeOwner(Some(self.module)));
        let mut natives = Vec::with_capacity(entries.len());
        for (d, ptr) in entries {
            // Safety: `ptr` is the finalized code of a function declared
            // with the entry signature `(ctx, tuple)` in the host's C calling
            // convention, which is what `NativeEntry` is.
            let entry = unsafe { std::mem::transmute::<*const u8, NativeEntry>(ptr) };
            // Safety: the function was generated by `func::build` from this
            // very handler of the plan, against the runtime's ABI, with these
            // constant and type tables; `owner` keeps its memory mapped.
            natives.push(unsafe {
                NativeHandler::new(d.handler, entry, d.consts, d.types, owner.clone())
            });
        }
        Ok(Natives::new(natives))
    }
}
