import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

/**
 * The custom search attributes every workflow a product starts carries, so an operator can filter
 * executions in the Temporal UI or with `temporal workflow list --query`, e.g.
 * `DermagaProduct = 'panel' AND DermagaOwner = 'admin'`. They are set at the start, from the outbox
 * record (core/workflow-starts.ts), so the reconciler sets them too; child workflows inherit them.
 * The dev server registers them at its start (scripts/stack/temporal.ts); a production cluster needs
 * them created once (docs/platform.md, "Search attributes").
 */
export const DermagaProduct = defineSearchAttributeKey('DermagaProduct', SearchAttributeType.KEYWORD);
/** Whose work it is: panel's user, gpu-lab's researcher (user id), billing's customer id. */
export const DermagaOwner = defineSearchAttributeKey('DermagaOwner', SearchAttributeType.KEYWORD);
/** What it acts on: a site, container, subscription… id (or `host`'s id, `due`/`all` certificates). */
export const DermagaResource = defineSearchAttributeKey('DermagaResource', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTE_KEYS = [DermagaProduct, DermagaOwner, DermagaResource];

/** `Name=Type` as `temporal server start-dev --search-attribute` and `operator search-attribute create` take them. */
export const searchAttributeFlags = () => SEARCH_ATTRIBUTE_KEYS.map((k) => `${k.name}=Keyword`);

/** A workflow's search attributes, as recorded with its start. */
export interface WorkflowSearchAttributes {
  product: string;
  owner: string;
  resource: string;
}

export const typedSearchAttributesOf = (a: WorkflowSearchAttributes): SearchAttributePair[] => [
  { key: DermagaProduct, value: a.product },
  { key: DermagaOwner, value: a.owner },
  { key: DermagaResource, value: a.resource },
];
