export * from './canary-judge';
export * from './grouped-samples';
export * from './hodges-lehmann';
export * from './holm';
export * from './judge-config';
export * from './mann-whitney';
export * from './proportions';
