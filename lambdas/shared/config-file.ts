/** Reading a config file from disk (CDK app, simulator, CLI); the Lambdas get the parsed config bundled. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { AutoscalerConfig, ConfigError, parseConfig } from './config';

export function loadConfigFile(file: string): AutoscalerConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`], file);
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, source: string): AutoscalerConfig {
  let raw: unknown;
  try {
    // Warnings (an unknown directive...) go unprinted: what matters comes back as an error naming its line.
    raw = parseYaml(text, { uniqueKeys: true, logLevel: 'error' });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new ConfigError([`${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${err.message.split('\n')[0]}`], source);
    }
    throw err;
  }
  return parseConfig(raw, source);
}
