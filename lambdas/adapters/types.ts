/**
 * What an adapter needs of an AWS SDK v3 client: `send`. Deployed it is the real client; in the
 * simulator and tests it is an in-memory cloud that answers the same commands.
 */
export interface SendClient {
  // The SDK's own `send` is generic over every command of the service; adapters need only this much.
  // biome-ignore lint/suspicious/noExplicitAny: the boundary with the SDK's generic send; adapters type what they read
  send(command: any): Promise<any>;
}

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
