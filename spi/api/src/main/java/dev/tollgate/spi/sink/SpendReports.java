package dev.tollgate.spi.sink;

import dev.tollgate.spi.store.SpendQuery;
import java.util.List;

/**
 * Implemented by a {@link LogSink} that can answer spend reports from what it stored (a database
 * of request records, such as ClickHouse). The kernel's {@code /admin/usage} uses it when
 * {@code logging.usage_from} names the sink. Called on a virtual thread; it may block, and should
 * answer within a few seconds.
 */
public interface SpendReports {

    /**
     * Spend, requests and tokens grouped as {@code query} asks, over the records the sink holds
     * (every request it was handed, each counted once). A team groups by the request's own team.
     */
    List<SpendQuery.Row> spend(SpendQuery query) throws Exception;
}
