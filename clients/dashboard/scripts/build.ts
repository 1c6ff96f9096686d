import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type FieldNode, Kind, parse, print, visit } from 'graphql';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dashboardDist = path.join(packageDir, 'dist');
const contractDocument = path.resolve(
  packageDir,
  '..',
  '..',
  '..',
  'shared',
  'contract',
  'leadAssigned.graphql',
);

const createdAt: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'createdAt' } };

/**
 * The contract's LeadAssigned subscription with `lead { createdAt }` added (speed-to-lead needs it)
 * and its own operation name, so it is never mistaken for the registered contract document.
 */
export function dashboardDocument(contract: string): string {
  const edited = visit(parse(contract), {
    OperationDefinition: (node) => ({ ...node, name: { kind: Kind.NAME, value: 'DashboardLeadAssigned' } }),
    Field: (node) => {
      if (node.name.value !== 'lead' || !node.selectionSet) return undefined;
      if (node.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'createdAt'))
        return undefined;
      return {
        ...node,
        selectionSet: { ...node.selectionSet, selections: [...node.selectionSet.selections, createdAt] },
      };
    },
  });
  return print(edited);
}

/** Bundles src/app.ts (with graphql-ws's browser client) and copies the static files into dist/. */
export async function buildDashboard(outDir = dashboardDist): Promise<string> {
  const document = dashboardDocument(await readFile(contractDocument, 'utf8'));
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(packageDir, 'src', 'app.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    define: { __LEAD_ASSIGNED_DOCUMENT__: JSON.stringify(document) },
    logLevel: 'warning',
  });
  const publicDir = path.join(packageDir, 'public');
  for (const file of await readdir(publicDir))
    await copyFile(path.join(publicDir, file), path.join(outDir, file));
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await buildDashboard();
  console.log(`dashboard built: ${out}`);
}
