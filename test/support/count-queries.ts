// Counts the statements a Kysely instance sends to the database (`counter.attach(db)`), whether built by Kysely or
// sent precompiled, in a transaction or not: for tests that fail when a change adds database round trips, and for
// benchmarks that print them. BEGIN, COMMIT and ROLLBACK are not counted.
import type { DatabaseConnection, KyselyPlugin, Kysely, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|start transaction|savepoint|release)\b/i;

/** Changes nothing: it only gives the counting instance an executor of its own to wrap. */
class OwnExecutor implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

export class CountQueries {
  count = 0;
  /** The first words of each statement counted, to tell which one a change added. */
  statements: string[] = [];
  /**
   * Runs before each counted statement, on its connection (the embedded database has only one): a test's way to
   * change the world between two statements.
   */
  before: ((sql: string, connection: DatabaseConnection) => Promise<void>) | undefined;

  attach<T>(db: Kysely<T>): Kysely<T> {
    const counted = db.withPlugin(new OwnExecutor());
    const executor = counted.getExecutor();
    const provide = executor.provideConnection.bind(executor);
    // Every statement, transactions' included, runs on a connection this provider hands out.
    executor.provideConnection = (consumer) => provide((connection) => consumer(this.counting(connection)));
    return counted;
  }

  private counting(connection: DatabaseConnection): DatabaseConnection {
    return {
      executeQuery: async (compiled) => {
        if (!TRANSACTION_CONTROL.test(compiled.sql)) {
          this.count++;
          this.statements.push(compiled.sql.replace(/\s+/g, ' ').trim().slice(0, 60));
          if (this.before) await this.before(compiled.sql, connection);
        }
        return connection.executeQuery(compiled);
      },
      streamQuery: (compiled, chunkSize) => {
        this.count++;
        this.statements.push(compiled.sql.replace(/\s+/g, ' ').trim().slice(0, 60));
        return connection.streamQuery(compiled, chunkSize);
      },
    };
  }
}
