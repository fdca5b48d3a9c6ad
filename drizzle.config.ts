import { defineConfig } from 'drizzle-kit';

// One schema, one migrations folder: applied by the Node migrator and by `wrangler d1 migrations apply`.
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});
