import { parseArn } from './arn';

/**
 * What an EKS cluster's OIDC issuer id stands for: the cluster people know by name. Maps of these
 * are keyed by the issuer id as {@link parseEksIssuer} reads it.
 */
export interface EksClusterName {
  /** The cluster's name (`acme-production`). */
  name: string;
  region: string;
  /** The account the cluster runs in. */
  accountId: string;
}

/** An EKS OIDC issuer read: `oidc.eks.REGION.amazonaws.com/id/ID`. */
export interface EksIssuer {
  region: string;
  /** The issuer id (`8D70EFBA7736795BE8B00B497EE67693`), upper case as EKS prints it. */
  id: string;
}

const EKS_ISSUER =
  /^oidc\.eks\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/id\/([A-Za-z0-9]+)$/i;

/**
 * Reads an EKS cluster's OIDC issuer in any of the forms it is met in: the issuer URL
 * (`https://oidc.eks.eu-west-1.amazonaws.com/id/ID`, DescribeCluster's `identity.oidc.issuer`),
 * the issuer without its scheme (a trust condition's key prefix) or the IAM OIDC provider ARN
 * (`arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks…`, a `Federated` principal). Undefined for
 * anything else.
 */
export function parseEksIssuer(value: string): EksIssuer | undefined {
  const arn = parseArn(value);
  let text = value
    .trim()
    .replace(/^https:\/\//i, '')
    .replace(/\/$/, '');
  if (arn) {
    text = arn.resource.startsWith('oidc-provider/')
      ? arn.resource.slice('oidc-provider/'.length)
      : '';
  }
  const m = EKS_ISSUER.exec(text);
  return m ? { region: m[1].toLowerCase(), id: m[2].toUpperCase() } : undefined;
}
