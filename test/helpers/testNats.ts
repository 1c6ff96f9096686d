import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import type { Logger } from 'pino';
import {
  NatsBus,
  type NatsBusOptions,
  subjectPrefixFor,
} from '../../packages/platform/src/events/natsBus.ts';

// Tests choose their NATS like their database: TEST_NATS_URL, else the machine's (CI starts one).
export const testNatsUrl = process.env.TEST_NATS_URL?.trim() || 'nats://127.0.0.1:4222';

/** Whether a NATS server with JetStream answers; tests that need one skip visibly when not. */
export async function natsAvailable(): Promise<boolean> {
  try {
    const nc = await connect({ servers: testNatsUrl, timeout: 1_000, reconnect: false });
    try {
      await (await nc.jetstreamManager()).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch {
    return false;
  }
}

/**
 * A stream and subject prefix of its own per test run, so runs and files never see each other's
 * events. The prefix is the one a process derives from NATS_STREAM alone (CXTEST_X_1: cxtest.x.1).
 */
export function testStreamNames(label: string): { stream: string; subjectPrefix: string } {
  const stream =
    `CXTEST_${label.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`.toUpperCase();
  return { stream, subjectPrefix: subjectPrefixFor(stream) };
}

export function connectTestBus(
  names: Pick<NatsBusOptions, 'stream' | 'subjectPrefix'>,
  options: Partial<NatsBusOptions> & { logger?: Logger } = {},
): Promise<NatsBus> {
  return NatsBus.connect({ url: testNatsUrl, ...names, ...options });
}

/** Deletes a test stream (and its consumers). */
export async function deleteTestStream(stream: string): Promise<void> {
  const nc = await connect({ servers: testNatsUrl, reconnect: false });
  try {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}
