import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';

/** Applies an entity provider's mutations to an in-memory map, as the catalog would store them. */
export class FakeCatalogConnection implements EntityProviderConnection {
  readonly entities = new Map<string, Entity>();
  readonly mutations: EntityProviderMutation[] = [];

  async applyMutation(mutation: EntityProviderMutation): Promise<void> {
    this.mutations.push(mutation);
    if (mutation.type === 'full') {
      this.entities.clear();
      for (const { entity } of mutation.entities) {
        this.entities.set(stringifyEntityRef(entity).toLowerCase(), entity);
      }
      return;
    }
    for (const removed of mutation.removed) {
      const ref =
        'entityRef' in removed
          ? removed.entityRef
          : stringifyEntityRef(removed.entity);
      this.entities.delete(ref.toLowerCase());
    }
    for (const { entity } of mutation.added) {
      this.entities.set(stringifyEntityRef(entity).toLowerCase(), entity);
    }
  }

  async refresh(): Promise<void> {}

  /** Entities of one account, by the account-id annotation. */
  ofAccount(accountId: string): Entity[] {
    return [...this.entities.values()].filter(
      e => e.metadata.annotations?.['amazonaws.com/account-id'] === accountId,
    );
  }

  get(ref: string): Entity | undefined {
    return this.entities.get(ref.toLowerCase());
  }

  lastMutation() {
    return this.mutations[this.mutations.length - 1];
  }
}
