import { http, HttpResponse } from 'msw';
import { accountOfRequest, AwsFault, FaultBook, pageOf } from './awsJson';

/** A Pod Identity association as the fake holds it. */
export interface FakeAssociation {
  associationId: string;
  namespace: string;
  serviceAccount: string;
  roleArn: string;
  targetRoleArn?: string;
}

const PAGE = 2;

function restError(fault: AwsFault | 'notFound', message?: string): Response {
  const [status, type] = {
    throttle: [429, 'ThrottlingException'],
    denied: [403, 'AccessDeniedException'],
    internal: [500, 'ServerException'],
    notFound: [404, 'ResourceNotFoundException'],
  }[fault] as [number, string];
  return HttpResponse.json(
    { message: message ?? type },
    {
      status,
      headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/` },
    },
  );
}

/**
 * A fake of the EKS REST JSON API for msw: `GET /clusters`, `GET /clusters/{name}` (DescribeCluster,
 * with the cluster's OIDC issuer), `GET /clusters/{name}/pod-identity-associations` (summaries
 * without the role, as the real API) and `GET /clusters/{name}/pod-identity-associations/{id}`;
 * nextToken pages of two; faults per operation, scoped by cluster or account.
 */
export class FakeEks {
  /** `${accountId}:${region}` → cluster name → associations. */
  readonly clusters = new Map<string, Map<string, FakeAssociation[]>>();
  /** `${accountId}:${region}:${name}` → the id of the cluster's OIDC issuer. */
  readonly issuers = new Map<string, string>();
  readonly faults = new FaultBook();

  /** A cluster; its OIDC issuer id defaults to one made of its name (`ID` + upper-case letters). */
  setCluster(
    accountId: string,
    region: string,
    name: string,
    associations: FakeAssociation[],
    options: { issuerId?: string } = {},
  ) {
    const key = `${accountId}:${region}`;
    const clusters = this.clusters.get(key) ?? new Map();
    clusters.set(name, associations);
    this.clusters.set(key, clusters);
    this.issuers.set(
      `${key}:${name}`,
      options.issuerId ?? `ID${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`,
    );
  }

  handlers() {
    return [
      http.get(
        /^https:\/\/eks\.[a-z0-9-]+\.amazonaws\.com\/clusters/,
        ({ request }) => {
          const url = new URL(request.url);
          const region = url.host.split('.')[1];
          const accountId = accountOfRequest(request);
          const clusters = this.clusters.get(`${accountId}:${region}`);
          const token = url.searchParams.get('nextToken') ?? undefined;
          const parts = url.pathname
            .split('/')
            .filter(Boolean)
            .map(decodeURIComponent);
          const op =
            ['ListClusters', 'DescribeCluster', 'ListPodIdentityAssociations'][
              parts.length - 1
            ] ?? 'DescribePodIdentityAssociation';
          this.faults.count(op);
          const fault = this.faults.take(
            op,
            pageOf([], token, PAGE).index,
            [accountId, region, parts[1]].filter(Boolean),
          );
          if (fault) {
            return restError(fault);
          }
          if (!clusters) {
            return restError(
              'denied',
              `account ${accountId} may not call EKS in ${region}`,
            );
          }
          if (op === 'ListClusters') {
            const p = pageOf([...clusters.keys()].sort(), token, PAGE);
            return HttpResponse.json({ clusters: p.slice, nextToken: p.next });
          }
          const associations = clusters.get(parts[1]);
          if (!associations) {
            return restError(
              'notFound',
              `No cluster found for name: ${parts[1]}.`,
            );
          }
          if (op === 'DescribeCluster') {
            const arn = `arn:aws:eks:${region}:${accountId}:cluster/${parts[1]}`;
            const issuer = this.issuers.get(
              `${accountId}:${region}:${parts[1]}`,
            );
            return HttpResponse.json({
              cluster: {
                name: parts[1],
                arn,
                createdAt: 1700000000,
                version: '1.31',
                endpoint: `https://${issuer}.gr7.${region}.eks.amazonaws.com`,
                roleArn: `arn:aws:iam::${accountId}:role/eks-cluster-${parts[1]}`,
                identity: {
                  oidc: {
                    issuer: `https://oidc.eks.${region}.amazonaws.com/id/${issuer}`,
                  },
                },
                status: 'ACTIVE',
                tags: {},
              },
            });
          }
          const arnOf = (a: FakeAssociation) =>
            `arn:aws:eks:${region}:${accountId}:podidentityassociation/${parts[1]}/${a.associationId}`;
          if (op === 'ListPodIdentityAssociations') {
            const p = pageOf(associations, token, PAGE);
            return HttpResponse.json({
              associations: p.slice.map(a => ({
                clusterName: parts[1],
                namespace: a.namespace,
                serviceAccount: a.serviceAccount,
                associationArn: arnOf(a),
                associationId: a.associationId,
              })),
              nextToken: p.next,
            });
          }
          if (op === 'DescribePodIdentityAssociation') {
            const a = associations.find(x => x.associationId === parts[3]);
            if (!a) {
              return restError('notFound', `No association ${parts[3]}`);
            }
            return HttpResponse.json({
              association: {
                clusterName: parts[1],
                namespace: a.namespace,
                serviceAccount: a.serviceAccount,
                roleArn: a.roleArn,
                associationArn: arnOf(a),
                associationId: a.associationId,
                tags: {},
                createdAt: 1700000000,
                modifiedAt: 1700000000,
                disableSessionTags: false,
                ...(a.targetRoleArn
                  ? { targetRoleArn: a.targetRoleArn, externalId: 'ext-1' }
                  : {}),
              },
            });
          }
          return restError('notFound', url.pathname);
        },
      ),
    ];
  }
}
