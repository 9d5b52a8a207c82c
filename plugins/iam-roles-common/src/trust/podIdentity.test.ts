import { parsePrincipalSpec } from './parsePrincipalSpec';
import { evaluateAssume } from './evaluateAssume';
import { normalizeTrustPolicy } from './normalizeTrustPolicy';
import { podIdentityContext } from './podIdentity';

const association = {
  accountId: '333333333333',
  region: 'eu-west-1',
  clusterName: 'acme-production',
  namespace: 'observability',
  serviceAccount: 'fluent-bit',
};

function decide(condition?: Record<string, unknown>, who = association) {
  const { policy } = normalizeTrustPolicy({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });
  return evaluateAssume(policy!, podIdentityContext(who));
}

describe('podIdentityContext', () => {
  it('lets the association in when the trust names no condition', () => {
    expect(decide().outcome).toBe('allowed');
  });

  it('settles conditions on the session tags EKS Pod Identity adds', () => {
    const scoped = {
      StringEquals: {
        'aws:SourceAccount': '333333333333',
        'aws:RequestTag/eks-cluster-name': 'acme-production',
        'aws:RequestTag/kubernetes-namespace': 'observability',
        'aws:RequestTag/kubernetes-service-account': 'fluent-bit',
      },
    };
    expect(decide(scoped).outcome).toBe('allowed');
    // Another service account of the same cluster is refused by the same trust.
    expect(
      decide(scoped, { ...association, serviceAccount: 'other' }).outcome,
    ).not.toMatch(/allowed|possible/);
    // And so is the same service account on another cluster.
    expect(
      decide({
        ArnEquals: {
          'aws:SourceArn': `arn:aws:eks:eu-west-1:333333333333:cluster/acme-staging`,
        },
      }).outcome,
    ).not.toMatch(/allowed|possible/);
  });

  it('leaves a condition on the pod name open: the pod is not known ahead', () => {
    const d = decide({
      StringLike: { 'aws:RequestTag/kubernetes-pod-name': 'fluent-bit-*' },
    });
    expect(d.outcome).toBe('possible');
    expect(d.conditions.map(c => c.key)).toEqual([
      'aws:RequestTag/kubernetes-pod-name',
    ]);
  });

  it('with disableSessionTags, EKS sends no session tags: a condition on one is not met', () => {
    const untagged = { ...association, disableSessionTags: true };
    const scoped = {
      StringEquals: {
        'aws:RequestTag/kubernetes-namespace': 'observability',
      },
    };
    expect(decide(scoped).outcome).toBe('allowed');
    expect(decide(scoped, untagged).outcome).toBe('not-trusted');
    // Not even the pod name is left open: no tag is sent at all.
    expect(
      decide(
        {
          StringLike: { 'aws:RequestTag/kubernetes-pod-name': 'fluent-bit-*' },
        },
        untagged,
      ).outcome,
    ).toBe('not-trusted');
    // A trust that does not look at tags still lets the pods in; so does one that requires their absence.
    expect(decide(undefined, untagged).outcome).toBe('allowed');
    expect(
      decide(
        { Null: { 'aws:RequestTag/kubernetes-namespace': 'true' } },
        untagged,
      ).outcome,
    ).toBe('allowed');
    expect(podIdentityContext(untagged)).not.toHaveProperty('requestTags');
  });
});

describe('pod-identity: principal spec', () => {
  const CLUSTER = 'arn:aws:eks:eu-west-1:333333333333:cluster/acme-production';

  it('reads a cluster ARN, namespace and service account into what EKS Pod Identity presents', () => {
    expect(
      parsePrincipalSpec(`pod-identity:${CLUSTER}/observability/fluent-bit`),
    ).toEqual(podIdentityContext(association));
  });

  it('refuses what is not a cluster ARN with a service account', () => {
    for (const bad of [
      'pod-identity:observability/fluent-bit',
      `pod-identity:${CLUSTER}/fluent-bit`,
      'pod-identity:arn:aws:iam::333333333333:role/x/ns/sa',
      `pod-identity:${CLUSTER}/Bad_NS/sa`,
    ]) {
      expect(() => parsePrincipalSpec(bad)).toThrow(
        /is not a Pod Identity principal: expected pod-identity:arn:aws:eks:/,
      );
    }
  });
});
