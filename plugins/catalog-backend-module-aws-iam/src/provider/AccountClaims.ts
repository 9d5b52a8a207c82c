/**
 * Which provider emits an account that more than one provider reads (a live read and a snapshot of
 * the same account, or two snapshot providers): each role must become one entity, not two that the
 * catalog then refuses as a conflict. One instance is shared by the providers of one module.
 *
 * The owner of an account is the reader ranked first — live providers before snapshot providers
 * (the live read is the fresher), then in the order they are configured — so the answer does not
 * depend on which refresh happened to run first.
 */
export class AccountClaims {
  private readonly ranks = new Map<string, number>();
  private readonly readers = new Map<string, Set<string>>();

  private constructor() {}

  static create(): AccountClaims {
    return new AccountClaims();
  }

  /** Registers a provider; `live` providers outrank snapshot ones, then the order of registration. */
  register(providerId: string, options: { live: boolean }): void {
    if (this.ranks.has(providerId)) return;
    const order = this.ranks.size;
    this.ranks.set(providerId, (options.live ? 0 : 1_000_000) + order);
  }

  /**
   * Records that `providerId` read `accountId` and says who emits it: `undefined` when this
   * provider does, else the id of the provider that does.
   */
  claim(providerId: string, accountId: string): string | undefined {
    const readers = this.readers.get(accountId) ?? new Set<string>();
    readers.add(providerId);
    this.readers.set(accountId, readers);
    const owner = this.ownerOf(accountId)!;
    return owner === providerId ? undefined : owner;
  }

  /** Forgets that `providerId` reads `accountId` (its account is gone from its source). */
  release(providerId: string, accountId: string): void {
    this.readers.get(accountId)?.delete(providerId);
  }

  private ownerOf(accountId: string): string | undefined {
    let best: string | undefined;
    for (const id of this.readers.get(accountId) ?? []) {
      const rank = this.ranks.get(id) ?? Number.MAX_SAFE_INTEGER;
      if (best === undefined || rank < (this.ranks.get(best) ?? Infinity)) {
        best = id;
      }
    }
    return best;
  }
}
