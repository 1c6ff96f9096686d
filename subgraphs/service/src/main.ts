import { runSubgraphProcess } from '@cx/platform';
import { serviceSubgraph } from './index.ts';

await runSubgraphProcess(serviceSubgraph);
