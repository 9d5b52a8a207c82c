import fc from 'fast-check';
import { trustActionsOf } from './actions';
import { prepareCaller } from './caller';
import { classifyPrincipal } from './principals';
import {
  analyzeRole,
  evaluateAssume,
  normalizeTrustPolicy,
  parseAuthorizationDetails,
  parsePrincipalSpec,
  toPolicyDocument,
  TrustIndex,
} from './index';
import type { PrincipalContext } from './types';

// Property tests: 11,000 generated cases in all (see numRuns below).

const A = '111111111111';
const B = '222222222222';
const GH = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;
const EKS_ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789';
const EKS = `arn:aws:iam::${B}:oidc-provider/${EKS_ISSUER}`;
const SAML = `arn:aws:iam::${A}:saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE`;

const awsPrincipal = fc.constantFrom(
  '*',
  A,
  B,
  `arn:aws:iam::${A}:root`,
  `arn:aws:iam::${B}:role/deploy`,
  `arn:aws:iam::${B}:role/path/admin`,
  `arn:aws:iam::${A}:user/alice`,
  `arn:aws:sts::${B}:assumed-role/deploy/session-1`,
  `arn:aws:sts::${A}:federated-user/bob`,
  'AROA2UDWCT7CT3VRUQQPL',
  'not-an-arn',
);
const service = fc.constantFrom(
  'lambda.amazonaws.com',
  'ec2.amazonaws.com',
  'sns.amazonaws.com',
  '*',
);
const federated = fc.constantFrom(
  GH,
  EKS,
  SAML,
  'cognito-identity.amazonaws.com',
  'accounts.google.com',
);
const oneOrMany = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));

