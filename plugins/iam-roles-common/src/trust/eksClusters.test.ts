import fc from 'fast-check';
import { eksClusterNamesOf, eksClustersOfAccount } from '../entity/awsAccount';
import { parseEffectiveDocument } from './effectiveDocuments';
import { parseEksIssuer } from './eksClusters';

const ID = '8D70EFBA7736795BE8B00B497EE67693';
const ISSUER = `oidc.eks.eu-west-1.amazonaws.com/id/${ID}`;

describe('parseEksIssuer', () => {
  it.each([
    `https://${ISSUER}`,
    ISSUER,
    `${ISSUER}/`,
    `arn:aws:iam::333333333333:oidc-provider/${ISSUER}`,
    `https://oidc.eks.eu-west-1.amazonaws.com/id/${ID.toLowerCase()}`,
  ])('reads %s', value => {
    expect(parseEksIssuer(value)).toEqual({ region: 'eu-west-1', id: ID });
  });

  it.each([
    'token.actions.githubusercontent.com',
    'arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com',
    'arn:aws:iam::333333333333:role/eks/x',
    `oidc.eks.eu-west-1.amazonaws.com/id/*`,
    '',
  ])('refuses %j', value => {
    expect(parseEksIssuer(value)).toBeUndefined();
  });
});

describe('parseEksIssuer on any input', () => {
  it('never throws, and reads back every issuer in each of its forms', () => {
    fc.assert(
      fc.property(fc.string(), value => {
        const parsed = parseEksIssuer(value);
        return parsed === undefined || /^[A-Z0-9]+$/.test(parsed.id);
      }),
      { numRuns: 500 },
    );
    const region = fc.stringMatching(/^[a-z]{2}-[a-z]{4,9}-[1-9]$/);
    const id = fc.stringMatching(/^[0-9A-F]{32}$/);
    fc.assert(
      fc.property(region, id, fc.nat(2), (r, i, form) => {
        const issuer = `oidc.eks.${r}.amazonaws.com/id/${i}`;
        const value = [
          `https://${issuer}`,
          issuer,
          `arn:aws:iam::333333333333:oidc-provider/${issuer}`,
        ][form];
        expect(parseEksIssuer(value)).toEqual({ region: r, id: i });
      }),
      { numRuns: 300 },
    );
  });
});

describe('EKS clusters in the EKS snapshot document', () => {
  const describeCluster = {
    cluster: {
      name: 'acme-production',
      arn: 'arn:aws:eks:eu-west-1:333333333333:cluster/acme-production',
      version: '1.31',
      identity: { oidc: { issuer: `https://${ISSUER}` } },
      status: 'ACTIVE',
    },
  };

  it('reads clusters as names, as `aws eks describe-cluster` prints them, or as its cluster', () => {
    const data = parseEffectiveDocument({
      kind: 'aws-eks-pod-identity',
      accountId: '333333333333',
      region: 'eu-west-1',
      clusters: [
        'batch',
        describeCluster,
        { name: 'tools', identity: {} },
        { ...describeCluster.cluster, name: 'apps' },
      ],
      associations: [],
    });
    expect(data).toEqual({
      kind: 'aws-eks-pod-identity',
      accountId: '333333333333',
      region: 'eu-west-1',
      clusters: ['acme-production', 'apps', 'batch', 'tools'],
      associations: [],
      clusterDetails: [
        {
          name: 'acme-production',
          arn: describeCluster.cluster.arn,
          oidcIssuer: `https://${ISSUER}`,
        },
        {
          name: 'apps',
          arn: describeCluster.cluster.arn,
          oidcIssuer: `https://${ISSUER}`,
        },
        { name: 'tools' },
      ],
    });
  });

  it('refuses a described cluster without a name, saying where', () => {
    expect(() =>
      parseEffectiveDocument({
        kind: 'aws-eks-pod-identity',
        accountId: '333333333333',
        region: 'eu-west-1',
        clusters: [{ cluster: { arn: 'x' } }],
      }),
    ).toThrow('EKS Pod Identity document, clusters: "name" is missing');
  });

  it('has no cluster details when only names are listed', () => {
    const data = parseEffectiveDocument({
      kind: 'aws-eks-pod-identity',
      accountId: '333333333333',
      region: 'eu-west-1',
      clusters: ['batch'],
      associations: [],
    });
    expect(data).not.toHaveProperty('clusterDetails');
  });
});

describe('EKS clusters on account entities', () => {
  const account = (accountId: string | undefined, eksClusters: unknown) => ({
    metadata: {
      annotations: (accountId
        ? { 'amazonaws.com/account-id': accountId }
        : {}) as Record<string, string>,
    },
    spec: { type: 'aws-account', owner: 'group:default/platform', eksClusters },
  });

  it('maps issuer ids to the clusters of each account, skipping what is not a described cluster', () => {
    expect(
      eksClusterNamesOf([
        account('333333333333', [
          {
            name: 'acme-production',
            region: 'eu-west-1',
            oidcIssuer: `https://${ISSUER}`,
          },
          { name: 'no-issuer', region: 'eu-west-1' },
          { name: 'bad-issuer', region: 'eu-west-1', oidcIssuer: 'https://x' },
          'not a cluster',
        ]),
        account('222222222222', [
          {
            name: 'acme-staging',
            region: 'eu-west-1',
            oidcIssuer:
              'https://oidc.eks.eu-west-1.amazonaws.com/id/CA89DA9BDDB51124A1669547F6A087E0',
          },
        ]),
        account(undefined, [
          { name: 'orphan', region: 'eu-west-1', oidcIssuer: ISSUER },
        ]),
        account('111111111111', 'not a list'),
      ]),
    ).toEqual({
      [ID]: {
        name: 'acme-production',
        region: 'eu-west-1',
        accountId: '333333333333',
      },
      CA89DA9BDDB51124A1669547F6A087E0: {
        name: 'acme-staging',
        region: 'eu-west-1',
        accountId: '222222222222',
      },
    });
    expect(eksClustersOfAccount({ spec: undefined })).toEqual([]);
  });
});
