import { Writable } from 'node:stream';

/** The fields tests read from a pino JSON line. */
export interface LogLine {
  service: string;
  msg: string;
  level: number;
  requestId?: string;
  traceId?: string;
  spanId?: string;
  operation?: string;
}

/** A pino destination that keeps every line, parsed, for a test to inspect. */
export function captureLogs(): { destination: Writable; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { destination, lines };
}
