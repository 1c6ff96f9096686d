import { parentPort, workerData } from 'node:worker_threads';
import { type Client, createClient } from 'graphql-ws';
import { WebSocket } from 'ws';

/**
 * One thread of bench subscribers: `count` graphql-ws clients on `leadAssigned`. Each arrival is
 * timed on the epoch clock (performance.timeOrigin + now()), which every thread shares, and
 * reported to the parent in batches: one message per burst, not one per delivery.
 */
export interface SubscriberThreadData {
  wsUrl: string;
  query: string;
  headers: Record<string, string>;
}

/** From the parent: open `count` more subscribers, or close them all and report `disposed`. */
export type SubscriberThreadCommand = { type: 'add'; count: number } | { type: 'dispose' };

export type SubscriberThreadMessage =
  | { type: 'connected' }
  | { type: 'closed'; what: string }
  | { type: 'arrivals'; leadIds: string[]; at: Float64Array; failures: number }
  | { type: 'disposed' };

const port = parentPort!;
const { wsUrl, query, headers } = workerData as SubscriberThreadData;
const send = (message: SubscriberThreadMessage) => port.postMessage(message);

let leadIds: string[] = [];
let at: number[] = [];
let failures = 0;
let flushQueued = false;
const flush = () => {
  flushQueued = false;
  send({ type: 'arrivals', leadIds, at: Float64Array.from(at), failures });
  leadIds = [];
  at = [];
  failures = 0;
};
const queueFlush = () => {
  if (flushQueued) return;
  flushQueued = true;
  setImmediate(flush);
};

const clients: Client[] = [];
function addSubscriber(): void {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: headers,
    on: {
      connected: () => send({ type: 'connected' }),
      closed: (event) => {
        const { code, reason } = event as { code?: number; reason?: string };
        send({ type: 'closed', what: `${code} ${reason ?? ''}`.trim() });
      },
    },
  });
  clients.push(client);
  client.subscribe<{ leadAssigned: { lead: { id: string } } }>(
    { query },
    {
      next: (result) => {
        const id = result.data?.leadAssigned.lead.id;
        if (!id || result.errors) failures += 1;
        else {
          leadIds.push(id);
          at.push(performance.timeOrigin + performance.now());
        }
        queueFlush();
      },
      error: () => {
        failures += 1;
        queueFlush();
      },
      complete: () => {},
    },
  );
}

port.on('message', async (command: SubscriberThreadCommand) => {
  if (command.type === 'add') {
    for (let i = 0; i < command.count; i += 1) addSubscriber();
    return;
  }
  await Promise.all(clients.map((c) => c.dispose()));
  if (flushQueued) flush();
  send({ type: 'disposed' });
  port.close();
});
