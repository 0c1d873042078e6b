package dev.tollgate.kernel.governance;

import dev.tollgate.spi.store.SpendEntry;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A store that records spend without a caller's thread waiting: the stage completes when the
 * entries are durable (or fails). The request path settles through it with no thread of its own.
 */
public interface AsyncSpendRecorder {

    CompletionStage<Void> recordSpendAsync(List<SpendEntry> entries);
}
