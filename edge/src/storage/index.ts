/** The edge's storage: one typed query layer (PoolStore) over SQLite or PostgreSQL, migrations, group commit. */
export * from './sql-driver.ts';
export * from './sqlite-driver.ts';
export * from './postgres-driver.ts';
export * from './migrations.ts';
export * from './pool-store.ts';
export * from './group-commit.ts';
export * from './share-writer.ts';
export * from './chain-store.ts';
export * from './open-storage.ts';
