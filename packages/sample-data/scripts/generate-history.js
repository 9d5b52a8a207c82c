#!/usr/bin/env node
/* eslint-disable no-console */
// Writes history/333333333333-production.2026-11-14.json: the production account as it was two weeks
// before the snapshot in aws/, so that the demo's trust history has something to show. The broker
// records it first (iamRoles.history.seed in app-config.yaml), then the catalog's roles of today:
//   - partner-webhook-relay trusted one partner role with an ExternalId; today anyone (critical);
//   - cloudcost-readonly required an ExternalId; today it does not (medium);
//   - gha-payments-api-migrations let in every workflow of acme/payments-api (high); today only the
//     production environment (the finding is resolved);
//   - payments-api-production also trusted the canary service account; today only payments-api;
//   - acme-deployer had AdministratorAccess and no permissions boundary; today a boundary and the
//     EKS cluster policy.
// Run with `node packages/sample-data/scripts/generate-history.js`; the output is reproducible.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'aws', '333333333333-production.json');
const target = path.join(
  root,
  'history',
  '333333333333-production.2026-11-14.json',
);

const snapshot = JSON.parse(fs.readFileSync(source, 'utf8'));
const byName = new Map(snapshot.RoleDetailList.map(r => [r.RoleName, r]));
const role = name => {
  const found = byName.get(name);
  if (!found) throw new Error(`${name} is not in ${source}`);
  return found;
};

role('partner-webhook-relay').AssumeRolePolicyDocument = {
  Version: '2012-10-17',
  Statement: {
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::555555555555:role/partner-webhooks' },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': 'acme-webhooks-7f3a' } },
  },
};

const cloudcost = role('cloudcost-readonly').AssumeRolePolicyDocument;
cloudcost.Statement[0].Condition = {
  StringEquals: { 'sts:ExternalId': 'cc-acme-4411' },
};

const migrations = role('gha-payments-api-migrations').AssumeRolePolicyDocument;
const github = migrations.Statement[0].Condition;
github.StringLike = {
  'token.actions.githubusercontent.com:sub': 'repo:acme/payments-api:*',
};
delete github.StringEquals['token.actions.githubusercontent.com:sub'];

const payments = role('payments-api-production').AssumeRolePolicyDocument;
const eks = payments.Statement[0].Condition.StringEquals;
const sub = Object.keys(eks).find(k => k.endsWith(':sub'));
eks[sub] = [
  'system:serviceaccount:payments:payments-api',
  'system:serviceaccount:payments:payments-api-canary',
];

const deployer = role('acme-deployer');
delete deployer.PermissionsBoundary;
deployer.AttachedManagedPolicies = [
  {
    PolicyName: 'AdministratorAccess',
    PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
  },
];

fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, `${JSON.stringify(snapshot, null, 4)}\n`);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
