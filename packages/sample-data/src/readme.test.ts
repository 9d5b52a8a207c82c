import fs from 'node:fs';
import path from 'node:path';
import { listSampleSnapshots } from './index';

const readme = fs.readFileSync(
  path.resolve(__dirname, '..', 'README.md'),
  'utf8',
);

/** Account id → role names, from the README's inventory (`#### name (id)` headings, then table rows). */
function inventory(): Map<string, string[]> {
  const byAccount = new Map<string, string[]>();
  let current: string[] | undefined;
  const section = readme.slice(readme.indexOf('## Role inventory'));
  for (const line of section.split('\n')) {
    const heading = /^#### \S+ \((\d{12})\)/.exec(line);
    if (heading) {
      current = [];
      byAccount.set(heading[1], current);
    } else if (
      line.startsWith('## ') &&
      !line.startsWith('## Role inventory')
    ) {
      current = undefined;
    } else {
      const row = /^\| `([^`]+)`/.exec(line);
      if (row && current) current.push(row[1]);
    }
  }
  return byAccount;
}

describe('README', () => {
  it('lists every role of every snapshot in its inventory, and no other', () => {
    const expected = new Map(
      listSampleSnapshots().map(file => {
        const roles = JSON.parse(fs.readFileSync(file, 'utf8'))
          .RoleDetailList as Array<{ RoleName: string; Arn: string }>;
        return [
          roles[0].Arn.split(':')[4],
          roles.map(role => role.RoleName),
        ] as const;
      }),
    );
    expect(inventory()).toEqual(expected);
  });

  it('names only roles that exist in its findings table', () => {
    const section = readme.slice(
      readme.indexOf('## Intended findings'),
      readme.indexOf('### Look-alikes'),
    );
    const named = [...section.matchAll(/^\| [^|]+\| `([^`]+)`/gm)].map(
      m => m[1],
    );
    const all = new Set([...inventory().values()].flat());
    expect(named.length).toBe(10);
    expect(named.filter(name => !all.has(name))).toEqual([]);
  });
});
