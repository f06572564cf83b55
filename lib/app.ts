/** Building the CDK app from a config: the same code for `bin/autoscaler.ts` and for the tests. */
import { App, type AppProps, type Environment, Stack, Validations } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type AutoscalerConfig, ConfigError } from '../lambdas/shared/config';
import { loadConfigFile } from '../lambdas/shared/config-file';
import { stackNameFor } from '../lambdas/shared/deployment';
import { Autoscaler } from './autoscaler';
import type { PowertoolsSource } from './shared/function';

/** The context key that names the config file (`cdk synth -c config=FILE`). */
export const CONFIG_CONTEXT_KEY = 'config';
export const DEFAULT_CONFIG_FILE = 'autoscaler.config.yaml';

export interface BuildAppOptions {
  /**
   * The app to add the stack to.
   * @default a new App
   */
  readonly app?: App;
  /** Props of the new App when `app` is not given. */
  readonly appProps?: AppProps;
  /**
   * The stack's environment.
   * @default CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (environment-agnostic when unset)
   */
  readonly env?: Environment;
  /**
   * Log retention of the functions.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Where every function finds Powertools (`AutoscalerProps.powertools`).
   * @default 'layer', unless the CDK context `autoscaler:powertools` says otherwise
   */
  readonly powertools?: PowertoolsSource;
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: Stack;
  readonly autoscaler: Autoscaler;
}

// Defined with the stack's output keys, so the operator CLI finds the stack without loading the CDK.
export { stackNameFor };

/** The stack with the Autoscaler construct, and cdk-nag's AwsSolutions checks on the whole app. */
export function buildApp(config: AutoscalerConfig, options: BuildAppOptions = {}): BuiltApp {
  const app = options.app ?? new App(options.appProps);
  const env: Environment = options.env ?? {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };
  const stackName = stackNameFor(config.prefix);
  const stack = new Stack(app, stackName, {
    stackName,
    env,
    description: `Event-driven autoscaler (${config.targets.length} target(s), prefix "${config.prefix}")`,
  });
  const autoscaler = new Autoscaler(stack, 'Autoscaler', { config, logRetention: options.logRetention, powertools: options.powertools });
  // Synth fails on any finding without an acknowledgement (each with its reason, next to its resource).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, autoscaler };
}

/**
 * The CLI entry: reads the config named by the `config` context, builds the app. A bad config (its
 * YAML, its schema, or a target in another region or account than the stack) is reported on stderr,
 * every problem on its own line naming its path, and the process exits with 1 (no stack trace).
 */
export function main(app: App = new App(), io: { stderr: (text: string) => void; exit: (code: number) => never } = defaultIo): BuiltApp {
  const file = String(app.node.tryGetContext(CONFIG_CONTEXT_KEY) ?? DEFAULT_CONFIG_FILE);
  try {
    return buildApp(loadConfigFile(file), { app });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`${new ConfigError(err.problems, file).message}\n`);
      return io.exit(1);
    }
    throw err;
  }
}

const defaultIo = {
  stderr: (text: string) => {
    process.stderr.write(text);
  },
  exit: (code: number): never => process.exit(code),
};
