import { clientEnvSchema, optionalText, parseEnv } from '@cx/web';
import { z } from 'zod';

/** The DMS kit's environment: this program's only reader of process.env. */
const dmsEnvSchema = clientEnvSchema.extend({
  /** Records per ingest call when --batch-size is not given. */
  CX_DMS_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  /** The dealer code for rows without one when --dealer is not given. */
  CX_DMS_DEALER: optionalText,
});

export type DmsEnv = z.infer<typeof dmsEnvSchema>;

export function loadDmsEnv(): DmsEnv {
  return parseEnv(dmsEnvSchema, process.env);
}
