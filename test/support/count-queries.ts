// Counts the statements sent through a Kysely instance (`db.withPlugin(counter)`): for tests that fail when a
// change adds database round trips, and for benchmarks that print them.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

export class CountQueries implements KyselyPlugin {
  count = 0;
  /** The kind of each statement counted (select, insert, update, raw…), to tell which one a change added. */
  kinds: string[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++;
    this.kinds.push(args.node.kind);
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
