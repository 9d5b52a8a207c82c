import { evaluateAssume } from './evaluateAssume';
import { normalizeTrustPolicy } from './normalizeTrustPolicy';
import { gitlabJobContext, gitlabProjectOf } from './gitlab';

describe('gitlabProjectOf', () => {
  it('reads the project path, on gitlab.com unless an instance is named', () => {
    expect(
      gitlabProjectOf({ 'gitlab.com/project-slug': 'acme/finance/billing' }),
    ).toEqual({ host: 'gitlab.com', projectPath: 'acme/finance/billing' });
    expect(
      gitlabProjectOf({
        'gitlab.com/project-slug': ' acme/reports ',
        'gitlab.com/instance': 'https://GitLab.Acme.example/',
      }),
    ).toEqual({ host: 'gitlab.acme.example', projectPath: 'acme/reports' });
  });

  it('ignores what is not a group/project path', () => {
    for (const slug of ['', 'billing', 'acme/', 'acme billing/x']) {
      expect(gitlabProjectOf({ 'gitlab.com/project-slug': slug })).toBe(
        undefined,
      );
    }
    expect(gitlabProjectOf({})).toBe(undefined);
  });
});

describe('gitlabJobContext', () => {
  const policy = (sub: string) =>
    normalizeTrustPolicy({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: {
            Federated: 'arn:aws:iam::111111111111:oidc-provider/gitlab.com',
          },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringLike: { 'gitlab.com:sub': sub } },
        },
      ],
    }).policy!;
  const billing = { host: 'gitlab.com', projectPath: 'acme/finance/billing' };

  it('presents the sub claim GitLab puts in a job token', () => {
    expect(
      evaluateAssume(
        policy('project_path:acme/finance/billing:ref_type:branch:ref:main'),
        gitlabJobContext(billing),
      ).outcome,
    ).toBe('allowed');
    expect(
      evaluateAssume(
        policy('project_path:acme/finance/*:ref_type:tag:ref:v*'),
        gitlabJobContext(billing, { refType: 'tag', ref: 'v1.2.0' }),
      ).outcome,
    ).toBe('allowed');
  });

  it('is refused for another project or another ref', () => {
    expect(
      evaluateAssume(
        policy('project_path:acme/other:*'),
        gitlabJobContext(billing),
      ).outcome,
    ).toBe('not-trusted');
    expect(
      evaluateAssume(
        policy('project_path:acme/finance/billing:ref_type:tag:*'),
        gitlabJobContext(billing),
      ).outcome,
    ).toBe('not-trusted');
  });
});
