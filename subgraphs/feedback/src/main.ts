import { runSubgraphProcess } from '@cx/platform';
import { feedbackSubgraph } from './index.ts';

await runSubgraphProcess(feedbackSubgraph);
