import { KubernetesValidatorFunctions } from '@backstage/catalog-model';

const { isValidObjectName } = KubernetesValidatorFunctions;
import { accountEntityName, roleEntityName } from './entityName';

const valid = (name: string) =>
  name.length <= 63 && /^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$/.test(name);

describe('roleEntityName', () => {
  it('is account and role name when that is already a valid name', () => {
    expect(
      roleEntityName(
        '111111111111',
        'gha-deploy_prod.v2',
        'arn:aws:iam::111111111111:role/gha-deploy_prod.v2',
      ),
    ).toBe('111111111111-gha-deploy_prod.v2');
  });

  it('adds a hash only when characters are replaced, so lossy names cannot collide', () => {
    const a = roleEntityName(
      '111111111111',
      'a+b',
      'arn:aws:iam::111111111111:role/a+b',
    );
    const b = roleEntityName(
      '111111111111',
      'a=b',
      'arn:aws:iam::111111111111:role/a=b',
    );
    expect(a).toMatch(/^111111111111-a-b-[0-9a-f]{8}$/);
    expect(b).toMatch(/^111111111111-a-b-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(valid(a) && valid(b)).toBe(true);
  });

  it('shortens long names to 63 characters with a hash, stably', () => {
    const name =
      'AWSReservedSSO_AdministratorAccess_59480b85e41d2ab8-with-more';
    const arn = `arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/${name}`;
    const first = roleEntityName('111111111111', name, arn);
    expect(first.length).toBeLessThanOrEqual(63);
    expect(valid(first)).toBe(true);
    expect(isValidObjectName(first)).toBe(true);
    expect(roleEntityName('111111111111', name, arn)).toBe(first);
    expect(
      first.startsWith('111111111111-AWSReservedSSO_AdministratorAccess'),
    ).toBe(true);
  });

  it('produces valid names for awkward role names', () => {
    for (const n of [
      '-x-',
      '@@',
      'a__b',
      'a.-b',
      'x'.repeat(64),
      'Role,With=Chars@Home',
      '_lead',
    ]) {
      const name = roleEntityName(
        '222222222222',
        n,
        `arn:aws:iam::222222222222:role/${n}`,
      );
      expect(isValidObjectName(name)).toBe(true);
      expect(valid(name)).toBe(true);
    }
  });

  it('names accounts after their id', () => {
    expect(accountEntityName('333333333333')).toBe('aws-account-333333333333');
  });
});
