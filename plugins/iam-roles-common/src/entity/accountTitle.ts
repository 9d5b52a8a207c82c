/**
 * The title of an AWS account entity as the catalog module writes it: "AWS account acme-production
 * (111111111111)" when the account's name is known, "AWS account 111111111111" otherwise.
 */
export function accountEntityTitle(accountId: string, name?: string): string {
  return `AWS account ${name ? `${name} (${accountId})` : accountId}`;
}

const TITLE = /^AWS account (.+) \((\d{12})\)$/;

/** The account's name from an account entity's title ({@link accountEntityTitle}), when it holds one. */
export function accountNameOfTitle(
  title: string | undefined,
  accountId: string,
): string | undefined {
  const match = TITLE.exec(title ?? '');
  return match && match[2] === accountId ? match[1] : undefined;
}
