export { iamRolesFrontendPlugin as default } from './alpha/plugin';
