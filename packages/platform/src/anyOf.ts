import { is, type SQL, sql } from 'drizzle-orm';
import { type PgColumn, PgEnumColumn } from 'drizzle-orm/pg-core';

/** Serial pseudo-types are not cast targets; their values come from the column's sequence. */
const serialTypes: Record<string, string> = {
  smallserial: 'smallint',
  serial: 'integer',
  bigserial: 'bigint',
};

/** The column's type as a cast target; enums are qualified with their schema. */
export function columnCastType(column: PgColumn): string {
  if (is(column, PgEnumColumn)) {
    const { enumName, schema } = column.enum;
    return schema ? `"${schema}"."${enumName}"` : `"${enumName}"`;
  }
  const type = column.getSQLType();
  return serialTypes[type] ?? type;
}

export function isSerialColumn(column: PgColumn): boolean {
  return column.getSQLType() in serialTypes;
}

/**
 * `column = any($1::<type>[])`: the values travel as one array parameter. Drizzle's inArray makes
 * one parameter (and several SQL chunks) per value; for the 1,000-key lookups of a batch ingest
 * building that SQL cost more CPU than running it, and past 65,535 values Postgres refuses it.
 */
export function anyOf(column: PgColumn, values: readonly unknown[]): SQL {
  return sql`${column} = any(${sql.param(driverValues(column, values))}::${sql.raw(columnCastType(column))}[])`;
}

/** `column = any(<placeholder>::<type>[])`: anyOf() with the array filled in per execution. */
export function anyOfPlaceholder(column: PgColumn, name: string): SQL {
  return sql`${column} = any(${sql.placeholder(name)}::${sql.raw(columnCastType(column))}[])`;
}

/** The values as the column's driver values, for an `anyOfPlaceholder` array. */
export function driverValues(column: PgColumn, values: readonly unknown[]): unknown[] {
  return values.map((v) => column.mapToDriverValue(v));
}
