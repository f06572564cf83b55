#!/usr/bin/env node
/**
 * The CDK app: `cdk synth -c config=FILE` (default: autoscaler.config.yaml, from cdk.json) loads and
 * validates the config, builds the Autoscaler stack and runs cdk-nag's AwsSolutions checks.
 */
import { main } from '../lib/app';

main();
