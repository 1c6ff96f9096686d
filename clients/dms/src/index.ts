export * from './csv.ts';
export * from './entity.ts';
export * from './fields.ts';
export * from './push.ts';
export * from './report.ts';
export * from './rows.ts';
