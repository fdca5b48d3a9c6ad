export * from './tenancy.js';
export * from './work.js';
export * from './messaging.js';
export * from './jobs.js';
export * from './imports.js';
