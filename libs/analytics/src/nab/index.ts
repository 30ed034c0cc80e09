export * from './cost-profile';
export * from './corpus-scorer';
export * from './csv';
export * from './probation';
export * from './scaled-sigmoid';
export * from './sweeper';
export * from './timestamp';
export * from './windows';
