#!/usr/bin/env bash
# Writes the effective-access snapshot files the catalog module reads next to its
# get-account-authorization-details snapshots (one JSON document each, told apart by "kind"):
#
#   identity-center.json                  kind aws-identity-center    (--identity-center-region)
#   pod-identity-ACCOUNT-REGION.json      kind aws-eks-pod-identity   (--eks-regions, per region)
#   organization-rcp.json                 kind aws-organizations-rcp  (--organizations)
#
# Every call is a read-only AWS CLI call (the CLI follows NextToken itself). Needs the AWS CLI v2
# and jq; credentials come from the usual AWS CLI environment (AWS_PROFILE, …): the Identity Center
# and Organizations parts need the management or delegated administrator account, the EKS part the
# account of the clusters.
#
# Usage: effective-access-snapshots.sh [--out DIR] [--identity-center-region REGION]
#          [--identity-center-instance-arn ARN] [--eks-regions REGION[,REGION…]] [--organizations]
set -euo pipefail

out=.
ic_region=''
ic_instance=''
eks_regions=''
organizations=false
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --identity-center-region) ic_region=$2; shift 2 ;;
    --identity-center-instance-arn) ic_instance=$2; shift 2 ;;
    --eks-regions) eks_regions=$2; shift 2 ;;
    --organizations) organizations=true; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$ic_region" ] && [ -z "$eks_regions" ] && [ "$organizations" = false ]; then
  echo 'nothing to do: give --identity-center-region, --eks-regions and/or --organizations' >&2
  exit 2
fi
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awsj() { aws "$@" --output json; }

if [ -n "$ic_region" ]; then
  instances=$(awsj sso-admin list-instances --region "$ic_region")
  if [ -n "$ic_instance" ]; then
    instance=$(jq -c --arg arn "$ic_instance" '.Instances[] | select(.InstanceArn == $arn)' <<<"$instances")
  else
    [ "$(jq '.Instances | length' <<<"$instances")" = 1 ] || {
      echo "Identity Center: not exactly one instance in $ic_region; give --identity-center-instance-arn" >&2
      exit 1
    }
    instance=$(jq -c '.Instances[0]' <<<"$instances")
  fi
  [ -n "$instance" ] || { echo "Identity Center: instance $ic_instance not found" >&2; exit 1; }
  arn=$(jq -r .InstanceArn <<<"$instance")
  store=$(jq -r .IdentityStoreId <<<"$instance")
  : >"$tmp/sets.jsonl"
  : >"$tmp/assignments.jsonl"
  : >"$tmp/memberships.jsonl"
  for set in $(awsj sso-admin list-permission-sets --region "$ic_region" --instance-arn "$arn" | jq -r '.PermissionSets[]'); do
    awsj sso-admin describe-permission-set --region "$ic_region" --instance-arn "$arn" \
      --permission-set-arn "$set" | jq -c .PermissionSet >>"$tmp/sets.jsonl"
    for account in $(awsj sso-admin list-accounts-for-provisioned-permission-set --region "$ic_region" \
      --instance-arn "$arn" --permission-set-arn "$set" | jq -r '.AccountIds[]'); do
      awsj sso-admin list-account-assignments --region "$ic_region" --instance-arn "$arn" \
        --account-id "$account" --permission-set-arn "$set" | jq -c '.AccountAssignments[]' >>"$tmp/assignments.jsonl"
    done
  done
  awsj identitystore list-groups --region "$ic_region" --identity-store-id "$store" | jq -c .Groups >"$tmp/groups.json"
  awsj identitystore list-users --region "$ic_region" --identity-store-id "$store" | jq -c .Users >"$tmp/users.json"
  # Memberships of the groups that hold an assignment: the ones that decide who gets a role.
  for group in $(jq -r 'select(.PrincipalType == "GROUP") | .PrincipalId' "$tmp/assignments.jsonl" | sort -u); do
    awsj identitystore list-group-memberships --region "$ic_region" --identity-store-id "$store" \
      --group-id "$group" | jq -c '.GroupMemberships[]' >>"$tmp/memberships.jsonl"
  done
  jq -n --argjson instance "$instance" \
    --slurpfile sets "$tmp/sets.jsonl" --slurpfile assignments "$tmp/assignments.jsonl" \
    --slurpfile groups "$tmp/groups.json" --slurpfile users "$tmp/users.json" \
    --slurpfile memberships "$tmp/memberships.jsonl" \
    '{kind: "aws-identity-center",
      Instance: {InstanceArn: $instance.InstanceArn, IdentityStoreId: $instance.IdentityStoreId},
      PermissionSets: $sets, AccountAssignments: $assignments, Groups: $groups[0],
      GroupMemberships: $memberships, Users: $users[0]}' >"$out/identity-center.json"
  echo "wrote $out/identity-center.json"
