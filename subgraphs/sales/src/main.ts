import { runSubgraphProcess } from '@cx/platform';
import { salesSubgraph } from './index.ts';

await runSubgraphProcess(salesSubgraph);
