export * from './limits.ts';
export * from './event-schema.ts';
export * from './formats.ts';
export * from './validate-event.ts';
export * from './exact-json.ts';
export * from './definitions.ts';
export * from './canonical-record.ts';
export * from './canonical-read.ts';