fi

if [ -n "$eks_regions" ]; then
  account=$(aws sts get-caller-identity --query Account --output text)
  for region in ${eks_regions//,/ }; do
    : >"$tmp/associations.jsonl"
    : >"$tmp/clusters.jsonl"
    clusters=$(awsj eks list-clusters --region "$region" | jq -c .clusters)
    for cluster in $(jq -r '.[]' <<<"$clusters"); do
      # The cluster's OIDC issuer names it in IRSA trust; denied, the cluster keeps only its name.
      if described=$(awsj eks describe-cluster --region "$region" --name "$cluster"); then
        jq -c .cluster <<<"$described" >>"$tmp/clusters.jsonl"
      else
        echo "EKS DescribeCluster of $cluster ($region) failed: its IRSA roles name it by OIDC issuer id only" >&2
        jq -n -c --arg name "$cluster" '$name' >>"$tmp/clusters.jsonl"
      fi
      # The list gives no role ARN: describe each association.
      for id in $(awsj eks list-pod-identity-associations --region "$region" --cluster-name "$cluster" |
        jq -r '.associations[].associationId'); do
        awsj eks describe-pod-identity-association --region "$region" --cluster-name "$cluster" \
          --association-id "$id" | jq -c .association >>"$tmp/associations.jsonl"
      done
    done
    file="$out/pod-identity-$account-$region.json"
    jq -n --arg account "$account" --arg region "$region" --slurpfile clusters "$tmp/clusters.jsonl" \
      --slurpfile associations "$tmp/associations.jsonl" \
      '{kind: "aws-eks-pod-identity", accountId: $account, region: $region,
        clusters: $clusters, associations: $associations}' >"$file"
    echo "wrote $file"
  done
fi

if [ "$organizations" = true ]; then
  : >"$tmp/policies.jsonl"
  : >"$tmp/accounts.jsonl"
  organization=$(awsj organizations describe-organization | jq -c '{Id: .Organization.Id}')
  for policy in $(awsj organizations list-policies --filter RESOURCE_CONTROL_POLICY | jq -r '.Policies[].Id'); do
    jq -n -c --argjson policy "$(awsj organizations describe-policy --policy-id "$policy" | jq -c .Policy)" \
      --argjson targets "$(awsj organizations list-targets-for-policy --policy-id "$policy" | jq -c .Targets)" \
      '{Policy: $policy, Targets: $targets}' >>"$tmp/policies.jsonl"
  done
  # Each account's path from the root: RCPs of the root and of every OU above it apply.
  walk() {
    local parent=$1 path=$2 child
    for child in $(awsj organizations list-accounts-for-parent --parent-id "$parent" | jq -r '.Accounts[].Id'); do
      jq -n -c --arg id "$child" --argjson path "$path" '{Id: $id, Parents: $path}' >>"$tmp/accounts.jsonl"
    done
    for child in $(awsj organizations list-organizational-units-for-parent --parent-id "$parent" |
      jq -r '.OrganizationalUnits[].Id'); do
      walk "$child" "$(jq -c --arg ou "$child" '. + [$ou]' <<<"$path")"
    done
  }
  for root in $(awsj organizations list-roots | jq -r '.Roots[].Id'); do
    walk "$root" "[\"$root\"]"
  done
  jq -n --argjson organization "$organization" --slurpfile policies "$tmp/policies.jsonl" \
    --slurpfile accounts "$tmp/accounts.jsonl" \
    '{kind: "aws-organizations-rcp", Organization: $organization, Policies: $policies,
      Accounts: ($accounts | sort_by(.Id))}' >"$out/organization-rcp.json"
  echo "wrote $out/organization-rcp.json"
fi