const principalBlock = fc.oneof(
  fc.constant('*' as unknown),
  fc.record(
    {
      AWS: oneOrMany(awsPrincipal),
      Service: oneOrMany(service),
      Federated: oneOrMany(federated),
      CanonicalUser: fc.constant(
        '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      ),
    },
    { requiredKeys: [] },
  ),
);

const action = fc.constantFrom(
  'sts:AssumeRole',
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoleWithSAML',
  'sts:TagSession',
  'sts:*',
  '*',
  'STS:assumerole*',
  's3:GetObject',
);

const conditionKey = fc.constantFrom(
  'token.actions.githubusercontent.com:sub',
  'token.actions.githubusercontent.com:aud',
  `${EKS_ISSUER}:sub`,
  'sts:ExternalId',
  'aws:PrincipalOrgID',
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:SourceIp',
  'aws:SourceAccount',
  'SAML:aud',
  'aws:MultiFactorAuthPresent',
);
const conditionValue = fc.oneof(
  fc.constantFrom(
    'repo:acme/api:ref:refs/heads/main',
    'repo:acme/*',
    'repo:*',
    '*',
    'sts.amazonaws.com',
    'system:serviceaccount:payments:api',
    'o-abc123',
    `arn:aws:iam::${B}:role/*`,
    A,
    '10.0.0.0/8',
    'true',
    'https://signin.aws.amazon.com/saml',
  ),
  fc.string({ maxLength: 8 }),
);
const operator = fc.constantFrom(
  'StringEquals',
  'StringLike',
  'StringNotEquals',
  'StringNotLike',
  'StringEqualsIgnoreCase',
  'StringEqualsIfExists',
  'ForAnyValue:StringLike',
  'ForAllValues:StringEquals',
  'ArnLike',
  'ArnNotEquals',
  'Bool',
  'IpAddress',
  'NotIpAddress',
  'Null',
  'NumericLessThan',
  'DateGreaterThan',
);
const condition = fc.dictionary(
  operator,
  fc.dictionary(conditionKey, oneOrMany(conditionValue), { maxKeys: 2 }),
  {
    maxKeys: 2,
  },
);

const statement = fc
  .record(
    {
      Sid: fc.string({ maxLength: 5 }),
      Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      principal: principalBlock,
      notPrincipal: fc.boolean(),
      Action: oneOrMany(action),
      notAction: fc.boolean(),
      Condition: condition,
    },
    {
      requiredKeys: [
        'Effect',
        'principal',
        'notPrincipal',
        'Action',
        'notAction',
      ],
    },
  )
  .map(({ principal, notPrincipal, notAction, Action, ...rest }) => ({
    ...rest,
    [notPrincipal ? 'NotPrincipal' : 'Principal']: principal,
    [notAction ? 'NotAction' : 'Action']: Action,
  }));

const policyDoc = fc.record({
  Version: fc.constant('2012-10-17'),
  Statement: fc.oneof(
    statement,
    fc.array(statement, { minLength: 1, maxLength: 4 }),
  ),
});

const caller: fc.Arbitrary<PrincipalContext> = fc.oneof(
  fc.constantFrom<PrincipalContext>(
    { type: 'arn', arn: `arn:aws:iam::${B}:role/deploy` },
    { type: 'arn', arn: `arn:aws:iam::${B}:role/other` },
    { type: 'arn', arn: `arn:aws:sts::${B}:assumed-role/deploy/session-1` },
    { type: 'arn', arn: `arn:aws:iam::${A}:user/alice` },
    { type: 'arn', arn: `arn:aws:iam::${A}:root` },
    { type: 'account', accountId: A },
    { type: 'account', accountId: B },
    { type: 'account', accountId: '999999999999' },
    { type: 'service', service: 'lambda.amazonaws.com' },
    { type: 'service', service: 'sns.amazonaws.com' },
    {
      type: 'eks',
      namespace: 'payments',
      serviceAccount: 'api',
      provider: EKS,
    },
    { type: 'eks', namespace: 'payments', serviceAccount: 'api' },
    { type: 'saml', provider: SAML },
  ),
  fc
    .record({
      type: fc.constant('github' as const),
      owner: fc.constantFrom('acme', 'evil'),
      repo: fc.constantFrom('api', 'web'),
      ref: fc.constantFrom('refs/heads/main', 'refs/heads/dev', undefined),
      environment: fc.constantFrom(undefined, undefined, 'production'),
    })
    .map(c => {
      const out: PrincipalContext = {
        type: 'github',
        owner: c.owner,
        repo: c.repo,
      };
      if (c.ref) out.ref = c.ref;
      if (c.environment) out.environment = c.environment;
      return out;
    }),
);

/** Breaks a document the way bad input does: wrong types, missing or renamed elements, truncation. */
const mutated = fc
  .tuple(
    policyDoc,
    fc.nat(),
    fc.anything(),
    fc.constantFrom('object', 'json', 'url', 'truncate'),
  )
  .map(([doc, n, junk, form]) => {
    const copy = JSON.parse(JSON.stringify(doc));
    const statements = Array.isArray(copy.Statement)
      ? copy.Statement
      : [copy.Statement];
    const s = statements[n % statements.length];
    const keys = Object.keys(s);
    const key = keys[n % keys.length];
    switch (n % 5) {
      case 0:
        delete s[key];
        break;
      case 1:
        s[key] = junk;
        break;
      case 2:
        s[key.toLowerCase()] = s[key];
        delete s[key];
        break;
      case 3:
        copy.Statement = junk;
        break;
      default:
        if (s.Condition)
          s.Condition[Object.keys(s.Condition)[0] ?? 'StringEquals'] = junk;
    }
    const text = JSON.stringify(copy) ?? '';
    if (form === 'json') return text;
    if (form === 'url') return encodeURIComponent(text);
    if (form === 'truncate') return text.slice(0, n % (text.length + 1));
    return copy;
  });

const ROLE = `arn:aws:iam::${A}:role/subject`;

describe('trust engine properties', () => {
  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.jsonValue(), fc.string()),
        caller,
        (doc, who) => {
          const analysis = analyzeRole({ arn: ROLE, trustPolicy: doc });
          expect(analysis.arn).toBe(ROLE);
          if (analysis.policy) evaluateAssume(analysis.policy, who);
          expect(() => parseAuthorizationDetails(doc)).not.toThrow(TypeError);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated documents, and reports unreadable ones as invalid-policy', () => {
    fc.assert(
      fc.property(mutated, caller, (doc, who) => {
        const analysis = analyzeRole({ arn: ROLE, trustPolicy: doc });
        const { policy } = normalizeTrustPolicy(doc);
        // A principal IAM refuses (a wildcard inside an ARN, a malformed value) is invalid too.
        const refused = (policy?.statements ?? []).some(
          st =>
            st.effect === 'Allow' &&
            trustActionsOf(st).length > 0 &&
            Object.entries(st.principal ?? st.notPrincipal ?? {}).some(
              ([type, values]) =>
                values.some(v => classifyPrincipal(type, v).invalid),
            ),
        );
        expect(analysis.findings.some(f => f.id === 'invalid-policy')).toBe(
          !policy || normalizeTrustPolicy(doc).errors.length > 0 || refused,
        );
        const outcome = analysis.policy
          ? evaluateAssume(analysis.policy, who).outcome
          : 'not-trusted';
        expect(['allowed', 'possible', 'denied', 'not-trusted']).toContain(
          outcome,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('normalises idempotently, and a rendered policy reads back the same', () => {
    fc.assert(
      fc.property(policyDoc, doc => {
        const first = normalizeTrustPolicy(doc);
        const again = normalizeTrustPolicy(first.policy);
        expect(again.errors).toEqual([]);
        expect(again.policy).toEqual(first.policy);
        // Rendering renumbers statements, so compare only documents read without skipping any.
        const rendered =
          first.errors.length === 0
            ? normalizeTrustPolicy(toPolicyDocument(first.policy!)).policy
            : first.policy;
        expect(rendered).toEqual(first.policy);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a document the same as an object, a JSON string and a URL-encoded string', () => {
    fc.assert(
      fc.property(policyDoc, doc => {
        const a = analyzeRole({ arn: ROLE, trustPolicy: doc });
        expect(
          analyzeRole({ arn: ROLE, trustPolicy: JSON.stringify(doc) }),
        ).toEqual(a);
        expect(
          analyzeRole({
            arn: ROLE,
            trustPolicy: encodeURIComponent(JSON.stringify(doc)),
          }),
        ).toEqual(a);
      }),
      { numRuns: 1000 },
    );
  });

  it('lets Deny win: an unconditional Deny refuses, and a Deny twin of every Allow leaves no plain yes', () => {
    fc.assert(
      fc.property(policyDoc, caller, (doc, who) => {
        const { policy } = normalizeTrustPolicy(doc);
        if (!policy) return;
        const blanket = normalizeTrustPolicy({
          Statement: [
            ...(toPolicyDocument(policy).Statement as unknown[]),
            { Effect: 'Deny', Principal: '*', Action: '*' },
          ],
        }).policy!;
        const after = evaluateAssume(blanket, who);
        expect(after.outcome).toBe('denied');

        const twins = toPolicyDocument(policy).Statement as Array<
          Record<string, unknown>
        >;
        const mirrored = normalizeTrustPolicy({
          Statement: [
            ...twins,
            ...twins
              .filter(s => s.Effect === 'Allow')
              .map(s => ({ ...s, Effect: 'Deny' })),
          ],
        }).policy!;
        expect(evaluateAssume(mirrored, who).outcome).not.toBe('allowed');
      }),
      { numRuns: 2000 },
    );
  });

  it('answers from the index exactly what a scan of every role answers', () => {
    fc.assert(
      fc.property(
        fc.array(policyDoc, { minLength: 1, maxLength: 8 }),
        fc.array(caller, { minLength: 1, maxLength: 4 }),
        (docs, whos) => {
          const index = TrustIndex.build(
            docs.map((doc, i) => ({
              key: `r${i}`,
              analysis: analyzeRole({ arn: `${ROLE}${i}`, trustPolicy: doc }),
            })),
          );
          for (const who of whos)
            expect(index.lookup(who)).toEqual(index.scan(who));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('parses principal specs it prints, and rejects junk with an Error', () => {
    fc.assert(
      fc.property(fc.string(), spec => {
        let result: unknown;
        try {
          result = prepareCaller(parsePrincipalSpec(spec));
        } catch (e) {
          result = e;
        }
        // Either a usable caller, or an Error whose message says what is wrong.
        expect(
          result instanceof Error
            ? result.message.length > 10
            : typeof result === 'object',
        ).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
