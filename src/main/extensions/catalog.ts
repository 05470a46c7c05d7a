import { z } from 'zod';
import { CatalogEntry } from '../api/extensions';
import bundled from './catalog.json';

/**
 * Well-known Docker Desktop extensions, bundled: Berth reads no marketplace over the network. Tags are
 * those the publishers released (a few repositories are listed without one, and `latest` is pulled).
 */
const entries = z.array(CatalogEntry).parse(bundled);

export function catalog(): CatalogEntry[] {
  return entries.map((entry) => ({ ...entry, categories: [...entry.categories] }));
}
