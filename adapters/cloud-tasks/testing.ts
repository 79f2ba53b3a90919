/**
 * jobferry/testing/cloud-tasks: the Cloud Tasks emulator, for tests without a cloud account
 * or Docker. It speaks gRPC (v2 and v2beta2) and REST to the real `@google-cloud/tasks` client.
 *
 * @example
 * ```ts
 * import { CloudTasksClient } from '@google-cloud/tasks';
 * import { startCloudTasksEmulator } from 'jobferry/testing/cloud-tasks';
 * const emulator = await startCloudTasksEmulator({ clock: 'manual' });
 * const client = new CloudTasksClient(emulator.clientOptions());
 * // ... create queues and tasks; emulator.dispatched lists what was sent
 * await emulator.close();
 * ```
 */
export { startCloudTasksEmulator } from './emulator/emulator.ts';
export type { CloudTasksEmulator, CloudTasksEmulatorOptions } from './emulator/emulator.ts';
export type { DispatchRecord } from './emulator/dispatch-log.ts';
export type { OidcTokenRequest } from './emulator/oidc-signer.ts';
export { runEmulatorCli } from './emulator/cli.ts';
export type { EmulatorCliOptions } from './emulator/cli.ts';
