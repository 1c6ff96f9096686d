import { runSubgraphProcess } from '@cx/platform';
import { customerSubgraph } from './index.ts';

await runSubgraphProcess(customerSubgraph);
