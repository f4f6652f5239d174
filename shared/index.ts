export * from './errors';
export * from './time';
export * from './post';
export * from './status-machine';
export * from './rules/finding';
export * from './rules/personal-data';
export * from './rules/content-rules';
export * from './rules/permissions';
