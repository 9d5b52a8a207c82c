/**
 * Access broker and trust queries for AWS IAM roles.
 *
 * @packageDocumentation
 */

export { iamRolesPlugin as default } from './plugin';
