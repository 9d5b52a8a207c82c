/**
 * Trust engine, entity shape, API types and permissions shared by the IAM roles plugin family.
 *
 * @packageDocumentation
 */

export * from './entity/constants';
export * from './entity/IamRoleEntity';
export * from './entity/roleRevision';
export * from './entity/workloadIdentities';
export * from './entity/roleAnalysis';
export * from './entity/accountTitle';
export * from './entity/awsAccount';
export * from './entity/shortEntityRef';
export * from './csv';
export * from './random';
export * from './internalAccounts';
export * from './api/limits';
export * from './api/types';
export * from './api/trustHistory';
export * from './permissions';
export * from './trust/types';
export * from './trust';
