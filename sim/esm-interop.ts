/**
 * Lets the simulator, run as CommonJS by tsx, load the handlers' ESM-only dependencies (@middy/core 7
 * exports only an `import` condition). When a require cannot resolve a package for lack of a
 * `require` export, it resolves again with the `import` condition, and Node 22's require(esm) loads
 * it. Jest does the same with a moduleNameMapper; the deployed functions are bundled by esbuild.
 */
import module from 'node:module';

type ResolveHook = (
  specifier: string,
  context: { conditions?: readonly string[] },
  next: (specifier: string, context?: { conditions?: readonly string[] }) => unknown,
) => unknown;

const registerHooks = (module as unknown as { registerHooks?: (hooks: { resolve: ResolveHook }) => void }).registerHooks;

let installed = false;
export function installEsmInterop(): void {
  // Jest resolves with its own moduleNameMapper (jest.config.js) and forbids loader hooks.
  if (installed || !registerHooks || process.env.JEST_WORKER_ID !== undefined) return;
  installed = true;
  registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (err) {
        const code = (err as { code?: string }).code;
        const conditions = context.conditions ?? [];
        if (code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' || conditions.includes('import')) throw err;
        return next(specifier, { ...context, conditions: [...conditions, 'import'] });
      }
    },
  });
}

installEsmInterop();
