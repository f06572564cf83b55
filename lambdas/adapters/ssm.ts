/** SSM Parameter Store: the published set of reader endpoints a Django database router reads. */
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { awsErrorName } from '../shared/errors';
import type { SendClient } from './types';

export class SsmAdapter {
  constructor(private readonly client: SendClient) {}

  async get(name: string): Promise<string | undefined> {
    try {
      const res = await this.client.send(new GetParameterCommand({ Name: name }));
      return res.Parameter?.Value;
    } catch (err) {
      if (awsErrorName(err) === 'ParameterNotFound') return undefined;
      throw err;
    }
  }

  /** Writes the value unless it is already the value: readers see no new version for nothing. */
  async put(name: string, value: string, description: string): Promise<'written' | 'unchanged'> {
    if ((await this.get(name)) === value) return 'unchanged';
    await this.client.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true, Description: description }));
    return 'written';
  }
}
