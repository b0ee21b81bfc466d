export * from './users';
export * from './sessions';
export * from './clients';
export * from './grants';
export * from './keys';
export * from './rp';
export * from './rate-limits';
