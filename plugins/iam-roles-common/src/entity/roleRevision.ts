import { ANNOTATION_IAM_ROLE_REVISION } from './constants';

/** The catalog search key (and facet) of {@link ANNOTATION_IAM_ROLE_REVISION}. */
export const ROLE_REVISION_FACET = `metadata.annotations.${ANNOTATION_IAM_ROLE_REVISION}`;

/**
 * The value of {@link ANNOTATION_IAM_ROLE_REVISION}: the role's entity ref and a hash of the
 * processed entity, so that one facet of the catalog names every role with its revision. At most
 * 157 characters (kind, a 63-character namespace and name, a 20-character hash): the catalog's
 * search table keeps values up to 200.
 */
export function roleRevision(entityRef: string, hash: string): string {
  return `${entityRef}@${hash}`;
}

/** The entity ref of a {@link roleRevision} value, or undefined when it is not one. */
export function refOfRoleRevision(value: string): string | undefined {
  const at = value.lastIndexOf('@');
  // Entity refs hold no `@`: a value without one, or with nothing on either side, is not ours.
  return at > 0 && at < value.length - 1 ? value.slice(0, at) : undefined;
}
