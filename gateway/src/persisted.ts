import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function operationHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/** Registered operations by sha256 of their text: the allowlist of persisted-operations mode. */
export class PersistedOperations {
  private readonly byHash = new Map<string, string>();

  register(query: string): string {
    const hash = operationHash(query);
    this.byHash.set(hash, query);
    return hash;
  }

  /** Registers every `.graphql` file in a folder (the contract operations, the clients' operations). */
  registerFolder(dir: string): number {
    let n = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.graphql'))) {
      this.register(readFileSync(path.join(dir, file), 'utf8'));
      n += 1;
    }
    return n;
  }

  get(hash: string): string | undefined {
    return this.byHash.get(hash);
  }

  has(query: string): boolean {
    return this.byHash.has(operationHash(query));
  }

  /** Every registered operation text (the plan cache is warmed with them). */
  operations(): string[] {
    return [...this.byHash.values()];
  }

  get size(): number {
    return this.byHash.size;
  }
}
