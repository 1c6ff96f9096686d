import { runSubgraphProcess } from '@cx/platform';
import { vehicleSubgraph } from './index.ts';

await runSubgraphProcess(vehicleSubgraph);
